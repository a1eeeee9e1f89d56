package routes.fuzz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Assume;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import redis.clients.jedis.Jedis;
import routes.IngestApplication;
import routes.pipeline.validate.EventParser;
import routes.pipeline.validate.IngestEvent;
import routes.pipeline.validate.InvalidMessageException;
import routes.support.TestDatabase;

/**
 * Fuzz of the running application with realistic broken messages ({@link MutatedMessages}), against
 * the local PostgreSQL and Redis. HTTP: every request is answered 202 or a JSON 4xx naming the error,
 * whatever its Content-Type, never a 5xx or an HTML page, and never dead-lettered (CONTRACT §2). A
 * broker (the Redis list, the cheapest to drive): every message ends in its rows, in a counted
 * duplicate, or in exactly one dead letter, and none stays in flight. The expected outcome of each
 * message comes from {@link EventParser}, whose own fuzz ({@code EventParserFuzzTest}) holds it to the
 * contract.
 */
class IngestFuzzIT {

    static final String PREFIX = "it:IngestFuzzIT:";
    static final String QUEUE = PREFIX + "queue";
    static final String PROCESSING = QUEUE + ":processing";
    static final String DELAYED = QUEUE + ":delayed";
    static final String DLQ = QUEUE + ":dlq";
    static final Duration SETTLED = Duration.ofSeconds(20);

    static ConfigurableApplicationContext app;
    static JdbcTemplate jdbc;
    static MeterRegistry meters;
    static HttpClient client;
    static URI events;
    static long invalidBrokerMessages;
    static final Set<String> sentBodies = new HashSet<>();
    static final Set<String> usedEventIds = new HashSet<>();

    final EventParser parser = new EventParser(MutatedMessages.MAPPER);

    @BeforeContainer
    static void start() {
        try (Jedis jedis = redis()) {
            jedis.del(QUEUE, PROCESSING, DELAYED, DLQ, DELAYED + ":seq");
        }
        String url = TestDatabase.recreate("it_fuzz");
        app = new SpringApplicationBuilder(IngestApplication.class).run(
                "--server.port=0",
                "--spring.datasource.url=" + url,
                "--ingest.embedded-db.enabled=false",
                "--ingest.batch.timeout=10ms",
                "--ingest.security.admin-password=fuzz-admin",
                "--ingest.sources.redis.enabled=true",
                "--ingest.sources.redis.queue=" + QUEUE,
                "--ingest.sources.redis.processing-list=" + PROCESSING,
                "--ingest.sources.redis.delayed-set=" + DELAYED,
                "--ingest.sources.redis.dlq=" + DLQ,
                "--ingest.sources.redis.visibility-timeout=300s");
        jdbc = app.getBean(JdbcTemplate.class);
        meters = app.getBean(MeterRegistry.class);
        client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        events = URI.create("http://127.0.0.1:" + app.getEnvironment().getProperty("local.server.port") + "/v1/events");
    }

    @AfterContainer
    static void stop() {
        if (app != null) {
            app.close();
        }
    }

    // No shrinking here: each try leaves its rows and dead letters behind, so a smaller sample of
    // generated ids (shrunk towards zero) would meet the rows of an earlier one.
    @Property(tries = 800, shrinking = ShrinkingMode.OFF)
    void anHttpRequestIsAnswered202OrAJson4xxAndNeverDeadLettered(@ForAll("httpBodies") byte[] body,
                                                                  @ForAll("contentTypes") String contentType) throws Exception {
        List<IngestEvent> expected = expectedEvents(body);
        Assume.that(expected == null || freshEventIds(expected));
        HttpRequest.Builder request = HttpRequest.newBuilder(events).timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (!contentType.isEmpty()) {
            request.header("Content-Type", contentType);
        }
        HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());

