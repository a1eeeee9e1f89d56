package routes.source.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import redis.clients.jedis.Jedis;
import routes.support.StatsInvariant;
import routes.support.TestDatabase;
import routes.support.WriteBlock;

/**
 * {@code kill -9} of the packaged app (target/*.jar, built by {@code mvn verify} before the ITs) while
 * it drains a Redis list; after a restart the recoverer returns the entries the dead process had taken,
 * and every event is in the tables exactly once, and every invalid message in {@code dead_letters}
 * exactly once (its dead letter may have committed before the kill, its ack not).
 */
class RedisCrashIT {

    static final String PREFIX = "it:RedisCrashIT:";
    static final String QUEUE = PREFIX + "queue";
    static final String PROCESSING = QUEUE + ":processing";
    static final int EVENTS = 20_000;
    /** One invalid message after every this many events. */
    static final int INVALID_EVERY = 100;

    private Process app;

    @AfterEach
    void killApp() {
        if (app != null) {
            app.destroyForcibly();
        }
    }

    @Test
    void killedMidStreamThenRestartedEveryEventLandsExactlyOnce() throws Exception {
        String url = TestDatabase.recreate("it_redis_crash");
        JdbcTemplate jdbc = new JdbcTemplate(new DriverManagerDataSource(url, TestDatabase.USER, ""));
        List<String> events = withInvalid(RedisTestEvents.withDuplicates("crash", EVENTS, 1000));
        long invalid = events.stream().filter(e -> e.contains("not-a-uuid")).count();
        try (Jedis jedis = new Jedis(RedisService.HOST, RedisService.PORT)) {
            jedis.del(QUEUE, PROCESSING, QUEUE + ":delayed", QUEUE + ":dlq");
            int firstPart = events.size() / 5;
            push(jedis, events.subList(0, firstPart));

            app = launch(url, 1);
            await().atMost(Duration.ofSeconds(180)).ignoreExceptions().until(() -> rows(jdbc) > 0);
            // Kill it mid-stream for certain: some rows committed, entries taken but not removed, because
            // the writers are held back while the rest arrives.
            try (WriteBlock writers = WriteBlock.on(url)) {
                push(jedis, events.subList(firstPart, events.size()));
                await().atMost(Duration.ofSeconds(60)).until(() -> jedis.llen(PROCESSING) > 0);
                app.destroyForcibly().waitFor(); // SIGKILL: no shutdown hook, no settling
            }
            long committedAtKill = rows(jdbc);
            assertThat(committedAtKill).isLessThan((long) EVENTS * RedisTestEvents.METRICS);
            assertThat(jedis.llen(PROCESSING)).as("entries the dead process had taken").isPositive();

            app = launch(url, 2);
            await().atMost(Duration.ofSeconds(240))
                    .until(() -> rows(jdbc) == (long) EVENTS * RedisTestEvents.METRICS
                            && jedis.llen(PROCESSING) == 0 && jedis.llen(QUEUE) == 0);
            assertThat(jdbc.queryForObject("SELECT count(DISTINCT event_id) FROM ingest_events", Long.class))
                    .isEqualTo(EVENTS);
            assertThat(StatsInvariant.violations(jdbc)).isEmpty();
            await().atMost(Duration.ofSeconds(30)).until(() -> deadLetters(jdbc) == invalid);
            assertThat(jdbc.queryForObject("SELECT count(DISTINCT dead_letter_id) FROM dead_letters", Long.class))
                    .isEqualTo(invalid);
            // The DLQ list may hold a copy more than once (LPUSH and LREM are not atomic), each with one id.
            assertThat(jedis.lrange(QUEUE + ":dlq", 0, -1).stream()
                    .map(e -> e.replaceAll(".*\"x-dead-letter-id\":\"([^\"]+)\".*", "$1")).distinct().count())
                    .isEqualTo(invalid);
        }
    }

    /** The events with a distinct invalid message (a device_id that is no UUID) after every {@link #INVALID_EVERY}. */
    private static List<String> withInvalid(List<String> events) {
        List<String> out = new ArrayList<>(events.size() + events.size() / INVALID_EVERY);
        for (int i = 0; i < events.size(); i++) {
            out.add(events.get(i));
            if (i % INVALID_EVERY == INVALID_EVERY - 1) {
                out.add("{\"device_id\": \"not-a-uuid\", \"n\": " + i + "}");
            }
        }
        return out;
    }

    private static long deadLetters(JdbcTemplate jdbc) {
        Long n = jdbc.queryForObject("SELECT count(*) FROM dead_letters", Long.class);
        return n == null ? 0 : n;
    }

    private static void push(Jedis jedis, List<String> events) {
        for (int i = 0; i < events.size(); i += 1000) {
            jedis.lpush(QUEUE, events.subList(i, Math.min(events.size(), i + 1000)).toArray(String[]::new));
        }
    }

    private static long rows(JdbcTemplate jdbc) {
        Long n = jdbc.queryForObject("SELECT count(*) FROM ingest_events", Long.class);
        return n == null ? 0 : n;
    }

    private static Process launch(String url, int run) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m"));
        File jar = packagedJar();
        if (jar != null) {
            command.addAll(List.of("-jar", jar.getPath()));
        } else {
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), "routes.IngestApplication"));
        }
        command.addAll(List.of(
                "--server.port=0",
                "--spring.datasource.url=" + url,
                "--ingest.embedded-db.enabled=false",
                "--ingest.sources.redis.enabled=true",
                "--ingest.sources.redis.queue=" + QUEUE,
                "--ingest.sources.redis.processing-list=" + PROCESSING,
                "--ingest.sources.redis.delayed-set=" + QUEUE + ":delayed",
                "--ingest.sources.redis.dlq=" + QUEUE + ":dlq",
                "--ingest.sources.redis.visibility-timeout=5s",
                "--ingest.sources.redis.batch-size=100"));
        File log = new File("target/redis-crash-app-" + run + ".log");
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log).start();
    }

    /** The Spring Boot fat jar, when {@code mvn verify} has packaged it. */
    private static File packagedJar() {
        File[] jars = new File("target").listFiles((dir, name) -> name.endsWith(".jar") && name.startsWith("ingest-routes"));
        return jars == null ? null : Arrays.stream(jars).findFirst().orElse(null);
    }
}
