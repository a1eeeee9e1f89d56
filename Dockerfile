# The app image: the fat jar built by `./mvnw -B package -DskipTests`, on a pinned JRE.
FROM eclipse-temurin:17.0.16_8-jre-jammy
# curl for the compose healthcheck (GET /actuator/health).
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
RUN useradd --system --uid 10001 --home-dir /app ingest && mkdir -p /app/routes && chown -R ingest /app
WORKDIR /app
COPY target/ingest-routes-*.jar /app/ingest-routes.jar
USER ingest
EXPOSE 8080
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/app/ingest-routes.jar"]
