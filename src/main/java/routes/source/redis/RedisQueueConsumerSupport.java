package routes.source.redis;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.apache.camel.AsyncCallback;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.spi.ExecutorServiceManager;
import org.apache.camel.support.DefaultConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import routes.pipeline.DatabaseUnavailableException;
import routes.pipeline.IngestExchange;

/**
 * What both modes of {@code redis-queue:} share: poller threads take entries in batches, hand each to
 * the route asynchronously (many in flight, so the pipeline can batch their rows), and a settler thread
 * acknowledges completed entries in batches or redelivers failed ones. A Redis error (a restart, a
 * network cut) is logged and retried with back-off, so the consumer resumes by itself.
 */
abstract class RedisQueueConsumerSupport extends DefaultConsumer {

    private static final Logger LOG = LoggerFactory.getLogger(RedisQueueConsumerSupport.class);
    static final String SOURCE = "redis";
    private static final int SETTLE_BATCH = 2000;

    /**
     * One message taken from Redis: its Redis identity (the list entry's exact bytes, or the stream id),
     * its body as the producer's bytes, and its prior deliveries.
     */
    record Delivery(byte[] id, byte[] payload, int priorAttempts) {
    }

    /** How the route completed a delivery; failure null = success. */
    private record Outcome(Delivery delivery, Exception failure) {
    }

    protected final RedisQueueEndpoint endpoint;
    private final Semaphore inFlight;
    private final LinkedBlockingQueue<Outcome> outcomes = new LinkedBlockingQueue<>();
    private ExecutorService pollers;
    private ExecutorService settler;
    private ScheduledExecutorService maintenance;
    protected volatile boolean running;

    RedisQueueConsumerSupport(RedisQueueEndpoint endpoint, Processor processor) {
        super(endpoint, processor);
        this.endpoint = endpoint;
        this.inFlight = new Semaphore(endpoint.getMaxInFlight());
    }

    /** Takes up to {@code max} entries; may block up to about a second when there are none. */
    protected abstract List<Delivery> take(int max) throws Exception;

    /** Acknowledges deliveries whose rows committed (or that were durably dead-lettered). */
    protected abstract void acknowledge(List<Delivery> done);

    /** Makes Redis deliver this entry again later; {@code countsAsAttempt} false for a database outage. */
    protected abstract void redeliverLater(Delivery delivery, boolean countsAsAttempt, long delayMillis);

    /** Periodic work: recover stuck entries, move due retries. */
    protected abstract void maintain() throws Exception;

    /** Run once before polling starts (e.g. create the consumer group); retried until it works. */
    protected void prepare() throws Exception {
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        running = true;
        ExecutorServiceManager executors = getEndpoint().getCamelContext().getExecutorServiceManager();
        pollers = executors.newFixedThreadPool(this, "redis-queue-poller", endpoint.getConcurrency());
        for (int i = 0; i < endpoint.getConcurrency(); i++) {
            pollers.execute(this::poll);
        }
        settler = executors.newSingleThreadExecutor(this, "redis-queue-settler");
        settler.execute(this::settle);
        maintenance = executors.newSingleThreadScheduledExecutor(this, "redis-queue-recoverer");
        long interval = endpoint.recoveryIntervalMillis();
        maintenance.scheduleWithFixedDelay(this::maintainSafely, interval, interval, TimeUnit.MILLISECONDS);
    }

    @Override
    protected void doStop() throws Exception {
        running = false;
        ExecutorServiceManager executors = getEndpoint().getCamelContext().getExecutorServiceManager();
        if (maintenance != null) {
            executors.shutdownNow(maintenance);
        }
        if (pollers != null) {
            executors.shutdownGraceful(pollers, 5000);
        }
        // Entries in flight are settled when the pipeline completes them; what is not settled in time
        // stays in Redis and is recovered after the visibility timeout — never lost.
        int max = endpoint.getMaxInFlight();
        if (inFlight.tryAcquire(max, 30, TimeUnit.SECONDS)) {
            inFlight.release(max);
        }
        if (settler != null) {
            executors.shutdownGraceful(settler, 10_000);
        }
        super.doStop();
    }

    private void poll() {
        long backoff = 100;
        boolean prepared = false;
        while (running) {
            int batch = endpoint.getBatchSize();
            boolean acquired = false;
            try {
                if (!prepared) {
                    prepare();
                    prepared = true;
                }
                if (!inFlight.tryAcquire(batch, 1, TimeUnit.SECONDS)) {
                    continue;
                }
                acquired = true;
                List<Delivery> taken = take(batch);
                acquired = false;
                inFlight.release(batch - taken.size());
                dispatch(taken);
                backoff = 100;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                if (acquired) {
                    inFlight.release(batch);
                }
                prepared = false; // a restarted Redis may have lost the consumer group
                if (!running) {
                    return;
                }
                LOG.warn("Redis {} unavailable ({}); retrying in {} ms", endpoint.getKey(), e.getMessage(), backoff);
                if (!pause(backoff)) {
                    return;
                }
                backoff = Math.min(backoff * 2, 5000);
            }
        }
    }

