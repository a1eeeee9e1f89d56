package routes.source.rabbitmq;

import com.rabbitmq.client.Channel;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.camel.Exchange;
import org.apache.camel.spi.Synchronization;
import org.springframework.amqp.rabbit.connection.ChannelProxy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import routes.config.IngestProperties;
import routes.pipeline.IngestExchange;
import routes.source.consumer.Failures;

/**
 * Pipeline outcome → RabbitMQ: acks a delivery when its exchange completes (rows committed or durably
 * dead-lettered) and nacks it with requeue when it fails, so the broker redelivers it. MANUAL mode
 * nacks nothing by itself. Runs on whichever thread completes the exchange (a batch writer).
 * Acks are cumulative per channel ({@link ChannelAcks}). A closed channel (connection lost) needs
 * nothing: the broker requeues what it had not seen acked.
 *
 * <p>A failed delivery is nacked only after the back-off of {@code ingest.redelivery.*} for its
 * attempt: the broker redelivers a nacked message at once, so without it a failure that nothing else
 * paces (the idempotency store down, the dead-letter exchange refusing) would loop hot. Its failed
 * deliveries are counted here ({@link FailedDeliveries}), since a classic queue cannot count them, and
 * the next delivery carries that count as its prior attempts, so the budget runs out and the dead
 * letter tells the real number. Failures are logged as one episode ({@link FailureLog}).
 */
