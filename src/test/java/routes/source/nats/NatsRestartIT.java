package routes.source.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nats.client.Connection;
import io.nats.client.PublishOptions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import io.nats.client.api.PublishAck;
import org.junit.jupiter.api.AfterAll;
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
import routes.support.WriteBlock;

/**
 * The NATS server restarted mid-stream: the application reconnects and resumes by itself, and the
 * tables hold every event exactly once. Runs its own nats-server (OwnNatsServer) so that restarting it
 * does not disturb other tests using the machine's server.
 */
@SpringBootTest(classes = IngestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class NatsRestartIT {

    static final String DATABASE = "it_nats_restart";
    static OwnNatsServer server;

    @Autowired JdbcTemplate jdbc;
    @Autowired NatsHealthIndicator health;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws Exception {
        if (server == null) {
            server = new OwnNatsServer();
            server.start();
        }
        registry.add("spring.datasource.url", () -> TestDatabase.recreate(DATABASE));
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
        // What was in flight at the stop comes back after 5 s, not 30 s.
        registry.add("ingest.sources.nats.ack-wait", () -> "5s");
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    /** Publishes events {@code from} (inclusive) to {@code to} asynchronously and waits for every ack. */
    private static void publish(Connection producer, UUID device, Instant start, int from, int to) throws Exception {
        List<CompletableFuture<PublishAck>> acks = new ArrayList<>();
        for (int i = from; i < to; i++) {
            acks.add(producer.jetStream().publishAsync("it.nats.restart.events",
                    NatsTestSupport.event("r-" + i, device, start.plusSeconds(i), i % 100)));
        }
        CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    }

    /**
     * Publishes the events numbered {@code left} with their event id as message id and waits (bounded)
     * for their acks; removes the acked ones from {@code left} and returns it.
     */
    private static List<Integer> publishWithIds(Connection c, UUID device, Instant start, List<Integer> left)
            throws Exception {
        var jetStream = c.jetStream();
        List<CompletableFuture<PublishAck>> acks = new ArrayList<>();
        for (int i : left) {
            PublishOptions id = PublishOptions.builder().messageId("r-" + i).build();
            acks.add(jetStream.publishAsync("it.nats.restart.events",
                    NatsTestSupport.event("r-" + i, device, start.plusSeconds(i), i % 100), id));
        }
        List<Integer> notAcked = new ArrayList<>();
        for (int k = 0; k < acks.size(); k++) {
            try {
                acks.get(k).get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                notAcked.add(left.get(k));
            }
        }
        left.retainAll(notAcked);
        return left;
    }

    private long rows() {
        return jdbc.queryForObject("SELECT count(*) FROM ingest_events", Long.class);
    }

    @Test
    void natsRestartedMidStreamResumesWithNothingLostOrDoubled() throws Exception {
        UUID device = UUID.randomUUID();
        Instant start = Instant.parse("2026-11-19T00:00:00Z");
        int before = 20000;
        int after = 1000;
        try (Connection producer = NatsTestSupport.connect(server.url())) {
            publish(producer, device, start, 0, before / 10);
            await().atMost(Duration.ofSeconds(60)).until(() -> rows() > 0);
            // Mid-stream for certain: the rest is in JetStream or in flight, and cannot commit before the stop.
            try (WriteBlock writers = WriteBlock.on(TestDatabase.url(DATABASE))) {
                publish(producer, device, start, before / 10, before);
                server.stop();
                long landedBeforeRestart = rows();
                assertThat(landedBeforeRestart).isLessThan(before * 3L);
                await().atMost(Duration.ofSeconds(10)).until(() -> health.health().getStatus().equals(Status.DOWN));
            }

            server.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> health.health().getStatus().equals(Status.UP));
            await().atMost(Duration.ofSeconds(30)).until(() -> producer.getStatus() == Connection.Status.CONNECTED);
            // The producer's own reconnected connection answers JetStream requests (with jnats 2.24.1 a
            // reconnected connection sometimes sent nothing any more: nats-io/nats.java#1522; the app's
            // connection then stalled the same way, see docs/sources/nats.md, "Restart test").
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                    .until(() -> producer.jetStreamManagement().getStreamInfo("IT_NATS_RESTART") != null);
            // All at once on the reconnected connection, each with its event id as message id; whatever is
            // not acked is published again (JetStream keeps a retried message once), in bounded rounds.
            List<Integer> left = new ArrayList<>();
            for (int i = before; i < before + after; i++) {
                left.add(i);
            }
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> publishWithIds(producer, device, start, left).isEmpty());
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
