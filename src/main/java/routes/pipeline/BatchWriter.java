package routes.pipeline;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Writes one batch of rows in one transaction: upserts {@code ingest_events} (last write wins) and
 * moves {@code daily_stats} by exactly the change, so that the CONTRACT §3 invariant holds at every
 * commit. See docs/adr/0002-exactly-once-batch-write.md for the lock order that keeps concurrent
 * writers free of deadlocks.
 *
 * <p>Each statement sends the whole batch as arrays ({@code unnest}), one round trip per step:
 * <ol>
 *   <li>insert the rows whose key is new ({@code ON CONFLICT DO NOTHING}), in key order;</li>
 *   <li>lock the rows whose key exists ({@code FOR UPDATE}, key order) and read their current values;</li>
 *   <li>update those whose content differs;</li>
 *   <li>add the deltas to {@code daily_stats} in stats-key order;</li>
 *   <li>for the keys where an overwrite changed a value, recompute that key's count, sum, min and max
 *       for its day (one index range, never the whole day): an incremental {@code sum += new - old}
 *       would drift when magnitudes differ; plain inserts keep the incremental delta.</li>
 * </ol>
 * Device ids travel as {@code text[]} cast to {@code uuid[]} in SQL: pgjdbc sends a text array in binary,
 * but a {@code UUID[]} as one escaped text literal, which cost the app more than the rest of the encoding.
 */
public class BatchWriter {

    /**
     * The timestamptz of a row's {@code time_us} (microseconds since the epoch, see {@link #epochMicros}):
     * whole seconds and the microseconds apart, so that the float8 arithmetic of interval products
     * stays exact for any date timestamptz holds.
     */
    private static String timeOf(String alias) {
        return ("('epoch'::timestamptz + (%1$s.time_us / 1000000) * interval '1 second'"
                + " + (%1$s.time_us %% 1000000) * interval '1 microsecond')").formatted(alias);
    }

    private static final String INSERT_NEW = """
            INSERT INTO ingest_events AS e
                   (time, device_id, parameter_key, value, quality, source, event_id, attributes)
            SELECT %s,
                   r.device_id, r.parameter_key, r.value, r.quality, r.source, r.event_id, r.attributes::jsonb
              FROM unnest(?::int8[], ?::text[]::uuid[], ?::text[], ?::float8[], ?::int2[], ?::text[], ?::text[], ?::text[])
                   WITH ORDINALITY AS r(time_us, device_id, parameter_key, value, quality, source, event_id, attributes, ord)
             ORDER BY r.ord
            ON CONFLICT (time, device_id, parameter_key) DO NOTHING
            RETURNING e.time, e.device_id, e.parameter_key
            """.formatted(timeOf("r"));

    private static final String LOCK_EXISTING = """
            SELECT e.time, e.device_id, e.parameter_key, e.value
              FROM unnest(?::int8[], ?::text[]::uuid[], ?::text[]) WITH ORDINALITY AS k(time_us, device_id, parameter_key, ord)
              JOIN ingest_events e
                ON e.time = %s
               AND e.device_id = k.device_id AND e.parameter_key = k.parameter_key
             ORDER BY k.ord
               FOR UPDATE OF e
            """.formatted(timeOf("k"));

    private static final String UPDATE_CHANGED = """
            UPDATE ingest_events AS e
               SET value = r.value, quality = r.quality, source = r.source, event_id = r.event_id,
                   attributes = r.attributes::jsonb
              FROM unnest(?::int8[], ?::text[]::uuid[], ?::text[], ?::float8[], ?::int2[], ?::text[], ?::text[], ?::text[])
                   AS r(time_us, device_id, parameter_key, value, quality, source, event_id, attributes)
             WHERE e.time = %s
               AND e.device_id = r.device_id AND e.parameter_key = r.parameter_key
               AND (e.value, e.quality, e.source, e.event_id, e.attributes)
                   IS DISTINCT FROM (r.value, r.quality, r.source, r.event_id, r.attributes::jsonb)
            RETURNING e.time, e.device_id, e.parameter_key
            """.formatted(timeOf("r"));

    private static final String ADD_STATS = """
            INSERT INTO daily_stats AS s
                   (day, device_id, parameter_key, sample_count, value_sum, value_min, value_max, updated_at)
            SELECT d.day, d.device_id, d.parameter_key, d.sample_count, d.value_sum, d.value_min, d.value_max, now()
              FROM unnest(?::date[], ?::text[]::uuid[], ?::text[], ?::int8[], ?::float8[], ?::float8[], ?::float8[])
                   WITH ORDINALITY AS d(day, device_id, parameter_key, sample_count, value_sum, value_min, value_max, ord)
             ORDER BY d.ord
            ON CONFLICT (day, device_id, parameter_key) DO UPDATE
               SET sample_count = s.sample_count + EXCLUDED.sample_count,
                   value_sum    = s.value_sum + EXCLUDED.value_sum,
                   value_min    = LEAST(s.value_min, EXCLUDED.value_min),
                   value_max    = GREATEST(s.value_max, EXCLUDED.value_max),
                   updated_at   = now()
            """;

