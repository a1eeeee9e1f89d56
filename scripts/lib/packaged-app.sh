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
#   deployed_runtime FATJAR  sets app_java, app_jar, app_aot_flags, app_runtime: the Dockerfile's Java,
#                            jar extraction and AOT cache, on this machine (the deployed benchmark)
#   single_source_app_args SOURCE JDBC_URL
#                            sets app_args: the brokers profile with only SOURCE's source on (rabbitmq, nats,
#                            redis: HTTP off; http: every broker source off), PostgreSQL at JDBC_URL (user postgres)
# Run from the project's root directory.

# shellcheck source=scripts/lib/runtime-java.sh
source "$(dirname "${BASH_SOURCE[0]}")/runtime-java.sh"

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
    # Another build's jar is run as it is: this checkout's sources being newer says nothing about it.
    if [ ! -f target/test-classes/routes/chaos/ChaosReport.class ]; then ./mvnw -B -q -DskipTests test-compile; fi
  else
    jar=$(find target -maxdepth 1 -name "ingest-routes-*.jar" 2>/dev/null | head -n 1 || true)
    if [ -z "$jar" ] || [ ! -f target/test-classes/routes/chaos/ChaosReport.class ] || [ pom.xml -nt "$jar" ] \
      || [ -n "$(find src/main -newer "$jar" -type f -print -quit)" ]; then
      echo "building the jar: ./mvnw -B -DskipTests package" >&2
      ./mvnw -B -q -DskipTests package
      jar=$(find target -maxdepth 1 -name "ingest-routes-*.jar" | head -n 1)
    fi
  fi
  if [ ! -s target/chaos-classpath.txt ] || [ pom.xml -nt target/chaos-classpath.txt ]; then
    ./mvnw -B -q dependency:build-classpath -Dmdep.outputFile=target/chaos-classpath.txt >/dev/null
  fi
  classpath="target/test-classes:target/classes:$(cat target/chaos-classpath.txt)"
  java_bin="${JAVA_HOME:+$JAVA_HOME/bin/}java"
}

dockerfile_jvm_flags() { # without -XX:AOTCache (its path is the image's: deployed_runtime sets the run's own)
  grep '^ENTRYPOINT' Dockerfile | grep -o '"-X[^"]*"' | tr -d '"' | grep -v '^-XX:AOTCache=' || true
}

# deployed_runtime FATJAR: the app as the Dockerfile runs it. Sets app_java (a JDK of the Dockerfile's Java
# major on this machine, or BENCH_JAVA_HOME; else the default java, with a warning), app_jar (FATJAR
# extracted as the Dockerfile does, under target/deployed/<name>-<mtime>/), app_aot_flags (the AOT cache
# made for it by scripts/aot-cache.sh with that JDK, kept beside it; none with BENCH_AOT=0 or before Java 25)
# and app_runtime (one line saying all of it).
deployed_runtime() {
  local fat=$1 major home dir
  major=$(sed -n 's/^FROM [^:]*:\([0-9][0-9]*\).*/\1/p' Dockerfile | tail -n 1)
  home=${BENCH_JAVA_HOME:-$(runtime_java_home)}
  if [ -n "$home" ] && [ -x "$home/bin/java" ]; then app_java="$home/bin/java"
  else app_java="${JAVA_HOME:+$JAVA_HOME/bin/}java"; echo "WARNING: no Java $major JDK under /usr/lib/jvm (the Dockerfile's); using $app_java" >&2; fi
  dir="target/deployed/$(basename "$fat" .jar)-$(stat -c %Y "$fat")"
  app_jar="$dir/ingest-routes.jar"
  if [ ! -f "$app_jar" ]; then
    rm -rf "$dir" && mkdir -p "$dir"
    "$app_java" -Djarmode=tools -jar "$fat" extract --destination "$dir/x" >/dev/null
    mv "$dir/x/lib" "$dir/lib" && mv "$dir/x/$(basename "$fat")" "$app_jar" && rm -rf "$dir/x"
  fi
  app_aot_flags=()
  local version aot="off"
  version=$("$app_java" -version 2>&1 | sed -n '1s/.*"\([0-9][0-9.]*\)".*/\1/p')
  if [ "${BENCH_AOT:-1}" = 1 ] && [ "${version%%.*}" -ge 25 ] 2>/dev/null; then
    local flags cache
    flags="$(dockerfile_jvm_flags | tr '\n' ' ')-Xms512m -Xmx512m"
    # A run recorded by JFR has the module jdk.jfr, which the cache must have been trained with, else the JVM
    # refuses the cache ("Mismatched values for property jdk.module.addmods") and runs without it.
    if [ "${BENCH_JFR:-0}" = 1 ]; then flags="$flags --add-modules=jdk.jfr"; fi
    local requests="${BENCH_AOT_REQUESTS:-300}" # the training's requests (scripts/aot-cache.sh; the Dockerfile's: 300)
    cache="$dir/ingest-routes-${version}-$(md5sum <<<"$flags $requests" | cut -c1-8).aot" # one per JVM, flags, training
    if [ ! -s "$cache" ]; then
      echo "training the AOT cache: scripts/aot-cache.sh $app_jar $cache $requests (Java $version, $flags)" >&2
      JAVA_HOME=$(dirname "$(dirname "$app_java")") AOT_JAVA_FLAGS="$flags" bash scripts/aot-cache.sh "$app_jar" "$cache" "$requests" >&2
    fi
    app_aot_flags=(-XX:AOTCache="$cache"); aot="$cache"
  fi
  app_runtime="Java $version ($app_java), extracted jar $app_jar, AOT cache $aot"
}

single_source_app_args() {
  app_args=(--spring.profiles.active=brokers --spring.datasource.url="$2" --spring.datasource.username=postgres)
  if [ "$1" != http ]; then app_args+=(--ingest.sources.http.enabled=false); fi
  local other
  for other in rabbitmq nats redis; do
    if [ "$other" != "$1" ]; then app_args+=(--ingest.sources."$other".enabled=false); fi
  done
}
