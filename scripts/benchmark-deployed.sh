#!/usr/bin/env bash
# The deployed benchmark (docs/benchmarks.md, "Deployed mode"): the app as users run it, drained from a
# preloaded backlog, or loaded over HTTP. Run through scripts/benchmark.sh:
#
#   flock /tmp/ingest-it.lock scripts/benchmark.sh deployed redis|nats|rabbitmq|http [events]
#
#   1. a fresh database bench_deployed on the local PostgreSQL (dropped and created again each run);
#   2. a publisher in a JVM of its own (routes.chaos.ChaosPublisher, test classpath) preloads the backlog
#      into the run's own queue / stream / list (bench.*, BENCH*, bench:*): [events] distinct events
#      (default 200000) of 3 metrics, 5 % byte-identical re-sends, 1 % invalid of which about 1 in 7 is over
#      1 MiB (none for nats: the server's max_payload of 1 MB refuses them at publish; none with
#      BENCH_NO_OVERSIZED=1, the mix of the 1,000,000-event target);
#   3. the packaged jar in its own JVM as the Dockerfile runs it: the Dockerfile's Java (a JDK of its major
#      under /usr/lib/jvm, or BENCH_JAVA_HOME), the jar extracted, the AOT cache scripts/aot-cache.sh trains
#      for it (made once per jar, kept under target/deployed/; BENCH_AOT=0: none; BENCH_AOT_REQUESTS=N: a training
#      of N requests instead of the Dockerfile's 300, a cache of its own), the Dockerfile's JVM flags
#      plus -Xms512m -Xmx512m (a heap sized as the Kubernetes manifests and docker-compose.yml size it, so the
#      image's pre-touch commits it whole); profile brokers, only that source, the HTTP source off;
#   4. events/s from the first commit to the last row, from ingest_events.created_at (start-up excluded,
#      JIT warm-up included), then the app's peak RSS (VmHWM) and CPU seconds (by process, and the app's by
#      thread: its JIT compilers, its garbage collector, the rest), and the machine's CPU
#      reference (python3 -c "sum(range(10**8))", 1.6 s where the issue-16 targets were set) and an I/O reference
#      (python3, 100,000 one-byte round trips over a socket pair: what system calls cost on this machine).
#      FAIL (exit 1) unless every distinct row landed.
# Yardsticks, each in a JVM of its own after the app has stopped, on the emptied tables of the same database
# and a backlog of the same mix published again; the run prints the app's ratio to each:
#   BENCH_BASELINE=1   the one-at-a-time worker (routes.bench.OneAtATimeDeployed: one message, a statement per
#                      metric and its day's stats recomputed, each committed; the in-process benchmarks' worker)
#                      on BENCH_BASELINE_EVENTS events (default 2000: its rate is steady, ~400 events/s);
#   BENCH_TEAM=1       rabbitmq only: a team's own batch consumer (bench/team-consumer: Spring Cloud Stream,
#                      binder rabbit, batch mode, JDBC batch upserts), the same Java, flags and -Xms512m -Xmx512m (no AOT cache), on [events].
# http: no backlog; the app with only the HTTP source, and routes.bench.HttpDeployedLoad in a JVM of its own:
#   BENCH_HTTP_CLIENTS (8) clients posting arrays of BENCH_HTTP_PER_REQUEST (100) events, each answered 202
#   once committed, as fast as they go ([events] in all, rows/s), each on one kept-alive connection written
#   with the requests encoded beforehand (BENCH_HTTP_CLIENT=jdk: the JDK's HttpClient instead, which takes
#   ~2 ms of the shared CPU per request, in both phases); then an open loop at half that request rate for
#   BENCH_HTTP_LATENCY_SECONDS (20) s, each request on a free kept-alive connection (a new one when all are
#   busy): request latency p50 / p99 / max.
# Everything talks to 127.0.0.1; every wait is bounded (BENCH_START_TIMEOUT 120 s for the first row,
# BENCH_DRAIN_TIMEOUT for the rest: 600 s, or 1 s per 1,000 events when more). The app's log:
# target/bench-deployed-<broker>.log (the yardsticks': target/bench-deployed-<broker>-baseline.log, -team.log).
# Extra app properties: BENCH_APP_ARGS="--ingest.sources.redis.batch-size=... ...". Extra JVM flags (after the
# Dockerfile's, before -Xms512m -Xmx512m): BENCH_JVM_ARGS="-XX:+UseSerialGC ...".
# BENCH_JFR=1 records the app with JFR (settings=profile, or BENCH_JFR_SETTINGS=<a .jfc>) into target/bench-deployed-<broker>.jfr, written
# when the run stops the app; summarise it with `jfr summary` or `jfr print --events jdk.ExecutionSample`. The run
# uses an AOT cache trained with --add-modules=jdk.jfr (the JVM refuses one trained without the module JFR adds).
# A team's routes: BENCH_ROUTES="docs/examples/routes/team-filter.camel.yaml" (one or more route files, or a
# directory; paths from the project's root), copied into a directory of the run's own that the app loads
# with --ingest.routes.directory. Another build's jar: BENCH_JAR=path (the publisher still comes from this
# checkout). scripts/benchmark.sh ab runs interleaved pairs of two such set-ups; scripts/benchmark.sh backlog
# compares a 1,000,000-event drain with a 200,000-event one.
# BENCH_PG_WAITS=1: what the app's PostgreSQL sessions do from the first commit to the last (scripts/lib/pg-waits.sh:
# pg_stat_activity every ~10 ms): each statement's share of the samples, and whether it ran or waited, on what
# (Lock:transactionid: another transaction's rows; idle in transaction: the app's turn). BENCH_DUP_EVERY=N: one
# event in N re-sent (default 20, the issue-16 mix's 5 %; 0: none).
# BENCH_TRACK=1: with status tracking on for every message (--ingest.sources.<broker>.track-status=true,
# seed 003); the result then counts the message_status rows completed.
# BENCH_WARM_DRAINS=N (redis only): what a cold start costs. The app first drains N backlogs of the same
# mix (of BENCH_WARM_EVENTS events, default [events]), each printed (the first is the cold JVM's figure), the
# tables emptied after each; the figure is then the N+1st drain, a JVM warmed by real traffic: the bound of
# anything start-up could prepare. Each backlog appears at once (pushed onto a staging list, then renamed onto
# the queue), so the warm drain does not start racing the publisher. The
# backlogs repeat the same event ids, so the app runs with --ingest.idempotency.repository=none (else the
# warm drains would be duplicates); compare the printed drains with each other, not with a default run.
# Redis only: the publisher deletes and re-creates a NATS stream or a RabbitMQ queue, which the running app's
# consumer does not follow.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib/packaged-app.sh
source scripts/lib/packaged-app.sh

