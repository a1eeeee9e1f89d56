package routes.scale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.api.PublishAck;
import io.nats.client.api.RetentionPolicy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.springframework.amqp.core.QueueBuilder;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import redis.clients.jedis.Jedis;
import routes.source.nats.JetStreamTopology;
import routes.source.nats.NatsTestSupport;
import routes.source.rabbitmq.RabbitMqTestBroker;
import routes.source.redis.RecoveryLeaderConfiguration;
import routes.support.AppProcess;
import routes.support.CpuSample;
import routes.support.StatsInvariant;
import routes.support.TestDatabase;
import routes.support.WriteBlock;

/**
 * Several instances of the packaged jar share one RabbitMQ queue, one JetStream durable consumer, one
 * Redis list and one database (docs/scaling.md). Events are fed to all three brokers with duplicates
 * (re-sent on the same broker and across brokers).
 *
 * <p>Default (in the suite): three instances; the first one, the Redis recovery leader, is killed with
 * kill -9 while it provably holds messages of every broker, and a new instance is started: every event
 * lands exactly once, stats hold, no dead letter, every queue drained — the dead leader's Redis entries
 * only come back because another instance took over the leader lock.
 *
 * <p>{@code -Dmulti.mode=throughput}: no kill; for 1..{@code multi.instances} instances, the aggregate
 * events/s (scripts/multi-instance.sh). Sizes: {@code -Dmulti.events} (per broker), {@code -Dmulti.instances},
 * {@code -Dmulti.from} (throughput: first instance count, default 1).
 */
class MultiInstanceIT {

    static final int EVENTS = Integer.getInteger("multi.events", 3000);
    static final int INSTANCES = Integer.getInteger("multi.instances", 3);
    /** Throughput mode: the smallest instance count measured (to measure one count again alone). */
    static final int FROM = Integer.getInteger("multi.from", 1);
    static final int METRICS = 3;
    /** Kill mode: messages one instance may hold per broker, so "the killed one holds some" is countable. */
    static final int CAP = 100;
    static final Path RESULTS = Path.of("target", "multi-instance-results.txt");

    static final String QUEUE = "it.multi.q";
    static final String DLX = "it.multi.dlx";
    static final String DLQ = "it.multi.dlq";
    static final String STREAM = "IT_MULTI";
    static final String SUBJECT = "it.multi.events";
    static final String DURABLE = "it_multi";
    static final String REDIS_HOST = "127.0.0.1";
    static final int REDIS_PORT = 6379;
    static final String REDIS_QUEUE = "it:MultiInstanceIT:queue";
    static final String PROCESSING = REDIS_QUEUE + ":processing";
    static final String DELAYED = REDIS_QUEUE + ":delayed";
    static final String REDIS_DLQ = REDIS_QUEUE + ":dlq";
    static final UUID[] DEVICES = {UUID.fromString("3e9b7f5b-9d6c-4dbc-8a3c-6f4b8d0b5e44"),
            UUID.fromString("4fac8a6c-ae7d-4ecd-9b4d-7a5c9e1c6f55"),
            UUID.fromString("50bd9b7d-bf8e-4fde-8c5e-8b6d0f2d7a66")};

    final List<AppProcess> apps = new ArrayList<>();
    RabbitMqTestBroker rabbit;
    Connection nats;
    Jedis redis;
    JdbcTemplate jdbc;
    String url;
    int leaderSession;

