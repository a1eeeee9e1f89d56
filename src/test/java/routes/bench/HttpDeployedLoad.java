package routes.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The HTTP load of the deployed benchmark ({@code scripts/benchmark.sh deployed http}), in a JVM of its own
 * against the packaged app:
 * <ol>
 *   <li><b>max rate</b>: {@code concurrency} clients in a closed loop, each posting the next array of
 *       {@code perRequest} events (3 metrics each) on its kept-alive connection ({@link KeepAlivePoster}) and
 *       waiting for its 202, which the app sends only once the rows are committed (with
 *       {@code -Dbench.http-client=jdk}: the JDK's {@code HttpClient}, {@link HttpBenchmark#run}); rows/s from the first request to the last answer, and
 *       from the rows' {@code created_at} (first commit to last row) when {@code -Dbench.db-url} is given;</li>
 *   <li><b>half rate, open loop</b>: requests sent at a fixed rate, half the requests/s measured in 1, for
 *       {@code latencySeconds}, whether or not earlier ones have been answered (each on a free kept-alive
 *       connection, a new one when all are busy); each latency runs from the
 *       request's scheduled send time to its answer, so a stalled server shows as latency (no coordinated
 *       omission). Prints p50, p99 and max.</li>
 * </ol>
 * Every event id is new (the second phase's follow the first's), so every event is a row.
 * <pre>java -cp &lt;test classpath&gt; routes.bench.HttpDeployedLoad URL events perRequest concurrency latencySeconds</pre>
 */
public final class HttpDeployedLoad {

    private HttpDeployedLoad() {
    }

    public static void main(String[] args) throws Exception {
        URI uri = URI.create(args[0]);
        int events = Integer.parseInt(args[1]);
        int perRequest = Integer.parseInt(args[2]);
        int concurrency = Integer.parseInt(args[3]);
        int latencySeconds = Integer.parseInt(args[4]);
        String dbUrl = System.getProperty("bench.db-url");

        List<String> maxRateBodies = HttpBenchmark.bodies(0, events, perRequest);
        double eventsPerSecond = "jdk".equals(System.getProperty("bench.http-client"))
                ? HttpBenchmark.run(uri, maxRateBodies, concurrency, 0, "http max rate (JDK client)", perRequest, null)
                : closedLoop(uri, maxRateBodies, concurrency, perRequest);
        if (dbUrl != null) {
            firstCommitToLastRow(dbUrl, "http max rate, first commit to last row");
        }

        double requestsPerSecond = eventsPerSecond / perRequest / 2;
        int requests = (int) Math.max(10, Math.round(requestsPerSecond * latencySeconds));
        List<String> bodies = HttpBenchmark.bodies(events, requests * perRequest, perRequest);
        openLoop(uri, bodies, requestsPerSecond, perRequest);
        System.exit(0); // the HTTP client's selector thread is not a daemon
    }

    /**
     * {@code concurrency} clients, each on one kept-alive connection ({@link KeepAlivePoster}), posting the next
     * body as soon as the last was answered. Returns events/s.
     */
    static double closedLoop(URI uri, List<String> bodies, int concurrency, int perRequest) throws Exception {
        List<byte[]> requests = bodies.stream().map(body -> KeepAlivePoster.request(uri, body)).toList();
        LatencyRecorder latency = new LatencyRecorder();
        AtomicInteger next = new AtomicInteger();
        AtomicInteger failures = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        long start = System.nanoTime();
        List<Future<?>> clients = new ArrayList<>();
        for (int c = 0; c < concurrency; c++) {
            clients.add(pool.submit(() -> {
                try (KeepAlivePoster poster = new KeepAlivePoster(uri)) {
                    for (int i = next.getAndIncrement(); i < requests.size(); i = next.getAndIncrement()) {
                        long sent = System.nanoTime();
                        int status = poster.post(requests.get(i));
                        latency.record(System.nanoTime() - sent);
                        if (status != 202) {
                            failures.incrementAndGet();
                        }
                    }
                }
                return null;
            }));
        }
        for (Future<?> client : clients) {
            client.get();
        }
        long elapsed = System.nanoTime() - start;
        pool.shutdown();
        long events = (long) bodies.size() * perRequest;
        BenchReport.print("http max rate", events, events * 3, elapsed, latency);
        if (failures.get() > 0) {
            System.out.println("  non-202 answers: " + failures.get());
        }
        return events / (elapsed / 1e9);
    }

