package routes.source.nats;

import io.nats.client.JetStream;
import io.nats.client.JetStreamSubscription;
import io.nats.client.PullSubscribeOptions;
import io.nats.client.Message;
import io.nats.client.impl.Headers;
import io.nats.client.impl.NatsJetStreamMetaData;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import routes.pipeline.IngestExchange;
import routes.source.consumer.Decision;
import routes.source.consumer.RetryDelay;
import routes.source.consumer.Settlement;
import routes.source.consumer.SettlementRule;
import routes.source.consumer.SourceConsumer;

/**
 * JetStream durable pull consumer → the route, on the shared consumer base ({@link SourceConsumer}):
 * what is its own is the pull loop and the settlement. The loops pull batches and the base hands the
 * messages to the route (a pull's messages are in flight together, so the pipeline can batch them).
 * When the route completes an exchange: success → ack; failure → nak with the back-off delay so
 * JetStream redelivers; on the last delivery, or while the database is down, the message is kept (in
 * progress) and retried here, because a nak would burn or exceed the attempt limit.
 * Messages in flight longer than a third of ack_wait are kept alive with in-progress acks.
 *
 * <p>The attempt limit ({@code maxDeliver}) is this consumer's, not JetStream's: the server-side consumer
 * delivers without limit ({@link JetStreamTopology}), so a message whose last delivery died with the
 * process, or whose ack was lost, comes again. Such a delivery (beyond the limit) gets its one attempt:
 * it commits, or its failure finds the budget spent and it is dead-lettered.
 */
public class JetStreamConsumer extends SourceConsumer<JetStreamConsumer.Pulled> {

    private static final Logger LOG = LoggerFactory.getLogger(JetStreamConsumer.class);
    /** Header with JetStream's delivery count of the message (1 = first delivery). */
    public static final String DELIVERED = "JetStreamDelivered";
    /** Header with the message's stream sequence. */
    public static final String STREAM_SEQUENCE = "JetStreamStreamSequence";
    private static final Duration ERROR_PAUSE = Duration.ofSeconds(1);
    /** How often an idle loop looks whether it is to stop. */
    private static final Duration POLL = Duration.ofMillis(500);
    /** How much sooner the server expires a pull request than the loop stops waiting for it. */
    private static final Duration EXPIRY_MARGIN = Duration.ofMillis(20);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

    /**
     * One delivery handed to the route; {@code localRetries} counts the attempts this process already
     * made on this same delivery (see {@link Settler#keep}).
     */
    record Pulled(Message message, int localRetries) {
    }

    private final JetStreamEndpoint endpoint;
    private final RetryDelay delay;
    private final SettlementRule rule;
    private final Settler settler = new Settler();
    /** Messages handed to the route and not yet acked or nakked, with when they were last kept alive. */
    private final Map<Message, Long> inFlight = new ConcurrentHashMap<>();
    private volatile NatsConnector nats;
    private ScheduledExecutorService scheduler;

    public JetStreamConsumer(JetStreamEndpoint endpoint, Processor processor) {
        super(endpoint, processor, endpoint.getMaxInFlight(), endpoint.getConcurrency(), endpoint.pool(),
                NatsSource.NAME, endpoint.getSubject());
        this.endpoint = endpoint;
        this.delay = RetryDelay.exponential(endpoint.getComponent().redelivery());
        this.rule = new SettlementRule(delay, true);
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        // NATS may be down now: each loop waits for the connection (and the checked stream and durable) itself.
        nats = endpoint.getComponent().connector();
        var executors = getEndpoint().getCamelContext().getExecutorServiceManager();
        scheduler = executors.newScheduledThreadPool(this, "jetstream-" + endpoint.getDurable() + "-keepalive", 1);
        long keepAlive = Math.max(1000, endpoint.getAckWait().toMillis() / 3);
        scheduler.scheduleWithFixedDelay(this::keepAlive, keepAlive, keepAlive, TimeUnit.MILLISECONDS);
        startWorkers("jetstream-" + endpoint.getDurable());
        LOG.info("Consuming JetStream {} / {} with {} pull loops of {} messages", endpoint.getStream(),
                endpoint.getDurable(), poolSize(), endpoint.getBatchSize());
    }

