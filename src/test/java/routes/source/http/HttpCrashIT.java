package routes.source.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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
 * The packaged jar in its embedded default, killed with kill -9 while events are posted: after a
 * restart on the same data directory, every event that was answered 202 is in the tables exactly once.
 */
class HttpCrashIT {

    static final int EVENTS_PER_REQUEST = 10;

    @Test
    void everyEventAnswered202SurvivesAKillDashNineExactlyOnce() throws Exception {
        Path data = Path.of("target", "crash-it-data").toAbsolutePath();
        FileSystemUtils.deleteRecursively(data);
        Files.createDirectories(data);
        int dbPort = AppProcess.freePort();
        Map<String, String> properties = Map.of(
                "ingest.embedded-db.port", Integer.toString(dbPort),
                "ingest.embedded-db.data-directory", data.toString());

        Set<String> answered = ConcurrentHashMap.newKeySet();
        AtomicInteger requests = new AtomicInteger();
        AppProcess first = AppProcess.start("crash-1", properties);
        List<Thread> posters = new ArrayList<>();
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        for (int t = 0; t < 4; t++) {
            int poster = t;
            Thread thread = new Thread(() -> post(client, first, poster, answered, requests), "poster-" + t);
            thread.start();
            posters.add(thread);
        }
        // Kill in the middle of the stream, once a good number of requests have been answered.
        await().atMost(Duration.ofSeconds(60)).until(() -> answered.size() >= 1500);
        first.kill();
        for (Thread poster : posters) {
            poster.join(30_000);
        }
        int answeredBeforeKill = answered.size();

        try (AppProcess second = AppProcess.start("crash-2", properties)) {
            JdbcTemplate jdbc = new JdbcTemplate(new DriverManagerDataSource(
                    "jdbc:postgresql://127.0.0.1:" + dbPort + "/ingest", "postgres", ""));
            List<String> missing = new ArrayList<>();
            Map<String, Integer> rowsPerEvent = new ConcurrentHashMap<>();
            jdbc.query("SELECT event_id, count(*) FROM ingest_events GROUP BY event_id",
                    rs -> { rowsPerEvent.put(rs.getString(1), rs.getInt(2)); });
            for (String eventId : answered) {
                if (rowsPerEvent.getOrDefault(eventId, 0) != 3) {
                    missing.add(eventId + "=" + rowsPerEvent.getOrDefault(eventId, 0));
                }
            }
            assertThat(missing).as("answered 202 but not exactly 3 rows").isEmpty();
            assertThat(answeredBeforeKill).isGreaterThanOrEqualTo(1500);
            assertThat(StatsInvariant.violations(jdbc)).isEmpty();
            assertThat(second.healthy()).isTrue();
        }
    }

    private static void post(HttpClient client, AppProcess app, int poster, Set<String> answered, AtomicInteger requests) {
        for (int r = 0; r < 100_000; r++) {
            List<String> ids = new ArrayList<>();
            StringBuilder body = new StringBuilder("[");
            for (int i = 0; i < EVENTS_PER_REQUEST; i++) {
                String id = "crash-" + poster + "-" + r + "-" + i;
                ids.add(id);
                UUID device = new UUID(0, poster * 1000L + i);
                Instant time = Instant.parse("2026-11-22T00:00:00Z").plusMillis(r * 10L + i);
                body.append(i == 0 ? "" : ",").append("{\"event_id\":\"").append(id).append("\",\"device_id\":\"")
                        .append(device).append("\",\"source_timestamp\":\"").append(time).append("\",\"metrics\":[")
                        .append("{\"parameter_key\":\"a\",\"value\":").append(r).append("},")
                        .append("{\"parameter_key\":\"b\",\"value\":").append(i).append("},")
                        .append("{\"parameter_key\":\"c\",\"value\":1.5}]}");
            }
            body.append("]");
            try {
                HttpResponse<String> response = client.send(HttpRequest.newBuilder(app.uri("/v1/events"))
                        .header("Content-Type", "application/json").timeout(Duration.ofSeconds(10))
                        .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
                        HttpResponse.BodyHandlers.ofString());
                requests.incrementAndGet();
                if (response.statusCode() == 202) {
                    answered.addAll(ids);
                }
            } catch (Exception e) {
                return; // the app is gone
            }
        }
    }
}