        String described = response.statusCode() + " " + response.body();
        Statistics.label("status").collect(response.statusCode());
        assertThat(response.headers().firstValue("Content-Type")).as(described).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/json"));
        JsonNode answer = MutatedMessages.MAPPER.readTree(response.body());
        if (expected == null) {
            assertThat(response.statusCode()).as(described).isEqualTo(400);
            assertThat(answer.path("error").asText()).as(described).isIn("json", "validation", "too_large");
        } else if (response.statusCode() == 400) {
            // valid events, but one of them is over 1 MiB once written on its own
            assertThat(answer.path("error").asText()).as(described).isEqualTo("too_large");
        } else {
            assertThat(response.statusCode()).as(described).isEqualTo(202);
            assertThat(answer.path("accepted").asInt()).isEqualTo(expected.size());
            assertThat(rowsOf(expected)).as("committed before the answer").isEqualTo(keysOf(expected).size());
        }
        assertThat(jdbc.queryForObject("SELECT count(*) FROM dead_letters WHERE source = 'http'", Long.class))
                .as("answered, never dead-lettered").isZero();
    }

    @Property(tries = 400, shrinking = ShrinkingMode.OFF)
    void aBrokerMessageEndsInItsRowsACountedDuplicateOrOneDeadLetter(@ForAll("brokerMessages") byte[] message,
                                                                    @ForAll boolean sentTwice) {
        // As the dead_letters table shows a body (bytes that are not UTF-8 decoded with replacement
        // characters, NUL replaced; the exact bytes in x-payload-base64).
        String text = new String(message, StandardCharsets.UTF_8).replace('\u0000', '\uFFFD');
        // Each body once: a dead letter's identity may be its body's hash (issue 13), which would make two
        // equal invalid bodies one message. Only a valid message is sent again, to be a counted duplicate.
        Assume.that(sentBodies.add(text));
        IngestEvent expected = expectedEvent(message);
        Assume.that(expected == null || freshEventIds(List.of(expected)));
        boolean twice = sentTwice && expected != null;
        long deadBefore = deadLetters(text, message);
        Statistics.label("outcome").collect(expected != null ? (twice ? "rows, then a duplicate" : "rows") : "dead letter");
        // The second copy goes once the first has ended: repeats inside one batch are the de-duplication's own tests.
        for (int copy = 1; copy <= (twice ? 2 : 1); copy++) {
            double duplicatesBefore = redisEvents("duplicate");
            try (Jedis jedis = redis()) {
                jedis.lpush(QUEUE.getBytes(StandardCharsets.UTF_8), message);
            }
            if (expected != null) {
                await().atMost(SETTLED).pollInterval(Duration.ofMillis(5))
                        .until(() -> rowsOf(List.of(expected)) == keysOf(List.of(expected)).size());
                if (copy == 2) {
                    await().atMost(SETTLED).pollInterval(Duration.ofMillis(5))
                            .until(() -> redisEvents("duplicate") - duplicatesBefore == 1);
                }
            } else {
                invalidBrokerMessages++;
                long copies = copy;
                await().atMost(SETTLED).pollInterval(Duration.ofMillis(5)).until(() -> deadLetters(text, message) - deadBefore == copies);
            }
            await().atMost(SETTLED).pollInterval(Duration.ofMillis(5)).until(() -> inFlight() == 0);
        }
        assertThat(deadLetters(text, message) - deadBefore).as("dead letters of this message").isEqualTo(expected == null ? 1 : 0);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM dead_letters WHERE source = 'redis'", Long.class))
                .as("one dead letter per invalid message, all told").isEqualTo(invalidBrokerMessages);
    }

    @Provide
    Arbitrary<byte[]> httpBodies() {
        return MutatedMessages.httpBodies();
    }

    /** Any bytes, text or not: a Redis body that is not UTF-8 is dead-lettered once, like any other. */
    @Provide
    Arbitrary<byte[]> brokerMessages() {
        return MutatedMessages.messages();
    }

    /** JSON, curl's default form type, none at all, and other types a client may send by mistake. */
    @Provide
    Arbitrary<String> contentTypes() {
        return Arbitraries.of("application/json", "application/json; charset=utf-8", "application/x-www-form-urlencoded",
                "text/plain", "", "application/octet-stream", "text/html", "multipart/form-data; boundary=x");
    }

    /** The events the contract accepts in this body, or null when it must be refused. */
    List<IngestEvent> expectedEvents(byte[] body) {
        try {
            return parser.parseMany(body, 10_000);
        } catch (InvalidMessageException e) {
            return null;
        }
    }

    IngestEvent expectedEvent(byte[] message) {
        try {
            return parser.parse(message);
        } catch (InvalidMessageException e) {
            return null;
        }
    }

    /**
     * Whether the events' ids were never sent before (and differ from each other). A mutation may give
     * many events the same event_id ("", "x"): by CONTRACT §1 those are one row key, so the later ones
     * are duplicates, not a fault; such samples are left out.
     */
    static boolean freshEventIds(List<IngestEvent> events) {
        Set<String> ids = new HashSet<>();
        for (IngestEvent e : events) {
            if (e.eventId() != null && (usedEventIds.contains(e.eventId()) || !ids.add(e.eventId()))) {
                return false;
            }
        }
        usedEventIds.addAll(ids);
        return true;
    }

    static Set<List<Object>> keysOf(List<IngestEvent> events) {
        Set<List<Object>> keys = new HashSet<>();
        for (IngestEvent e : events) {
            for (IngestEvent.Metric m : e.metrics()) {
                keys.add(List.of(e.sourceTimestamp(), e.deviceId(), m.parameterKey()));
            }
        }
        return keys;
    }

    /** How many of the events' row keys are in ingest_events. */
    static long rowsOf(List<IngestEvent> events) {
        long found = 0;
        for (List<Object> key : keysOf(events)) {
            // OffsetDateTime, not java.sql.Timestamp: that one turns years before 1583 into the Julian calendar
            found += jdbc.queryForObject("SELECT count(*) FROM ingest_events WHERE time = ? AND device_id = ? AND parameter_key = ?",
                    Long.class, ((Instant) key.get(0)).atOffset(ZoneOffset.UTC), key.get(1), key.get(2));
        }
        return found;
    }

    /**
     * Dead letters of this message: by its body as the table shows it, or, for a too_large one (the table keeps
     * a prefix, issue 16), by the SHA-256 of the whole body in its headers.
     */
    static long deadLetters(String payload, byte[] message) {
        String sha256 = HexFormat.of().formatHex(sha256().digest(message));
        return jdbc.queryForObject("SELECT count(*) FROM dead_letters WHERE source = 'redis' AND (payload = ? OR"
                + " headers ->> 'x-payload-sha256' = ?)", Long.class, payload, sha256);
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static double redisEvents(String status) {
        Counter counter = meters.find("ingest.events").tags("source", "redis", "status", status).counter();
        return counter == null ? 0 : counter.count();
    }

    static long inFlight() {
        try (Jedis jedis = redis()) {
            return jedis.llen(QUEUE) + jedis.llen(PROCESSING) + jedis.zcard(DELAYED);
        }
    }

    static Jedis redis() {
        return new Jedis("127.0.0.1", 6379);
    }
}
