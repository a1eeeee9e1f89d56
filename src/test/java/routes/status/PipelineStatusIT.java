package routes.status;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.apache.camel.ProducerTemplate;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import routes.pipeline.IngestExchange;
import routes.support.TestDatabase;

/** Status tracking on the HTTP → pipeline path, against the local PostgreSQL. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class PipelineStatusIT {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        String url = TestDatabase.recreate("it_pipeline_status");
        registry.add("spring.datasource.url", () -> url);
        registry.add("ingest.embedded-db.enabled", () -> "false");
        registry.add("ingest.sources.http.track-status", () -> "true");
    }

    @LocalServerPort
    int port;
    @Autowired
    MessageStatusStore store;
    @Autowired
    ProducerTemplate producer;

    @Test
    void trackedEventIsCompletedInTheTransactionThatCommittedItsRows() throws Exception {
        HttpResponse<String> accepted = post("/v1/events", event("e-status-1"));
        assertThat(accepted.statusCode()).isEqualTo(202);

        // No waiting: 202 comes after the commit, and "completed" commits with the rows. Without X-Message-Id
        // the message id is the SHA-256 of the event (not its event_id).
        String id = MessageIds.hash(MAPPER.readTree(event("e-status-1")).toString().getBytes());
        MessageStatus status = store.find(id).orElseThrow();
        assertThat(status.status()).isEqualTo("completed");
        assertThat(status.source()).isEqualTo("http");
        assertThat(status.attempts()).isEqualTo(1);
        assertThat(status.startedAt()).isNotNull();
        assertThat(status.completedAt()).isAfterOrEqualTo(status.startedAt());
        assertThat(status.receivedAt()).isBeforeOrEqualTo(status.startedAt());
        assertThat(status.failedAt()).isNull();

        JsonNode api = MAPPER.readTree(get("/v1/messages/" + id).body());
        assertThat(api.get("status").asText()).isEqualTo("completed");
        assertThat(api.get("messageId").asText()).isEqualTo(id);
        assertThat(api.get("receivedAt").isNull()).isFalse();
        assertThat(api.get("completedAt").isNull()).isFalse();
    }

    @Test
    void sourceWithoutTrackStatusWritesNoRow() {
        producer.send("direct:ingest", exchange -> {
            exchange.setProperty(IngestExchange.SOURCE, "untracked");
            exchange.getMessage().setBody(event("e-status-untracked"));
        });
        assertThat(store.find(MessageIds.hash(event("e-status-untracked").getBytes()))).isEmpty();
    }

    @Test
    void unknownMessageIs404() throws Exception {
        assertThat(get("/v1/messages/nope").statusCode()).isEqualTo(404);
    }

    private static String event(String eventId) {
        return "{\"event_id\":\"" + eventId + "\",\"device_id\":\"0b6f4c2e-6a39-4a8e-9d0f-3c1f5a7e2b11\","
                + "\"source_timestamp\":\"2026-11-22T10:15:30.250Z\",\"metrics\":[{\"parameter_key\":\"voltage\",\"value\":229.7}]}";
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .build(), HttpResponse.BodyHandlers.ofString());
    }
}
