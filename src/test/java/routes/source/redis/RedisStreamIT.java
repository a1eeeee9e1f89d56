package routes.source.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.component.redis.processor.idempotent.SpringRedisStringIdempotentRepository;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.params.XReadGroupParams;
import routes.support.StatsInvariant;
import routes.support.TestDatabase;

/**
 * Stream mode against the local Redis and PostgreSQL, with {@code ingest.idempotency.repository=redis}:
 * exactly once with duplicates (XACKed, nothing left pending), entries read by a consumer that died
 * claimed after the visibility timeout, and a payload that is not UTF-8 dead-lettered as its bytes.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class RedisStreamIT {

    static final String PREFIX = "it:RedisStreamIT:";
    static final String STREAM = PREFIX + "stream";
    static final String GROUP = "it_workers";

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        String url = TestDatabase.recreate("it_redis_stream");
        registry.add("spring.datasource.url", () -> url);
        registry.add("ingest.embedded-db.enabled", () -> "false");
        registry.add("ingest.sources.redis.enabled", () -> "true");
        registry.add("ingest.sources.redis.mode", () -> "stream");
        registry.add("ingest.sources.redis.queue", () -> STREAM);
        registry.add("ingest.sources.redis.group", () -> GROUP);
        registry.add("ingest.sources.redis.consumer-name", () -> "app-1");
        registry.add("ingest.sources.redis.dlq", () -> PREFIX + "dlq");
        registry.add("ingest.sources.redis.visibility-timeout", () -> "2s");
        registry.add("ingest.sources.redis.recovery-interval", () -> "200ms");
        registry.add("ingest.idempotency.repository", () -> "redis");
        registry.add("ingest.sources.redis.idempotency-prefix", () -> PREFIX + "seen");
    }

    @BeforeAll
    static void cleanRedis() {
        try (Jedis jedis = new Jedis(RedisService.HOST, RedisService.PORT)) {
            var keys = jedis.keys(PREFIX + "*");
            if (!keys.isEmpty()) {
                jedis.del(keys.toArray(String[]::new));
            }
        }
    }

    @Autowired
    JdbcTemplate jdbc;
    @Autowired
    CamelContext camel;
    @Autowired
    @Qualifier("eventIdempotentStore")
    IdempotentRepository idempotentStore;

    @Test
    void streamEventsWithDuplicatesLandExactlyOnceAndAreAcknowledged() {
        String run = "stream";
        List<String> events = RedisTestEvents.withDuplicates(run, 2000, 300);
        try (Jedis jedis = new Jedis(RedisService.HOST, RedisService.PORT)) {
            var pipeline = jedis.pipelined();
            for (String event : events) {
                pipeline.xadd(STREAM, StreamEntryID.NEW_ENTRY, Map.of("payload", event));
            }
            pipeline.sync();
            await().atMost(Duration.ofSeconds(60)).until(() -> rows(run) == 2000L * RedisTestEvents.METRICS);
            await().atMost(Duration.ofSeconds(10)).until(() -> jedis.xpending(STREAM, GROUP).getTotal() == 0);
        }
        assertThat(rows(run)).isEqualTo(2000L * RedisTestEvents.METRICS);
        assertThat(StatsInvariant.violations(jdbc)).isEmpty();
        assertThat(idempotentStore).isInstanceOf(SpringRedisStringIdempotentRepository.class);
    }

    @Test
    void entriesOfADeadConsumerAreClaimedAfterTheVisibilityTimeout() throws Exception {
        String run = "claimed";
        camel.getRouteController().stopRoute("redis-source");
        try (Jedis jedis = new Jedis(RedisService.HOST, RedisService.PORT)) {
            jedis.xadd(STREAM, StreamEntryID.NEW_ENTRY, Map.of("payload", RedisTestEvents.event(run, 1)));
            jedis.xadd(STREAM, StreamEntryID.NEW_ENTRY, Map.of("payload", RedisTestEvents.event(run, 2)));
            // Another instance reads both, then dies without acknowledging them.
            var read = jedis.xreadGroup(GROUP, "crashed", XReadGroupParams.xReadGroupParams().count(10),
                    Map.of(STREAM, StreamEntryID.XREADGROUP_UNDELIVERED_ENTRY));
            assertThat(read.get(0).getValue()).hasSize(2);
            camel.getRouteController().startRoute("redis-source");

            await().atMost(Duration.ofSeconds(20)).until(() -> rows(run) == 2L * RedisTestEvents.METRICS);
            await().atMost(Duration.ofSeconds(10)).until(() -> jedis.xpending(STREAM, GROUP).getTotal() == 0);
        }
        assertThat(StatsInvariant.violations(jdbc)).isEmpty();
    }

    @Test
    void anEntryThatIsNotUtf8IsDeadLetteredOnceByteForByteAndAcknowledged() {
        String marker = java.util.UUID.randomUUID().toString();
        byte[] body = ("\u00ff\u00fe not json " + marker).getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        try (Jedis jedis = new Jedis(RedisService.HOST, RedisService.PORT)) {
            jedis.xadd(STREAM.getBytes(java.nio.charset.StandardCharsets.UTF_8), redis.clients.jedis.params.XAddParams.xAddParams(),
                    Map.of("payload".getBytes(java.nio.charset.StandardCharsets.UTF_8), body));
            await().atMost(Duration.ofSeconds(20)).until(() -> jdbc.queryForObject(
                    "SELECT count(*) FROM dead_letters WHERE payload LIKE ?", Long.class, "%" + marker + "%") == 1);
            await().atMost(Duration.ofSeconds(10)).until(() -> jedis.xpending(STREAM, GROUP).getTotal() == 0);
        }
        String base64 = jdbc.queryForObject("SELECT headers->>'x-payload-base64' FROM dead_letters WHERE payload LIKE ?",
                String.class, "%" + marker + "%");
        assertThat(java.util.Base64.getDecoder().decode(base64)).isEqualTo(body);
    }

    private long rows(String run) {
        Long n = jdbc.queryForObject("SELECT count(*) FROM ingest_events WHERE event_id LIKE ?", Long.class, run + "-%");
        return n == null ? 0 : n;
    }
}