broker="${1:-}"
case "$broker" in rabbitmq | nats | redis | http) ;; *) echo "usage: scripts/benchmark.sh deployed redis|nats|rabbitmq|http [events]" >&2; exit 2 ;; esac
events="${2:-200000}"
start_timeout="${BENCH_START_TIMEOUT:-120}"
drain_timeout="${BENCH_DRAIN_TIMEOUT:-$((events / 1000 > 600 ? events / 1000 : 600))}"
baseline="${BENCH_BASELINE:-0}"
baseline_events="${BENCH_BASELINE_EVENTS:-2000}"
team="${BENCH_TEAM:-0}"
if [ "$team" = 1 ] && [ "$broker" != rabbitmq ]; then echo "BENCH_TEAM=1: rabbitmq only" >&2; exit 2; fi
warm_drains="${BENCH_WARM_DRAINS:-0}"
warm_events="${BENCH_WARM_EVENTS:-$events}"
if [ "$warm_drains" != 0 ] && [ "$broker" != redis ]; then echo "BENCH_WARM_DRAINS: redis only" >&2; exit 2; fi
if [ "$broker" = http ] && { [ "$baseline" = 1 ] || [ -n "${BENCH_ROUTES:-}" ]; }; then
  echo "http: no BENCH_BASELINE, no BENCH_ROUTES" >&2; exit 2
