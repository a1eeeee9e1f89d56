package routes.scale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.util.FileSystemUtils;
import routes.support.AppProcess;
import routes.support.StatsInvariant;

/**
 * The packaged jar in its embedded default, sent SIGTERM while several threads post events: it exits
 * within {@code ingest.shutdown.timeout}, refuses what comes after the signal, and in the database it
 * left behind (opened again on the same data directory) every event answered 202 — before or after the signal — is in the tables
 * exactly once, with daily_stats consistent (CONTRACT §3).
 */
class GracefulShutdownIT {

    static final int EVENTS_PER_REQUEST = 10;
    static final int ROWS_PER_EVENT = 3;
    static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(20);
    /** JVM exit plus stopping the embedded PostgreSQL, which come after Camel's graceful wait. */
    static final Duration EXIT_MARGIN = Duration.ofSeconds(5);

    /** What the posters saw; "after" = the request was sent after SIGTERM. */
    static final class Outcomes {
        final Set<String> answered = ConcurrentHashMap.newKeySet();
        final AtomicInteger acceptedAfter = new AtomicInteger();
        final AtomicInteger refusedAfter = new AtomicInteger();
        final AtomicInteger acceptedInFlight = new AtomicInteger();
        volatile long sigtermNanos = Long.MAX_VALUE;
        volatile boolean stop;
    }

    @Test
    void sigtermUnderLoadFinishesInFlightRefusesNewAndLosesNothing() throws Exception {
        Path data = Path.of("target", "shutdown-it-data").toAbsolutePath();
        FileSystemUtils.deleteRecursively(data);
        Files.createDirectories(data);
        int dbPort = AppProcess.freePort();
        Map<String, String> properties = Map.of(
                "ingest.embedded-db.port", Integer.toString(dbPort),
                "ingest.embedded-db.data-directory", data.toString(),
                "ingest.shutdown.timeout", SHUTDOWN_TIMEOUT.toSeconds() + "s");

        Outcomes outcomes = new Outcomes();
        AppProcess first = AppProcess.start("shutdown-1", properties);
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        List<Thread> posters = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int poster = t;
            Thread thread = new Thread(() -> post(client, first, poster, outcomes), "poster-" + t);
            thread.start();
            posters.add(thread);
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> outcomes.answered.size() >= 1500);

        outcomes.sigtermNanos = System.nanoTime();
        int exitCode = first.terminate(SHUTDOWN_TIMEOUT.plus(EXIT_MARGIN).plusSeconds(30));
        Duration took = Duration.ofNanos(System.nanoTime() - outcomes.sigtermNanos);
        // Keep posting a little after the exit, so some requests certainly meet a closed port.
        await().atMost(Duration.ofSeconds(10)).until(() -> outcomes.refusedAfter.get() >= 4);
        outcomes.stop = true;
        for (Thread poster : posters) {
            poster.join(30_000);
        }
        System.out.printf("SIGTERM: exit %d after %d ms; answered 202: %d events; in flight at SIGTERM and answered 202: %d"
                        + " requests; sent after SIGTERM: %d answered 202, %d refused%n", exitCode, took.toMillis(),
                outcomes.answered.size(), outcomes.acceptedInFlight.get(), outcomes.acceptedAfter.get(),
                outcomes.refusedAfter.get());

        // 143 = 128 + SIGTERM: the JVM ran its shutdown hooks (Spring's graceful close) and exited.
        assertThat(exitCode).as("exit code").isIn(0, 143);
        assertThat(took).as("time from SIGTERM to exit").isLessThan(SHUTDOWN_TIMEOUT.plus(EXIT_MARGIN));
        assertThat(outcomes.refusedAfter.get()).as("requests sent after SIGTERM and not answered 202").isPositive();

        // The database left behind, opened without the app: starting a second JVM only to read it took
        // over two minutes on this loaded 2-core machine (HttpCrashIT already covers restarting the app).
        try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().setPort(dbPort).setDataDirectory(data)
                .setCleanDataDirectory(false).setPGStartupWait(Duration.ofSeconds(60)).start()) {
            JdbcTemplate jdbc = new JdbcTemplate(new DriverManagerDataSource(
                    "jdbc:postgresql://127.0.0.1:" + dbPort + "/ingest", "postgres", ""));
            Map<String, Integer> rowsPerEvent = new HashMap<>();
            jdbc.query("SELECT event_id, count(*) FROM ingest_events GROUP BY event_id",
                    rs -> { rowsPerEvent.put(rs.getString(1), rs.getInt(2)); });
            List<String> wrong = new ArrayList<>();
            for (String eventId : outcomes.answered) {
                int rows = rowsPerEvent.getOrDefault(eventId, 0);
                if (rows != ROWS_PER_EVENT) {
                    wrong.add(eventId + "=" + rows);
                }
            }
            assertThat(wrong).as("answered 202 but not exactly " + ROWS_PER_EVENT + " rows").isEmpty();
            assertThat(rowsPerEvent.values()).as("no event has more rows than it carries")
                    .allMatch(rows -> rows <= ROWS_PER_EVENT);
            assertThat(StatsInvariant.violations(jdbc)).isEmpty();
        }
    }

    private static void post(HttpClient client, AppProcess app, int poster, Outcomes outcomes) {
        for (int r = 0; !outcomes.stop; r++) {
            List<String> ids = new ArrayList<>();
            String body = events(poster, r, ids);
            long sent = System.nanoTime();
            boolean afterSigterm = sent > outcomes.sigtermNanos;
            try {
                HttpResponse<String> response = client.send(HttpRequest.newBuilder(app.uri("/v1/events"))
                        .header("Content-Type", "application/json").timeout(Duration.ofSeconds(10))
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 202) {
                    outcomes.answered.addAll(ids);
                    if (afterSigterm) {
                        outcomes.acceptedAfter.incrementAndGet();
                    } else if (System.nanoTime() > outcomes.sigtermNanos) {
                        outcomes.acceptedInFlight.incrementAndGet();
                    }
                } else if (afterSigterm) {
                    outcomes.refusedAfter.incrementAndGet();
                }
            } catch (IOException e) {
                if (afterSigterm) {
                    outcomes.refusedAfter.incrementAndGet();
                }
                pause();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** A refused connection fails at once: do not spin on it. */
    private static void pause() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String events(int poster, int request, List<String> ids) {
        StringBuilder body = new StringBuilder("[");
        for (int i = 0; i < EVENTS_PER_REQUEST; i++) {
            String id = "term-" + poster + "-" + request + "-" + i;
            ids.add(id);
            UUID device = new UUID(0, poster * 1000L + i);
            Instant time = Instant.parse("2026-11-22T00:00:00Z").plusMillis(request * 10L + i);
            body.append(i == 0 ? "" : ",").append("{\"event_id\":\"").append(id).append("\",\"device_id\":\"")
                    .append(device).append("\",\"source_timestamp\":\"").append(time).append("\",\"metrics\":[")
                    .append("{\"parameter_key\":\"a\",\"value\":").append(request).append("},")
                    .append("{\"parameter_key\":\"b\",\"value\":").append(i).append("},")
                    .append("{\"parameter_key\":\"c\",\"value\":1.5}]}");
        }
        return body.append("]").toString();
    }
}
