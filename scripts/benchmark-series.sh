#!/usr/bin/env bash
# Issue 16's targets in one run (docs/benchmarks.md, "The whole series"): every figure a median of [runs]
# deployed runs, each source's long drain and burst interleaved, then HTTP, the one-at-a-time worker and the
# long backlog, and one table at the end. Run through scripts/benchmark.sh, under the lock (about 40 minutes):
#
#   flock /tmp/ingest-it.lock scripts/benchmark.sh series [runs=3]
#
#   - redis, nats: [runs] x (BENCH_SERIES_EVENTS, default 200000, then a burst of BENCH_SERIES_BURST, 60000);
#   - rabbitmq: the same, each long drain with BENCH_TEAM=1 (the team's consumer on the same backlog);
#   - http: one run of BENCH_SERIES_EVENTS events; the one-at-a-time worker: [runs] Redis runs with
#     BENCH_BASELINE=1; the long backlog: scripts/benchmark.sh backlog redis (BENCH_SERIES_BACKLOG=0: none).
# The table gives each median raw, and scaled to the machine the targets were set on (each run's events/s x
# its own CPU reference / 1.6 s, the issue's rule for a slower machine). The ratios (bursts, the team's
# consumer, the one-at-a-time worker) are not scaled. Each run's full output: target/bench-series/<n>-<what>.log.
# BENCH_JAR, BENCH_JVM_ARGS, BENCH_APP_ARGS pass through to every run of the app.
set -euo pipefail
cd "$(dirname "$0")/.."

runs="${1:-3}"
events="${BENCH_SERIES_EVENTS:-200000}"
burst="${BENCH_SERIES_BURST:-60000}"
dir=target/bench-series
rm -rf "$dir" && mkdir -p "$dir"
started=$(date -u +%FT%TZ)
n=0

deployed() { # what broker events [ENV=value ...]: one deployed run, its output kept; a failed run is reported
  local what=$1 broker=$2 size=$3
  shift 3
  n=$((n + 1))
  local out="$dir/$(printf '%02d' "$n")-$what.log"
  if env "$@" bash scripts/benchmark-deployed.sh "$broker" "$size" >"$out" 2>&1; then
    echo "  $what: $(awk '/^  events\/s/ { e = $2 " events/s" }
      /^  http max rate, first/ { for (i = 1; i <= NF; i++) if ($i ~ /^rows\/s=/) { sub(/rows\/s=/, "", $i); e = $i " rows/s" } }
      /^  CPU reference/ { c = $3 } END { print e ", CPU reference " c " s" }' "$out")"
  else
    echo "  $what: FAILED ($(grep -E 'ERROR|FAIL' "$out" | tail -n 1)); log: $out"
  fi
}

echo "series: issue 16's targets, $runs runs each, $(date -u +%FT%TZ), $(git rev-parse --short HEAD)"
for broker in redis nats rabbitmq; do
  for ((i = 1; i <= runs; i++)); do
    if [ "$broker" = rabbitmq ]; then deployed "$broker-drain" "$broker" "$events" BENCH_TEAM=1
    else deployed "$broker-drain" "$broker" "$events"; fi
    deployed "$broker-burst" "$broker" "$burst"
  done
done
deployed http http "$events"
for ((i = 1; i <= runs; i++)); do deployed baseline redis "$events" BENCH_BASELINE=1; done
if [ "${BENCH_SERIES_BACKLOG:-1}" = 1 ]; then
  echo "  backlog: scripts/benchmark.sh backlog redis"
  bash scripts/benchmark-backlog.sh redis >"$dir/backlog.log" 2>&1 || echo "  backlog: FAILED; log: $dir/backlog.log"
fi
echo
python3 scripts/lib/series-table.py "$dir" "$started"