    private static final String RECOMPUTE = """
            UPDATE daily_stats AS s
               SET sample_count = x.sample_count, value_sum = x.value_sum, value_min = x.value_min,
                   value_max = x.value_max, updated_at = now()
              FROM (SELECT k.day, k.device_id, k.parameter_key, count(*) AS sample_count, sum(e.value) AS value_sum,
                           min(e.value) AS value_min, max(e.value) AS value_max
                      FROM unnest(?::date[], ?::text[]::uuid[], ?::text[]) AS k(day, device_id, parameter_key)
                      JOIN ingest_events e
                        ON e.device_id = k.device_id AND e.parameter_key = k.parameter_key
                       AND e.time >= (k.day::timestamp AT TIME ZONE 'UTC')
                       AND e.time < ((k.day + 1)::timestamp AT TIME ZONE 'UTC')
                     GROUP BY k.day, k.device_id, k.parameter_key) AS x
             WHERE s.day = x.day AND s.device_id = x.device_id AND s.parameter_key = x.parameter_key
            """;

    private final JdbcTemplate jdbc;
    private final TransactionTemplate transaction;

    public BatchWriter(JdbcTemplate jdbc, TransactionTemplate transaction) {
        this.jdbc = jdbc;
        this.transaction = transaction;
    }

    /**
     * What one committed batch did.
     *
     * @param unchangedKeys keys whose row the batch found exactly as it was (empty when all were new)
     * @param repeats       rows equal to an earlier row of the same batch (identity set; usually empty)
     */
    public record Result(int inserted, int updated, int unchanged, Set<MetricRow.Key> unchangedKeys,
                         Set<MetricRow> repeats) {

        /**
         * Whether this row of the batch changed the table: it was inserted or it overwrote a different
         * row, and no earlier row of the batch was the same. Two commits of the same row, or two copies
         * in one batch, change it once; so a message whose rows changed nothing is a duplicate.
         */
        public boolean changed(MetricRow row) {
            return (unchangedKeys.isEmpty() || !unchangedKeys.contains(row.key()))
                    && (repeats.isEmpty() || !repeats.contains(row));
        }
    }

    /** Work that must commit or roll back with a batch's rows (e.g. status rows); runs on its connection. */
    @FunctionalInterface
    public interface TransactionHook {
        void run(Connection connection) throws SQLException;
    }

    /** Writes the rows in one transaction; within the batch, the last row of a key wins. */
    public Result write(Collection<MetricRow> rows) {
        return write(rows, null);
    }

    /** As {@link #write(Collection)}, and runs {@code hook} (may be null) last, in the same transaction. */
    public Result write(Collection<MetricRow> rows, TransactionHook hook) {
        TreeMap<MetricRow.Key, MetricRow> byKey = new TreeMap<>();
        Map<MetricRow.Key, List<MetricRow>> repeatedKeys = null;
        Set<MetricRow> repeats = Set.of();
        for (MetricRow row : rows) {
            MetricRow.Key key = row.key();
            MetricRow earlier = byKey.put(key, row);
            if (earlier == null) {
                continue;
            }
            // Rare: a key twice in one batch. Remember which rows merely repeat an earlier one.
            if (repeatedKeys == null) {
                repeatedKeys = new HashMap<>();
                repeats = Collections.newSetFromMap(new IdentityHashMap<>());
            }
            List<MetricRow> sameKey = repeatedKeys.computeIfAbsent(key, k -> new ArrayList<>(List.of(earlier)));
            if (sameKey.contains(row)) {
                repeats.add(row);
            } else {
                sameKey.add(row);
            }
        }
        List<MetricRow> sorted = new ArrayList<>(byKey.values());
        Set<MetricRow> repeated = repeats;
        return transaction.execute(status -> jdbc.execute((ConnectionCallback<Result>) c -> {
            Result result = write(c, sorted, repeated);
            if (hook != null) {
                hook.run(c);
            }
            return result;
        }));
    }