public class RabbitMqAcknowledger implements Synchronization, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RabbitMqAcknowledger.class);
    /** Exchange property: the {@link ChannelAcks} of the channel the message came on. */
    static final String CHANNEL_ACKS = "ingestRabbitmqChannelAcks";

    /** Exchange property: the delivered body, the message's identity for {@link FailedDeliveries}. */
    static final String BODY = "ingestRabbitmqBody";

    /** How long a finished delivery waits at most for its (cumulative) ack. */
    static final Duration FLUSH_INTERVAL = Duration.ofMillis(5);

    private final int flushAt;
    private final int maxHeldBack;
    private final Map<Channel, ChannelAcks> channels = new ConcurrentHashMap<>();
    private final AtomicLong nacked = new AtomicLong();
    private final ScheduledExecutorService flusher;
    private final IngestProperties.Redelivery backOff;
    private final FailedDeliveries failures;
    private final FailureLog failureLog = new FailureLog(RabbitMqSource.NAME);

    /**
     * @param prefetch   the consumers' prefetch: a quarter of it finished triggers an ack at once, and
     *                   half of it may wait behind one delivery still in flight before they are acked
     *                   one by one, so the window stays open
     * @param backOff    the wait before a failed delivery is handed back, by its attempt
     * @param remembered messages whose failed deliveries are counted at most (the oldest are forgotten)
     * @param flusher    the thread that flushes acks and sends delayed nacks (Camel's
     *                   {@code ExecutorServiceManager} makes it in the application)
     */
    public RabbitMqAcknowledger(int prefetch, IngestProperties.Redelivery backOff, int remembered,
                                ScheduledExecutorService flusher) {
        this.backOff = backOff;
        this.failures = new FailedDeliveries(remembered);
        this.flushAt = Math.max(1, prefetch / 4);
        this.maxHeldBack = Math.max(1, prefetch / 2);
        this.flusher = flusher;
        long interval = FLUSH_INTERVAL.toNanos();
        flusher.scheduleWithFixedDelay(this::flushAll, interval, interval, TimeUnit.NANOSECONDS);
    }

    /** Deliveries handed back to the broker for redelivery since start. */
    public long nacked() {
        return nacked.get();
    }

    /**
     * Deliveries of this message that failed before, by the broker's count ({@code brokerCount}) or this
     * instance's, whichever is higher. Looked up only for a redelivery: a first delivery has none.
     */
    int priorAttempts(Exchange exchange, Object body, int brokerCount) {
        exchange.setProperty(BODY, body);
        return brokerCount == 0 ? 0 : Math.max(brokerCount, failures.count(FailedDeliveries.keyOf(body)));
    }

    /** Registers a delivery (in the order the channel delivers) and settles it when the exchange completes. */
    void delivered(Exchange exchange, Channel channel, long tag) {
        // Delivery tags belong to the physical channel. Spring's cached channel proxy may be given a new
        // one after the first is closed; an ack on that would hit (or close) the wrong channel.
        if (channel instanceof ChannelProxy proxy) {
            channel = proxy.getTargetChannel();
        }
        if (channel == null || !channel.isOpen()) {
            LOG.debug("Delivery {} came on a channel closed since: the broker redelivers it", tag);
            return;
        }
        ChannelAcks acks = channels.get(channel);
        if (acks == null) {
            acks = channels.computeIfAbsent(channel, this::track);
        }
        acks.delivered(tag);
        exchange.setProperty(CHANNEL_ACKS, acks);
        exchange.getExchangeExtension().addOnCompletion(this);
    }

    private ChannelAcks track(Channel channel) {
        channel.addShutdownListener(cause -> channels.remove(channel));
        return new ChannelAcks(channel, flushAt, maxHeldBack);
    }

    private void flushAll() {
        for (ChannelAcks acks : channels.values()) {
            if (!acks.channel().isOpen()) {
                continue;
            }
            try {
                acks.flush();
            } catch (Exception e) {
                LOG.warn("Could not ack on a channel: {} (the broker redelivers, the upsert keeps each row once)",
                        e.toString());
            }
        }
    }

    /** Sends the acks still waiting; before the connection closes (this bean depends on it). */
    @Override
    public void close() {
        flusher.shutdown();
        flushAll();
    }

    @Override
    public void onComplete(Exchange exchange) {
        settle(exchange, true);
    }

    @Override
    public void onFailure(Exchange exchange) {
        settle(exchange, false);
    }

    private void settle(Exchange exchange, boolean ack) {
        ChannelAcks acks = exchange.getProperty(CHANNEL_ACKS, ChannelAcks.class);
        Long tag = exchange.getProperty(RabbitMqDelivery.DELIVERY_TAG, Long.class);
        if (acks == null || tag == null) {
            return;
        }
        if (!acks.channel().isOpen()) {
            LOG.debug("Channel closed before delivery {} was {}: the broker redelivers it", tag, ack ? "acked" : "nacked");
            return;
        }
        if (ack) {
            settled(exchange);
            try {
                acks.ack(tag);
            } catch (Exception e) {
                // The channel went away meanwhile: the broker redelivers the message, the upsert keeps it once.
                LOG.warn("Could not ack delivery {}: {}", tag, e.toString());
            }
            return;
        }
        int prior = exchange.getProperty(IngestExchange.PRIOR_ATTEMPTS, 0, Integer.class);
        Object body = exchange.getProperty(BODY);
        int attempts;
        if (body == null) {
            attempts = prior + 1;
        } else if (Failures.databaseDown(exchange.getException())) {
            // Not the message's fault (CONTRACT §4): an outage does not use up its attempts. The pipeline
            // has already retried it with back-off in process; hand it back after the first step.
            attempts = Math.max(1, prior);
        } else {
            attempts = failures.failed(FailedDeliveries.keyOf(body), prior);
        }
        Duration delay = backOff.delayAfter(attempts);
        failureLog.failed(exchange.getException(), attempts, delay);
        if (delay.isZero()) {
            nack(acks, tag);
            return;
        }
        try {
            flusher.schedule(() -> nack(acks, tag), delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            nack(acks, tag); // closing: hand it back now
        }
    }

    /** A redelivered message is settled for good: forget its failures. */
    private void settled(Exchange exchange) {
        Object body = exchange.getProperty(BODY);
        if (body != null && exchange.getProperty(IngestExchange.PRIOR_ATTEMPTS, 0, Integer.class) > 0) {
            failures.forget(FailedDeliveries.keyOf(body));
            failureLog.settled(failures.size());
        }
    }

    private void nack(ChannelAcks acks, long tag) {
        if (!acks.channel().isOpen()) {
            return; // the broker requeued it with the channel
        }
        try {
            acks.nack(tag);
            nacked.incrementAndGet();
        } catch (Exception e) {
            LOG.warn("Could not nack delivery {}: {}", tag, e.toString());
        }
    }
}
