package routes.source.nats;

import io.nats.client.JetStream;
import io.nats.client.JetStreamSubscription;
import io.nats.client.PullSubscribeOptions;
import io.nats.client.Message;
import io.nats.client.impl.Headers;
import io.nats.client.impl.NatsJetStreamMetaData;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.camel.AsyncCallback;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.support.DefaultConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import routes.config.IngestProperties;
import routes.pipeline.DatabaseUnavailableException;
import routes.pipeline.IngestExchange;

/**
 * JetStream durable pull consumer → the route: {@code concurrency} loops pull batches and hand every
 * message to the route asynchronously (a pull's messages are in flight together, so the pipeline can
 * batch them). When the route completes the exchange: success → ack; failure → nak with the back-off
 * delay so JetStream redelivers; on the last delivery, or while the database is down, the message is
 * kept (in progress) and retried here, because a nak would burn or exceed the attempt limit.
 * Messages in flight longer than a third of ack_wait are kept alive with in-progress acks.
 *
 * <p>The attempt limit ({@code maxDeliver}) is this consumer's, not JetStream's: the server-side consumer
 * delivers without limit ({@link JetStreamTopology}), so a message whose last delivery died with the
 * process, or whose ack was lost, comes again. Such a delivery (beyond the limit) gets its one attempt:
 * it commits, or its failure finds the budget spent and it is dead-lettered.
 */
public class JetStreamConsumer extends DefaultConsumer {

    private static final Logger LOG = LoggerFactory.getLogger(JetStreamConsumer.class);
    /** Header with JetStream's delivery count of the message (1 = first delivery). */
    public static final String DELIVERED = "JetStreamDelivered";
    /** Header with the message's stream sequence. */
    public static final String STREAM_SEQUENCE = "JetStreamStreamSequence";
    private static final Duration ERROR_PAUSE = Duration.ofSeconds(1);
    /** How often an idle loop looks whether it is to stop. */
    private static final Duration POLL = Duration.ofMillis(500);
    private static final Duration EMPTY_PULL_PAUSE = Duration.ofMillis(100);

    private final JetStreamEndpoint endpoint;
    /** Pulls that ended at once without messages (each followed by {@link #EMPTY_PULL_PAUSE}). */
    private final AtomicLong emptyPulls = new AtomicLong();
    private final IngestProperties.Redelivery redelivery;
    /** Messages handed to the route and not yet acked or nakked, with when they were last kept alive. */
    private final Map<Message, Long> inFlight = new ConcurrentHashMap<>();
    /** One permit per message dispatched and not yet settled: at most maxInFlight per consumer. */
    private volatile Semaphore permits;
    private ExecutorService loops;
    private ScheduledExecutorService scheduler;
    private volatile boolean running;

    public JetStreamConsumer(JetStreamEndpoint endpoint, Processor processor) {
        super(endpoint, processor);
        this.endpoint = endpoint;
        this.redelivery = endpoint.getComponent().redelivery();
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        // NATS may be down now: each loop waits for the connection (and the checked stream and durable) itself.
        NatsConnector nats = endpoint.getComponent().connector();
        running = true;
        permits = new Semaphore(endpoint.getMaxInFlight());
        var executors = getEndpoint().getCamelContext().getExecutorServiceManager();
        scheduler = executors.newScheduledThreadPool(this, "jetstream-" + endpoint.getDurable() + "-keepalive", 1);
        long keepAlive = Math.max(1000, endpoint.getAckWait().toMillis() / 3);
        scheduler.scheduleWithFixedDelay(this::keepAlive, keepAlive, keepAlive, TimeUnit.MILLISECONDS);
        loops = executors.newFixedThreadPool(this, "jetstream-" + endpoint.getDurable(), endpoint.getConcurrency());
        for (int i = 0; i < endpoint.getConcurrency(); i++) {
            loops.execute(() -> pullLoop(nats));
        }
        LOG.info("Consuming JetStream {} / {} with {} pull loops of {} messages", endpoint.getStream(),
                endpoint.getDurable(), endpoint.getConcurrency(), endpoint.getBatchSize());
    }

    @Override
    protected void doStop() throws Exception {
        running = false;
        var executors = getEndpoint().getCamelContext().getExecutorServiceManager();
        if (loops != null) {
            executors.shutdownGraceful(loops);
            loops = null;
        }
        if (scheduler != null) {
            executors.shutdownNow(scheduler);
            scheduler = null;
        }
        LOG.info("JetStream {} / {}: {} pulls had ended at once without messages", endpoint.getStream(),
                endpoint.getDurable(), emptyPulls.get());
        // Whatever is still in flight is not acked: JetStream redelivers it after ack_wait.
        super.doStop();
    }

