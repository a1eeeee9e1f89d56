package routes.pipeline;

import org.apache.camel.Exchange;
import routes.ops.IngestMetrics;

/** Counts how each event of the pipeline ended (committed or duplicate) once it has. */
public class PipelineOutcomes {

    private final IngestMetrics metrics;

    public PipelineOutcomes(IngestMetrics metrics) {
        this.metrics = metrics;
    }

    /** After the batch holding the event committed. */
    public void committed(Exchange exchange) {
        String source = source(exchange);
        IngestEvent event = exchange.getProperty(IngestExchange.EVENT, IngestEvent.class);
        metrics.event(source, "success", 1);
        if (event != null) {
            metrics.rows(source, event.metrics().size());
        }
        Long receivedAt = exchange.getProperty(IngestExchange.RECEIVED_AT, Long.class);
        if (receivedAt != null) {
            metrics.processing(source, receivedAt);
        }
    }

    /** The idempotent consumer has seen the event commit before. */
    public void duplicate(Exchange exchange) {
        metrics.event(source(exchange), "duplicate", 1);
    }

    private static String source(Exchange exchange) {
        return exchange.getProperty(IngestExchange.SOURCE, "unknown", String.class);
    }
}
