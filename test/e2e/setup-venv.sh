#!/usr/bin/env bash
# Creates test/e2e/.venv with the independent client of the flagship tests
# (Python confluent-kafka with its Avro deserializer) from PyPI, once.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="$HERE/.venv"
if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c 'import confluent_kafka.schema_registry.avro' 2>/dev/null; then
  exit 0
fi
echo "[e2e] creating $VENV from test/e2e/requirements.txt" >&2
python3 -m venv "$VENV"
"$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$HERE/requirements.txt"
