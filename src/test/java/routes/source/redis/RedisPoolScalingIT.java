package routes.source.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import org.apache.camel.CamelContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import redis.clients.jedis.Jedis;
import routes.source.consumer.SourceConsumer;
import routes.support.TestDatabase;

/**
 * The Redis source's poller pool against the local Redis: a preloaded backlog makes it grow to
 * min(max, ceil(length / threshold)), visible as ingest_workers{source="redis"}, and it shrinks back to
 * min-consumers once the queue drained and the scale-down period passed.
 */
@SpringBootTest
class RedisPoolScalingIT {

    static final String QUEUE = "it:RedisPoolScalingIT:queue";
    static final String PROCESSING = QUEUE + ":processing";
    static final String DELAYED = QUEUE + ":delayed";
    static final int EVENTS = 12_000;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        String url = TestDatabase.recreate("it_redis_pool");
        registry.add("spring.datasource.url", () -> url);
        registry.add("ingest.embedded-db.enabled", () -> "false");
        registry.add("ingest.sources.redis.enabled", () -> "true");
        registry.add("ingest.sources.redis.queue", () -> QUEUE);
        registry.add("ingest.sources.redis.processing-list", () -> PROCESSING);
        registry.add("ingest.sources.redis.delayed-set", () -> DELAYED);
        registry.add("ingest.sources.redis.dlq", () -> QUEUE + ":dlq");
        // min-consumers = concurrency = 1, max-consumers = 4 (set: the default would be 2)
        registry.add("ingest.sources.redis.concurrency", () -> "1");
        registry.add("ingest.sources.redis.max-consumers", () -> "4");
        registry.add("ingest.sources.redis.scale-threshold", () -> "1000");
        registry.add("ingest.sources.redis.scale-interval", () -> "100ms");
        registry.add("ingest.sources.redis.scale-down-after", () -> "1s");
        // Small takes, so the queue drains over seconds rather than in a few calls.
        registry.add("ingest.sources.redis.batch-size", () -> "100");
        registry.add("ingest.sources.redis.max-in-flight", () -> "1000");
    }

    @BeforeAll
    static void cleanRedis() {
        try (Jedis jedis = new Jedis(RedisService.HOST, RedisService.PORT)) {
            jedis.del(QUEUE, PROCESSING, DELAYED, DELAYED + ":seq", QUEUE + ":dlq");
        }
    }

    @Autowired
    CamelContext camel;
    @Autowired
    MeterRegistry meters;
    @Autowired
    JdbcTemplate jdbc;

    double workers() {
        Gauge gauge = meters.find(SourceConsumer.WORKERS_GAUGE).tag("source", "redis").tag("queue", QUEUE).gauge();
        return gauge == null ? 0 : gauge.value();
    }

    @Test
    void aBacklogGrowsThePoolToItsTargetAndItShrinksOnceDrained() throws Exception {
        assertThat(workers()).as("min-consumers = concurrency").isEqualTo(1);
        camel.getRouteController().stopRoute("redis-source");
        String[] entries = new String[EVENTS];
        for (int i = 0; i < EVENTS; i++) {
            entries[i] = RedisTestEvents.event("pool", i);
        }
        try (Jedis jedis = new Jedis(RedisService.HOST, RedisService.PORT)) {
            jedis.lpush(QUEUE, entries);
        }
        camel.getRouteController().startRoute("redis-source");

        // 12,000 waiting / 1,000 per poller = 12, capped at max-consumers = 4.
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).until(() -> workers() == 4);
        await().atMost(Duration.ofSeconds(60)).until(() -> jdbc.queryForObject(
                "SELECT count(*) FROM ingest_events", Long.class) == (long) EVENTS * RedisTestEvents.METRICS);
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> workers() == 1);
        try (Jedis jedis = new Jedis(RedisService.HOST, RedisService.PORT)) {
            assertThat(jedis.llen(QUEUE)).isZero();
        }
    }
}