    private Result write(Connection c, List<MetricRow> sorted, Set<MetricRow> repeats) throws SQLException {
        Set<MetricRow.Key> inserted = new HashSet<>();
        int insertedCount;
        // Scrollable (the driver holds the rows anyway) to count them before reading any: the usual batch
        // is all new rows, and then no key needs reading, matching, locking or updating.
        try (PreparedStatement ps = c.prepareStatement(INSERT_NEW, ResultSet.TYPE_SCROLL_INSENSITIVE,
                ResultSet.CONCUR_READ_ONLY)) {
            bindRows(c, ps, sorted);
            try (ResultSet rs = ps.executeQuery()) {
                insertedCount = rs.last() ? rs.getRow() : 0;
                if (insertedCount < sorted.size()) {
                    rs.beforeFirst();
                    while (rs.next()) {
                        inserted.add(readKey(rs));
                    }
                }
            }
        }
        boolean allNew = insertedCount == sorted.size();
        List<MetricRow> existing = new ArrayList<>(sorted.size() - insertedCount);
        for (int i = 0; !allNew && i < sorted.size(); i++) {
            if (!inserted.contains(sorted.get(i).key())) {
                existing.add(sorted.get(i));
            }
        }
        Map<MetricRow.Key, Double> oldValues = new HashMap<>();
        Set<MetricRow.Key> updated = new HashSet<>();
        if (!existing.isEmpty()) {
            try (PreparedStatement ps = c.prepareStatement(LOCK_EXISTING)) {
                bindKeys(c, ps, existing);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        oldValues.put(readKey(rs), rs.getDouble(4));
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement(UPDATE_CHANGED)) {
                bindRows(c, ps, existing);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        updated.add(readKey(rs));
                    }
                }
            }
        }
        Set<MetricRow.Key> unchanged = new HashSet<>();
        StatsDeltas deltas = new StatsDeltas();
        for (MetricRow row : sorted) {
            if (allNew) {
                deltas.addNew(row);
                continue;
            }
            MetricRow.Key key = row.key();
            if (inserted.contains(key)) {
                deltas.addNew(row);
            } else if (updated.contains(key)) {
                Double old = oldValues.get(key);
                if (old == null) {
                    // Cannot happen: an updated row was locked first. Fail loudly rather than drift.
                    throw new IllegalStateException("row updated without its old value: " + key);
                }
                deltas.addOverwrite(row, old);
            } else {
                unchanged.add(key);
            }
        }
        if (!deltas.isEmpty()) {
            addStats(c, deltas);
        }
        if (!deltas.recompute.isEmpty()) {
            recompute(c, deltas.recompute);
        }
        return new Result(insertedCount, updated.size(), unchanged.size(), unchanged, repeats);
    }

    private void addStats(Connection c, StatsDeltas deltas) throws SQLException {
        int n = deltas.byDay.size();
        Object[] days = new Object[n];
        String[] devices = new String[n];
        String[] keys = new String[n];
        Long[] counts = new Long[n];
        Double[] sums = new Double[n];
        Double[] mins = new Double[n];
        Double[] maxs = new Double[n];
        int i = 0;
        for (Map.Entry<StatsKey, Delta> e : deltas.byDay.entrySet()) {
            days[i] = e.getKey().day().toString();
            devices[i] = e.getKey().deviceId().toString();
            keys[i] = e.getKey().parameterKey();
            counts[i] = e.getValue().count;
            sums[i] = e.getValue().sum;
            mins[i] = e.getValue().min;
            maxs[i] = e.getValue().max;
            i++;
        }
        try (PreparedStatement ps = c.prepareStatement(ADD_STATS)) {
            ps.setArray(1, c.createArrayOf("text", days));
            ps.setArray(2, c.createArrayOf("text", devices));
            ps.setArray(3, c.createArrayOf("text", keys));
            ps.setArray(4, c.createArrayOf("int8", counts));
            ps.setArray(5, c.createArrayOf("float8", sums));
            ps.setArray(6, c.createArrayOf("float8", mins));
            ps.setArray(7, c.createArrayOf("float8", maxs));
            ps.executeUpdate();
        }
    }

    private void recompute(Connection c, Set<StatsKey> keys) throws SQLException {
        List<StatsKey> sorted = new ArrayList<>(keys);
        sorted.sort(null);
        int n = sorted.size();
        Object[] days = new Object[n];
        String[] devices = new String[n];
        String[] params = new String[n];
        for (int i = 0; i < n; i++) {
            days[i] = sorted.get(i).day().toString();
            devices[i] = sorted.get(i).deviceId().toString();
            params[i] = sorted.get(i).parameterKey();
        }
        try (PreparedStatement ps = c.prepareStatement(RECOMPUTE)) {
            ps.setArray(1, c.createArrayOf("text", days));
            ps.setArray(2, c.createArrayOf("text", devices));
            ps.setArray(3, c.createArrayOf("text", params));
            ps.executeUpdate();
        }
    }

    private static void bindRows(Connection c, PreparedStatement ps, List<MetricRow> rows) throws SQLException {
        int n = rows.size();
        Long[] times = new Long[n];
        String[] devices = new String[n];
        String[] keys = new String[n];
        Double[] values = new Double[n];
        Short[] qualities = new Short[n];
        String[] sources = new String[n];
        String[] eventIds = new String[n];
        String[] attributes = new String[n];
        for (int i = 0; i < n; i++) {
            MetricRow r = rows.get(i);
            times[i] = epochMicros(r.time());
            devices[i] = r.deviceId().toString();
            keys[i] = r.parameterKey();
            values[i] = r.value();
            qualities[i] = r.quality();
            sources[i] = r.source();
            eventIds[i] = r.eventId();
            attributes[i] = r.attributesJson();
        }
        Array[] arrays = {
            c.createArrayOf("int8", times), c.createArrayOf("text", devices), c.createArrayOf("text", keys),
            c.createArrayOf("float8", values), c.createArrayOf("int2", qualities), c.createArrayOf("text", sources),
            c.createArrayOf("text", eventIds), c.createArrayOf("text", attributes)};
        for (int i = 0; i < arrays.length; i++) {
            ps.setArray(i + 1, arrays[i]);
        }
    }

    private static void bindKeys(Connection c, PreparedStatement ps, List<MetricRow> rows) throws SQLException {
        int n = rows.size();
        Long[] times = new Long[n];
        String[] devices = new String[n];
        String[] keys = new String[n];
        for (int i = 0; i < n; i++) {
            times[i] = epochMicros(rows.get(i).time());
            devices[i] = rows.get(i).deviceId().toString();
            keys[i] = rows.get(i).parameterKey();
        }
        ps.setArray(1, c.createArrayOf("int8", times));
        ps.setArray(2, c.createArrayOf("text", devices));
        ps.setArray(3, c.createArrayOf("text", keys));
    }

    /**
     * Times travel as microseconds since the epoch (the rows' precision, timestamptz's too): cheaper on
     * both sides than ISO text, and exact — the SQL adds them to the epoch as an interval.
     */
    static long epochMicros(Instant time) {
        return Math.addExact(Math.multiplyExact(time.getEpochSecond(), 1_000_000L), time.getNano() / 1_000);
    }

    private static MetricRow.Key readKey(ResultSet rs) throws SQLException {
        Instant time = rs.getObject(1, OffsetDateTime.class).toInstant();
        return new MetricRow.Key(time, rs.getObject(2, UUID.class), rs.getString(3));
    }

    /** {@code (day, device_id, parameter_key)} in the order every writer locks stats rows. */
    record StatsKey(LocalDate day, UUID deviceId, String parameterKey) implements Comparable<StatsKey> {
        static StatsKey of(MetricRow row) {
            return new StatsKey(LocalDate.ofInstant(row.time(), ZoneOffset.UTC), row.deviceId(), row.parameterKey());
        }

        @Override
        public int compareTo(StatsKey o) {
            int c = day.compareTo(o.day);
            if (c == 0) {
                c = deviceId.compareTo(o.deviceId);
            }
            return c != 0 ? c : parameterKey.compareTo(o.parameterKey);
        }
    }

    /** The change one batch makes to each stats row. */
    private static final class Delta {
        long count;
        double sum;
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;

        void include(double value) {
            min = Math.min(min, value);
            max = Math.max(max, value);
        }
    }

    /** Deltas per stats key, and the keys an overwrite changed (their stats are recomputed from their rows). */
    private static final class StatsDeltas {
        final TreeMap<StatsKey, Delta> byDay = new TreeMap<>();
        final Set<StatsKey> recompute = new HashSet<>();

        void addNew(MetricRow row) {
            Delta d = byDay.computeIfAbsent(StatsKey.of(row), k -> new Delta());
            d.count++;
            d.sum += row.value();
            d.include(row.value());
        }

        void addOverwrite(MetricRow row, double oldValue) {
            if (Objects.equals(oldValue, row.value())) {
                return; // only quality, source, event_id or attributes changed: stats stay
            }
            // No sum delta: sum += new - old drifts when the magnitudes differ (123456789.123 overwritten
            // with 0.1 left 0.09999999403953552). The recompute sets the key's count, sum, min and max
            // from its rows; the entry here only takes the stats row's lock in stats-key order first.
            StatsKey key = StatsKey.of(row);
            byDay.computeIfAbsent(key, k -> new Delta()).include(row.value());
            recompute.add(key);
        }

        boolean isEmpty() {
            return byDay.isEmpty();
        }
    }
}
