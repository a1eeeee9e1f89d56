package routes.source.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import routes.IngestApplication;
import routes.ops.IngestMetrics;

/**
 * Dead letters of the RabbitMQ source against the local RabbitMQ and PostgreSQL: once per message (a
 * message delivered again with its message id is not recorded again, nor counted), bodies kept as bytes
 * whatever the content type, and a replay that fails again reopening its dead letter.
 */
@SpringBootTest(classes = IngestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class RabbitMqDeadLetterIT {

    static final String QUEUE = "it.rabbitmq.deadletter.q";
    static final String DLX = "it.rabbitmq.deadletter.dlx";
    static final String DLQ = "it.rabbitmq.deadletter.dlq";
    static final String ADMIN_PASSWORD = "it-rabbitmq-dead-letter";
    static final RabbitMqTestBroker broker = new RabbitMqTestBroker();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        broker.sourceProperties(registry, "it_rabbitmq_dead_letter", QUEUE, DLX, DLQ);
        registry.add("ingest.security.admin-password", () -> ADMIN_PASSWORD);
    }

    @Autowired JdbcTemplate jdbc;
    @Autowired MeterRegistry meters;
    @Autowired TestRestTemplate http;
    private final RabbitTemplate template = new RabbitTemplate(broker.connectionFactory());

    @AfterAll
    static void close() {
        broker.close();
    }

    @BeforeEach
    void empty() {
        await().atMost(Duration.ofSeconds(30)).until(() -> broker.readyAndUnacked(QUEUE) == 0);
        broker.drain(DLQ);
    }

    @Test
    void theSameMessageDeliveredAgainIsRecordedAndCountedOnce() {
        String marker = UUID.randomUUID().toString();
        byte[] body = ("not json " + marker).getBytes(StandardCharsets.UTF_8);
        double before = deadLetterCount("json");
        // Sent twice with one message id: what the broker redelivers after the process died between the
        // dead letter's commit and the ack.
        send(body, "m-" + marker, MessageProperties.CONTENT_TYPE_JSON);
        await().atMost(Duration.ofSeconds(20)).until(() -> deadLetters(marker) == 1 && broker.readyAndUnacked(QUEUE) == 0);
        send(body, "m-" + marker, MessageProperties.CONTENT_TYPE_JSON);
        await().atMost(Duration.ofSeconds(20)).until(() -> broker.readyAndUnacked(QUEUE) == 0);
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).until(() -> deadLetters(marker) == 1);
        assertThat(deadLetterCount("json") - before).isEqualTo(1.0);
        List<Message> copies = broker.drain(DLQ);
        assertThat(copies).hasSize(1);
        assertThat(copies.get(0).getMessageProperties().getHeaders().get("x-dead-letter-id"))
                .hasToString(jdbc.queryForObject("SELECT dead_letter_id FROM dead_letters WHERE payload LIKE ?", String.class,
                        "%" + marker + "%"));

        // Another message id: another message, another dead letter.
        send(body, "other-" + marker, MessageProperties.CONTENT_TYPE_JSON);
        await().atMost(Duration.ofSeconds(20)).until(() -> deadLetters(marker) == 2);
        assertThat(deadLetterCount("json") - before).isEqualTo(2.0);
    }

    @Test
    void aTextBodyThatIsNotUtf8IsDeadLetteredByteForByte() {
        String marker = UUID.randomUUID().toString();
        byte[] body = concat(new byte[] {(byte) 0xff, (byte) 0xfe}, ("not json " + marker).getBytes(StandardCharsets.UTF_8));
        send(body, null, MessageProperties.CONTENT_TYPE_TEXT_PLAIN);

        await().atMost(Duration.ofSeconds(20)).until(() -> deadLetters(marker) == 1);
        String base64 = jdbc.queryForObject("SELECT headers->>'x-payload-base64' FROM dead_letters WHERE payload LIKE ?",
                String.class, "%" + marker + "%");
        assertThat(base64).isNotNull();
        assertThat(Base64.getDecoder().decode(base64)).isEqualTo(body);
        await().atMost(Duration.ofSeconds(10)).until(() -> broker.ready(DLQ) == 1);
        assertThat(broker.drain(DLQ).get(0).getBody()).isEqualTo(body);
    }

    @Test
    void aReplayThatFailsAgainReopensItsDeadLetter() {
        String marker = UUID.randomUUID().toString();
        byte[] body = ("{\"device_id\": \"still-not-a-uuid\", \"marker\": \"" + marker + "\"}").getBytes(StandardCharsets.UTF_8);
        send(body, null, MessageProperties.CONTENT_TYPE_JSON);
        await().atMost(Duration.ofSeconds(20)).until(() -> deadLetters(marker) == 1);
        Map<String, Object> first = row(marker);
        double before = deadLetterCount("validation");

        ResponseEntity<String> replay = http.withBasicAuth("admin", ADMIN_PASSWORD)
                .postForEntity("/v1/dead-letters/" + first.get("id") + "/replay", null, String.class);
        assertThat(replay.getStatusCode().is2xxSuccessful()).as(replay.toString()).isTrue();

        // The same row again, pending, with the new failure; counted once more; no second row.
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            Map<String, Object> now = row(marker);
            return now.get("replayed_at") == null && !now.get("failed_at").equals(first.get("failed_at"));
        });
        assertThat(deadLetters(marker)).isEqualTo(1);
        assertThat(row(marker).get("id")).isEqualTo(first.get("id"));
        assertThat(deadLetterCount("validation") - before).isEqualTo(1.0);
        await().atMost(Duration.ofSeconds(10)).until(() -> broker.ready(DLQ) == 2);
        assertThat(broker.drain(DLQ)).extracting(m -> m.getMessageProperties().getHeaders().get("x-dead-letter-id").toString())
                .containsOnly((String) first.get("dead_letter_id"));
    }

    private Map<String, Object> row(String marker) {
        return jdbc.queryForMap("SELECT id, dead_letter_id, failed_at, replayed_at FROM dead_letters WHERE payload LIKE ?",
                "%" + marker + "%");
    }

    private void send(byte[] body, String messageId, String contentType) {
        MessageProperties props = new MessageProperties();
        props.setDeliveryMode(MessageDeliveryMode.PERSISTENT);
        props.setContentType(contentType);
        if (messageId != null) {
            props.setMessageId(messageId);
        }
        template.send("", QUEUE, new Message(body, props));
    }

    private long deadLetters(String marker) {
        return jdbc.queryForObject("SELECT count(*) FROM dead_letters WHERE payload LIKE ?", Long.class, "%" + marker + "%");
    }

    private double deadLetterCount(String errorType) {
        Counter counter = meters.find(IngestMetrics.DEAD_LETTERS).tag("source", "rabbitmq").tag("error_type", errorType).counter();
        return counter == null ? 0 : counter.count();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
