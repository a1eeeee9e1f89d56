#!/usr/bin/env bash
# Runs one benchmark against the local services and prints events/s, rows/s and latency.
#   scripts/benchmark.sh http [events] [events-per-request] [concurrency]
#   scripts/benchmark.sh <mode> [args...]     mode = http | rabbitmq | nats | redis | ...
# Mode "foo" runs routes.bench.FooBenchmark (src/test/java/routes/bench/). Results: docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:?usage: scripts/benchmark.sh <mode> [args...]}"
shift
class="routes.bench.$(tr '[:lower:]' '[:upper:]' <<< "${mode:0:1}")${mode:1}Benchmark"
bash scripts/test-services.sh >/dev/null
./mvnw -q -B -DskipTests test-compile
exec ./mvnw -q -B exec:java -Dexec.mainClass="$class" -Dexec.classpathScope=test \
  -Dexec.cleanupDaemonThreads=false -Dexec.args="$*"
