package routes.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.jedis.JedisConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import routes.IngestApplication;
import routes.status.MessageStatus;
import routes.status.MessageStatusStore;
import routes.support.TestDatabase;

/**
 * The delivery sink end to end: the whole application against the local Redis and PostgreSQL,
 * delivering to a real HTTPS server (client certificates required) with certificates made here.
 */
class DeliveryIT {

    private static final String DB = "it_delivery";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @TempDir
    static Path dir;
    static String dbUrl;
    static JdbcTemplate jdbc;
    static JedisConnectionFactory redisFactory;
    static StringRedisTemplate redis;
    static TestPki.Issued ca;
    static Path caFile;
    static TestPki.Paths goodClient;
    static TestPki.Paths strangerClient;

    MainServerStub server;
    ConfigurableApplicationContext app;
    String prefix;

    @BeforeAll
    static void setUpServices() throws Exception {
        dbUrl = TestDatabase.recreate(DB);
        jdbc = new JdbcTemplate(new DriverManagerDataSource(dbUrl, TestDatabase.USER, ""));
        redisFactory = new JedisConnectionFactory(new RedisStandaloneConfiguration("127.0.0.1", 6379));
        redisFactory.afterPropertiesSet();
        redisFactory.start();
        redis = new StringRedisTemplate(redisFactory);
        ca = TestPki.ca("it-ca");
        caFile = TestPki.writeCa(ca, dir, "ca");
        goodClient = TestPki.client(ca, "it-worker").writePem(dir, "worker");
        strangerClient = TestPki.client(TestPki.ca("stranger-ca"), "stranger").writePem(dir, "stranger");
    }

    @AfterAll
    static void tearDownServices() {
        redisFactory.destroy();
    }

    @BeforeEach
    void startServer(TestInfo test) throws Exception {
        server = new MainServerStub(TestPki.serverContext(TestPki.server(ca, "localhost"), ca));
        prefix = "it_delivery:" + test.getTestMethod().orElseThrow().getName();
        Set<String> keys = redis.keys(prefix + "*");
        if (keys != null && !keys.isEmpty()) {
            redis.delete(keys);
        }
    }

    @AfterEach
    void stop() {
        if (app != null) {
            app.close();
        }
        server.close();
    }

    @Test
    void deliversWithTheRightClientCertificateAndCountsIt() throws Exception {
        app = start(Map.of());
        push("{\"message_id\":\"m-ok\",\"payload\":{\"temperature\":21.5}}");

        await().atMost(Duration.ofSeconds(20)).until(() -> server.delivered().size() == 1);
        JsonNode body = MAPPER.readTree(server.delivered().get(0).body());
        assertThat(body.get("message_id").asText()).isEqualTo("m-ok");
        assertThat(body.get("worker_id").asText()).isEqualTo("it-worker-1");
        assertThat(body.get("payload").get("temperature").asDouble()).isEqualTo(21.5);
        await().atMost(Duration.ofSeconds(10)).until(() -> processingEmpty() && statusOf("m-ok").equals("completed"));
        assertThat(redis.opsForList().size(queue())).isZero();

        String prometheus = get("/actuator/prometheus");
        assertThat(prometheus)
                .contains("worker_messages_processed_total{application=\"ingest-routes\"} 1.0")
                .contains("worker_messages_delivered_total{application=\"ingest-routes\"} 1.0")
                .contains("worker_messages_failed_total")
                .contains("worker_messages_retried_total")
                .contains("worker_delivery_duration_seconds_bucket")
                .contains("worker_queue_wait_seconds_bucket")
                .contains("worker_processing_messages")
                .contains("ingest_workers{application=\"ingest-routes\",queue=\"" + queue() + "\",source=\"delivery\"}");
    }

