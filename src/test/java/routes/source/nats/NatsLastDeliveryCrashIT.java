package routes.source.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nats.client.Connection;
import io.nats.client.JetStreamManagement;
import io.nats.client.JetStreamSubscription;
import io.nats.client.Message;
import io.nats.client.PullSubscribeOptions;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.ConsumerInfo;
import io.nats.client.api.DeliverPolicy;
import io.nats.client.api.RetentionPolicy;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import routes.support.AppProcess;
import routes.support.StatsInvariant;
import routes.support.TestDatabase;
import routes.support.WriteBlock;

/**
 * CONTRACT §2: at most 5 deliveries, enforced by the app, so that no crash strands a message. A message
 * taken four times by instances that died before acking (here: a test client that never acks), then a
 * fifth time by the packaged app, which is killed with kill -9 while the delivery is in flight. JetStream
 * must deliver it again, and the restarted app commits it. With the consumer's own max_deliver at 5 the
 * message would sit in the workqueue stream forever. The consumer exists before the app starts, as the app
 * creates it (max_deliver unlimited): an existing consumer is never changed by the app (one with max_deliver
 * 5, as earlier versions made it, is only reported: NatsStreamLimitsIT).
 */
class NatsLastDeliveryCrashIT {

    static final String STREAM = "IT_NATS_LAST_DELIVERY";
    static final String SUBJECT = "it.nats.lastdelivery.events";
    static final String DURABLE = "it_nats_last_delivery";
    static final Duration ACK_WAIT = Duration.ofSeconds(2);
    static final int LIMIT = 5;

    @Test
    void killedDuringTheLastAllowedDeliveryTheMessageIsStillCommitted() throws Exception {
        NatsTestSupport.deleteStreams(NatsTestSupport.URL, STREAM, STREAM + "_DLQ");
        String db = TestDatabase.recreate("it_nats_last_delivery");
        // The schema before the first start, so that the writers can be held back from the start.
        Flyway.configure().dataSource(db, TestDatabase.USER, "").locations("classpath:db/migration").load().migrate();
        JdbcTemplate jdbc = new JdbcTemplate(new DriverManagerDataSource(db, TestDatabase.USER, ""));
        Map<String, String> properties = Map.ofEntries(
                Map.entry("spring.datasource.url", db),
                Map.entry("ingest.embedded-db.enabled", "false"),
                Map.entry("ingest.sources.nats.enabled", "true"),
                Map.entry("ingest.sources.nats.url", NatsTestSupport.URL),
                Map.entry("ingest.sources.nats.stream", STREAM),
                Map.entry("ingest.sources.nats.subject", SUBJECT),
                Map.entry("ingest.sources.nats.durable", DURABLE),
                Map.entry("ingest.sources.nats.dlq-stream", STREAM + "_DLQ"),
                Map.entry("ingest.sources.nats.dlq-subject", "it.nats.lastdelivery.dlq"),
                Map.entry("ingest.sources.nats.max-deliver", Integer.toString(LIMIT)),
                Map.entry("ingest.sources.nats.ack-wait", ACK_WAIT.toSeconds() + "s"));

        try (Connection nats = NatsTestSupport.connect(NatsTestSupport.URL)) {
            JetStreamManagement jsm = nats.jetStreamManagement();
            jsm.addStream(StreamConfiguration.builder().name(STREAM).subjects(SUBJECT)
                    .retentionPolicy(RetentionPolicy.WorkQueue).storageType(StorageType.File).build());
            jsm.addOrUpdateConsumer(STREAM, ConsumerConfiguration.builder().durable(DURABLE).filterSubject(SUBJECT)
                    .ackPolicy(AckPolicy.Explicit).deliverPolicy(DeliverPolicy.All)
                    .maxDeliver(JetStreamTopology.UNLIMITED).ackWait(ACK_WAIT).maxAckPending(20000).build());
            nats.jetStream().publish(SUBJECT, NatsTestSupport.event("last-1", UUID.randomUUID(),
                    Instant.parse("2026-11-18T00:00:00Z"), 7));

            takenWithoutAck(nats, LIMIT - 1);

            try (WriteBlock writers = WriteBlock.on(db)) {
                try (AppProcess first = AppProcess.start("nats-last-delivery-1", properties)) {
                    await().atMost(Duration.ofSeconds(30)).until(() -> deliveries(nats) >= LIMIT);
                    first.kill();
                }
            }
            assertThat(rows(jdbc)).as("killed before the commit").isZero();

            try (AppProcess second = AppProcess.start("nats-last-delivery-2", properties)) {
                await().atMost(Duration.ofSeconds(30)).until(() -> rows(jdbc) == 3);
                await().atMost(Duration.ofSeconds(10)).until(() -> NatsTestSupport.messages(nats, STREAM) == 0);
            }
            ConsumerConfiguration consumer = jsm.getConsumerInfo(STREAM, DURABLE).getConsumerConfiguration();
            assertThat(consumer.getMaxDeliver()).as("the consumer's own max_deliver").isEqualTo(-1);
            assertThat(consumer.getAckWait()).isEqualTo(ACK_WAIT);
        }
        assertThat(jdbc.queryForObject("SELECT count(*) FROM dead_letters", Long.class)).isZero();
        assertThat(StatsInvariant.violations(jdbc)).isEmpty();
    }

    /** Takes the message {@code times} times and never acks it, as instances killed before their ack would. */
    private static void takenWithoutAck(Connection nats, int times) throws Exception {
        JetStreamSubscription subscription = nats.jetStream().subscribe(SUBJECT, PullSubscribeOptions.bind(STREAM, DURABLE));
        try {
            long delivered = 0;
            while (delivered < times) {
                List<Message> messages = subscription.fetch(1, ACK_WAIT.multipliedBy(3));
                assertThat(messages).as("delivery %d", delivered + 1).hasSize(1);
                delivered = messages.get(0).metaData().deliveredCount();
            }
        } finally {
            subscription.unsubscribe();
        }
    }

    private static long deliveries(Connection nats) throws Exception {
        ConsumerInfo info = nats.jetStreamManagement().getConsumerInfo(STREAM, DURABLE);
        return info.getDelivered().getConsumerSequence();
    }

    private static long rows(JdbcTemplate jdbc) {
        return jdbc.queryForObject("SELECT count(*) FROM ingest_events", Long.class);
    }
}
