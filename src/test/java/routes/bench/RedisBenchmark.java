package routes.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import routes.IngestApplication;
import routes.support.TestDatabase;

/**
 * Redis list → PostgreSQL throughput: the app in-process draining N preloaded events (3 metrics each,
 * 2% duplicates) from a fresh database, against the seeds' one-at-a-time BRPOP worker (BRPOP one,
 * INSERT each metric, recompute that day's stats, next) on a smaller run.
 * {@code scripts/benchmark.sh redis [events] [brpop-events]} (defaults 100000 and 2000).
 */
public final class RedisBenchmark {

    private static final String QUEUE = "bench:redis:queue";
    private static final String STAGING = "bench:redis:staging";
    private static final String BRPOP_QUEUE = "bench:redis:brpop";
    private static final int METRICS = 3;
    private static final int DEVICES = 50;

    private RedisBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        BenchReport.cpuReference();
        int events = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int brpopEvents = args.length > 1 ? Integer.parseInt(args[1]) : 2_000;
        String host = System.getenv().getOrDefault("REDIS_HOST", "127.0.0.1");

        double ours = ourApp(host, events);
        double seed = brpopWorker(host, brpopEvents, false);
        // The same worker committing once per message instead of per statement (as the RabbitMQ benchmark's does).
        double seedPerMessage = brpopWorker(host, brpopEvents, true);
        System.out.printf(Locale.ROOT, "redis speed-up: %.1fx the one-at-a-time BRPOP worker "
                + "(%.1fx the one committing once per message)%n", ours / seed, ours / seedPerMessage);
        System.exit(0);
    }

    /** Runs the app against a preloaded list; returns events/s. */
    private static double ourApp(String host, int events) throws Exception {
        String url = TestDatabase.recreate("bench_redis");
        int duplicates = events / 50;
        try (Jedis jedis = new Jedis(host, 6379)) {
            jedis.del(QUEUE, STAGING, QUEUE + ":processing", QUEUE + ":delayed", QUEUE + ":dlq");
            push(jedis, STAGING, events, duplicates, "bench");
        }
        // Command-line arguments: they outrank application.yml (builder properties would not).
        ConfigurableApplicationContext app = new SpringApplicationBuilder(IngestApplication.class).run(
                "--server.port=0",
                "--spring.datasource.url=" + url,
                "--ingest.embedded-db.enabled=false",
                "--ingest.sources.redis.enabled=true",
                "--ingest.sources.redis.queue=" + QUEUE,
                "--ingest.sources.redis.processing-list=" + QUEUE + ":processing",
                "--ingest.sources.redis.delayed-set=" + QUEUE + ":delayed",
                "--ingest.sources.redis.dlq=" + QUEUE + ":dlq",
                "--logging.level.root=WARN");
        try (Connection db = DriverManager.getConnection(url, TestDatabase.USER, "");
             Jedis jedis = new Jedis(host, 6379)) {
            long expectedRows = (long) events * METRICS;
            long cpuStart = BenchReport.processCpuNanos();
            long start = System.nanoTime();
            jedis.rename(STAGING, QUEUE); // every event appears in the queue at once
            long rows;
            while ((rows = count(db)) < expectedRows) {
                Thread.sleep(20);
                if (System.nanoTime() - start > 600_000_000_000L) {
                    throw new IllegalStateException("only " + rows + " of " + expectedRows + " rows after 600 s");
                }
            }
            long elapsed = System.nanoTime() - start;
            BenchReport.print("redis list (ours)", events + duplicates, rows, elapsed, null);
            // The machine is shared: CPU seconds the app used say more than wall time when it is loaded.
            BenchReport.printAppCpu("redis list (ours)", events + duplicates, cpuStart);
            return (events + duplicates) / (elapsed / 1e9);
        } finally {
            app.close();
        }
    }

    /**
     * The seeds' worker ({@link OneAtATimeWorker}) fed by BRPOP one message at a time; each statement
     * committed on its own, or with {@code commitPerMessage} one transaction per message.
     */
    private static double brpopWorker(String host, int events, boolean commitPerMessage) throws Exception {
        String url = TestDatabase.recreate("bench_redis_brpop");
        Flyway.configure().dataSource(url, TestDatabase.USER, "").locations("classpath:db/migration").load().migrate();
        try (Jedis jedis = new Jedis(host, 6379);
             Connection db = DriverManager.getConnection(url, TestDatabase.USER, "");
             OneAtATimeWorker worker = new OneAtATimeWorker(db, commitPerMessage)) {
            jedis.del(BRPOP_QUEUE);
            push(jedis, BRPOP_QUEUE, events, 0, "brpop");
            long start = System.nanoTime();
            for (int i = 0; i < events; i++) {
                List<String> popped = jedis.brpop(5, BRPOP_QUEUE);
                worker.handle(popped.get(1).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
            long elapsed = System.nanoTime() - start;
            BenchReport.print(commitPerMessage ? "redis BRPOP, commit per message" : "redis BRPOP one-at-a-time",
                    events, count(db), elapsed, null);
            return events / (elapsed / 1e9);
        }
    }

    private static void push(Jedis jedis, String key, int events, int duplicates, String run) {
        List<String> batch = new ArrayList<>(1000);
        Pipeline pipeline = jedis.pipelined();
        for (int i = 0; i < events + duplicates; i++) {
            int n = i < events ? i : (int) (((long) i * 7919) % events);
            batch.add(event(run, n));
            if (batch.size() == 1000) {
                pipeline.lpush(key, batch.toArray(String[]::new));
                batch.clear();
            }
        }
        if (!batch.isEmpty()) {
            pipeline.lpush(key, batch.toArray(String[]::new));
        }
        pipeline.sync();
    }

    private static String event(String run, int i) {
        UUID device = new UUID(0x0b6f4c2e6a394a8eL, 0x9d0f3c1f5a7e0000L + i % DEVICES);
        Instant ts = Instant.ofEpochSecond(1_763_856_000L + i / DEVICES, (i % 1000) * 1_000_000L);
        return String.format(Locale.ROOT, "{\"event_id\":\"%s-%d\",\"device_id\":\"%s\",\"protocol\":\"modbus\","
                + "\"source_timestamp\":\"%s\",\"metrics\":["
                + "{\"parameter_key\":\"voltage\",\"value\":%.1f,\"quality\":192,\"attributes\":{\"unit\":\"V\"}},"
                + "{\"parameter_key\":\"current\",\"value\":%.2f},{\"parameter_key\":\"temp\",\"value\":%d}]}",
                run, i, device, ts, 220.0 + i % 20, (i % 100) / 10.0, i % 50);
    }

    private static long count(Connection db) throws Exception {
        try (Statement s = db.createStatement(); ResultSet r = s.executeQuery("SELECT count(*) FROM ingest_events")) {
            r.next();
            return r.getLong(1);
        }
    }
}
