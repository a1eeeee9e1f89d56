package routes.pipeline.steps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.camel.CamelContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import routes.support.PerParameterMessages;
import routes.support.StatsInvariant;
import routes.support.TestDatabase;

/**
 * The example team steps team-transform (jq, before validation) and team-filter (after it), dropped into
 * ingest.routes.directory of the app, against the real Redis (batching on, the default) and over HTTP:
 * a team's own shape lands as rows, a test device is filtered (acked, counted, not dead-lettered), and a
 * message failing in the team step is dead-lettered alone, naming the step, while its batch commits.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "ingest.security.admin-password=team-steps-it",
    "ingest.routes.directory=target/team-steps-it"})
class TeamStepsIT {

    static final java.nio.file.Path ROUTES = TeamRoutesDirectory.of("team-steps-it",
            "team-transform.camel.yaml", "team-filter.camel.yaml");
    static final String PREFIX = "it:TeamStepsIT:";
    static final String QUEUE = PREFIX + "queue";
    static final String PROCESSING = QUEUE + ":processing";
    static final String DELAYED = QUEUE + ":delayed";
    static final String DLQ = QUEUE + ":dlq";
    static final String TEST_DEVICE_PREFIX = "00000000-";

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("spring.datasource.url", () -> TestDatabase.recreate("it_team_steps"));
        registry.add("ingest.embedded-db.enabled", () -> "false");
        registry.add("ingest.sources.redis.enabled", () -> "true");
        registry.add("ingest.sources.redis.queue", () -> QUEUE);
        registry.add("ingest.sources.redis.processing-list", () -> PROCESSING);
        registry.add("ingest.sources.redis.delayed-set", () -> DELAYED);
        registry.add("ingest.sources.redis.dlq", () -> DLQ);
    }

    @BeforeAll
    static void cleanRedis() {
        try (var jedis = new redis.clients.jedis.Jedis("127.0.0.1", 6379)) {
            jedis.del(QUEUE, PROCESSING, DELAYED, DLQ, DELAYED + ":seq");
        }
    }

    @Autowired StringRedisTemplate redis;
    @Autowired JdbcTemplate jdbc;
    @Autowired MeterRegistry meters;
    @Autowired CamelContext camel;
    @LocalServerPort int port;
    final HttpClient client = HttpClient.newHttpClient();

    static String acme(UUID device, int seq, String readings) {
        return "{\"dev\":\"" + device + "\",\"ts\":\"2026-11-22T10:15:" + String.format("%02d", seq % 60)
                + "Z\",\"seq\":" + seq + ",\"readings\":" + readings + "}";
    }

    static String event(UUID device, String eventId) {
        return "{\"event_id\":\"" + eventId + "\",\"device_id\":\"" + device + "\",\"source_timestamp\":"
                + "\"2026-11-22T10:15:30Z\",\"metrics\":[{\"parameter_key\":\"v\",\"value\":1}]}";
    }

    static UUID testDevice() {
        String random = UUID.randomUUID().toString();
        return UUID.fromString(TEST_DEVICE_PREFIX + random.substring(TEST_DEVICE_PREFIX.length()));
    }

    long rows(UUID device) {
        return PerParameterMessages.rows(jdbc, device);
    }

    List<Map<String, Object>> deadLetters(String like) {
        return jdbc.queryForList("SELECT source, error_type, error_message, payload FROM dead_letters WHERE payload LIKE ?",
                "%" + like + "%");
    }

    HttpResponse<String> post(String body) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/events"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theTeamStepsAreLoadedFromTheDirectory() {
        assertThat(camel.getRoute("acme-shape")).isNotNull();
        assertThat(camel.getRoute("drop-test-devices")).isNotNull();
    }

    @Test
    void overRedisOneBatchIsMappedFilteredAndItsFailingMessageAloneIsDeadLetteredNamingTheStep() {
        UUID acmeDevice = UUID.randomUUID();
        UUID contractDevice = UUID.randomUUID();
        UUID testDevice = testDevice();
        String broken = "{\"dev\":\"" + acmeDevice + "\",\"seq\":99,\"readings\": [1, 2"; // acme's shape, cut short
        double filtered = PerParameterMessages.events(meters, "redis", "filtered");
        double success = PerParameterMessages.events(meters, "redis", "success");

        // One LPUSH: the source takes them in one call, as one batch.
        redis.opsForList().leftPushAll(QUEUE, acme(acmeDevice, 1, "{\"temp\":21.5,\"hum\":40}"),
                event(contractDevice, "contract-1"), event(testDevice, "test-1"), broken,
                acme(acmeDevice, 2, "{\"temp\":22.0}"));

        await().atMost(Duration.ofSeconds(30)).until(() -> rows(acmeDevice) == 3 && rows(contractDevice) == 1
                && PerParameterMessages.events(meters, "redis", "filtered") - filtered == 1
                && !deadLetters(acmeDevice + "\",\"seq\":99").isEmpty());
        await().atMost(Duration.ofSeconds(10)).until(() -> redis.opsForList().size(PROCESSING) == 0);

        assertThat(jdbc.queryForList("SELECT parameter_key, value, source, event_id FROM ingest_events WHERE device_id = ?"
                + " ORDER BY event_id, parameter_key", acmeDevice)).extracting(Map::values).map(List::copyOf)
                .containsExactly(List.of("hum", 40.0, "acme", acmeDevice + "-1"), List.of("temp", 21.5, "acme", acmeDevice + "-1"),
                        List.of("temp", 22.0, "acme", acmeDevice + "-2"));
        assertThat(rows(testDevice)).as("filtered: not written").isZero();
        assertThat(deadLetters(testDevice.toString())).as("filtered: not dead-lettered").isEmpty();
        Map<String, Object> dead = deadLetters(acmeDevice + "\",\"seq\":99").get(0);
        assertThat(dead.get("error_type")).isEqualTo("step");
        assertThat((String) dead.get("error_message")).contains("acme-shape");
        assertThat(dead.get("payload")).as("the message as received").isEqualTo(broken);
        assertThat(redis.opsForList().range(DLQ, 0, -1)).as("in the source's dead-letter list too").anyMatch(d -> d.contains(acmeDevice.toString()));
        assertThat(PerParameterMessages.events(meters, "redis", "success") - success).isEqualTo(3);
        assertThat(redis.opsForList().size(QUEUE)).isZero();
        assertThat(StatsInvariant.violations(jdbc)).isEmpty();
    }

    @Test
    void overHttpTheSameStepsRun() throws Exception {
        UUID acmeDevice = UUID.randomUUID();
        UUID testDevice = testDevice();
        double filtered = PerParameterMessages.events(meters, "http", "filtered");

        HttpResponse<String> mapped = post("[" + acme(acmeDevice, 7, "{\"temp\":19.0}") + "," + event(testDevice, "http-test") + "]");

        assertThat(mapped.statusCode()).as(mapped.body()).isEqualTo(202);
        assertThat(rows(acmeDevice)).as("committed before the 202").isEqualTo(1);
        assertThat(jdbc.queryForObject("SELECT source FROM ingest_events WHERE device_id = ?", String.class, acmeDevice))
                .isEqualTo("acme");
        assertThat(rows(testDevice)).isZero();
        assertThat(PerParameterMessages.events(meters, "http", "filtered") - filtered).isEqualTo(1);
        assertThat(deadLetters(testDevice.toString())).isEmpty();
    }

    @Test
    void anInvalidMessageIsStillInvalidNotAStepFailure() {
        String notJson = "not json at all " + UUID.randomUUID();

        redis.opsForList().leftPush(QUEUE, notJson);

        await().atMost(Duration.ofSeconds(20)).until(() -> !deadLetters(notJson).isEmpty());
        assertThat(deadLetters(notJson).get(0).get("error_type")).isEqualTo("json");
    }
}