    /**
     * Pulls and dispatches until stopped, on one long-lived pull subscription bound to the durable.
     * A pull asks only for as many messages as there are free in-flight permits, so a message is never
     * left waiting in the client's buffer, where nothing would keep it alive past ack_wait (JetStream
     * would redeliver it meanwhile and spend its max_deliver). Messages arriving after a pull expired
     * stay in the subscription and come with the next pull. On any error (NATS restarting, the
     * consumer gone) the loop pauses, subscribes again and goes on.
     */
    private void pullLoop(NatsConnector nats) {
        boolean failing = false;
        JetStreamSubscription subscription = null;
        while (running && isRunAllowed()) {
            int granted = 0;
            int dispatched = 0;
            List<Message> chunk = new ArrayList<>();
            try {
                if (subscription == null || !subscription.isActive()) {
                    JetStream jetStream = nats.jetStream(endpoint.durableSpec(), POLL);
                    if (jetStream == null) {
                        continue; // not connected within POLL: look again whether to stop, then wait again
                    }
                    subscription = jetStream.subscribe(endpoint.getSubject(),
                            PullSubscribeOptions.bind(endpoint.getStream(), endpoint.getDurable()));
                }
                granted = acquireUpTo(endpoint.getBatchSize());
                if (granted == 0) {
                    continue;
                }
                long pulledAt = System.nanoTime();
                Iterator<Message> messages = subscription.iterate(granted, endpoint.getFetchTimeout());
                while (messages.hasNext()) {
                    Message message = messages.next();
                    if (!message.isJetStream()) {
                        continue;
                    }
                    dispatched++;
                    if (!endpoint.isBatching()) {
                        dispatch(message, 0);
                        continue;
                    }
                    chunk.add(message);
                    // Hand the chunk on once nothing more waits in the stream: the pull would otherwise
                    // hold it until it fills or expires.
                    if (message.metaData().pendingCount() == 0) {
                        chunk = dispatchBatch(chunk);
                    }
                }
                chunk = dispatchBatch(chunk);
                if (dispatched == 0 && System.nanoTime() - pulledAt < EMPTY_PULL_PAUSE.toNanos()) {
                    // A pull that ended at once with nothing (the server answered with a status, e.g.
                    // just after a restart) is not sent again at once: a loop of them floods its API.
                    emptyPulls.incrementAndGet();
                    Thread.sleep(EMPTY_PULL_PAUSE.toMillis());
                }
                if (failing) {
                    LOG.info("JetStream {} / {}: pulling again", endpoint.getStream(), endpoint.getDurable());
                    failing = false;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                if (!running) {
                    return;
                }
                if (!failing) {
                    LOG.warn("JetStream {} / {}: pull failed, retrying every {}: {}", endpoint.getStream(),
                            endpoint.getDurable(), ERROR_PAUSE, e.toString());
                    failing = true;
                }
                subscription = unsubscribeQuietly(subscription);
                try {
                    Thread.sleep(ERROR_PAUSE.toMillis());
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
            } finally {
                dispatchBatch(chunk); // what a failed pull received before it failed
                // Each dispatched message holds its permit until it is settled; give back the rest.
                permits.release(Math.max(0, granted - dispatched));
            }
        }
        unsubscribeQuietly(subscription);
    }

    /** Waits (briefly) for at least one free in-flight permit and takes up to {@code max}; 0 if none came. */
    private int acquireUpTo(int max) throws InterruptedException {
        if (!permits.tryAcquire(POLL.toMillis(), TimeUnit.MILLISECONDS)) {
            return 0;
        }
        int more = Math.min(max - 1, permits.availablePermits());
        return more > 0 && permits.tryAcquire(more) ? 1 + more : 1;
    }

    private static JetStreamSubscription unsubscribeQuietly(JetStreamSubscription subscription) {
        if (subscription != null) {
            try {
                subscription.unsubscribe();
            } catch (RuntimeException ignored) {
                // disconnected: the server forgets it anyway
            }
        }
        return null;
    }

    /**
     * Hands one delivery to the route. {@code localRetries} counts the attempts this process already
     * made on this same delivery (see {@link #retryHere}).
     */
    private void dispatch(Message message, int localRetries) {
        Exchange exchange = exchangeOf(message);
        long delivered = message.metaData().deliveredCount();
        inFlight.put(message, System.nanoTime());
        try {
            getAsyncProcessor().process(exchange, doneSync -> completed(message, exchange, null, delivered, localRetries));
        } catch (RuntimeException e) {
            // Asynchronous processors report through the exchange; this only makes sure the message is settled.
            exchange.setException(e);
            completed(message, exchange, null, delivered, localRetries);
        }
    }

    /**
     * Hands first deliveries of one pull to the route as one exchange (batching), its body their
     * exchanges; each is settled by its own outcome. Returns a new empty chunk.
     */
    private List<Message> dispatchBatch(List<Message> chunk) {
        if (chunk.isEmpty()) {
            return chunk;
        }
        List<Exchange> exchanges = new ArrayList<>(chunk.size());
        long now = System.nanoTime();
        for (Message message : chunk) {
            exchanges.add(exchangeOf(message));
            inFlight.put(message, now);
        }
        Exchange batch = createExchange(false);
        batch.setProperty(IngestExchange.SOURCE, NatsSource.NAME);
        batch.setProperty(IngestExchange.QUEUE, endpoint.getSubject());
        batch.getMessage().setBody(exchanges);
        AsyncCallback done = doneSync -> {
            for (int i = 0; i < chunk.size(); i++) {
                Message message = chunk.get(i);
                completed(message, exchanges.get(i), batch.getException(), message.metaData().deliveredCount(), 0);
            }
            releaseExchange(batch, false);
        };
        try {
            getAsyncProcessor().process(batch, done);
        } catch (RuntimeException e) {
            batch.setException(e);
            done.done(false);
        }
        return new ArrayList<>();
    }

    private Exchange exchangeOf(Message message) {
        NatsJetStreamMetaData meta = message.metaData();
        long delivered = meta.deliveredCount();
        Exchange exchange = createExchange(false);
        exchange.getMessage().setBody(message.getData());
        copyHeaders(message.getHeaders(), exchange);
        exchange.getMessage().setHeader(DELIVERED, delivered);
        exchange.getMessage().setHeader(STREAM_SEQUENCE, meta.streamSequence());
        exchange.setProperty(IngestExchange.SOURCE, NatsSource.NAME);
        exchange.setProperty(IngestExchange.QUEUE, message.getSubject());
        exchange.setProperty(IngestExchange.PRIOR_ATTEMPTS, (int) Math.max(0, delivered - 1));
        // JetStream redelivers (nak with delay) — except on the last delivery, where nothing would
        // redeliver a nak: there the pipeline retries in process and dead-letters when the budget is spent.
        exchange.setProperty(IngestExchange.RETRY_IN_PROCESS, lastDelivery(delivered));
        if (meta.timestamp() != null) {
            exchange.setProperty(IngestExchange.ENQUEUED_AT, meta.timestamp().toInstant().toEpochMilli());
        }
        return exchange;
    }

    /** The last delivery allowed, or one beyond it (the previous one died unsettled). */
    private boolean lastDelivery(long delivered) {
        return delivered >= endpoint.getMaxDeliver();
    }

    /**
     * The route is done with the exchange: ack, nak with delay, or keep and retry here.
     * {@code batchFailure}: the batch exchange holding it failed as a whole (null when not batched).
     */
    private void completed(Message message, Exchange exchange, Exception batchFailure, long delivered, int localRetries) {
        Exception failure = exchange.getException() != null ? exchange.getException() : batchFailure;
        try {
            if (failure == null) {
                // Rows committed, or durably dead-lettered: JetStream may forget the message.
                settled(message);
                message.ack();
            } else if (isDatabaseDown(failure) || lastDelivery(delivered)) {
                // DB down: a nak would burn a delivery per outage back-off and end in a dead letter
                // that cannot even be written. Last delivery: a nak would never be redelivered.
                // Either way keep the message (kept alive by in-progress acks) and retry it here.
                retryHere(message, localRetries, failure);
            } else {
                settled(message);
                message.nakWithDelay(redelivery.delayAfter((int) delivered));
            }
        } catch (RuntimeException e) {
            // Typically disconnected: the message is not acked, so JetStream redelivers it after ack_wait.
            settled(message);
            LOG.warn("JetStream {}: could not settle message {}: {}", endpoint.getStream(),
                    exchange.getMessage().getHeader(STREAM_SEQUENCE), e.toString());
        } finally {
            releaseExchange(exchange, false);
        }
    }

    private void retryHere(Message message, int localRetries, Exception failure) {
        Duration delay = redelivery.delayAfter(localRetries + 1);
        LOG.warn("JetStream {}: message {} failed ({}); kept and retried here in {}", endpoint.getStream(),
                message.metaData().streamSequence(), failure.toString(), delay);
        message.inProgress();
        inFlight.put(message, System.nanoTime());
        ScheduledExecutorService s = scheduler;
        if (!running || s == null) {
            settled(message);
            return;
        }
        s.schedule(() -> {
            if (running) {
                dispatch(message, localRetries + 1);
            } else {
                settled(message);
            }
        }, delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The consumer is done with this delivery (acked, nakked, or left to ack_wait): free its permit. */
    private void settled(Message message) {
        if (inFlight.remove(message) != null) {
            permits.release();
        }
    }

    /** Tells JetStream that messages in flight for more than a third of ack_wait are still being worked on. */
    private void keepAlive() {
        long threshold = endpoint.getAckWait().toNanos() / 3;
        long now = System.nanoTime();
        for (Map.Entry<Message, Long> entry : inFlight.entrySet()) {
            if (now - entry.getValue() >= threshold) {
                try {
                    entry.getKey().inProgress();
                    entry.setValue(now);
                } catch (RuntimeException e) {
                    LOG.debug("in-progress ack failed: {}", e.toString());
                }
            }
        }
    }

    private static boolean isDatabaseDown(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof DatabaseUnavailableException) {
                return true;
            }
        }
        return false;
    }

    private static void copyHeaders(Headers headers, Exchange exchange) {
        if (headers == null || headers.isEmpty()) {
            return;
        }
        for (String key : headers.keySet()) {
            exchange.getMessage().setHeader(key, headers.getFirst(key));
        }
    }

    /** Messages handed to the route and not yet settled (for tests and diagnostics). */
    public int inFlight() {
        return inFlight.size();
    }
}
