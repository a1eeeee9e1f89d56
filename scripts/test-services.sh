#!/usr/bin/env bash
# Makes sure the local services the tests need are running: PostgreSQL, RabbitMQ, NATS (JetStream)
# and Redis, and that Chromium and Prometheus (promtool) are installed. Starts a stopped one; installs
# a missing one from Debian's packages (needs root).
# Idempotent: a running service is left alone.
set -uo pipefail

log() { echo "[test-services] $*"; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() { # name port seconds
  local i
  for ((i = 0; i < $3 * 2; i++)); do port_open "$2" && return 0; sleep 0.5; done
  log "ERROR: $1 did not open port $2 within $3 s"; return 1
}

apt_install() {
  if [ "$(id -u)" != 0 ]; then log "ERROR: $* missing and not root: install them"; return 1; fi
  log "installing $* from Debian packages"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null && \
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

ensure_postgres() {
  port_open 5432 && return 0
  command -v pg_ctlcluster >/dev/null || apt_install postgresql || return 1
  local version
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  if ! grep -q "^host.*127.0.0.1/32.*trust" "/etc/postgresql/$version/main/pg_hba.conf" 2>/dev/null; then
    # The tests connect as postgres over TCP without a password, as on the project's machines.
    sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "/etc/postgresql/$version/main/pg_hba.conf"
  fi
  log "starting PostgreSQL $version"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start
  wait_port PostgreSQL 5432 60
}

ensure_redis() {
  port_open 6379 && return 0
  command -v redis-server >/dev/null || apt_install redis-server || return 1
  mkdir -p /var/lib/redis /var/log/redis
  log "starting Redis"
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
  wait_port Redis 6379 30
}

ensure_rabbitmq() {
  port_open 5672 && return 0
  command -v rabbitmq-server >/dev/null || apt_install rabbitmq-server || return 1
  log "starting RabbitMQ"
  rabbitmq-server -detached
  wait_port RabbitMQ 5672 120
}

ensure_nats() {
  port_open 4222 && return 0
  command -v nats-server >/dev/null || [ -x /usr/sbin/nats-server ] || apt_install nats-server || return 1
  mkdir -p /var/lib/nats-server
  log "starting NATS with JetStream"
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- \
    -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log
  wait_port NATS 4222 30
}

# The console's browser test (ConsoleBrowserIT) drives Debian's headless Chromium through chromedriver.
ensure_chromium() {
  [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] && return 0
  apt_install chromium chromium-driver
}

# The alert rules' tests (PrometheusRulesTest: promtool) and MetricsExportIT (a Prometheus server the test
# starts on a free port of its own) use Debian's prometheus package. Not started as a service here.
ensure_prometheus() {
  command -v promtool >/dev/null && command -v prometheus >/dev/null && return 0
  apt_install --no-install-recommends prometheus
}

# The AOT training script (AotCacheScriptIT, the Dockerfile's build step) posts its requests with curl.
ensure_curl() {
  command -v curl >/dev/null && return 0
  apt_install --no-install-recommends curl
}

status=0
ensure_postgres || status=1
ensure_redis || status=1
ensure_rabbitmq || status=1
ensure_nats || status=1
ensure_chromium || status=1
ensure_prometheus || status=1
ensure_curl || status=1
if [ "$status" = 0 ]; then log "PostgreSQL, Redis, RabbitMQ and NATS are up; Chromium, Prometheus and curl are installed"; fi
exit "$status"
