package routes.source.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import redis.clients.jedis.Jedis;
import routes.IngestApplication;
import routes.ops.IngestMetrics;
import routes.support.StatsInvariant;
import routes.support.TestDatabase;

/**
 * Two app instances (two Spring contexts, each with its own in-memory idempotency cache) consume one
 * Redis list into one database: both take a share, and no row is doubled.
 */
class RedisTwoInstancesIT {

    static final String PREFIX = "it:RedisTwoInstancesIT:";
    static final String QUEUE = PREFIX + "queue";
    static final int EVENTS = 4000;

    static String url;
    static ConfigurableApplicationContext first;
    static ConfigurableApplicationContext second;

    @BeforeAll
    static void startTwoInstances() {
        url = TestDatabase.recreate("it_redis_two");
        try (Jedis jedis = new Jedis(RedisService.HOST, RedisService.PORT)) {
            jedis.del(QUEUE, QUEUE + ":processing", QUEUE + ":delayed", QUEUE + ":dlq");
        }
        first = start("a");
        second = start("b");
    }

    static ConfigurableApplicationContext start(String name) {
        // Command-line arguments outrank application.yml.
        return new SpringApplicationBuilder(IngestApplication.class).run(
                "--server.port=0",
                "--camel.main.name=redis-two-" + name,
                "--spring.datasource.url=" + url,
                "--ingest.embedded-db.enabled=false",
                "--ingest.sources.redis.enabled=true",
                "--ingest.sources.redis.queue=" + QUEUE,
                "--ingest.sources.redis.processing-list=" + QUEUE + ":processing",
                "--ingest.sources.redis.delayed-set=" + QUEUE + ":delayed",
                "--ingest.sources.redis.dlq=" + QUEUE + ":dlq",
                // small takes, so that both instances get a share of a short run
                "--ingest.sources.redis.batch-size=20");
    }

    @AfterAll
    static void stop() {
        if (second != null) {
            second.close();
        }
        if (first != null) {
            first.close();
        }
    }

    @Test
    void twoInstancesShareOneListAndNeverDoubleARow() {
        String run = "two";
        List<String> events = RedisTestEvents.withDuplicates(run, EVENTS, 500);
        try (Jedis jedis = new Jedis(RedisService.HOST, RedisService.PORT)) {
            for (int i = 0; i < events.size(); i += 200) {
                jedis.lpush(QUEUE, events.subList(i, Math.min(events.size(), i + 200)).toArray(String[]::new));
            }
            JdbcTemplate jdbc = new JdbcTemplate(new DriverManagerDataSource(url, TestDatabase.USER, ""));
            await().atMost(Duration.ofSeconds(90)).until(() -> rows(jdbc) == (long) EVENTS * RedisTestEvents.METRICS);
            await().atMost(Duration.ofSeconds(10)).until(() -> jedis.llen(QUEUE + ":processing") == 0);
            assertThat(rows(jdbc)).isEqualTo((long) EVENTS * RedisTestEvents.METRICS);
            assertThat(jdbc.queryForObject("SELECT count(DISTINCT event_id) FROM ingest_events", Long.class))
                    .isEqualTo(EVENTS);
            assertThat(StatsInvariant.violations(jdbc)).isEmpty();
            assertThat(jedis.llen(QUEUE + ":dlq")).isZero();
        }
        double a = handled(first);
        double b = handled(second);
        assertThat(a).as("events handled by instance a").isPositive();
        assertThat(b).as("events handled by instance b").isPositive();
        assertThat(a + b).isGreaterThanOrEqualTo(EVENTS);
    }

    private static long rows(JdbcTemplate jdbc) {
        Long n = jdbc.queryForObject("SELECT count(*) FROM ingest_events", Long.class);
        return n == null ? 0 : n;
    }

    /** Events this instance took to an end (committed or found duplicate). */
    private static double handled(ConfigurableApplicationContext app) {
        return app.getBean(MeterRegistry.class).find(IngestMetrics.EVENTS).tag("source", "redis").counters()
                .stream().mapToDouble(Counter::count).sum();
    }
}
