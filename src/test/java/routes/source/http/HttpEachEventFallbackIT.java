package routes.source.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import routes.pipeline.IngestExchange;
import routes.support.StatsInvariant;
import routes.support.TestDatabase;

/**
 * Large requests whose one-unit write fails go event by event (route commit-retry). That fallback must not
 * run on a batch writer: it waits for the aggregator's pending-row permits, which only the writers give
 * back, so requests falling back on both writers at once would hang them for good. (On Camel 4.17 the
 * parallel split hands each event to its pool one at a time, so the wait happens on the pool even when
 * the route starts on a writer; this test passed before the hand-off was added, and guards the outcome.)
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"ingest.embedded-db.enabled=false", "ingest.batch.max-pending-rows=100", "ingest.batch.writers=2"})
class HttpEachEventFallbackIT {

    static final int REQUESTS = 3;
    static final int EVENTS = 1500;

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        registry.add("spring.datasource.url", () -> TestDatabase.recreate("it_http_fallback"));
    }

    @LocalServerPort
    int port;
    @Autowired
    JdbcTemplate jdbc;
    @Autowired
    CamelContext camel;

    /** The threads HTTP events entered the per-message route (commit-retry) on. */
    Set<String> pipelineThreads() {
        Set<String> threads = ConcurrentHashMap.newKeySet();
        camel.getManagementStrategy().addEventNotifier(new EventNotifierSupport() {
            @Override
            public void notify(CamelEvent event) {
                if (event instanceof CamelEvent.ExchangeSendingEvent sending
                        && "direct://commit-retry".equals(sending.getEndpoint().getEndpointUri())
                        && "http".equals(sending.getExchange().getProperty(IngestExchange.SOURCE))) {
                    threads.add(Thread.currentThread().getName());
                }
            }
        });
        return threads;
    }

    @Test
    void largeRequestsWhoseUnitWriteFailsAllCompleteEventByEvent() throws Exception {
        // The database refuses one row of each request, so each request's one-unit commit fails.
        jdbc.execute("""
                CREATE FUNCTION refuse_marked_rows() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                  IF NEW.parameter_key = 'refused' THEN
                    RAISE EXCEPTION 'test: row refused' USING ERRCODE = '22023';
                  END IF;
                  RETURN NEW;
                END $$""");
        jdbc.execute("CREATE TRIGGER refuse_marked BEFORE INSERT ON ingest_events FOR EACH ROW EXECUTE FUNCTION refuse_marked_rows()");
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        Set<String> threads = pipelineThreads();

        List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
        for (int r = 0; r < REQUESTS; r++) {
            answers.add(client.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/events"))
                    .header("Content-Type", "application/json").timeout(Duration.ofSeconds(90))
                    .POST(HttpRequest.BodyPublishers.ofString(request(r))).build(), HttpResponse.BodyHandlers.ofString()));
        }

        for (CompletableFuture<HttpResponse<String>> answer : answers) {
            HttpResponse<String> response = answer.get(100, TimeUnit.SECONDS);
            assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        }
        assertThat(jdbc.queryForObject("SELECT count(*) FROM ingest_events", Long.class))
                .isEqualTo((long) REQUESTS * (EVENTS - 1));
        assertThat(jdbc.queryForObject("SELECT count(*) FROM dead_letters", Long.class)).isEqualTo(REQUESTS);
        assertThat(StatsInvariant.violations(jdbc)).isEmpty();
        // The per-event route waits for permits only the writers give back: never on a writer.
        assertThat(threads).isNotEmpty().noneMatch(name -> name.contains("ingest-batch-writer"));
    }

    /** {@value #EVENTS} events of one metric, the last of them refused by the database. */
    static String request(int r) {
        UUID device = UUID.randomUUID();
        StringBuilder body = new StringBuilder("[");
        for (int i = 0; i < EVENTS; i++) {
            String key = i == EVENTS - 1 ? "refused" : "voltage";
            body.append(i == 0 ? "" : ",").append("{\"event_id\":\"fallback-").append(r).append('-').append(i)
                    .append("\",\"device_id\":\"").append(device).append("\",\"source_timestamp\":\"2026-11-22T10:")
                    .append(String.format("%02d:%02d", i / 60 % 60, i % 60)).append("Z\",\"metrics\":[{\"parameter_key\":\"")
                    .append(key).append("\",\"value\":").append(i).append("}]}");
        }
        return body.append(']').toString();
    }
}
