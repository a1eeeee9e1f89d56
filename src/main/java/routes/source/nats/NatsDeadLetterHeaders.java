package routes.source.nats;

import io.nats.client.impl.Headers;
import java.util.List;
import java.util.Map;
import routes.deadletter.DeadLetterHeaders;

/**
 * The headers of a dead letter's copy in the NATS DLQ stream, made to fit: NATS refuses a message whose
 * headers and body together exceed the server's {@code max_payload} (1 MiB by default), and a message
 * just under it arrives fine but cannot be dead-lettered with its headers on top. The body is never cut
 * (it is the original); the headers give way instead: first {@code x-error-message} is shortened (or
 * left out), then the others are left out in the order of {@link #DROP_ORDER}, and
 * {@value #TRUNCATED}{@code : true} says so when it fits. The {@code dead_letters} row keeps them all.
 * Values are made NATS-safe by {@link NatsHeaderValue}.
 */
final class NatsDeadLetterHeaders {

    /** Added to a copy whose headers were shortened or left out to fit {@code max_payload}. */
    static final String TRUNCATED = "x-headers-truncated";
    /** What JetStream adds for the {@code expectedStream} publish option; counts towards max_payload. */
    static final String EXPECTED_STREAM = "Nats-Expected-Stream";
    /** Left out first to last when shortening the error message was not enough. */
    static final List<String> DROP_ORDER = List.of(DeadLetterHeaders.TRACE_ID, DeadLetterHeaders.FAILED_AT,
            DeadLetterHeaders.ATTEMPTS, DeadLetterHeaders.SOURCE, DeadLetterHeaders.ERROR_TYPE, TRUNCATED,
            DeadLetterHeaders.DEAD_LETTER_ID);
    /** ASCII, so that a shortened ASCII message stays unencoded. */
    private static final String ELLIPSIS = "...";

    private NatsDeadLetterHeaders() {
    }

    /**
     * All of {@code headers} when they fit with the body within {@code maxPayload}, else as many as fit
     * (see the class); null when not even the body fits alone (then no copy can be published).
     */
    static Headers fit(byte[] body, Map<String, String> headers, long maxPayload, String stream) {
        Headers all = NatsHeaderValue.headers(headers);
        if (fits(all, body, maxPayload, stream)) {
            return all;
        }
        Headers cut = NatsHeaderValue.headers(headers);
        cut.remove(DeadLetterHeaders.ERROR_MESSAGE);
        cut.put(TRUNCATED, "true");
        String message = headers.get(DeadLetterHeaders.ERROR_MESSAGE);
        if (message != null) {
            String shortened = longestFitting(message, cut, body, maxPayload, stream);
            if (shortened != null) {
                cut.put(DeadLetterHeaders.ERROR_MESSAGE, shortened);
                return cut;
            }
        }
        for (String name : DROP_ORDER) {
            if (fits(cut, body, maxPayload, stream)) {
                return cut;
            }
            cut.remove(name);
        }
        return fits(cut, body, maxPayload, stream) ? cut : null;
    }

    /** The longest prefix of {@code message} (marked with …) that fits beside {@code others}; null if none does. */
    private static String longestFitting(String message, Headers others, byte[] body, long maxPayload, String stream) {
        int low = 0;
        int high = message.length();
        String best = null;
        while (low <= high) {
            int n = (low + high) >>> 1;
            String candidate = NatsHeaderValue.encode(message.substring(0, n) + ELLIPSIS);
            Headers trial = new Headers(others);
            trial.put(DeadLetterHeaders.ERROR_MESSAGE, candidate);
            if (fits(trial, body, maxPayload, stream)) {
                best = candidate;
                low = n + 1;
            } else {
                high = n - 1;
            }
        }
        return best;
    }

    private static boolean fits(Headers headers, byte[] body, long maxPayload, String stream) {
        Headers sent = new Headers(headers);
        sent.put(EXPECTED_STREAM, stream);
        return maxPayload <= 0 || (long) sent.serializedLength() + body.length <= maxPayload;
    }
}
