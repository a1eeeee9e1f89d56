package routes.deadletter;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import org.apache.camel.ProducerTemplate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import routes.pipeline.validate.EventParser;
import routes.pipeline.IngestExchange;
import routes.support.Http;
import routes.support.TestDatabase;

/** The dead-letter admin API on a real PostgreSQL: filters, paging, one, delete, purge with confirmation. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "ingest.security.admin-password=" + DeadLetterApiIT.PASSWORD})
class DeadLetterApiIT {

    static final String PASSWORD = "dl-api-secret";
    private static final String ADMIN = Http.basic("admin", PASSWORD);

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        registry.add("spring.datasource.url", () -> TestDatabase.recreate("it_ops_dead_letters"));
        registry.add("ingest.embedded-db.enabled", () -> "false");
    }

    @LocalServerPort int port;
    @Autowired ProducerTemplate producer;
    @Autowired JdbcTemplate jdbc;
    @Autowired DeadLetterStore store;
    private final ObjectMapper mapper = new ObjectMapper();
    private Http http;

    @BeforeEach
    void clean() {
        http = new Http(port);
        jdbc.update("DELETE FROM dead_letters");
    }

    @Test
    void listFiltersBySourceErrorTypeAndTimeAndPagesByBeforeId() throws Exception {
        for (int i = 0; i < 3; i++) {
            deadLetter("alpha", "not json " + i);
        }
        deadLetter("beta", "{\"device_id\": \"not-a-uuid\"}");
        long oldest = jdbc.queryForObject("SELECT min(id) FROM dead_letters", Long.class);
        jdbc.update("UPDATE dead_letters SET failed_at = now() - interval '2 days' WHERE id = ?", oldest);

        JsonNode alpha = json(http.get("/v1/dead-letters?source=alpha", ADMIN).body());
        assertThat(alpha).hasSize(3);
        assertThat(alpha.get(0).get("errorType").asText()).isEqualTo("json");

        JsonNode validation = json(http.get("/v1/dead-letters?error_type=validation", ADMIN).body());
        assertThat(validation).hasSize(1);
        assertThat(validation.get(0).get("source").asText()).isEqualTo("beta");

        String since = OffsetDateTime.now(ZoneOffset.UTC).minusDays(1).toString();
        assertThat(json(http.get("/v1/dead-letters?source=alpha&from=" + since, ADMIN).body())).hasSize(2);
        assertThat(json(http.get("/v1/dead-letters?source=alpha&to=" + since, ADMIN).body())).hasSize(1);

        var first = http.get("/v1/dead-letters?limit=2", ADMIN);
        assertThat(first.headers().firstValue(DeadLetterController.TOTAL_COUNT)).hasValue("4");
        String next = first.headers().firstValue(DeadLetterController.NEXT_BEFORE_ID).orElseThrow();
        JsonNode second = json(http.get("/v1/dead-letters?limit=2&before_id=" + next, ADMIN).body());
        assertThat(second).hasSize(2);
        assertThat(second.get(1).get("id").asLong()).isEqualTo(oldest);
        assertThat(json(http.get("/v1/dead-letters?limit=2&offset=3", ADMIN).body())).hasSize(1);
    }

    @Test
    void oneDeadLetterShowsTheOriginalBodyAndItsHeaders() throws Exception {
        long id = deadLetter("alpha", "not json at all");
        JsonNode one = json(http.get("/v1/dead-letters/" + id, ADMIN).body());
        assertThat(one.get("payload").asText()).isEqualTo("not json at all");
        assertThat(one.get("headers").get(DeadLetterHeaders.ERROR_TYPE).asText()).isEqualTo("json");
        assertThat(one.get("headers").get(DeadLetterHeaders.SOURCE).asText()).isEqualTo("alpha");
        assertThat(http.get("/v1/dead-letters/999999", ADMIN).statusCode()).isEqualTo(404);
    }

    @Test
    void deleteRemovesOneAndPurgeNeedsConfirmation() throws Exception {
        long a = deadLetter("alpha", "x1");
        deadLetter("alpha", "x2");
        deadLetter("beta", "x3");

        assertThat(http.send("DELETE", "/v1/dead-letters/" + a, null, null).statusCode()).isEqualTo(401);
        assertThat(http.send("DELETE", "/v1/dead-letters/" + a, null, ADMIN).statusCode()).isEqualTo(200);
        assertThat(store.find(a)).isEmpty();
        assertThat(http.send("DELETE", "/v1/dead-letters/" + a, null, ADMIN).statusCode()).isEqualTo(404);

        var refused = http.send("DELETE", "/v1/dead-letters?source=alpha", null, ADMIN);
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(json(refused.body()).get("would_delete").asLong()).isEqualTo(1);
        assertThat(count()).isEqualTo(2);

        assertThat(http.send("DELETE", "/v1/dead-letters?source=alpha&confirm=yes", null, null).statusCode())
                .isEqualTo(401);
        var purged = http.send("DELETE", "/v1/dead-letters?source=alpha&confirm=yes", null, ADMIN);
        assertThat(json(purged.body()).get("deleted").asInt()).isEqualTo(1);
        assertThat(jdbc.queryForList("SELECT source FROM dead_letters", String.class)).containsExactly("beta");
    }

    @Test
    void replayNeedsCredentialsAndPutsTheMessageBackThroughThePipeline() throws Exception {
        String event = "{\"device_id\": \"0b6f4c2e-6a39-4a8e-9d0f-3c1f5a7e2b11\", \"source_timestamp\": "
                + "\"2026-11-22T10:15:30Z\", \"metrics\": [{\"parameter_key\": \"dl_api_replay\", \"value\": 1.5}]}";
        long id = store.insert("http", "/v1/events", null, "rejected", "refused by a trigger", 1, event,
                Map.of(DeadLetterHeaders.ERROR_TYPE, "rejected"), OffsetDateTime.now(ZoneOffset.UTC));

        assertThat(http.send("POST", "/v1/dead-letters/" + id + "/replay", null, null).statusCode()).isEqualTo(401);
        assertThat(http.send("POST", "/v1/dead-letters/replay?source=http", null, null).statusCode()).isEqualTo(401);
        assertThat(store.find(id).orElseThrow().replayedAt()).isNull();

        assertThat(http.send("POST", "/v1/dead-letters/" + id + "/replay", null, ADMIN).statusCode()).isEqualTo(200);
        assertThat(store.find(id).orElseThrow().replayedAt()).isNotNull();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM ingest_events WHERE parameter_key = 'dl_api_replay'",
                Long.class)).isEqualTo(1);
        var bulk = http.send("POST", "/v1/dead-letters/replay?source=http", null, ADMIN);
        assertThat(json(bulk.body()).get("replayed").asInt()).isZero();
    }

    @Test
    void aTooLargeDeadLetterKeepsAPrefixItsSizeAndSha256AndIsNeverReplayed() throws Exception {
        String big = "{\"event_id\": \"too-big\", \"pad\": \"" + "é".repeat(EventParser.MAX_MESSAGE_BYTES / 2) + "\"}";
        byte[] bytes = big.getBytes(StandardCharsets.UTF_8);
        long id = deadLetter("alpha", big);
        deadLetter("alpha", "not json, replayable");

        DeadLetter row = store.find(id).orElseThrow();
        assertThat(row.errorType()).isEqualTo("too_large");
        assertThat(row.payload()).hasSizeLessThanOrEqualTo(65536).isEqualTo(big.substring(0, row.payload().length()));
        assertThat(row.payload().getBytes(StandardCharsets.UTF_8).length).isBetween(65535, 65536);
        assertThat(row.headers()).containsEntry(DeadLetterHeaders.PAYLOAD_TRUNCATED, "true")
                .containsEntry(DeadLetterHeaders.PAYLOAD_SIZE, Integer.toString(bytes.length))
                .containsEntry(DeadLetterHeaders.PAYLOAD_SHA256, StoredPayload.sha256(bytes));

        var refused = http.send("POST", "/v1/dead-letters/" + id + "/replay", null, ADMIN);
        assertThat(refused.statusCode()).isEqualTo(409);
        JsonNode answer = json(refused.body());
        assertThat(answer.get("error").asText()).contains("too_large").contains("never replayed");
        assertThat(answer.get("payload_size").asText()).isEqualTo(Integer.toString(bytes.length));

        var bulk = http.send("POST", "/v1/dead-letters/replay?source=alpha", null, ADMIN);
        assertThat(json(bulk.body()).get("replayed").asInt()).as("the other one only").isEqualTo(1);
        assertThat(store.find(id).orElseThrow().replayedAt()).isNull();
    }

    /** Sends a raw message through the pipeline as source {@code source}; it is invalid, so it is dead-lettered. */
    private long deadLetter(String source, String body) {
        producer.send("direct:ingest", exchange -> {
            exchange.setProperty(IngestExchange.SOURCE, source);
            exchange.setProperty(IngestExchange.QUEUE, source + "-q");
            exchange.getMessage().setBody(body.getBytes(StandardCharsets.UTF_8));
        });
        return jdbc.queryForObject("SELECT max(id) FROM dead_letters", Long.class);
    }

    private long count() {
        return jdbc.queryForObject("SELECT count(*) FROM dead_letters", Long.class);
    }

    private JsonNode json(String body) throws Exception {
        return mapper.readTree(body);
    }
}
