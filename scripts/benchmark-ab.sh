#!/usr/bin/env bash
# A/B of the deployed benchmark (docs/benchmarks.md, "A/B runs"): interleaved pairs of
# scripts/benchmark-deployed.sh on two set-ups, each run printed, then the medians and B's median as a
# share of A's. Run through scripts/benchmark.sh, under the lock (6 runs of 200,000 Redis events ≈ 8 min):
#
#   flock /tmp/ingest-it.lock scripts/benchmark.sh ab <broker> <jarA> <jarB> [pairs=3] [events=200000]
#
# broker "http" compares the HTTP load's rows/s at the maximum rate (first commit to last row) instead of events/s.
#
# A jar is a path (from the project's root or absolute) or "." for this checkout's (built when stale).
# Team routes per side: BENCH_ROUTES_A / BENCH_ROUTES_B (as BENCH_ROUTES of benchmark-deployed.sh), so
# one jar with and without a team step is "ab redis . ." with BENCH_ROUTES_B=docs/examples/routes/team-filter.camel.yaml.
# Status tracking per side: BENCH_TRACK_A / BENCH_TRACK_B=1 (as BENCH_TRACK), so tracking's cost is
# "ab redis . ." with BENCH_TRACK_B=1. JVM flags and app properties per side: BENCH_JVM_ARGS_A/_B and
# BENCH_APP_ARGS_A/_B (as BENCH_JVM_ARGS, BENCH_APP_ARGS); the AOT cache's training requests per side:
# BENCH_AOT_REQUESTS_A/_B (default BENCH_AOT_REQUESTS, else 300). Each run also prints its CPU by process.
# Pairs alternate their order (AB, BA, AB, ...) so that a machine slowing down or warming up over the run
# does not favour one side. A run that fails (rows missing) is reported and counts as no figure.
# The logs of every run: target/bench-ab/<n>-<side>.log.
set -euo pipefail
cd "$(dirname "$0")/.."

usage="usage: scripts/benchmark.sh ab redis|nats|rabbitmq|http <jarA|.> <jarB|.> [pairs=3] [events=200000]"
broker="${1:?$usage}"; jar_a="${2:?$usage}"; jar_b="${3:?$usage}"
pairs="${4:-3}"; events="${5:-200000}"
case "$broker" in rabbitmq | nats | redis | http) ;; *) echo "$usage" >&2; exit 2 ;; esac
for j in "$jar_a" "$jar_b"; do
  if [ "$j" != . ] && [ ! -f "$j" ]; then echo "no such jar: $j" >&2; exit 2; fi
done
mkdir -p target/bench-ab
unit="events/s"; if [ "$broker" = http ]; then unit="rows/s"; fi
declare -a figures_a=() figures_b=()

run() { # n side jar routes track → the run's events/s, or nothing when it failed
  local n=$1 side=$2 jar=$3 routes=$4 track=$5 out="target/bench-ab/$1-$2.log" jvm app
  local aot_requests
  if [ "$side" = A ]; then jvm=${BENCH_JVM_ARGS_A:-}; app=${BENCH_APP_ARGS_A:-}; aot_requests=${BENCH_AOT_REQUESTS_A:-${BENCH_AOT_REQUESTS:-300}}
  else jvm=${BENCH_JVM_ARGS_B:-}; app=${BENCH_APP_ARGS_B:-}; aot_requests=${BENCH_AOT_REQUESTS_B:-${BENCH_AOT_REQUESTS:-300}}; fi
  local jar_env=""
  if [ "$jar" != . ]; then jar_env=$jar; fi
  if BENCH_JAR="$jar_env" BENCH_ROUTES="$routes" BENCH_TRACK="$track" BENCH_JVM_ARGS="$jvm" BENCH_APP_ARGS="$app" \
    BENCH_AOT_REQUESTS="$aot_requests" \
    bash scripts/benchmark-deployed.sh "$broker" "$events" >"$out" 2>&1; then
    if [ "$broker" = http ]; then
      sed -n 's/^  http max rate, first commit to last row .* rows\/s=\([0-9]*\).*/\1/p' "$out"
    else
      awk '/^  events\/s/ { print $2 }' "$out"
    fi
    sed -n -e 's/^  CPU by process *cpu over/    CPU over/p' -e 's/^  app CPU by thread */    app by thread: /p' "$out" >&2
  else
    echo "  run $n $side FAILED: $(grep -E 'ERROR|FAIL' "$out" | tail -n 1) (log: $out)" >&2
  fi
}

median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print "n/a"; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.0f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "A/B deployed $broker, $events events, $pairs pairs, $(date -u +%FT%TZ), checkout $(git rev-parse --short HEAD)"
echo "  A: jar ${jar_a}, team routes ${BENCH_ROUTES_A:-none}, track-status ${BENCH_TRACK_A:-0}, JVM flags ${BENCH_JVM_ARGS_A:-none}, app args ${BENCH_APP_ARGS_A:-none}, AOT training ${BENCH_AOT_REQUESTS_A:-${BENCH_AOT_REQUESTS:-300}} requests"
echo "  B: jar ${jar_b}, team routes ${BENCH_ROUTES_B:-none}, track-status ${BENCH_TRACK_B:-0}, JVM flags ${BENCH_JVM_ARGS_B:-none}, app args ${BENCH_APP_ARGS_B:-none}, AOT training ${BENCH_AOT_REQUESTS_B:-${BENCH_AOT_REQUESTS:-300}} requests"
for ((i = 1; i <= pairs; i++)); do
  if ((i % 2)); then order="A B"; else order="B A"; fi
  for side in $order; do
    if [ "$side" = A ]; then f=$(run "$i" A "$jar_a" "${BENCH_ROUTES_A:-}" "${BENCH_TRACK_A:-0}"); else f=$(run "$i" B "$jar_b" "${BENCH_ROUTES_B:-}" "${BENCH_TRACK_B:-0}"); fi
    echo "  pair $i $side: ${f:-failed} $unit"
    if [ -n "$f" ]; then
      if [ "$side" = A ]; then figures_a+=("$f"); else figures_b+=("$f"); fi
    fi
  done
done
med_a=$(median "${figures_a[@]}"); med_b=$(median "${figures_b[@]}")
echo "  median A: $med_a $unit (${#figures_a[@]} runs: ${figures_a[*]})"
echo "  median B: $med_b $unit (${#figures_b[@]} runs: ${figures_b[*]})"
if [ "$med_a" != n/a ] && [ "$med_b" != n/a ]; then
  awk -v a="$med_a" -v b="$med_b" 'BEGIN { printf "  B / A: %.1f %%\n", 100 * b / a }'
fi
if ((${#figures_a[@]} < pairs || ${#figures_b[@]} < pairs)); then exit 1; fi
