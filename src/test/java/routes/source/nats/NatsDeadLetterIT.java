package routes.source.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nats.client.Connection;
import io.nats.client.JetStreamSubscription;
import io.nats.client.Message;
import io.nats.client.PullSubscribeOptions;
import io.nats.client.impl.Headers;
import io.nats.client.impl.NatsMessage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.camel.ProducerTemplate;
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
import routes.support.TestDatabase;

/**
 * Dead letters of the NATS source against the real local NATS: once per message (a redelivery records
 * nothing new), header values NATS would refuse (non-ASCII, multi-line), and a message so close to
 * max_payload that its headers do not fit beside it.
 */
@SpringBootTest(classes = IngestApplication.class)
class NatsDeadLetterIT {

    static final String STREAM = "IT_NATS_DEAD_LETTER";
    static final String SUBJECT = "it.nats.deadletter.events";
    static final String DURABLE = "it_nats_deadletter";
    static final String DLQ_STREAM = "IT_NATS_DEAD_LETTER_DLQ";
    static final String DLQ_SUBJECT = "it.nats.deadletter.dlq";

    static Connection nats;

    @Autowired JdbcTemplate jdbc;
    @Autowired ProducerTemplate producer;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        NatsTestSupport.deleteStreams(NatsTestSupport.URL, STREAM, DLQ_STREAM);
        registry.add("spring.datasource.url", () -> TestDatabase.recreate("it_nats_dead_letter"));
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
    void theSameMessageDeliveredAgainIsRecordedOnce() throws Exception {
        String marker = UUID.randomUUID().toString();
        byte[] body = ("not json " + marker).getBytes(StandardCharsets.UTF_8);
        // As the consumer hands it on, twice: a redelivery of stream sequence 4242 after the process died
        // between the dead letter's commit and the ack.
        for (int delivery = 1; delivery <= 2; delivery++) {
            int attempt = delivery;
            producer.send("direct:ingest", exchange -> {
                exchange.setProperty(IngestExchange.SOURCE, NatsSource.NAME);
                exchange.setProperty(IngestExchange.QUEUE, SUBJECT);
                exchange.setProperty(IngestExchange.PRIOR_ATTEMPTS, attempt - 1);
                exchange.getMessage().setHeader(JetStreamConsumer.STREAM_SEQUENCE, 4242L);
                exchange.getMessage().setHeader(JetStreamConsumer.DELIVERED, (long) attempt);
                exchange.getMessage().setBody(body);
            });
        }
        assertThat(deadLetters(marker)).isEqualTo(1);
        List<Message> copies = dlq().stream().filter(m -> new String(m.getData(), StandardCharsets.UTF_8).contains(marker)).toList();
        assertThat(copies).hasSize(1);
        String id = jdbc.queryForObject("SELECT dead_letter_id FROM dead_letters WHERE payload LIKE ?", String.class,
                "%" + marker + "%");
        assertThat(copies.get(0).getHeaders().getFirst("x-dead-letter-id")).isEqualTo(id).startsWith("nats:");

        // Another message (another sequence) with the same body is another dead letter.
        producer.send("direct:ingest", exchange -> {
            exchange.setProperty(IngestExchange.SOURCE, NatsSource.NAME);
            exchange.setProperty(IngestExchange.QUEUE, SUBJECT);
            exchange.getMessage().setHeader(JetStreamConsumer.STREAM_SEQUENCE, 4243L);
            exchange.getMessage().setBody(body);
        });
        assertThat(deadLetters(marker)).isEqualTo(2);
    }

    @Test
    void aNonAsciiErrorMessageIsEncodedAndTheMessageIsDeadLettered() throws Exception {
        String marker = UUID.randomUUID().toString();
        // The validator quotes the timestamp it could not read: "... got 'morgen früh'".
        byte[] body = ("{\"marker\": \"" + marker + "\", \"device_id\": \"0b6f4c2e-6a39-4a8e-9d0f-3c1f5a7e2b11\","
                + " \"source_timestamp\": \"morgen früh\", \"metrics\": [{\"parameter_key\": \"v\", \"value\": 1}]}")
                .getBytes(StandardCharsets.UTF_8);
        nats.jetStream().publish(SUBJECT, body);

        await().atMost(Duration.ofSeconds(30)).until(() -> deadLetters(marker) == 1);
        Map<String, Object> row = jdbc.queryForMap(
                "SELECT error_type, error_message, dead_letter_id FROM dead_letters WHERE payload LIKE ?", "%" + marker + "%");
        assertThat(row.get("error_type")).isEqualTo("validation");
        String errorMessage = (String) row.get("error_message");
        assertThat(errorMessage).contains("früh");

        Message copy = await().atMost(Duration.ofSeconds(10)).until(() -> dlqCopy(marker), m -> m != null);
        assertThat(copy.getData()).isEqualTo(body);
        String header = copy.getHeaders().getFirst("x-error-message");
        assertThat(header).startsWith("=?UTF-8?B?");
        assertThat(decoded(header)).isEqualTo(errorMessage);
        assertThat(copy.getHeaders().getFirst("x-dead-letter-id")).isEqualTo(row.get("dead_letter_id"));
        await().atMost(Duration.ofSeconds(10)).until(() -> NatsTestSupport.messages(nats, STREAM) == 0);
    }

