#!/usr/bin/env bash
# Local real services for development, tests and the demo:
#   - Apache Kafka (KRaft, single node) on 127.0.0.1:9092
#   - Apicurio Registry (Confluent-compatible API under /apis/ccompat/v7) on 127.0.0.1:8081
#
# Usage: services.sh start|stop|status [kafka|registry]   (exit 2: unknown action or service)
#
# Both are fetched from Maven Central with Maven (pinned in pom.xml / below) into
# ~/.m2 and a git-ignored cache; nothing else is downloaded. `start` is idempotent:
# a service that already answers is reused, whoever started it. Each service logs
# to .services/<name>.log and is stopped by the pid this script recorded.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
STATE_DIR="${TRIBUTARY_SERVICES_DIR:-$ROOT/.services}"
CACHE_DIR="${TRIBUTARY_SERVICES_CACHE:-$HOME/.cache/tributary-services}"

KAFKA_PORT=9092
REGISTRY_PORT=8081
REGISTRY_VERSION="3.3.3"
REGISTRY_URL="http://127.0.0.1:${REGISTRY_PORT}/apis/ccompat/v7"

log() { printf '[services] %s\n' "$*" >&2; }
die() { printf '[services] error: %s\n' "$*" >&2; exit 1; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# Java major version of the given java binary (17, 21, 25, ...).
java_major() {
  "$1" -version 2>&1 | awk -F'"' '/version/ {split($2, v, "."); print (v[1] == "1" ? v[2] : v[1]); exit}'
}

# Apicurio Registry 3.x is compiled for Java 21; Kafka runs on 17+. Pick the
# first java that is new enough: $REGISTRY_JAVA_HOME, $JAVA_HOME, PATH, /usr/lib/jvm.
find_java() {
  local min="$1" candidate
  for candidate in ${REGISTRY_JAVA_HOME:+"$REGISTRY_JAVA_HOME/bin/java"} ${JAVA_HOME:+"$JAVA_HOME/bin/java"} \
      "$(command -v java || true)" /usr/lib/jvm/*/bin/java; do
    [ -x "$candidate" ] || continue
    if [ "$(java_major "$candidate")" -ge "$min" ] 2>/dev/null; then echo "$candidate"; return 0; fi
  done
  return 1
}

# ---------------------------------------------------------------- fetching
kafka_libs() { echo "$CACHE_DIR/kafka-$(kafka_version)/libs"; }
kafka_version() { sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$HERE/pom.xml"; }

fetch_kafka() {
  local libs; libs="$(kafka_libs)"
  [ -f "$libs/.complete" ] && return 0
  command -v mvn >/dev/null || die "Maven (mvn) is needed to fetch Kafka from Maven Central"
  log "fetching Apache Kafka $(kafka_version) from Maven Central into $libs"
  rm -rf "$libs"; mkdir -p "$libs"
  mvn -q -B -f "$HERE/pom.xml" dependency:copy-dependencies -DoutputDirectory="$libs" \
    || die "Maven could not fetch Kafka (see output above)"
  touch "$libs/.complete"
}

registry_home() { echo "$CACHE_DIR/apicurio-registry-$REGISTRY_VERSION"; }

fetch_registry() {
  local home; home="$(registry_home)"
  [ -f "$home/.complete" ] && return 0
  command -v mvn >/dev/null || die "Maven (mvn) is needed to fetch Apicurio Registry from Maven Central"
  log "fetching Apicurio Registry $REGISTRY_VERSION from Maven Central into $home"
  rm -rf "$home"; mkdir -p "$home"
  mvn -q -B dependency:copy \
    -Dartifact="io.apicurio:apicurio-registry-app:${REGISTRY_VERSION}:tar.gz:all" \
    -DoutputDirectory="$home" || die "Maven could not fetch Apicurio Registry (see output above)"
  tar -xzf "$home/apicurio-registry-app-${REGISTRY_VERSION}-all.tar.gz" -C "$home"
  rm -f "$home/apicurio-registry-app-${REGISTRY_VERSION}-all.tar.gz"
  touch "$home/.complete"
}

# ---------------------------------------------------------------- kafka
kafka_status() {
  if pid_alive "$STATE_DIR/kafka.pid" && port_open "$KAFKA_PORT"; then echo "kafka: running (pid $(cat "$STATE_DIR/kafka.pid")) on 127.0.0.1:$KAFKA_PORT"; return 0; fi
  if port_open "$KAFKA_PORT"; then echo "kafka: something answers on 127.0.0.1:$KAFKA_PORT (not started by this script)"; return 0; fi
  echo "kafka: stopped"; return 1
}

start_kafka() {
  if port_open "$KAFKA_PORT"; then log "kafka already answers on 127.0.0.1:$KAFKA_PORT; reusing it"; return 0; fi
  local java; java="$(find_java 17)" || die "Kafka needs Java 17 or newer"
  fetch_kafka
  local libs data conf
  libs="$(kafka_libs)"; data="$STATE_DIR/kafka-data"; conf="$STATE_DIR/kafka.properties"
  mkdir -p "$STATE_DIR"
  { cat "$HERE/kafka.properties"; echo "log.dirs=$data"; } > "$conf"
  if [ ! -f "$data/meta.properties" ]; then
    log "formatting KRaft storage in $data"
    local cluster_id; cluster_id="$("$java" -cp "$libs/*" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -1)"
    "$java" -Dlog4j.configuration="file:$HERE/log4j.properties" -cp "$libs/*" \
      kafka.tools.StorageTool format -t "$cluster_id" -c "$conf" >>"$STATE_DIR/kafka.log" 2>&1 \
      || die "formatting KRaft storage failed; see $STATE_DIR/kafka.log"
  fi
  log "starting kafka (log: $STATE_DIR/kafka.log)"
  nohup "$java" -Xms256m -Xmx1g -XX:+UseG1GC -Djava.awt.headless=true \
    -Dlog4j.configuration="file:$HERE/log4j.properties" \
    -cp "$libs/*" kafka.Kafka "$conf" >>"$STATE_DIR/kafka.log" 2>&1 &
  echo $! > "$STATE_DIR/kafka.pid"
  local deadline=$((SECONDS + 90))
  until port_open "$KAFKA_PORT" && grep -q "Kafka Server started" "$STATE_DIR/kafka.log"; do
    pid_alive "$STATE_DIR/kafka.pid" || die "kafka exited during start-up; see $STATE_DIR/kafka.log"
    [ $SECONDS -lt $deadline ] || die "kafka did not answer within 90 s; see $STATE_DIR/kafka.log"
    sleep 0.5
  done
  log "kafka is up on 127.0.0.1:$KAFKA_PORT"
}

# ---------------------------------------------------------------- registry
registry_answers() { curl -fsS -o /dev/null --max-time 2 "$REGISTRY_URL/subjects" 2>/dev/null; }

registry_status() {
  if pid_alive "$STATE_DIR/registry.pid" && registry_answers; then echo "registry: running (pid $(cat "$STATE_DIR/registry.pid")) at $REGISTRY_URL"; return 0; fi
  if registry_answers; then echo "registry: something answers at $REGISTRY_URL (not started by this script)"; return 0; fi
  echo "registry: stopped"; return 1
}

start_registry() {
  if registry_answers; then log "registry already answers at $REGISTRY_URL; reusing it"; return 0; fi
  port_open "$REGISTRY_PORT" && die "port $REGISTRY_PORT is taken by something that is not a schema registry"
  local java; java="$(find_java 21)" \
    || die "Apicurio Registry $REGISTRY_VERSION needs Java 21 or newer (set REGISTRY_JAVA_HOME); none found in PATH, JAVA_HOME or /usr/lib/jvm"
  fetch_registry
  mkdir -p "$STATE_DIR"
  log "starting registry with $java (log: $STATE_DIR/registry.log)"
  # In-memory storage (the default H2 database); the HTTP and management
  # interfaces bind to loopback only.
  # `exec` makes the background subshell become java, so $! is java's pid (what stop kills).
  (cd "$(registry_home)" && exec nohup "$java" -Xms128m -Xmx512m \
    -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$REGISTRY_PORT" \
    -Dquarkus.management.host=127.0.0.1 -Dquarkus.management.port=9001 \
    -Dapicurio.rest.deletion.artifact.enabled=true \
    -Dapicurio.rest.deletion.artifact-version.enabled=true \
    -Dapicurio.rest.deletion.group.enabled=true \
    -jar quarkus-run.jar >>"$STATE_DIR/registry.log" 2>&1) &
  echo $! > "$STATE_DIR/registry.pid"
  local deadline=$((SECONDS + 120))
  until registry_answers; do
    pid_alive "$STATE_DIR/registry.pid" || die "registry exited during start-up; see $STATE_DIR/registry.log"
    [ $SECONDS -lt $deadline ] || die "registry did not answer within 120 s; see $STATE_DIR/registry.log"
    sleep 0.5
  done
  log "registry is up at $REGISTRY_URL"
}

# ---------------------------------------------------------------- stop
stop_by_pid() {
  local name="$1" pidfile="$STATE_DIR/$1.pid"
  if ! pid_alive "$pidfile"; then rm -f "$pidfile"; log "$name: not running (or not started by this script)"; return 0; fi
  local pid; pid="$(cat "$pidfile")"
  log "stopping $name (pid $pid)"
  kill "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + 30))
  while kill -0 "$pid" 2>/dev/null; do
    if [ $SECONDS -ge $deadline ]; then log "$name did not stop in 30 s; killing"; kill -9 "$pid" 2>/dev/null || true; fi
    sleep 0.3
  done
  rm -f "$pidfile"
}

SERVICES="kafka registry"
usage() { echo "usage: $0 start|stop|status|fetch [kafka|registry]" >&2; exit 2; }

# The services named (default: all), each checked before anything starts: an unknown
# name is a usage error (2) naming the valid ones, not bash's "command not found".
which_services() {
  local s
  for s in "$@"; do
    case " $SERVICES " in *" $s "*) ;; *) echo "[services] error: unknown service '$s' (valid: ${SERVICES// /, })" >&2; exit 2 ;; esac
  done
  if [ $# -gt 0 ]; then echo "$@"; else echo "$SERVICES"; fi
}

cmd="${1:-}"; shift || true
case "$cmd" in
  start|stop|status) services="$(which_services "$@")" || exit $? ;;
  fetch) ;;
  *) usage ;;
esac
case "$cmd" in
  start)  for s in $services; do "start_$s"; done ;;
  stop)   for s in $services; do stop_by_pid "$s"; done ;;
  status) rc=0; for s in $services; do "${s}_status" || rc=1; done; exit $rc ;;
  fetch)  fetch_kafka; fetch_registry ;;
esac
