package routes.source.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import redis.clients.jedis.Jedis;
import routes.ops.IngestMetrics;
import routes.support.TestDatabase;

/**
 * The invalid messages of one batch from the Redis list are dead-lettered together (one transaction, one
 * LPUSH of all their copies), a redelivery among them gets no second row or copy, and a DLQ push that fails
 * (the DLQ key holding a string: Redis answers WRONGTYPE) leaves no row and acks nothing; once the DLQ can be
 * written again, each is dead-lettered once.
 */
@SpringBootTest
class RedisDeadLetterBatchIT {

    static final String PREFIX = "it:RedisDeadLetterBatchIT:";
    static final String QUEUE = PREFIX + "queue";
    static final String PROCESSING = QUEUE + ":processing";
    static final String DELAYED = QUEUE + ":delayed";
    static final String DLQ = QUEUE + ":dlq";

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        String url = TestDatabase.recreate("it_redis_dead_letter_batch");
        registry.add("spring.datasource.url", () -> url);
        registry.add("ingest.embedded-db.enabled", () -> "false");
        registry.add("ingest.sources.redis.enabled", () -> "true");
        registry.add("ingest.sources.redis.queue", () -> QUEUE);
        registry.add("ingest.sources.redis.processing-list", () -> PROCESSING);
        registry.add("ingest.sources.redis.delayed-set", () -> DELAYED);
        registry.add("ingest.sources.redis.dlq", () -> DLQ);
        registry.add("ingest.redelivery.initial-delay", () -> "50ms");
        registry.add("ingest.redelivery.max-delay", () -> "300ms");
    }

    @Autowired JdbcTemplate jdbc;
    @Autowired MeterRegistry meters;
    private final ObjectMapper mapper = new ObjectMapper();

    @BeforeEach
    void cleanRedis() {
        try (Jedis jedis = jedis()) {
            jedis.del(QUEUE, PROCESSING, DELAYED, DLQ, DELAYED + ":seq");
        }
    }

    @Test
    void theInvalidMessagesOfABatchAreDeadLetteredTogetherAndARedeliveryAmongThemIsNotDoubled() {
        String marker = UUID.randomUUID().toString();
        String redelivered = invalid(marker, "before");
        try (Jedis jedis = jedis()) {
            jedis.lpush(QUEUE, redelivered);
            await().atMost(Duration.ofSeconds(20)).until(() -> deadLetters(marker) == 1 && idle(jedis));
            double before = deadLetterCount();

            // One LPUSH: the consumer takes them in one call, one batch. The first is the same message again.
            jedis.lpush(QUEUE, redelivered, invalid(marker, "a"), valid(marker), invalid(marker, "b"), "not json " + marker);
            await().atMost(Duration.ofSeconds(20)).until(() -> deadLetters(marker) == 4 && idle(jedis) && rows(marker) == 1);

            List<Map<String, Object>> batch = jdbc.queryForList("SELECT dead_letter_id, failed_at FROM dead_letters"
                    + " WHERE payload LIKE ? AND payload NOT LIKE '%before%'", "%" + marker + "%");
            assertThat(batch).hasSize(3);
            assertThat(batch).extracting(r -> r.get("failed_at")).as("recorded together").containsOnly(batch.get(0).get("failed_at"));
            assertThat(deadLetterCount() - before).isEqualTo(3.0);
            List<JsonNode> copies = copies(jedis, marker);
            assertThat(copies).as("one copy each, none again for the redelivery").hasSize(4);
            assertThat(copies).extracting(c -> c.at("/headers/x-dead-letter-id").asText()).doesNotHaveDuplicates();
            assertThat(deadLetters(marker)).isEqualTo(4);
        }
    }

    @Test
    void aDlqPushThatFailsLeavesNoRowAndAcksNothingThenEachIsDeadLetteredOnce() {
        String marker = UUID.randomUUID().toString();
        try (Jedis jedis = jedis()) {
            jedis.set(DLQ, "not a list"); // LPUSH answers WRONGTYPE
            jedis.lpush(QUEUE, invalid(marker, "a"), valid(marker), invalid(marker, "b"));
            // The valid message goes on; the invalid ones come back again and again, never recorded.
            await().atMost(Duration.ofSeconds(20)).until(() -> rows(marker) == 1 && jedis.zcard(DELAYED) + jedis.llen(PROCESSING) > 0);
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
                    .until(() -> deadLetters(marker) == 0 && jedis.llen(QUEUE) + jedis.zcard(DELAYED) + jedis.llen(PROCESSING) >= 1);

            jedis.del(DLQ);
            await().atMost(Duration.ofSeconds(20)).until(() -> deadLetters(marker) == 2 && idle(jedis));
            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).until(() -> deadLetters(marker) == 2);
            assertThat(copies(jedis, marker)).hasSize(2);
            assertThat(rows(marker)).isEqualTo(1);
        }
    }

    private static String invalid(String marker, String tag) {
        return "{\"device_id\": \"not-a-uuid\", \"marker\": \"" + marker + "-" + tag + "\"}";
    }

    private static String valid(String marker) {
        return "{\"event_id\":\"" + marker + "\",\"device_id\":\"0b6f4c2e-6a39-4a8e-9d0f-3c1f5a7e2b11\","
                + "\"source_timestamp\":\"2026-11-21T08:00:00Z\",\"metrics\":[{\"parameter_key\":\"v\",\"value\":1}]}";
    }

    private static boolean idle(Jedis jedis) {
        return jedis.llen(QUEUE) == 0 && jedis.llen(PROCESSING) == 0 && jedis.zcard(DELAYED) == 0;
    }

    private List<JsonNode> copies(Jedis jedis, String marker) {
        return jedis.lrange(DLQ, 0, -1).stream().map(this::json).filter(d -> d.path("payload").asText().contains(marker)).toList();
    }

    private long deadLetters(String marker) {
        return jdbc.queryForObject("SELECT count(*) FROM dead_letters WHERE payload LIKE ?", Long.class, "%" + marker + "%");
    }

    private long rows(String marker) {
        return jdbc.queryForObject("SELECT count(*) FROM ingest_events WHERE event_id = ?", Long.class, marker);
    }

    private double deadLetterCount() {
        Counter counter = meters.find(IngestMetrics.DEAD_LETTERS).tag("source", "redis").tag("error_type", "validation").counter();
        Counter json = meters.find(IngestMetrics.DEAD_LETTERS).tag("source", "redis").tag("error_type", "json").counter();
        return (counter == null ? 0 : counter.count()) + (json == null ? 0 : json.count());
    }

    private JsonNode json(String text) {
        try {
            return mapper.readTree(text);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static Jedis jedis() {
        return new Jedis(RedisService.HOST, RedisService.PORT);
    }
}
