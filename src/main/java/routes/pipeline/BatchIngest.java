package routes.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.AsyncCallback;
import org.apache.camel.AsyncProducer;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.Exchange;
import org.apache.camel.support.AsyncProcessorSupport;
import org.apache.camel.support.DefaultExchange;
import org.apache.camel.support.service.ServiceHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import routes.ops.IngestMetrics;
import routes.status.MessageStatusTracker;

/**
 * The pipeline for a batch of broker messages ({@code direct:ingest-batch}): the body is a
 * {@code List<Exchange>}, one exchange per message, as a batching consumer hands them (camel-kafka's
 * {@code batching=true} does the same). The common case — valid, untracked messages — is committed as
 * one unit: validated, de-duplicated against the committed events and within the batch, split into
 * rows, and the rows of all of them handed to the batch aggregator at once. Routing each message
 * through the per-message route costs more than validating and writing it (a Camel exchange, its
 * error handler, idempotent consumer, choice and completion per message).
 *
 * <p>Everything else takes the per-message route {@code direct:ingest}, unchanged: invalid messages
 * (dead-lettered there with the field at fault), messages of a source with status tracking, replays,
 * and — when the unit's write fails for any reason — every message of the unit, so that retries,
 * dead letters and a database outage are handled message by message as before.
 *
 * <p>The outcome stays per message: a message exchange with no exception is done (committed,
 * duplicate or dead-lettered); the consumer settles each accordingly. A body that is not a batch is
 * one message and goes to {@code direct:ingest} as it is.
 */
public class BatchIngest extends AsyncProcessorSupport implements CamelContextAware {

    static final String PER_MESSAGE = "direct:ingest";
    private static final Logger LOG = LoggerFactory.getLogger(BatchIngest.class);

    private final EventParser parser;
    private final CommittedOnlyIdempotentRepository committed;
    private final RowSplitter splitter;
    private final BatchAggregator aggregator;
    private final IngestMetrics metrics;
    private final MessageStatusTracker tracker;
    private CamelContext camelContext;
    private AsyncProducer perMessage;
    private ExecutorService fallback;

