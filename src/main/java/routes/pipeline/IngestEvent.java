package routes.pipeline;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * One validated event (CONTRACT §1).
 *
 * @param eventId         optional producer id of the event
 * @param deviceId        the device
 * @param protocol        optional, stored as {@code source}
 * @param sourceTimestamp when the device measured, truncated to microseconds (PostgreSQL's precision)
 * @param rawTimestamp    source_timestamp exactly as sent, for the idempotency key
 * @param traceId         optional trace id (envelope or event)
 * @param metrics         1 to 1,000 metrics
 */
public record IngestEvent(String eventId, UUID deviceId, String protocol, Instant sourceTimestamp,
                          String rawTimestamp, String traceId, List<Metric> metrics) {

    /** The idempotency key of the event: its event_id, else device and timestamp. */
    public String key() {
        return eventId != null ? eventId : deviceId + ":" + rawTimestamp;
    }

    /**
     * One metric of an event.
     *
     * @param attributesJson the attributes object as JSON text, or null
     */
    public record Metric(String parameterKey, double value, Short quality, String attributesJson) {
    }
}
