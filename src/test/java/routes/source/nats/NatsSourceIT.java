package routes.source.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nats.client.Connection;
import io.nats.client.JetStreamSubscription;
import io.nats.client.Message;
import io.nats.client.PullSubscribeOptions;
import io.nats.client.api.ConsumerInfo;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import com.fasterxml.jackson.databind.ObjectMapper;
import routes.IngestApplication;
import routes.pipeline.validate.EventParser;
import routes.support.StatsInvariant;
import routes.support.PerParameterMessages;
import io.micrometer.core.instrument.MeterRegistry;
import routes.support.TestDatabase;

/** NATS JetStream → PostgreSQL with the real local NATS and PostgreSQL, on this class's own streams. */
@SpringBootTest(classes = IngestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class NatsSourceIT {

    static final String STREAM = "IT_NATS_SOURCE";
    static final String SUBJECT = "it.nats.source.events";
    static final String DURABLE = "it_nats_source";
    static final String DLQ_STREAM = "IT_NATS_SOURCE_DLQ";
    static final String DLQ_SUBJECT = "it.nats.source.dlq";
    static final int MAX_DELIVER = 5;
    static final String ADMIN_PASSWORD = "nats-source-it";

    static Connection nats;

    @Autowired JdbcTemplate jdbc;
    @Autowired CamelContext camel;
    @Autowired TestRestTemplate http;
    @Autowired NatsSource source;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        NatsTestSupport.deleteStreams(NatsTestSupport.URL, STREAM, DLQ_STREAM);
        registry.add("spring.datasource.url", () -> TestDatabase.recreate("it_nats_source"));
        registry.add("ingest.embedded-db.enabled", () -> "false");
        registry.add("ingest.sources.nats.enabled", () -> "true");
        registry.add("ingest.sources.nats.url", () -> NatsTestSupport.URL);
        registry.add("ingest.sources.nats.stream", () -> STREAM);
        registry.add("ingest.sources.nats.subject", () -> SUBJECT);
        registry.add("ingest.sources.nats.durable", () -> DURABLE);
        registry.add("ingest.sources.nats.dlq-stream", () -> DLQ_STREAM);
        registry.add("ingest.sources.nats.dlq-subject", () -> DLQ_SUBJECT);
        registry.add("ingest.sources.nats.max-deliver", () -> Integer.toString(MAX_DELIVER));
        registry.add("ingest.sources.http.publish-to", () -> "nats");
        registry.add("ingest.security.admin-password", () -> ADMIN_PASSWORD);
        // Slow enough back-off that "the messages behind were not held up" is visible: 1+2+4+8 s.
        registry.add("ingest.redelivery.initial-delay", () -> "1s");
    }

    @BeforeAll
    static void connect() throws Exception {
        nats = NatsTestSupport.connect(NatsTestSupport.URL);
    }

    @AfterAll
    static void close() throws Exception {
        nats.close();
    }

    /** Every delivery the route saw: JetStream delivery count and body. */
    record Delivery(long delivered, long sequence, String body, String msgId) {
    }

    /**
     * Every delivery the consumer hands to the route: a batch exchange's message exchanges, or a single
     * exchange. A message of a batch that then takes the per-message route is created once, so it is
     * recorded once (by exchange id).
     */
    private Queue<Delivery> recordDeliveries() {
        Queue<Delivery> deliveries = new ConcurrentLinkedQueue<>();
        Set<String> recorded = ConcurrentHashMap.newKeySet();
        camel.getManagementStrategy().addEventNotifier(new EventNotifierSupport() {
            @Override
            public void notify(CamelEvent event) {
                if (event instanceof CamelEvent.ExchangeCreatedEvent created
                        && "nats-source".equals(created.getExchange().getFromRouteId())) {
                    Object body = created.getExchange().getMessage().getBody();
                    List<?> messages = body instanceof List<?> list ? list : List.of(created.getExchange());
                    for (Object each : messages) {
                        Exchange exchange = (Exchange) each;
                        if (recorded.add(exchange.getExchangeId())) {
                            var message = exchange.getMessage();
                            deliveries.add(new Delivery(message.getHeader(JetStreamConsumer.DELIVERED, 0L, Long.class),
                                    message.getHeader(JetStreamConsumer.STREAM_SEQUENCE, 0L, Long.class),
                                    new String(message.getBody(byte[].class), StandardCharsets.UTF_8),
                                    message.getHeader(NatsSource.MSG_ID, String.class)));
                        }
                    }
                }
            }
        });
        return deliveries;
    }

    private void publish(byte[] body) throws Exception {
        nats.jetStream().publish(SUBJECT, body);
    }

    private long rows(UUID device) {
        return jdbc.queryForObject("SELECT count(*) FROM ingest_events WHERE device_id = ?", Long.class, device);
    }

    @Autowired MeterRegistry meters;

    @Test
    void oneMessagePerParameterAtOneInstantOrSharingAnEventIdLandsEveryRowAndRepeatsAreDuplicates() throws Exception {
        UUID device = UUID.randomUUID();
        List<byte[]> messages = PerParameterMessages.bytes(PerParameterMessages.of(device, "shared-nats"));
        double success = PerParameterMessages.events(meters, "nats", "success");
        double duplicate = PerParameterMessages.events(meters, "nats", "duplicate");

        // The first of each group committed before the others come: separate pulls in flight at once
        // would otherwise not see each other's keys, and land even where keys collide.
        int half = PerParameterMessages.COUNT / 2;
        publish(messages.get(0));
        await().atMost(Duration.ofSeconds(10)).until(() -> rows(device) == 1);
        publish(messages.get(half));
        await().atMost(Duration.ofSeconds(10)).until(() -> rows(device) == 2);
        for (int i = 0; i < messages.size(); i++) {
            if (i != 0 && i != half) {
                publish(messages.get(i));
            }
        }
        await().atMost(Duration.ofSeconds(15)).until(() -> rows(device) == PerParameterMessages.COUNT
                && PerParameterMessages.events(meters, "nats", "success") - success == PerParameterMessages.COUNT);
        for (byte[] message : messages) {
            publish(message);
        }
        await().atMost(Duration.ofSeconds(15)).until(() ->
                PerParameterMessages.events(meters, "nats", "duplicate") - duplicate == PerParameterMessages.COUNT);

        assertThat(rows(device)).isEqualTo(PerParameterMessages.COUNT);
        assertThat(PerParameterMessages.events(meters, "nats", "success") - success).isEqualTo(PerParameterMessages.COUNT);
        assertThat(StatsInvariant.violations(jdbc)).isEmpty();
    }

    @Test
    void thousandsOfEventsWithDuplicatesLandExactlyOnce() throws Exception {
        UUID device = UUID.randomUUID();
        Instant start = Instant.parse("2026-11-20T00:00:00Z");
        int events = 3000;
        for (int i = 0; i < events; i++) {
            publish(NatsTestSupport.event("bulk-" + i, device, start.plusSeconds(i * 7L), i % 500));
            if (i % 6 == 0) {
                // A resend without Nats-Msg-Id: JetStream keeps it, the pipeline must not double it.
                publish(NatsTestSupport.event("bulk-" + i, device, start.plusSeconds(i * 7L), i % 500));
            }
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> rows(device) == events * 3L);
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            ConsumerInfo info = nats.jetStreamManagement().getConsumerInfo(STREAM, DURABLE);
            return info.getNumPending() == 0 && info.getNumAckPending() == 0;
        });
        assertThat(rows(device)).isEqualTo(events * 3L);
        assertThat(jdbc.queryForObject("SELECT sum(sample_count) FROM daily_stats WHERE device_id = ?", Long.class, device))
                .isEqualTo(events * 3L);
        assertThat(StatsInvariant.violations(jdbc)).isEmpty();
        // Workqueue retention: acked messages leave the stream.
        assertThat(NatsTestSupport.messages(nats, STREAM)).isZero();
        assertThat(source.queueDepth()).isZero();
    }

    @Test
    void failingMessageIsDeliveredMaxDeliverTimesThenDeadLetteredWithoutHoldingUpOthers() throws Exception {
        UUID poison = UUID.randomUUID();
        UUID good = UUID.randomUUID();
        jdbc.execute("""
                CREATE OR REPLACE FUNCTION refuse_poison() RETURNS trigger AS $$
                BEGIN
                  IF NEW.device_id = '%s' THEN RAISE EXCEPTION 'device %s is refused by the test trigger'; END IF;
                  RETURN NEW;
                END $$ LANGUAGE plpgsql""".formatted(poison, poison));
        jdbc.execute("CREATE TRIGGER refuse_poison BEFORE INSERT ON ingest_events FOR EACH ROW EXECUTE FUNCTION refuse_poison()");
        try {
            Queue<Delivery> deliveries = recordDeliveries();
            Instant time = Instant.parse("2026-11-21T08:00:00Z");
            publish(NatsTestSupport.event("poison-1", poison, time, 1));
            for (int i = 0; i < 200; i++) {
                publish(NatsTestSupport.event("behind-" + i, good, time.plusSeconds(i), i));
            }
            // The 200 messages behind land while the poison one is still being redelivered (≥ 15 s of back-off).
            await().atMost(Duration.ofSeconds(60)).until(() -> rows(good) == 600);
            assertThat(deadLetters(poison)).isZero();
            assertThat(deliveries.stream().filter(d -> d.body().contains(poison.toString()))).hasSizeLessThan(MAX_DELIVER);

            await().atMost(Duration.ofSeconds(90)).until(() -> deadLetters(poison) == 1);
            Map<String, Object> dead = jdbc.queryForMap(
                    "SELECT source, queue, error_type, attempts FROM dead_letters WHERE payload LIKE ?", "%" + poison + "%");
            assertThat(dead).containsEntry("source", "nats").containsEntry("queue", SUBJECT)
                    .containsEntry("error_type", "exhausted").containsEntry("attempts", MAX_DELIVER);
            List<Long> counts = deliveries.stream().filter(d -> d.body().contains(poison.toString()))
                    .map(Delivery::delivered).toList();
            assertThat(counts).containsExactly(1L, 2L, 3L, 4L, 5L);

            Message parked = lastDeadLetter();
            assertThat(new String(parked.getData(), StandardCharsets.UTF_8)).contains(poison.toString());
            assertThat(parked.getHeaders().getFirst("x-error-type")).isEqualTo("exhausted");
            assertThat(parked.getHeaders().getFirst("x-attempts")).isEqualTo("5");
            assertThat(parked.getHeaders().getFirst("x-source")).isEqualTo("nats");
            // Acked after dead-lettering: JetStream no longer holds it.
            long poisonSequence = deliveries.stream().filter(d -> d.body().contains(poison.toString())).findFirst()
                    .orElseThrow().sequence();
            await().atMost(Duration.ofSeconds(10)).until(() -> gone(poisonSequence));
            assertThat(rows(poison)).isZero();

            // Replay: once the database takes the device again, the dead letter lands through NATS.
            jdbc.execute("DROP TRIGGER refuse_poison ON ingest_events");
            long id = jdbc.queryForObject("SELECT id FROM dead_letters WHERE payload LIKE ?", Long.class, "%" + poison + "%");
            ResponseEntity<String> replay = http.withBasicAuth("admin", ADMIN_PASSWORD)
                    .postForEntity("/v1/dead-letters/" + id + "/replay", null, String.class);
            assertThat(replay.getStatusCode().is2xxSuccessful()).as(replay.toString()).isTrue();
            await().atMost(Duration.ofSeconds(20)).until(() -> rows(poison) == 3);
            assertThat(jdbc.queryForObject("SELECT replayed_at IS NOT NULL FROM dead_letters WHERE id = ?", Boolean.class, id))
                    .isTrue();
            assertThat(StatsInvariant.violations(jdbc)).isEmpty();
        } finally {
            jdbc.execute("DROP TRIGGER IF EXISTS refuse_poison ON ingest_events");
        }
    }

    @Test
    void invalidMessagesAreDeadLetteredAtOnce() throws Exception {
        Queue<Delivery> deliveries = recordDeliveries();
        String marker = UUID.randomUUID().toString();
        publish(("not json " + marker).getBytes(StandardCharsets.UTF_8));
        publish(("{\"device_id\":\"not-a-uuid\",\"event_id\":\"" + marker + "\",\"source_timestamp\":\"2026-11-21T08:00:00Z\","
                + "\"metrics\":[{\"parameter_key\":\"v\",\"value\":1}]}").getBytes(StandardCharsets.UTF_8));
        await().atMost(Duration.ofSeconds(20)).until(() -> jdbc.queryForObject(
                "SELECT count(*) FROM dead_letters WHERE payload LIKE ?", Long.class, "%" + marker + "%") == 2);
        List<Map<String, Object>> dead = jdbc.queryForList(
                "SELECT error_type, attempts FROM dead_letters WHERE payload LIKE ? ORDER BY error_type", "%" + marker + "%");
        assertThat(dead).extracting(m -> m.get("error_type")).containsExactly("json", "validation");
        assertThat(dead).extracting(m -> m.get("attempts")).containsOnly(1);
        List<Delivery> invalid = deliveries.stream().filter(d -> d.body().contains(marker)).toList();
        assertThat(invalid).extracting(Delivery::delivered).containsExactly(1L, 1L);
        for (Delivery d : invalid) {
            await().atMost(Duration.ofSeconds(10)).until(() -> gone(d.sequence()));
        }
    }

    @Test
    void httpPublishToNatsAnswers202AfterThePubAckAndSetsNatsMsgId() throws Exception {
        UUID device = UUID.randomUUID();
        String eventId = "http-" + device;
        byte[] body = NatsTestSupport.event(eventId, device, Instant.parse("2026-11-22T10:15:30.250Z"), 229.7);
        HttpHeaders headers = new HttpHeaders();
        headers.setContentType(MediaType.APPLICATION_JSON);
        long before = nats.jetStreamManagement().getStreamInfo(STREAM).getStreamState().getLastSequence();
        Queue<Delivery> deliveries = recordDeliveries();
        for (int i = 0; i < 2; i++) {
            ResponseEntity<String> answer = http.postForEntity("/v1/events",
                    new HttpEntity<>(new String(body, StandardCharsets.UTF_8), headers), String.class);
            assertThat(answer.getStatusCode().value()).as(answer.getBody()).isEqualTo(202);
            // The 202 comes after the PubAck: the message is in the stream already.
            long last = nats.jetStreamManagement().getStreamInfo(STREAM).getStreamState().getLastSequence();
            assertThat(last).isEqualTo(before + 1);
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> rows(device) == 3);
        // The resend was dropped by JetStream's duplicate window (Nats-Msg-Id = the message key): one delivery only.
        assertThat(deliveries.stream().filter(d -> d.body().contains(device.toString())).map(Delivery::msgId))
                .containsExactly(new EventParser(new ObjectMapper()).parse(body).messageKey());
    }

    @Test
    void httpPublishToNatsLandsEveryRowOfMessagesSharingAnEventIdOrAnInstant() {
        UUID device = UUID.randomUUID();
        HttpHeaders headers = new HttpHeaders();
        headers.setContentType(MediaType.APPLICATION_JSON);
        String array = "[" + String.join(",", PerParameterMessages.of(device, "http-shared-" + device)) + "]";

        ResponseEntity<String> answer = http.postForEntity("/v1/events", new HttpEntity<>(array, headers), String.class);

        assertThat(answer.getStatusCode().value()).as(answer.getBody()).isEqualTo(202);
        // Nats-Msg-Id is the message's key, not its event_id: JetStream drops none of them.
        await().atMost(Duration.ofSeconds(20)).until(() -> rows(device) == PerParameterMessages.COUNT);
    }

    /** Whether the stream no longer holds the message (workqueue retention removes it on ack). */
    private boolean gone(long sequence) throws Exception {
        try {
            nats.jetStreamManagement().getMessage(STREAM, sequence);
            return false;
        } catch (io.nats.client.JetStreamApiException e) {
            return true;
        }
    }

    private long deadLetters(UUID device) {
        return jdbc.queryForObject("SELECT count(*) FROM dead_letters WHERE payload LIKE ?", Long.class, "%" + device + "%");
    }

    /** The newest message of the dead-letter stream, read with an ephemeral pull consumer. */
    private Message lastDeadLetter() throws Exception {
        JetStreamSubscription sub = nats.jetStream().subscribe(DLQ_SUBJECT, PullSubscribeOptions.builder().build());
        try {
            List<Message> all = new ArrayList<>();
            List<Message> batch;
            do {
                batch = sub.fetch(100, Duration.ofMillis(500));
                all.addAll(batch);
            } while (!batch.isEmpty());
            assertThat(all).isNotEmpty();
            return all.get(all.size() - 1);
        } finally {
            sub.unsubscribe();
        }
    }
}
