package routes.bench;

import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamSubscription;
import io.nats.client.Message;
import io.nats.client.PullSubscribeOptions;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.PublishAck;
import io.nats.client.api.RetentionPolicy;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import java.sql.DriverManager;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.apache.camel.CamelContext;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import routes.IngestApplication;
import routes.source.nats.NatsTestSupport;
import routes.support.StatsInvariant;
import routes.support.TestDatabase;

/**
 * {@code scripts/benchmark.sh nats [events] [one-at-a-time events]}: preloads a JetStream stream with
 * events (3 metrics each, every 10th sent twice), starts the application in-process on a fresh
 * database and times until every row is committed; then, in the same run, a one-at-a-time consumer
 * (the seeds' worker: fetch 1, one INSERT per metric, recompute that day's stats by query, ack).
 */
public final class NatsBenchmark {

    private static final String STREAM = "BENCH_NATS";
    private static final String SUBJECT = "bench.nats.events";
    private static final String ONE_STREAM = "BENCH_NATS_ONE";
    private static final String ONE_SUBJECT = "bench.nats.one";
    private static final Instant DAY = Instant.parse("2026-11-22T00:00:00Z");

    private NatsBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        BenchReport.cpuReference();
        int events = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int oneAtATime = args.length > 1 ? Integer.parseInt(args[1]) : 2_000;
        String url = NatsTestSupport.URL;
        String db = TestDatabase.recreate("bench_nats");
        NatsTestSupport.deleteStreams(url, STREAM, STREAM + "_DLQ", ONE_STREAM);

