package routes.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import routes.IngestApplication;
import routes.pipeline.IngestExchange;
import routes.support.TestDatabase;

/**
 * The cost of {@code track-status} on the pipeline: the same load through {@code direct:ingest}
 * (source http, 512 concurrent senders: each send waits for its commit) with tracking off, on, and on
 * with {@code ingest.status.record-running}, each on a fresh database of the local PostgreSQL.
 * Not part of the test suites; run: {@code mvn -B -o test -Dtest=StatusBenchmark [-Dbench.events=20000]}.
 */
class StatusBenchmark {

    private static final int EVENTS = Integer.getInteger("bench.events", 20_000);
    private static final int WARM_UP = 2_000;
    private static final int ROUNDS = Integer.getInteger("bench.rounds", 2);
    private static final int SENDERS = Integer.getInteger("bench.senders", 512);

    @Test
    void trackStatusCost() throws Exception {
        // Interleaved rounds, best of each: the machine is shared, a single run is noise.
        double off = 0;
        double on = 0;
        double running = 0;
        for (int round = 0; round < ROUNDS; round++) {
            off = Math.max(off, run(false, false));
            on = Math.max(on, run(true, false));
            running = Math.max(running, run(true, true));
        }
        System.out.printf(Locale.ROOT, "%nStatusBenchmark: %d events, %d senders, best of %d rounds: track-status off %.0f events/s;"
                + " on %.0f events/s (%.1f%% of off); on with record-running %.0f events/s (%.1f%% of off)%n%n",
                EVENTS, SENDERS, ROUNDS, off, on, 100.0 * on / off, running, 100.0 * running / off);
        assertThat(on).isPositive();
    }

    private double run(boolean track, boolean recordRunning) throws Exception {
        String db = "bench_status_" + (track ? "on" : "off") + (recordRunning ? "_running" : "");
        String url = TestDatabase.recreate(db);
        String[] args = {"--server.port=0", "--spring.main.banner-mode=off", "--spring.datasource.url=" + url,
            "--ingest.embedded-db.enabled=false", "--ingest.sources.http.track-status=" + track,
            "--ingest.status.record-running=" + recordRunning,
            "--logging.level.root=WARN"};
        try (ConfigurableApplicationContext app = new SpringApplicationBuilder(IngestApplication.class).run(args)) {
            ProducerTemplate producer = app.getBean(ProducerTemplate.class);
            send(producer, "w", WARM_UP);
            send(producer, "x", WARM_UP);
            long start = System.nanoTime();
            send(producer, "m", EVENTS);
            double seconds = (System.nanoTime() - start) / 1e9;
            JdbcTemplate jdbc = app.getBean(JdbcTemplate.class);
            assertThat(jdbc.queryForObject("SELECT count(*) FROM ingest_events", Long.class))
                    .isEqualTo(2L * WARM_UP + EVENTS);
            assertThat(jdbc.queryForObject("SELECT count(*) FROM message_status WHERE status = 'completed'", Long.class))
                    .isEqualTo(track ? 2L * WARM_UP + EVENTS : 0);
            return EVENTS / seconds;
        }
    }

    private static void send(ProducerTemplate producer, String prefix, int count) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(SENDERS);
        try {
            List<Future<?>> sent = new ArrayList<>();
            for (int t = 0; t < SENDERS; t++) {
                int thread = t;
                sent.add(pool.submit(() -> {
                    for (int i = thread; i < count; i += SENDERS) {
                        Exchange result = producer.send("direct:ingest", event(prefix, i));
                        if (result.getException() != null) {
                            throw new IllegalStateException(result.getException());
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : sent) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
    }

    private static org.apache.camel.Processor event(String prefix, int i) {
        String body = "{\"event_id\":\"" + prefix + "-" + i + "\",\"device_id\":\"" + UUID.nameUUIDFromBytes(
                (prefix + (i % 500)).getBytes()) + "\",\"source_timestamp\":\"2026-11-22T10:"
                + String.format(Locale.ROOT, "%02d:%02d.%03dZ", (i / 60000) % 60, (i / 1000) % 60, i % 1000)
                + "\",\"metrics\":[{\"parameter_key\":\"voltage\",\"value\":" + (i % 1000) + "}]}";
        return exchange -> {
            exchange.setProperty(IngestExchange.SOURCE, "http");
            exchange.getMessage().setBody(body);
        };
    }
}
