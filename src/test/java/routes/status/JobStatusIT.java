package routes.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nats.client.Connection;
import io.nats.client.impl.Headers;
import io.nats.client.impl.NatsMessage;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import redis.clients.jedis.Jedis;
import routes.source.nats.NatsTestSupport;
import routes.source.rabbitmq.RabbitMqTestBroker;
import routes.support.AppProcess;
import routes.support.Http;
import routes.support.TestDatabase;
import routes.support.WriteBlock;

/**
 * Seed 003's job status, per source against the real brokers, on the packaged app (one process with the
 * RabbitMQ, NATS, Redis and HTTP sources, all tracked): queued → running → completed with the history's
 * times; a failed attempt queued again with its attempts and error; dead-lettered → failed with a link to
 * the dead letter, and its replay one more attempt of the same message; a byte-identical resend reported
 * with the existing status; and a kill -9 between running and the commit.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class JobStatusIT {

    static final String DATABASE = "it_job_status";
    static final String PASSWORD = "it-job-status";
    static final String QUEUE = "it.jobstatus.q";
    static final String DLX = "it.jobstatus.dlx";
    static final String DLQ = "it.jobstatus.dlq";
    static final String STREAM = "IT_JOBSTATUS";
    static final String SUBJECT = "it.jobstatus.events";
    static final String DLQ_STREAM = "IT_JOBSTATUS_DLQ";
    static final String DLQ_SUBJECT = "it.jobstatus.dlq";
    static final String REDIS_QUEUE = "it:jobstatus:q";
    static final ObjectMapper MAPPER = new ObjectMapper();
    static final HttpClient CLIENT = HttpClient.newHttpClient();

    static RabbitMqTestBroker rabbit;
    static RabbitTemplate template;
    static Connection nats;
    static JdbcTemplate jdbc;
    static String url;
    static AppProcess app;

    @BeforeAll
    static void start() throws Exception {
        rabbit = new RabbitMqTestBroker();
        rabbit.deleteTopology(QUEUE, DLX, DLQ);
        template = new RabbitTemplate(rabbit.connectionFactory());
        NatsTestSupport.deleteStreams(NatsTestSupport.URL, STREAM, DLQ_STREAM);
        nats = NatsTestSupport.connect(NatsTestSupport.URL);
        try (Jedis jedis = new Jedis("127.0.0.1", 6379)) {
            jedis.del(REDIS_QUEUE, REDIS_QUEUE + ":processing", REDIS_QUEUE + ":delayed", REDIS_QUEUE + ":dlq");
        }
        url = TestDatabase.recreate(DATABASE);
        jdbc = new JdbcTemplate(new DriverManagerDataSource(url, TestDatabase.USER, ""));
        app = startApp();
        // Test-only faults: rows of parameter flaky_<x> fail (not refused) while sequence flaky_<x> is at most
        // 2, so their first attempts fail and a later one commits; rows of a parameter in it_reject are refused
        // (a check violation: dead-lettered at once).
        jdbc.execute("CREATE TABLE it_reject (parameter_key text PRIMARY KEY)");
        jdbc.execute("""
                CREATE FUNCTION it_faults() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                  IF NEW.parameter_key LIKE 'flaky\\_%' AND nextval(NEW.parameter_key) <= 2 THEN
                    RAISE EXCEPTION 'flaky write of %', NEW.parameter_key;
                  END IF;
                  IF EXISTS (SELECT 1 FROM it_reject r WHERE r.parameter_key = NEW.parameter_key) THEN
                    RAISE EXCEPTION 'refused by the test' USING ERRCODE = 'check_violation';
                  END IF;
                  RETURN NEW;
                END $$""");
        jdbc.execute("CREATE TRIGGER it_faults BEFORE INSERT ON ingest_events FOR EACH ROW EXECUTE FUNCTION it_faults()");
    }

    static AppProcess startApp() throws Exception {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("spring.datasource.url", url);
        p.put("spring.datasource.username", TestDatabase.USER);
        p.put("ingest.embedded-db.enabled", "false");
        p.put("ingest.security.admin-password", PASSWORD);
        p.put("ingest.redelivery.initial-delay", "1s");
        p.put("ingest.redelivery.multiplier", "1.0");
        p.put("ingest.sources.http.track-status", "true");
        p.put("ingest.sources.rabbitmq.enabled", "true");
        p.put("ingest.sources.rabbitmq.track-status", "true");
        p.put("ingest.sources.rabbitmq.queue", QUEUE);
        p.put("ingest.sources.rabbitmq.dead-letter-exchange", DLX);
        p.put("ingest.sources.rabbitmq.dead-letter-queue", DLQ);
        p.put("ingest.sources.rabbitmq.dead-letter-routing-key", DLQ);
        p.put("ingest.sources.nats.enabled", "true");
        p.put("ingest.sources.nats.track-status", "true");
        p.put("ingest.sources.nats.url", NatsTestSupport.URL);
        p.put("ingest.sources.nats.stream", STREAM);
        p.put("ingest.sources.nats.subject", SUBJECT);
        p.put("ingest.sources.nats.durable", "it_jobstatus");
        p.put("ingest.sources.nats.dlq-stream", DLQ_STREAM);
        p.put("ingest.sources.nats.dlq-subject", DLQ_SUBJECT);
        p.put("ingest.sources.nats.ack-wait", "3s");
        p.put("ingest.sources.redis.enabled", "true");
        p.put("ingest.sources.redis.track-status", "true");
        p.put("ingest.sources.redis.queue", REDIS_QUEUE);
        p.put("ingest.sources.redis.processing-list", REDIS_QUEUE + ":processing");
        p.put("ingest.sources.redis.delayed-set", REDIS_QUEUE + ":delayed");
        p.put("ingest.sources.redis.dlq", REDIS_QUEUE + ":dlq");
        p.put("ingest.sources.redis.visibility-timeout", "3s");
        p.put("ingest.sources.redis.recovery-interval", "300ms");
        return AppProcess.start("job-status", p);
    }

    @AfterAll
    static void stop() throws Exception {
        if (app != null) {
            app.close();
        }
        if (nats != null) {
            nats.close();
        }
        rabbit.close();
    }

    /** An event of one metric, {@code parameter}; with {@code message_id} in the body when given (Redis's only way). */
    static byte[] event(String parameter, String bodyMessageId) {
        String id = bodyMessageId == null ? "" : "\"message_id\":\"" + bodyMessageId + "\",";
        return ("{" + id + "\"event_id\":\"ev-" + UUID.randomUUID() + "\",\"device_id\":\"" + UUID.randomUUID()
                + "\",\"source_timestamp\":\"2026-12-05T07:00:00Z\",\"metrics\":[{\"parameter_key\":\"" + parameter
                + "\",\"value\":1.5}]}").getBytes(StandardCharsets.UTF_8);
    }

    /** Sends {@code body} through the source, with the producer's id where the source has a way to give one. */
    static void send(String source, byte[] body, String producerId) throws Exception {
        switch (source) {
            case "rabbitmq" -> {
                MessageProperties props = new MessageProperties();
                props.setContentType(MessageProperties.CONTENT_TYPE_JSON);
                if (producerId != null) {
                    props.setMessageId(producerId);
                }
                template.send("", QUEUE, new Message(body, props));
            }
            case "nats" -> {
                Headers headers = new Headers();
                if (producerId != null) {
                    headers.add("Nats-Msg-Id", producerId);
                }
                nats.jetStream().publish(NatsMessage.builder().subject(SUBJECT).headers(headers).data(body).build());
            }
            case "redis" -> {
                try (Jedis jedis = new Jedis("127.0.0.1", 6379)) {
                    jedis.lpush(REDIS_QUEUE.getBytes(StandardCharsets.UTF_8), body);
                }
            }
            case "http" -> {
                HttpResponse<String> answer = post(body, producerId);
                assertThat(answer.statusCode()).as(answer.body()).isEqualTo(202);
            }
            default -> throw new IllegalArgumentException(source);
        }
    }

    static HttpResponse<String> post(byte[] body, String producerId) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(app.uri("/v1/events"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (producerId != null) {
            request.header("X-Message-Id", producerId);
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** GET /v1/messages/{id}, null when 404. */
    static JsonNode status(String id) throws Exception {
        HttpResponse<String> answer = CLIENT.send(HttpRequest.newBuilder(app.uri("/v1/messages/" + id)).build(),
                HttpResponse.BodyHandlers.ofString());
        return answer.statusCode() == 404 ? null : MAPPER.readTree(answer.body());
    }

    static String statusOf(String id) throws Exception {
        JsonNode status = status(id);
        return status == null ? "none" : status.get("status").asText();
    }

    /** Redis gives a producer's id only in the body; the others out of band. */
    static byte[] eventWithId(String source, String parameter, String id) {
        return event(parameter, source.equals("redis") ? id : null);
    }

    @Order(1)
    @ParameterizedTest
    @ValueSource(strings = {"rabbitmq", "nats", "redis", "http"})
    void aJobIsReceivedRunAndCompletedUnderItsProducersIdWithTheHistorysTimes(String source) throws Exception {
        String id = "job-" + source + "-" + UUID.randomUUID();
        send(source, eventWithId(source, "p_" + source, id), id);

        await().atMost(Duration.ofSeconds(20)).until(() -> statusOf(id).equals("completed"));
        JsonNode status = status(id);
        assertThat(status.get("messageId").asText()).isEqualTo(id);
        assertThat(status.get("source").asText()).isEqualTo(source);
        assertThat(status.get("attempts").asInt()).isEqualTo(1);
        assertThat(status.get("receivedAt").isNull()).isFalse();
        assertThat(status.get("startedAt").isNull()).isFalse();
        assertThat(status.get("completedAt").isNull()).isFalse();
        assertThat(status.get("failedAt").isNull()).isTrue();
        assertThat(status.get("lastError").isNull()).isTrue();
    }

    @Order(2)
    @ParameterizedTest
    @ValueSource(strings = {"rabbitmq", "nats", "redis", "http"})
    void aByteIdenticalResendIsTheSameMessageReportedWithItsExistingStatus(String source) throws Exception {
        byte[] body = event("p_" + source, null);
        String id = MessageIds.hash(source.equals("http") ? MAPPER.readTree(body).toString().getBytes(StandardCharsets.UTF_8) : body);
        send(source, body, null);
        await().atMost(Duration.ofSeconds(20)).until(() -> statusOf(id).equals("completed"));
        JsonNode first = status(id);

        send(source, body, null);
        // Once a message sent after it is done, the resend was taken: a duplicate, its status untouched.
        String after = "after-" + source + "-" + UUID.randomUUID();
        send(source, eventWithId(source, "p_" + source, after), after);
        await().atMost(Duration.ofSeconds(20)).until(() -> statusOf(after).equals("completed"));
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).until(() -> status(id).equals(first));
        assertThat(first.get("attempts").asInt()).isEqualTo(1);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM ingest_events WHERE parameter_key = ?", Long.class,
                "p_" + source)).isGreaterThanOrEqualTo(2);
    }

    @Order(3)
    @ParameterizedTest
    @ValueSource(strings = {"rabbitmq", "nats", "redis", "http"})
    void aFailedAttemptThatWillBeRetriedIsQueuedWithItsAttemptsAndError(String source) throws Exception {
        String parameter = "flaky_" + source;
        jdbc.execute("CREATE SEQUENCE " + parameter);
        String id = "flaky-" + source + "-" + UUID.randomUUID();
        Set<String> seen = ConcurrentHashMap.newKeySet();
        CompletableFuture<Void> sent = CompletableFuture.runAsync(() -> {
            try {
                send(source, eventWithId(source, parameter, id), id); // HTTP: answered once committed
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> {
            JsonNode status = status(id);
            if (status != null && status.get("status").asText().equals("queued")) {
                assertThat(status.get("attempts").asInt()).isPositive();
                assertThat(status.get("lastError").asText()).contains("flaky write of " + parameter);
                seen.add("queued");
            }
            return status != null && status.get("status").asText().equals("completed");
        });
        sent.get();
        assertThat(seen).as("queued between the attempts").contains("queued");
        JsonNode done = status(id);
        assertThat(done.get("attempts").asInt()).isGreaterThanOrEqualTo(2);
        assertThat(done.get("lastError").asText()).contains("flaky write of " + parameter);
    }

    @Order(4)
    @ParameterizedTest
    @ValueSource(strings = {"rabbitmq", "nats", "redis", "http"})
    void aDeadLetteredJobFailsWithALinkToItsDeadLetterAndItsReplayIsOneMoreAttempt(String source) throws Exception {
        String parameter = "reject_" + source;
        jdbc.update("INSERT INTO it_reject VALUES (?)", parameter);
        String id = "doomed-" + source + "-" + UUID.randomUUID();
        send(source, eventWithId(source, parameter, id), id);

        await().atMost(Duration.ofSeconds(20)).until(() -> statusOf(id).equals("failed"));
        JsonNode failed = status(id);
        assertThat(failed.get("failedAt").isNull()).isFalse();
        assertThat(failed.get("completedAt").isNull()).isTrue();
        assertThat(failed.get("lastError").asText()).contains("refused by the test");
        long deadLetter = failed.get("deadLetterId").asLong();
        assertThat(jdbc.queryForObject("SELECT error_type FROM dead_letters WHERE id = ?", String.class, deadLetter))
                .isEqualTo("rejected");
        int attempts = failed.get("attempts").asInt();

        // The cause is gone: the replay is a new attempt of the same message, not a duplicate nor a new id.
        jdbc.update("DELETE FROM it_reject WHERE parameter_key = ?", parameter);
        HttpResponse<String> replay = new Http(app.port()).send("POST", "/v1/dead-letters/" + deadLetter + "/replay",
                null, Http.basic("admin", PASSWORD));
        assertThat(replay.statusCode()).as(replay.body()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(20)).until(() -> statusOf(id).equals("completed"));
        JsonNode completed = status(id);
        assertThat(completed.get("attempts").asInt()).isEqualTo(attempts + 1);
        assertThat(completed.get("receivedAt").asText()).isEqualTo(failed.get("receivedAt").asText());
        assertThat(completed.get("deadLetterId").asLong()).isEqualTo(deadLetter);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM ingest_events WHERE parameter_key = ?", Long.class,
                parameter)).isEqualTo(1);
    }

    @Order(5)
    @Test
    void aKillBetweenRunningAndTheCommitLeavesRunningAndTheRedeliveryCompletesIt() throws Exception {
        List<String> sources = List.of("rabbitmq", "nats", "redis", "http");
        Map<String, String> ids = new LinkedHashMap<>();
        Map<String, byte[]> bodies = new LinkedHashMap<>();
        CompletableFuture<?> hanging;
        try (WriteBlock block = WriteBlock.on(url)) {
            for (String source : sources) {
                String id = "kill-" + source + "-" + UUID.randomUUID();
                ids.put(source, id);
                bodies.put(source, eventWithId(source, "k_" + source, id));
            }
            for (String source : sources) {
                if (!source.equals("http")) {
                    send(source, bodies.get(source), ids.get(source));
                }
            }
            hanging = CompletableFuture.runAsync(() -> {
                try {
                    post(bodies.get("http"), ids.get("http"));
                } catch (Exception e) {
                    // the process dies under the request: the client retries below
                }
            });
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                for (String id : ids.values()) {
                    if (!statusOf(id).equals("running")) {
                        return false;
                    }
                }
                return true;
            });
            app.kill();
        }
        hanging.handle((r, e) -> null).get();
        for (String id : ids.values()) {
            assertThat(jdbc.queryForObject("SELECT status FROM message_status WHERE message_id = ?", String.class, id))
                    .isEqualTo("running");
        }
        app = startApp();
        assertThat(post(bodies.get("http"), ids.get("http")).statusCode()).isEqualTo(202); // the HTTP client's retry

        await().atMost(Duration.ofSeconds(30)).until(() -> {
            for (String id : ids.values()) {
                if (!statusOf(id).equals("completed")) {
                    return false;
                }
            }
            return true;
        });
        for (String source : sources) {
            JsonNode status = status(ids.get(source));
            assertThat(status.get("attempts").asInt()).as(source).isEqualTo(2);
            assertThat(jdbc.queryForObject("SELECT count(*) FROM ingest_events WHERE parameter_key = ?", Long.class,
                    "k_" + source)).as(source).isEqualTo(1);
        }
    }
}
