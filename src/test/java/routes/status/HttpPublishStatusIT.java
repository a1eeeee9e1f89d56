package routes.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import redis.clients.jedis.Jedis;
import routes.source.nats.NatsTestSupport;
import routes.source.rabbitmq.RabbitMqTestBroker;
import routes.support.AppProcess;
import routes.support.TestDatabase;

/**
 * HTTP with {@code publish-to} and {@code track-status}, per broker, on the packaged app: each published event is
 * {@code queued} (source http, received_at) when the 202 comes, under the id MessageIds gives, and the broker
 * source's tracking continues that row: running, then completed, with the 202's received_at.
 * To see {@code queued} for certain, a test-only trigger holds every write of {@code running} while the test
 * holds an advisory lock (the broker source takes the message at once otherwise).
 */
class HttpPublishStatusIT {

    static final String DATABASE = "it_http_publish_status";
    static final long HOLD = 4242;
    static final ObjectMapper MAPPER = new ObjectMapper();
    static final HttpClient CLIENT = HttpClient.newHttpClient();

    static String url;
    static JdbcTemplate jdbc;

    @BeforeAll
    static void database() {
        url = TestDatabase.recreate(DATABASE);
        jdbc = new JdbcTemplate(new DriverManagerDataSource(url, TestDatabase.USER, ""));
    }

    static AppProcess startApp(String broker) throws Exception {
        String name = "it_httppub_" + broker;
        Map<String, String> p = new LinkedHashMap<>();
        p.put("spring.datasource.url", url);
        p.put("spring.datasource.username", TestDatabase.USER);
        p.put("ingest.embedded-db.enabled", "false");
        p.put("ingest.security.admin-password", "it-http-publish");
        p.put("ingest.sources.http.publish-to", broker);
        p.put("ingest.sources.http.track-status", "true");
        p.put("ingest.sources." + broker + ".enabled", "true");
        p.put("ingest.sources." + broker + ".track-status", "true");
        switch (broker) {
            case "rabbitmq" -> {
                try (RabbitMqTestBroker rabbit = new RabbitMqTestBroker()) {
                    rabbit.deleteTopology(name + ".q", name + ".dlx", name + ".dlq");
                }
                p.put("ingest.sources.rabbitmq.queue", name + ".q");
                p.put("ingest.sources.rabbitmq.dead-letter-exchange", name + ".dlx");
                p.put("ingest.sources.rabbitmq.dead-letter-queue", name + ".dlq");
                p.put("ingest.sources.rabbitmq.dead-letter-routing-key", name + ".dlq");
            }
            case "nats" -> {
                String stream = name.toUpperCase();
                NatsTestSupport.deleteStreams(NatsTestSupport.URL, stream, stream + "_DLQ");
                p.put("ingest.sources.nats.url", NatsTestSupport.URL);
                p.put("ingest.sources.nats.stream", stream);
                p.put("ingest.sources.nats.subject", name + ".events");
                p.put("ingest.sources.nats.durable", name);
                p.put("ingest.sources.nats.dlq-stream", stream + "_DLQ");
                p.put("ingest.sources.nats.dlq-subject", name + ".dlq");
            }
            case "redis" -> {
                String queue = name.replace('_', ':');
                try (Jedis jedis = new Jedis("127.0.0.1", 6379)) {
                    jedis.del(queue, queue + ":processing", queue + ":delayed", queue + ":dlq");
                }
                p.put("ingest.sources.redis.queue", queue);
                p.put("ingest.sources.redis.processing-list", queue + ":processing");
                p.put("ingest.sources.redis.delayed-set", queue + ":delayed");
                p.put("ingest.sources.redis.dlq", queue + ":dlq");
            }
            default -> throw new IllegalArgumentException(broker);
        }
        return AppProcess.start("http-publish-" + broker, p);
    }

    static String event(String bodyMessageId) {
        String id = bodyMessageId == null ? "" : "\"message_id\":\"" + bodyMessageId + "\",";
        return "{" + id + "\"event_id\":\"ev-" + UUID.randomUUID() + "\",\"device_id\":\"" + UUID.randomUUID()
                + "\",\"source_timestamp\":\"2026-12-05T07:00:00Z\",\"metrics\":[{\"parameter_key\":\"p_pub\",\"value\":1.5}]}";
    }