    /** Hands taken entries to the route; the caller holds one in-flight permit per entry. */
    protected void dispatch(List<Delivery> taken) {
        if (taken.isEmpty()) {
            return;
        }
        List<Exchange> messages = new ArrayList<>(taken.size());
        for (Delivery delivery : taken) {
            messages.add(exchangeOf(delivery));
        }
        if (endpoint.isBatching()) {
            dispatchBatch(taken, messages);
            return;
        }
        for (int i = 0; i < taken.size(); i++) {
            Delivery delivery = taken.get(i);
            Exchange exchange = messages.get(i);
            try {
                getAsyncProcessor().process(exchange, doneSync -> completed(delivery, exchange, null));
            } catch (RuntimeException e) {
                exchange.setException(e);
                completed(delivery, exchange, null);
            }
        }
    }

    /** One exchange for all: the route's outcome of each message exchange settles its entry. */
    private void dispatchBatch(List<Delivery> taken, List<Exchange> messages) {
        Exchange batch = createExchange(false);
        batch.getMessage().setBody(messages);
        batch.setProperty(IngestExchange.SOURCE, SOURCE);
        batch.setProperty(IngestExchange.QUEUE, endpoint.getKey());
        AsyncCallback done = doneSync -> {
            for (int i = 0; i < taken.size(); i++) {
                completed(taken.get(i), messages.get(i), batch.getException());
            }
        };
        try {
            getAsyncProcessor().process(batch, done);
        } catch (RuntimeException e) {
            batch.setException(e);
            done.done(false);
        }
    }

    private Exchange exchangeOf(Delivery delivery) {
        Exchange exchange = createExchange(false);
        exchange.getMessage().setBody(delivery.payload());
        exchange.setProperty(IngestExchange.SOURCE, SOURCE);
        exchange.setProperty(IngestExchange.QUEUE, endpoint.getKey());
        exchange.setProperty(IngestExchange.PRIOR_ATTEMPTS, delivery.priorAttempts());
        exchange.setProperty(IngestExchange.RETRY_IN_PROCESS, false);
        exchange.setProperty(IngestExchange.RECEIVED_AT, System.nanoTime());
        Long enqueuedAt = EnqueuedAt.of(delivery.payload());
        if (enqueuedAt != null) {
            exchange.setProperty(IngestExchange.ENQUEUED_AT, enqueuedAt);
        }
        return exchange;
    }

    /** {@code batchFailure}: the batch exchange failed as a whole (then every entry of it counts as failed). */
    private void completed(Delivery delivery, Exchange exchange, Exception batchFailure) {
        Exception failure = exchange.getException() != null ? exchange.getException() : batchFailure;
        outcomes.add(new Outcome(delivery, failure));
        inFlight.release();
    }

    /** Acknowledges successes in batches, redelivers failures; keeps what Redis refused and tries again. */
    private void settle() {
        List<Outcome> drained = new ArrayList<>();
        long backoff = 100;
        while (running || !outcomes.isEmpty() || inFlight.availablePermits() < endpoint.getMaxInFlight()) {
            try {
                if (drained.isEmpty()) {
                    Outcome first = outcomes.poll(200, TimeUnit.MILLISECONDS);
                    if (first == null) {
                        continue;
                    }
                    drained.add(first);
                    outcomes.drainTo(drained, SETTLE_BATCH - 1);
                }
                List<Delivery> done = new ArrayList<>(drained.size());
                List<Outcome> failed = new ArrayList<>();
                for (Outcome o : drained) {
                    if (o.failure() == null) {
                        done.add(o.delivery());
                    } else {
                        failed.add(o);
                    }
                }
                if (!done.isEmpty()) {
                    acknowledge(done);
                }
                drained.removeIf(o -> o.failure() == null);
                for (Outcome o : failed) {
                    boolean outage = isOutage(o.failure());
                    int attempts = o.delivery().priorAttempts() + 1;
                    long delay = endpoint.getComponent().redelivery().delayAfter(attempts).toMillis();
                    LOG.debug("Redelivering {} entry (attempt {}) in {} ms: {}", endpoint.getKey(), attempts, delay,
                            o.failure().getMessage());
                    redeliverLater(o.delivery(), !outage, delay);
                    drained.remove(o);
                }
                backoff = 100;
            } catch (InterruptedException e) {
                if (!running) {
                    return;
                }
            } catch (Exception e) {
                LOG.warn("Cannot settle {} entries of {} now ({}); retrying in {} ms", drained.size(),
                        endpoint.getKey(), e.getMessage(), backoff);
                if (!pause(backoff)) {
                    return;
                }
                backoff = Math.min(backoff * 2, 5000);
            }
        }
    }

    private void maintainSafely() {
        if (!endpoint.getComponent().gate().mayRecover()) {
            return;
        }
        try {
            maintain();
        } catch (Exception e) {
            LOG.debug("Redis maintenance of {} skipped: {}", endpoint.getKey(), e.getMessage());
        }
    }

    /** Takes permits for entries found by maintenance (reclaimed stream entries); 0 when none are free. */
    protected int tryReserve(int wanted) {
        int max = Math.min(wanted, inFlight.availablePermits());
        return max > 0 && inFlight.tryAcquire(max) ? max : 0;
    }

    protected void release(int permits) {
        inFlight.release(permits);
    }

    private static boolean isOutage(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof DatabaseUnavailableException) {
                return true;
            }
        }
        return false;
    }

    private static boolean pause(long millis) {
        try {
            Thread.sleep(millis);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