    /**
     * Sends each body at its scheduled time, whatever is still unanswered: each on a free kept-alive connection,
     * a new one when every connection is busy ({@link KeepAlivePoster}; {@code -Dbench.http-client=jdk}: the
     * JDK's asynchronous {@code HttpClient}). Prints the latency percentiles.
     */
    static void openLoop(URI uri, List<String> bodies, double requestsPerSecond, int perRequest) throws Exception {
        boolean jdk = "jdk".equals(System.getProperty("bench.http-client"));
        HttpClient client = jdk ? HttpClient.newHttpClient() : null;
        List<byte[]> requests = jdk ? List.of() : bodies.stream().map(body -> KeepAlivePoster.request(uri, body)).toList();
        Queue<KeepAlivePoster> idle = new ConcurrentLinkedQueue<>();
        ExecutorService senders = Executors.newCachedThreadPool();
        LatencyRecorder latency = new LatencyRecorder();
        AtomicInteger failures = new AtomicInteger();
        List<CompletableFuture<?>> answers = new ArrayList<>(bodies.size());
        long start = System.nanoTime();
        for (int i = 0; i < bodies.size(); i++) {
            long due = start + (long) (i / requestsPerSecond * 1e9);
            long wait = due - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait); // the fixed request rate, not a wait for a result
            }
            if (jdk) {
                HttpRequest request = HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(bodies.get(i))).build();
                answers.add(client.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, error) -> {
                    latency.record(System.nanoTime() - due);
                    if (error != null || response.statusCode() != 202) {
                        failures.incrementAndGet();
                    }
                }));
            } else {
                byte[] request = requests.get(i);
                answers.add(CompletableFuture.runAsync(() -> {
                    KeepAlivePoster poster = idle.poll();
                    if (poster == null) {
                        poster = new KeepAlivePoster(uri);
                    }
                    boolean ok = false;
                    try {
                        ok = poster.post(request) == 202;
                    } catch (IOException e) {
                        closeQuietly(poster);
                        poster = null; // a broken connection is not used again
                    }
                    latency.record(System.nanoTime() - due);
                    if (!ok) {
                        failures.incrementAndGet();
                    }
                    if (poster != null) {
                        idle.add(poster);
                    }
                }, senders));
            }
        }
        CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).get(5, TimeUnit.MINUTES);
        double seconds = (System.nanoTime() - start) / 1e9;
        senders.shutdown();
        idle.forEach(HttpDeployedLoad::closeQuietly);
        System.out.printf(Locale.ROOT, "%-28s requests=%d events=%d rows=%d time=%.2fs rate=%.1f requests/s "
                        + "(%.0f rows/s) p50=%.1fms p99=%.1fms max=%.1fms%n", "http half rate, open loop",
                bodies.size(), (long) bodies.size() * perRequest, 3L * bodies.size() * perRequest, seconds,
                requestsPerSecond, requestsPerSecond * perRequest * 3, latency.percentileMillis(50),
                latency.percentileMillis(99), latency.percentileMillis(100));
        if (failures.get() > 0) {
            System.out.println("  non-202 answers: " + failures.get());
        }
    }

    private static void closeQuietly(KeepAlivePoster poster) {
        try {
            poster.close();
        } catch (IOException e) {
            // closing a connection the benchmark is done with
        }
    }

    /** Rows/s from the first commit to the last row, as the deployed broker runs measure. */
    static void firstCommitToLastRow(String dbUrl, String name) throws Exception {
        try (Connection db = DriverManager.getConnection(dbUrl, "postgres", "");
             Statement s = db.createStatement();
             ResultSet r = s.executeQuery("SELECT count(*), extract(epoch FROM max(created_at) - min(created_at)) "
                     + "FROM ingest_events")) {
            r.next();
            long rows = r.getLong(1);
            double seconds = Math.max(0.001, r.getDouble(2));
            System.out.printf(Locale.ROOT, "%-28s rows=%d time=%.2fs rows/s=%.0f events/s=%.0f%n", name, rows, seconds,
                    rows / seconds, rows / 3 / seconds);
        }
    }
}
