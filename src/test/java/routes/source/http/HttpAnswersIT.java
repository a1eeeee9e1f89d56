package routes.source.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import routes.pipeline.validate.EventParser;
import routes.support.TestDatabase;

/**
 * What {@code POST /v1/events} answers (CONTRACT §2): JSON always, whatever the client's Content-Type
 * or Accept; 400 for anything the contract refuses (an event alone over 1 MiB, strings or dates the
 * database cannot store); 413 for a body over the request limit, refused while it is read; each
 * refused request counted as {@code status="invalid"} (§5).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"ingest.embedded-db.enabled=false", "ingest.batch.timeout=20ms",
            "ingest.sources.http.max-request-bytes=" + HttpAnswersIT.LIMIT})
class HttpAnswersIT {

    static final int LIMIT = 3 * 1024 * 1024;
    static final String DEVICE = "0b6f4c2e-6a39-4a8e-9d0f-3c1f5a7e2b11";

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        registry.add("spring.datasource.url", () -> TestDatabase.recreate("it_http_answers"));
    }

    @LocalServerPort
    int port;
    @Autowired
    JdbcTemplate jdbc;
    @Autowired
    MeterRegistry meters;
    final ObjectMapper mapper = new ObjectMapper();
    final HttpClient client = HttpClient.newHttpClient();

    @BeforeEach
    void empty() {
        jdbc.execute("TRUNCATE ingest_events, daily_stats, dead_letters");
    }

    HttpResponse<String> post(String body, String contentType) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/events"))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String event(String id, String timestamp, String key, String attributes) {
        return "{\"event_id\":\"" + id + "\",\"device_id\":\"" + DEVICE + "\",\"source_timestamp\":\"" + timestamp + "\","
                + "\"metrics\":[{\"parameter_key\":\"" + key + "\",\"value\":1.5,\"attributes\":" + attributes + "}]}";
    }

    JsonNode refused(HttpResponse<String> response, int status, String errorType) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        JsonNode answer = mapper.readTree(response.body());
        assertThat(answer.get("error").asText()).isEqualTo(errorType);
        return answer;
    }

    long rows() {
        return jdbc.queryForObject("SELECT count(*) FROM ingest_events", Long.class);
    }

    double invalidRequests() {
        Counter counter = meters.find("ingest.events").tags("source", "http", "status", "invalid").counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void anEventAloneOverOneMebibyteIsRefusedAsTooLarge() throws Exception {
        String big = event("big-1", "2026-11-22T10:00:00Z", "k", "{\"blob\":\"" + "b".repeat(EventParser.MAX_MESSAGE_BYTES) + "\"}");

        refused(post(big, "application/json"), 400, "too_large");
        refused(post("{\"event\":" + big + "}", "application/json"), 400, "too_large");

        assertThat(rows()).isZero();
    }

    @Test
    void stringsAndDatesTheDatabaseCannotStoreAreRefusedNamingTheField() throws Exception {
        JsonNode nul = refused(post(event("nul", "2026-11-22T10:00:00Z", "a\\u0000b", "{}"), "application/json"), 400, "validation");
        assertThat(nul.get("errors").findValuesAsText("field")).contains("metrics[0].parameter_key");
        JsonNode inAttributes = refused(post(event("nul-a", "2026-11-22T10:00:00Z", "k", "{\"unit\":\"\\u0000\"}"), null), 400, "validation");
        assertThat(inAttributes.get("errors").findValuesAsText("field")).contains("metrics[0].attributes.unit");
        JsonNode surrogate = refused(post(event("lone", "2026-11-22T10:00:00Z", "k\\ud800", "{}"), "application/json"), 400, "validation");
        assertThat(surrogate.get("errors").findValuesAsText("field")).contains("metrics[0].parameter_key");
        JsonNode year = refused(post(event("y", "+10000-01-01T00:00:00Z", "k", "{}"), "application/json"), 400, "validation");
        assertThat(year.get("errors").findValuesAsText("field")).contains("source_timestamp");

        assertThat(rows()).isZero();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM dead_letters", Long.class)).as("answered, not dead-lettered").isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"application/x-www-form-urlencoded", "text/plain", "application/octet-stream", "none",
        "application/json; charset=utf-8", "text/plain; charset=ISO-8859-1"})
    void theBodyIsTakenAsJsonWhateverTheContentType(String contentType) throws Exception {
        String id = "ct-" + Integer.toHexString(contentType.hashCode()); // an event id of its own: committed ids are remembered
        String body = "[" + event(id, "2026-11-22T10:00:00Z", "volts & amps=1", "{\"unit\":\"°C\"}") + ","
                + event(id + "-2", "2026-11-22T10:00:01Z", "k", "{}") + "]";

        HttpResponse<String> response = post(body, "none".equals(contentType) ? null : contentType);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        assertThat(mapper.readTree(response.body()).get("accepted").asInt()).isEqualTo(2);
        assertThat(jdbc.queryForList("SELECT parameter_key || ' ' || (attributes->>'unit') FROM ingest_events"
                + " WHERE event_id = ?", String.class, id)).containsExactly("volts & amps=1 °C");
    }

    @Test
    void errorsAreJsonEvenForABrowser() throws Exception {
        HttpResponse<String> notJson = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/events"))
                .header("Accept", "text/html").header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("a=1&b=2")).build(), HttpResponse.BodyHandlers.ofString());
        refused(notJson, 400, "json");

        HttpResponse<String> wrongMethod = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/events"))
                .header("Accept", "text/html").PUT(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(wrongMethod.statusCode()).isBetween(400, 499);
        assertThat(wrongMethod.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        assertThat(mapper.readTree(wrongMethod.body()).has("error")).isTrue();
    }

    @Test
    void aDeclaredBodyOverTheLimitIsRefusedUnread() throws Exception {
        String answer = exchange(("POST /v1/events HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                + "Content-Length: 10000000000\r\n\r\n").getBytes(StandardCharsets.US_ASCII), null);
        assertThat(answer).startsWith("HTTP/1.1 413").containsIgnoringCase("content-type: application/json").contains("\"too_large\"");
    }

    /**
     * A chunked body far over the limit, streamed as a producer gone wrong would: the answer comes while
     * it is still being sent, long before all of it (the whole would be 4 GiB; nothing here holds it).
     */
    @Test
    void aChunkedBodyOverTheLimitIsRefusedWhileItIsRead() throws Exception {
        double invalidBefore = invalidRequests();
        long[] sent = new long[1];
        String answer = exchange(("POST /v1/events HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.US_ASCII), sent);

        assertThat(answer).startsWith("HTTP/1.1 413").containsIgnoringCase("content-type: application/json").contains("\"too_large\"");
        assertThat(sent[0]).as("bytes sent before the answer").isLessThan(64L * 1024 * 1024);
        assertThat(invalidRequests() - invalidBefore).as("counted as an invalid request").isEqualTo(1);
    }

    @Test
    void everyRefusedRequestCountsOnceAsInvalid() throws Exception {
        double before = invalidRequests();
        post("{oops", "application/json");
        post("[" + event("i-1", "2026-11-22T10:00:00Z", "", "{}") + "," + event("i-2", "2026-11-22T10:00:00Z", "", "{}") + "]",
                "application/json");
        post(event("ok", "2026-11-22T10:00:00Z", "k", "{}"), "application/json");
        assertThat(invalidRequests() - before).isEqualTo(2);
        Counter json = meters.find("ingest.errors").tags("source", "http", "error_type", "json").counter();
        assertThat(json).isNotNull();
        assertThat(json.count()).isGreaterThanOrEqualTo(1);
    }

    /**
     * Sends {@code head} on a raw connection, then (when {@code sent} is given) a chunked body of up to
     * 4 GiB while reading the answer, stopping as soon as the answer is in; returns the answer.
     */
    String exchange(byte[] head, long[] sent) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(head);
            out.flush();
            InputStream in = socket.getInputStream();
            CompletableFuture<String> answer = CompletableFuture.supplyAsync(() -> readAnswer(in));
            if (sent != null) {
                byte[] chunk = new byte[64 * 1024];
                Arrays.fill(chunk, (byte) ' ');
                chunk[0] = '[';
                byte[] size = (Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII);
                try {
                    while (!answer.isDone() && sent[0] < 4L << 30) {
                        out.write(size);
                        out.write(chunk);
                        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                        sent[0] += chunk.length;
                    }
                } catch (IOException closedByTheServer) {
                    // expected once the server has answered and closed the connection
                }
            }
            return answer.get(30, TimeUnit.SECONDS);
        }
    }

    /** The status line, headers and body of one answer (Content-Length bodies, as every answer here has). */
    static String readAnswer(InputStream in) {
        ByteArrayOutputStream answer = new ByteArrayOutputStream();
        try {
            int contentLength = -1;
            int headerEnd = -1;
            for (int b = in.read(); b >= 0; b = in.read()) {
                answer.write(b);
                String text = answer.toString(StandardCharsets.ISO_8859_1);
                if (headerEnd < 0 && text.endsWith("\r\n\r\n")) {
                    headerEnd = text.length();
                    for (String line : text.split("\r\n")) {
                        if (line.toLowerCase().startsWith("content-length:")) {
                            contentLength = Integer.parseInt(line.substring(15).trim());
                        }
                    }
                    if (contentLength == 0) {
                        break;
                    }
                }
                if (headerEnd >= 0 && contentLength >= 0 && text.length() - headerEnd >= contentLength) {
                    break;
                }
            }
        } catch (IOException e) {
            // the connection closed: what came is the answer
        }
        return answer.toString(StandardCharsets.UTF_8);
    }
}
