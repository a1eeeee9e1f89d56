package routes.source.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Binding;
import org.springframework.amqp.core.BindingBuilder;
import org.springframework.amqp.core.DirectExchange;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.core.QueueBuilder;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import routes.IngestApplication;
import routes.ops.IngestMetrics;

/**
 * The invalid messages of one RabbitMQ batch are dead-lettered together (one transaction, all copies published
 * before one wait for their confirms), a redelivery among them (the same message id) gets no second row, copy
 * or count; with the DLQ queue gone the copies come back unroutable: no row, nothing acked, and once the DLQ
 * is there again each is dead-lettered once.
 */
@SpringBootTest(classes = IngestApplication.class)
class RabbitMqDeadLetterBatchIT {

    static final String QUEUE = "it.rabbitmq.dlbatch.q";
    static final String DLX = "it.rabbitmq.dlbatch.dlx";
    static final String DLQ = "it.rabbitmq.dlbatch.dlq";
    static final RabbitMqTestBroker broker = new RabbitMqTestBroker();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        broker.sourceProperties(registry, "it_rabbitmq_dead_letter_batch", QUEUE, DLX, DLQ);
        // One consumer that waits a little for more: a burst is one batch.
        registry.add("ingest.sources.rabbitmq.concurrency", () -> "1");
        registry.add("ingest.sources.rabbitmq.max-concurrency", () -> "1");
        registry.add("ingest.sources.rabbitmq.batch-wait", () -> "300ms");
        registry.add("ingest.redelivery.initial-delay", () -> "50ms");
        registry.add("ingest.redelivery.max-delay", () -> "300ms");
    }

    @Autowired JdbcTemplate jdbc;
    @Autowired MeterRegistry meters;
    private final RabbitTemplate template = new RabbitTemplate(broker.connectionFactory());
    private final RabbitAdmin admin = new RabbitAdmin(broker.connectionFactory());

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
    void theInvalidMessagesOfABatchAreDeadLetteredTogetherAndARedeliveryAmongThemIsNotDoubled() {
        String marker = UUID.randomUUID().toString();
        byte[] again = invalid(marker, "before");
        sendAll(List.of(again), "m-" + marker + "-before");
        await().atMost(Duration.ofSeconds(20)).until(() -> deadLetters(marker) == 1 && broker.readyAndUnacked(QUEUE) == 0);
        broker.drain(DLQ);
        double before = deadLetterCount();

        template.invoke(ops -> {
            send(ops, again, "m-" + marker + "-before"); // the same message again, as after a crash before its ack
            send(ops, invalid(marker, "a"), null);
            send(ops, valid(marker), null);
            send(ops, invalid(marker, "b"), null);
            send(ops, ("not json " + marker).getBytes(StandardCharsets.UTF_8), null);
            return null;
        });
        await().atMost(Duration.ofSeconds(20)).until(() -> deadLetters(marker) == 4 && rows(marker) == 1
                && broker.readyAndUnacked(QUEUE) == 0);

        List<Map<String, Object>> batch = jdbc.queryForList("SELECT failed_at FROM dead_letters"
                + " WHERE payload LIKE ? AND payload NOT LIKE '%before%'", "%" + marker + "%");
        assertThat(batch).hasSize(3);
        assertThat(batch).extracting(r -> r.get("failed_at")).as("recorded together").containsOnly(batch.get(0).get("failed_at"));
        assertThat(deadLetterCount() - before).isEqualTo(3.0);
        await().atMost(Duration.ofSeconds(10)).until(() -> broker.ready(DLQ) >= 3);
        List<Message> copies = broker.drain(DLQ);
        assertThat(copies).as("one copy each, none for the redelivery").hasSize(3);
        assertThat(copies).extracting(m -> new String(m.getBody(), StandardCharsets.UTF_8)).noneMatch(b -> b.contains("before"));
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).until(() -> deadLetters(marker) == 4);
    }

    @Test
    void withTheDlqGoneNothingIsRecordedOrAckedThenEachIsDeadLetteredOnce() {
        String marker = UUID.randomUUID().toString();
        admin.deleteQueue(DLQ);
        try {
            sendAll(List.of(invalid(marker, "a"), valid(marker), invalid(marker, "b")), null);
            await().atMost(Duration.ofSeconds(20)).until(() -> rows(marker) == 1);
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
                    .until(() -> deadLetters(marker) == 0 && broker.readyAndUnacked(QUEUE) == 2);
        } finally {
            Queue dlq = QueueBuilder.durable(DLQ).build();
            admin.declareQueue(dlq);
            Binding binding = BindingBuilder.bind(dlq).to(new DirectExchange(DLX)).with(DLQ);
            admin.declareBinding(binding);
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> deadLetters(marker) == 2 && broker.readyAndUnacked(QUEUE) == 0);
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).until(() -> deadLetters(marker) == 2);
        await().atMost(Duration.ofSeconds(10)).until(() -> broker.ready(DLQ) >= 2);
        assertThat(broker.drain(DLQ)).hasSize(2);
        assertThat(rows(marker)).isEqualTo(1);
    }

    private void sendAll(List<byte[]> bodies, String messageId) {
        template.invoke(ops -> {
            bodies.forEach(body -> send(ops, body, messageId));
            return null;
        });
    }

    private static void send(org.springframework.amqp.rabbit.core.RabbitOperations ops, byte[] body, String messageId) {
        MessageProperties props = new MessageProperties();
        props.setDeliveryMode(MessageDeliveryMode.PERSISTENT);
        props.setContentType(MessageProperties.CONTENT_TYPE_JSON);
        if (messageId != null) {
            props.setMessageId(messageId);
        }
        ops.send("", QUEUE, new Message(body, props));
    }

    private static byte[] invalid(String marker, String tag) {
        return ("{\"device_id\": \"not-a-uuid\", \"marker\": \"" + marker + "-" + tag + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] valid(String marker) {
        return ("{\"event_id\":\"" + marker + "\",\"device_id\":\"0b6f4c2e-6a39-4a8e-9d0f-3c1f5a7e2b11\","
                + "\"source_timestamp\":\"2026-11-21T08:00:00Z\",\"metrics\":[{\"parameter_key\":\"v\",\"value\":1}]}")
                .getBytes(StandardCharsets.UTF_8);
    }

    private long deadLetters(String marker) {
        return jdbc.queryForObject("SELECT count(*) FROM dead_letters WHERE payload LIKE ?", Long.class, "%" + marker + "%");
    }

    private long rows(String marker) {
        return jdbc.queryForObject("SELECT count(*) FROM ingest_events WHERE event_id = ?", Long.class, marker);
    }

    private double deadLetterCount() {
        double total = 0;
        for (String type : List.of("validation", "json")) {
            Counter counter = meters.find(IngestMetrics.DEAD_LETTERS).tag("source", "rabbitmq").tag("error_type", type).counter();
            total += counter == null ? 0 : counter.count();
        }
        return total;
    }
}
