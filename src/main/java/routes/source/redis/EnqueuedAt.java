package routes.source.redis;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import routes.pipeline.validate.EventParser;

/**
 * Reads the optional producer enqueue time of a Redis message: a top-level {@code "enqueued_at"} field
 * holding epoch milliseconds, e.g. {@code {"enqueued_at": 1763892930250, "device_id": ...}}. A Redis
 * list keeps no timestamp of its own; the validator ignores unknown fields, so this stays within the
 * message contract. A plain scan of the bytes: the consumer neither decodes nor parses the message.
 */
final class EnqueuedAt {

    private static final byte[] FIELD = "\"enqueued_at\"".getBytes(StandardCharsets.US_ASCII);
    private static final long QUOTES = ByteWords.repeated('"');

    private EnqueuedAt() {
    }

    /** The enqueue time in epoch millis, or null when the message carries none (or not as a number). */
    static Long of(byte[] payload) {
        if (payload.length > EventParser.MAX_MESSAGE_BYTES) {
            return null; // too_large, dead-lettered unread: not worth a scan of over a mebibyte
        }
        int at = indexOf(payload, FIELD);
        if (at < 0) {
            return null;
        }
        int i = at + FIELD.length;
        while (i < payload.length && (payload[i] == ' ' || payload[i] == ':')) {
            i++;
        }
        long value = 0;
        int start = i;
        while (i < payload.length && payload[i] >= '0' && payload[i] <= '9' && i - start < 15) {
            value = value * 10 + (payload[i] - '0');
            i++;
        }
        return i == start ? null : value;
    }

    static Long of(String payload) {
        return of(payload.getBytes(StandardCharsets.UTF_8));
    }

    /** The first {@code pattern} (which starts with a quote) in {@code data}, skipping words without a quote. */
    private static int indexOf(byte[] data, byte[] pattern) {
        int last = data.length - pattern.length;
        int i = 0;
        while (i <= last) {
            if (i + ByteWords.SIZE <= data.length && !ByteWords.hasByte(ByteWords.at(data, i), QUOTES)) {
                i += ByteWords.SIZE;
                continue;
            }
            if (data[i] == '"' && Arrays.equals(data, i, i + pattern.length, pattern, 0, pattern.length)) {
                return i;
            }
            i++;
        }
        return -1;
    }
}
