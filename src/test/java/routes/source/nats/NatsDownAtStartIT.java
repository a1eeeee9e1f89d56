package routes.source.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nats.client.Connection;
import io.nats.client.api.StreamConfiguration;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import routes.IngestApplication;
import routes.support.TestDatabase;

/**
 * NATS down at start-up: the service starts anyway, its health is DOWN naming NATS and the reason, HTTP
 * {@code publish-to: nats} answers 503 with Retry-After; once a nats-server (the test's own, started only
 * after the app) comes up, the client's reconnect connects, the streams are created and the source
 * consumes, with no restart.
 */
@SpringBootTest(classes = IngestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class NatsDownAtStartIT {

    static final String STREAM = "IT_NATS_DOWN";
    static final String SUBJECT = "it.nats.down.events";
    static OwnNatsServer server;

    @Autowired JdbcTemplate jdbc;
    @Autowired TestRestTemplate http;
    @Autowired NatsHealthIndicator health;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws Exception {
        if (server == null) {
            server = new OwnNatsServer(); // not started: NATS is down when the app starts
        }
        registry.add("spring.datasource.url", () -> TestDatabase.recreate("it_nats_down"));
        registry.add("ingest.embedded-db.enabled", () -> "false");
        registry.add("ingest.sources.nats.enabled", () -> "true");
        registry.add("ingest.sources.nats.url", server::url);
        registry.add("ingest.sources.nats.stream", () -> STREAM);
        registry.add("ingest.sources.nats.subject", () -> SUBJECT);
        registry.add("ingest.sources.nats.durable", () -> "it_nats_down");
        registry.add("ingest.sources.nats.dlq-stream", () -> STREAM + "_DLQ");
        registry.add("ingest.sources.nats.dlq-subject", () -> "it.nats.down.dlq");
        registry.add("ingest.sources.http.publish-to", () -> "nats");
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void startsWithNatsDownReportsItAndConsumesOnceNatsIsUp() throws Exception {
        Health down = health.health();
        assertThat(down.getStatus()).isEqualTo(Status.DOWN);
        assertThat(down.getDetails().get("error")).asString().contains(server.url(), "Connection refused");
        assertThat(http.getForEntity("/actuator/health", String.class).getStatusCode().value()).isEqualTo(503);
        UUID device = UUID.randomUUID();
        ResponseEntity<String> refused = post(device, 0);
        assertThat(refused.getStatusCode().value()).as(refused.getBody()).isEqualTo(503);
        assertThat(refused.getHeaders().getFirst("Retry-After")).isEqualTo("5");

        server.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> health.health().getStatus().equals(Status.UP));
        try (Connection nats = NatsTestSupport.connect(server.url())) {
            StreamConfiguration created = nats.jetStreamManagement().getStreamInfo(STREAM).getConfiguration();
            assertThat(created.getMaxMsgs()).isEqualTo(1_000_000);
            for (int i = 0; i < 50; i++) {
                nats.jetStream().publish(SUBJECT, NatsTestSupport.event("down-" + i, device,
                        Instant.parse("2026-11-21T00:00:00Z").plusSeconds(i), i));
            }
            assertThat(post(device, 50).getStatusCode().value()).isEqualTo(202);
            await().atMost(Duration.ofSeconds(30)).until(() -> rows(device) == 51 * 3);
            await().atMost(Duration.ofSeconds(10)).until(() -> NatsTestSupport.messages(nats, STREAM) == 0);
        }
    }

    private ResponseEntity<String> post(UUID device, int i) {
        HttpHeaders headers = new HttpHeaders();
        headers.setContentType(MediaType.APPLICATION_JSON);
        byte[] body = NatsTestSupport.event("down-" + i, device, Instant.parse("2026-11-21T00:00:00Z").plusSeconds(i), i);
        return http.postForEntity("/v1/events", new HttpEntity<>(new String(body, StandardCharsets.UTF_8), headers), String.class);
    }

    private long rows(UUID device) {
        return jdbc.queryForObject("SELECT count(*) FROM ingest_events WHERE device_id = ?", Long.class, device);
    }
}
