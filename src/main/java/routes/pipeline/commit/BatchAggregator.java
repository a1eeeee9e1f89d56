package routes.pipeline.commit;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.AsyncCallback;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.Exchange;
import org.apache.camel.support.AsyncProcessorSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import routes.config.IngestProperties;
import routes.ops.IngestMetrics;
import routes.pipeline.ErrorType;
import routes.pipeline.IngestExchange;
import routes.pipeline.split.MetricRow;

/**
 * The aggregator of the pipeline: gathers the rows of many messages into batches (by size and
 * timeout) and completes each message's exchange only once its rows are committed — so a source
 * acknowledges a message only after commit. Camel's Aggregate EIP completes the incoming exchange
 * as soon as it is stored, which would ack before the write (docs/adr/0001-commit-gated-batching.md).
 *
 * <p>Asynchronous: {@link #process(Exchange, AsyncCallback)} returns at once and the callback runs
 * on a writer thread after the commit, so no consumer thread waits for a batch. When the write
 * fails, a batch of several messages is split in halves and written again, so that a message the
 * database refuses fails alone ({@link RowRejectedException}) and the others commit.
 */
public class BatchAggregator extends AsyncProcessorSupport implements CamelContextAware {

    private static final Logger LOG = LoggerFactory.getLogger(BatchAggregator.class);

    private final BatchWriter writer;
    private final CommitParticipant participant;
    private final IngestMetrics metrics;
    private final IngestProperties.Batch config;
    private final BlockingQueue<Pending> incoming = new LinkedBlockingQueue<>();
    private final BlockingQueue<List<Pending>> batches;
    private final Semaphore pendingRows;
    private CamelContext camelContext;
    /** The collector and the writers: threads of Camel's ExecutorServiceManager. */
    private ExecutorService collector;
    private ExecutorService writers;
    private final AtomicInteger inflight = new AtomicInteger();
    /** Writers waiting for a batch: while one waits, the collector does not hold rows back. */
    private final AtomicInteger idleWriters = new AtomicInteger();
    private volatile boolean running;

