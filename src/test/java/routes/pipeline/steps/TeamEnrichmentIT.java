package routes.pipeline.steps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import routes.support.TestDatabase;

/**
 * The example team-enrichment (a property set by one step, used by the next to tag every metric) in the
 * app, against the real Redis and over HTTP: each row lands with attributes.site from configuration.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "ingest.security.admin-password=team-enrichment-it",
    "ingest.examples.site=plant-it",
    "ingest.routes.directory=target/team-enrichment-it"})
class TeamEnrichmentIT {

    static final java.nio.file.Path ROUTES = TeamRoutesDirectory.of("team-enrichment-it", "team-enrichment.camel.yaml");
    static final String QUEUE = "it:TeamEnrichmentIT:queue";

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("spring.datasource.url", () -> TestDatabase.recreate("it_team_enrichment"));
        registry.add("ingest.embedded-db.enabled", () -> "false");
        registry.add("ingest.sources.redis.enabled", () -> "true");
        registry.add("ingest.sources.redis.queue", () -> QUEUE);
        registry.add("ingest.sources.redis.processing-list", () -> QUEUE + ":processing");
        registry.add("ingest.sources.redis.delayed-set", () -> QUEUE + ":delayed");
        registry.add("ingest.sources.redis.dlq", () -> QUEUE + ":dlq");
    }

    @BeforeAll
    static void cleanRedis() {
        try (var jedis = new redis.clients.jedis.Jedis("127.0.0.1", 6379)) {
            jedis.del(QUEUE, QUEUE + ":processing", QUEUE + ":delayed", QUEUE + ":dlq", QUEUE + ":delayed:seq");
        }
    }

    @Autowired StringRedisTemplate redis;
    @Autowired JdbcTemplate jdbc;
    @LocalServerPort int port;

    static String event(UUID device, String metrics) {
        return "{\"device_id\":\"" + device + "\",\"source_timestamp\":\"2026-11-22T10:15:30Z\",\"metrics\":" + metrics + "}";
    }

    List<String> sites(UUID device) {
        return jdbc.queryForList("SELECT attributes->>'site' FROM ingest_events WHERE device_id = ? ORDER BY parameter_key",
                String.class, device);
    }

    @Test
    void everyRowOfARedisMessageCarriesTheSiteTheFirstStepSet() {
        UUID device = UUID.randomUUID();
        UUID inEnvelope = UUID.randomUUID();

        redis.opsForList().leftPushAll(QUEUE,
                event(device, "[{\"parameter_key\":\"a\",\"value\":1,\"attributes\":{\"unit\":\"V\"}},{\"parameter_key\":\"b\",\"value\":2}]"),
                "{\"trace_id\":\"t-9\",\"event\":" + event(inEnvelope, "[{\"parameter_key\":\"c\",\"value\":3}]") + "}");

        await().atMost(Duration.ofSeconds(30)).until(() -> sites(device).size() == 2 && sites(inEnvelope).size() == 1);
        assertThat(sites(device)).containsExactly("plant-it", "plant-it");
        assertThat(sites(inEnvelope)).containsExactly("plant-it");
        assertThat(jdbc.queryForObject("SELECT attributes->>'unit' FROM ingest_events WHERE device_id = ? AND parameter_key = 'a'",
                String.class, device)).as("the team's own attributes kept").isEqualTo("V");
    }

    @Test
    void overHttpTheSameEnrichmentRuns() throws Exception {
        UUID device = UUID.randomUUID();

        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/events"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(event(device, "[{\"parameter_key\":\"h\",\"value\":4}]"))).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        assertThat(sites(device)).containsExactly("plant-it");
    }
}
