# The app image: the fat jar built by `./mvnw -B package -DskipTests`, on a pinned Java 25 JRE.
# The jar is extracted (Spring Boot's tools jar mode): the app then loads its classes from plain jars
# instead of jars nested in the fat jar (starts in ~9 s instead of ~15 s on the 2-core benchmark machine),
# and the JVM's AOT cache can hold them: it only covers classes loaded from plain jars on the class path.
# The AOT cache (Java 25: JEP 483, 514, 515) is made at build by a training run of the image's own jar
# (scripts/aot-cache.sh: the embedded default, the HTTP source fed 300 requests of 100 events): classes
# loaded and linked ahead, method profiles recorded, so a cold burst runs warm code sooner
# (docs/benchmarks.md, "Java 25 and the AOT cache": 60,000-event NATS bursts 10,657-13,072 -> 15,748-16,393
# events/s). The cache holds for this JVM build and these jars only; a JVM without it starts as before.
FROM eclipse-temurin:25.0.3_9-jre-noble AS extract
WORKDIR /build
COPY target/ingest-routes-*.jar ingest-routes.jar
RUN java -Djarmode=tools -jar ingest-routes.jar extract --destination extracted

FROM eclipse-temurin:25.0.3_9-jre-noble
# curl for the compose healthcheck (GET /actuator/health) and the AOT training run.
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
RUN useradd --system --uid 10001 --home-dir /app ingest && mkdir -p /app/routes && chown -R ingest /app
WORKDIR /app
COPY --from=extract /build/extracted/ /app/
COPY scripts/aot-cache.sh /usr/local/bin/aot-cache.sh
USER ingest
# The training run (as the user that runs the app: the embedded PostgreSQL refuses root); its database
# lives in a throw-away directory. -Xmx512m: the cache must agree with the runtime on compressed oops,
# which every heap under 32 GB uses. Should the training fail (say, a builder where the embedded
# PostgreSQL cannot run), the image is still built, without the cache: the JVM then logs that it could
# not map it and runs as before, only with a colder start.
RUN AOT_JAVA_FLAGS="-XX:MaxRAMPercentage=75 -XX:+AlwaysPreTouch -XX:G1HeapRegionSize=4m -XX:+UseTransparentHugePages -XX:InlineSmallCode=500 -XX:FreqInlineSize=100 -Xmx512m" bash /usr/local/bin/aot-cache.sh /app/ingest-routes.jar /app/ingest-routes.aot \
    || echo "WARNING: no AOT cache (the training run failed, see above): the app starts without it" >&2
EXPOSE 8080
# The heap: at most 75 % of the container's memory limit, its initial size touched at start. Give it -Xms equal
# to -Xmx (JAVA_TOOL_OPTIONS, as the Kubernetes manifests and docker-compose.yml do) and the whole heap is
# committed then: a limit too small for it fails the start, not a drain an hour later, the heap no longer grows
# into the limit with a backlog, and the hot path takes no page faults. 4 MB regions, so that a message over the
# 1 MiB limit (dead-lettered whole) is an ordinary young object, not a humongous one; transparent huge pages where
# the host's kernel offers them ("madvise" or "always"; with "never" the JVM says so once and uses small pages)
# (docs/benchmarks.md, session 9; docs/operations.md, "The image's heap").
# The JIT's C2 compiler inlines less than its defaults (InlineSmallCode 2500 -> 500 bytes of compiled code,
# FreqInlineSize 325 -> 100 bytes of bytecode): on the 2-core benchmark machine C2 used about half the app's CPU in
# a 200,000-event drain, 9-10 of 19-23 CPU-seconds, competing with the pipeline, the broker and PostgreSQL for the
# same cores; with these limits 2.3-2.4, and the pipeline's own CPU was no higher (docs/adr/0006-jit-inlining-limits.md,
# docs/operations.md "The image's JIT").
ENTRYPOINT ["java", "-XX:AOTCache=/app/ingest-routes.aot", "-XX:MaxRAMPercentage=75", "-XX:+AlwaysPreTouch", "-XX:G1HeapRegionSize=4m", "-XX:+UseTransparentHugePages", "-XX:InlineSmallCode=500", "-XX:FreqInlineSize=100", "-jar", "/app/ingest-routes.jar"]
