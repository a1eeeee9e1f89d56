package routes.source.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nats.client.Connection;
import io.nats.client.JetStreamManagement;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.DeliverPolicy;
import io.nats.client.api.DiscardPolicy;
import io.nats.client.api.RetentionPolicy;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.apache.camel.CamelContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.ssl.DefaultSslBundleRegistry;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import routes.IngestApplication;
import routes.support.TestDatabase;

/**
 * Stream limits: a stream the app creates gets the configured limits with discard new; an existing stream
 * and consumer are compared, reported (health details) and left as they are, and the app consumes from them
 * (here a consumer with the max_deliver 5 of earlier versions). A full stream refuses publishes: HTTP
 * {@code publish-to: nats} answers 503 with Retry-After, and 202 again once the stream has room.
 */
@SpringBootTest(classes = IngestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class NatsStreamLimitsIT {

    static final String STREAM = "IT_NATS_LIMITS";
    static final String SUBJECT = "it.nats.limits.events";
    static final String DURABLE = "it_nats_limits";
    static final String DLQ_STREAM = "IT_NATS_LIMITS_DLQ";
    static final long FULL_AT = 3;

    @Autowired JdbcTemplate jdbc;
    @Autowired CamelContext camel;
    @Autowired TestRestTemplate http;
    @Autowired NatsHealthIndicator health;

    /** An existing stream (3 messages at most, no age or byte limit) and consumer (max_deliver 5), made before the app. */
    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws Exception {
        NatsTestSupport.deleteStreams(NatsTestSupport.URL, STREAM, DLQ_STREAM);
        try (Connection nats = NatsTestSupport.connect(NatsTestSupport.URL)) {
            JetStreamManagement jsm = nats.jetStreamManagement();
            jsm.addStream(StreamConfiguration.builder().name(STREAM).subjects(SUBJECT)
                    .retentionPolicy(RetentionPolicy.WorkQueue).storageType(StorageType.File)
                    .maxMessages(FULL_AT).discardPolicy(DiscardPolicy.New).build());
            jsm.addOrUpdateConsumer(STREAM, ConsumerConfiguration.builder().durable(DURABLE).filterSubject(SUBJECT)
                    .ackPolicy(AckPolicy.Explicit).deliverPolicy(DeliverPolicy.All)
                    .maxDeliver(5).ackWait(Duration.ofSeconds(30)).maxAckPending(20000).build());
        }
        registry.add("spring.datasource.url", () -> TestDatabase.recreate("it_nats_limits"));
        registry.add("ingest.embedded-db.enabled", () -> "false");
        registry.add("ingest.sources.nats.enabled", () -> "true");
        registry.add("ingest.sources.nats.url", () -> NatsTestSupport.URL);
        registry.add("ingest.sources.nats.stream", () -> STREAM);
        registry.add("ingest.sources.nats.subject", () -> SUBJECT);
        registry.add("ingest.sources.nats.durable", () -> DURABLE);
        registry.add("ingest.sources.nats.dlq-stream", () -> DLQ_STREAM);
        registry.add("ingest.sources.nats.dlq-subject", () -> "it.nats.limits.dlq");
        registry.add("ingest.sources.nats.retry-after", () -> "7s");
        registry.add("ingest.sources.http.publish-to", () -> "nats");
    }

    @AfterAll
    static void cleanUp() {
        NatsTestSupport.deleteStreams(NatsTestSupport.URL, STREAM, DLQ_STREAM);
    }

    @Test
    void anExistingStreamAndConsumerAreReportedAndLeftAsTheyAre() throws Exception {
        var details = health.health().getDetails();
        assertThat(details.get("differences")).asString()
                .contains("stream " + STREAM, "max_msgs 3, configured 1000000", "max_age unlimited, configured 24h",
                        "max_bytes unlimited, configured 1073741824")
                .contains("consumer " + DURABLE + " on " + STREAM, "max_deliver 5, expected unlimited");
        try (Connection nats = NatsTestSupport.connect(NatsTestSupport.URL)) {
            StreamConfiguration stream = nats.jetStreamManagement().getStreamInfo(STREAM).getConfiguration();
            assertThat(stream.getMaxMsgs()).isEqualTo(FULL_AT);
            assertThat(stream.getMaxAge()).isEqualTo(Duration.ZERO);
            ConsumerConfiguration consumer = nats.jetStreamManagement().getConsumerInfo(STREAM, DURABLE).getConsumerConfiguration();
            assertThat(consumer.getMaxDeliver()).as("not changed by the app").isEqualTo(5);
            // The dead-letter stream did not exist: the app created it, with limits and discard new.
            StreamConfiguration dlq = nats.jetStreamManagement().getStreamInfo(DLQ_STREAM).getConfiguration();
            assertThat(dlq.getDiscardPolicy()).isEqualTo(DiscardPolicy.New);
            assertThat(dlq.getMaxAge()).isEqualTo(Duration.ofHours(168));
            assertThat(dlq.getMaxMsgs()).isEqualTo(1_000_000);
            assertThat(dlq.getMaxBytes()).isEqualTo(1L << 30);
        }
    }

    @Test
    void aFullStreamRefusesPublishesWith503AndRetryAfterUntilItHasRoom() throws Exception {
        UUID device = UUID.randomUUID();
        camel.getRouteController().stopRoute("nats-source");
        try {
            for (int i = 0; i < FULL_AT; i++) {
                assertThat(post(device, i).getStatusCode().value()).isEqualTo(202);
            }
            ResponseEntity<String> full = post(device, 3);
            assertThat(full.getStatusCode().value()).as(full.getBody()).isEqualTo(503);
            assertThat(full.getHeaders().getFirst("Retry-After")).isEqualTo("7");
            assertThat(full.getBody()).contains("unavailable", STREAM);
        } finally {
            camel.getRouteController().startRoute("nats-source");
        }
        // Consumed (with the existing consumer's max_deliver 5): the stream has room again.
        await().atMost(Duration.ofSeconds(30)).until(() -> rows(device) == FULL_AT * 3);
        assertThat(post(device, 3).getStatusCode().value()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(30)).until(() -> rows(device) == (FULL_AT + 1) * 3);
    }

    /** The app's connector on a stream it creates: the configured limits, discard new. */
    @Test
    void aStreamTheAppCreatesGetsTheConfiguredLimits() throws Exception {
        String stream = "IT_NATS_LIMITS_NEW";
        NatsTestSupport.deleteStreams(NatsTestSupport.URL, stream, stream + "_DLQ");
        NatsSourceProperties properties = NatsTestSupport.properties(Map.of("url", NatsTestSupport.URL,
                "stream", stream, "subject", "it.nats.limits.new", "dlq-stream", stream + "_DLQ",
                "dlq-subject", "it.nats.limits.new.dlq", "stream-limits.max-age", "2h",
                "stream-limits.max-msgs", "1234", "stream-limits.max-bytes", "10MB"));
        try (NatsConnector nats = NatsConnector.of(properties, new DefaultSslBundleRegistry());
             Connection c = NatsTestSupport.connect(NatsTestSupport.URL)) {
            nats.start(Duration.ofSeconds(10));
            StreamConfiguration created = c.jetStreamManagement().getStreamInfo(stream).getConfiguration();
            assertThat(created.getRetentionPolicy()).isEqualTo(RetentionPolicy.WorkQueue);
            assertThat(created.getMaxAge()).isEqualTo(Duration.ofHours(2));
            assertThat(created.getMaxMsgs()).isEqualTo(1234);
            assertThat(created.getMaxBytes()).isEqualTo(10L * 1024 * 1024);
            assertThat(created.getDiscardPolicy()).isEqualTo(DiscardPolicy.New);
            assertThat(nats.details()).doesNotContainKey("differences");
        } finally {
            NatsTestSupport.deleteStreams(NatsTestSupport.URL, stream, stream + "_DLQ");
        }
    }

    private ResponseEntity<String> post(UUID device, int i) {
        HttpHeaders headers = new HttpHeaders();
        headers.setContentType(MediaType.APPLICATION_JSON);
        byte[] body = NatsTestSupport.event("limits-" + i, device, Instant.parse("2026-11-20T00:00:00Z").plusSeconds(i), i);
        return http.postForEntity("/v1/events", new HttpEntity<>(new String(body, StandardCharsets.UTF_8), headers), String.class);
    }

    private long rows(UUID device) {
        return jdbc.queryForObject("SELECT count(*) FROM ingest_events WHERE device_id = ?", Long.class, device);
    }
}
