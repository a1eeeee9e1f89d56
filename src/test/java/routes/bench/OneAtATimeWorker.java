package routes.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.UUID;

/**
 * The seeds' one-at-a-time worker, the yardstick of every "× a one-at-a-time worker" figure: for one message,
 * an upsert per metric and that key's day of stats recomputed by a query; each statement committed on its own
 * (the headline worker, docs/benchmarks.md "Which one-at-a-time worker"), or with {@code commitPerMessage} one
 * transaction per message. The broker side (take one, hand it here, ack) is the caller's: the in-process
 * benchmarks and {@link OneAtATimeDeployed} share this, so the worker is written once.
 */
public final class OneAtATimeWorker implements AutoCloseable {

    /** The app's own limit (CONTRACT §2): a bigger message is not an event the worker writes. */
    static final int MAX_MESSAGE_BYTES = 1024 * 1024;

    static final String INSERT = """
            INSERT INTO ingest_events (time, device_id, parameter_key, value, quality, source, event_id, attributes)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?::jsonb)
            ON CONFLICT (time, device_id, parameter_key) DO UPDATE SET value = EXCLUDED.value,
                quality = EXCLUDED.quality, source = EXCLUDED.source, event_id = EXCLUDED.event_id,
                attributes = EXCLUDED.attributes
            """;
    static final String RECOMPUTE = """
            INSERT INTO daily_stats (day, device_id, parameter_key, sample_count, value_sum, value_min, value_max, updated_at)
            SELECT ?::date, device_id, parameter_key, count(*), sum(value), min(value), max(value), now()
              FROM ingest_events
             WHERE device_id = ? AND parameter_key = ? AND time >= ?::date AND time < ?::date + 1
             GROUP BY device_id, parameter_key
            ON CONFLICT (day, device_id, parameter_key) DO UPDATE SET sample_count = EXCLUDED.sample_count,
                value_sum = EXCLUDED.value_sum, value_min = EXCLUDED.value_min, value_max = EXCLUDED.value_max,
                updated_at = EXCLUDED.updated_at
            """;

    private final ObjectMapper json = new ObjectMapper();
    private final Connection db;
    private final boolean commitPerMessage;
    private final PreparedStatement insert;
    private final PreparedStatement recompute;

    public OneAtATimeWorker(Connection db, boolean commitPerMessage) throws SQLException {
        this.db = db;
        this.commitPerMessage = commitPerMessage;
        db.setAutoCommit(!commitPerMessage);
        this.insert = db.prepareStatement(INSERT);
        this.recompute = db.prepareStatement(RECOMPUTE);
    }

    /**
     * Writes one message's metrics and recomputes their days. Returns false, writing nothing, for a message
     * that is not an event (too big, not JSON, a field missing or malformed): the seeds' worker dropped those.
     */
    public boolean handle(byte[] body) throws SQLException {
        Event event = parse(body);
        if (event == null) {
            return false;
        }
        java.sql.Date day = java.sql.Date.valueOf(event.time.atOffset(ZoneOffset.UTC).toLocalDate());
        for (JsonNode metric : event.metrics) {
            String key = metric.get("parameter_key").asText();
            insert.setTimestamp(1, Timestamp.from(event.time));
            insert.setObject(2, event.device);
            insert.setString(3, key);
            insert.setDouble(4, metric.get("value").asDouble());
            if (metric.has("quality")) {
                insert.setShort(5, (short) metric.get("quality").asInt());
            } else {
                insert.setNull(5, Types.SMALLINT);
            }
            insert.setString(6, event.protocol);
            insert.setString(7, event.eventId);
            insert.setString(8, metric.has("attributes") ? metric.get("attributes").toString() : null);
            insert.executeUpdate();
            recompute.setDate(1, day);
            recompute.setObject(2, event.device);
            recompute.setString(3, key);
            recompute.setDate(4, day);
            recompute.setDate(5, day);
            recompute.executeUpdate();
        }
        if (commitPerMessage) {
            db.commit();
        }
        return true;
    }

    private record Event(Instant time, UUID device, String protocol, String eventId, JsonNode metrics) {
    }

    private Event parse(byte[] body) {
        if (body.length > MAX_MESSAGE_BYTES) {
            return null;
        }
        try {
            JsonNode event = json.readTree(body);
            JsonNode metrics = event.get("metrics");
            if (metrics == null || !metrics.isArray() || metrics.isEmpty()) {
                return null;
            }
            for (JsonNode metric : metrics) {
                if (!metric.hasNonNull("parameter_key") || !metric.path("value").isNumber()) {
                    return null;
                }
            }
            return new Event(Instant.parse(event.get("source_timestamp").asText()),
                    UUID.fromString(event.get("device_id").asText()), event.path("protocol").asText(null),
                    event.path("event_id").asText(null), metrics);
        } catch (Exception notAnEvent) { // not JSON, not UTF-8, a field missing or malformed
            return null;
        }
    }

    @Override
    public void close() throws SQLException {
        insert.close();
        recompute.close();
    }
}
