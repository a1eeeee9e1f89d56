package routes.pipeline;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import routes.ops.IngestMetrics;

/**
 * First step of the pipeline: stamps the receive time, parses and validates the raw message
 * (CONTRACT §1), and puts the {@link IngestEvent} in the body. An invalid message throws
 * {@link InvalidMessageException}, which the error policy dead-letters at once.
 */
public class EventValidator implements Processor {

    private final EventParser parser;
    private final IngestMetrics metrics;

    public EventValidator(EventParser parser, IngestMetrics metrics) {
        this.parser = parser;
        this.metrics = metrics;
    }

    @Override
    public void process(Exchange exchange) {
        String source = exchange.getProperty(IngestExchange.SOURCE, "unknown", String.class);
        if (exchange.getProperty(IngestExchange.RECEIVED_AT) == null) {
            exchange.setProperty(IngestExchange.RECEIVED_AT, System.nanoTime());
        }
        Long enqueuedAt = exchange.getProperty(IngestExchange.ENQUEUED_AT, Long.class);
        if (enqueuedAt != null && enqueuedAt > 0) {
            metrics.queueWait(source, enqueuedAt);
        }
        IngestEvent validated = exchange.getProperty(IngestExchange.EVENT, IngestEvent.class);
        if (validated != null) {
            // Validated already by the source (HTTP validates a whole request before answering).
            exchange.setProperty(IngestExchange.ORIGINAL_BODY, exchange.getMessage().getBody(byte[].class));
            exchange.setProperty(IngestExchange.TRACE_ID, validated.traceId());
            exchange.setProperty(IngestExchange.EVENT_KEY, validated.messageKey());
            exchange.getMessage().setBody(validated);
            return;
        }
        byte[] body = exchange.getMessage().getBody(byte[].class);
        exchange.setProperty(IngestExchange.ORIGINAL_BODY, body);
        try {
            IngestEvent event = parser.parse(body == null ? new byte[0] : body);
            exchange.setProperty(IngestExchange.TRACE_ID, event.traceId());
            exchange.setProperty(IngestExchange.EVENT, event);
            exchange.setProperty(IngestExchange.EVENT_KEY, event.messageKey());
            exchange.getMessage().setBody(event);
        } catch (InvalidMessageException e) {
            metrics.error(source, e.errorType());
            throw e;
        }
    }
}