    @Override
    protected void doStop() throws Exception {
        stopWorkers(STOP_TIMEOUT);
        if (scheduler != null) {
            getEndpoint().getCamelContext().getExecutorServiceManager().shutdownNow(scheduler);
            scheduler = null;
        }
        // Whatever is still in flight is not acked: JetStream redelivers it after ack_wait.
        super.doStop();
    }

    /** Messages waiting for this durable consumer (for the pool's size). */
    @Override
    protected long backlog() {
        try {
            return nats.connected().jetStreamManagement()
                    .getConsumerInfo(endpoint.getStream(), endpoint.getDurable()).getNumPending();
        } catch (Exception e) {
            return -1;
        }
    }

    /**
     * Pulls and dispatches until stopped, on one long-lived pull subscription bound to the durable.
     * A pull asks only for as many messages as there are free in-flight permits, so a message is never
     * left waiting in the client's buffer, where nothing would keep it alive past ack_wait (JetStream
     * would redeliver it meanwhile and spend its max_deliver). Messages arriving after a pull expired
     * stay in the subscription and come first with the next pull. On any error (NATS restarting, the
     * consumer gone) the loop pauses, subscribes again and goes on.
     */
    @Override
    protected void work(BooleanSupplier keepGoing) {
        boolean failing = false;
        JetStreamSubscription subscription = null;
        while (keepGoing.getAsBoolean() && isRunAllowed()) {
            int granted = 0;
            Pull pull = null;
            try {
                if (subscription == null || !subscription.isActive()) {
                    JetStream jetStream = nats.jetStream(endpoint.durableSpec(), POLL);
                    if (jetStream == null) {
                        continue; // not connected within POLL: look again whether to stop, then wait again
                    }
                    subscription = jetStream.subscribe(endpoint.getSubject(),
                            PullSubscribeOptions.bind(endpoint.getStream(), endpoint.getDurable()));
                }
                granted = permits.acquireUpTo(endpoint.getBatchSize(), POLL);
                if (granted == 0) {
                    continue;
                }
                pull = new Pull(subscription, granted);
                pull.run();
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
                int taken = pull == null ? 0 : pull.finish(); // what a failed pull received before it failed
                // Each dispatched message holds its permit until it is settled; give back the rest.
                permits.release(Math.max(0, granted - taken));
            }
        }
        unsubscribeQuietly(subscription);
    }

    /**
     * One pull of at most {@code granted} messages, handed to the route in chunks: with batching, a chunk
     * goes on when nothing more waits in the stream (the message's pending count is 0), when the pull is
     * full, or when no message came for {@code partialBatchAfter}. The last matters at the end of a
     * backlog: JetStream shares the last messages out between the loops' waiting pulls, one by one, so a
     * pull's last message can still have seen others pending (they went to another pull), and nothing
     * more comes to this one until it expires — a whole {@code fetchTimeout} the rows would wait for.
     */
    private final class Pull {

        private final JetStreamSubscription subscription;
        private final int granted;
        private final long idleNanos = endpoint.getPartialBatchAfter().toNanos();
        private List<Pulled> chunk = new ArrayList<>();
        private int taken;

        Pull(JetStreamSubscription subscription, int granted) {
            this.subscription = subscription;
            this.granted = granted;
        }

        void run() throws InterruptedException {
            // Messages an earlier pull received after it expired (JetStream sent them to this subscription).
            Message buffered;
            while (taken < granted && (buffered = subscription.nextMessage((Duration) null)) != null) {
                take(buffered);
            }
            if (taken == granted) {
                return;
            }
            // The server expires the request a little before this loop stops waiting for it, so that what it
            // sends comes within the wait (a message arriving after it would wait in the buffer for the next pull).
            subscription.pullExpiresIn(granted - taken, endpoint.getFetchTimeout().minus(EXPIRY_MARGIN));
            long deadline = System.nanoTime() + endpoint.getFetchTimeout().toNanos();
            while (taken < granted && running) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                long wait = Math.min(left, chunk.isEmpty() ? POLL.toNanos() : idleNanos);
                Message message = subscription.nextMessage(Duration.ofNanos(wait));
                if (message == null) {
                    // Nothing for a while (or the request ended): what came so far goes on now.
                    dispatchPending();
                } else {
                    take(message);
                }
            }
        }

