# shellcheck shell=bash disable=SC2034 # sets variables for the scripts that source it
# Sourced by scripts/chaos.sh and scripts/benchmark-deployed.sh: what both need to run the packaged jar
# as its own JVM next to a publisher from the test classpath (routes.chaos.ChaosPublisher).
#   port_open PORT           true when something listens on 127.0.0.1:PORT
#   free_port                a port nobody listens on (nor on the next one), away from the usual ones
#   build_packaged_app [JAR] sets jar, classpath (test classes + dependencies) and java_bin; packages the
#                            jar again when it is missing or older than pom.xml or anything under src/main;
#                            with JAR (another build's jar, e.g. main's for an A/B run), runs that one and
#                            only compiles this checkout's test classes for the publisher
#   dockerfile_jvm_flags     the JVM flags of the Dockerfile's ENTRYPOINT (e.g. -XX:MaxRAMPercentage=75)
#   single_source_app_args SOURCE JDBC_URL
#                            sets app_args: the brokers profile with only SOURCE's source on (rabbitmq, nats,
#                            redis: HTTP off; http: every broker source off), PostgreSQL at JDBC_URL (user postgres)
# Run from the project's root directory.

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

free_port() {
  local p i
  for ((i = 0; i < 50; i++)); do
    p=$((20000 + RANDOM % 9000))
    if ! port_open "$p" && ! port_open "$((p + 1))"; then echo "$p"; return 0; fi
  done
  echo "no free port found" >&2
  return 1
}

build_packaged_app() {
  if [ -n "${1:-}" ]; then
    [ -f "$1" ] || { echo "no such jar: $1" >&2; return 1; }
    jar=$1
    if [ ! -f target/test-classes/routes/chaos/ChaosReport.class ]; then ./mvnw -B -q -DskipTests test-compile; fi
  else
    jar=$(find target -maxdepth 1 -name "ingest-routes-*.jar" 2>/dev/null | head -n 1 || true)
  fi
  if [ -z "$jar" ] || [ ! -f target/test-classes/routes/chaos/ChaosReport.class ] || [ pom.xml -nt "$jar" ] \
    || [ -n "$(find src/main -newer "$jar" -type f -print -quit)" ]; then
    echo "building the jar: ./mvnw -B -DskipTests package" >&2
    ./mvnw -B -q -DskipTests package
    jar=$(find target -maxdepth 1 -name "ingest-routes-*.jar" | head -n 1)
  fi
  if [ ! -s target/chaos-classpath.txt ] || [ pom.xml -nt target/chaos-classpath.txt ]; then
    ./mvnw -B -q dependency:build-classpath -Dmdep.outputFile=target/chaos-classpath.txt >/dev/null
  fi
  classpath="target/test-classes:target/classes:$(cat target/chaos-classpath.txt)"
  java_bin="${JAVA_HOME:+$JAVA_HOME/bin/}java"
}

dockerfile_jvm_flags() {
  grep '^ENTRYPOINT' Dockerfile | grep -o '"-X[^"]*"' | tr -d '"'
}

single_source_app_args() {
  app_args=(--spring.profiles.active=brokers --spring.datasource.url="$2" --spring.datasource.username=postgres)
  if [ "$1" != http ]; then app_args+=(--ingest.sources.http.enabled=false); fi
  local other
  for other in rabbitmq nats redis; do
    if [ "$other" != "$1" ]; then app_args+=(--ingest.sources."$other".enabled=false); fi
  done
}
