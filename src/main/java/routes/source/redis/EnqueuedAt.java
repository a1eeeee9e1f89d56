package routes.source.redis;

/**
 * Reads the optional producer enqueue time of a Redis message: a top-level {@code "enqueued_at"} field
 * holding epoch milliseconds, e.g. {@code {"enqueued_at": 1763892930250, "device_id": ...}}. A Redis
 * list keeps no timestamp of its own; the validator ignores unknown fields, so this stays within the
 * message contract. A plain text scan: the consumer does not parse the JSON a second time.
 */
final class EnqueuedAt {

    private static final String FIELD = "\"enqueued_at\"";

    private EnqueuedAt() {
    }

    /** The enqueue time in epoch millis, or null when the message carries none (or not as a number). */
    static Long of(String payload) {
        int at = payload.indexOf(FIELD);
        if (at < 0) {
            return null;
        }
        int i = at + FIELD.length();
        while (i < payload.length() && (payload.charAt(i) == ' ' || payload.charAt(i) == ':')) {
            i++;
        }
        int start = i;
        while (i < payload.length() && Character.isDigit(payload.charAt(i)) && i - start < 15) {
            i++;
        }
        if (i == start) {
            return null;
        }
        return Long.parseLong(payload, start, i, 10);
    }
}