        private void take(Message message) {
            if (!message.isJetStream()) {
                return;
            }
            taken++;
            chunk.add(new Pulled(message, 0));
            if (!endpoint.isBatching() || taken == granted || message.metaData().pendingCount() == 0) {
                dispatchPending();
            }
        }

        private void dispatchPending() {
            chunk = dispatchChunk(chunk);
        }

        /** Dispatches what is left and returns how many messages this pull took (each holds its permit). */
        int finish() {
            dispatchPending();
            return taken;
        }
    }

    private List<Pulled> dispatchChunk(List<Pulled> chunk) {
        if (chunk.isEmpty()) {
            return chunk;
        }
        long now = System.nanoTime();
        for (Pulled pulled : chunk) {
            inFlight.put(pulled.message(), now);
        }
        dispatch(chunk, endpoint.isBatching());
        return new ArrayList<>();
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

    @Override
    protected Exchange exchangeOf(Pulled pulled) {
        Message message = pulled.message();
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

    /** The route is done with the exchange: ack, nak with delay, or keep and retry here. */
    @Override
    protected void completed(Pulled pulled, Exchange exchange, Exception batchFailure) {
        Exception failure = failureOf(exchange, batchFailure);
        long delivered = pulled.message().metaData().deliveredCount();
        try {
            // DB down: a nak would burn a delivery per outage back-off and end in a dead letter that
            // cannot even be written. Last delivery: a nak would never be redelivered. Either way the
            // rule keeps the message (kept alive by in-progress acks) and it is retried here.
            Decision decision = rule.decide(failure, (int) delivered, lastDelivery(delivered), !running);
            settler.settle(pulled, decision, failure);
        } catch (RuntimeException e) {
            // Typically disconnected: the message is not acked, so JetStream redelivers it after ack_wait.
            settled(pulled.message());
            LOG.warn("JetStream {}: could not settle message {}: {}", endpoint.getStream(),
                    exchange.getMessage().getHeader(STREAM_SEQUENCE), e.toString());
        } finally {
            releaseExchange(exchange, false);
        }
    }

    /** JetStream's side of a settlement. */
    private final class Settler implements Settlement<Pulled> {

        @Override
        public void ack(Pulled pulled) {
            // Rows committed, or durably dead-lettered: JetStream may forget the message.
            settled(pulled.message());
            pulled.message().ack();
        }

        @Override
        public void retryLater(Pulled pulled, Decision decision, Exception failure) {
            settled(pulled.message());
            pulled.message().nakWithDelay(decision.delay());
        }

        @Override
        public void keep(Pulled pulled, Decision decision, Exception failure) {
            Message message = pulled.message();
            Duration wait = delay.after(pulled.localRetries() + 1);
            LOG.warn("JetStream {}: message {} failed ({}); kept and retried here in {}", endpoint.getStream(),
                    message.metaData().streamSequence(), failure.toString(), wait);
            ScheduledExecutorService s = scheduler;
            if (!running || s == null) {
                settled(message); // stopping: left to ack_wait
                return;
            }
            message.inProgress();
            inFlight.put(message, System.nanoTime());
            s.schedule(() -> {
                if (running) {
                    dispatch(List.of(new Pulled(message, pulled.localRetries() + 1)), false);
                } else {
                    settled(message);
                }
            }, wait.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** The consumer is done with this delivery (acked, nakked, or left to ack_wait): free its permit. */
    private void settled(Message message) {
        if (inFlight.remove(message) != null) {
            permits.release(1);
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