        try (Connection nats = NatsTestSupport.connect(url)) {
            componentOnly(nats, events);
            createStream(nats, STREAM, SUBJECT);
            long published = preload(nats, SUBJECT, events, "b");
            System.out.printf(Locale.ROOT, "preloaded %d messages (%d distinct events) into %s%n", published, events, STREAM);

            double pipelineRate;
            try (ConfigurableApplicationContext app = startApp(db, url)) {
                JdbcTemplate jdbc = app.getBean(JdbcTemplate.class);
                CamelContext camel = app.getBean(CamelContext.class);
                long start = System.nanoTime();
                camel.getRouteController().startAllRoutes();
                long expected = events * 3L;
                while (count(jdbc) < expected) {
                    Thread.sleep(20);
                }
                long elapsed = System.nanoTime() - start;
                BenchReport.print("nats batch pipeline", events, expected, elapsed, null);
                pipelineRate = events / (elapsed / 1e9);
                List<String> violations = StatsInvariant.violations(jdbc);
                System.out.println("stats invariant: " + (violations.isEmpty() ? "holds" : violations));
                if (count(jdbc) != expected) {
                    System.out.println("ROW COUNT WRONG: " + count(jdbc));
                }
                jdbc.execute("TRUNCATE ingest_events, daily_stats");
            }

            double oneRate = oneAtATime(nats, url, db, oneAtATime, false);
            // The same worker committing once per message instead of per statement (as the RabbitMQ benchmark's does).
            double oneRatePerMessage = oneAtATime(nats, url, db, oneAtATime, true);
            System.out.printf(Locale.ROOT, "speed-up: %.1fx (%.1fx the one-at-a-time worker committing once per message)%n",
                    pipelineRate / oneRate, pipelineRate / oneRatePerMessage);
        } finally {
            NatsTestSupport.deleteStreams(url, STREAM, STREAM + "_DLQ", ONE_STREAM);
        }
        System.exit(0);
    }

    /**
     * The jetstream: component alone (route: count and complete), to tell its own cost from the
     * pipeline's: drains the same number of messages with acks and no database.
     */
    private static void componentOnly(Connection nats, int events) throws Exception {
        String stream = "BENCH_NATS_NOOP";
        NatsTestSupport.deleteStreams(NatsTestSupport.URL, stream);
        createStream(nats, stream, "bench.nats.noop");
        long messages = preload(nats, "bench.nats.noop", events, "n");
        java.util.concurrent.atomic.AtomicLong done = new java.util.concurrent.atomic.AtomicLong();
        routes.source.nats.NatsConnector connector = routes.source.nats.NatsConnector.of(nats);
        try (org.apache.camel.impl.DefaultCamelContext camel = new org.apache.camel.impl.DefaultCamelContext()) {
            camel.addComponent("jetstream", new routes.source.nats.JetStreamComponent(
                    () -> connector,
                    new routes.config.IngestProperties.Redelivery(5, Duration.ofMillis(200), 2.0, Duration.ofSeconds(10))));
            camel.addRoutes(new org.apache.camel.builder.RouteBuilder() {
                @Override
                public void configure() {
                    from("jetstream:" + stream + "?subject=bench.nats.noop&durable=bench_noop")
                            .process(exchange -> done.incrementAndGet());
                }
            });
            long start = System.nanoTime();
            camel.start();
            while (done.get() < messages) {
                Thread.sleep(5);
            }
            BenchReport.print("nats component, no-op route", messages, 0, System.nanoTime() - start, null);
        } finally {
            NatsTestSupport.deleteStreams(NatsTestSupport.URL, stream);
        }
    }

    private static ConfigurableApplicationContext startApp(String db, String url) {
        // As command-line arguments: they override application.yml (builder properties would not).
        return new SpringApplicationBuilder(IngestApplication.class).run(
                "--spring.datasource.url=" + db,
                "--ingest.embedded-db.enabled=false",
                "--server.port=0",
                "--logging.level.root=WARN",
                // Started by hand once the application is up, so the timing covers consuming only.
                "--camel.main.auto-startup=false",
                "--ingest.sources.nats.enabled=true",
                "--ingest.sources.nats.url=" + url,
                "--ingest.sources.nats.stream=" + STREAM,
                "--ingest.sources.nats.subject=" + SUBJECT,
                "--ingest.sources.nats.durable=bench_nats",
                "--ingest.sources.nats.dlq-stream=" + STREAM + "_DLQ",
                "--ingest.sources.nats.dlq-subject=bench.nats.dlq");
    }

    private static long count(JdbcTemplate jdbc) {
        return jdbc.queryForObject("SELECT count(*) FROM ingest_events", Long.class);
    }

    private static void createStream(Connection nats, String stream, String subject) throws Exception {
        nats.jetStreamManagement().addStream(StreamConfiguration.builder().name(stream).subjects(subject)
                .retentionPolicy(RetentionPolicy.WorkQueue).storageType(StorageType.File).build());
    }

    /** Publishes {@code events} distinct events (every 10th twice) with async publish acks; returns messages sent. */
    private static long preload(Connection nats, String subject, int events, String prefix) throws Exception {
        JetStream js = nats.jetStream();
        List<CompletableFuture<PublishAck>> acks = new ArrayList<>();
        long sent = 0;
        int devices = 200;
        UUID[] ids = new UUID[devices];
        for (int d = 0; d < devices; d++) {
            ids[d] = UUID.nameUUIDFromBytes((prefix + d).getBytes());
        }
        for (int i = 0; i < events; i++) {
            byte[] body = NatsTestSupport.event(prefix + "-" + i, ids[i % devices], DAY.plusMillis(i * 100L), i % 1000);
            acks.add(js.publishAsync(subject, body));
            sent++;
            if (i % 10 == 0) {
                acks.add(js.publishAsync(subject, body));
                sent++;
            }
            if (acks.size() >= 5000) {
                CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).join();
                acks.clear();
            }
        }
        CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).join();
        return sent;
    }

    /** Runs the one-at-a-time worker on a fresh stream and empty tables; returns events/s. */
    private static double oneAtATime(Connection nats, String url, String db, int events, boolean commitPerMessage)
            throws Exception {
        NatsTestSupport.deleteStreams(url, ONE_STREAM);
        try (java.sql.Connection c = DriverManager.getConnection(db, TestDatabase.USER, "");
             java.sql.Statement s = c.createStatement()) {
            s.execute("TRUNCATE ingest_events, daily_stats");
        }
        createStream(nats, ONE_STREAM, ONE_SUBJECT);
        long messages = preload(nats, ONE_SUBJECT, events, "o");
        long start = System.nanoTime();
        int done = oneAtATimeConsumer(nats, db, events, commitPerMessage);
        // The 1 s fetch that found the stream empty is not work: take it off.
        long elapsed = System.nanoTime() - start - Duration.ofSeconds(1).toNanos();
        if (done != messages) {
            System.out.println("ONE-AT-A-TIME PROCESSED " + done + " OF " + messages + " MESSAGES");
        }
        BenchReport.print(commitPerMessage ? "nats one-at-a-time, commit per message" : "nats one-at-a-time",
                events, events * 3L, elapsed, null);
        return events / (elapsed / 1e9);
    }

    /**
     * The seeds' worker ({@link OneAtATimeWorker}) fed by fetch 1, ack; each statement committed on its own,
     * or with {@code commitPerMessage} one transaction per message.
     */
    private static int oneAtATimeConsumer(Connection nats, String db, int events, boolean commitPerMessage)
            throws Exception {
        JetStreamSubscription sub = nats.jetStream().subscribe(ONE_SUBJECT, PullSubscribeOptions.builder()
                .durable("bench_nats_one")
                .configuration(ConsumerConfiguration.builder().ackPolicy(AckPolicy.Explicit).build()).build());
        int done = 0;
        try (java.sql.Connection c = DriverManager.getConnection(db, TestDatabase.USER, "");
             OneAtATimeWorker worker = new OneAtATimeWorker(c, commitPerMessage)) {
            long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
            while (System.nanoTime() < deadline) {
                List<Message> batch = sub.fetch(1, Duration.ofSeconds(1));
                if (batch.isEmpty()) {
                    break;
                }
                Message message = batch.get(0);
                worker.handle(message.getData());
                message.ack();
                done++;
            }
        }
        sub.unsubscribe();
        return done;
    }
}
