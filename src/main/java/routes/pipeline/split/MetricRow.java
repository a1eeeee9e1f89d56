package routes.pipeline.split;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.UUID;

/** One row of {@code ingest_events}. */
public record MetricRow(Instant time, UUID deviceId, String parameterKey, double value, Short quality,
                        String source, String eventId, String attributesJson) {

    /** The row's unique key in {@code ingest_events}. */
    public Key key() {
        return new Key(time, deviceId, parameterKey);
    }

    /** The UTC day of the row, the {@code daily_stats} day. */
    public LocalDate day() {
        return LocalDate.ofInstant(time, ZoneOffset.UTC);
    }

    /** {@code (time, device_id, parameter_key)}, ordered the same way by every writer (lock order). */
    public record Key(Instant time, UUID deviceId, String parameterKey) implements Comparable<Key> {
        @Override
        public int compareTo(Key o) {
            int c = time.compareTo(o.time);
            if (c == 0) {
                c = deviceId.compareTo(o.deviceId);
            }
            return c != 0 ? c : parameterKey.compareTo(o.parameterKey);
        }

        // Written out: the generated record methods showed up in the batch writer's profile.
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && time.equals(k.time) && deviceId.equals(k.deviceId)
                    && parameterKey.equals(k.parameterKey);
        }

        @Override
        public int hashCode() {
            return (time.hashCode() * 31 + deviceId.hashCode()) * 31 + parameterKey.hashCode();
        }
    }
}
