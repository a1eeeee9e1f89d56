package routes.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import routes.IngestApplication;
import routes.support.StatsInvariant;
import routes.support.TestDatabase;

/**
 * Two application instances sharing one database, writing overlapping keys at once (inserts and
 * last-write-wins overwrites): no deadlock, no lost or doubled row, the stats invariant holds.
 */
class TwoInstancesIT {

    @Test
    void twoInstancesOnOverlappingKeysNeitherDeadlockNorBreakTheInvariant() throws Exception {
        String url = TestDatabase.recreate("it_two_instances");
        try (ConfigurableApplicationContext a = start("a", url); ConfigurableApplicationContext b = start("b", url)) {
            int portA = ((WebServerApplicationContext) a).getWebServer().getPort();
            int portB = ((WebServerApplicationContext) b).getWebServer().getPort();
            ExecutorService posters = Executors.newFixedThreadPool(6);
            List<Future<Integer>> statuses = new ArrayList<>();
            for (int p = 0; p < 6; p++) {
                int port = p % 2 == 0 ? portA : portB;
                long seed = p;
                statuses.add(posters.submit(() -> postBatches(port, seed)));
            }
            posters.shutdown();
            assertThat(posters.awaitTermination(180, TimeUnit.SECONDS)).isTrue();
            for (Future<Integer> status : statuses) {
                assertThat(status.get()).as("every request answered 202").isEqualTo(202);
            }
            JdbcTemplate jdbc = a.getBean(JdbcTemplate.class);
            // 5 devices x 2 keys x 100 seconds, every one written many times by both instances.
            assertThat(jdbc.queryForObject("SELECT count(*) FROM ingest_events", Integer.class)).isEqualTo(1000);
            assertThat(StatsInvariant.violations(jdbc)).isEmpty();
            assertThat(jdbc.queryForObject("SELECT count(*) FROM dead_letters", Integer.class)).isZero();
        }
    }

    static ConfigurableApplicationContext start(String name, String url) {
        return new SpringApplicationBuilder(IngestApplication.class).run(
                "--server.port=0", "--ingest.embedded-db.enabled=false", "--spring.datasource.url=" + url,
                "--camel.main.name=instance-" + name, "--spring.jmx.enabled=false", "--camel.main.jmx-enabled=false",
                "--ingest.idempotency.repository=none", "--spring.flyway.enabled=" + name.equals("a"),
                "--ingest.batch.size=300");
    }

    /** Posts 20 requests of 50 random events on overlapping keys; returns the worst status. */
    static int postBatches(int port, long seed) throws Exception {
        Random random = new Random(seed);
        HttpClient client = HttpClient.newHttpClient();
        int worst = 202;
        for (int r = 0; r < 20; r++) {
            StringBuilder body = new StringBuilder("[");
            for (int i = 0; i < 50; i++) {
                UUID device = new UUID(0, random.nextInt(5));
                Instant time = Instant.parse("2026-11-22T10:00:00Z").plusSeconds(random.nextInt(100));
                body.append(i == 0 ? "" : ",").append("{\"device_id\":\"").append(device)
                        .append("\",\"source_timestamp\":\"").append(time).append("\",\"metrics\":[")
                        .append("{\"parameter_key\":\"a\",\"value\":").append(random.nextInt(1000)).append("},")
                        .append("{\"parameter_key\":\"b\",\"value\":").append(random.nextInt(1000)).append("}]}");
            }
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/events"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body.append("]").toString())).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 202) {
                worst = response.statusCode();
            }
        }
        return worst;
    }
}
