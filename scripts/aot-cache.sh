#!/usr/bin/env bash
# Makes the JVM's AOT cache (Java 25, JEP 483/514/515) for an extracted app jar: a training run of the app
# that records which classes it loads and links and how its methods run, so that a later start with
# -XX:AOTCache=<cache> meets loaded classes and compiles the pipeline's hot code early. The Dockerfile runs
# it at image build; the deployed benchmark runs it on the jar it measures (docs/benchmarks.md, "Java 25").
#
#   scripts/aot-cache.sh <extracted jar> <cache file> [requests=300]
#
# The training run is the embedded default (an embedded PostgreSQL in a throw-away directory, the HTTP
# source), so it needs nothing but the jar: the pipeline's start-up warm-up on, then <requests> POSTs of
# 100 events (3 metrics each) to /v1/events, 4 at a time: every 20th a byte-identical resend of an earlier
# request (the duplicate path), every 50th with an invalid event (refused, 400). Then SIGTERM: at exit the
# JVM writes the cache. Uses `java` from JAVA_HOME (else PATH), curl, and the jar's own JVM flags:
# AOT_JAVA_FLAGS (default -Xmx512m), which must match the runs that use the cache in what the cache checks
# (the GC, compressed oops). Exits non-zero, with the app's last log lines, when no cache was written.
set -euo pipefail
jar="${1:?usage: scripts/aot-cache.sh <extracted jar> <cache file> [requests]}"
cache="${2:?usage: scripts/aot-cache.sh <extracted jar> <cache file> [requests]}"
requests="${3:-300}"
java_bin="${JAVA_HOME:+$JAVA_HOME/bin/}java"
work=$(mktemp -d)
app_pid=""
cleanup() {
  if [ -n "$app_pid" ]; then kill -9 "$app_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() {
  local p
  for _ in $(seq 50); do
    p=$((20000 + RANDOM % 9000))
    if ! port_open "$p"; then echo "$p"; return 0; fi
  done
  echo "no free port" >&2; return 1
}
http_port=$(free_port)
pg_port=$(free_port)
rm -f "$cache"
# shellcheck disable=SC2086 # AOT_JAVA_FLAGS is a list of JVM flags
"$java_bin" ${AOT_JAVA_FLAGS:--Xmx512m} -XX:AOTCacheOutput="$cache" -jar "$jar" \
  --server.port="$http_port" --ingest.embedded-db.port="$pg_port" \
  --ingest.embedded-db.data-directory="$work/postgres" \
  --ingest.security.generated-password-file="$work/admin-password" \
  --ingest.warmup.enabled=true >"$work/app.log" 2>&1 &
app_pid=$!
for _ in $(seq 240); do
  if curl -fs "http://127.0.0.1:$http_port/actuator/health/readiness" >/dev/null 2>&1; then break; fi
  kill -0 "$app_pid" 2>/dev/null || { tail -n 30 "$work/app.log" >&2; echo "aot-cache: the training app exited" >&2; exit 1; }
  sleep 0.5
done
curl -fs "http://127.0.0.1:$http_port/actuator/health/readiness" >/dev/null || { echo "aot-cache: the training app did not start in 120 s" >&2; exit 1; }

# The training mix, one file per request.
device_of() { printf '%08x-0000-4000-8000-%012x' "$1" "$1"; }
for ((r = 0; r < requests; r++)); do
  if ((r > 0 && r % 20 == 0)); then cp "$work/req-$((r - 7)).json" "$work/req-$r.json"; continue; fi
  {
    printf '['
    for ((e = 0; e < 100; e++)); do
      ((e == 0)) || printf ','
      if ((r % 50 == 49 && e == 50)); then
        printf '{"event_id":"aot-%d-%d","device_id":"not-a-uuid","source_timestamp":"2000-01-01T00:00:00Z","metrics":[]}' "$r" "$e"
        continue
      fi
      printf '{"event_id":"aot-%d-%d","device_id":"%s","protocol":"modbus","source_timestamp":"2000-01-0%dT%02d:%02d:%02d.%03dZ","metrics":[{"parameter_key":"voltage","value":%d.5,"quality":192,"attributes":{"unit":"V"}},{"parameter_key":"current","value":-%d},{"parameter_key":"power","value":%de3}]}' \
        "$r" "$e" "$(device_of $((e % 10)))" $((1 + r % 9)) $((r / 60 % 24)) $((r % 60)) $((e % 60)) "$e" "$e" "$e" "$r"
    done
    printf ']'
  } >"$work/req-$r.json"
done
answers=$(seq 0 $((requests - 1)) | xargs -P 4 -I{} curl -s -o /dev/null -w '%{http_code}\n' \
  -H 'Content-Type: application/json' --data-binary "@$work/req-{}.json" "http://127.0.0.1:$http_port/v1/events" \
  | sort | uniq -c | awk '{ printf "%s%s x %s", sep, $2, $1; sep = ", " }')

kill -TERM "$app_pid"
for _ in $(seq 240); do kill -0 "$app_pid" 2>/dev/null || break; sleep 0.5; done
if kill -0 "$app_pid" 2>/dev/null; then echo "aot-cache: the training app did not stop in 120 s" >&2; exit 1; fi
wait "$app_pid" 2>/dev/null || true
app_pid=""
if [ ! -s "$cache" ]; then tail -n 30 "$work/app.log" >&2; echo "aot-cache: no cache written" >&2; exit 1; fi
echo "aot-cache: $cache ($(du -h "$cache" | cut -f1)) from $requests requests of 100 events (answers: $answers)"
