package routes.pipeline.validate;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.TreeSet;
import java.util.UUID;
import routes.pipeline.Sha256;

/**
 * One validated event (CONTRACT §1).
 *
 * @param eventId         optional producer id of the event
 * @param deviceId        the device
 * @param protocol        optional, stored as {@code source}
 * @param sourceTimestamp when the device measured, truncated to microseconds (PostgreSQL's precision)
 * @param rawTimestamp    source_timestamp exactly as sent, for the idempotency keys
 * @param traceId         optional trace id (envelope or event)
 * @param metrics         1 to 1,000 metrics
 */
public record IngestEvent(String eventId, UUID deviceId, String protocol, Instant sourceTimestamp,
                          String rawTimestamp, String traceId, List<Metric> metrics) {

    /**
     * The idempotency key of one of the event's rows (CONTRACT §1): {@code event_id:parameter_key}, else
     * {@code device_id:source_timestamp:parameter_key} (the timestamp exactly as sent).
     */
    public String rowKey(String parameterKey) {
        return keyBase() + ":" + parameterKey;
    }

    /**
     * The idempotency key of the message: equal for two messages exactly when their sets of row keys
     * are equal. A message of one parameter (or one parameter repeated) has its row key; one of several
     * has {@code <base>:<n>@<digest>}, a SHA-256 over its sorted parameter keys. De-duplicating on it is
     * de-duplicating per row: a message is left out only when every row key it holds was committed.
     * Also the message's id in {@code message_status}.
     */
    public String messageKey() {
        if (metrics.size() == 1) {
            return rowKey(metrics.get(0).parameterKey());
        }
        TreeSet<String> parameters = new TreeSet<>();
        for (Metric m : metrics) {
            parameters.add(m.parameterKey());
        }
        if (parameters.size() == 1) {
            return rowKey(parameters.first());
        }
        return keyBase() + ":" + parameters.size() + "@" + digest(parameters);
    }

    private String keyBase() {
        return eventId != null ? eventId : deviceId + ":" + rawTimestamp;
    }

    /** SHA-256 of the keys, each preceded by its length, so that no two sets give the same input. */
    private static String digest(TreeSet<String> parameters) {
        MessageDigest sha256 = Sha256.digest();
        for (String parameter : parameters) {
            byte[] bytes = parameter.getBytes(StandardCharsets.UTF_8);
            sha256.update((bytes.length + ":").getBytes(StandardCharsets.US_ASCII));
            sha256.update(bytes);
        }
        return Base64.getUrlEncoder().withoutPadding().encodeToString(sha256.digest());
    }

    /**
     * One metric of an event.
     *
     * @param attributesJson the attributes object as JSON text, or null
     */
    public record Metric(String parameterKey, double value, Short quality, String attributesJson) {
    }
}