    @Test
    void aTraceIdAndErrorThatAreNotAsciiSurviveADeadLetterOfARejectedRow() throws Exception {
        UUID device = UUID.randomUUID();
        jdbc.execute("""
                CREATE OR REPLACE FUNCTION refuse_device() RETURNS trigger AS $$
                BEGIN
                  IF NEW.device_id = '%s' THEN RAISE EXCEPTION 'Gerät %s abgelehnt …
                zweite Zeile'; END IF;
                  RETURN NEW;
                END $$ LANGUAGE plpgsql""".formatted(device, device));
        jdbc.execute("CREATE TRIGGER refuse_device BEFORE INSERT ON ingest_events FOR EACH ROW EXECUTE FUNCTION refuse_device()");
        try {
            String traceId = "trace-ü-" + device;
            byte[] body = ("{\"trace_id\": \"" + traceId + "\", \"event\": {\"device_id\": \"" + device + "\","
                    + " \"source_timestamp\": \"2026-11-21T08:00:00Z\", \"metrics\": [{\"parameter_key\": \"v\", \"value\": 1}]}}")
                    .getBytes(StandardCharsets.UTF_8);
            nats.jetStream().publish(SUBJECT, body);

            await().atMost(Duration.ofSeconds(60)).until(() -> deadLetters(device.toString()) == 1);
            Map<String, Object> row = jdbc.queryForMap("SELECT trace_id, error_message FROM dead_letters WHERE payload LIKE ?",
                    "%" + device + "%");
            assertThat(row.get("trace_id")).isEqualTo(traceId);
            Message copy = await().atMost(Duration.ofSeconds(10)).until(() -> dlqCopy(device.toString()), m -> m != null);
            assertThat(decoded(copy.getHeaders().getFirst("x-trace-id"))).isEqualTo(traceId);
            assertThat(decoded(copy.getHeaders().getFirst("x-error-message"))).isEqualTo(row.get("error_message"))
                    .contains("Gerät", "\n");
            await().atMost(Duration.ofSeconds(10)).until(() -> NatsTestSupport.messages(nats, STREAM) == 0);
        } finally {
            jdbc.execute("DROP TRIGGER IF EXISTS refuse_device ON ingest_events");
        }
    }

    @Test
    void anInvalidMessageJustUnderMaxPayloadIsDeadLetteredOnceWithItsHeadersShortened() throws Exception {
        String marker = UUID.randomUUID().toString();
        long maxPayload = nats.getMaxPayload();
        byte[] body = new byte[(int) maxPayload - 200];
        Arrays.fill(body, (byte) 'x');
        byte[] head = ("not json " + marker + " ").getBytes(StandardCharsets.UTF_8);
        System.arraycopy(head, 0, body, 0, head.length);
        nats.jetStream().publish(NatsMessage.builder().subject(SUBJECT).data(body).headers(new Headers()).build());

        await().atMost(Duration.ofSeconds(30)).until(() -> deadLetters(marker) == 1);
        Message copy = await().atMost(Duration.ofSeconds(10)).until(() -> dlqCopy(marker), m -> m != null);
        assertThat(copy.getData()).isEqualTo(body);
        assertThat(copy.getHeaders().getFirst("x-headers-truncated")).isEqualTo("true");
        assertThat(copy.getHeaders().getFirst("x-dead-letter-id")).isEqualTo(
                jdbc.queryForObject("SELECT dead_letter_id FROM dead_letters WHERE payload LIKE ?", String.class, "%" + marker + "%"));
        // The table keeps the whole error and every header.
        Map<String, Object> row = jdbc.queryForMap("SELECT error_type, length(error_message) AS len, headers::text AS h"
                + " FROM dead_letters WHERE payload LIKE ?", "%" + marker + "%");
        assertThat(row.get("error_type")).isEqualTo("json");
        assertThat((String) row.get("h")).contains("x-error-message", "x-failed-at", "x-attempts");
        await().atMost(Duration.ofSeconds(10)).until(() -> NatsTestSupport.messages(nats, STREAM) == 0);
        assertThat(deadLetters(marker)).isEqualTo(1);
    }

    /** An RFC 2047 encoded word ({@code =?UTF-8?B?...?=}) decoded; any other value as it is. */
    static String decoded(String value) {
        if (value != null && value.startsWith("=?UTF-8?B?") && value.endsWith("?=")) {
            return new String(Base64.getDecoder().decode(value.substring(10, value.length() - 2)), StandardCharsets.UTF_8);
        }
        return value;
    }

    private long deadLetters(String marker) {
        return jdbc.queryForObject("SELECT count(*) FROM dead_letters WHERE payload LIKE ?", Long.class, "%" + marker + "%");
    }

    private Message dlqCopy(String marker) throws Exception {
        return dlq().stream().filter(m -> new String(m.getData(), StandardCharsets.UTF_8).contains(marker))
                .findFirst().orElse(null);
    }

    /** Every message of the dead-letter stream, read with an ephemeral pull consumer. */
    private List<Message> dlq() throws Exception {
        JetStreamSubscription sub = nats.jetStream().subscribe(DLQ_SUBJECT, PullSubscribeOptions.builder().build());
        try {
            List<Message> all = new ArrayList<>();
            List<Message> batch;
            do {
                batch = sub.fetch(100, Duration.ofMillis(500));
                all.addAll(batch);
            } while (!batch.isEmpty());
            return all;
        } finally {
            sub.unsubscribe();
        }
    }
}
