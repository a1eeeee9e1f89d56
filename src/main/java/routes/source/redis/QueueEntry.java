package routes.source.redis;

/**
 * One entry of the Redis list queue as our scripts write it: {@code ir1|<takenAt>|<deliveries>|<payload>}.
 * Producers push the raw JSON; an entry gets this form when it is taken into the processing list (with
 * the Redis time it was taken) and keeps it when it is put back for a retry or after a crash, so the
 * delivery count travels with the message. A raw entry has had 0 deliveries. JSON never starts with
 * {@code i}, so a raw producer message cannot be mistaken for this form.
 *
 * @param raw        the entry exactly as it sits in Redis (needed to LREM it)
 * @param takenAt    Redis time (epoch millis) it was taken into the processing list; 0 when waiting
 * @param deliveries deliveries made before this one
 * @param payload    the producer's original message, unchanged
 */
public record QueueEntry(String raw, long takenAt, int deliveries, String payload) {

    public static final String PREFIX = "ir1|";

    /** Parses an entry; anything not in our form is a raw producer message with 0 deliveries. */
    public static QueueEntry parse(String raw) {
        if (raw.startsWith(PREFIX)) {
            int second = raw.indexOf('|', PREFIX.length());
            int third = second < 0 ? -1 : raw.indexOf('|', second + 1);
            if (third > 0) {
                try {
                    long takenAt = Long.parseLong(raw, PREFIX.length(), second, 10);
                    int deliveries = Integer.parseInt(raw, second + 1, third, 10);
                    return new QueueEntry(raw, takenAt, deliveries, raw.substring(third + 1));
                } catch (NumberFormatException e) {
                    // not ours after all: fall through to a raw message
                }
            }
        }
        return new QueueEntry(raw, 0, 0, raw);
    }

    /** The form put back into the queue after this delivery: one more delivery, not taken. */
    public static String requeued(int deliveries, String payload) {
        return PREFIX + "0|" + deliveries + "|" + payload;
    }
}
