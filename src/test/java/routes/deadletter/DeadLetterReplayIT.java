package routes.deadletter;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import routes.support.Http;
import routes.support.TestDatabase;

/**
 * Replay on a real PostgreSQL, through the pipeline (the HTTP source has no queue): bulk replay goes page
 * by page up to its limit, and a replay that fails again reopens its own dead letter.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "ingest.security.admin-password=" + DeadLetterReplayIT.PASSWORD,
        "ingest.dead-letters.replay-page-size=3",
        "ingest.dead-letters.replay-limit=5"})
class DeadLetterReplayIT {

    static final String PASSWORD = "dl-replay-secret";
    private static final String ADMIN = Http.basic("admin", PASSWORD);

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        registry.add("spring.datasource.url", () -> TestDatabase.recreate("it_dead_letter_replay"));
        registry.add("ingest.embedded-db.enabled", () -> "false");
    }

    @LocalServerPort int port;
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
    void bulkReplayGoesPageByPageUpToItsLimitAndTheNextCallGoesOn() throws Exception {
        String key = "replay_" + UUID.randomUUID().toString().substring(0, 8);
        for (int i = 0; i < 8; i++) {
            store.insert("http", "/v1/events", null, "rejected", "refused", 1, event(key, i),
                    Map.of(DeadLetterHeaders.ERROR_TYPE, "rejected"), OffsetDateTime.now(ZoneOffset.UTC));
        }
        assertThat(replayAll()).isEqualTo(5);
        assertThat(pending()).isEqualTo(3);
        assertThat(replayAll()).isEqualTo(3);
        assertThat(replayAll()).isZero();
        assertThat(pending()).isZero();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM ingest_events WHERE parameter_key = ?", Long.class, key))
                .isEqualTo(8);
    }

    @Test
    void aReplayThatFailsAgainReopensTheSameDeadLetter() throws Exception {
        String marker = UUID.randomUUID().toString();
        long id = store.insert("http", "/v1/events", null, "rejected", "refused by a trigger", 1,
                "{\"device_id\": \"not-a-uuid\", \"marker\": \"" + marker + "\"}",
                Map.of(DeadLetterHeaders.ERROR_TYPE, "rejected"), OffsetDateTime.now(ZoneOffset.UTC).minusHours(1));

        assertThat(http.send("POST", "/v1/dead-letters/" + id + "/replay", null, ADMIN).statusCode()).isEqualTo(200);

        assertThat(jdbc.queryForObject("SELECT count(*) FROM dead_letters", Long.class)).isEqualTo(1);
        Map<String, Object> row = jdbc.queryForMap("SELECT id, error_type, replayed_at, failed_at > now() - interval '1 minute'"
                + " AS recent FROM dead_letters");
        assertThat(row).containsEntry("id", id).containsEntry("error_type", "validation").containsEntry("recent", true);
        assertThat(row.get("replayed_at")).isNull();
        // Still pending: a bulk replay takes it again (and it fails again, still one row).
        assertThat(replayAll()).isEqualTo(1);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM dead_letters", Long.class)).isEqualTo(1);
    }

    private int replayAll() throws Exception {
        var answer = http.send("POST", "/v1/dead-letters/replay?source=http", null, ADMIN);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        return mapper.readTree(answer.body()).get("replayed").asInt();
    }

    private long pending() {
        return jdbc.queryForObject("SELECT count(*) FROM dead_letters WHERE replayed_at IS NULL", Long.class);
    }

    private static String event(String key, int i) {
        return "{\"device_id\": \"0b6f4c2e-6a39-4a8e-9d0f-3c1f5a7e2b11\", \"source_timestamp\": \"2026-11-22T10:15:"
                + String.format("%02d", i) + "Z\", \"metrics\": [{\"parameter_key\": \"" + key + "\", \"value\": " + i + "}]}";
    }
}
