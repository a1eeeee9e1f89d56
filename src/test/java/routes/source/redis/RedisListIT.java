package routes.source.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.List;
import org.apache.camel.CamelContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import routes.support.StatsInvariant;
import routes.support.PerParameterMessages;
import java.util.UUID;
import routes.support.TestDatabase;

/**
 * The Redis list source against the local Redis and PostgreSQL: exactly once with duplicates, poison and
 * invalid messages to the DLQ list, stuck entries recovered, a Redis restart survived, HTTP publish-to
 * redis, and replay of a Redis dead letter.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class RedisListIT {

    static final String PREFIX = "it:RedisListIT:";
    static final String QUEUE = PREFIX + "queue";
    static final String PROCESSING = QUEUE + ":processing";
    static final String DELAYED = QUEUE + ":delayed";
    static final String DLQ = QUEUE + ":dlq";
    static final int MAX_ATTEMPTS = 3;
    /** The advice below fails every event whose id contains this, while it is on. */
    static final String POISON = "poison";

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        String url = TestDatabase.recreate("it_redis_list");
        registry.add("spring.datasource.url", () -> url);
        registry.add("ingest.embedded-db.enabled", () -> "false");
        registry.add("ingest.sources.redis.enabled", () -> "true");
        registry.add("ingest.sources.redis.queue", () -> QUEUE);
        registry.add("ingest.sources.redis.processing-list", () -> PROCESSING);
        registry.add("ingest.sources.redis.delayed-set", () -> DELAYED);
        registry.add("ingest.sources.redis.dlq", () -> DLQ);
        registry.add("ingest.sources.redis.visibility-timeout", () -> "3s");
        registry.add("ingest.sources.redis.recovery-interval", () -> "200ms");
        registry.add("ingest.sources.http.publish-to", () -> "redis");
        registry.add("ingest.security.admin-password", () -> ADMIN_PASSWORD);
        registry.add("ingest.redelivery.max-attempts", () -> Integer.toString(MAX_ATTEMPTS));
        registry.add("ingest.redelivery.initial-delay", () -> "300ms");
        registry.add("ingest.redelivery.multiplier", () -> "1.0");
    }

    @BeforeAll
    static void cleanRedis() {
        try (var jedis = new redis.clients.jedis.Jedis(RedisService.HOST, RedisService.PORT)) {
            jedis.del(QUEUE, PROCESSING, DELAYED, DLQ, DELAYED + ":seq");
        }
    }

    @Autowired
    StringRedisTemplate redis;
    @Autowired
    JdbcTemplate jdbc;
    @Autowired
    CamelContext camel;
    @Autowired
    TestRestTemplate http;

    /** Replay is an admin operation (routes.security). */
    static final String ADMIN_PASSWORD = "redis-it-admin";
    @Autowired
    ObjectMapper mapper;
    @Autowired
    io.micrometer.core.instrument.MeterRegistry meters;

    /** Rows of poison events are refused by the database (a trigger): their writes fail, every attempt. */
    @BeforeEach
    void failPoisonEvents() {
        jdbc.execute("CREATE OR REPLACE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$"
                + " BEGIN IF NEW.event_id LIKE '" + POISON + "%' THEN RAISE EXCEPTION 'poison event for the test'; END IF;"
                + " RETURN NEW; END $$");
        jdbc.execute("DROP TRIGGER IF EXISTS refuse_poison ON ingest_events");
        jdbc.execute("CREATE TRIGGER refuse_poison BEFORE INSERT ON ingest_events FOR EACH ROW EXECUTE FUNCTION refuse_poison()");
    }

    @Test
    void thousandsOfEventsWithDuplicatesLandExactlyOnce() {
        String run = "exactly";
        List<String> events = RedisTestEvents.withDuplicates(run, 3000, 400);
        for (int i = 0; i < events.size(); i += 500) {
            redis.opsForList().leftPushAll(QUEUE, events.subList(i, Math.min(events.size(), i + 500)));
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> rows(run) == 3000L * RedisTestEvents.METRICS);
        await().atMost(Duration.ofSeconds(10)).until(() -> redis.opsForList().size(PROCESSING) == 0);
        assertThat(rows(run)).isEqualTo(3000L * RedisTestEvents.METRICS);
        assertThat(redis.opsForList().size(QUEUE)).isZero();
        assertThat(StatsInvariant.violations(jdbc)).isEmpty();
    }

    @Test
    void oneMessagePerParameterAtOneInstantOrSharingAnEventIdLandsEveryRowAndRepeatsAreDuplicates() {
        UUID device = UUID.randomUUID();
        List<String> messages = PerParameterMessages.of(device, "shared-redis");
        double success = PerParameterMessages.events(meters, "redis", "success");
        double duplicate = PerParameterMessages.events(meters, "redis", "duplicate");

        redis.opsForList().leftPushAll(QUEUE, messages);
        await().atMost(Duration.ofSeconds(15)).until(() -> PerParameterMessages.rows(jdbc, device) == PerParameterMessages.COUNT
                && PerParameterMessages.events(meters, "redis", "success") - success == PerParameterMessages.COUNT);
        redis.opsForList().leftPushAll(QUEUE, messages);
        await().atMost(Duration.ofSeconds(15)).until(() ->
                PerParameterMessages.events(meters, "redis", "duplicate") - duplicate == PerParameterMessages.COUNT);

        assertThat(PerParameterMessages.rows(jdbc, device)).isEqualTo(PerParameterMessages.COUNT);
        assertThat(PerParameterMessages.events(meters, "redis", "success") - success).isEqualTo(PerParameterMessages.COUNT);
        assertThat(StatsInvariant.violations(jdbc)).isEmpty();
    }

    @Test
    void poisonMessageEndsInDlqAfterThePolicyAndInvalidOnesAtOnce() throws Exception {
        String poison = RedisTestEvents.event(POISON, 1);
        String invalid = "{\"device_id\": \"not-a-uuid\"}";
        redis.opsForList().leftPush(QUEUE, poison);
        redis.opsForList().leftPush(QUEUE, invalid);

        await().atMost(Duration.ofSeconds(20)).until(() -> redis.opsForList().range(DLQ, 0, -1).stream()
                .map(this::json).filter(d -> d.get("payload").asText().equals(poison)
                        || d.get("payload").asText().equals(invalid)).count() == 2);
        List<JsonNode> dead = redis.opsForList().range(DLQ, 0, -1).stream().map(this::json).toList();
        JsonNode invalidLetter = dead.stream().filter(d -> d.get("payload").asText().equals(invalid)).findFirst().orElseThrow();
        assertThat(invalidLetter.at("/headers/x-error-type").asText()).isEqualTo("validation");
        assertThat(invalidLetter.at("/headers/x-attempts").asText()).isEqualTo("1");
        JsonNode poisonLetter = dead.stream().filter(d -> d.get("payload").asText().equals(poison)).findFirst().orElseThrow();
        assertThat(poisonLetter.at("/headers/x-error-type").asText()).isEqualTo("exhausted");
        assertThat(poisonLetter.at("/headers/x-attempts").asText()).isEqualTo(Integer.toString(MAX_ATTEMPTS));
        assertThat(poisonLetter.at("/headers/x-source").asText()).isEqualTo("redis");
        assertThat(jdbc.queryForObject("SELECT attempts FROM dead_letters WHERE payload = ?", Integer.class, poison))
                .isEqualTo(MAX_ATTEMPTS);
        await().atMost(Duration.ofSeconds(5)).until(() -> redis.opsForList().size(PROCESSING) == 0
                && redis.opsForZSet().zCard(DELAYED) == 0);
    }

    @Test
    void entriesStuckInProcessingAreRecoveredAfterTheVisibilityTimeout() {
        String run = "stuck";
        String old = QueueEntry.PREFIX + "1|0|" + RedisTestEvents.event(run, 1);
        long redisNow = redis.execute((org.springframework.data.redis.core.RedisCallback<Long>) c -> c.serverCommands().time());
        String fresh = QueueEntry.PREFIX + redisNow + "|0|" + RedisTestEvents.event(run, 2);
        // As a crashed instance leaves them: taken (one long ago, one just now), never removed.
        redis.opsForList().leftPush(PROCESSING, old);
        redis.opsForList().leftPush(PROCESSING, fresh);

        await().atMost(Duration.ofSeconds(10)).until(() -> rows(run) == RedisTestEvents.METRICS);
        assertThat(redis.opsForList().range(PROCESSING, 0, -1)).contains(fresh);
        await().atMost(Duration.ofSeconds(15)).until(() -> rows(run) == 2L * RedisTestEvents.METRICS);
        await().atMost(Duration.ofSeconds(5)).until(() -> redis.opsForList().size(PROCESSING) == 0);
        assertThat(StatsInvariant.violations(jdbc)).isEmpty();
    }

    @Test
    void httpPublishToRedisLandsTheEvent() throws Exception {
        String run = "http";
        HttpHeaders headers = new HttpHeaders();
        headers.setContentType(MediaType.APPLICATION_JSON);
        String body = "[" + RedisTestEvents.event(run, 1) + "," + RedisTestEvents.event(run, 2) + "]";
        ResponseEntity<String> answer = http.postForEntity("/v1/events", new HttpEntity<>(body, headers), String.class);
        assertThat(answer.getStatusCode().value()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(10)).until(() -> rows(run) == 2L * RedisTestEvents.METRICS);
    }

    @Test
    void healthShowsTheRedisSourceAndQueueDepthIsMetered() throws Exception {
        String run = "depth";
        camel.getRouteController().stopRoute("redis-source");
        try {
            redis.opsForList().leftPushAll(QUEUE, List.of(RedisTestEvents.event(run, 1), RedisTestEvents.event(run, 2),
                    RedisTestEvents.event(run, 3)));
            JsonNode health = json(http.getForObject("/actuator/health", String.class));
            assertThat(health.at("/components/redisSource/status").asText()).isEqualTo("UP");
            assertThat(health.at("/components/redisSource/details/queue").asText()).isEqualTo(QUEUE);
            assertThat(health.at("/components/redisSource/details/queueDepth").asLong()).isEqualTo(3);
            var depth = meters.find(routes.ops.IngestMetrics.QUEUE_DEPTH).tag("source", "redis").tag("queue", QUEUE).gauge();
            assertThat(depth).as("ingest_queue_depth{source=redis}").isNotNull();
            assertThat(depth.value()).isEqualTo(3.0);
        } finally {
            camel.getRouteController().startRoute("redis-source");
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> rows(run) == 3L * RedisTestEvents.METRICS);
    }

    @Test
    void redisDeadLetterIsReplayedIntoTheQueue() throws Exception {
        String event = RedisTestEvents.event(POISON + "-replay", 7);
        redis.opsForList().leftPush(QUEUE, event);
        await().atMost(Duration.ofSeconds(20)).until(() -> count("SELECT count(*) FROM dead_letters WHERE payload = ?", event) == 1);
        Long id = jdbc.queryForObject("SELECT id FROM dead_letters WHERE payload = ?", Long.class, event);

        jdbc.execute("DROP TRIGGER refuse_poison ON ingest_events");
        try {
            ResponseEntity<String> answer = http.withBasicAuth("admin", ADMIN_PASSWORD)
                    .postForEntity("/v1/dead-letters/" + id + "/replay", null, String.class);
            assertThat(answer.getStatusCode().is2xxSuccessful()).isTrue();
            await().atMost(Duration.ofSeconds(10)).until(() -> rows(POISON + "-replay") == RedisTestEvents.METRICS);
            assertThat(jdbc.queryForObject("SELECT replayed_at IS NOT NULL FROM dead_letters WHERE id = ?", Boolean.class, id)).isTrue();
        } finally {
            failPoisonEvents();
        }
    }

    @Test
    void consumerResumesByItselfAfterRedisRestart() throws Exception {
        String run = "restart";
        redis.opsForList().leftPushAll(QUEUE, List.of(RedisTestEvents.event(run, 1), RedisTestEvents.event(run, 2)));
        await().atMost(Duration.ofSeconds(10)).until(() -> rows(run) == 2L * RedisTestEvents.METRICS);

        RedisService.restart();

        redis.opsForList().leftPushAll(QUEUE, List.of(RedisTestEvents.event(run, 3), RedisTestEvents.event(run, 4)));
        await().atMost(Duration.ofSeconds(30)).until(() -> rows(run) == 4L * RedisTestEvents.METRICS);
        assertThat(StatsInvariant.violations(jdbc)).isEmpty();
    }

    private long rows(String run) {
        return count("SELECT count(*) FROM ingest_events WHERE event_id LIKE ?", run + "-%");
    }

    private long count(String sql, Object arg) {
        Long n = jdbc.queryForObject(sql, Long.class, arg);
        return n == null ? 0 : n;
    }

    private JsonNode json(String text) {
        try {
            return mapper.readTree(text);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