fi
database=bench_deployed
started=$(date +%s)
log() { printf '[bench %3ds] %s\n' "$(($(date +%s) - started))" "$*"; }
die() { log "ERROR: $*"; exit 1; }

# The issue-16 mix: 1 % invalid, about 1 in 7 of them over 1 MiB (0.14 % of the events), the rest of the
# kinds ChaosMessages cycles through; NATS: 1 % invalid, none oversized.
if [ "$broker" = nats ]; then invalid_every=100; oversized_every=0
else invalid_every=117; oversized_every=700; fi
if [ "${BENCH_NO_OVERSIZED:-0}" = 1 ]; then oversized_every=0; fi
# 5 % byte-identical re-sends (one of every 20 events sent again, somewhere after its original); BENCH_DUP_EVERY=0: none.
duplicate_every="${BENCH_DUP_EVERY:-20}"
pg_waits="${BENCH_PG_WAITS:-0}"
oversized_in() { if ((oversized_every > 0)); then echo $((($1 + oversized_every / 2) / oversized_every)); else echo 0; fi; }
oversized=$(oversized_in "$events")

bash scripts/test-services.sh >/dev/null
build_packaged_app "${BENCH_JAR:-}"
deployed_runtime "$jar"

# Debian's /usr/bin/psql is a Perl wrapper: ~55 ms of CPU a call against ~20 for the binary, taken from the run.
psql_bin=$(ls /usr/lib/postgresql/*/bin/psql 2>/dev/null | sort -V | tail -n 1 || true)
sql() { PGOPTIONS=--client-min-messages=warning "${psql_bin:-psql}" -h 127.0.0.1 -p 5432 -U postgres -d "${2:-$database}" -Atqc "$1"; }
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
  http)
    port=0 ;;
  redis)
    port=6379
    java_args=(-Dchaos.queue=bench:queue -Dchaos.dlq=bench:queue:dlq)
    app_args+=(--spring.data.redis.host=127.0.0.1 --spring.data.redis.port=6379
      --ingest.sources.redis.queue=bench:queue --ingest.sources.redis.processing-list=bench:queue:processing
      --ingest.sources.redis.delayed-set=bench:queue:delayed --ingest.sources.redis.dlq=bench:queue:dlq) ;;
esac
java_args+=(-Dchaos.broker="$broker" -Dchaos.port="$port" -Dchaos.db-url="jdbc:postgresql://127.0.0.1:5432/$database"
  -Dchaos.duplicate-every="$duplicate_every" -Dchaos.invalid-every="$invalid_every")
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
if [ "$warm_drains" != 0 ]; then app_args+=(--ingest.idempotency.repository=none); fi
# shellcheck disable=SC2206 # BENCH_APP_ARGS is a list of --key=value words
app_args+=(${BENCH_APP_ARGS:-})
mapfile -t docker_flags < <(dockerfile_jvm_flags)
# shellcheck disable=SC2206 # BENCH_JVM_ARGS is a list of JVM flags, added after the Dockerfile's
docker_flags+=(${BENCH_JVM_ARGS:-})
app_log="target/bench-deployed-$broker.log"
if [ "${BENCH_JFR:-0}" = 1 ]; then
  docker_flags+=("-XX:StartFlightRecording=filename=target/bench-deployed-$broker.jfr,settings=${BENCH_JFR_SETTINGS:-profile},dumponexit=true")
fi

app_pid=""
yardstick_pid=""
publish() { # events oversized: the publisher deletes the run's queue and dead-letter queue, then preloads
  if [ "$broker" = http ]; then return 0; fi
  "$java_bin" -Xmx2g -cp "$classpath" "${java_args[@]}" -Dchaos.events="$1" -Dchaos.oversized="$2" routes.chaos.ChaosPublisher
}
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  local p
  for p in "$app_pid" "$yardstick_pid"; do
    if [ -n "$p" ]; then kill -9 "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; fi
  done
  if [ "$pg_waits" = 1 ]; then bash scripts/lib/pg-waits.sh stop >/dev/null 2>&1 || true; bash scripts/lib/pg-waits.sh clean >/dev/null 2>&1 || true; fi
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
# System calls cost what the CPU reference does not show (a virtual machine's page-table isolation, its
# hypervisor), and the runs make many: the same python3 doing one-byte round trips over a socket pair.
io_reference=$({ time python3 -c "import socket; a, b = socket.socketpair(); [(a.send(b'x'), b.recv(1)) for _ in range(100000)]"; } 2>&1)
log "I/O reference: 100,000 one-byte round trips over a socket pair took $io_reference s"

sql "DROP DATABASE IF EXISTS $database WITH (FORCE)" postgres >/dev/null
sql "CREATE DATABASE $database" postgres >/dev/null
first_events=$events # the backlog of the first drain: with BENCH_WARM_DRAINS, a warm-up drain's
if [ "$warm_drains" != 0 ]; then first_events=$warm_events; fi
if [ "$broker" != http ]; then
  log "publishing the backlog: $first_events events, invalid every $invalid_every, $(oversized_in "$first_events") over 1 MiB"
  publish "$first_events" "$(oversized_in "$first_events")" | sed 's/^/  /'
fi
expected=$((first_events * 3))

# Counting rows: a team's consumer also writes the oversized messages' one row (event ids chaos-bad-*).
rows() { sql "SELECT count(*) FROM ingest_events WHERE event_id NOT LIKE 'chaos-bad-%'" 2>/dev/null || echo 0; }
# The drain's progress, cheaply: the stats' sample count (a few thousand rows, written in the rows' own
# transactions). Counting ingest_events each second scanned up to a million rows, PostgreSQL's CPU taken from
# the run being measured. A team's consumer counts duplicates twice there, so the exact count has the last word.
progress() { sql "SELECT coalesce(sum(sample_count), 0) FROM daily_stats" 2>/dev/null || echo 0; }
cpu_seconds() { # PID: utime + stime, in seconds ("?" once it has exited)
  awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); printf "%.1f", ($12 + $13) / hz }' "/proc/$1/stat" 2>/dev/null || echo "?"
}
peak_rss_mb() { awk '/^VmHWM:/ { printf "%d", $2 / 1024 }' "/proc/$1/status" 2>/dev/null || echo "?"; }
alive() { kill -0 "$1" 2>/dev/null || die "$3 exited: $(tail -n 20 "$2")"; }
stop() { # PID: TERM, at most 30 s, then KILL
  kill -TERM "$1" 2>/dev/null || true
  for ((i = 0; i < 120; i++)); do kill -0 "$1" 2>/dev/null || break; sleep 0.25; done
  kill -9 "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}
# drain PID LOG NAME EXPECTED: waits for the first row, then for EXPECTED rows (both bounded); sets n,
# cpu_at_first_rows, cpu_total, peak_mb (of PID, at the last row)
drain() {
  local deadline
  deadline=$(($(date +%s) + start_timeout))
  n=0
  while ((n == 0)); do
    (($(date +%s) < deadline)) || die "no row from $3 within $start_timeout s of its start (log: $2)"
    alive "$1" "$2" "$3"
    sleep 0.5
    n=$(rows)
  done
  cpu_at_first_rows=$(cpu_seconds "$1")
  log "first rows in ($n); draining (at most $drain_timeout s)"
  python3 scripts/lib/cpu-by-process.py "$1" "${3#the }" >"target/bench-cpu-$$.txt" &
  local sampler=$!
  deadline=$(($(date +%s) + drain_timeout))
  local p=0 before=-1 exact=0
  while ((n < $4)) && (($(date +%s) < deadline)); do
    if ! kill -0 "$1" 2>/dev/null; then log "$3 exited before the last row (log: $2)"; break; fi
    sleep 1
    if ((exact)); then n=$(rows); continue; fi
    before=$p
    p=$(progress)
    # Near the end, or the stats not moving (a consumer that writes none, an outage): the exact count.
    if ((p >= $4 || p == before)); then exact=1; n=$(rows); fi
  done
  ((exact)) || n=$(rows)
  kill -TERM "$sampler" 2>/dev/null || true; wait "$sampler" 2>/dev/null || true
  cpu_by_process=$(sed -n 1p "target/bench-cpu-$$.txt" 2>/dev/null); cpu_by_thread=$(sed -n 2p "target/bench-cpu-$$.txt" 2>/dev/null)
  rm -f "target/bench-cpu-$$.txt"
  cpu_total=$(cpu_seconds "$1")
  peak_mb=$(peak_rss_mb "$1")
}
# events/s (distinct EVENTS over the first commit to the last row) and the drain in seconds
rate() {
  local count seconds
  read -r count seconds < <(sql "SELECT count(*), extract(epoch FROM max(created_at) - min(created_at)) FROM ingest_events" | tr '|' ' ')
  awk -v e="$1" -v d="$seconds" 'BEGIN { if (d <= 0) d = 0.001; printf "%.0f %.2f\n", e / d, d }'
}
# the drain's course: thousands of rows committed in each half second from the first commit (JIT warm-up shows
# as the first few)
profile() {
  sql "WITH t0 AS (SELECT min(created_at) AS t FROM ingest_events)
       SELECT string_agg(round(coalesce(n, 0) / 1000.0, 1)::text, ' ' ORDER BY s)
         FROM generate_series(0, (SELECT floor(extract(epoch FROM max(created_at) - min(created_at)) * 2)::int FROM ingest_events)) AS s
         LEFT JOIN (SELECT floor(extract(epoch FROM created_at - t0.t) * 2)::int AS b, count(*) AS n
                      FROM ingest_events, t0 GROUP BY 1) AS x ON x.b = s"
}

# the commits' course: in each second from the first commit, how many transactions committed rows and their mean
# rows (created_at is now(), the transaction's start, so the rows sharing one are one commit): group commit shows as
# fewer, larger transactions once the writers are busy
commits() {
  sql "WITH tx AS (SELECT created_at AS t, count(*) AS n FROM ingest_events GROUP BY created_at),
            t0 AS (SELECT min(t) AS t FROM tx)
       SELECT string_agg(c || 'x' || r, ' ' ORDER BY s) FROM (
         SELECT floor(extract(epoch FROM tx.t - t0.t))::int AS s, count(*) AS c, round(avg(n))::int AS r
           FROM tx, t0 GROUP BY 1) AS x"
}

app_port=$(free_port)
export INGEST_ADMIN_PASSWORD="bench-$RANDOM$RANDOM" # the brokers profile refuses to start without one
if [ "$broker" = http ]; then sources="HTTP only"; else sources="$broker only, HTTP source off"; fi
log "starting the app: $app_java ${app_aot_flags[*]} ${docker_flags[*]} -Xms512m -Xmx512m -jar $app_jar (brokers profile, $sources${routes_dir:+, team routes $routes_dir})"
"$app_java" "${app_aot_flags[@]}" "${docker_flags[@]}" -Xms512m -Xmx512m -jar "$app_jar" --server.port="$app_port" "${app_args[@]}" >"$app_log" 2>&1 &
app_pid=$!
if [ "$pg_waits" = 1 ]; then bash scripts/lib/pg-waits.sh start "$database"; fi

http_out=""
if [ "$broker" = http ]; then
  deadline=$(($(date +%s) + start_timeout))
  until grep -q 'Started IngestApplication' "$app_log"; do
    (($(date +%s) < deadline)) || die "the app did not start within $start_timeout s (log: $app_log)"
    alive "$app_pid" "$app_log" "the app"
    sleep 0.5
  done
  cpu_at_first_rows=$(cpu_seconds "$app_pid"); first_what="start"
  per_request="${BENCH_HTTP_PER_REQUEST:-100}"; clients="${BENCH_HTTP_CLIENTS:-8}"; latency_s="${BENCH_HTTP_LATENCY_SECONDS:-20}"
  log "started; $clients clients posting $events events in arrays of $per_request, then an open loop at half that rate for $latency_s s"
  python3 scripts/lib/cpu-by-process.py "$app_pid" >"target/bench-cpu-$$.txt" &
  sampler=$!
  http_out=$("$java_bin" -Xmx1g -cp "$classpath" -Dbench.http-client="${BENCH_HTTP_CLIENT:-keep-alive}" -Dbench.db-url="jdbc:postgresql://127.0.0.1:5432/$database" \
    routes.bench.HttpDeployedLoad "http://127.0.0.1:$app_port/v1/events" "$events" "$per_request" "$clients" "$latency_s") \
    || die "the HTTP load failed: $http_out"
  paced_events=$(awk '/^http half rate/ { for (i = 1; i <= NF; i++) if ($i ~ /^events=/) { sub(/events=/, "", $i); print $i } }' <<<"$http_out")
  expected=$(((events + ${paced_events:-0}) * 3))
  kill -TERM "$sampler" 2>/dev/null || true; wait "$sampler" 2>/dev/null || true
  cpu_by_process=$(sed -n 1p "target/bench-cpu-$$.txt" 2>/dev/null); cpu_by_thread=$(sed -n 2p "target/bench-cpu-$$.txt" 2>/dev/null)
  rm -f "target/bench-cpu-$$.txt"
  n=$(rows)
  cpu_total=$(cpu_seconds "$app_pid")
  peak_mb=$(peak_rss_mb "$app_pid")
else
  drain "$app_pid" "$app_log" "the app" "$expected"
  warm_lines=""
  for ((w = 1; w <= warm_drains; w++)); do
    read -r w_rate w_drain < <(rate "$warm_events")
    warm_lines+=$(printf '\n  warm-up drain %-5s %s events/s over %s s%s; drain by 0.5 s: %s' "$w" "$w_rate" "$w_drain" \
      "$( ((w == 1)) && echo ' (the cold JVM)')" "$(profile 2>/dev/null || echo '?')")
    log "warm-up drain $w: $w_rate events/s; emptying the tables and publishing the next backlog"
    sql "TRUNCATE ingest_events, daily_stats, dead_letters" >/dev/null
    next_events=$warm_events
    if ((w == warm_drains)); then next_events=$events; fi
    publish "$next_events" "$(oversized_in "$next_events")" | sed 's/^/  /'
    expected=$((next_events * 3))
    drain "$app_pid" "$app_log" "the app" "$expected"
  done
fi
pg_waits_lines=""
if [ "$pg_waits" = 1 ]; then
  bash scripts/lib/pg-waits.sh stop
  read -r w_from w_to < <(sql "SELECT min(created_at), max(created_at) FROM ingest_events" | awk -F'|' '{ gsub(/ /, "T", $1); gsub(/ /, "T", $2); print $1, $2 }')
  pg_waits_lines=$(bash scripts/lib/pg-waits.sh summary "$w_from" "$w_to" 2>/dev/null | sed 's/^/                      /')
fi
app_cpu_total=$cpu_total; app_cpu_first=$cpu_at_first_rows; app_cpu_by_process=${cpu_by_process:-?}; app_cpu_by_thread=${cpu_by_thread#app by thread: }; app_peak_mb=$peak_mb; count=$n
log "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
app_load=$(cut -d' ' -f1 /proc/loadavg)
read -r app_rate app_drain < <(rate "$events")
app_profile=$(profile 2>/dev/null || echo "?")
app_commits=$(commits 2>/dev/null || echo "?")
dead_letters=$(sql "SELECT count(*) FROM dead_letters" 2>/dev/null || echo "?")
tracked=$(sql "SELECT count(*) FILTER (WHERE status = 'completed') || ' completed, ' || count(*) FILTER (WHERE status = 'failed') || ' failed, ' || count(*) || ' in all' FROM message_status" 2>/dev/null || echo "?")
stop "$app_pid"
app_pid=""

# The yardsticks: each on the emptied tables, from a backlog of the same mix published again.
baseline_line=""; team_line=""
if [ "$baseline" = 1 ] && [ "$count" -ge "$expected" ]; then
  sql "TRUNCATE ingest_events, daily_stats" >/dev/null
  b_oversized=$(oversized_in "$baseline_events")
  log "the one-at-a-time worker: publishing $baseline_events events of the same mix ($b_oversized over 1 MiB)"
  publish "$baseline_events" "$b_oversized" | sed 's/^/  /'
  log "starting the one-at-a-time worker (routes.bench.OneAtATimeDeployed, a JVM of its own)"
  b_log="target/bench-deployed-$broker-baseline.log"
  "$java_bin" -Xmx512m -cp "$classpath" "${java_args[@]}" routes.bench.OneAtATimeDeployed >"$b_log" 2>&1 &
  yardstick_pid=$!
  drain "$yardstick_pid" "$b_log" "the one-at-a-time worker" $((baseline_events * 3))
  b_count=$n; b_load=$(cut -d' ' -f1 /proc/loadavg)
  timeout 30 tail --pid="$yardstick_pid" -f /dev/null || true # it stops 2 s after the queue runs dry
  stop "$yardstick_pid"
  yardstick_pid=""
  read -r b_rate b_drain < <(rate "$baseline_events")
  if [ "$b_count" -ge $((baseline_events * 3)) ]; then b_check=PASS; else b_check="FAIL: $b_count of $((baseline_events * 3)) rows"; fi
  baseline_line=$(awk -v a="$app_rate" -v b="$b_rate" -v e="$baseline_events" -v d="$b_drain" -v c="$b_check" -v l="$b_load" 'BEGIN {
    printf "  one-at-a-time       %.0f events/s (%d events in %.2f s, a smaller backlog: its rate is steady; load %s at its last row; %s)\n", b, e, d, l, c
    printf "  ratio               %.1fx the one-at-a-time worker (target >= 30x)", a / b }')
fi
if [ "$team" = 1 ] && [ "$count" -ge "$expected" ]; then
  team_jar=bench/team-consumer/target/team-batch-consumer-0.1.0-SNAPSHOT.jar
  if [ ! -f "$team_jar" ] || [ bench/team-consumer/pom.xml -nt "$team_jar" ] \
    || [ -n "$(find bench/team-consumer/src -newer "$team_jar" -type f -print -quit)" ]; then
    log "building the team's consumer: ./mvnw -B -q -f bench/team-consumer/pom.xml -DskipTests package"
    ./mvnw -B -q -f bench/team-consumer/pom.xml -DskipTests package
  fi
  sql "TRUNCATE ingest_events, daily_stats" >/dev/null
  log "a team's batch consumer: publishing the same backlog again ($events events, $oversized over 1 MiB)"
  publish "$events" "$oversized" | sed 's/^/  /'
  t_log="target/bench-deployed-$broker-team.log"
  log "starting the team's consumer: $app_java ${docker_flags[*]} -Xms512m -Xmx512m -jar $team_jar"
  # shellcheck disable=SC2206 # BENCH_TEAM_ARGS is a list of --key=value words
  team_args=(--spring.datasource.url="jdbc:postgresql://127.0.0.1:5432/$database" --spring.rabbitmq.host=127.0.0.1
    --spring.cloud.stream.bindings.events-in-0.destination=bench.raw.q --spring.cloud.stream.bindings.events-in-0.group=bench.raw.q
    ${BENCH_TEAM_ARGS:-})
  "$app_java" "${docker_flags[@]}" -Xms512m -Xmx512m -jar "$team_jar" "${team_args[@]}" >"$t_log" 2>&1 &
  yardstick_pid=$!
  drain "$yardstick_pid" "$t_log" "the team's consumer" "$expected"
  t_count=$n; t_peak_mb=$peak_mb; t_cpu_by_process=${cpu_by_process:-?}; t_load=$(cut -d' ' -f1 /proc/loadavg); t_cpu=$(awk -v a="$cpu_total" -v b="$cpu_at_first_rows" 'BEGIN { printf "%.1f", a - b }')
  stop "$yardstick_pid"
  yardstick_pid=""
  read -r t_rate t_drain < <(rate "$events")
  if [ "$t_count" -ge "$expected" ]; then t_check=PASS; else t_check="FAIL: $t_count of $expected rows"; fi
  team_line=$(awk -v a="$app_rate" -v t="$t_rate" -v d="$t_drain" -v m="$t_peak_mb" -v c="$t_cpu" -v k="$t_check" -v l="$t_load" 'BEGIN {
    printf "  team consumer       %.0f events/s (Spring Cloud Stream batch listener + JDBC batches, same backlog, %.2f s; peak RSS %d MB; %s CPU-s after its first rows; load %s at its last row; %s)\n", t, d, m, c, l, k
    printf "  ratio to the team   %.2fx (target >= 2x)", a / t }')
  team_line+=$'\n'"  team CPU by process ${t_cpu_by_process} (sampled from its first rows to its last)"
fi

echo
echo "deployed $broker, $events events ($expected rows), $(date -u +%FT%TZ), $(git rev-parse --short HEAD)"
echo "  jar                 $jar"
echo "  runtime             $app_runtime"
echo "  team routes         ${BENCH_ROUTES:-none}"
echo "  track-status        $([ "${BENCH_TRACK:-0}" = 1 ] && echo "on (message_status: $tracked)" || echo off)"
if [ "$broker" = http ]; then
  echo "  ${http_out//$'\n'/$'\n'  }"
else
  awk -v e="$events" -v r="$count" -v d="$app_drain" 'BEGIN {
    printf "  events/s            %.0f   (first commit to last row)\n  rows/s              %.0f\n  drain               %.2f s\n", e / d, r / d, d }'
  echo "  drain by 0.5 s      $app_profile (thousands of rows committed in each half second from the first commit)"
  echo "  commits by 1 s      $app_commits (transactions x their mean rows, in each second from the first commit)"
  if [ "$warm_drains" != 0 ]; then
    echo "  warm JVM            the figures above are drain $((warm_drains + 1)) of one JVM (idempotency memory off); before it:"
    printf '%s\n' "${warm_lines#$'\n'}"
  fi
fi
echo "  load (1 min)        $app_load at the app's last row (2 cores; the run itself makes about 3)"
echo "  peak RSS (VmHWM)    $app_peak_mb MB"
echo "  app CPU             ${app_cpu_total} s in all, $(awk -v a="$app_cpu_total" -v b="$app_cpu_first" 'BEGIN { printf "%.1f", a - b }') s after the ${first_what:-first rows}"
echo "  CPU by process      ${app_cpu_by_process} (sampled $([ "$broker" = http ] && echo "over both HTTP loads, the client's JVM included" || echo "from the first rows to the last"), 2 cores)"
echo "  app CPU by thread   ${app_cpu_by_thread:-?} (the same span)"
if [ -n "$pg_waits_lines" ]; then
  echo "  PostgreSQL waits    the app's sessions, sampled every ~10 ms from the first commit to the last: each statement's share of the samples [running, or waiting on what]"
  echo "$pg_waits_lines"
fi
echo "  CPU reference       $cpu_reference s (python3 -c \"sum(range(10**8))\"; 1.6 s on the issue-16 machine)"
echo "  I/O reference       $io_reference s (python3, 100,000 one-byte round trips over a socket pair: the system calls' cost)"
if [ "$broker" != http ]; then
  echo "  dead letters        $dead_letters (the mix has $(((events - invalid_every / 2 + invalid_every - 1) / invalid_every + oversized)) invalid messages, $oversized over 1 MiB)"
fi
if [ -n "$baseline_line" ]; then echo "$baseline_line"; fi
if [ -n "$team_line" ]; then echo "$team_line"; fi
if [ "$count" -ge "$expected" ]; then
  echo "  rows                $count of $expected: PASS"
else
  echo "  rows                $count of $expected after $drain_timeout s: FAIL"
  exit 1
fi
