package routes.source.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nats.client.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import io.nats.client.api.PublishAck;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import routes.IngestApplication;
import routes.support.StatsInvariant;
import routes.support.TestDatabase;

/**
 * The NATS server restarted mid-stream: the application reconnects and resumes by itself, and the
 * tables hold every event exactly once. Runs its own nats-server (OwnNatsServer) so that restarting it
 * does not disturb other tests using the machine's server.
 */
@SpringBootTest(classes = IngestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class NatsRestartIT {

    static OwnNatsServer server;

    @Autowired JdbcTemplate jdbc;
    @Autowired NatsHealthIndicator health;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws Exception {
        if (server == null) {
            server = new OwnNatsServer();
            server.start();
        }
        registry.add("spring.datasource.url", () -> TestDatabase.recreate("it_nats_restart"));
        registry.add("ingest.embedded-db.enabled", () -> "false");
        registry.add("ingest.sources.nats.enabled", () -> "true");
        registry.add("ingest.sources.nats.url", server::url);
        registry.add("ingest.sources.nats.stream", () -> "IT_NATS_RESTART");
        registry.add("ingest.sources.nats.subject", () -> "it.nats.restart.events");
        registry.add("ingest.sources.nats.durable", () -> "it_nats_restart");
        registry.add("ingest.sources.nats.dlq-stream", () -> "IT_NATS_RESTART_DLQ");
        registry.add("ingest.sources.nats.dlq-subject", () -> "it.nats.restart.dlq");
        // Small pulls, so that plenty is still in the stream when the server goes down.
        registry.add("ingest.sources.nats.batch-size", () -> "50");
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    private long rows() {
        return jdbc.queryForObject("SELECT count(*) FROM ingest_events", Long.class);
    }

    @Test
    @Disabled("Open in issue 4: on the merged main (2026-11-23 14:05-14:20) JetStream publishes to the test's own "
            + "nats-server time out for over a minute after its restart, with or without messages pending; it passed "
            + "on the nats branch. See docs/sources/nats.md, 'Open: restart test'.")
    void natsRestartedMidStreamResumesWithNothingLostOrDoubled() throws Exception {
        UUID device = UUID.randomUUID();
        Instant start = Instant.parse("2026-11-19T00:00:00Z");
        int before = 20000;
        int after = 1000;
        try (Connection producer = NatsTestSupport.connect(server.url())) {
            // Published asynchronously, so the stream fills faster than the app drains it.
            List<CompletableFuture<PublishAck>> acks = new ArrayList<>();
            for (int i = 0; i < before; i++) {
                acks.add(producer.jetStream().publishAsync("it.nats.restart.events",
                        NatsTestSupport.event("r-" + i, device, start.plusSeconds(i), i % 100)));
            }
            CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            // Mid-stream: some rows committed, the rest still in JetStream.
            await().atMost(Duration.ofSeconds(60)).until(() -> rows() > 0);
            server.stop();
            long landedBeforeRestart = rows();
            assertThat(landedBeforeRestart).isLessThan(before * 3L);
            await().atMost(Duration.ofSeconds(10)).until(() -> health.health().getStatus().equals(Status.DOWN));

            server.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> health.health().getStatus().equals(Status.UP));
            await().atMost(Duration.ofSeconds(30)).until(() -> producer.getStatus() == Connection.Status.CONNECTED);
            // Connected is not yet JetStream ready: wait until it answers before publishing more.
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                    .until(() -> producer.jetStreamManagement().getAccountStatistics() != null);
            for (int i = before; i < before + after; i++) {
                producer.jetStream().publish("it.nats.restart.events",
                        NatsTestSupport.event("r-" + i, device, start.plusSeconds(i), i % 100));
            }
            long expected = (before + after) * 3L;
            await().atMost(Duration.ofSeconds(120)).until(() -> rows() >= expected);
            await().atMost(Duration.ofSeconds(40)).until(() -> NatsTestSupport.messages(producer, "IT_NATS_RESTART") == 0);
        }
        assertThat(rows()).isEqualTo((before + after) * 3L);
        assertThat(jdbc.queryForObject("SELECT sum(sample_count) FROM daily_stats", Long.class)).isEqualTo((before + after) * 3L);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM dead_letters", Long.class)).isZero();
        assertThat(StatsInvariant.violations(jdbc)).isEmpty();
    }
}
