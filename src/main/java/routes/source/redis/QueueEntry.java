package routes.source.redis;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One entry of the Redis list queue as our scripts write it: {@code ir1|<takenAt>|<deliveries>|<payload>}.
 * Producers push the raw JSON; an entry gets this form when it is taken into the processing list (with
 * the Redis time it was taken) and keeps it when it is put back for a retry or after a crash, so the
 * delivery count travels with the message. A raw entry has had 0 deliveries. JSON never starts with
 * {@code i}, so a raw producer message cannot be mistaken for this form. Entries are bytes, never
 * decoded: the acknowledgement removes the exact entry (LREM), and a payload that is not UTF-8 stays
 * the producer's bytes all the way to its dead letter.
 *
 * @param raw        the entry exactly as it sits in Redis (needed to LREM it)
 * @param takenAt    Redis time (epoch millis) it was taken into the processing list; 0 when waiting
 * @param deliveries deliveries made before this one
 * @param payload    the producer's original message, unchanged
 */
public record QueueEntry(byte[] raw, long takenAt, int deliveries, byte[] payload) {

    public static final String PREFIX = "ir1|";
    private static final byte[] PREFIX_BYTES = PREFIX.getBytes(StandardCharsets.US_ASCII);

    /** Parses an entry; anything not in our form is a raw producer message with 0 deliveries. */
    public static QueueEntry parse(byte[] raw) {
        if (startsWithPrefix(raw)) {
            int second = indexOfBar(raw, PREFIX_BYTES.length);
            int third = second < 0 ? -1 : indexOfBar(raw, second + 1);
            if (third > 0) {
                try {
                    long takenAt = Long.parseLong(ascii(raw, PREFIX_BYTES.length, second));
                    int deliveries = Integer.parseInt(ascii(raw, second + 1, third));
                    return new QueueEntry(raw, takenAt, deliveries, Arrays.copyOfRange(raw, third + 1, raw.length));
                } catch (NumberFormatException e) {
                    // not ours after all: fall through to a raw message
                }
            }
        }
        return new QueueEntry(raw, 0, 0, raw);
    }

    /** The form put back into the queue after this delivery: one more delivery, not taken. */
    public static byte[] requeued(int deliveries, byte[] payload) {
        byte[] head = (PREFIX + "0|" + deliveries + "|").getBytes(StandardCharsets.US_ASCII);
        byte[] entry = Arrays.copyOf(head, head.length + payload.length);
        System.arraycopy(payload, 0, entry, head.length, payload.length);
        return entry;
    }

    private static boolean startsWithPrefix(byte[] raw) {
        return raw.length >= PREFIX_BYTES.length
                && Arrays.equals(raw, 0, PREFIX_BYTES.length, PREFIX_BYTES, 0, PREFIX_BYTES.length);
    }

    private static int indexOfBar(byte[] raw, int from) {
        for (int i = from; i < raw.length; i++) {
            if (raw[i] == '|') {
                return i;
            }
        }
        return -1;
    }

    /** Digits only (Long.parseLong refuses anything else), so ISO-8859-1 decodes them byte for byte. */
    private static String ascii(byte[] raw, int from, int to) {
        return new String(raw, from, to - from, StandardCharsets.ISO_8859_1);
    }
}
