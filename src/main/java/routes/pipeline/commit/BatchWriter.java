package routes.pipeline.commit;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;
import routes.pipeline.split.MetricRow;

/**
 * Writes one batch of rows in one transaction: upserts {@code ingest_events} (last write wins) and
 * moves {@code daily_stats} by exactly the change, so that the CONTRACT §3 invariant holds at every
 * commit. See docs/adr/0002-exactly-once-batch-write.md for the lock order that keeps concurrent
 * writers free of deadlocks.
 *
 * <p>Within the batch the last row of a key wins ({@link BatchRows}). Five statements (src/main/resources/db/sql/batch, {@link BatchSql}), each one round trip for the
 * whole batch ({@link BatchArrays}): insert the new keys; lock and read the existing ones; update those
 * that differ; add the stats change ({@link DailyStatsDelta}); recompute the stats of keys an overwrite
 * changed.
 */
public class BatchWriter {

    private final JdbcTemplate jdbc;
    private final TransactionTemplate transaction;
    private final BatchSql sql;

    public BatchWriter(JdbcTemplate jdbc, TransactionTemplate transaction) {
        this.jdbc = jdbc;
        this.transaction = transaction;
        this.sql = BatchSql.load();
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
        BatchRows batch = BatchRows.of(rows);
        return transaction.execute(status -> jdbc.execute((ConnectionCallback<Result>) c -> {
            Result result = write(c, batch.sorted(), batch.repeats());
            if (hook != null) {
                hook.run(c);
            }
            return result;
        }));
    }

    // One method per step, in the class comment's order.
    private Result write(Connection c, List<MetricRow> sorted, Set<MetricRow> repeats) throws SQLException {
        Set<MetricRow.Key> inserted = new HashSet<>();
        int insertedCount = insertNew(c, sorted, inserted);
        boolean allNew = insertedCount == sorted.size();
        List<MetricRow> existing = allNew ? List.of() : notInserted(sorted, inserted, sorted.size() - insertedCount);
        Map<MetricRow.Key, Double> oldValues = new HashMap<>();
        Set<MetricRow.Key> updated = new HashSet<>();
        if (!existing.isEmpty()) {
            lockExisting(c, existing, oldValues);
            updateChanged(c, existing, updated);
        }
        Set<MetricRow.Key> unchanged = new HashSet<>();
        DailyStatsDelta delta = allNew ? allAdded(sorted) : changes(sorted, inserted, updated, oldValues, unchanged);
        if (!delta.isEmpty()) {
            addStats(c, delta);
        }
        List<DailyStatsDelta.Key> recompute = delta.recomputeKeys();
        if (!recompute.isEmpty()) {
            recomputeStats(c, recompute);
        }
        return new Result(insertedCount, updated.size(), unchanged.size(), unchanged, repeats);
    }

    /** Step 1: inserts the rows whose key is new; how many, and (unless all were) their keys into {@code inserted}. */
    private int insertNew(Connection c, List<MetricRow> sorted, Set<MetricRow.Key> inserted) throws SQLException {
        // Scrollable (the driver holds the rows anyway) to count them before reading any: the usual batch
        // is all new rows, and then no key needs reading, matching, locking or updating.
        try (PreparedStatement ps = c.prepareStatement(sql.insertNew(), ResultSet.TYPE_SCROLL_INSENSITIVE,
                ResultSet.CONCUR_READ_ONLY)) {
            BatchArrays.bindRows(c, ps, sorted);
            try (ResultSet rs = ps.executeQuery()) {
                int insertedCount = rs.last() ? rs.getRow() : 0;
                if (insertedCount < sorted.size()) {
                    rs.beforeFirst();
                    while (rs.next()) {
                        inserted.add(readKey(rs));
                    }
                }
                return insertedCount;
            }
        }
    }

    private static List<MetricRow> notInserted(List<MetricRow> sorted, Set<MetricRow.Key> inserted, int expected) {
        List<MetricRow> existing = new ArrayList<>(expected);
        for (MetricRow row : sorted) {
            if (!inserted.contains(row.key())) {
                existing.add(row);
            }
        }
        return existing;
    }

    /** Step 2: locks the existing rows (in key order) and reads the values they hold into {@code oldValues}. */
    private void lockExisting(Connection c, List<MetricRow> existing, Map<MetricRow.Key, Double> oldValues)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql.lockExisting())) {
            BatchArrays.bindKeys(c, ps, existing);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    oldValues.put(readKey(rs), rs.getDouble(4));
                }
            }
        }
    }

    /** Step 3: overwrites the existing rows whose content differs; their keys into {@code updated}. */
    private void updateChanged(Connection c, List<MetricRow> existing, Set<MetricRow.Key> updated) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql.updateChanged())) {
            BatchArrays.bindRows(c, ps, existing);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    updated.add(readKey(rs));
                }
            }
        }
    }

    /** The stats change of a batch whose rows were all new. */
    private static DailyStatsDelta allAdded(List<MetricRow> sorted) {
        DailyStatsDelta delta = new DailyStatsDelta();
        for (MetricRow row : sorted) {
            delta.addNew(row);
        }
        return delta;
    }

    /** The stats change of a batch that met existing rows; the keys it left as they were into {@code unchanged}. */
    private static DailyStatsDelta changes(List<MetricRow> sorted, Set<MetricRow.Key> inserted, Set<MetricRow.Key> updated,
                                           Map<MetricRow.Key, Double> oldValues, Set<MetricRow.Key> unchanged) {
        DailyStatsDelta delta = new DailyStatsDelta();
        for (MetricRow row : sorted) {
            MetricRow.Key key = row.key();
            if (inserted.contains(key)) {
                delta.addNew(row);
            } else if (updated.contains(key)) {
                Double old = oldValues.get(key);
                if (old == null) {
                    // Cannot happen: an updated row was locked first. Fail loudly rather than drift.
                    throw new IllegalStateException("row updated without its old value: " + key);
                }
                delta.addOverwrite(row, old);
            } else {
                unchanged.add(key);
            }
        }
        return delta;
    }

    /** Step 4: adds the change to daily_stats. */
    private void addStats(Connection c, DailyStatsDelta delta) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql.addStats())) {
            BatchArrays.bindStatsChanges(c, ps, delta);
            ps.executeUpdate();
        }
    }

    /** Step 5: recomputes the stats of the keys an overwrite changed, from their day's rows. */
    private void recomputeStats(Connection c, List<DailyStatsDelta.Key> recompute) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql.recomputeStats())) {
            BatchArrays.bindStatsKeys(c, ps, recompute);
            ps.executeUpdate();
        }
    }

    private static MetricRow.Key readKey(ResultSet rs) throws SQLException {
        Instant time = rs.getObject(1, OffsetDateTime.class).toInstant();
        return new MetricRow.Key(time, rs.getObject(2, UUID.class), rs.getString(3));
    }
}
