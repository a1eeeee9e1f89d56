package routes.pipeline.validate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EventParserTest {

    static final String DEVICE = "0b6f4c2e-6a39-4a8e-9d0f-3c1f5a7e2b11";
    final EventParser parser = new EventParser(new ObjectMapper());

    static String event(String metrics) {
        return "{\"event_id\":\"e-42\",\"device_id\":\"" + DEVICE + "\",\"protocol\":\"modbus\","
                + "\"source_timestamp\":\"2026-11-22T10:15:30.250Z\",\"metrics\":" + metrics + "}";
    }

    IngestEvent parse(String json) {
        return parser.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    InvalidMessageException invalid(String json) {
        try {
            parse(json);
        } catch (InvalidMessageException e) {
            return e;
        }
        throw new AssertionError("accepted: " + json);
    }

    @Test
    void anInvalidMessageWhoseErrorQuotesANulByteHasAStorableErrorMessage() {
        // Jackson quotes the broken token, NUL included; error_message is text, which refuses NUL (found by
        // EventParserFuzzTest with the body "nul\0").
        byte[] body = "nul\u0000".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> parser.parse(body))
                .isInstanceOfSatisfying(InvalidMessageException.class, e -> {
                    assertThat(e.errorType()).isEqualTo("json");
                    assertThat(StorableText.problem(e.getMessage())).as(e.getMessage()).isNull();
                    assertThat(e.getMessage()).contains("\\u0000");
                });
    }

    @Test
    void parsesTheContractExample() {
        IngestEvent e = parse(event("[{\"parameter_key\":\"voltage\",\"value\":229.7,\"quality\":192,"
                + "\"attributes\":{\"unit\":\"V\"}}]"));
        assertThat(e.eventId()).isEqualTo("e-42");
        assertThat(e.deviceId()).hasToString(DEVICE);
        assertThat(e.protocol()).isEqualTo("modbus");
        assertThat(e.sourceTimestamp()).isEqualTo(Instant.parse("2026-11-22T10:15:30.250Z"));
        assertThat(e.metrics()).containsExactly(new IngestEvent.Metric("voltage", 229.7, (short) 192, "{\"unit\":\"V\"}"));
        assertThat(e.messageKey()).isEqualTo("e-42:voltage");
    }

    @Test
    void parsesTheEnvelopeAndCarriesItsTraceId() {
        IngestEvent e = parse("{\"trace_id\":\"t-1\",\"event\":" + event("[{\"parameter_key\":\"v\",\"value\":1}]") + "}");
        assertThat(e.traceId()).isEqualTo("t-1");
        assertThat(e.metrics()).hasSize(1);
    }

    @Test
    void keyWithoutEventIdIsDeviceAndTimestamp() {
        IngestEvent e = parse("{\"device_id\":\"" + DEVICE + "\",\"source_timestamp\":\"2026-11-22T11:15:30.25+01:00\","
                + "\"metrics\":[{\"parameter_key\":\"v\",\"value\":1}],\"unknown\":{\"ignored\":true}}");
        assertThat(e.messageKey()).isEqualTo(DEVICE + ":2026-11-22T11:15:30.25+01:00:v");
        assertThat(e.sourceTimestamp()).isEqualTo(Instant.parse("2026-11-22T10:15:30.250Z"));
    }

    @Test
    void truncatesTimestampsToPostgresMicroseconds() {
        IngestEvent e = parse("{\"device_id\":\"" + DEVICE + "\",\"source_timestamp\":\"2026-11-22T10:15:30.123456789Z\","
                + "\"metrics\":[{\"parameter_key\":\"v\",\"value\":1}]}");
        assertThat(e.sourceTimestamp()).isEqualTo(Instant.parse("2026-11-22T10:15:30.123456Z"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "device_id missing          | {\"source_timestamp\":\"2026-11-22T10:15:30Z\",\"metrics\":[{\"parameter_key\":\"v\",\"value\":1}]} | device_id",
        "device_id not a UUID       | {\"device_id\":\"1-1-1-1-1\",\"source_timestamp\":\"2026-11-22T10:15:30Z\",\"metrics\":[{\"parameter_key\":\"v\",\"value\":1}]} | device_id",
        "timestamp missing          | {\"device_id\":\"" + DEVICE + "\",\"metrics\":[{\"parameter_key\":\"v\",\"value\":1}]} | source_timestamp",
        "timestamp without offset   | {\"device_id\":\"" + DEVICE + "\",\"source_timestamp\":\"2026-11-22T10:15:30\",\"metrics\":[{\"parameter_key\":\"v\",\"value\":1}]} | source_timestamp",
        "timestamp a number         | {\"device_id\":\"" + DEVICE + "\",\"source_timestamp\":1700000000,\"metrics\":[{\"parameter_key\":\"v\",\"value\":1}]} | source_timestamp",
        "metrics missing            | {\"device_id\":\"" + DEVICE + "\",\"source_timestamp\":\"2026-11-22T10:15:30Z\"} | metrics",
        "metrics empty              | {\"device_id\":\"" + DEVICE + "\",\"source_timestamp\":\"2026-11-22T10:15:30Z\",\"metrics\":[]} | metrics",
        "parameter_key missing      | {\"device_id\":\"" + DEVICE + "\",\"source_timestamp\":\"2026-11-22T10:15:30Z\",\"metrics\":[{\"value\":1}]} | metrics[0].parameter_key",
        "parameter_key empty        | {\"device_id\":\"" + DEVICE + "\",\"source_timestamp\":\"2026-11-22T10:15:30Z\",\"metrics\":[{\"parameter_key\":\"\",\"value\":1}]} | metrics[0].parameter_key",
        "value missing              | {\"device_id\":\"" + DEVICE + "\",\"source_timestamp\":\"2026-11-22T10:15:30Z\",\"metrics\":[{\"parameter_key\":\"v\"}]} | metrics[0].value",
        "value a string             | {\"device_id\":\"" + DEVICE + "\",\"source_timestamp\":\"2026-11-22T10:15:30Z\",\"metrics\":[{\"parameter_key\":\"v\",\"value\":\"1\"}]} | metrics[0].value",
        "value not finite           | {\"device_id\":\"" + DEVICE + "\",\"source_timestamp\":\"2026-11-22T10:15:30Z\",\"metrics\":[{\"parameter_key\":\"v\",\"value\":1e999}]} | metrics[0].value",
        "quality over 255           | {\"device_id\":\"" + DEVICE + "\",\"source_timestamp\":\"2026-11-22T10:15:30Z\",\"metrics\":[{\"parameter_key\":\"v\",\"value\":1,\"quality\":256}]} | metrics[0].quality",
        "quality not an integer     | {\"device_id\":\"" + DEVICE + "\",\"source_timestamp\":\"2026-11-22T10:15:30Z\",\"metrics\":[{\"parameter_key\":\"v\",\"value\":1,\"quality\":1.5}]} | metrics[0].quality",
        "attributes not an object   | {\"device_id\":\"" + DEVICE + "\",\"source_timestamp\":\"2026-11-22T10:15:30Z\",\"metrics\":[{\"parameter_key\":\"v\",\"value\":1,\"attributes\":[1]}]} | metrics[0].attributes",
        "protocol not a string      | {\"device_id\":\"" + DEVICE + "\",\"protocol\":7,\"source_timestamp\":\"2026-11-22T10:15:30Z\",\"metrics\":[{\"parameter_key\":\"v\",\"value\":1}]} | protocol",
        "an array, not an object    | [1,2] | $",
        "envelope event not object  | {\"trace_id\":\"t\",\"event\":3} | event",
    })
    void namesTheFieldThatBroke(String rule, String json, String field) {
        InvalidMessageException e = invalid(json);
        assertThat(e.errorType()).isEqualTo("validation");
        assertThat(e.errors()).extracting(InvalidMessageException.FieldError::field).contains(field);
        assertThat(e.getMessage()).contains(field);
    }

    @Test
    void rejectsLongTextFields() {
        String key = "k".repeat(129);
        assertThat(invalid(event("[{\"parameter_key\":\"" + key + "\",\"value\":1}]")).errors())
                .extracting(InvalidMessageException.FieldError::field).containsExactly("metrics[0].parameter_key");
        String ok = "k".repeat(128);
        assertThat(parse(event("[{\"parameter_key\":\"" + ok + "\",\"value\":1}]")).metrics()).hasSize(1);
        String eventId = "e".repeat(201);
        assertThat(invalid(event("[{\"parameter_key\":\"v\",\"value\":1}]").replace("e-42", eventId)).errors())
                .extracting(InvalidMessageException.FieldError::field).containsExactly("event_id");
        String protocol = "p".repeat(65);
        assertThat(invalid(event("[{\"parameter_key\":\"v\",\"value\":1}]").replace("modbus", protocol)).errors())
                .extracting(InvalidMessageException.FieldError::field).containsExactly("protocol");
    }

    @Test
    void rejectsMoreThanAThousandMetrics() {
        String one = "{\"parameter_key\":\"v\",\"value\":1}";
        String thousand = "[" + String.join(",", java.util.Collections.nCopies(1000, one)) + "]";
        assertThat(parse(event(thousand)).metrics()).hasSize(1000);
        String tooMany = "[" + String.join(",", java.util.Collections.nCopies(1001, one)) + "]";
        assertThat(invalid(event(tooMany)).errors()).extracting(InvalidMessageException.FieldError::field)
                .containsExactly("metrics");
    }

    @Test
    void notJsonIsAJsonError() {
        assertThat(invalid("{not json").errorType()).isEqualTo("json");
        assertThat(invalid("").errorType()).isEqualTo("json");
        assertThat(invalid("{\"value\": NaN}").errorType()).isEqualTo("json");
    }

    @Test
    void overOneMebibyteIsTooLarge() {
        byte[] big = new byte[EventParser.MAX_MESSAGE_BYTES + 1];
        java.util.Arrays.fill(big, (byte) ' ');
        assertThatThrownBy(() -> parser.parse(big)).isInstanceOfSatisfying(InvalidMessageException.class,
                e -> assertThat(e.errorType()).isEqualTo("too_large"));
    }

    @Test
    void reportsEveryBrokenFieldOfAnArrayWithItsIndex() {
        String good = event("[{\"parameter_key\":\"v\",\"value\":1}]");
        String bad = event("[{\"parameter_key\":\"v\",\"value\":\"x\"}]");
        InvalidMessageException e = null;
        try {
            parser.parseMany(("[" + good + "," + bad + "]").getBytes(StandardCharsets.UTF_8), 100);
        } catch (InvalidMessageException ex) {
            e = ex;
        }
        assertThat(e).isNotNull();
        assertThat(e.errors()).extracting(InvalidMessageException.FieldError::field).containsExactly("[1].metrics[0].value");
        assertThat(parser.parseMany(("[" + good + "," + good + "]").getBytes(StandardCharsets.UTF_8), 100)).hasSize(2);
    }

    // Strings PostgreSQL cannot store as given, and instants outside its date range (CONTRACT §1):
    // refused up front as validation errors naming the field, never left to fail in the database.

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "NUL in parameter_key         | {\"device_id\":\"" + DEVICE + "\",\"source_timestamp\":\"2026-11-22T10:15:30Z\",\"metrics\":[{\"parameter_key\":\"a\\u0000b\",\"value\":1}]} | metrics[0].parameter_key",
        "NUL in event_id              | {\"event_id\":\"\\u0000\",\"device_id\":\"" + DEVICE + "\",\"source_timestamp\":\"2026-11-22T10:15:30Z\",\"metrics\":[{\"parameter_key\":\"k\",\"value\":1}]} | event_id",
        "NUL in protocol              | {\"protocol\":\"mod\\u0000bus\",\"device_id\":\"" + DEVICE + "\",\"source_timestamp\":\"2026-11-22T10:15:30Z\",\"metrics\":[{\"parameter_key\":\"k\",\"value\":1}]} | protocol",
        "NUL in trace_id              | {\"trace_id\":\"t\\u0000\",\"device_id\":\"" + DEVICE + "\",\"source_timestamp\":\"2026-11-22T10:15:30Z\",\"metrics\":[{\"parameter_key\":\"k\",\"value\":1}]} | trace_id",
        "NUL in an attribute value    | {\"device_id\":\"" + DEVICE + "\",\"source_timestamp\":\"2026-11-22T10:15:30Z\",\"metrics\":[{\"parameter_key\":\"k\",\"value\":1,\"attributes\":{\"unit\":\"V\\u0000\"}}]} | metrics[0].attributes.unit",
        "NUL deep in attributes       | {\"device_id\":\"" + DEVICE + "\",\"source_timestamp\":\"2026-11-22T10:15:30Z\",\"metrics\":[{\"parameter_key\":\"k\",\"value\":1,\"attributes\":{\"a\":[1,{\"b\":\"\\u0000\"}]}}]} | metrics[0].attributes.a[1].b",
        "NUL in an attribute name     | {\"device_id\":\"" + DEVICE + "\",\"source_timestamp\":\"2026-11-22T10:15:30Z\",\"metrics\":[{\"parameter_key\":\"k\",\"value\":1,\"attributes\":{\"u\\u0000\":1}}]} | metrics[0].attributes",
        "NUL in an unknown field      | {\"note\":\"\\u0000\",\"device_id\":\"" + DEVICE + "\",\"source_timestamp\":\"2026-11-22T10:15:30Z\",\"metrics\":[{\"parameter_key\":\"k\",\"value\":1}]} | note",
        "NUL in an envelope trace_id  | {\"trace_id\":\"\\u0000\",\"event\":{\"device_id\":\"" + DEVICE + "\",\"source_timestamp\":\"2026-11-22T10:15:30Z\",\"metrics\":[{\"parameter_key\":\"k\",\"value\":1}]}} | trace_id",
        "lone high surrogate          | {\"device_id\":\"" + DEVICE + "\",\"source_timestamp\":\"2026-11-22T10:15:30Z\",\"metrics\":[{\"parameter_key\":\"a\\ud800\",\"value\":1}]} | metrics[0].parameter_key",
        "lone low surrogate           | {\"device_id\":\"" + DEVICE + "\",\"source_timestamp\":\"2026-11-22T10:15:30Z\",\"metrics\":[{\"parameter_key\":\"k\",\"value\":1,\"attributes\":{\"u\":\"\\udc00x\"}}]} | metrics[0].attributes.u",
        "surrogates reversed          | {\"event_id\":\"\\ude00\\ud83d\",\"device_id\":\"" + DEVICE + "\",\"source_timestamp\":\"2026-11-22T10:15:30Z\",\"metrics\":[{\"parameter_key\":\"k\",\"value\":1}]} | event_id",
        "year 0000                    | {\"device_id\":\"" + DEVICE + "\",\"source_timestamp\":\"0000-06-01T00:00:00Z\",\"metrics\":[{\"parameter_key\":\"k\",\"value\":1}]} | source_timestamp",
        "year 10000                   | {\"device_id\":\"" + DEVICE + "\",\"source_timestamp\":\"+10000-01-01T00:00:00Z\",\"metrics\":[{\"parameter_key\":\"k\",\"value\":1}]} | source_timestamp",
        "year 10000 once in UTC       | {\"device_id\":\"" + DEVICE + "\",\"source_timestamp\":\"9999-12-31T23:30:00-01:00\",\"metrics\":[{\"parameter_key\":\"k\",\"value\":1}]} | source_timestamp",
        "year 0000 once in UTC        | {\"device_id\":\"" + DEVICE + "\",\"source_timestamp\":\"0001-01-01T00:30:00+01:00\",\"metrics\":[{\"parameter_key\":\"k\",\"value\":1}]} | source_timestamp",
    })
    void refusesWhatTheDatabaseCannotStore(String rule, String json, String field) {
        InvalidMessageException e = invalid(json);
        assertThat(e.errorType()).isEqualTo("validation");
        assertThat(e.errors()).extracting(InvalidMessageException.FieldError::field).contains(field);
        assertThat(e.getMessage()).as("the message itself must be storable in dead_letters").doesNotContain("\u0000")
                .matches(m -> StorableText.problem(m) == null);
    }

    @Test
    void acceptsTheEdgesOfWhatTheDatabaseStores() {
        String pair = "{\"event_id\":\"\\ud83d\\ude00\",\"device_id\":\"" + DEVICE + "\",\"source_timestamp\":\"%s\","
                + "\"metrics\":[{\"parameter_key\":\"k\\u0001\",\"value\":1,\"attributes\":{\"u\":\"\\\\u0000\"}}]}";
        IngestEvent first = parse(pair.formatted("0001-01-01T00:00:00Z"));
        assertThat(first.eventId()).isEqualTo("\uD83D\uDE00");
        assertThat(first.metrics().get(0).attributesJson()).contains("\\\\u0000"); // an escaped backslash, not a NUL
        assertThat(parse(pair.formatted("9999-12-31T23:59:59.999999Z")).sourceTimestamp())
                .isEqualTo(Instant.parse("9999-12-31T23:59:59.999999Z"));
        assertThat(parse(pair.formatted("10000-01-01T00:30:00+01:00".replace("10000", "+10000"))).sourceTimestamp())
                .as("year 10000 as written, 9999 in UTC").isEqualTo(Instant.parse("9999-12-31T23:30:00Z"));
    }

    // The envelope rule: {"event": {object}, "trace_id"?} and none of the event's own required fields.

    @Test
    void aPlainEventWithAnUnknownFieldNamedEventIsStillAPlainEvent() {
        IngestEvent withObject = parse("{\"device_id\":\"" + DEVICE + "\",\"source_timestamp\":\"2026-11-22T10:15:30Z\","
                + "\"event\":{\"kind\":\"alarm\"},\"metrics\":[{\"parameter_key\":\"k\",\"value\":1}]}");
        assertThat(withObject.deviceId()).hasToString(DEVICE);
        assertThat(withObject.metrics()).hasSize(1);
        IngestEvent withText = parse("{\"event\":\"alarm\",\"device_id\":\"" + DEVICE + "\","
                + "\"source_timestamp\":\"2026-11-22T10:15:30Z\",\"metrics\":[{\"parameter_key\":\"k\",\"value\":1}]}");
        assertThat(withText.metrics()).hasSize(1);
        // One of the event's own fields is enough to make it an event: its other fields are then required.
        assertThat(invalid("{\"metrics\":[{\"parameter_key\":\"k\",\"value\":1}],\"event\":"
                + event("[{\"parameter_key\":\"v\",\"value\":1}]") + "}").errors())
                .extracting(InvalidMessageException.FieldError::field).containsExactlyInAnyOrder("device_id", "source_timestamp");
    }

    @Test
    void anEnvelopeIsAnEventObjectWithoutTheEventsOwnFields() {
        IngestEvent e = parse("{\"trace_id\":\"t-9\",\"event\":" + event("[{\"parameter_key\":\"v\",\"value\":1}]")
                + ",\"collector\":\"c-1\"}");
        assertThat(e.traceId()).isEqualTo("t-9");
        assertThat(e.eventId()).isEqualTo("e-42");
        assertThat(invalid("{\"event\":{\"device_id\":\"x\"}}").errors()).extracting(InvalidMessageException.FieldError::field)
                .contains("event.device_id", "event.source_timestamp", "event.metrics");
    }
}
