package routes.source.rabbitmq;

import com.rabbitmq.client.Channel;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.camel.Exchange;
import org.apache.camel.spi.Synchronization;
import org.springframework.amqp.rabbit.connection.ChannelProxy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pipeline outcome → RabbitMQ: acks a delivery when its exchange completes (rows committed or durably
 * dead-lettered) and nacks it with requeue when it fails, so the broker redelivers it. MANUAL mode
 * nacks nothing by itself. Runs on whichever thread completes the exchange (a batch writer).
 * Acks are cumulative per channel ({@link ChannelAcks}). A closed channel (connection lost) needs
 * nothing: the broker requeues what it had not seen acked.
 */
public class RabbitMqAcknowledger implements Synchronization, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RabbitMqAcknowledger.class);
    /** Exchange property: the {@link ChannelAcks} of the channel the message came on. */
    static final String CHANNEL_ACKS = "ingestRabbitmqChannelAcks";

    /** How long a finished delivery waits at most for its (cumulative) ack. */
    static final Duration FLUSH_INTERVAL = Duration.ofMillis(5);

    private final int flushAt;
    private final int maxHeldBack;
    private final Map<Channel, ChannelAcks> channels = new ConcurrentHashMap<>();
    private final AtomicLong nacked = new AtomicLong();
    private final ScheduledExecutorService flusher;

    /**
     * @param prefetch the consumers' prefetch: a quarter of it finished triggers an ack at once, and
     *                 half of it may wait behind one delivery still in flight before they are acked
     *                 one by one, so the window stays open
     */
    public RabbitMqAcknowledger(int prefetch) {
        this.flushAt = Math.max(1, prefetch / 4);
        this.maxHeldBack = Math.max(1, prefetch / 2);
        this.flusher = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "rabbitmq-ack-flusher");
            thread.setDaemon(true);
            return thread;
        });
        long interval = FLUSH_INTERVAL.toNanos();
        flusher.scheduleWithFixedDelay(this::flushAll, interval, interval, TimeUnit.NANOSECONDS);
    }

    /** Deliveries handed back to the broker for redelivery since start. */
    public long nacked() {
        return nacked.get();
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
        try {
            if (ack) {
                acks.ack(tag);
            } else {
                acks.nack(tag);
                nacked.incrementAndGet();
            }
        } catch (Exception e) {
            // The channel went away meanwhile: the broker redelivers the message, the upsert keeps it once.
            LOG.warn("Could not {} delivery {}: {}", ack ? "ack" : "nack", tag, e.toString());
        }
    }
}