    public BatchAggregator(BatchWriter writer, CommitParticipant participant, IngestMetrics metrics,
                           IngestProperties.Batch config) {
        this.writer = writer;
        this.participant = participant;
        this.metrics = metrics;
        this.config = config;
        this.batches = new ArrayBlockingQueue<>(config.writers());
        this.pendingRows = new Semaphore(config.maxPendingRows());
        metrics.inflight(inflight::get);
    }

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.camelContext = camelContext;
    }

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }

    /** One message waiting for its rows to commit. */
    private record Pending(Exchange exchange, AsyncCallback callback, List<MetricRow> rows, long arrivedNanos) {
    }

    @Override
    @SuppressWarnings("unchecked")
    public boolean process(Exchange exchange, AsyncCallback callback) {
        List<MetricRow> rows = exchange.getMessage().getBody(List.class);
        if (rows.isEmpty()) {
            callback.done(true); // nothing to write (e.g. a request of duplicates only)
            return true;
        }
        if (!running) {
            exchange.setException(new IllegalStateException("the batch aggregator is stopped"));
            callback.done(true);
            return true;
        }
        try {
            // Back-pressure: a source whose rows cannot be written fast enough waits here.
            pendingRows.acquire(Math.min(rows.size(), config.maxPendingRows()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            exchange.setException(e);
            callback.done(true);
            return true;
        }
        inflight.incrementAndGet();
        incoming.add(new Pending(exchange, callback, rows, System.nanoTime()));
        return false;
    }

    @Override
    protected void doStart() {
        running = true;
        var executors = camelContext.getExecutorServiceManager();
        collector = executors.newSingleThreadExecutor(this, "ingest-batch-collector");
        writers = executors.newFixedThreadPool(this, "ingest-batch-writer", config.writers());
        collector.execute(this::collect);
        for (int i = 0; i < config.writers(); i++) {
            writers.execute(this::writeBatches);
        }
    }

    @Override
    protected void doStop() throws InterruptedException {
        running = false;
        var executors = camelContext.getExecutorServiceManager();
        for (ExecutorService pool : new ExecutorService[] {collector, writers}) {
            if (pool != null) {
                executors.shutdownNow(pool);
                executors.awaitTermination(pool, 5000);
            }
        }
        collector = null;
        writers = null;
        // Anything still waiting was never written: fail it, so the source redelivers it.
        List<Pending> left = new ArrayList<>();
        incoming.drainTo(left);
        List<List<Pending>> queued = new ArrayList<>();
        batches.drainTo(queued);
        queued.forEach(left::addAll);
        for (Pending p : left) {
            finish(p, new IllegalStateException("stopped before the batch was written"));
        }
    }

    /**
     * Fills batches: up to {@code size} rows; a batch leaves early when a writer is free (so a quiet
     * pipeline commits at once instead of waiting out the timeout), and at the latest {@code timeout}
     * after its first message arrived. While every writer is busy, rows keep gathering: batches grow
     * with the load (group commit).
     */
    private void collect() {
        long timeoutNanos = config.timeout().toNanos();
        long idleCheckNanos = TimeUnit.MILLISECONDS.toNanos(1);
        List<Pending> batch = null;
        try {
            while (running) {
                Pending first = incoming.take();
                batch = new ArrayList<>();
                batch.add(first);
                int rows = first.rows().size();
                long deadline = first.arrivedNanos() + timeoutNanos;
                while (rows < config.size()) {
                    Pending next = incoming.poll();
                    if (next == null) {
                        long wait = deadline - System.nanoTime();
                        if (wait <= 0 || idleWriters.get() > 0) {
                            break;
                        }
                        next = incoming.poll(Math.min(wait, idleCheckNanos), TimeUnit.NANOSECONDS);
                        if (next == null) {
                            continue;
                        }
                    }
                    batch.add(next);
                    rows += next.rows().size();
                }
                // Blocks while every writer is busy; rows keep arriving in {@code incoming}, so the
                // next batch leaves full: batches grow with the load.
                batches.put(batch);
                batch = null;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            // Stopped with a batch in hand (gathering, or waiting for a writer): neither queue holds it,
            // so fail it here, or its messages would never complete.
            if (batch != null) {
                batch.forEach(p -> finish(p, new IllegalStateException("stopped before the batch was written")));
            }
        }
    }

    private void writeBatches() {
        try {
            while (running) {
                idleWriters.incrementAndGet();
                List<Pending> batch;
                try {
                    batch = batches.take();
                } finally {
                    idleWriters.decrementAndGet();
                }
                write(batch);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void write(List<Pending> batch) {
        List<MetricRow> rows = new ArrayList<>();
        for (Pending p : batch) {
            rows.addAll(p.rows());
        }
        BatchWriter.Result written;
        try {
            written = writer.write(rows, participant.inCommitOf(exchanges(batch)));
        } catch (RuntimeException e) {
            DatabaseErrors.Kind kind = DatabaseErrors.classify(e);
            if (kind == DatabaseErrors.Kind.UNAVAILABLE) {
                LOG.warn("Database unavailable, {} messages will be retried: {}", batch.size(), e.getMessage());
                batch.forEach(p -> finish(p, new DatabaseUnavailableException(e)));
            } else if (batch.size() > 1) {
                LOG.info("Batch of {} messages failed ({}), writing it in halves to find the cause", batch.size(),
                        e.getMessage());
                int half = batch.size() / 2;
                write(new ArrayList<>(batch.subList(0, half)));
                write(new ArrayList<>(batch.subList(half, batch.size())));
            } else if (kind == DatabaseErrors.Kind.REJECTED) {
                finish(batch.get(0), new RowRejectedException(e));
            } else {
                finish(batch.get(0), new BatchFailedException(e));
            }
            return;
        }
        metrics.batch(rows.size());
        for (Pending p : batch) {
            p.exchange().setProperty(IngestExchange.WRITTEN, written);
            finish(p, null);
        }
    }

    private static List<Exchange> exchanges(List<Pending> batch) {
        List<Exchange> exchanges = new ArrayList<>(batch.size());
        for (Pending p : batch) {
            exchanges.add(p.exchange());
        }
        return exchanges;
    }

    private static String errorType(Exception failure) {
        if (failure instanceof DatabaseUnavailableException) {
            return ErrorType.DATABASE_UNAVAILABLE.label();
        }
        if (failure instanceof RowRejectedException) {
            return ErrorType.REJECTED.label();
        }
        return (failure instanceof BatchFailedException ? ErrorType.DATABASE : ErrorType.INTERNAL).label();
    }

    private void finish(Pending p, Exception failure) {
        pendingRows.release(Math.min(p.rows().size(), config.maxPendingRows()));
        inflight.decrementAndGet();
        if (failure != null) {
            metrics.error(p.exchange().getProperty(IngestExchange.SOURCE, "unknown", String.class), errorType(failure));
            p.exchange().setException(failure);
        }
        try {
            p.callback().done(false);
        } catch (RuntimeException e) {
            LOG.error("Completing exchange {} failed", p.exchange().getExchangeId(), e);
        }
    }
}
