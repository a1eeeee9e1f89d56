package routes.source.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import routes.support.StatsInvariant;
import routes.support.TestDatabase;

/**
 * {@code POST /v1/events} while PostgreSQL refuses connections: the request, which waits on its own thread for
 * its commit, is answered 503 {@code unavailable} once the redelivery policy is spent, within a bound, and
 * nothing of it is written; sent again once the database is back, it is answered 202 and lands once.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"ingest.embedded-db.enabled=false", "ingest.batch.timeout=20ms",
            "spring.datasource.hikari.connection-timeout=1000", "ingest.redelivery.initial-delay=50ms",
            "ingest.redelivery.max-delay=500ms"})
class HttpDatabaseOutageIT {

    static final String DATABASE = "it_http_outage";
    static final String DEVICE = "0b6f4c2e-6a39-4a8e-9d0f-3c1f5a7e2b11";

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        registry.add("spring.datasource.url", () -> TestDatabase.recreate(DATABASE));
    }

    @LocalServerPort
    int port;
    @Autowired
    JdbcTemplate jdbc;
    final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @AfterAll
    static void reopen() throws Exception {
        available(true);
    }

    @Test
    void aRequestDuringAnOutageIsAnswered503InTimeAndLandsOnceWhenSentAgain() throws Exception {
        String body = "[{\"event_id\":\"outage-1\",\"device_id\":\"" + DEVICE + "\",\"source_timestamp\":\"2026-11-22T10:00:00Z\","
                + "\"metrics\":[{\"parameter_key\":\"voltage\",\"value\":229.7},{\"parameter_key\":\"current\",\"value\":1.5}]}]";
        available(false);
        long start = System.nanoTime();
        HttpResponse<String> during = post(body);
        Duration waited = Duration.ofNanos(System.nanoTime() - start);
        assertThat(during.statusCode()).isEqualTo(503);
        JsonNode answer = new ObjectMapper().readTree(during.body());
        assertThat(answer.get("error").asText()).isEqualTo("unavailable");
        // Five attempts, each failing within the 1 s connection timeout, 50 ms to 500 ms apart.
        assertThat(waited).isLessThan(Duration.ofSeconds(20));

        available(true);
        HttpResponse<String> after = post(body);
        assertThat(after.statusCode()).isEqualTo(202);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM ingest_events", Integer.class)).isEqualTo(2);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM dead_letters", Integer.class)).isZero();
        assertThat(StatsInvariant.violations(jdbc)).isEmpty();
    }

    HttpResponse<String> post(String body) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/events"))
                        .header("Content-Type", "application/json").timeout(Duration.ofSeconds(60))
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static void available(boolean available) throws Exception {
        TestDatabase.acceptConnections(DATABASE, available);
    }
}
