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
 * messages). An event committed before, or repeated within the unit, is left out and counted as a
 * duplicate; the others count as landed, and are remembered as committed, only once their rows are
 * ({@link #committed()}). Not thread-safe: one unit is filled by one thread.
 */
public final class CommitUnit {

    private final CommittedOnlyIdempotentRepository committedEvents;
    private final RowSplitter splitter;
    private final IngestMetrics metrics;
    private final Set<String> keys = new HashSet<>();
    private final List<Entry> entries = new ArrayList<>();
    private final List<MetricRow> rows = new ArrayList<>();

    private record Entry(String source, IngestEvent event, long receivedAtNanos) {
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
        String key = event.key();
        if (!keys.add(key) || committedEvents.contains(key)) {
            metrics.event(source, "duplicate", 1);
            return false;
        }
        entries.add(new Entry(source, event, receivedAtNanos));
        rows.addAll(splitter.rows(event));
        return true;
    }

    /** The rows of the unit's events, for the batch aggregator. */
    public List<MetricRow> rows() {
        return rows;
    }

    /** The unit's rows are committed: its events count as landed and are remembered as committed. */
    public void committed() {
        Map<String, long[]> bySource = new HashMap<>(2); // source → {events, rows}
        for (Entry entry : entries) {
            committedEvents.add(entry.event().key());
            long[] counts = bySource.computeIfAbsent(entry.source(), s -> new long[2]);
            counts[0]++;
            counts[1] += entry.event().metrics().size();
            metrics.processing(entry.source(), entry.receivedAtNanos());
        }
        bySource.forEach((source, counts) -> {
            metrics.event(source, "success", counts[0]);
            metrics.rows(source, counts[1]);
        });
    }
}
