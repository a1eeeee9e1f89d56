package routes.source.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.spi.ExecutorServiceManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import routes.pipeline.IngestExchange;
import routes.source.consumer.Backoff;
import routes.source.consumer.Decision;
import routes.source.consumer.Settlement;
import routes.source.consumer.SettlementRule;
import routes.source.consumer.SourceConsumer;

/**
 * What both modes of {@code redis-queue:} add to the shared consumer base: worker loops take entries
 * in batches and the base hands them to the route; a settler thread carries out the settlements —
 * acknowledging completed entries in batches, parking failed ones for a delayed retry — and retries
 * what Redis refused. A Redis error (a restart, a network cut) is logged and retried with back-off,
 * so the consumer resumes by itself.
 */
abstract class RedisQueueConsumerSupport extends SourceConsumer<RedisQueueConsumerSupport.Delivery> {

    private static final Logger LOG = LoggerFactory.getLogger(RedisQueueConsumerSupport.class);
    static final String SOURCE = "redis";
    private static final int SETTLE_BATCH = 2000;
    private static final Duration PERMIT_WAIT = Duration.ofSeconds(1);

    /**
     * One message taken from Redis: its Redis identity (a list entry's stamp, the entry being the stamp followed
     * by the payload; or the stream id), its body as the producer's bytes, and its prior deliveries.
     */
    record Delivery(byte[] id, byte[] payload, int priorAttempts) {
    }

    /** A settlement to carry out; {@code requeueAs}: the entry to park instead of the taken one (or null). */
    private record Outcome(Delivery delivery, Decision decision, Exception failure, byte[] requeueAs) {
    }

    protected final RedisQueueEndpoint endpoint;
    private final SettlementRule rule;
    private final LinkedBlockingQueue<Outcome> outcomes = new LinkedBlockingQueue<>();
    private ExecutorService settler;
    private ScheduledExecutorService maintenance;
    private volatile boolean settling;

    RedisQueueConsumerSupport(RedisQueueEndpoint endpoint, Processor processor) {
        super(endpoint, processor, endpoint.getMaxInFlight(), endpoint.getConcurrency(), endpoint.pool(),
                endpoint.getSource(), endpoint.getKey());
        this.endpoint = endpoint;
        this.rule = new SettlementRule(endpoint.retryDelay(), false);
    }

    /** Takes up to {@code max} entries; may block up to about a second when there are none. */
    protected abstract List<Delivery> take(int max) throws Exception;

    /** Acknowledges deliveries whose rows committed (or that were durably dead-lettered). */
    protected abstract void acknowledge(List<Delivery> done);

    /**
     * Makes Redis deliver this entry again later; {@code countsAsAttempt} false for a database outage;
     * {@code requeueAs} the entry to park instead of the taken one (null: the taken one).
     */
    protected abstract void redeliverLater(Delivery delivery, boolean countsAsAttempt, long delayMillis, byte[] requeueAs);

    /** Periodic work: recover stuck entries, move due retries. */
    protected abstract void maintain() throws Exception;

    /** Run once before polling starts (e.g. create the consumer group); retried until it works. */
    protected void prepare() throws Exception {
    }

    /** Run once at start, before the loops (each loop runs {@link #prepare} itself). */
    protected void beforeLoops() {
    }

    /** Run once the loops and the settler stopped (e.g. return what this instance still holds). */
    protected void afterStop() {
    }

    /** Whether this instance runs the periodic maintenance now. */
    protected boolean mayMaintain() {
        return endpoint.getComponent().gate().mayRecover();
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        settling = true;
        ExecutorServiceManager executors = getEndpoint().getCamelContext().getExecutorServiceManager();
        settler = executors.newSingleThreadExecutor(this, "redis-queue-settler");
        settler.execute(this::settle);
        maintenance = executors.newSingleThreadScheduledExecutor(this, "redis-queue-recoverer");
        long interval = endpoint.recoveryIntervalMillis();
        maintenance.scheduleWithFixedDelay(this::maintainSafely, interval, interval, TimeUnit.MILLISECONDS);
        beforeLoops();
        startWorkers("redis-queue-poller");
    }

    @Override
    protected void doStop() throws Exception {
        ExecutorServiceManager executors = getEndpoint().getCamelContext().getExecutorServiceManager();
        if (maintenance != null) {
            executors.shutdownNow(maintenance);
        }
        // Loops finish the entries they run (a synchronous route runs on them) within the shutdown timeout.
        stopWorkers(endpoint.getShutdownTimeout());
        // Entries in flight are settled when the pipeline completes them; what is not settled in time
        // stays in Redis and is recovered (after the visibility timeout, or at once: afterStop) — never lost.
        permits.awaitIdle(endpoint.getShutdownTimeout());
        settling = false;
        if (settler != null) {
            executors.shutdownGraceful(settler, 10_000);
        }
        afterStop();
        super.doStop();
    }

