package routes.source.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.nats.client.impl.Headers;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import routes.deadletter.DeadLetterHeaders;

/** NATS-safe header values and dead-letter headers that fit max_payload; no NATS needed. */
class NatsDeadLetterHeadersTest {

    private static final long MAX_PAYLOAD = 1024 * 1024;

    @Test
    void printableAsciiTravelsAsItIsAndAnythingElseAsAnEncodedWordThatDecodesBackExactly() {
        assertThat(NatsHeaderValue.encode("$.device_id must be a UUID")).isEqualTo("$.device_id must be a UUID");
        for (String value : new String[] {"Gerät abgelehnt …", "line one\nline two\r\n\ttab", "trace-ü", "=?UTF-8?B?x?="}) {
            String encoded = NatsHeaderValue.encode(value);
            assertThat(encoded).startsWith("=?UTF-8?B?").endsWith("?=").matches("[\\x20-\\x7e]*");
            assertThat(NatsHeaderValue.decode(encoded)).isEqualTo(value);
            assertThatCode(() -> new Headers().put("x-error-message", encoded)).doesNotThrowAnyException();
        }
    }

    @Test
    void headersThatFitAreAllKept() {
        Headers fitted = NatsDeadLetterHeaders.fit(new byte[100], headers("short error …"), MAX_PAYLOAD, "DLQ");
        assertThat(fitted.keySet()).containsExactlyInAnyOrderElementsOf(headers("x").keySet());
        assertThat(fitted.containsKey(NatsDeadLetterHeaders.TRUNCATED)).isFalse();
        assertThat(NatsHeaderValue.decode(fitted.getFirst(DeadLetterHeaders.ERROR_MESSAGE))).isEqualTo("short error …");
    }

    @Test
    void nearMaxPayloadTheErrorMessageIsShortenedFirstAndTheBodyNeverCut() {
        String error = "e".repeat(2000);
        Headers all = NatsHeaderValue.headers(headers(error));
        byte[] body = new byte[(int) (MAX_PAYLOAD - all.serializedLength() + 1000)];
        Headers fitted = NatsDeadLetterHeaders.fit(body, headers(error), MAX_PAYLOAD, "DLQ");
        assertThat(fitted.getFirst(NatsDeadLetterHeaders.TRUNCATED)).isEqualTo("true");
        assertThat(fitted.getFirst(DeadLetterHeaders.ERROR_MESSAGE)).startsWith("eee").endsWith("...").hasSizeLessThan(2000);
        assertThat(fitted.getFirst(DeadLetterHeaders.DEAD_LETTER_ID)).isEqualTo("nats:abc");
        assertThat(sent(fitted, body)).isLessThanOrEqualTo(MAX_PAYLOAD);
    }

    @Test
    void whenEvenNoErrorMessageFitsTheLeastNeededHeadersGoFirst() {
        byte[] body = new byte[(int) MAX_PAYLOAD - 90];
        Headers fitted = NatsDeadLetterHeaders.fit(body, headers("boom"), MAX_PAYLOAD, "DLQ");
        assertThat(fitted.containsKey(DeadLetterHeaders.ERROR_MESSAGE)).isFalse();
        assertThat(fitted.containsKey(DeadLetterHeaders.TRACE_ID)).isFalse();
        assertThat(sent(fitted, body)).isLessThanOrEqualTo(MAX_PAYLOAD);
        assertThat(NatsDeadLetterHeaders.fit(new byte[(int) MAX_PAYLOAD], headers("boom"), MAX_PAYLOAD, "DLQ")).isNull();
    }

    private static long sent(Headers fitted, byte[] body) {
        Headers withStream = new Headers(fitted);
        withStream.put(NatsDeadLetterHeaders.EXPECTED_STREAM, "DLQ");
        return withStream.serializedLength() + (long) body.length;
    }

    private static Map<String, String> headers(String errorMessage) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put(DeadLetterHeaders.ERROR_TYPE, "json");
        h.put(DeadLetterHeaders.ERROR_MESSAGE, errorMessage);
        h.put(DeadLetterHeaders.ATTEMPTS, "1");
        h.put(DeadLetterHeaders.SOURCE, "nats");
        h.put(DeadLetterHeaders.FAILED_AT, "2026-12-05T01:00:00Z");
        h.put(DeadLetterHeaders.DEAD_LETTER_ID, "nats:abc");
        h.put(DeadLetterHeaders.TRACE_ID, "trace-ü");
        return h;
    }
}
