package routes.bench;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.AMQP;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.flywaydb.core.Flyway;
import org.springframework.amqp.core.QueueBuilder;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import routes.IngestApplication;
import routes.source.rabbitmq.RabbitMqSourceConfiguration;
import routes.source.rabbitmq.RabbitMqTestBroker;
import routes.support.StatsInvariant;
import routes.support.TestDatabase;

/**
 * RabbitMQ → PostgreSQL throughput, run by {@code scripts/benchmark.sh rabbitmq [events] [one-at-a-time events]}:
 * <ol>
 *   <li>the app in-process (its default tuning): N events (3 metrics each, ~5% duplicates) preloaded in
 *       a queue, then the route is started and timed until every row is committed;</li>
 *   <li>a seed-style consumer on the same broker and database server: one message at a time (prefetch 1),
 *       one INSERT per metric, that key's day of stats recomputed by a query, each committed, ack — as
 *       the Redis and NATS benchmarks' workers;</li>
 *   <li>the same worker committing once per message instead.</li>
 * </ol>
 */
public final class RabbitmqBenchmark {

    static final String QUEUE = "bench.rabbitmq.q";
    static final String DLX = "bench.rabbitmq.dlx";
    static final String DLQ = "bench.rabbitmq.dlq";
    static final String SINGLE_QUEUE = "bench.rabbitmq.single.q";
    static final int METRICS = 3;
    static final int DEVICES = 100;

    public static void main(String[] args) throws Exception {
        BenchReport.cpuReference();
        int events = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int singleEvents = args.length > 1 ? Integer.parseInt(args[1]) : 2_000;
        // Further app arguments (e.g. --ingest.sources.rabbitmq.prefetch=500) for tuning runs.
        String[] extra = args.length > 2 ? java.util.Arrays.copyOfRange(args, 2, args.length) : new String[0];
        double pipeline = pipeline(events, extra);
        // As in the Redis and NATS benchmarks: the worker committing each statement (the issue's ~360 events/s
        // class), and the same worker committing once per message (2-3x faster here), both in this run.
        double single = oneAtATime(singleEvents, false);
        double perMessage = oneAtATime(singleEvents, true);
        System.out.printf(java.util.Locale.ROOT, "rabbitmq pipeline / one-at-a-time = %.1fx "
                + "(%.1fx the worker committing once per message)%n", pipeline / single, pipeline / perMessage);
        System.exit(0);
    }

    /** Messages for {@code events} deliveries: about 5% repeat an earlier event (same body). */
    static List<byte[]> messages(int events, String prefix) {
        Random random = new Random(42);
        List<UUID> devices = new ArrayList<>();
        for (int d = 0; d < DEVICES; d++) {
            devices.add(new UUID(0x42L, d));
        }
        List<byte[]> bodies = new ArrayList<>(events);
        for (int i = 0; i < events; i++) {
            if (i > 0 && random.nextInt(20) == 0) {
                bodies.add(bodies.get(random.nextInt(i)));
            } else {
                bodies.add(RabbitMqTestBroker.event(prefix + i, devices.get(i % DEVICES), i, METRICS));
            }
        }
        return bodies;
    }

    static long uniqueRows(List<byte[]> bodies) {
        return bodies.stream().map(java.nio.ByteBuffer::wrap).distinct().count() * METRICS;
    }

