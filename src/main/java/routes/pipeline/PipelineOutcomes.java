package routes.pipeline;

import java.util.List;
import org.apache.camel.Exchange;
import routes.ops.IngestMetrics;

/** Counts how each event of the pipeline ended (committed or duplicate) once it has. */
public class PipelineOutcomes {

    private final IngestMetrics metrics;

    public PipelineOutcomes(IngestMetrics metrics) {
        this.metrics = metrics;
    }

    /**
     * After the batch holding the event committed: a success when its rows changed the table, else a
     * duplicate (another exchange committed the same rows first, e.g. a copy in flight at the same time).
     */
    public void committed(Exchange exchange) {
        String source = source(exchange);
        int changed = changedRows(exchange);
        if (changed == 0) {
            metrics.event(source, "duplicate", 1);
            return;
        }
        metrics.event(source, "success", 1);
        metrics.rows(source, changed);
        Long receivedAt = exchange.getProperty(IngestExchange.RECEIVED_AT, Long.class);
        if (receivedAt != null) {
            metrics.processing(source, receivedAt);
        }
    }

    /** Rows of the exchange (its body after the split) that changed the table, by the write's report. */
    @SuppressWarnings("unchecked")
    private static int changedRows(Exchange exchange) {
        BatchWriter.Result written = exchange.getProperty(IngestExchange.WRITTEN, BatchWriter.Result.class);
        List<MetricRow> rows = exchange.getMessage().getBody(List.class);
        if (rows == null) {
            IngestEvent event = exchange.getProperty(IngestExchange.EVENT, IngestEvent.class);
            return event == null ? 1 : event.metrics().size();
        }
        if (written == null) {
            return rows.size();
        }
        int changed = 0;
        for (MetricRow row : rows) {
            if (written.changed(row)) {
                changed++;
            }
        }
        return changed;
    }

    /** The idempotent consumer has seen the event commit before. */
    public void duplicate(Exchange exchange) {
        metrics.event(source(exchange), "duplicate", 1);
    }

    private static String source(Exchange exchange) {
        return exchange.getProperty(IngestExchange.SOURCE, "unknown", String.class);
    }
}
