# The app image: the fat jar built by `./mvnw -B package -DskipTests`, on a pinned JRE.
# The jar is extracted (Spring Boot's tools jar mode): the app then loads its classes from plain jars
# instead of jars nested in the fat jar, and starts in ~9 s instead of ~15 s on the 2-core benchmark
# machine (docs/benchmarks.md, "Cold bursts"); the same classes and flags, so the same steady state.
FROM eclipse-temurin:17.0.16_8-jre-jammy AS extract
WORKDIR /build
COPY target/ingest-routes-*.jar ingest-routes.jar
RUN java -Djarmode=tools -jar ingest-routes.jar extract --destination extracted

FROM eclipse-temurin:17.0.16_8-jre-jammy
# curl for the compose healthcheck (GET /actuator/health).
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
RUN useradd --system --uid 10001 --home-dir /app ingest && mkdir -p /app/routes && chown -R ingest /app
WORKDIR /app
COPY --from=extract /build/extracted/ /app/
USER ingest
EXPOSE 8080
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/app/ingest-routes.jar"]
