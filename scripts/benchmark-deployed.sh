#!/usr/bin/env bash
# The deployed benchmark (docs/benchmarks.md, "Deployed mode"): the app as users run it, drained from a
# preloaded backlog. Run through scripts/benchmark.sh:
#
#   flock /tmp/ingest-it.lock scripts/benchmark.sh deployed redis|nats|rabbitmq [events]
#
#   1. a fresh database bench_deployed on the local PostgreSQL (dropped and created again each run);
#   2. a publisher in a JVM of its own (routes.chaos.ChaosPublisher, test classpath) preloads the backlog
#      into the run's own queue / stream / list (bench.*, BENCH*, bench:*): [events] distinct events
#      (default 200000) of 3 metrics, 5 % byte-identical re-sends, 1 % invalid of which about 1 in 7 is over
#      1 MiB (none for nats: the server's max_payload of 1 MB refuses them at publish);
#   3. the packaged jar in its own JVM: the Dockerfile's JVM flags plus -Xmx512m, profile brokers, only that
#      source, the HTTP source off;
#   4. events/s from the first commit to the last row, from ingest_events.created_at (start-up excluded,
#      JIT warm-up included), then the app's peak RSS (VmHWM) and CPU seconds, and the machine's CPU
#      reference (python3 -c "sum(range(10**8))", 1.6 s where the issue-16 targets were set).
#      FAIL (exit 1) unless every distinct row landed.
# Everything talks to 127.0.0.1; every wait is bounded (BENCH_START_TIMEOUT 120 s for the first row,
# BENCH_DRAIN_TIMEOUT 600 s for the rest). The app's log: target/bench-deployed-<broker>.log.
# Extra app properties: BENCH_APP_ARGS="--ingest.sources.redis.batch-size=... ...".
# BENCH_JFR=1 records the app with JFR (settings=profile) into target/bench-deployed-<broker>.jfr, written
# when the run stops the app; summarise it with `jfr summary` or `jfr print --events jdk.ExecutionSample`.
# A team's routes: BENCH_ROUTES="docs/examples/routes/team-filter.camel.yaml" (one or more route files, or a
# directory; paths from the project's root), copied into a directory of the run's own that the app loads
# with --ingest.routes.directory. Another build's jar: BENCH_JAR=path (the publisher still comes from this
# checkout). scripts/benchmark.sh ab runs interleaved pairs of two such set-ups.
# BENCH_TRACK=1: with status tracking on for every message (--ingest.sources.<broker>.track-status=true,
# seed 003); the result then counts the message_status rows completed.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib/packaged-app.sh
source scripts/lib/packaged-app.sh

broker="${1:-}"
case "$broker" in rabbitmq | nats | redis) ;; *) echo "usage: scripts/benchmark.sh deployed redis|nats|rabbitmq [events]" >&2; exit 2 ;; esac
events="${2:-200000}"
start_timeout="${BENCH_START_TIMEOUT:-120}"
drain_timeout="${BENCH_DRAIN_TIMEOUT:-600}"
database=bench_deployed
started=$(date +%s)
log() { printf '[bench %3ds] %s\n' "$(($(date +%s) - started))" "$*"; }
die() { log "ERROR: $*"; exit 1; }

# The issue-16 mix: 1 % invalid, about 1 in 7 of them over 1 MiB (0.14 % of the events), the rest of the
# kinds ChaosMessages cycles through; NATS: 1 % invalid, none oversized.
if [ "$broker" = nats ]; then invalid_every=100; oversized=0
else invalid_every=117; oversized=$(((events + 350) / 700)); fi

bash scripts/test-services.sh >/dev/null
build_packaged_app "${BENCH_JAR:-}"

