package routes.source.consumer;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.camel.AsyncCallback;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.spi.ExecutorServiceManager;
import org.apache.camel.support.DefaultConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import routes.pipeline.IngestExchange;
import routes.pool.BacklogScaler;

/**
 * What every broker consumer shares: a pool of worker loops (sized by the backlog when
 * {@link PoolOptions} allow it, shown as {@code ingest_workers{source,queue}}), in-flight permits, and
 * the hand-off to the route: the messages a loop took become message exchanges, dispatched
 * asynchronously one by one or, with batching, as one batch exchange whose body is their list
 * ({@link routes.pipeline.MessageBatch}). When the route is done, each message is settled by its own
 * outcome through {@link #completed}. A source adds only what is its own: taking messages
 * ({@link #work}), turning one into an exchange, and its {@link Settlement}.
 *
 * @param <D> the source's handle of one delivery
 */
public abstract class SourceConsumer<D> extends DefaultConsumer {

    private static final Logger LOG = LoggerFactory.getLogger(SourceConsumer.class);
    /** The gauge of the pool's size, per source and queue. */
    public static final String WORKERS_GAUGE = "ingest.workers";

    protected final InFlightPermits permits;
    private final PoolOptions pool;
    private final int concurrency;
    private final String source;
    private final String queue;
    private WorkerPool workers;
    private ScheduledExecutorService scaling;
    private Gauge gauge;
    private MeterRegistry registry;
    protected volatile boolean running;

    protected SourceConsumer(Endpoint endpoint, Processor processor, int maxInFlight, int concurrency, PoolOptions pool,
                             String source, String queue) {
        super(endpoint, processor);
        this.permits = new InFlightPermits(maxInFlight);
        this.concurrency = concurrency;
        this.pool = pool;
        this.source = source;
        this.queue = queue;
    }

    /** One worker's loop: take messages and {@link #dispatch} them while {@code keepGoing}. */
    protected abstract void work(BooleanSupplier keepGoing);

    /** The message exchange of one delivery (body, headers and the pipeline's properties). */
    protected abstract Exchange exchangeOf(D delivery);

    /**
     * The route is done with a delivery: settle it. {@code failure} is its exchange's exception, or its
     * batch's when the batch failed as a whole; null when it succeeded. Releases nothing by itself.
     */
    protected abstract void completed(D delivery, Exchange message, Exception failure);

    /** Messages waiting in the broker, for the pool's size; negative when unknown. */
    protected long backlog() {
        return -1;
    }

    /** Starts the worker loops (and the scaler); call at the end of {@code doStart}. */
    protected void startWorkers(String threadName) {
        running = true;
        ExecutorServiceManager executors = getEndpoint().getCamelContext().getExecutorServiceManager();
        workers = new WorkerPool(executors, this, threadName, this::work);
        workers.resize(pool.min(concurrency));
        registerGauge();
        if (pool.scales(concurrency)) {
            BacklogScaler scaler = pool.scaler(concurrency);
            scaling = executors.newSingleThreadScheduledExecutor(this, threadName + "-scaler");
            long every = pool.getScaleInterval().toMillis();
            scaling.scheduleWithFixedDelay(() -> scale(scaler), every, every, TimeUnit.MILLISECONDS);
        }
    }

    private void scale(BacklogScaler scaler) {
        try {
            WorkerPool w = workers;
            if (w != null && running) {
                int next = scaler.next(w.size(), backlog());
                if (next != w.size()) {
                    w.resize(next);
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("{} {}: scaling check failed: {}", source, queue, e.toString());
        }
    }

    /**
     * Stops the loops: they finish what they took within {@code timeout}, then are interrupted.
     * Settling what is still in flight is the source's.
     */
    protected void stopWorkers(Duration timeout) {
        running = false;
        ExecutorServiceManager executors = getEndpoint().getCamelContext().getExecutorServiceManager();
        if (scaling != null) {
            executors.shutdownNow(scaling);
            scaling = null;
        }
        if (workers != null) {
            workers.stop(timeout);
            workers = null;
        }
        if (gauge != null && registry != null) {
            registry.remove(gauge);
            gauge = null;
        }
    }

    /** Consumer loops running now. */
    public int poolSize() {
        WorkerPool w = workers;
        return w == null ? 0 : w.size();
    }

    private void registerGauge() {
        registry = meterRegistry();
        if (registry != null) {
            gauge = Gauge.builder(WORKERS_GAUGE, this, SourceConsumer::poolSize)
                    .tag("source", source).tag("queue", queue).description("Consumer loops of a source")
                    .register(registry);
        }
    }

    private MeterRegistry meterRegistry() {
        var camelRegistry = getEndpoint().getCamelContext().getRegistry();
        MeterRegistry single = camelRegistry.findSingleByType(MeterRegistry.class);
        if (single != null) {
            return single;
        }
        Set<MeterRegistry> all = camelRegistry.findByType(MeterRegistry.class);
        return all.stream().filter(r -> r instanceof io.micrometer.core.instrument.composite.CompositeMeterRegistry)
                .findFirst().orElse(all.stream().findFirst().orElse(null));
    }

    /**
     * Hands taken deliveries to the route; the caller holds one in-flight permit per delivery, which
     * {@link #completed} releases (directly or once settled).
     */
    protected void dispatch(List<D> deliveries, boolean batching) {
        if (deliveries.isEmpty()) {
            return;
        }
        if (batching) {
            dispatchBatch(deliveries);
            return;
        }
        for (D delivery : deliveries) {
            Exchange exchange = exchangeOf(delivery);
            try {
                getAsyncProcessor().process(exchange, doneSync -> completed(delivery, exchange, null));
            } catch (RuntimeException e) {
                // Asynchronous processors report through the exchange; this only makes sure it is settled.
                exchange.setException(e);
                completed(delivery, exchange, null);
            }
        }
    }

    /** One exchange for all: the route's outcome of each message exchange settles its delivery. */
    private void dispatchBatch(List<D> deliveries) {
        List<Exchange> messages = new ArrayList<>(deliveries.size());
        for (D delivery : deliveries) {
            messages.add(exchangeOf(delivery));
        }
        Exchange batch = createExchange(false);
        batch.getMessage().setBody(messages);
        batch.setProperty(IngestExchange.SOURCE, source);
        batch.setProperty(IngestExchange.QUEUE, queue);
        AsyncCallback done = doneSync -> {
            Exception batchFailure = batch.getException();
            for (int i = 0; i < deliveries.size(); i++) {
                completed(deliveries.get(i), messages.get(i), batchFailure);
            }
        };
        try {
            getAsyncProcessor().process(batch, done);
        } catch (RuntimeException e) {
            batch.setException(e);
            done.done(false);
        }
    }

    /** The message's failure: its own exception, else its batch's. */
    protected static Exception failureOf(Exchange message, Exception batchFailure) {
        return message.getException() != null ? message.getException() : batchFailure;
    }

    protected String source() {
        return source;
    }

    protected String queue() {
        return queue;
    }
}
