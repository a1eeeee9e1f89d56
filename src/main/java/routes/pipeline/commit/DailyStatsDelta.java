package routes.pipeline.commit;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import routes.pipeline.split.MetricRow;

/**
 * The change one batch makes to {@code daily_stats}, per {@code (day, device_id, parameter_key)} (UTC days):
 * a new row adds its count, sum, min and max; an overwrite that changed a value adds no sum (it would
 * drift) but marks its key for a recompute from the key's rows. Keys iterate in the order every writer
 * locks stats rows.
 */
final class DailyStatsDelta {

    private final TreeMap<Key, Change> changes = new TreeMap<>();
    private final Set<Key> recompute = new HashSet<>();

    /** A row the batch inserted. */
    void addNew(MetricRow row) {
        Change change = changes.computeIfAbsent(Key.of(row), k -> new Change());
        change.count++;
        change.sum += row.value();
        change.include(row.value());
    }

    /** A row the batch overwrote, which held {@code oldValue} before. */
    void addOverwrite(MetricRow row, double oldValue) {
        if (Double.compare(oldValue, row.value()) == 0) {
            return; // only quality, source, event_id or attributes changed: stats stay
        }
        // No sum delta: sum += new - old drifts when the magnitudes differ (123456789.123 overwritten
        // with 0.1 left 0.09999999403953552). The recompute sets the key's count, sum, min and max from
        // its rows; the entry here only takes the stats row's lock in stats-key order first.
        Key key = Key.of(row);
        changes.computeIfAbsent(key, k -> new Change()).include(row.value());
        recompute.add(key);
    }

    boolean isEmpty() {
        return changes.isEmpty();
    }

    /** The change per stats key, in lock order. */
    NavigableMap<Key, Change> changes() {
        return Collections.unmodifiableNavigableMap(changes);
    }

    /** The keys whose stats are recomputed from their rows, in lock order. */
    List<Key> recomputeKeys() {
        List<Key> sorted = new ArrayList<>(recompute);
        sorted.sort(null);
        return sorted;
    }

    /** {@code (day, device_id, parameter_key)} in the order every writer locks stats rows. */
    record Key(LocalDate day, UUID deviceId, String parameterKey) implements Comparable<Key> {
        static Key of(MetricRow row) {
            return new Key(LocalDate.ofInstant(row.time(), ZoneOffset.UTC), row.deviceId(), row.parameterKey());
        }

        @Override
        public int compareTo(Key o) {
            int c = day.compareTo(o.day);
            if (c == 0) {
                c = deviceId.compareTo(o.deviceId);
            }
            return c != 0 ? c : parameterKey.compareTo(o.parameterKey);
        }
    }

    /** What one key's stats row gains: added to it by add-stats.sql (min and max widen it). */
    static final class Change {
        private long count;
        private double sum;
        private double min = Double.POSITIVE_INFINITY;
        private double max = Double.NEGATIVE_INFINITY;

        private void include(double value) {
            min = Math.min(min, value);
            max = Math.max(max, value);
        }

        long count() {
            return count;
        }

        double sum() {
            return sum;
        }

        double min() {
            return min;
        }

        double max() {
            return max;
        }
    }
}
