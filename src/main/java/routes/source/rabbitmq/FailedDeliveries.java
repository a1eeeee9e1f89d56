package routes.source.rabbitmq;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import routes.pipeline.Sha256;

/**
 * How many deliveries of a message failed here, for the queue types that cannot say: a classic queue
 * only flags a redelivery, so the broker's count stops at one and a message failing outside the commit
 * would never use up its attempt budget. Keyed by the SHA-256 of the body (the one identity every
 * message has; identical bodies are the same message to the pipeline). Bounded, per instance, in
 * memory: the oldest entries go first, and a restart or another instance starts counting anew (at most
 * {@code max-attempts} more attempts each, never fewer than the broker's own count). docs/sources/rabbitmq.md.
 */
final class FailedDeliveries {

    private final Map<String, Integer> failures;

    FailedDeliveries(int capacity) {
        this.failures = new LinkedHashMap<>(Math.min(capacity, 1024), 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Integer> eldest) {
                return size() > capacity;
            }
        };
    }

    /** Failed deliveries of the message remembered here (0 if none). */
    synchronized int count(String key) {
        return failures.getOrDefault(key, 0);
    }

    /**
     * One more delivery failed, after {@code atLeast} failed before by any account (the broker's, this
     * memory's); returns the failures counted now.
     */
    synchronized int failed(String key, int atLeast) {
        int count = Math.max(atLeast, failures.getOrDefault(key, 0)) + 1;
        failures.remove(key); // re-inserted as the newest
        failures.put(key, count);
        return count;
    }

    /** The message is settled for good (committed or dead-lettered). */
    synchronized void forget(String key) {
        failures.remove(key);
    }

    /** Messages with failures remembered. */
    synchronized int size() {
        return failures.size();
    }

    /** The key of a message body: its SHA-256, base64. */
    static String keyOf(Object body) {
        byte[] bytes = body instanceof byte[] b ? b
                : String.valueOf(body).getBytes(StandardCharsets.UTF_8);
        return Base64.getEncoder().withoutPadding().encodeToString(Sha256.of(bytes));
    }
}
