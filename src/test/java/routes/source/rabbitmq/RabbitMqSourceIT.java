package routes.source.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.connection.ConnectionNameStrategy;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.context.annotation.Bean;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import routes.IngestApplication;
import routes.support.StatsInvariant;
import routes.support.PerParameterMessages;
import routes.support.TestDatabase;
import routes.support.WriteBlock;

/** The RabbitMQ source against the local RabbitMQ and PostgreSQL: queue → rows, dead letters, replay, HTTP publish. */
@SpringBootTest(classes = {IngestApplication.class, RabbitMqSourceIT.Names.class},
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class RabbitMqSourceIT {

    static final String QUEUE = "it.rabbitmq.source.q";
    static final String DLX = "it.rabbitmq.source.dlx";
    static final String DLQ = "it.rabbitmq.source.dlq";
    static final String CONNECTION = "it-rabbitmq-source";
    static final String ADMIN_PASSWORD = "it-rabbitmq-admin";
    static final String DATABASE = "it_rabbitmq_source";
    static final RabbitMqTestBroker broker = new RabbitMqTestBroker();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        broker.sourceProperties(registry, DATABASE, QUEUE, DLX, DLQ);
        registry.add("ingest.redelivery.initial-delay", () -> "20ms");
        registry.add("ingest.sources.http.publish-to", () -> "rabbitmq");
        registry.add("ingest.security.admin-password", () -> ADMIN_PASSWORD);
    }

    /** Names the app's connections, so a test can close exactly those, broker side. */
    @TestConfiguration
    static class Names {
        @Bean
        ConnectionNameStrategy connectionNameStrategy() {
            return cf -> CONNECTION;
        }
    }

    @Autowired
    JdbcTemplate jdbc;
    @Autowired
    TestRestTemplate http;
    @Autowired
    RabbitMqSource source;
    @Autowired
    RabbitMqHealthIndicator health;
    @Autowired
    MeterRegistry meters;

    @AfterAll
    static void close() {
        broker.close();
    }

    @BeforeEach
    void empty() {
        await().atMost(Duration.ofSeconds(30)).until(() -> broker.readyAndUnacked(QUEUE) == 0);
        jdbc.execute("TRUNCATE ingest_events, daily_stats, dead_letters");
        broker.drain(DLQ);
    }

    long rows() {
        return jdbc.queryForObject("SELECT count(*) FROM ingest_events", Long.class);
    }

    /** {@code unique} events of 3 metrics, each sent once plus about a fifth of them again, shuffled. */
    static List<byte[]> eventsWithDuplicates(String prefix, int unique, long seed) {
        Random random = new Random(seed);
        List<UUID> devices = List.of(UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID());
        List<byte[]> bodies = new ArrayList<>();
        for (int i = 0; i < unique; i++) {
            byte[] body = RabbitMqTestBroker.event(prefix + i, devices.get(i % devices.size()), i, 3);
            bodies.add(body);
            if (random.nextInt(5) == 0) {
                bodies.add(body);
            }
        }
        Collections.shuffle(bodies, random);
        return bodies;
    }

    @Test
    void thousandsOfEventsWithDuplicatesLandExactlyOnce() {
        List<byte[]> bodies = eventsWithDuplicates("once-", 5000, 1);
        assertThat(bodies.size()).isGreaterThan(5500);

        broker.publish(QUEUE, bodies);

        await().atMost(Duration.ofSeconds(60)).until(() -> rows() == 15_000);
        await().atMost(Duration.ofSeconds(30)).until(() -> broker.readyAndUnacked(QUEUE) == 0);
        assertThat(rows()).isEqualTo(15_000);
        assertThat(jdbc.queryForObject("SELECT sum(sample_count) FROM daily_stats", Long.class)).isEqualTo(15_000);
        assertThat(StatsInvariant.violations(jdbc)).isEmpty();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM dead_letters", Long.class)).isZero();
        // Batch dispatch: the source route saw batches, far fewer exchanges than messages.
        Counter routeExchanges = meters.find("camel.exchanges.total")
                .tag("routeId", RabbitMqSourceConfiguration.ROUTE_ID).counter();
        assertThat(routeExchanges).isNotNull();
        assertThat(routeExchanges.count()).isPositive().isLessThan(bodies.size() / 3.0);
    }

    @Test
    void oneMessagePerParameterAtOneInstantOrSharingAnEventIdLandsEveryRowAndRepeatsAreDuplicates() {
        perParameterMessagesLandEveryRow(broker, QUEUE, jdbc, meters, "shared-rabbitmq");
    }

    /** Issue 13's per-row case through a RabbitMQ source: all rows land, repeats count as duplicates. */
    static void perParameterMessagesLandEveryRow(RabbitMqTestBroker broker, String queue, JdbcTemplate jdbc,
                                                 MeterRegistry meters, String eventId) {
        UUID device = UUID.randomUUID();
        List<byte[]> messages = PerParameterMessages.bytes(PerParameterMessages.of(device, eventId));
        double success = PerParameterMessages.events(meters, "rabbitmq", "success");
        double duplicate = PerParameterMessages.events(meters, "rabbitmq", "duplicate");

        broker.publish(queue, messages);
        await().atMost(Duration.ofSeconds(15)).until(() -> PerParameterMessages.rows(jdbc, device) == PerParameterMessages.COUNT
                && PerParameterMessages.events(meters, "rabbitmq", "success") - success == PerParameterMessages.COUNT);
        broker.publish(queue, messages);
        await().atMost(Duration.ofSeconds(15)).until(() ->
                PerParameterMessages.events(meters, "rabbitmq", "duplicate") - duplicate == PerParameterMessages.COUNT);

        assertThat(PerParameterMessages.rows(jdbc, device)).isEqualTo(PerParameterMessages.COUNT);
        assertThat(PerParameterMessages.events(meters, "rabbitmq", "success") - success).isEqualTo(PerParameterMessages.COUNT);
        assertThat(StatsInvariant.violations(jdbc)).isEmpty();
    }

    @Test
    void invalidMessagesAreDeadLetteredWithHeadersAndValidOnesAroundThemLand() {
        UUID device = UUID.randomUUID();
        List<byte[]> bodies = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            bodies.add(RabbitMqTestBroker.event("mixed-" + i, device, i, 3));
            if (i % 50 == 0) {
                // Distinct bodies: without a message id, identical bodies are one message (one dead letter).
                bodies.add(("not json " + i).getBytes(StandardCharsets.UTF_8));
                bodies.add(("{\"device_id\":\"not-a-uuid\",\"n\":" + i + ",\"source_timestamp\":\"2026-11-22T00:00:00Z\","
                        + "\"metrics\":[{\"parameter_key\":\"v\",\"value\":1}]}").getBytes(StandardCharsets.UTF_8));
            }
        }

        broker.publish(QUEUE, bodies);

        await().atMost(Duration.ofSeconds(30)).until(() -> rows() == 600
                && jdbc.queryForObject("SELECT count(*) FROM dead_letters", Long.class) == 8);
        await().atMost(Duration.ofSeconds(10)).until(() -> broker.ready(DLQ) == 8);
        List<Message> deadLetters = broker.drain(DLQ);
        assertThat(deadLetters).hasSize(8);
        assertThat(deadLetters).extracting(m -> new String(m.getBody(), StandardCharsets.UTF_8))
                .filteredOn(b -> b.startsWith("not json")).hasSize(4);
        for (Message m : deadLetters) {
            Map<String, Object> headers = m.getMessageProperties().getHeaders();
            assertThat(headers).containsKeys("x-error-type", "x-error-message", "x-attempts", "x-source", "x-failed-at",
                    "x-dead-letter-id");
            assertThat(headers.get("x-error-type").toString()).isIn("json", "validation");
            assertThat(headers.get("x-source")).hasToString("rabbitmq");
        }
        assertThat(jdbc.queryForList("SELECT DISTINCT error_type FROM dead_letters ORDER BY 1", String.class))
                .containsExactly("json", "validation");
        assertThat(jdbc.queryForList("SELECT DISTINCT queue FROM dead_letters", String.class)).containsExactly(QUEUE);
        assertThat(StatsInvariant.violations(jdbc)).isEmpty();
    }

    @Test
    void replayPutsADeadLetterBackOnTheQueueAndItLands() {
        // A valid event parked as an operator finds it after a long outage exhausted its attempts.
        byte[] event = RabbitMqTestBroker.event("replayed-1", UUID.randomUUID(), 7, 3);
        long id = jdbc.queryForObject("""
                INSERT INTO dead_letters (source, queue, error_type, error_message, attempts, payload, headers, failed_at)
                VALUES ('rabbitmq', ?, 'exhausted', 'database down', 5, ?, '{}'::jsonb, now()) RETURNING id
                """, Long.class, QUEUE, new String(event, StandardCharsets.UTF_8));

        ResponseEntity<String> answer = http.withBasicAuth("admin", ADMIN_PASSWORD)
                .postForEntity("/v1/dead-letters/" + id + "/replay", null, String.class);

        assertThat(answer.getStatusCode().is2xxSuccessful()).as(answer.toString()).isTrue();
        await().atMost(Duration.ofSeconds(20)).until(() -> rows() == 3);
        assertThat(jdbc.queryForObject("SELECT replayed_at IS NOT NULL FROM dead_letters WHERE id = ?", Boolean.class, id))
                .isTrue();
        assertThat(jdbc.queryForList("SELECT DISTINCT event_id FROM ingest_events", String.class))
                .containsExactly("replayed-1");
    }

    @Test
    void httpPublishToRabbitmqAnswers202AfterTheConfirmAndTheEventsLand() {
        String array = "[" + new String(RabbitMqTestBroker.event("http-1", UUID.randomUUID(), 1, 3), StandardCharsets.UTF_8)
                + "," + new String(RabbitMqTestBroker.event("http-2", UUID.randomUUID(), 2, 3), StandardCharsets.UTF_8) + "]";
        HttpHeaders headers = new HttpHeaders();
        headers.setContentType(MediaType.APPLICATION_JSON);

        ResponseEntity<String> answer = http.postForEntity("/v1/events", new HttpEntity<>(array, headers), String.class);

        assertThat(answer.getStatusCode().value()).as(answer.getBody()).isEqualTo(202);
        assertThat(answer.getBody()).contains("\"accepted\":2");
        await().atMost(Duration.ofSeconds(20)).until(() -> rows() == 6);
        assertThat(StatsInvariant.violations(jdbc)).isEmpty();
    }

    @Test
    void connectionDroppedMidStreamReconnectsAndNothingIsLostOrDoubled() {
        List<byte[]> bodies = eventsWithDuplicates("drop-", 20_000, 2);
        int firstPart = 3_000;
        broker.publish(QUEUE, bodies.subList(0, firstPart));
        await().atMost(Duration.ofSeconds(30)).until(() -> rows() > 0);

        // Mid-stream for certain: the rest is delivered but cannot commit while the writers are held back.
        try (WriteBlock writers = WriteBlock.on(TestDatabase.url(DATABASE))) {
            broker.publish(QUEUE, bodies.subList(firstPart, bodies.size()));
            await().atMost(Duration.ofSeconds(30)).until(() -> broker.readyAndUnacked(QUEUE) > broker.ready(QUEUE));
            assertThat(rows()).as("the drop must come mid-stream").isLessThan(60_000);

            int closed = broker.closeConnections(CONNECTION);

            assertThat(closed).isPositive();
        }
        await().atMost(Duration.ofSeconds(90)).until(() -> rows() == 60_000);
        await().atMost(Duration.ofSeconds(30)).until(() -> broker.readyAndUnacked(QUEUE) == 0);
        assertThat(rows()).isEqualTo(60_000);
        assertThat(jdbc.queryForObject("SELECT sum(sample_count) FROM daily_stats", Long.class)).isEqualTo(60_000);
        assertThat(StatsInvariant.violations(jdbc)).isEmpty();
        assertThat(health.health().getStatus()).isEqualTo(Status.UP);
    }

    @Test
    void queueDepthAndHealthComeFromTheBroker() {
        assertThat(health.health().getStatus()).isEqualTo(Status.UP);
        assertThat(source.queueDepth()).isZero();
        assertThat(http.getForEntity("/actuator/health", String.class).getBody()).contains("\"rabbitmq\"");
    }
}
