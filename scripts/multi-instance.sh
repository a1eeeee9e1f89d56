#!/usr/bin/env bash
# Scale-out run (docs/scaling.md): several instances of the packaged jar on the same RabbitMQ queue,
# JetStream durable consumer, Redis list and database. MultiInstanceIT with large numbers:
#   scripts/multi-instance.sh [events-per-broker] [instances] [mode]
#     events-per-broker  distinct events fed to each of the three brokers (default 30000; plus duplicates)
#     instances          default 3
#     mode               both (default) | kill | throughput
#   kill:       the instances drain the brokers; the first (the Redis recovery leader) is killed with -9
#               mid-stream and a new one started; checks every event landed exactly once.
#   throughput: no kill; aggregate events/s of 1, 2, ... <instances> instances.
# Prints the result lines (events, seconds, aggregate events/s, instances, CPU, load average).
set -euo pipefail
cd "$(dirname "$0")/.."
events="${1:-30000}"
instances="${2:-3}"
mode="${3:-both}"
case "$mode" in both | kill | throughput) ;; *) echo "mode: both | kill | throughput" >&2; exit 2 ;; esac

bash scripts/test-services.sh >/dev/null
./mvnw -q -B -DskipTests package
rm -f target/multi-instance-results.txt

run() { # $1 = multi.mode
  ./mvnw -B -q verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=MultiInstanceIT \
    -Dmulti.mode="$1" -Dmulti.events="$events" -Dmulti.instances="$instances"
}
status=0
if [[ "$mode" != throughput ]]; then run kill || status=$?; fi
if [[ "$mode" != kill ]]; then run throughput || status=$?; fi

echo
echo "== scripts/multi-instance.sh $events $instances $mode on $(nproc) cores, $(date -u +%FT%TZ), load now: $(cut -d' ' -f1-3 /proc/loadavg)"
cat target/multi-instance-results.txt 2>/dev/null || echo "(no result: see the failsafe output above)"
exit "$status"
