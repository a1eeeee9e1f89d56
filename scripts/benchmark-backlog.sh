#!/usr/bin/env bash
# The long-backlog check of the deployed benchmark (docs/benchmarks.md, "A 1,000,000-event backlog"): two
# deployed runs of one source with the mix without oversized messages (BENCH_NO_OVERSIZED=1), the base size
# first, then the big one, and the big one's rate and peak RSS against the base's (issue 16: within 10 % of
# the rate, peak RSS at most +64 MB). Run through scripts/benchmark.sh, under the lock:
#
#   flock /tmp/ingest-it.lock scripts/benchmark.sh backlog redis|nats|rabbitmq [events=1000000] [base=200000]
#
# Each run's full output: target/bench-backlog/<size>.log. The big run's drain is bounded at 1 s per 1,000
# events (BENCH_DRAIN_TIMEOUT overrides it).
set -euo pipefail
cd "$(dirname "$0")/.."

usage="usage: scripts/benchmark.sh backlog redis|nats|rabbitmq [events=1000000] [base=200000]"
broker="${1:?$usage}"; events="${2:-1000000}"; base="${3:-200000}"
case "$broker" in rabbitmq | nats | redis) ;; *) echo "$usage" >&2; exit 2 ;; esac
mkdir -p target/bench-backlog

run() { # events → "events/s peak-MB", or nothing when the run failed
  local out="target/bench-backlog/$1.log"
  if BENCH_NO_OVERSIZED=1 bash scripts/benchmark-deployed.sh "$broker" "$1" >"$out" 2>&1; then
    awk '/^  events\/s/ { r = $2 } /^  peak RSS/ { m = $4 } END { print r, m }' "$out"
  else
    echo "  the $1-event run FAILED: $(grep -E 'ERROR|FAIL' "$out" | tail -n 1) (log: $out)" >&2
  fi
}

cpu_ref() { awk '/^  CPU reference/ { c = $3 } /^  I\/O reference/ { i = ", I/O reference " $3 " s" } END { print "CPU reference " c " s" i }' "target/bench-backlog/$1.log"; }

echo "backlog deployed $broker, $base then $events events, no oversized messages, $(date -u +%FT%TZ), $(git rev-parse --short HEAD)"
read -r base_rate base_mb < <(run "$base") || true
echo "  $base events: ${base_rate:-failed} events/s, peak RSS ${base_mb:-?} MB ($(cpu_ref "$base"))"
read -r big_rate big_mb < <(run "$events") || true
echo "  $events events: ${big_rate:-failed} events/s, peak RSS ${big_mb:-?} MB ($(cpu_ref "$events"))"
if [ -z "${base_rate:-}" ] || [ -z "${big_rate:-}" ]; then exit 1; fi
awk -v a="$base_rate" -v b="$big_rate" -v ma="$base_mb" -v mb="$big_mb" 'BEGIN {
  r = 100 * b / a; d = mb - ma
  printf "  rate                %.1f %% of the %s run (target >= 90 %%): %s\n", r, "base", (r >= 90 ? "met" : "MISSED")
  printf "  peak RSS            %+d MB (target <= +64 MB): %s\n", d, (d <= 64 ? "met" : "MISSED") }'
