package routes.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.CamelContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
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
import routes.IngestApplication;
import routes.support.TestDatabase;

/**
 * The delivery worker's settings with the whole application against the local Redis and PostgreSQL and
 * an HTTPS main server requiring client certificates: the retry interval is a floor (no attempt comes
 * earlier), the attempt counter lives in Redis and survives a restart, a bad certificate stops the
 * start-up naming the file, the Redis ingest source on the delivery queue's keys is refused, and the
 * delivery profile delivers {@code message_queue}. Observed only through Redis keys and the main server,
 * so it holds whatever consumes the queue.
 */
class DeliveryWorkerIT {

    private static final String DB = "it_delivery_worker";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @TempDir
    static Path dir;
    static String dbUrl;
    static JedisConnectionFactory redisFactory;
    static StringRedisTemplate redis;
    static TestPki.Issued ca;
    static Path caFile;
    static TestPki.Paths client;

    MainServerStub server;
    ConfigurableApplicationContext app;
    String prefix;

    @BeforeAll
    static void setUpServices() throws Exception {
        dbUrl = TestDatabase.recreate(DB);
        redisFactory = new JedisConnectionFactory(new RedisStandaloneConfiguration("127.0.0.1", 6379));
        redisFactory.afterPropertiesSet();
        redisFactory.start();
        redis = new StringRedisTemplate(redisFactory);
        ca = TestPki.ca("worker-it-ca");
        caFile = TestPki.writeCa(ca, dir, "ca");
        client = TestPki.client(ca, "worker-it").writePem(dir, "worker");
    }

    @AfterAll
    static void tearDownServices() {
        redisFactory.destroy();
    }

