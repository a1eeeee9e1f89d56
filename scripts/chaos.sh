#!/usr/bin/env bash
# The chaos run (docs/operations.md, "The chaos run"): a large backlog in one broker, drained by the
# packaged jar while it is killed and everything under it fails; then rows, duplicates, stats and dead
# letters are checked against what was sent.
#
#   flock /tmp/ingest-it.lock bash scripts/chaos.sh rabbitmq|nats|redis
#
# Not part of the test suite (scripts/test.sh); never run by CI. Steps:
#   1. a throw-away PostgreSQL cluster of its own (initdb into a temp dir, its own port, trust auth),
#      and for rabbitmq / nats a broker process of its own on its own ports; redis uses the local one
#      under its own keys (chaos:queue...) and is never restarted (it keeps nothing on disk);
#   2. a separate JVM (routes.chaos.ChaosPublisher, test classpath) preloads the backlog:
#      CHAOS_EVENTS distinct events (default 60000) of 3 metrics, 5 % byte-identical re-sends, 1 %
#      invalid (not JSON, not UTF-8, breaking a rule) and CHAOS_OVERSIZED messages over 1 MiB (default 3;
#      0 for nats, whose max_payload of 1 MB refuses them);
#   3. the app as its own JVM (java -Xmx512m -jar, brokers profile, only that source), and in order:
#      kill -9 at 15 % of the rows, restart; the broker fails at 35 % (nats / rabbitmq: own node
#      stopped and restarted; redis: CLIENT KILL TYPE normal); PostgreSQL stopped (immediate) for 20 s at
#      55 %; kill -9 again at 75 %; restart and let it finish (bounded: CHAOS_FINISH_TIMEOUT, 150 s);
#   4. the app stopped, routes.chaos.ChaosReport prints each check and PASS or FAIL (exit 1 on FAIL).
# Everything talks to 127.0.0.1. Logs of the app's lives, the database and the broker are copied to
# target/chaos-<broker>/ ; the temp cluster, own broker and the run's Redis keys are removed on exit.
# About 3-4 minutes for the default backlog on the 2-core machine (docs/operations.md has a run's output).
# Extra app properties: CHAOS_APP_ARGS="--ingest.sources.redis.visibility-timeout=20s ...".
set -euo pipefail
cd "$(dirname "$0")/.."

broker="${1:-}"
case "$broker" in rabbitmq | nats | redis) ;; *) echo "usage: scripts/chaos.sh rabbitmq|nats|redis" >&2; exit 2 ;; esac
events="${CHAOS_EVENTS:-60000}"
if [ "$broker" = nats ]; then oversized="${CHAOS_OVERSIZED:-0}"; else oversized="${CHAOS_OVERSIZED:-3}"; fi
finish_timeout="${CHAOS_FINISH_TIMEOUT:-150}"
started=$(date +%s)

# shellcheck source=scripts/lib/packaged-app.sh
source scripts/lib/packaged-app.sh
log() { printf '[chaos %3ds] %s\n' "$(($(date +%s) - started))" "$*"; }
die() { log "ERROR: $*"; exit 1; }
wait_port() { # name port seconds
  local i
  for ((i = 0; i < $3 * 4; i++)); do port_open "$2" && return 0; sleep 0.25; done
  die "$1 did not open port $2 within $3 s"
}

# ---- build: the packaged jar (packaged again when older than the sources), the test classes (publisher,
# report) and the test classpath.
build_packaged_app