    @Test
    void failingEndpointIsRetriedAndTheMessageDeliveredExactlyOnceWhenItRecovers() throws Exception {
        int failures = 3;
        server.answer = (n, body) -> n <= failures ? new MainServerStub.Reply(503, "busy") : MainServerStub.Reply.OK;
        app = start(Map.of());
        push("{\"message_id\":\"m-flaky\",\"payload\":{\"n\":1}}");

        await().atMost(Duration.ofSeconds(30)).until(() -> server.delivered().size() == 1);
        await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(5))
                .until(() -> server.delivered().size() == 1);
        assertThat(server.deliveries).hasSize(failures + 1);
        assertThat(server.statusReports).hasSize(failures);
        for (int i = 0; i < failures; i++) {
            MainServerStub.Request report = server.statusReports.get(i);
            JsonNode json = MAPPER.readTree(report.body());
            assertThat(report.path()).isEqualTo("/internal/messages/m-flaky/status");
            assertThat(json.get("status").asText()).isEqualTo("queued");
            assertThat(json.get("attempt_count").asInt()).isEqualTo(i + 1);
            assertThat(json.get("error_message").asText()).contains("HTTP 503");
        }
        MeterRegistry registry = app.getBean(MeterRegistry.class);
        assertThat(registry.get(DeliveryMetrics.RETRIED).counter().count()).isEqualTo(failures);
        assertThat(registry.get(DeliveryMetrics.FAILED).counter().count()).isEqualTo(failures);
        await().atMost(Duration.ofSeconds(5)).until(() -> statusOf("m-flaky").equals("completed"));
        assertThat(status("m-flaky").attempts()).isEqualTo(failures + 1);
    }

    @Test
    void refusedClientCertificateIsRetriedNotLostAndDeliveredAfterARestartWithTheRightOne() throws Exception {
        app = start(Map.of(
                "ingest.delivery.tls.certificate", strangerClient.certificate().toString(),
                "ingest.delivery.tls.private-key", strangerClient.privateKey().toString()));
        push("{\"message_id\":\"m-stranger\",\"payload\":{}}");

        // Refused at the handshake, again and again: parked for its retry each time, never lost.
        await().atMost(Duration.ofSeconds(30)).until(() -> attemptsInDelayedSet() >= 2);
        assertThat(server.deliveries).isEmpty();
        app.close();
        app = null;
        assertThat(redis.opsForZSet().zCard(delayed()) + redis.opsForList().size(queue())).isEqualTo(1);
        assertThat(processingEmpty()).isTrue();
        String parked = redis.opsForZSet().range(delayed(), 0, -1).stream().findFirst()
                .orElseGet(() -> redis.opsForList().index(queue(), 0));
        // With TLS 1.3 the server refuses the certificate after the client finished its handshake: the client sees EOF.
        assertThat(MAPPER.readTree(parked).get("last_error").asText()).isNotBlank();

        // Restarted (with the right certificate) while the message waits for its retry: delivered once.
        app = start(Map.of());
        await().atMost(Duration.ofSeconds(30)).until(() -> server.delivered().size() == 1);
        assertThat(server.delivered().get(0).body()).contains("m-stranger");
        await().atMost(Duration.ofSeconds(5)).until(() -> statusOf("m-stranger").equals("completed"));
        assertThat(redis.opsForZSet().zCard(delayed())).isZero();
    }

    @Test
    void clientWithoutCertificateIsRefusedAndTheMessageKeptForRetries() throws Exception {
        app = start(Map.of("ingest.delivery.tls.certificate", "", "ingest.delivery.tls.private-key", ""));
        push("{\"message_id\":\"m-nocert\",\"payload\":{}}");

        await().atMost(Duration.ofSeconds(30)).until(() -> attemptsInDelayedSet() >= 2);
        assertThat(server.deliveries).isEmpty();
        assertThat(statusOf("m-nocert")).isIn("queued", "running");
        assertThat(status("m-nocert").lastError()).isNotBlank();
    }

    @Test
    void exhaustedMessageIsDeadLetteredWithTheLastError() throws Exception {
        server.answer = (n, body) -> new MainServerStub.Reply(500, "boom " + n);
        app = start(Map.of("ingest.delivery.max-attempts", "3"));
        push("{\"message_id\":\"m-doomed\",\"payload\":{\"x\":1}}");

        await().atMost(Duration.ofSeconds(30)).until(() -> redis.opsForList().size(dlq()) == 1);
        Map<String, Object> row = jdbc.queryForMap(
                "SELECT id, source, queue, error_type, error_message, attempts, payload FROM dead_letters WHERE payload LIKE '%m-doomed%'");
        assertThat(row.get("source")).isEqualTo("delivery");
        assertThat(row.get("queue")).isEqualTo(queue());
        assertThat(row.get("error_type")).isEqualTo("exhausted");
        assertThat(row.get("attempts")).isEqualTo(3);
        assertThat((String) row.get("error_message")).contains("HTTP 500: boom 3");
        assertThat(MAPPER.readTree((String) row.get("payload")).get("payload").get("x").asInt()).isEqualTo(1);
        JsonNode dead = MAPPER.readTree(redis.opsForList().index(dlq(), 0));
        assertThat(dead.get("x-error-message").asText()).contains("boom 3");
        assertThat(dead.get("message_id").asText()).isEqualTo("m-doomed");
        assertThat(server.deliveries).hasSize(3);
        assertThat(redis.opsForZSet().zCard(delayed())).isZero();
        assertThat(processingEmpty()).isTrue();
        MessageStatus status = status("m-doomed");
        assertThat(status.status()).isEqualTo("failed");
        assertThat(status.attempts()).isEqualTo(3);
        assertThat(status.lastError()).contains("boom 3");
        assertThat(status.deadLetterId()).as("linked to its dead letter").isEqualTo(((Number) row.get("id")).longValue());
        assertThat(server.statusReports).hasSize(3);
        assertThat(MAPPER.readTree(server.statusReports.get(2).body()).get("status").asText()).isEqualTo("failed");
    }

    @Test
    void statusRowFollowsAMessageThroughItsLifeIncludingAFailure() throws Exception {
        CountDownLatch firstArrived = new CountDownLatch(1);
        CountDownLatch releaseFirst = new CountDownLatch(1);
        AtomicBoolean recovered = new AtomicBoolean();
        server.answer = (n, body) -> {
            if (n == 1) {
                firstArrived.countDown();
                releaseFirst.await(20, TimeUnit.SECONDS);
                return new MainServerStub.Reply(502, "upstream down");
            }
            return recovered.get() ? MainServerStub.Reply.OK : new MainServerStub.Reply(502, "still down");
        };
        app = start(Map.of("ingest.delivery.retry-interval", "1s"));
        push("{\"message_id\":\"m-life\",\"payload\":{}}");

        assertThat(firstArrived.await(20, TimeUnit.SECONDS)).isTrue();
        MessageStatus running = status("m-life");
        assertThat(running.status()).isEqualTo("running");
        assertThat(running.attempts()).isEqualTo(1);
        assertThat(running.startedAt()).isNotNull();
        assertThat(running.completedAt()).isNull();

        releaseFirst.countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> statusOf("m-life").equals("queued"));
        MessageStatus queued = status("m-life");
        assertThat(queued.lastError()).contains("HTTP 502: upstream down");
        JsonNode api = MAPPER.readTree(get("/v1/messages/m-life"));
        assertThat(api.get("status").asText()).isIn("queued", "running");
        assertThat(api.get("source").asText()).isEqualTo("delivery");

        recovered.set(true);
        await().atMost(Duration.ofSeconds(20)).until(() -> statusOf("m-life").equals("completed"));
        MessageStatus done = status("m-life");
        assertThat(done.attempts()).isGreaterThanOrEqualTo(2);
        assertThat(done.completedAt()).isNotNull();
        assertThat(done.lastError()).as("the last failure stays visible").contains("HTTP 502");
        assertThat(get("/v1/messages/no-such-message")).contains("no status");
    }

    @Test
    void poolGrowsUnderAPreloadedBacklogAndShrinksWhenItDrains() throws Exception {
        server.answer = (n, body) -> {
            Thread.sleep(40);
            return MainServerStub.Reply.OK;
        };
        int messages = 200;
        for (int i = 0; i < messages; i++) {
            push("{\"message_id\":\"m-pool-" + i + "\",\"payload\":{}}");
        }
        app = start(Map.of(
                "ingest.delivery.pool.min", "1",
                "ingest.delivery.pool.max", "4",
                "ingest.delivery.pool.scale-up-depth", "5",
                "ingest.delivery.pool.check-interval", "200ms",
                "ingest.delivery.track-status", "false"));
        MeterRegistry registry = app.getBean(MeterRegistry.class);

        await().atMost(Duration.ofSeconds(20)).until(() -> workers(registry) == 4);
        await().atMost(Duration.ofSeconds(60)).until(() -> server.delivered().size() == messages);
        await().atMost(Duration.ofSeconds(20)).until(() -> workers(registry) == 1);
        assertThat(server.maxInFlight.get()).isGreaterThan(1);
        assertThat(server.delivered().stream().map(MainServerStub.Request::body).distinct()).hasSize(messages);
    }

    @Test
    void stopLetsInFlightDeliveriesFinishWithinTheShutdownTimeout() throws Exception {
        CountDownLatch arrived = new CountDownLatch(1);
        server.answer = (n, body) -> {
            arrived.countDown();
            Thread.sleep(1500);
            return MainServerStub.Reply.OK;
        };
        app = start(Map.of("ingest.delivery.shutdown-timeout", "10s"));
        push("{\"message_id\":\"m-finish\",\"payload\":{}}");
        assertThat(arrived.await(20, TimeUnit.SECONDS)).isTrue();

        app.close();
        app = null;

        assertThat(server.delivered()).hasSize(1);
        assertThat(processingEmpty()).isTrue();
        assertThat(redis.opsForList().size(queue())).isZero();
        assertThat(statusOf("m-finish")).isEqualTo("completed");
    }

    @Test
    void stopReturnsInFlightWorkThatDoesNotFinishInTimeToTheQueue() throws Exception {
        CountDownLatch arrived = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        server.answer = (n, body) -> {
            arrived.countDown();
            release.await(30, TimeUnit.SECONDS);
            return MainServerStub.Reply.OK;
        };
        app = start(Map.of("ingest.delivery.shutdown-timeout", "1s"));
        push("{\"message_id\":\"m-return\",\"payload\":{}}");
        assertThat(arrived.await(20, TimeUnit.SECONDS)).isTrue();

        app.close();
        app = null;
        release.countDown();

        assertThat(processingEmpty()).isTrue();
        List<String> waiting = redis.opsForList().range(queue(), 0, -1);
        assertThat(waiting).hasSize(1);
        assertThat(MAPPER.readTree(waiting.get(0)).get("message_id").asText()).isEqualTo("m-return");
        assertThat(redis.opsForZSet().zCard(delayed())).as("an interrupted attempt is not a failed one").isZero();
    }

    private static double workers(MeterRegistry registry) {
        return registry.get(routes.source.consumer.SourceConsumer.WORKERS_GAUGE).tag("source", "delivery").gauge().value();
    }

    private ConfigurableApplicationContext start(Map<String, String> overrides) {
        Map<String, Object> p = new HashMap<>();
        p.put("server.port", "0");
        p.put("spring.main.banner-mode", "off");
        p.put("spring.datasource.url", dbUrl);
        p.put("ingest.embedded-db.enabled", "false");
        p.put("spring.data.redis.host", "127.0.0.1");
        p.put("spring.data.redis.port", "6379");
        p.put("ingest.delivery.enabled", "true");
        p.put("ingest.delivery.base-url", server.baseUrl());
        p.put("ingest.delivery.worker-id", "it-worker-1");
        p.put("ingest.delivery.queue", queue());
        p.put("ingest.delivery.delayed-set", delayed());
        p.put("ingest.delivery.dlq", dlq());
        p.put("ingest.delivery.retry-interval", "200ms");
        p.put("ingest.delivery.mover-interval", "50ms");
        p.put("ingest.delivery.poll-timeout", "200ms");
        p.put("ingest.delivery.shutdown-timeout", "5s");
        p.put("ingest.delivery.concurrency", "2");
        p.put("ingest.delivery.track-status", "true");
        p.put("ingest.delivery.tls.certificate", goodClient.certificate().toString());
        p.put("ingest.delivery.tls.private-key", goodClient.privateKey().toString());
        p.put("ingest.delivery.tls.ca", caFile.toString());
        p.putAll(overrides);
        // As arguments: they must win over application.yml (builder properties are only defaults).
        String[] args = p.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue()).toArray(String[]::new);
        return new SpringApplicationBuilder(IngestApplication.class).run(args);
    }

    private void push(String message) {
        redis.opsForList().leftPush(queue(), message);
    }

    private String queue() {
        return prefix + ":q";
    }

    private String delayed() {
        return prefix + ":q:delayed";
    }

    private String dlq() {
        return prefix + ":q:dlq";
    }

    private boolean processingEmpty() {
        return redis.opsForList().size(queue() + ":processing:it-worker-1") == 0;
    }

    private int attemptsInDelayedSet() throws Exception {
        Set<String> parked = redis.opsForZSet().range(delayed(), 0, -1);
        if (parked == null || parked.isEmpty()) {
            return 0;
        }
        return MAPPER.readTree(parked.iterator().next()).get("attempts").asInt();
    }

    private MessageStatus status(String id) {
        return new MessageStatusStore(jdbc).find(id).orElseThrow();
    }

    private String statusOf(String id) {
        return new MessageStatusStore(jdbc).find(id).map(MessageStatus::status).orElse("none");
    }

    private String get(String path) throws Exception {
        int port = Integer.parseInt(app.getEnvironment().getProperty("local.server.port"));
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        return response.body();
    }
}