    @ParameterizedTest
    @ValueSource(strings = {"rabbitmq", "nats", "redis"})
    void publishedEventsAreQueuedAtThe202AndTheBrokerSourceCompletesTheSameRow(String broker) throws Exception {
        String producerId = "pub-" + broker + "-" + UUID.randomUUID();
        String fieldId = "field-" + UUID.randomUUID();
        String plain = event(null);
        String request = "[" + plain + "," + event(fieldId) + "]";
        // A Redis list entry carries no header: there the ids are what the Redis source finds in each event.
        List<String> ids = broker.equals("redis")
                ? List.of(MessageIds.hash(MAPPER.readTree(plain).toString().getBytes(StandardCharsets.UTF_8)), fieldId)
                : List.of(producerId + ":0", producerId + ":1");

        try (AppProcess app = startApp(broker)) { // its start-up migrates the database: message_status exists after
            holdRunning();
            Map<String, JsonNode> queued = new LinkedHashMap<>();
            try (Connection hold = DriverManager.getConnection(url, TestDatabase.USER, "");
                 Statement s = hold.createStatement()) {
                s.execute("SELECT pg_advisory_lock(" + HOLD + ")");
                HttpResponse<String> answer = CLIENT.send(HttpRequest.newBuilder(app.uri("/v1/events"))
                        .header("Content-Type", "application/json").header("X-Message-Id", producerId)
                        .POST(HttpRequest.BodyPublishers.ofString(request)).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(answer.statusCode()).as(answer.body()).isEqualTo(202);
                // Written before the answer: no waiting.
                for (String id : ids) {
                    JsonNode status = status(app, id);
                    assertThat(status).as("a status for %s at the 202", id).isNotNull();
                    assertThat(status.get("status").asText()).isEqualTo("queued");
                    assertThat(status.get("source").asText()).isEqualTo("http");
                    assertThat(status.get("attempts").asInt()).isZero();
                    assertThat(status.get("receivedAt").isNull()).isFalse();
                    assertThat(status.get("startedAt").isNull()).isTrue();
                    queued.put(id, status);
                }
                s.execute("SELECT pg_advisory_unlock(" + HOLD + ")");
            }

            for (String id : ids) {
                await().atMost(Duration.ofSeconds(20)).until(() -> "completed".equals(text(status(app, id), "status")));
                JsonNode done = status(app, id);
                assertThat(done.get("source").asText()).isEqualTo(broker);
                assertThat(done.get("attempts").asInt()).isEqualTo(1);
                assertThat(done.get("receivedAt").asText()).as("the 202's receipt").isEqualTo(queued.get(id).get("receivedAt").asText());
                assertThat(done.get("startedAt").isNull()).isFalse();
            }
            assertThat(jdbc.queryForList("SELECT message_id FROM message_status WHERE status <> 'completed'", String.class))
                    .as("no row left behind under another id").isEmpty();
        } // the trigger stays (the next case replaces it): harmless without the lock held
    }

    /** While the test holds advisory lock HOLD, every write of "running" waits. */
    static void holdRunning() {
        jdbc.execute("""
                CREATE OR REPLACE FUNCTION it_hold_running() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                  IF NEW.status = 'running' THEN PERFORM pg_advisory_xact_lock_shared(%d); END IF;
                  RETURN NEW;
                END $$""".formatted(HOLD));
        jdbc.execute("DROP TRIGGER IF EXISTS it_hold_running ON message_status");
        jdbc.execute("CREATE TRIGGER it_hold_running BEFORE INSERT OR UPDATE ON message_status FOR EACH ROW"
                + " EXECUTE FUNCTION it_hold_running()");
    }

    static JsonNode status(AppProcess app, String id) throws Exception {
        HttpResponse<String> answer = CLIENT.send(HttpRequest.newBuilder(app.uri("/v1/messages/" + id)).build(),
                HttpResponse.BodyHandlers.ofString());
        return answer.statusCode() == 404 ? null : MAPPER.readTree(answer.body());
    }

    static String text(JsonNode status, String field) {
        return status == null ? null : status.get(field).asText();
    }
}