# ---- the run's own names, processes and temp directory; cleaned up whatever happens
tmp=$(mktemp -d "/tmp/chaos-$broker.XXXXXX")
chmod 755 "$tmp"
logs="target/chaos-$broker"
rm -rf "$logs" && mkdir -p "$logs"
app_pid=""
nats_pid=""
rabbit_node="chaos-$$@localhost"
rabbit_started=""
pg_started=""
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$pgbin" ] || die "no PostgreSQL binaries under /usr/lib/postgresql/*/bin"
redis_keys=(chaos:queue chaos:queue:processing chaos:queue:delayed chaos:queue:delayed:seq chaos:queue:dlq)

as_user() { # user command...: the servers refuse to run as root
  local user="$1"; shift
  if [ "$(id -u)" = 0 ]; then runuser -u "$user" -- "$@"; else "$@"; fi
}
rabbitmqctl_own() {
  as_user rabbitmq timeout 60 env HOME=/var/lib/rabbitmq /usr/lib/rabbitmq/bin/rabbitmqctl -n "$rabbit_node" "$@"
}

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [ -n "$app_pid" ]; then kill -9 "$app_pid" 2>/dev/null || true; fi
  cp "$tmp"/*.log "$tmp"/pglog/*.log "$logs"/ 2>/dev/null || true
  if [ -n "$nats_pid" ]; then kill "$nats_pid" 2>/dev/null || true; wait "$nats_pid" 2>/dev/null || true; fi
  if [ -n "$rabbit_started" ]; then
    rabbitmqctl_own stop >/dev/null 2>&1 || true
    # the node's own pid file: if it did not stop, that process (and no other) goes
    if [ -s "$tmp/rabbit/pid" ]; then kill -9 "$(cat "$tmp/rabbit/pid")" 2>/dev/null || true; fi
  fi
  if [ -n "$pg_started" ]; then as_user postgres "$pgbin/pg_ctl" -D "$tmp/pg" -m immediate stop >/dev/null 2>&1 || true; fi
  if [ "$broker" = redis ]; then redis-cli -h 127.0.0.1 -p 6379 del "${redis_keys[@]}" >/dev/null 2>&1 || true; fi
  rm -rf "$tmp"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
trap 'log "ERROR: the command at line $LINENO failed"' ERR

# ---- PostgreSQL of its own
pg_port=$(free_port)
mkdir -p "$tmp/pg" "$tmp/pglog"
[ "$(id -u)" = 0 ] && chown postgres: "$tmp/pg" "$tmp/pglog"
as_user postgres "$pgbin/initdb" -D "$tmp/pg" -U postgres -A trust -E UTF8 --no-sync >"$tmp/initdb.log" 2>&1 \
  || die "initdb failed: $(tail -n 5 "$tmp/initdb.log")"
pg_start() {
  as_user postgres "$pgbin/pg_ctl" -D "$tmp/pg" -l "$tmp/pglog/postgres.log" -w -t 60 \
    -o "-p $pg_port -c listen_addresses=127.0.0.1 -k $tmp/pg" start >/dev/null
}
pg_start
pg_started=1
sql() { psql -h 127.0.0.1 -p "$pg_port" -U postgres -d "${2:-chaos}" -Atqc "$1" 2>/dev/null; }
sql "CREATE DATABASE chaos" postgres >/dev/null || die "CREATE DATABASE failed"
log "own PostgreSQL $(basename "$(dirname "$pgbin")") on 127.0.0.1:$pg_port ($tmp/pg)"

# ---- the broker
single_source_app_args "$broker" "jdbc:postgresql://127.0.0.1:$pg_port/chaos"
case "$broker" in
  rabbitmq)
    port=$(free_port)
    mkdir -p "$tmp/rabbit"
    echo '[].' >"$tmp/rabbit/enabled_plugins"
    echo "listeners.tcp.local = 127.0.0.1:$port" >"$tmp/rabbit/rabbitmq.conf"
    [ "$(id -u)" = 0 ] && chown -R rabbitmq: "$tmp/rabbit"
    rabbit_start() {
      as_user rabbitmq env HOME=/var/lib/rabbitmq RABBITMQ_NODENAME="$rabbit_node" \
        RABBITMQ_CONFIG_FILE="$tmp/rabbit/rabbitmq.conf" RABBITMQ_ENABLED_PLUGINS_FILE="$tmp/rabbit/enabled_plugins" \
        RABBITMQ_MNESIA_BASE="$tmp/rabbit/mnesia" RABBITMQ_LOG_BASE="$tmp/rabbit/log" \
        RABBITMQ_DIST_PORT="$((port + 1))" RABBITMQ_PID_FILE="$tmp/rabbit/pid" \
        /usr/lib/rabbitmq/bin/rabbitmq-server >>"$tmp/rabbitmq.log" 2>&1 &
      rabbit_started=1
      wait_port "RabbitMQ node $rabbit_node" "$port" 120
    }
    rabbit_start
    log "own RabbitMQ node $rabbit_node on 127.0.0.1:$port"
    java_args=(-Dchaos.port="$port" -Dchaos.queue=chaos.raw.q -Dchaos.dlx=chaos.dlx -Dchaos.dlq=chaos.raw.dlq)
    app_args+=(--spring.rabbitmq.host=127.0.0.1 --spring.rabbitmq.port="$port"
      --ingest.sources.rabbitmq.queue=chaos.raw.q --ingest.sources.rabbitmq.dead-letter-exchange=chaos.dlx
      --ingest.sources.rabbitmq.dead-letter-queue=chaos.raw.dlq --ingest.sources.rabbitmq.dead-letter-routing-key=chaos.raw.dlq)
    left_in_source() { rabbitmqctl_own list_queues -q --no-table-headers name messages 2>/dev/null \
      | awk '$1 == "chaos.raw.q" { print $2 }' || true; }
    fail_broker() {
      log "broker fails: RabbitMQ node stopped (rabbitmqctl stop), restarted 3 s later"
      rabbitmqctl_own stop >/dev/null 2>&1 || die "could not stop the RabbitMQ node"
      sleep 3
      rabbit_start
    }
    ;;
  nats)
    port=$(free_port)
    monitor=$((port + 1))
    nats_start() {
      /usr/sbin/nats-server -a 127.0.0.1 -p "$port" -m "$monitor" -js -sd "$tmp/nats" >>"$tmp/nats-server.log" 2>&1 &
      nats_pid=$!
      wait_port "nats-server" "$port" 30
    }
    nats_start
    log "own nats-server on 127.0.0.1:$port (JetStream store $tmp/nats)"
    java_args=(-Dchaos.port="$port" -Dchaos.queue=CHAOS -Dchaos.subject=chaos.events -Dchaos.dlq=CHAOS_DLQ)
    app_args+=(--ingest.sources.nats.url="nats://127.0.0.1:$port" --ingest.sources.nats.stream=CHAOS
      --ingest.sources.nats.subject=chaos.events --ingest.sources.nats.durable=chaos_workers
      --ingest.sources.nats.dlq-stream=CHAOS_DLQ --ingest.sources.nats.dlq-subject=chaos.dlq)
    left_in_source() { curl -s --max-time 5 "http://127.0.0.1:$monitor/jsz?streams=true" | python3 -c '
import json, sys
for account in json.load(sys.stdin).get("account_details", []):
    for stream in account.get("stream_detail", []):
        if stream["name"] == "CHAOS": print(stream["state"]["messages"])' 2>/dev/null || true; }
    fail_broker() {
      log "broker fails: nats-server stopped (SIGTERM), restarted 3 s later"
      kill "$nats_pid"
      local i
      for ((i = 0; i < 80; i++)); do kill -0 "$nats_pid" 2>/dev/null || break; sleep 0.25; done
      kill -9 "$nats_pid" 2>/dev/null || true
      wait "$nats_pid" 2>/dev/null || true
      sleep 3
      nats_start
    }
    ;;
  redis)
    port=6379
    port_open 6379 || die "no Redis on 127.0.0.1:6379 (bash scripts/test-services.sh starts one)"
    java_args=(-Dchaos.port=6379 -Dchaos.queue=chaos:queue -Dchaos.dlq=chaos:queue:dlq)
    app_args+=(--spring.data.redis.host=127.0.0.1 --spring.data.redis.port=6379
      --ingest.sources.redis.queue=chaos:queue --ingest.sources.redis.processing-list=chaos:queue:processing
      --ingest.sources.redis.delayed-set=chaos:queue:delayed --ingest.sources.redis.dlq=chaos:queue:dlq)
    left_in_source() { redis-cli -h 127.0.0.1 -p 6379 eval "return redis.call('llen', KEYS[1]) + redis.call('llen', KEYS[2])
      + redis.call('zcard', KEYS[3])" 3 chaos:queue chaos:queue:processing chaos:queue:delayed 2>/dev/null || true; }
    fail_broker() {
      log "broker fails: Redis CLIENT KILL TYPE normal (every client connection dropped; never a restart)"
      log "  $(redis-cli -h 127.0.0.1 -p 6379 client kill type normal) connection(s) killed"
    }
    ;;
esac
java_args+=(-Dchaos.broker="$broker" -Dchaos.events="$events" -Dchaos.oversized="$oversized"
  -Dchaos.db-url="jdbc:postgresql://127.0.0.1:$pg_port/chaos")
# shellcheck disable=SC2206 # CHAOS_APP_ARGS is a list of --key=value words
app_args+=(${CHAOS_APP_ARGS:-})

# ---- the backlog, from a process of its own
log "publishing the backlog ($events events) with routes.chaos.ChaosPublisher"
"$java_bin" -Xmx1g -cp "$classpath" "${java_args[@]}" routes.chaos.ChaosPublisher | sed 's/^/  /'
expected=$((events * 3))

# ---- the app's lives
life=0
app_port=""
duplicates_total=0
duplicates_life=0
export INGEST_ADMIN_PASSWORD="chaos-$RANDOM$RANDOM"

app_start() {
  life=$((life + 1))
  app_port=$(free_port)
  duplicates_life=0
  "$java_bin" -Xmx512m -jar "$jar" --server.port="$app_port" "${app_args[@]}" >"$tmp/app-$life.log" 2>&1 &
  app_pid=$!
  local i
  for ((i = 0; i < 480; i++)); do
    curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$app_port/actuator/health" && { log "app life $life up (pid $app_pid, port $app_port)"; return 0; }
    kill -0 "$app_pid" 2>/dev/null || die "the app exited at start: $(tail -n 20 "$tmp/app-$life.log")"
    sleep 0.25
  done
  die "the app did not answer within 120 s"
}
scrape_duplicates() { # the app's duplicate counter of this life, when it answers
  local n
  n=$(curl -s --max-time 2 "http://127.0.0.1:$app_port/actuator/prometheus" 2>/dev/null \
    | awk -v s="source=\"$broker\"" '/^ingest_events_total\{/ && index($0, s) && index($0, "status=\"duplicate\"") { printf "%d", $NF }' || true)
  if [ -n "$n" ]; then duplicates_life=$n; fi
}
kill_app() {
  scrape_duplicates
  kill -9 "$app_pid"
  wait "$app_pid" 2>/dev/null || true
  duplicates_total=$((duplicates_total + duplicates_life))
  app_pid=""
}
rows() { sql "SELECT count(*) FROM ingest_events" || echo "?"; }
wait_rows() { # percent seconds: until that share of the expected rows is in (or the time is up)
  local target=$((expected * $1 / 100)) deadline=$(($(date +%s) + $2)) n i=0
  while (($(date +%s) < deadline)); do
    n=$(rows)
    if [ "$n" != "?" ] && ((n >= target)); then return 0; fi
    kill -0 "$app_pid" 2>/dev/null || die "the app died: $(tail -n 20 "$tmp/app-$life.log")"
    if ((i++ % 4 == 0)); then scrape_duplicates; fi
    sleep 0.25
  done
  log "  (only $(rows) rows after $2 s)"
}
at() { # the phase's position in the stream
  local n
  n=$(rows)
  if [ "$n" = "?" ]; then echo "(rows unknown)"; return; fi
  if ((n >= expected)); then echo "$n of $expected rows: ALL IN ALREADY, not mid-stream (raise CHAOS_EVENTS)"; return; fi
  echo "$n of $expected rows ($((n * 100 / expected)) %)"
}

app_start
wait_rows 15 180
log "kill -9 the app at $(at)"
kill_app
app_start
wait_rows 35 180
log "broker fails at $(at)"
fail_broker
wait_rows 55 180
log "PostgreSQL stopped (pg_ctl -m immediate) for 20 s at $(at)"
as_user postgres "$pgbin/pg_ctl" -D "$tmp/pg" -m immediate stop >/dev/null
sleep 20
pg_start
log "PostgreSQL back"
wait_rows 75 180
log "kill -9 the app at $(at)"
kill_app
app_start

log "letting it finish (at most $finish_timeout s): all rows in and nothing left in the source"
deadline=$(($(date +%s) + finish_timeout))
finished=""
for ((i = 0; i < finish_timeout * 2; i++)); do
  (($(date +%s) < deadline)) || break
  scrape_duplicates
  n=$(rows)
  if [ "$n" != "?" ] && ((n >= expected)) && [ "$(left_in_source)" = 0 ]; then finished=1; break; fi
  kill -0 "$app_pid" 2>/dev/null || die "the app died: $(tail -n 20 "$tmp/app-$life.log")"
  sleep 2
done
if [ -n "$finished" ]; then log "finished: $(rows) rows, source drained"; else log "NOT finished after $finish_timeout s: $(rows) rows, $(left_in_source) left in the source"; fi
scrape_duplicates
duplicates_total=$((duplicates_total + duplicates_life))
kill -TERM "$app_pid"
for ((i = 0; i < 160; i++)); do kill -0 "$app_pid" 2>/dev/null || break; sleep 0.25; done
kill -9 "$app_pid" 2>/dev/null || true
wait "$app_pid" 2>/dev/null || true
app_pid=""

log "report (app stopped; logs in $logs/)"
status=0
"$java_bin" -cp "$classpath" "${java_args[@]}" -Dchaos.duplicates-counted="$duplicates_total" routes.chaos.ChaosReport \
  | sed 's/^/  /' | tee "$logs/report.txt" || status=$?
log "done in $(($(date +%s) - started)) s: $broker, $events events"
exit "$status"
