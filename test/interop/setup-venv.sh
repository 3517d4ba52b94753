#!/usr/bin/env bash
# Creates test/interop/.venv with the Python peers of the interop tests
# (official tritonclient, Seldon MLServer, onnxruntime) from PyPI, once.
# Idempotent: a venv that already has them is left alone.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="$HERE/.venv"
PACKAGES=('tritonclient[http,grpc]==2.73.0' 'mlserver==1.7.1' 'onnxruntime==1.32.0' 'numpy==2.4.6')
if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c 'import tritonclient.grpc, tritonclient.http, onnxruntime, numpy' 2>/dev/null \
   && "$VENV/bin/python" -c 'import mlserver' 2>/dev/null; then
  exit 0
fi
echo "[interop] creating $VENV with ${PACKAGES[*]}" >&2
python3 -m venv "$VENV"
"$VENV/bin/pip" install --quiet --disable-pip-version-check "${PACKAGES[@]}"
