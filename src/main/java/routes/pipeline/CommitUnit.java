package routes.pipeline;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import routes.ops.IngestMetrics;

/**
 * Events committed together as one unit of the batch aggregator (an HTTP request, a batch of broker
 * messages). De-duplication is per row (CONTRACT §1): an event is left out, and counted as a duplicate,
 * only when its message key ({@link IngestEvent#messageKey()}, the same for two messages exactly when
 * their row keys are) was committed before or came earlier in the unit. The others are written; once
 * their rows committed ({@link #committed}), each counts as landed if its rows changed the table and as
 * a duplicate if they did not (another unit committed the same rows first), and is remembered as
 * committed. The memory of committed keys only saves work: the upsert keeps rows and stats exact without
 * it. Not thread-safe: one unit is filled by one thread.
 */
public final class CommitUnit {

    private final CommittedOnlyIdempotentRepository committedEvents;
    private final RowSplitter splitter;
    private final IngestMetrics metrics;
    private final Set<String> keys = new HashSet<>();
    private final List<Entry> entries = new ArrayList<>();
    private final List<MetricRow> rows = new ArrayList<>();

    /** An event of the unit: its rows are {@code rows[firstRow, firstRow + rowCount)}. */
    private record Entry(String source, String key, int firstRow, int rowCount, long receivedAtNanos) {
    }

    public CommitUnit(CommittedOnlyIdempotentRepository committedEvents, RowSplitter splitter, IngestMetrics metrics) {
        this.committedEvents = committedEvents;
        this.splitter = splitter;
        this.metrics = metrics;
    }

    /**
     * Adds the event's rows, unless it is a duplicate (then counted as one).
     *
     * @param receivedAtNanos when the source received it ({@code System.nanoTime()}), for receive → commit
     * @return whether the event is part of the unit
     */
    public boolean add(String source, IngestEvent event, long receivedAtNanos) {
        String key = event.messageKey();
        if (!keys.add(key) || committedEvents.contains(key)) {
            metrics.event(source, "duplicate", 1);
            return false;
        }
        List<MetricRow> eventRows = splitter.rows(event);
        entries.add(new Entry(source, key, rows.size(), eventRows.size(), receivedAtNanos));
        rows.addAll(eventRows);
        return true;
    }

    /** The rows of the unit's events, for the batch aggregator. */
    public List<MetricRow> rows() {
        return rows;
    }

    /**
     * The unit's rows are committed ({@code written}: what the commit did, from the write exchange's
     * {@link IngestExchange#WRITTEN}): each event counts as landed, or as a duplicate when none of its rows
     * changed the table, and is remembered as committed.
     */
    public void committed(BatchWriter.Result written) {
        Map<String, long[]> bySource = new HashMap<>(2); // source → {landed events, their rows, duplicates}
        for (Entry entry : entries) {
            committedEvents.add(entry.key());
            long[] counts = bySource.computeIfAbsent(entry.source(), s -> new long[3]);
            int changed = changedRows(entry, written);
            if (changed > 0) {
                counts[0]++;
                counts[1] += changed;
                metrics.processing(entry.source(), entry.receivedAtNanos());
            } else {
                counts[2]++;
            }
        }
        bySource.forEach((source, counts) -> {
            metrics.event(source, "success", counts[0]);
            metrics.rows(source, counts[1]);
            if (counts[2] > 0) {
                metrics.event(source, "duplicate", counts[2]);
            }
        });
    }

    private int changedRows(Entry entry, BatchWriter.Result written) {
        if (written == null) {
            return entry.rowCount(); // no report of the write: count as before, every event landed
        }
        int changed = 0;
        for (int i = entry.firstRow(); i < entry.firstRow() + entry.rowCount(); i++) {
            if (written.changed(rows.get(i))) {
                changed++;
            }
        }
        return changed;
    }
}