    static double pipeline(int events, String... extra) throws Exception {
        String url = TestDatabase.recreate("bench_rabbitmq");
        List<byte[]> bodies = messages(events, "bench-");
        long expectedRows = uniqueRows(bodies);
        try (RabbitMqTestBroker broker = new RabbitMqTestBroker()) {
            broker.deleteTopology(QUEUE, DLX, DLQ);
            // Command-line arguments: they override application.yml (builder "properties" would not).
            List<String> arguments = new ArrayList<>(List.of("--server.port=0", "--spring.datasource.url=" + url,
                    "--spring.datasource.username=" + TestDatabase.USER, "--ingest.embedded-db.enabled=false",
                    "--ingest.sources.rabbitmq.enabled=true", "--ingest.sources.rabbitmq.queue=" + QUEUE,
                    "--ingest.sources.rabbitmq.dead-letter-exchange=" + DLX,
                    "--ingest.sources.rabbitmq.dead-letter-queue=" + DLQ,
                    "--ingest.sources.rabbitmq.dead-letter-routing-key=" + DLQ,
                    "--logging.level.root=WARN"));
            arguments.addAll(List.of(extra));
            ConfigurableApplicationContext app = new SpringApplicationBuilder(IngestApplication.class)
                    .run(arguments.toArray(String[]::new));
            try {
                CamelContext camel = app.getBean(CamelContext.class);
                // The queue is empty and declared now; stop consuming, preload, then time the drain.
                camel.getRouteController().stopRoute(RabbitMqSourceConfiguration.ROUTE_ID);
                broker.publish(QUEUE, bodies);
                if (broker.ready(QUEUE) != bodies.size()) {
                    throw new IllegalStateException("preload incomplete: " + broker.ready(QUEUE) + " in " + QUEUE);
                }
                System.out.printf("preloaded %d messages (%d unique rows expected)%n", bodies.size(), expectedRows);
                JdbcTemplate jdbc = app.getBean(JdbcTemplate.class);
                long start = System.nanoTime();
                long cpuStart = BenchReport.processCpuNanos();
                camel.getRouteController().startRoute(RabbitMqSourceConfiguration.ROUTE_ID);
                long deadline = start + TimeUnit.MINUTES.toNanos(10);
                while (committedRows(jdbc) < expectedRows) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("rows not committed within 10 minutes: " + committedRows(jdbc));
                    }
                    Thread.sleep(20); // polling interval of the stopwatch, not a wait for a result
                }
                long elapsed = System.nanoTime() - start;
                long rows = jdbc.queryForObject("SELECT count(*) FROM ingest_events", Long.class);
                BenchReport.print("rabbitmq pipeline", events, rows, elapsed, null);
                BenchReport.printAppCpu("rabbitmq pipeline", events, cpuStart);
                List<String> violations = StatsInvariant.violations(jdbc);
                if (rows != expectedRows || !violations.isEmpty()) {
                    throw new IllegalStateException("wrong result: rows " + rows + ", violations " + violations);
                }
                return events / (elapsed / 1e9);
            } finally {
                app.close();
            }
        }
    }

    static long committedRows(JdbcTemplate jdbc) {
        return jdbc.queryForObject("SELECT coalesce(sum(sample_count), 0) FROM daily_stats", Long.class);
    }

    /**
     * The seeds' worker ({@link OneAtATimeWorker}) taking one message at a time (prefetch 1), acking each;
     * each statement committed on its own, or with {@code commitPerMessage} one transaction per message.
     */
    static double oneAtATime(int events, boolean commitPerMessage) throws Exception {
        String url = TestDatabase.recreate("bench_rabbitmq_single");
        Flyway.configure().dataSource(new DriverManagerDataSource(url, TestDatabase.USER, ""))
                .locations("classpath:db/migration").load().migrate();
        List<byte[]> bodies = messages(events, "single-");
        try (RabbitMqTestBroker broker = new RabbitMqTestBroker()) {
            broker.deleteTopology(SINGLE_QUEUE, DLX, DLQ);
            new org.springframework.amqp.rabbit.core.RabbitAdmin(broker.connectionFactory())
                    .declareQueue(QueueBuilder.durable(SINGLE_QUEUE).build());
            broker.publish(SINGLE_QUEUE, bodies);
        }
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost(RabbitMqTestBroker.HOST);
        CountDownLatch done = new CountDownLatch(events);
        try (java.sql.Connection db = DriverManager.getConnection(url, TestDatabase.USER, "");
             OneAtATimeWorker worker = new OneAtATimeWorker(db, commitPerMessage);
             Connection connection = factory.newConnection();
             Channel channel = connection.createChannel()) {
            channel.basicQos(1);
            long start = System.nanoTime();
            channel.basicConsume(SINGLE_QUEUE, false, new DefaultConsumer(channel) {
                @Override
                public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties props, byte[] body) {
                    try {
                        worker.handle(body);
                        getChannel().basicAck(envelope.getDeliveryTag(), false);
                        done.countDown();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }
            });
            if (!done.await(10, TimeUnit.MINUTES)) {
                throw new IllegalStateException("one-at-a-time consumer did not finish");
            }
            long elapsed = System.nanoTime() - start;
            long rows;
            try (var rs = db.createStatement().executeQuery("SELECT count(*) FROM ingest_events")) {
                rs.next();
                rows = rs.getLong(1);
            }
            if (commitPerMessage) {
                db.commit();
            }
            BenchReport.print(commitPerMessage ? "rabbitmq one-at-a-time, commit per message" : "rabbitmq one-at-a-time",
                    events, rows, elapsed, null);
            return events / (elapsed / 1e9);
        }
    }
}
