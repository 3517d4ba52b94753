#!/usr/bin/env bash
# Creates test/e2e/.venv with the independent client of the flagship tests
# (Python confluent-kafka with its Avro, Protobuf and JSON Schema serdes) from PyPI,
# once; a venv made before the Protobuf and JSON Schema ones were needed is updated.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="$HERE/.venv"
SERDES='import confluent_kafka.schema_registry.avro, confluent_kafka.schema_registry.protobuf, confluent_kafka.schema_registry.json_schema'
if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c "$SERDES" 2>/dev/null; then
  exit 0
fi
echo "[e2e] creating or updating $VENV from test/e2e/requirements.txt" >&2
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$HERE/requirements.txt"
