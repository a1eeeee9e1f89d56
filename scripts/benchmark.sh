#!/usr/bin/env bash
# Benchmarks against the local services (docs/benchmarks.md).
#
# The deployed mode: what users get. The packaged jar in its own JVM (the Dockerfile's JVM flags, -Xmx512m),
# drained from a backlog a separate publisher preloads; events/s from the first commit to the last row,
# peak RSS, CPU seconds and the machine's CPU reference (scripts/benchmark-deployed.sh):
#   flock /tmp/ingest-it.lock scripts/benchmark.sh deployed redis|nats|rabbitmq [events]
#   flock /tmp/ingest-it.lock scripts/benchmark.sh deployed http [events]   # 8 clients, arrays of 100; then p50/p99 at half rate
# (BENCH_ROUTES=<route files or dir>: with a team's routes loaded; BENCH_JAR=<jar>: another build's jar;
#  BENCH_BASELINE=1: also the one-at-a-time worker and the ratio; BENCH_TEAM=1 (rabbitmq): also a team's
#  Spring Cloud Stream batch consumer and the ratio; BENCH_NO_OVERSIZED=1: the mix without messages over 1 MiB.)
# The long backlog: a 1,000,000-event drain against a 200,000-event one, rate and peak RSS compared
# (scripts/benchmark-backlog.sh):
#   flock /tmp/ingest-it.lock scripts/benchmark.sh backlog redis|nats|rabbitmq [events=1000000] [base=200000]
# Every issue-16 target in one run: each source's long drain and burst interleaved ([runs] of each, the team's
# consumer beside RabbitMQ's), HTTP, the one-at-a-time worker, the long backlog, then one table, raw and scaled by
# each run's CPU reference (scripts/benchmark-series.sh; about 40 minutes):
#   flock /tmp/ingest-it.lock scripts/benchmark.sh series [runs=3]
# A/B: interleaved pairs of the deployed mode on two jars (or one jar with and without team routes),
# each run and the medians (scripts/benchmark-ab.sh):
#   flock /tmp/ingest-it.lock scripts/benchmark.sh ab redis|nats|rabbitmq <jarA|.> <jarB|.> [pairs=3] [events=200000]
#
# The in-process modes: profiling aids, not what users get. The app and the load generator share one JVM
# (mvn exec:java on the test classpath), which suits a profiler and A/B runs of one change:
#   scripts/benchmark.sh http [events] [events-per-request] [concurrency]
#   scripts/benchmark.sh <mode> [args...]     mode = http | rabbitmq | nats | redis | ...
# In-process mode "foo" runs routes.bench.FooBenchmark (src/test/java/routes/bench/).
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:?usage: scripts/benchmark.sh deployed redis|nats|rabbitmq|http [events]  |  ab ...  |  backlog ...  |  series [runs]  |  <in-process mode> [args...]}"
shift
if [ "$mode" = deployed ]; then exec bash scripts/benchmark-deployed.sh "$@"; fi
if [ "$mode" = ab ]; then exec bash scripts/benchmark-ab.sh "$@"; fi
if [ "$mode" = backlog ]; then exec bash scripts/benchmark-backlog.sh "$@"; fi
if [ "$mode" = series ]; then exec bash scripts/benchmark-series.sh "$@"; fi
class="routes.bench.$(tr '[:lower:]' '[:upper:]' <<< "${mode:0:1}")${mode:1}Benchmark"
bash scripts/test-services.sh >/dev/null
./mvnw -q -B -DskipTests test-compile
exec ./mvnw -q -B exec:java -Dexec.mainClass="$class" -Dexec.classpathScope=test \
  -Dexec.cleanupDaemonThreads=false -Dexec.args="$*"