    @Override
    protected void work(BooleanSupplier keepGoing) {
        Backoff backoff = Backoff.forBroker();
        boolean prepared = false;
        while (keepGoing.getAsBoolean()) {
            int granted = 0;
            try {
                if (!prepared) {
                    prepare();
                    prepared = true;
                }
                granted = permits.acquireUpTo(endpoint.getBatchSize(), PERMIT_WAIT);
                if (granted == 0) {
                    continue;
                }
                List<Delivery> taken = take(granted);
                permits.release(granted - taken.size());
                granted = 0;
                dispatch(taken, endpoint.isBatching());
                backoff.succeeded();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                permits.release(granted);
                prepared = false; // a restarted Redis may have lost the consumer group
                if (!running) {
                    return;
                }
                LOG.warn("Redis {} unavailable ({}); retrying in {} ms", endpoint.getKey(), e.getMessage(),
                        backoff.currentMillis());
                if (!backoff.pauseAfterFailure()) {
                    return;
                }
            }
        }
    }

    @Override
    protected Exchange exchangeOf(Delivery delivery) {
        Exchange exchange = createExchange(false);
        exchange.getMessage().setBody(delivery.payload());
        exchange.setProperty(IngestExchange.SOURCE, source());
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

    @Override
    protected void completed(Delivery delivery, Exchange exchange, Exception batchFailure) {
        Exception failure = failureOf(exchange, batchFailure);
        Decision decision = rule.decide(failure, delivery.priorAttempts() + 1, false, !running);
        byte[] requeueAs = failure == null ? null : exchange.getProperty(RedisQueueEndpoint.REQUEUE_AS, byte[].class);
        outcomes.add(new Outcome(delivery, decision, failure, requeueAs));
        permits.release(1);
    }

    /** Carries out settlements: acks in batches, parks failures; keeps what Redis refused and tries again. */
    private void settle() {
        List<Outcome> drained = new ArrayList<>();
        Backoff backoff = Backoff.forBroker();
        while (settling || !outcomes.isEmpty() || permits.inFlight() > 0) {
            try {
                if (drained.isEmpty()) {
                    Outcome first = outcomes.poll(200, TimeUnit.MILLISECONDS);
                    if (first == null) {
                        continue;
                    }
                    drained.add(first);
                    outcomes.drainTo(drained, SETTLE_BATCH - 1);
                }
                Batch batch = new Batch();
                for (Outcome o : drained) {
                    batch.settle(o);
                }
                if (!batch.acks.isEmpty()) {
                    acknowledge(batch.acks);
                }
                drained.removeIf(o -> o.decision().kind() != Decision.Kind.RETRY_LATER);
                while (!drained.isEmpty()) {
                    Outcome o = drained.get(0);
                    LOG.debug("Redelivering {} entry (attempt {}) in {}: {}", endpoint.getKey(),
                            o.delivery().priorAttempts() + 1, o.decision().delay(), o.failure().getMessage());
                    redeliverLater(o.delivery(), o.decision().countsAsAttempt(), o.decision().delay().toMillis(),
                            o.requeueAs());
                    drained.remove(0);
                }
                backoff.succeeded();
            } catch (InterruptedException e) {
                if (!settling) {
                    return;
                }
            } catch (Exception e) {
                LOG.warn("Cannot settle {} entries of {} now ({}); retrying in {} ms", drained.size(),
                        endpoint.getKey(), e.getMessage(), backoff.currentMillis());
                if (!backoff.pauseAfterFailure()) {
                    return;
                }
            }
        }
    }

    /** Sorts one drained batch: acks gathered for one call; retries are carried out one by one after them. */
    private static final class Batch implements Settlement<Outcome> {
        final List<Delivery> acks = new ArrayList<>();

        void settle(Outcome o) {
            settle(o, o.decision(), o.failure());
        }

        @Override
        public void ack(Outcome o) {
            acks.add(o.delivery());
        }

        @Override
        public void retryLater(Outcome o, Decision decision, Exception failure) {
            // carried out after the acks, in order
        }

        @Override
        public void keep(Outcome o, Decision decision, Exception failure) {
            // Interrupted by a stop: it stays where it was taken to, and is returned or recovered from there.
        }
    }

    private void maintainSafely() {
        if (!mayMaintain()) {
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
        return permits.tryReserve(wanted);
    }

    protected void release(int n) {
        permits.release(n);
    }

    @Override
    protected long backlog() {
        try {
            return queueLength();
        } catch (RuntimeException e) {
            return -1;
        }
    }

    /** Entries waiting to be taken. */
    protected abstract long queueLength();
}
