#!/usr/bin/env bash
# The whole test suite: starts (or installs) the local services the tests need, then runs unit
# tests (*Test) and integration tests (*IT) against the real PostgreSQL, RabbitMQ, NATS and Redis.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/test-services.sh
# The suite runs on the runtime we ship (the Dockerfile's Java, 25) when this machine has it: the ITs start
# the packaged jar with the same JVM. Without it, on the default java (17 or newer), and says so.
# shellcheck source=scripts/lib/runtime-java.sh
source scripts/lib/runtime-java.sh
runtime_home=$(runtime_java_home)
if [ -n "$runtime_home" ]; then export JAVA_HOME=$runtime_home
else echo "scripts/test.sh: no JDK of the Dockerfile's Java major under /usr/lib/jvm; running on $(java -version 2>&1 | head -n 1)" >&2; fi
echo "scripts/test.sh: $("${JAVA_HOME:+$JAVA_HOME/bin/}java" -version 2>&1 | head -n 1)"
exec ./mvnw -B verify "$@"
