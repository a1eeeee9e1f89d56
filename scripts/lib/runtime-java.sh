# Sourced: runtime_java_home prints a JDK of the runtime's Java major (the Dockerfile's FROM line) installed
# under /usr/lib/jvm, or nothing. scripts/test.sh runs the suite on it; the deployed benchmark runs the app on it.
runtime_java_home() {
  local major
  major=$(sed -n 's/^FROM [^:]*:\([0-9][0-9]*\).*/\1/p' Dockerfile | tail -n 1)
  [ -n "$major" ] || return 0
  find /usr/lib/jvm -maxdepth 1 -mindepth 1 -type d \( -name "temurin-$major-*" -o -name "java-$major-*" -o -name "jdk-$major*" \) 2>/dev/null \
    | sort | while read -r home; do if [ -x "$home/bin/java" ]; then echo "$home"; break; fi; done
}
