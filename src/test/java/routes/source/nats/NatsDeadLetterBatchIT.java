package routes.source.nats;

import static org.assertj.core.api.Assertions.assertThat;

import io.nats.client.Connection;
import io.nats.client.JetStreamSubscription;
import io.nats.client.Message;
import io.nats.client.PullSubscribeOptions;
import io.nats.client.api.RetentionPolicy;
import io.nats.client.api.StreamConfiguration;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import routes.IngestApplication;
import routes.pipeline.IngestExchange;
import routes.pipeline.MessageBatch;
import routes.pipeline.MessageOutcome;
import routes.support.TestDatabase;

/**
 * The invalid messages of one NATS batch (handed to the pipeline as the consumer hands them) are dead-lettered
 * together: one transaction, their copies published asynchronously to the real dead-letter stream and their
 * PubAcks awaited once; a redelivery among them (the same stream sequence) gets no second row or copy. With
 * the dead-letter stream gone, no row is left and every one of them fails (nak'd: redelivered); redelivered
 * once the stream is back, each is dead-lettered once.
 */
@SpringBootTest(classes = IngestApplication.class)
class NatsDeadLetterBatchIT {

    static final String STREAM = "IT_NATS_DLBATCH";
    static final String SUBJECT = "it.nats.dlbatch.events";
    static final String DURABLE = "it_nats_dlbatch";
    static final String DLQ_STREAM = "IT_NATS_DLBATCH_DLQ";
    static final String DLQ_SUBJECT = "it.nats.dlbatch.dlq";

    static Connection nats;