    @AfterEach
    void tearDown() throws Exception {
        for (AppProcess app : apps) {
            app.close();
        }
        if (rabbit != null) {
            rabbit.close();
        }
        if (nats != null) {
            nats.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    @DisabledIfSystemProperty(named = "multi.mode", matches = "throughput")
    void killTheLeaderMidStreamAndStartAnotherEveryEventLandsExactlyOnce() throws Exception {
        freshBrokersAndDatabase("it_multi_instance");
        Map<String, String> properties = properties(true);
        // No event of the first part comes again in the rest: while the writers are held back, no message can
        // complete (a duplicate of a committed event would, and be acked without a write).
        List<List<byte[]>> first = messages(0, EVENTS / 5);
        List<List<byte[]>> rest = messages(EVENTS / 5, EVENTS);
        long start = System.nanoTime();

        AppProcess leader = start("multi-1", properties);
        await("the first instance takes the Redis recovery lock").atMost(Duration.ofSeconds(30))
                .until(() -> lockHolders() == 1);
        startInParallel(INSTANCES - 1, properties, 2);

        publish(first);
        await("the first part committed and drained").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1))
                .until(() -> rows() > 0 && rabbit.readyAndUnacked(QUEUE) == 0 && NatsTestSupport.messages(nats, STREAM) == 0
                        && redis.llen(REDIS_QUEUE) == 0 && redis.llen(PROCESSING) == 0);

        // Mid-stream for certain: nothing commits while the block is open, so every instance fills up to its
        // cap of each broker; at k × CAP in flight the one to be killed holds CAP of each. (Within the Redis
        // visibility timeout: after it the leader would put the live instances' entries back.)
        try (WriteBlock writers = WriteBlock.on(url)) {
            publish(rest);
            long full = (long) INSTANCES * CAP;
            await("every instance holds " + CAP + " messages of each broker").atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(500))
                    .until(this::inFlight, held -> held.redis() == full && held.nats() >= full && held.rabbitmq() == full);
            leaderSession = lockHolder();
            leader.kill();
        }
        long expectedRows = 3L * EVENTS * METRICS;
        assertThat(rows()).as("killed mid-stream").isLessThan(expectedRows);
        assertThat(StatsInvariant.violations(jdbc)).isEmpty();

        startInParallel(1, properties, INSTANCES + 1);
        awaitAllCommittedAndDrained(expectedRows, Duration.ofMinutes(3));
        double seconds = (System.nanoTime() - start) / 1e9;