sql() { PGOPTIONS=--client-min-messages=warning psql -h 127.0.0.1 -p 5432 -U postgres -d "${2:-$database}" -Atqc "$1"; }
single_source_app_args "$broker" "jdbc:postgresql://127.0.0.1:5432/$database"
case "$broker" in
  rabbitmq)
    port=5672
    java_args=(-Dchaos.queue=bench.raw.q -Dchaos.dlx=bench.dlx -Dchaos.dlq=bench.raw.dlq)
    app_args+=(--spring.rabbitmq.host=127.0.0.1 --spring.rabbitmq.port=5672
      --ingest.sources.rabbitmq.queue=bench.raw.q --ingest.sources.rabbitmq.dead-letter-exchange=bench.dlx
      --ingest.sources.rabbitmq.dead-letter-queue=bench.raw.dlq --ingest.sources.rabbitmq.dead-letter-routing-key=bench.raw.dlq) ;;
  nats)
    port=4222
    java_args=(-Dchaos.queue=BENCH -Dchaos.subject=bench.events -Dchaos.dlq=BENCH_DLQ)
    app_args+=(--ingest.sources.nats.url=nats://127.0.0.1:4222 --ingest.sources.nats.stream=BENCH
      --ingest.sources.nats.subject=bench.events --ingest.sources.nats.durable=bench_workers
      --ingest.sources.nats.dlq-stream=BENCH_DLQ --ingest.sources.nats.dlq-subject=bench.dlq) ;;
  redis)
    port=6379
    java_args=(-Dchaos.queue=bench:queue -Dchaos.dlq=bench:queue:dlq)
    app_args+=(--spring.data.redis.host=127.0.0.1 --spring.data.redis.port=6379
      --ingest.sources.redis.queue=bench:queue --ingest.sources.redis.processing-list=bench:queue:processing
      --ingest.sources.redis.delayed-set=bench:queue:delayed --ingest.sources.redis.dlq=bench:queue:dlq) ;;
esac
java_args+=(-Dchaos.broker="$broker" -Dchaos.port="$port" -Dchaos.db-url="jdbc:postgresql://127.0.0.1:5432/$database"
  -Dchaos.duplicate-every=20 -Dchaos.invalid-every="$invalid_every")