    @Autowired JdbcTemplate jdbc;
    @Autowired ProducerTemplate producer;
    @Autowired CamelContext camel;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        NatsTestSupport.deleteStreams(NatsTestSupport.URL, STREAM, DLQ_STREAM);
        registry.add("spring.datasource.url", () -> TestDatabase.recreate("it_nats_dead_letter_batch"));
        registry.add("ingest.embedded-db.enabled", () -> "false");
        registry.add("ingest.sources.nats.enabled", () -> "true");
        registry.add("ingest.sources.nats.url", () -> NatsTestSupport.URL);
        registry.add("ingest.sources.nats.stream", () -> STREAM);
        registry.add("ingest.sources.nats.subject", () -> SUBJECT);
        registry.add("ingest.sources.nats.durable", () -> DURABLE);
        registry.add("ingest.sources.nats.dlq-stream", () -> DLQ_STREAM);
        registry.add("ingest.sources.nats.dlq-subject", () -> DLQ_SUBJECT);
    }

    @BeforeAll
    static void connect() throws Exception {
        nats = NatsTestSupport.connect(NatsTestSupport.URL);
    }

    @AfterAll
    static void close() throws Exception {
        nats.close();
    }

    @Test
    void theInvalidMessagesOfABatchAreDeadLetteredTogetherAndARedeliveryAmongThemIsNotDoubled() throws Exception {
        String marker = UUID.randomUUID().toString();
        Exchange first = message(1, invalid(marker, "before"));
        send(List.of(first));
        long firstId = first.getProperty(IngestExchange.DEAD_LETTER_ID, Long.class);

        List<Exchange> batch = List.of(message(1, invalid(marker, "before")), message(2, invalid(marker, "a")),
                message(3, valid(marker)), message(4, invalid(marker, "b")), message(5, "not json " + marker));
        send(batch);

        assertThat(batch).extracting(MessageBatch::outcome).containsExactly(MessageOutcome.DEAD_LETTERED,
                MessageOutcome.DEAD_LETTERED, MessageOutcome.COMMITTED, MessageOutcome.DEAD_LETTERED,
                MessageOutcome.DEAD_LETTERED);
        assertThat(batch.get(0).getProperty(IngestExchange.DEAD_LETTER_ID, Long.class)).as("the redelivery's row")
                .isEqualTo(firstId);
        List<Long> ids = List.of(1, 3, 4).stream()
                .map(i -> batch.get(i).getProperty(IngestExchange.DEAD_LETTER_ID, Long.class)).toList();
        List<Map<String, Object>> rows = jdbc.queryForList("SELECT id, failed_at FROM dead_letters WHERE payload LIKE ?"
                + " AND payload NOT LIKE '%before%' ORDER BY id", "%" + marker + "%");
        assertThat(rows).extracting(r -> ((Number) r.get("id")).longValue()).containsExactlyInAnyOrderElementsOf(ids);
        assertThat(rows).extracting(r -> r.get("failed_at")).as("recorded together").containsOnly(rows.get(0).get("failed_at"));
        assertThat(deadLetters(marker)).isEqualTo(4);
        assertThat(copies(marker)).as("one copy each, none again for the redelivery").hasSize(4);
    }

    @Test
    void withTheDeadLetterStreamGoneNoneIsRecordedAndEachFailsThenARedeliveryRecordsEachOnce() throws Exception {
        String marker = UUID.randomUUID().toString();
        NatsTestSupport.deleteStreams(NatsTestSupport.URL, DLQ_STREAM);
        List<Exchange> batch = List.of(message(11, invalid(marker, "a")), message(12, invalid(marker, "b")));
        try {
            send(batch);
            assertThat(batch).allSatisfy(m -> {
                assertThat(m.getException()).as("not acked: redelivered").isNotNull();
                assertThat(MessageBatch.outcome(m)).isNull();
            });
            assertThat(deadLetters(marker)).isZero();
        } finally {
            nats.jetStreamManagement().addStream(StreamConfiguration.builder().name(DLQ_STREAM).subjects(DLQ_SUBJECT)
                    .retentionPolicy(RetentionPolicy.Limits).build());
        }

        List<Exchange> redelivered = List.of(message(11, invalid(marker, "a")), message(12, invalid(marker, "b")));
        send(redelivered);
        assertThat(redelivered).extracting(MessageBatch::outcome).containsOnly(MessageOutcome.DEAD_LETTERED);
        assertThat(deadLetters(marker)).isEqualTo(2);
        assertThat(copies(marker)).hasSize(2);
    }

    /** One message as the JetStream consumer hands it on: stream sequence {@code sequence}, first delivery. */
    private Exchange message(long sequence, String body) {
        Exchange message = new DefaultExchange(camel);
        message.setProperty(IngestExchange.SOURCE, NatsSource.NAME);
        message.setProperty(IngestExchange.QUEUE, SUBJECT);
        message.setProperty(IngestExchange.RETRY_IN_PROCESS, false);
        message.getMessage().setHeader(JetStreamConsumer.STREAM_SEQUENCE, sequence);
        message.getMessage().setHeader(JetStreamConsumer.DELIVERED, 1L);
        message.getMessage().setBody(body.getBytes(StandardCharsets.UTF_8));
        return message;
    }

    private void send(List<Exchange> batch) {
        Exchange result = producer.send("direct:ingest", exchange -> exchange.getMessage().setBody(batch));
        assertThat(result.getException()).isNull();
    }

    private static String invalid(String marker, String tag) {
        return "{\"device_id\": \"not-a-uuid\", \"marker\": \"" + marker + "-" + tag + "\"}";
    }

    private static String valid(String marker) {
        return "{\"event_id\":\"" + marker + "\",\"device_id\":\"0b6f4c2e-6a39-4a8e-9d0f-3c1f5a7e2b11\","
                + "\"source_timestamp\":\"2026-11-21T08:00:00Z\",\"metrics\":[{\"parameter_key\":\"v\",\"value\":1}]}";
    }

    private long deadLetters(String marker) {
        return jdbc.queryForObject("SELECT count(*) FROM dead_letters WHERE payload LIKE ?", Long.class, "%" + marker + "%");
    }

    /** The dead-letter stream's messages carrying {@code marker}, read with an ephemeral pull consumer. */
    private List<Message> copies(String marker) throws Exception {
        JetStreamSubscription sub = nats.jetStream().subscribe(DLQ_SUBJECT, PullSubscribeOptions.builder().build());
        try {
            List<Message> all = new ArrayList<>();
            List<Message> fetched;
            do {
                fetched = sub.fetch(100, Duration.ofMillis(500));
                all.addAll(fetched);
            } while (!fetched.isEmpty());
            return all.stream().filter(m -> new String(m.getData(), StandardCharsets.UTF_8).contains(marker)).toList();
        } finally {
            sub.unsubscribe();
        }
    }
}
