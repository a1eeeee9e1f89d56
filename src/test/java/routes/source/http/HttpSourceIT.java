package routes.source.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import io.micrometer.core.instrument.Counter;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import java.util.concurrent.CopyOnWriteArrayList;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import routes.support.PerParameterMessages;
import routes.support.StatsInvariant;
import routes.support.Http;
import routes.support.TestDatabase;

/** POST /v1/events (CONTRACT §2, embedded-default mode: 202 only once committed), /v1/health, /v1/dead-letters. */
@AutoConfigureObservability
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"ingest.embedded-db.enabled=false", "ingest.batch.timeout=20ms",
                "ingest.security.admin-password=http-source-it"})
class HttpSourceIT {

    static final String DEVICE = "0b6f4c2e-6a39-4a8e-9d0f-3c1f5a7e2b11";

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        registry.add("spring.datasource.url", () -> TestDatabase.recreate("it_http_source"));
    }

    @LocalServerPort
    int port;
    @Autowired
    JdbcTemplate jdbc;
    @Autowired
    MeterRegistry meters;
    final ObjectMapper mapper = new ObjectMapper();
    final HttpClient client = HttpClient.newHttpClient();

    /** What each dispatch of {@code POST /v1/events} found when it left the filter chain (see {@link Dispatches}). */
    static final List<String> DISPATCHES = new CopyOnWriteArrayList<>();

    /** Records, for each dispatch of {@code /v1/events}, its type and whether it left the request asynchronous. */
    @TestConfiguration
    static class Dispatches {
        @Bean
        FilterRegistrationBean<Filter> dispatchRecorder() {
            FilterRegistrationBean<Filter> registration = new FilterRegistrationBean<>((request, response, chain) -> {
                chain.doFilter(request, response);
                DISPATCHES.add(request.getDispatcherType() + (request.isAsyncStarted() ? " async" : ""));
            });
            registration.addUrlPatterns(EventsRequestFilter.PATH);
            registration.setDispatcherTypes(DispatcherType.REQUEST, DispatcherType.ASYNC);
            return registration;
        }
    }

    @BeforeEach
    void empty() {
        jdbc.execute("DROP TRIGGER IF EXISTS refuse_key ON ingest_events");
        jdbc.execute("TRUNCATE ingest_events, daily_stats, dead_letters");
    }

    HttpResponse<String> post(String body) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/events"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static String event(String id, int second, double value) {
        return "{\"event_id\":\"" + id + "\",\"device_id\":\"" + DEVICE + "\",\"protocol\":\"modbus\","
                + "\"source_timestamp\":\"2026-11-22T10:00:" + String.format("%02d", second) + "Z\","
                + "\"metrics\":[{\"parameter_key\":\"voltage\",\"value\":" + value + "},"
                + "{\"parameter_key\":\"current\",\"value\":1.5,\"quality\":192,\"attributes\":{\"unit\":\"A\"}}]}";
    }

    @Test
    void anArrayIsAnswered202OnlyOnceEveryRowIsCommitted() throws Exception {
        StringBuilder body = new StringBuilder("[");
        for (int i = 0; i < 50; i++) {
            body.append(i == 0 ? "" : ",").append(event("h-" + i, i, i));
        }
        Counter viaRoute = meters.find("camel.exchanges.total").tag("routeId", "http-source").counter();
        double before = viaRoute == null ? 0 : viaRoute.count();
        HttpResponse<String> response = post(body.append("]").toString());
        assertThat(response.statusCode()).isEqualTo(202);
        JsonNode answer = mapper.readTree(response.body());
        assertThat(answer.get("accepted").asInt()).isEqualTo(50);
        // The way in is route http-source (routes/http-source.camel.yaml): one exchange for the request.
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(meters.find("camel.exchanges.total").tag("routeId", "http-source").counter().count() - before)
                        .isEqualTo(1.0));
        assertThat(answer.get("trace_id").asText()).isNotBlank();
        // No waiting: the answer came after the commit.
        assertThat(jdbc.queryForObject("SELECT count(*) FROM ingest_events", Integer.class)).isEqualTo(100);
        assertThat(StatsInvariant.violations(jdbc)).isEmpty();
    }

    @Test
    void aRequestHoldingAnEventTheDatabaseRefusesCommitsTheOthersAndDeadLettersOnlyThatOne() throws Exception {
        // Valid by the contract, but the database refuses its row (a data exception, from a trigger): the
        // request's one-unit commit fails, and the request goes event by event so that only this event is
        // dead-lettered.
        jdbc.execute("CREATE OR REPLACE FUNCTION refuse_key() RETURNS trigger LANGUAGE plpgsql AS $$"
                + " BEGIN IF NEW.parameter_key = 'refused' THEN RAISE EXCEPTION USING ERRCODE = '22023',"
                + " MESSAGE = 'row refused'; END IF; RETURN NEW; END $$");
        jdbc.execute("CREATE TRIGGER refuse_key BEFORE INSERT ON ingest_events FOR EACH ROW EXECUTE FUNCTION refuse_key()");
        String refused = "{\"event_id\":\"nul-1\",\"device_id\":\"" + DEVICE + "\","
                + "\"source_timestamp\":\"2026-11-22T11:00:00Z\",\"metrics\":[{\"parameter_key\":\"refused\",\"value\":1}]}";
        String body = "[" + event("nul-0", 1, 1) + "," + refused + "," + event("nul-2", 2, 2) + "]";

        HttpResponse<String> response = post(body);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        assertThat(jdbc.queryForList("SELECT DISTINCT event_id FROM ingest_events ORDER BY 1", String.class))
                .containsExactly("nul-0", "nul-2");
        assertThat(jdbc.queryForList("SELECT error_type FROM dead_letters", String.class)).containsExactly("rejected");
        assertThat(jdbc.queryForObject("SELECT payload FROM dead_letters", String.class)).contains("nul-1");
        assertThat(StatsInvariant.violations(jdbc)).isEmpty();
    }

    @Test
    void aPostIsAnsweredInOneDispatch() throws Exception {
        DISPATCHES.clear();
        HttpResponse<String> response = post("[" + event("one-dispatch", 1, 1) + "]");
        assertThat(response.statusCode()).isEqualTo(202);
        // Recorded as the dispatch leaves the filter chain, which may be just after the client has the answer.
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).until(() -> !DISPATCHES.isEmpty());
        // Not "REQUEST async" then "ASYNC": no second trip through the security chain and the dispatcher.
        assertThat(DISPATCHES).containsExactly("REQUEST");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM ingest_events", Integer.class)).isEqualTo(2);
    }

    @Test
    void theSameArrayPostedTwiceIsAccepted202TwiceAndWrittenOnce() throws Exception {
        String body = "[" + event("twice-1", 1, 1) + "," + event("twice-2", 2, 2) + "]";
        assertThat(post(body).statusCode()).isEqualTo(202);
        HttpResponse<String> again = post(body);
        assertThat(again.statusCode()).isEqualTo(202);
        assertThat(mapper.readTree(again.body()).get("accepted").asInt()).isEqualTo(2);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM ingest_events", Integer.class)).isEqualTo(4);
        assertThat(jdbc.queryForObject("SELECT sum(sample_count) FROM daily_stats", Long.class)).isEqualTo(4L);
    }

    double events(String status) {
        return PerParameterMessages.events(meters, "http", status);
    }

    @Test
    void oneMessagePerParameterAtOneInstantOrSharingAnEventIdLandsEveryRowAndRepeatsAreDuplicates() throws Exception {
        UUID device = UUID.randomUUID();
        List<String> messages = PerParameterMessages.of(device, "shared-http");
        double success = events("success");
        double duplicate = events("duplicate");

        assertThat(post("[" + String.join(",", messages) + "]").statusCode()).isEqualTo(202);
        for (String message : messages) {
            assertThat(post(message).statusCode()).isEqualTo(202);
        }

        assertThat(PerParameterMessages.rows(jdbc, device)).isEqualTo(PerParameterMessages.COUNT);
        assertThat(events("success") - success).isEqualTo(PerParameterMessages.COUNT);
        assertThat(events("duplicate") - duplicate).isEqualTo(PerParameterMessages.COUNT);
        assertThat(StatsInvariant.violations(jdbc)).isEmpty();
    }

    @Test
    void concurrentClientsSendingTheSameEventsCountEachEventOnceAsSuccessAndEveryRepeatAsDuplicate() throws Exception {
        int clients = 4;
        int requests = 40;
        int perRequest = 5;
        UUID device = UUID.randomUUID();
        Instant start = Instant.parse("2026-11-24T00:00:00Z");
        List<String> bodies = new ArrayList<>();
        for (int r = 0; r < requests; r++) {
            List<String> events = new ArrayList<>();
            for (int k = 0; k < perRequest; k++) {
                int i = r * perRequest + k;
                events.add(String.format(Locale.ROOT, "{\"event_id\":\"race-%d\",\"device_id\":\"%s\","
                        + "\"source_timestamp\":\"%s\",\"metrics\":[{\"parameter_key\":\"voltage\",\"value\":%d},"
                        + "{\"parameter_key\":\"current\",\"value\":1.5}]}", i, device, start.plusSeconds(i), i));
            }
            bodies.add("[" + String.join(",", events) + "]");
        }
        double success = events("success");
        double duplicate = events("duplicate");

        // Every client sends the same requests in the same order at the same time: each event is in
        // flight in up to four requests at once, none of which can have seen another commit it.
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Void>> done = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            done.add(pool.submit(() -> {
                go.await();
                for (String body : bodies) {
                    assertThat(post(body).statusCode()).isEqualTo(202);
                }
                return null;
            }));
        }
        go.countDown();
        for (Future<Void> f : done) {
            f.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();

        int distinct = requests * perRequest;
        assertThat(PerParameterMessages.rows(jdbc, device)).isEqualTo(2L * distinct);
        assertThat(events("success") - success).as("success").isEqualTo(distinct);
        assertThat(events("duplicate") - duplicate).as("duplicate").isEqualTo((clients - 1) * distinct);
        assertThat(StatsInvariant.violations(jdbc)).isEmpty();
    }

    @Test
    void oneEnvelopeIsAcceptedAndItsTraceIdAnswered() throws Exception {
        HttpResponse<String> response = post("{\"trace_id\":\"t-77\",\"event\":" + event("env-1", 1, 5) + "}");
        assertThat(response.statusCode()).isEqualTo(202);
        assertThat(mapper.readTree(response.body()).get("trace_id").asText()).isEqualTo("t-77");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM ingest_events", Integer.class)).isEqualTo(2);
    }

    @Test
    void invalidInputIsAnswered400NamingEveryBrokenFieldAndNothingIsWritten() throws Exception {
        String bad = "{\"device_id\":\"nope\",\"source_timestamp\":\"2026-11-22T10:00:00Z\","
                + "\"metrics\":[{\"parameter_key\":\"v\",\"value\":\"x\"}]}";
        HttpResponse<String> response = post("[" + event("ok", 1, 1) + "," + bad + "]");
        assertThat(response.statusCode()).isEqualTo(400);
        JsonNode answer = mapper.readTree(response.body());
        assertThat(answer.get("error").asText()).isEqualTo("validation");
        assertThat(answer.get("errors").findValuesAsText("field")).containsExactlyInAnyOrder("[1].device_id", "[1].metrics[0].value");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM ingest_events", Integer.class)).isZero();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM dead_letters", Integer.class)).as("answered, not queued").isZero();
    }

    @Test
    void notJsonIsAnswered400() throws Exception {
        HttpResponse<String> response = post("{oops");
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(mapper.readTree(response.body()).get("error").asText()).isEqualTo("json");
    }

    @Test
    void healthReportsTheDatabaseAndQueueDepth() throws Exception {
        JsonNode health = mapper.readTree(get("/v1/health").body());
        assertThat(health.get("service").asText()).isEqualTo("ok");
        assertThat(health.get("db").asText()).isEqualTo("connected");
        assertThat(health.get("queue_depth").asLong()).isZero();
        JsonNode actuator = mapper.readTree(get("/actuator/health").body());
        assertThat(actuator.get("status").asText()).isEqualTo("UP");
        assertThat(actuator.get("components").has("db")).isTrue();
    }

    @Test
    void prometheusExportsCamelAndIngestMetrics() throws Exception {
        post("[" + event("m-1", 1, 1) + "]");
        String scrape = get("/actuator/prometheus").body();
        assertThat(scrape).contains("ingest_events_total{", "status=\"success\"", "ingest_rows_total{",
                "ingest_processing_duration_seconds_bucket{", "ingest_batch_size_count", "camel_exchanges_total{");
    }

    @Test
    void deadLettersAreListedNewestFirst() throws Exception {
        jdbc.update("INSERT INTO dead_letters (source, queue, error_type, error_message, attempts, payload)"
                + " VALUES ('rabbitmq', 'q', 'json', 'first', 1, '{'), ('nats', 's', 'validation', 'second', 1, '{}')");
        // Dead letters are read with the admin credentials (CONTRACT §5).
        Http admin = new Http(port);
        String credentials = Http.basic("admin", "http-source-it");
        JsonNode all = mapper.readTree(admin.get("/v1/dead-letters?limit=10", credentials).body());
        assertThat(all.findValuesAsText("errorMessage")).containsExactly("second", "first");
        JsonNode rabbit = mapper.readTree(admin.get("/v1/dead-letters?source=rabbitmq", credentials).body());
        assertThat(rabbit.findValuesAsText("source")).containsExactly("rabbitmq");
    }
}
