package routes.pipeline.commit;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import routes.pipeline.split.MetricRow;

/**
 * Binds a batch to the statements of db/sql/batch as one array per column, so that each statement is
 * one round trip for the whole batch. Device ids travel as {@code text[]} (cast to {@code uuid[]} in the
 * SQL): pgjdbc sends a text array in binary, but a {@code UUID[]} as one escaped text literal, which cost
 * the app more than the rest of the encoding.
 */
final class BatchArrays {

    private BatchArrays() {
    }

    /** The 8 columns of insert-new.sql and update-changed.sql. */
    static void bindRows(Connection c, PreparedStatement ps, List<MetricRow> rows) throws SQLException {
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
        ps.setArray(1, c.createArrayOf("int8", times));
        ps.setArray(2, c.createArrayOf("text", devices));
        ps.setArray(3, c.createArrayOf("text", keys));
        ps.setArray(4, c.createArrayOf("float8", values));
        ps.setArray(5, c.createArrayOf("int2", qualities));
        ps.setArray(6, c.createArrayOf("text", sources));
        ps.setArray(7, c.createArrayOf("text", eventIds));
        ps.setArray(8, c.createArrayOf("text", attributes));
    }

    /** The row keys of lock-existing.sql. */
    static void bindKeys(Connection c, PreparedStatement ps, List<MetricRow> rows) throws SQLException {
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

    /** The stats changes of add-stats.sql, in lock order. */
    static void bindStatsChanges(Connection c, PreparedStatement ps, DailyStatsDelta delta) throws SQLException {
        int n = delta.changes().size();
        Object[] days = new Object[n];
        String[] devices = new String[n];
        String[] keys = new String[n];
        Long[] counts = new Long[n];
        Double[] sums = new Double[n];
        Double[] mins = new Double[n];
        Double[] maxs = new Double[n];
        int i = 0;
        for (Map.Entry<DailyStatsDelta.Key, DailyStatsDelta.Change> e : delta.changes().entrySet()) {
            days[i] = e.getKey().day().toString();
            devices[i] = e.getKey().deviceId().toString();
            keys[i] = e.getKey().parameterKey();
            counts[i] = e.getValue().count();
            sums[i] = e.getValue().sum();
            mins[i] = e.getValue().min();
            maxs[i] = e.getValue().max();
            i++;
        }
        ps.setArray(1, c.createArrayOf("text", days));
        ps.setArray(2, c.createArrayOf("text", devices));
        ps.setArray(3, c.createArrayOf("text", keys));
        ps.setArray(4, c.createArrayOf("int8", counts));
        ps.setArray(5, c.createArrayOf("float8", sums));
        ps.setArray(6, c.createArrayOf("float8", mins));
        ps.setArray(7, c.createArrayOf("float8", maxs));
    }

    /** The stats keys of recompute-stats.sql. */
    static void bindStatsKeys(Connection c, PreparedStatement ps, List<DailyStatsDelta.Key> sorted) throws SQLException {
        int n = sorted.size();
        Object[] days = new Object[n];
        String[] devices = new String[n];
        String[] params = new String[n];
        for (int i = 0; i < n; i++) {
            days[i] = sorted.get(i).day().toString();
            devices[i] = sorted.get(i).deviceId().toString();
            params[i] = sorted.get(i).parameterKey();
        }
        ps.setArray(1, c.createArrayOf("text", days));
        ps.setArray(2, c.createArrayOf("text", devices));
        ps.setArray(3, c.createArrayOf("text", params));
    }

    /**
     * Times travel as microseconds since the epoch (the rows' precision, timestamptz's too): cheaper on
     * both sides than ISO text, and exact — the SQL adds them to the epoch as an interval.
     */
    static long epochMicros(Instant time) {
        return Math.addExact(Math.multiplyExact(time.getEpochSecond(), 1_000_000L), time.getNano() / 1_000);
    }
}