    @BeforeEach
    void startServer(TestInfo test) throws Exception {
        server = new MainServerStub(TestPki.serverContext(TestPki.server(ca, "localhost"), ca));
        prefix = "it_delivery_worker:" + test.getTestMethod().orElseThrow().getName();
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
    void noRetryComesBeforeTheIntervalAndTheAttemptCounterSurvivesARestart() throws Exception {
        List<Long> arrivals = new CopyOnWriteArrayList<>();
        server.answer = (n, body) -> {
            arrivals.add(System.currentTimeMillis());
            return new MainServerStub.Reply(503, "down for maintenance");
        };
        // The worker's own variable names, as an operator sets them.
        Map<String, String> worker = Map.of("WORKER_RETRY_INTERVAL", "2s", "WORKER_MAX_ATTEMPTS", "4");
        app = start("first", worker);
        push("{\"message_id\":\"m-interval\",\"payload\":{\"n\":1}}");

        await().atMost(Duration.ofSeconds(30)).until(() -> attemptsInRedis() == 2);
        app.close();
        app = null;
        // (A third attempt may have slipped in while the first process stopped.)
        int beforeRestart = server.deliveries.size();
        assertThat(beforeRestart).isBetween(2, 3);
        assertThat(attemptsInRedis()).as("the counter is in Redis, with the message").isEqualTo(beforeRestart);

        // A new process on the same keys (another worker id): attempts 3 and 4, then dead-lettered.
        app = start("second", worker);
        // The last failure is reported after the message is dead-lettered.
        await().atMost(Duration.ofSeconds(30)).until(() -> redis.opsForList().size(dlq()) == 1
                && server.statusReports.size() == 4);

        assertThat(server.deliveries).hasSize(4);
        List<Integer> counts = new ArrayList<>();
        for (MainServerStub.Request report : server.statusReports) {
            counts.add(MAPPER.readTree(report.body()).get("attempt_count").asInt());
        }
        assertThat(counts).containsExactly(1, 2, 3, 4);
        assertThat(MAPPER.readTree(server.statusReports.get(3).body()).get("status").asText()).isEqualTo("failed");
        JsonNode dead = MAPPER.readTree(redis.opsForList().index(dlq(), 0));
        assertThat(dead.get("x-attempts").asText()).isEqualTo("4");
        for (int i = 1; i < arrivals.size(); i++) {
            assertThat(arrivals.get(i) - arrivals.get(i - 1)).as("wait before attempt %d", i + 1)
                    .isGreaterThanOrEqualTo(2000);
        }
    }

    @Test
    void activeWorkersIsExportedBesideIngestWorkersAndIsZeroWhenTheConsumerStops() throws Exception {
        app = start("w", Map.of("ingest.delivery.concurrency", "3"));
        MeterRegistry registry = app.getBean(MeterRegistry.class);
        await().atMost(Duration.ofSeconds(10)).until(() -> registry.get(DeliveryMetrics.ACTIVE_WORKERS).gauge().value() == 3);
        assertThat(registry.get("ingest.workers").tag("source", "delivery").gauge().value()).isEqualTo(3);

        // What WorkerDown looks for: the process answers, no consumer thread runs.
        app.getBean(CamelContext.class).getRouteController().stopAllRoutes();
        assertThat(registry.get(DeliveryMetrics.ACTIVE_WORKERS).gauge().value()).isZero();
    }

    @Test
    void aMissingCertificateStopsTheStartUpNamingTheFile() {
        Path missing = dir.resolve("not-there/worker.crt");
        assertThatThrownBy(() -> startWithVariables("nocert", Map.of("WORKER_CERT_PATH", missing.toString())))
                .hasStackTraceContaining("ingest.delivery.tls.certificate (WORKER_CERT_PATH): " + missing + " does not exist");
    }

    @Test
    void anUnreadableCertificateStopsTheStartUpNamingTheFile() throws Exception {
        Path garbage = Files.writeString(dir.resolve("garbage-ca.crt"), "not a certificate\n");
        assertThatThrownBy(() -> startWithVariables("badca", Map.of("CA_CERT_PATH", garbage.toString())))
                .hasStackTraceContaining("ingest.delivery.tls.ca: cannot read " + garbage);
    }

    @Test
    void withTheDeliveryWorkerOffAMissingCertificateIsNoConcern() {
        app = startWithVariables("off", Map.of("ingest.delivery.enabled", "false",
                "WORKER_CERT_PATH", dir.resolve("not-there/worker.crt").toString()));
        assertThat(app.isActive()).isTrue();
        assertThat(app.getBeanNamesForType(DeliverySink.class)).isEmpty();
    }

    @Test
    void theRedisIngestSourceOnTheDeliveryQueuesKeysIsRefused() {
        assertThatThrownBy(() -> start("clash", Map.of("ingest.sources.redis.enabled", "true",
                "ingest.sources.redis.queue", queue())))
                .hasStackTraceContaining("The Redis ingest source and the delivery worker are configured on the same Redis keys")
                .hasStackTraceContaining("ingest.delivery.queue = ingest.sources.redis.queue = \"" + queue() + "\"");
    }

    @Test
    void theDeliveryProfileDeliversMessageQueueWithTheWorkersVariables() throws Exception {
        // message_queue is the profile's own key; this test borrows it only for the profile's defaults check.
        redis.delete(List.of("message_queue", "message_queue:delayed", "message_queue:dlq"));
        Map<String, String> p = new HashMap<>(base("profile"));
        p.keySet().removeIf(k -> k.startsWith("ingest.delivery.") && !k.endsWith("-interval") && !k.endsWith("timeout"));
        p.put("spring.profiles.active", "delivery");
        p.put("MAIN_SERVER_URL", server.baseUrl());
        p.put("WORKER_ID", "profile-worker");
        p.put("WORKER_CONCURRENCY", "2");
        p.put("WORKER_CERT_PATH", client.certificate().toString());
        p.put("WORKER_KEY_PATH", client.privateKey().toString());
        p.put("CA_CERT_PATH", caFile.toString());
        try {
            app = run(p);
            redis.opsForList().leftPush("message_queue", "{\"message_id\":\"m-profile\",\"payload\":{\"v\":2}}");
            await().atMost(Duration.ofSeconds(20)).until(() -> server.delivered().size() == 1);
            JsonNode body = MAPPER.readTree(server.delivered().get(0).body());
            assertThat(body.get("message_id").asText()).isEqualTo("m-profile");
            assertThat(body.get("worker_id").asText()).isEqualTo("profile-worker");
            assertThat(app.getBean(DeliveryProperties.class).concurrency()).isEqualTo(2);
            await().atMost(Duration.ofSeconds(10)).until(() -> redis.opsForList().size("message_queue") == 0
                    && redis.opsForList().size("message_queue:processing:profile-worker") == 0);
        } finally {
            if (app != null) {
                app.close();
                app = null;
            }
            redis.delete(List.of("message_queue", "message_queue:delayed", "message_queue:dlq"));
        }
    }

    private ConfigurableApplicationContext start(String workerId, Map<String, String> overrides) {
        Map<String, String> p = new HashMap<>(base(workerId));
        p.putAll(overrides);
        return run(p);
    }

    /** The certificate files only from the worker's variables (WORKER_CERT_PATH, WORKER_KEY_PATH, CA_CERT_PATH). */
    private ConfigurableApplicationContext startWithVariables(String workerId, Map<String, String> overrides) {
        Map<String, String> p = new HashMap<>(base(workerId));
        p.keySet().removeIf(k -> k.startsWith("ingest.delivery.tls."));
        p.put("WORKER_CERT_PATH", client.certificate().toString());
        p.put("WORKER_KEY_PATH", client.privateKey().toString());
        p.put("CA_CERT_PATH", caFile.toString());
        p.putAll(overrides);
        return run(p);
    }

    private Map<String, String> base(String workerId) {
        Map<String, String> p = new HashMap<>();
        p.put("server.port", "0");
        p.put("spring.main.banner-mode", "off");
        p.put("spring.datasource.url", dbUrl);
        p.put("ingest.embedded-db.enabled", "false");
        p.put("spring.data.redis.host", "127.0.0.1");
        p.put("spring.data.redis.port", "6379");
        p.put("ingest.delivery.enabled", "true");
        p.put("ingest.delivery.base-url", server.baseUrl());
        p.put("ingest.delivery.worker-id", "it-" + workerId);
        p.put("ingest.delivery.queue", queue());
        p.put("ingest.delivery.delayed-set", queue() + ":delayed");
        p.put("ingest.delivery.dlq", dlq());
        p.put("ingest.delivery.mover-interval", "50ms");
        p.put("ingest.delivery.poll-timeout", "200ms");
        p.put("ingest.delivery.shutdown-timeout", "5s");
        p.put("ingest.delivery.concurrency", "2");
        p.put("ingest.delivery.tls.certificate", client.certificate().toString());
        p.put("ingest.delivery.tls.private-key", client.privateKey().toString());
        p.put("ingest.delivery.tls.ca", caFile.toString());
        return p;
    }

    /** As arguments: they must win over application.yml. Variable names (WORKER_*) work as arguments too. */
    private static ConfigurableApplicationContext run(Map<String, String> properties) {
        String[] args = properties.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue())
                .toArray(String[]::new);
        return new SpringApplicationBuilder(IngestApplication.class).run(args);
    }

    private void push(String message) {
        redis.opsForList().leftPush(queue(), message);
    }

    /** The attempts recorded with the message, parked for its retry or back in the queue. */
    private int attemptsInRedis() throws Exception {
        List<String> entries = new ArrayList<>(redis.opsForZSet().range(queue() + ":delayed", 0, -1));
        entries.addAll(redis.opsForList().range(queue(), 0, -1));
        if (entries.size() != 1) {
            return -1;
        }
        JsonNode attempts = MAPPER.readTree(entries.get(0)).get("attempts");
        return attempts == null ? 0 : attempts.asInt();
    }

    private String queue() {
        return prefix + ":q";
    }

    private String dlq() {
        return prefix + ":q:dlq";
    }
}
