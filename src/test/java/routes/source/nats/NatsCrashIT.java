package routes.source.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.api.PublishAck;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import routes.support.AppProcess;
import routes.support.StatsInvariant;
import routes.support.TestDatabase;
import routes.support.WriteBlock;

/**
 * The packaged jar consuming from JetStream, killed with kill -9 mid-stream and started again: every
 * event is in the tables exactly once (unacked messages are redelivered after ack_wait, and the
 * redelivered ones whose rows had committed change nothing).
 */
class NatsCrashIT {

    static final String STREAM = "IT_NATS_CRASH";
    static final String SUBJECT = "it.nats.crash.events";
    static final int EVENTS = 20_000;

    @Test
    void killDashNineMidStreamThenRestartLeavesEveryEventExactlyOnce() throws Exception {
        NatsTestSupport.deleteStreams(NatsTestSupport.URL, STREAM, STREAM + "_DLQ");
        String db = TestDatabase.recreate("it_nats_crash");
        Map<String, String> properties = Map.ofEntries(
                Map.entry("spring.datasource.url", db),
                Map.entry("ingest.embedded-db.enabled", "false"),
                Map.entry("ingest.sources.nats.enabled", "true"),
                Map.entry("ingest.sources.nats.url", NatsTestSupport.URL),
                Map.entry("ingest.sources.nats.stream", STREAM),
                Map.entry("ingest.sources.nats.subject", SUBJECT),
                Map.entry("ingest.sources.nats.durable", "it_nats_crash"),
                Map.entry("ingest.sources.nats.dlq-stream", STREAM + "_DLQ"),
                Map.entry("ingest.sources.nats.dlq-subject", "it.nats.crash.dlq"),
                // Redelivery of what the killed instance had in flight after 5 s, not 30 s.
                Map.entry("ingest.sources.nats.ack-wait", "5s"));
        JdbcTemplate jdbc = new JdbcTemplate(new DriverManagerDataSource(db, TestDatabase.USER, ""));

        try (Connection nats = NatsTestSupport.connect(NatsTestSupport.URL)) {
            try (AppProcess first = AppProcess.start("nats-crash-1", properties)) {
                // The stream exists now (created at start-up); fill it while the first instance consumes.
                publish(nats.jetStream(), 0, EVENTS / 5);
                await().atMost(Duration.ofSeconds(120)).until(() -> rows(jdbc) > 0);
                // Mid-stream for certain: the rest is delivered but cannot commit while the writers are held back.
                try (WriteBlock writers = WriteBlock.on(db)) {
                    publish(nats.jetStream(), EVENTS / 5, EVENTS);
                    await().atMost(Duration.ofSeconds(60))
                            .until(() -> NatsTestSupport.ackPending(nats, STREAM, "it_nats_crash") > 0);
                    first.kill();
                }
            }
            long atKill = rows(jdbc);
            assertThat(atKill).as("killed mid-stream").isLessThan(EVENTS * 3L);

            try (AppProcess second = AppProcess.start("nats-crash-2", properties)) {
                await().atMost(Duration.ofSeconds(180)).until(() -> rows(jdbc) >= EVENTS * 3L);
                await().atMost(Duration.ofSeconds(60)).until(() -> NatsTestSupport.messages(nats, STREAM) == 0);
                assertThat(second.healthy()).isTrue();
            }
        }
        assertThat(rows(jdbc)).isEqualTo(EVENTS * 3L);
        assertThat(jdbc.queryForObject("SELECT count(DISTINCT event_id) FROM ingest_events", Long.class)).isEqualTo(EVENTS);
        assertThat(jdbc.queryForObject("SELECT sum(sample_count) FROM daily_stats", Long.class)).isEqualTo(EVENTS * 3L);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM dead_letters", Long.class)).isZero();
        assertThat(StatsInvariant.violations(jdbc)).isEmpty();
    }

    private static long rows(JdbcTemplate jdbc) {
        return jdbc.queryForObject("SELECT count(*) FROM ingest_events", Long.class);
    }

    private static final UUID DEVICE = UUID.randomUUID();

    /** Publishes events {@code from} (inclusive) to {@code to} (exclusive). */
    private static void publish(JetStream js, int from, int to) {
        UUID device = DEVICE;
        Instant start = Instant.parse("2026-11-18T00:00:00Z");
        List<CompletableFuture<PublishAck>> acks = new ArrayList<>();
        for (int i = from; i < to; i++) {
            acks.add(js.publishAsync(SUBJECT, NatsTestSupport.event("k-" + i, device, start.plusMillis(i * 250L), i % 1000)));
            if (acks.size() == 2000) {
                CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).join();
                acks.clear();
            }
        }
        CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).join();
    }
}