    public BatchIngest(EventParser parser, CommittedOnlyIdempotentRepository committed, RowSplitter splitter,
                       BatchAggregator aggregator, IngestMetrics metrics, MessageStatusTracker tracker) {
        this.parser = parser;
        this.committed = committed;
        this.splitter = splitter;
        this.aggregator = aggregator;
        this.metrics = metrics;
        this.tracker = tracker;
    }

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.camelContext = camelContext;
    }

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }

    @Override
    protected void doStart() throws Exception {
        perMessage = camelContext.getEndpoint(PER_MESSAGE).createAsyncProducer();
        ServiceHelper.startService(perMessage);
        fallback = camelContext.getExecutorServiceManager().newSingleThreadExecutor(this, "ingest-batch-fallback");
    }

    @Override
    protected void doStop() {
        camelContext.getExecutorServiceManager().shutdownGraceful(fallback);
        ServiceHelper.stopService(perMessage);
    }

    /** Whether the body is a batch of message exchanges. */
    public static boolean isBatch(Object body) {
        return body instanceof List<?> list && !list.isEmpty() && list.get(0) instanceof Exchange;
    }

    @Override
    @SuppressWarnings("unchecked")
    public boolean process(Exchange exchange, AsyncCallback callback) {
        Object body = exchange.getMessage().getBody();
        if (!isBatch(body)) {
            return perMessage.process(exchange, callback);
        }
        Unit unit = new Unit();
        for (Exchange message : (List<Exchange>) body) {
            unit.take(message);
        }
        // Two parts: the messages routed one by one, and the unit; the batch is done when both are.
        AtomicInteger parts = new AtomicInteger(2);
        Runnable partDone = () -> {
            if (parts.decrementAndGet() == 0) {
                callback.done(false);
            }
        };
        perMessage(unit.each, partDone);
        if (unit.rows().isEmpty()) {
            partDone.run();
            return false;
        }
        Exchange write = new DefaultExchange(exchange.getContext());
        write.setProperty(IngestExchange.SOURCE, unit.fresh.get(0).getProperty(IngestExchange.SOURCE));
        write.getMessage().setBody(unit.rows());
        // Straight to the aggregator, one attempt: any failure sends the unit's messages the per-message
        // way, where commit-rows retries or dead-letters each on its own.
        aggregator.process(write, doneSync -> {
            if (write.getException() == null) {
                committed(unit, write.getProperty(IngestExchange.WRITTEN, BatchWriter.Result.class), partDone);
            } else {
                fallBack(unit, partDone);
            }
        });
        return false;
    }

    /**
     * The unit's rows are committed. Its bookkeeping (counting, remembering the keys, e.g. in Redis)
     * may fail; the messages are settled all the same: the rows are durable, and a message left
     * unsettled would hold its broker delivery, in-flight permit or poller until a restart.
     */
    private static void committed(Unit unit, BatchWriter.Result written, Runnable partDone) {
        try {
            unit.committed(written);
        } catch (RuntimeException e) {
            LOG.warn("{} messages committed, but remembering them as committed failed (a redelivery is written "
                    + "again, idempotently): {}", unit.fresh.size(), e.toString());
        } finally {
            partDone.run();
        }
    }

    /**
     * Message by message instead: each is retried, dead-lettered or handed back on its own. Not on this
     * thread (a batch writer): the per-message route may wait for the aggregator.
     */
    private void fallBack(Unit unit, Runnable partDone) {
        try {
            fallback.execute(() -> perMessage(unit.fresh, partDone));
        } catch (RuntimeException e) {
            // Stopping: the fallback takes no more work. Fail the messages, so the source redelivers them.
            for (Exchange message : unit.fresh) {
                message.setException(e);
            }
            partDone.run();
        }
    }

    /** Sends each message through {@code direct:ingest}; {@code done} runs once all of them are done. */
    private void perMessage(List<Exchange> messages, Runnable done) {
        if (messages.isEmpty()) {
            done.run();
            return;
        }
        AtomicInteger left = new AtomicInteger(messages.size());
        for (Exchange message : messages) {
            perMessage.process(message, doneSync -> {
                if (left.decrementAndGet() == 0) {
                    done.run();
                }
            });
        }
    }

    /** The messages of one batch, sorted into the unit commit and the per-message route. */
    private final class Unit {
        final CommitUnit events = new CommitUnit(committed, splitter, metrics);
        final List<Exchange> fresh = new ArrayList<>();
        final List<Exchange> each = new ArrayList<>();

        List<MetricRow> rows() {
            return events.rows();
        }

        void take(Exchange message) {
            String source = message.getProperty(IngestExchange.SOURCE, "unknown", String.class);
            if (tracker.tracks(source) || message.getProperty(IngestExchange.REPLAY, false, Boolean.class)) {
                each.add(message);
                return;
            }
            byte[] body = message.getMessage().getBody(byte[].class);
            IngestEvent event;
            try {
                event = parser.parse(body == null ? new byte[0] : body);
            } catch (InvalidMessageException e) {
                each.add(message); // dead-lettered there, with the field at fault, and counted once
                return;
            }
            // Validated: the per-message route, should the message go there, does not parse it again.
            message.setProperty(IngestExchange.EVENT, event);
            if (message.getProperty(IngestExchange.RECEIVED_AT) == null) {
                message.setProperty(IngestExchange.RECEIVED_AT, System.nanoTime());
            }
            Long enqueuedAt = message.removeProperty(IngestExchange.ENQUEUED_AT) instanceof Long l ? l : null;
            if (enqueuedAt != null && enqueuedAt > 0) {
                metrics.queueWait(source, enqueuedAt);
            }
            boolean isNew;
            try {
                isNew = events.add(source, event, message.getProperty(IngestExchange.RECEIVED_AT, Long.class));
            } catch (RuntimeException e) {
                // The committed-key store failed (e.g. Redis down): the per-message route meets the same
                // failure and settles the message by its retry budget, instead of failing the whole batch.
                each.add(message);
                return;
            }
            if (isNew) {
                fresh.add(message);
            }
        }

        /** The unit's rows are committed; {@code written} says which of them changed the table. */
        void committed(BatchWriter.Result written) {
            events.committed(written);
        }
    }
}
