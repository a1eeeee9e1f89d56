package routes.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import routes.IngestApplication;
import routes.support.StatsInvariant;
import routes.support.TestDatabase;

/**
 * HTTP source → PostgreSQL. Starts the app in this JVM against the local PostgreSQL (fresh database
 * {@code bench_http}), then: (1) as fast as it goes: {@code events} events in arrays of
 * {@code perRequest} events × 3 metrics from {@code concurrency} clients; (2) the same paced at half
 * the rate measured in (1), for latency. Latency = request sent → 202, which the app answers only
 * after the commit, so it bounds receive → commit from above.
 *
 * <pre>scripts/benchmark.sh http [events=300000] [perRequest=100] [concurrency=8]</pre>
 */
public final class HttpBenchmark {

    public static void main(String[] args) throws Exception {
        BenchReport.cpuReference();
        int events = args.length > 0 ? Integer.parseInt(args[0]) : 300_000;
        int perRequest = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        int concurrency = args.length > 2 ? Integer.parseInt(args[2]) : 8;
        String url = TestDatabase.recreate("bench_http");
        try (ConfigurableApplicationContext app = new SpringApplicationBuilder(IngestApplication.class).run(
                "--server.port=0", "--ingest.embedded-db.enabled=false", "--spring.datasource.url=" + url,
                "--logging.level.root=WARN")) {
            int port = ((WebServerApplicationContext) app).getWebServer().getPort();
            JdbcTemplate jdbc = app.getBean(JdbcTemplate.class);
            URI uri = URI.create("http://127.0.0.1:" + port + "/v1/events");
            List<String> bodies = bodies(0, events, perRequest);

            // Warm-up with other event ids: the idempotent consumer remembers committed ones.
            run(uri, bodies(-20_000, 20_000, perRequest), concurrency, 0, "warm-up", perRequest, null);
            jdbc.execute("TRUNCATE ingest_events, daily_stats");

            double eventsPerSecond = run(uri, bodies, concurrency, 0, "http max rate", perRequest, jdbc);
            System.out.println("invariant violations: " + StatsInvariant.violations(jdbc).size());

            jdbc.execute("TRUNCATE ingest_events, daily_stats");
            double halfRequestsPerSecond = eventsPerSecond / perRequest / 2;
            int paced = (int) Math.min(bodies.size(), Math.max(100, halfRequestsPerSecond * 20));
            // New event ids: the idempotent consumer remembers the ones already committed.
            List<String> fresh = bodies(events, paced * perRequest, perRequest);
            run(uri, fresh, concurrency, halfRequestsPerSecond, "http at half rate", perRequest, jdbc);
        }
        // The client pools are not daemon threads: exit, or exec:java waits for them forever.
        System.exit(0);
    }

    /** Sends the bodies; when {@code requestsPerSecond > 0}, paces them at that rate. Returns events/s. */
    static double run(URI uri, List<String> bodies, int concurrency, double requestsPerSecond, String name,
                      int perRequest, JdbcTemplate jdbc) throws Exception {
        HttpClient client = HttpClient.newBuilder().executor(Executors.newFixedThreadPool(concurrency)).build();
        LatencyRecorder latency = new LatencyRecorder();
        AtomicInteger next = new AtomicInteger();
        AtomicInteger failures = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        long start = System.nanoTime();
        List<Future<?>> workers = new ArrayList<>();
        for (int c = 0; c < concurrency; c++) {
            workers.add(pool.submit(() -> {
                for (int i = next.getAndIncrement(); i < bodies.size(); i = next.getAndIncrement()) {
                    if (requestsPerSecond > 0) {
                        long due = start + (long) (i / requestsPerSecond * 1e9);
                        long wait = due - System.nanoTime();
                        if (wait > 0) {
                            TimeUnit.NANOSECONDS.sleep(wait); // pacing the load, not waiting for a result
                        }
                    }
                    long sent = System.nanoTime();
                    HttpResponse<Void> response = client.send(HttpRequest.newBuilder(uri)
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(bodies.get(i))).build(),
                            HttpResponse.BodyHandlers.discarding());
                    latency.record(System.nanoTime() - sent);
                    if (response.statusCode() != 202) {
                        failures.incrementAndGet();
                    }
                }
                return null;
            }));
        }
        for (Future<?> w : workers) {
            w.get();
        }
        long elapsed = System.nanoTime() - start;
        pool.shutdown();
        long events = (long) bodies.size() * perRequest;
        long rows = jdbc == null ? events * 3 : jdbc.queryForObject("SELECT count(*) FROM ingest_events", Long.class);
        BenchReport.print(name, events, rows, elapsed, latency);
        if (failures.get() > 0) {
            System.out.println("  non-202 answers: " + failures.get());
        }
        return events / (elapsed / 1e9);
    }

    static List<String> bodies(int first, int events, int perRequest) {
        List<String> bodies = new ArrayList<>();
        Instant t0 = Instant.parse("2026-11-22T00:00:00Z");
        int n = first;
        while (n < first + events) {
            StringBuilder body = new StringBuilder("[");
            for (int i = 0; i < perRequest && n < first + events; i++, n++) {
                UUID device = new UUID(0x5eed, n % 1000);
                body.append(i == 0 ? "" : ",").append("{\"event_id\":\"b-").append(n).append("\",\"device_id\":\"")
                        .append(device).append("\",\"protocol\":\"modbus\",\"source_timestamp\":\"")
                        .append(t0.plusMillis(n)).append("\",\"metrics\":[")
                        .append("{\"parameter_key\":\"voltage\",\"value\":").append(220 + n % 20).append(",\"quality\":192},")
                        .append("{\"parameter_key\":\"current\",\"value\":").append(n % 7).append(".5},")
                        .append("{\"parameter_key\":\"power\",\"value\":").append(n % 1000).append(",\"attributes\":{\"unit\":\"W\"}}]}");
            }
            bodies.add(body.append("]").toString());
        }
        return bodies;
    }
}
