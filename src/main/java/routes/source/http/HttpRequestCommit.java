package routes.source.http;

import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import routes.ops.IngestMetrics;
import routes.pipeline.BatchWriter;
import routes.pipeline.CommitUnit;
import routes.pipeline.CommittedOnlyIdempotentRepository;
import routes.pipeline.IngestEvent;
import routes.pipeline.IngestExchange;
import routes.pipeline.RowSplitter;
import routes.status.MessageStatusTracker;

/**
 * The common case of {@code POST /v1/events}, a request of valid events, committed as one unit: the
 * rows of all its new events go to the batch aggregator in one exchange (one per request instead of
 * one per event, which is what the per-event path costs most), and the events count and are
 * remembered by the idempotent repository only once that commit is done. Duplicates of committed
 * events are skipped and counted as the pipeline route does.
 *
 * <p>Anything else takes the per-event path of {@code direct:ingest} ({@link HttpSourceRoute}): a
 * request whose rows the database refuses or whose write failed (that path retries each event and
 * dead-letters only the one at fault), and requests of a source with status tracking.
 */
@Component
public class HttpRequestCommit {

    private static final Logger LOG = LoggerFactory.getLogger(HttpRequestCommit.class);
    static final String SOURCE = "http";
    /** The request's {@link CommitUnit}, in the exchange while its rows are written. */
    static final String UNIT = "ingestHttpCommitUnit";

    private final CommittedOnlyIdempotentRepository committed;
    private final RowSplitter splitter;
    private final IngestMetrics metrics;
    private final MessageStatusTracker tracker;

    public HttpRequestCommit(CommittedOnlyIdempotentRepository eventIdempotentRepository, RowSplitter rowSplitter,
                             IngestMetrics metrics, MessageStatusTracker tracker) {
        this.committed = eventIdempotentRepository;
        this.splitter = rowSplitter;
        this.metrics = metrics;
        this.tracker = tracker;
    }

    /** Whether the request may be committed as one unit (not when its events' status is tracked). */
    public boolean applies(Exchange exchange) {
        return !tracker.tracks(SOURCE);
    }

    /** Leaves out events already committed (and repeats within the request); the body becomes the rows of the rest. */
    public void prepareRows(Exchange exchange) {
        if (exchange.getProperty(IngestExchange.RECEIVED_AT) == null) {
            exchange.setProperty(IngestExchange.RECEIVED_AT, System.nanoTime());
        }
        long receivedAt = exchange.getProperty(IngestExchange.RECEIVED_AT, Long.class);
        HttpEvents request = exchange.getMessage().getBody(HttpEvents.class);
        CommitUnit unit = new CommitUnit(committed, splitter, metrics);
        for (IngestEvent event : request.parsed()) {
            unit.add(SOURCE, event, receivedAt);
        }
        exchange.setProperty(UNIT, unit);
        exchange.getMessage().setBody(unit.rows());
    }

    /**
     * After the commit: the events count as landed and are remembered as committed. The rows are
     * durable whatever this bookkeeping does, so its failure (an idempotency store blipping) is logged and
     * the request still answered 202.
     */
    public void committed(Exchange exchange) {
        try {
            exchange.getProperty(UNIT, CommitUnit.class).committed(exchange.getProperty(IngestExchange.WRITTEN, BatchWriter.Result.class));
        } catch (RuntimeException e) {
            LOG.warn("Request committed, but remembering its events as committed failed: {}", e.toString());
        }
    }
}
