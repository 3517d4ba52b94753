#!/usr/bin/env bash
# Runs a command with Kafka and the schema registry up, and leaves the services
# as it found them: the ones it had to start are stopped afterwards, the ones
# that were already running stay. Usage: with-services.sh COMMAND [ARGS...]
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
started=()
for service in kafka registry; do
  if ! bash "$HERE/services.sh" status "$service" >/dev/null 2>&1; then
    bash "$HERE/services.sh" start "$service" || exit 1
    started+=("$service")
  fi
done
cleanup() { [ ${#started[@]} -gt 0 ] && bash "$HERE/services.sh" stop "${started[@]}"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
"$@"
