#!/usr/bin/env bash
# Issue 19's remote scoring targets, measured with the remote worker on cores of its own.
#
# On the shared 2-core VM the worker, the pool's client and the local baseline fight for the
# same cores, so docs/scoring.md ("Remote scoring speed") could not check the targets
# (remote >= 0.8x local at 256-row requests, worker CPU/row <= 1.3x raw onnxruntime, lone
# 1-row p50 within 0.5 ms of raw). This runs bench/scoring-bench with the bench process
# (client, raw baseline, local worker thread) on CPUs 0-3 and the remote `tributary worker`
# processes on CPUs 8-11, twice, on a machine with at least 12 cores (CLIENT_CPUS and WORKER_CPUS
# change the lists).
#
# Needs: Linux with taskset, the repo built (dist/) and node_modules installed; no services,
# no network, no GPU (the bench uses the CPU execution provider everywhere).
# Writes to "$OUT/": machine.txt, run-N.txt (the bench's output), run-N/tributary-bench/scoring.json.
# Takes about 2.5 minutes on a quiet machine; each run is cut at 150 s, so at most 5.5 minutes.
# Usage: OUT=/some/dir bash bench/device/scoring-remote.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
: "${OUT:?set OUT to the folder the results go to}"
mkdir -p "$OUT"
# Overridable for a smaller machine (CLIENT_CPUS=0 WORKER_CPUS=1 on 2 cores checks the script itself).
CLIENT_CPUS=${CLIENT_CPUS:-0-3}
WORKER_CPUS=${WORKER_CPUS:-8-11}

command -v taskset >/dev/null || { echo "scoring-remote: taskset (util-linux) is not installed" >&2; exit 2; }
[ -f dist/bench/scoring-bench.js ] || { echo "scoring-remote: dist/ is missing; build first: npx tsc -p tsconfig.json" >&2; exit 2; }
[ -d node_modules/onnxruntime-node ] || { echo "scoring-remote: node_modules is missing; install first: npm ci" >&2; exit 2; }
cores=$(nproc --all)
for cpus in "$CLIENT_CPUS" "$WORKER_CPUS"; do
  taskset -c "$cpus" true 2>/dev/null || { echo "scoring-remote: cannot run on CPUs $cpus (this machine has $cores); set CLIENT_CPUS / WORKER_CPUS" >&2; exit 2; }
done

{
  echo "git: $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
  echo "node: $(node --version)"
  echo "cpus: $cores; client on $CLIENT_CPUS, workers on $WORKER_CPUS"
  lscpu 2>/dev/null | grep -E '^(Model name|Thread|Core|Socket|NUMA node[0-9]* CPU)' || true
  echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
} > "$OUT/machine.txt"

status=0
for run in 1 2; do
  # TMPDIR puts the bench's JSON (os.tmpdir()/tributary-bench/scoring.json) under $OUT.
  mkdir -p "$OUT/run-$run"
  echo "load before run $run: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/machine.txt"
  TMPDIR="$OUT/run-$run" timeout 150 taskset -c "$CLIENT_CPUS" \
    node dist/bench/scoring-bench.js --quick --worker-cpus "$WORKER_CPUS" > "$OUT/run-$run.txt" 2>&1 || status=$?
  if [ "$status" -ne 0 ]; then
    echo "scoring-remote: run $run exited with $status (124: cut at 150 s); see $OUT/run-$run.txt" >&2
    break
  fi
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/machine.txt"
grep -hE '^(3\.|4\.|   (local|raw|remote)|     worker)' "$OUT"/run-*.txt > "$OUT/summary.txt" || true
exit "$status"