routes_dir=""
if [ -n "${BENCH_ROUTES:-}" ]; then
  routes_dir="$PWD/target/bench-routes-$$"
  rm -rf "$routes_dir" && mkdir -p "$routes_dir"
  for r in $BENCH_ROUTES; do
    if [ -d "$r" ]; then cp "$r"/*.camel.yaml "$routes_dir"/; elif [ -f "$r" ]; then cp "$r" "$routes_dir"/
    else die "BENCH_ROUTES: no such file or directory: $r"; fi
  done
  app_args+=(--ingest.routes.directory="$routes_dir")
fi
if [ "${BENCH_TRACK:-0}" = 1 ]; then
  app_args+=("--ingest.sources.$broker.track-status=true")
fi
# shellcheck disable=SC2206 # BENCH_APP_ARGS is a list of --key=value words
app_args+=(${BENCH_APP_ARGS:-})
mapfile -t docker_flags < <(dockerfile_jvm_flags)
app_log="target/bench-deployed-$broker.log"
if [ "${BENCH_JFR:-0}" = 1 ]; then
  docker_flags+=("-XX:StartFlightRecording=filename=target/bench-deployed-$broker.jfr,settings=profile,dumponexit=true")
fi

app_pid=""
publish() { # events oversized: the publisher deletes the run's queue and dead-letter queue, then preloads
  "$java_bin" -Xmx1g -cp "$classpath" "${java_args[@]}" -Dchaos.events="$1" -Dchaos.oversized="$2" routes.chaos.ChaosPublisher
}
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [ -n "$app_pid" ]; then kill -9 "$app_pid" 2>/dev/null || true; wait "$app_pid" 2>/dev/null || true; fi
  publish 0 0 >/dev/null 2>&1 || true # empties the run's queue and dead-letter queue (up to 300 MB of oversized copies)
  sql "DROP DATABASE IF EXISTS $database WITH (FORCE)" postgres >/dev/null 2>&1 || true
  if [ -n "$routes_dir" ]; then rm -rf "$routes_dir"; fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
TIMEFORMAT=%R
cpu_reference=$({ time python3 -c "sum(range(10**8))"; } 2>&1)
log "CPU reference: python3 -c \"sum(range(10**8))\" took $cpu_reference s (1.6 s where the issue-16 targets were set)"

sql "DROP DATABASE IF EXISTS $database WITH (FORCE)" postgres >/dev/null
sql "CREATE DATABASE $database" postgres >/dev/null
log "publishing the backlog: $events events, invalid every $invalid_every, $oversized over 1 MiB"
publish "$events" "$oversized" | sed 's/^/  /'
expected=$((events * 3))

app_port=$(free_port)
export INGEST_ADMIN_PASSWORD="bench-$RANDOM$RANDOM" # the brokers profile refuses to start without one
log "starting the app: $java_bin ${docker_flags[*]} -Xmx512m -jar $jar (brokers profile, $broker only, HTTP source off${routes_dir:+, team routes $routes_dir})"
"$java_bin" "${docker_flags[@]}" -Xmx512m -jar "$jar" --server.port="$app_port" "${app_args[@]}" >"$app_log" 2>&1 &
app_pid=$!

rows() { sql "SELECT count(*) FROM ingest_events" 2>/dev/null || echo 0; }
cpu_seconds() { # utime + stime of the app, in seconds
  awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); printf "%.1f", ($12 + $13) / hz }' "/proc/$app_pid/stat"
}
alive() { kill -0 "$app_pid" 2>/dev/null || die "the app exited: $(tail -n 20 "$app_log")"; }

deadline=$(($(date +%s) + start_timeout))
n=0
while ((n == 0)); do
  (($(date +%s) < deadline)) || die "no row within $start_timeout s of the start (log: $app_log)"
  alive
  sleep 0.5
  n=$(rows)
done
cpu_at_first_rows=$(cpu_seconds)
log "first rows in ($n); draining (at most $drain_timeout s)"
deadline=$(($(date +%s) + drain_timeout))
while ((n < expected)) && (($(date +%s) < deadline)); do
  alive
  sleep 1
  n=$(rows)
done
cpu_total=$(cpu_seconds)
peak_rss_kb=$(awk '/^VmHWM:/ { print $2 }' "/proc/$app_pid/status")
log "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
read -r count drain < <(sql "SELECT count(*), extract(epoch FROM max(created_at) - min(created_at)) FROM ingest_events" | tr '|' ' ')
dead_letters=$(sql "SELECT count(*) FROM dead_letters" 2>/dev/null || echo "?")
tracked=$(sql "SELECT count(*) FILTER (WHERE status = 'completed') || ' completed, ' || count(*) FILTER (WHERE status = 'failed') || ' failed, ' || count(*) || ' in all' FROM message_status" 2>/dev/null || echo "?")
kill -TERM "$app_pid"
for ((i = 0; i < 120; i++)); do kill -0 "$app_pid" 2>/dev/null || break; sleep 0.25; done
kill -9 "$app_pid" 2>/dev/null || true
wait "$app_pid" 2>/dev/null || true
app_pid=""

echo
echo "deployed $broker, $events events ($expected rows), $(date -u +%FT%TZ), $(git rev-parse --short HEAD)"
echo "  jar                 $jar"
echo "  team routes         ${BENCH_ROUTES:-none}"
echo "  track-status        $([ "${BENCH_TRACK:-0}" = 1 ] && echo "on (message_status: $tracked)" || echo off)"
awk -v e="$events" -v r="$count" -v d="$drain" 'BEGIN {
  if (d <= 0) d = 0.001
  printf "  events/s            %.0f   (first commit to last row)\n  rows/s              %.0f\n  drain               %.2f s\n", e / d, r / d, d }'
echo "  peak RSS (VmHWM)    $((peak_rss_kb / 1024)) MB"
echo "  app CPU             ${cpu_total} s in all, $(awk -v a="$cpu_total" -v b="$cpu_at_first_rows" 'BEGIN { printf "%.1f", a - b }') s after the first rows"
echo "  CPU reference       $cpu_reference s (python3 -c \"sum(range(10**8))\"; 1.6 s on the issue-16 machine)"
echo "  dead letters        $dead_letters (the mix has $(((events - invalid_every / 2 + invalid_every - 1) / invalid_every + oversized)) invalid messages)"
if [ "$count" -ge "$expected" ]; then
  echo "  rows                $count of $expected: PASS"
else
  echo "  rows                $count of $expected after $drain_timeout s: FAIL"
  exit 1
fi