        assertExactlyOnce(expectedRows);
        assertThat(lockHolders()).isEqualTo(1);
        assertThat(lockHolder()).as("another instance took over the recovery lock").isNotEqualTo(leaderSession);
        report(String.format(Locale.ROOT, "MULTI-INSTANCE kill: instances=%d (first killed -9, one started) "
                        + "events=%d messages=%d seconds=%.1f events/s=%.0f (wall, start-ups and recovery included) load=%.2f",
                INSTANCES, 3 * EVENTS, total(first) + total(rest), seconds, 3 * EVENTS / seconds, CpuSample.loadAverage()));
    }

    /**
     * Aggregate throughput of 1..INSTANCES instances, no kill. The instances are started (and warm) first,
     * then the brokers are filled from three threads; the clock runs from the first publish to the last
     * commit (database time). Starting them on a preloaded backlog instead would measure JVM start-up:
     * here the first instance drains much of it before the third is up.
     */
    @Test
    @EnabledIfSystemProperty(named = "multi.mode", matches = "throughput")
    void aggregateThroughputOfOneToNInstances() throws Exception {
        List<List<byte[]>> messages = messages(0, EVENTS);
        long expectedRows = 3L * EVENTS * METRICS;
        for (int instances = FROM; instances <= INSTANCES; instances++) {
            freshBrokersAndDatabase("it_multi_throughput");
            startInParallel(instances, properties(false), 1);
            double loadBefore = CpuSample.loadAverage();
            double background = backgroundCores(pids());
            double t0 = jdbc.queryForObject("SELECT extract(epoch FROM clock_timestamp())", Double.class);
            CpuSample before = CpuSample.now(pids());
            CpuSample ownBefore = CpuSample.now(ownPids());

            publish(messages);
            awaitAllCommittedAndDrained(expectedRows, Duration.ofMinutes(20));
            CpuSample after = CpuSample.now(pids()); // per second of the run: what polling adds after the end is small
            CpuSample ownAfter = CpuSample.now(ownPids());
            double others = ownAfter.busySecondsSince(ownBefore) - ownAfter.processesSecondsSince(ownBefore)
                    - after.postgresSecondsSince(before);
            double seconds = jdbc.queryForObject("SELECT extract(epoch FROM max(created_at)) FROM ingest_events",
                    Double.class) - t0;
            assertExactlyOnce(expectedRows);
            report(String.format(Locale.ROOT, "MULTI-INSTANCE throughput: instances=%d events=%d messages=%d "
                            + "seconds=%.1f aggregate events/s=%.0f rows/s=%.0f cores: instances=%.2f postgres=%.2f "
                            + "machine-busy=%.2f, not this run's (other users)=%.2f; other-cores-before-start=%.2f "
                            + "load=%.2f..%.2f",
                    instances, 3 * EVENTS, total(messages), seconds, 3 * EVENTS / seconds, expectedRows / seconds,
                    after.processesSecondsSince(before) / seconds, after.postgresSecondsSince(before) / seconds,
                    after.busySecondsSince(before) / seconds, others / seconds, background, loadBefore,
                    CpuSample.loadAverage()));
            for (AppProcess app : apps) {
                app.kill();
            }
            apps.clear();
        }
    }

    // ---- the scenario's parts

    /**
     * Cores busy over 3 s, the instances up and idle, minus the instances' own: what else runs on the
     * machine (another benchmark shows here). A measuring interval, not a wait for a result.
     */
    static double backgroundCores(List<Long> instances) throws InterruptedException {
        CpuSample before = CpuSample.now(instances);
        Thread.sleep(3000);
        CpuSample after = CpuSample.now(instances);
        return (after.busySecondsSince(before) - after.processesSecondsSince(before)) / 3;
    }

    List<Long> pids() {
        return apps.stream().map(AppProcess::pid).toList();
    }

    /** The instances, the brokers and this JVM (the publisher): everything of this run but PostgreSQL. */
    List<Long> ownPids() {
        List<Long> own = new ArrayList<>(pids());
        own.addAll(CpuSample.pidsNamed("beam.smp", "nats-server", "redis-server"));
        own.add(ProcessHandle.current().pid());
        return own;
    }

    void freshBrokersAndDatabase(String database) throws Exception {
        tearDown();
        rabbit = new RabbitMqTestBroker();
        rabbit.deleteTopology(QUEUE, DLX, DLQ);
        // Declared as the app declares it (CONTRACT §2 arguments), so publishing never races the first start.
        new RabbitAdmin(rabbit.connectionFactory()).declareQueue(
                QueueBuilder.durable(QUEUE).deadLetterExchange(DLX).deadLetterRoutingKey(DLQ).build());
        NatsTestSupport.deleteStreams(NatsTestSupport.URL, STREAM, STREAM + "_DLQ");
        nats = NatsTestSupport.connect(NatsTestSupport.URL);
        JetStreamTopology.ensureStream(nats, STREAM, SUBJECT, RetentionPolicy.WorkQueue, Duration.ofMinutes(2));
        redis = new Jedis(REDIS_HOST, REDIS_PORT);
        redis.del(REDIS_QUEUE, PROCESSING, DELAYED, DELAYED + ":seq", REDIS_DLQ);
        url = TestDatabase.recreate(database);
        jdbc = new JdbcTemplate(new DriverManagerDataSource(url, TestDatabase.USER, ""));
    }

    /** Every broker source on, test names; in kill mode short redelivery times and small in-flight caps ({@link #CAP}). */
    Map<String, String> properties(boolean capped) {
        Map<String, String> p = new HashMap<>();
        p.put("spring.datasource.url", url);
        p.put("spring.datasource.username", TestDatabase.USER);
        p.put("ingest.embedded-db.enabled", "false");
        p.put("ingest.sources.rabbitmq.enabled", "true");
        p.put("ingest.sources.rabbitmq.queue", QUEUE);
        p.put("ingest.sources.rabbitmq.dead-letter-exchange", DLX);
        p.put("ingest.sources.rabbitmq.dead-letter-queue", DLQ);
        p.put("ingest.sources.rabbitmq.dead-letter-routing-key", DLQ);
        p.put("ingest.sources.nats.enabled", "true");
        p.put("ingest.sources.nats.url", NatsTestSupport.URL);
        p.put("ingest.sources.nats.stream", STREAM);
        p.put("ingest.sources.nats.subject", SUBJECT);
        p.put("ingest.sources.nats.durable", DURABLE);
        p.put("ingest.sources.nats.dlq-stream", STREAM + "_DLQ");
        p.put("ingest.sources.nats.dlq-subject", "it.multi.dlq");
        p.put("ingest.sources.redis.enabled", "true");
        p.put("ingest.sources.redis.queue", REDIS_QUEUE);
        p.put("ingest.sources.redis.processing-list", PROCESSING);
        p.put("ingest.sources.redis.delayed-set", DELAYED);
        p.put("ingest.sources.redis.dlq", REDIS_DLQ);
        p.put("ingest.sources.redis.recovery-leader", "postgres");
        if (capped) {
            // What the killed instance held comes back after 5 s (NATS) / 15 s (Redis), not 30 s / 60 s. Redis's
            // timeout outlasts the wait for "every instance full" while the writers are held back: shorter,
            // the leader would already put live instances' entries back and the count would never settle.
            p.put("ingest.sources.nats.ack-wait", "5s");
            p.put("ingest.sources.redis.visibility-timeout", "15s");
            p.put("ingest.sources.rabbitmq.concurrency", "1");
            p.put("ingest.sources.rabbitmq.max-consumers", "1");
            p.put("ingest.sources.rabbitmq.prefetch", Integer.toString(CAP));
            p.put("ingest.sources.nats.max-in-flight", Integer.toString(CAP));
            p.put("ingest.sources.nats.batch-size", Integer.toString(CAP / 2));
            p.put("ingest.sources.redis.max-in-flight", Integer.toString(CAP));
            p.put("ingest.sources.redis.batch-size", Integer.toString(CAP / 2));
        }
        return p;
    }

    AppProcess start(String name, Map<String, String> properties) throws Exception {
        AppProcess app = AppProcess.start(name, properties);
        apps.add(app);
        return app;
    }

    /** Starts {@code n} instances at once (start-up is most of a run's time on a small machine). */
    void startInParallel(int n, Map<String, String> properties, int firstNumber) throws Exception {
        ExecutorService starter = Executors.newFixedThreadPool(Math.max(1, n));
        try {
            List<Future<AppProcess>> started = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String name = "multi-" + (firstNumber + i);
                started.add(starter.submit(() -> AppProcess.start(name, properties)));
            }
            for (Future<AppProcess> app : started) {
                apps.add(app.get());
            }
        } finally {
            starter.shutdownNow();
        }
    }

    /**
     * Event {@code i} of broker {@code b} (0 RabbitMQ, 1 NATS, 2 Redis): its own event_id and time, so 3 ×
     * EVENTS distinct events; the same arguments give the same bytes, so a re-sent event is a true duplicate.
     */
    static byte[] event(int b, int i) {
        int n = b * EVENTS + i;
        return RabbitMqTestBroker.event("multi-" + b + "-" + i, DEVICES[n % DEVICES.length], n, METRICS);
    }

    /**
     * Per broker, the messages of events [from, to): each event once, every 10th sent twice, and every 20th
     * of the next broker's events of that range too (a duplicate across brokers), mixed in.
     */
    static List<List<byte[]>> messages(int from, int to) {
        List<List<byte[]>> brokers = new ArrayList<>();
        for (int b = 0; b < 3; b++) {
            List<byte[]> out = new ArrayList<>();
            for (int i = from; i < to; i++) {
                out.add(event(b, i));
            }
            for (int i = from; i < to; i += 10) {
                out.add((int) ((i * 7919L) % out.size()), event(b, i));
            }
            for (int i = from + 5; i < to; i += 20) {
                out.add((int) ((i * 104_729L) % out.size()), event((b + 1) % 3, i));
            }
            brokers.add(out);
        }
        return brokers;
    }

    /** Publishes every broker's messages, the three brokers at once. */
    void publish(List<List<byte[]>> messages) {
        List<CompletableFuture<Void>> done = new ArrayList<>();
        for (int b = 0; b < 3; b++) {
            List<byte[]> slice = messages.get(b);
            int broker = b;
            done.add(CompletableFuture.runAsync(() -> publish(broker, slice)));
        }
        CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).join();
    }

    void publish(int broker, List<byte[]> bodies) {
        switch (broker) {
            case 0 -> rabbit.publish(QUEUE, bodies);
            case 1 -> {
                JetStream js = jetStream();
                List<CompletableFuture<PublishAck>> acks = new ArrayList<>();
                for (byte[] body : bodies) {
                    acks.add(js.publishAsync(SUBJECT, body));
                    if (acks.size() == 2000) {
                        CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).join();
                        acks.clear();
                    }
                }
                CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).join();
            }
            default -> {
                try (Jedis own = new Jedis(REDIS_HOST, REDIS_PORT)) {
                    for (int i = 0; i < bodies.size(); i += 1000) {
                        own.lpush(REDIS_QUEUE, bodies.subList(i, Math.min(bodies.size(), i + 1000)).stream()
                                .map(body -> new String(body, StandardCharsets.UTF_8)).toArray(String[]::new));
                    }
                }
            }
        }
    }

    JetStream jetStream() {
        try {
            return nats.jetStream();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    void awaitAllCommittedAndDrained(long expectedRows, Duration atMost) {
        await("all rows committed, every queue drained").atMost(atMost).pollInterval(Duration.ofSeconds(1))
                .until(() -> rows() >= expectedRows && redis.llen(REDIS_QUEUE) == 0 && redis.llen(PROCESSING) == 0
                        && NatsTestSupport.messages(nats, STREAM) == 0 && rabbit.readyAndUnacked(QUEUE) == 0);
    }

    void assertExactlyOnce(long expectedRows) throws Exception {
        assertThat(rows()).isEqualTo(expectedRows);
        assertThat(jdbc.queryForObject("SELECT count(DISTINCT event_id) FROM ingest_events", Long.class))
                .isEqualTo(3L * EVENTS);
        assertThat(jdbc.queryForObject("SELECT sum(sample_count) FROM daily_stats", Long.class)).isEqualTo(expectedRows);
        assertThat(StatsInvariant.violations(jdbc)).isEmpty();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM dead_letters", Long.class)).isZero();
        assertThat(rabbit.readyAndUnacked(QUEUE)).isZero();
        assertThat(rabbit.ready(DLQ)).isZero();
        assertThat(NatsTestSupport.messages(nats, STREAM)).isZero();
        assertThat(redis.llen(REDIS_QUEUE) + redis.llen(PROCESSING) + redis.zcard(DELAYED) + redis.llen(REDIS_DLQ)).isZero();
    }

    /** Messages taken and not yet settled, per broker (all instances). */
    record InFlight(long rabbitmq, long nats, long redis) {
    }

    InFlight inFlight() throws Exception {
        // Cheap counts first: rabbitmqctl takes a second.
        long redisHeld = redis.llen(PROCESSING);
        long natsHeld = NatsTestSupport.ackPending(nats, STREAM, DURABLE);
        InFlight held = new InFlight(rabbit.readyAndUnacked(QUEUE) - rabbit.ready(QUEUE), natsHeld, redisHeld);
        System.out.println("in flight: " + held);
        return held;
    }

    long rows() {
        return jdbc.queryForObject("SELECT count(*) FROM ingest_events", Long.class);
    }

    /** Sessions holding the Redis recovery leader lock of this test's queue in this test's database. */
    long lockHolders() {
        return jdbc.queryForList("SELECT pid " + LOCK_HOLDER, Integer.class, lockKey() >>> 32, lockKey() & 0xFFFFFFFFL).size();
    }

    /** The database session (backend pid) holding that lock. */
    int lockHolder() {
        return jdbc.queryForObject("SELECT pid " + LOCK_HOLDER, Integer.class, lockKey() >>> 32, lockKey() & 0xFFFFFFFFL);
    }

    static long lockKey() {
        return PostgresLeaderLock.keyOf(RecoveryLeaderConfiguration.LOCK + REDIS_QUEUE);
    }

    static final String LOCK_HOLDER = "FROM pg_locks WHERE locktype = 'advisory' AND granted "
            + "AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
            + "AND classid::bigint = ? AND objid::bigint = ?";

    static int total(List<List<byte[]>> messages) {
        return messages.stream().mapToInt(List::size).sum();
    }

    /** Prints a result line and appends it to target/multi-instance-results.txt (scripts/multi-instance.sh shows it). */
    static void report(String line) throws IOException {
        System.out.println(line);
        Files.writeString(RESULTS, line + System.lineSeparator(), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
}
