#!/usr/bin/env bash
# The whole test suite: starts (or installs) the local services the tests need, then runs unit
# tests (*Test) and integration tests (*IT) against the real PostgreSQL, RabbitMQ, NATS and Redis.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/test-services.sh
exec ./mvnw -B verify "$@"
