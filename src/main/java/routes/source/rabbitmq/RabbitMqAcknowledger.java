package routes.source.rabbitmq;

import com.rabbitmq.client.Channel;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.camel.Exchange;
import org.apache.camel.component.springrabbit.SpringRabbitMQConstants;
import org.apache.camel.spi.Synchronization;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pipeline outcome → RabbitMQ: acks a delivery when its exchange completes (rows committed or durably
 * dead-lettered) and nacks it with requeue when it fails, so the broker redelivers it. MANUAL mode
 * nacks nothing by itself. Runs on whichever thread completes the exchange (a batch writer).
 * A closed channel (connection lost) needs nothing: the broker requeues what it had not seen acked.
 */
public class RabbitMqAcknowledger implements Synchronization {

    private static final Logger LOG = LoggerFactory.getLogger(RabbitMqAcknowledger.class);

    private final AtomicLong nacked = new AtomicLong();

    /** Deliveries handed back to the broker for redelivery since start. */
    public long nacked() {
        return nacked.get();
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
        Channel channel = exchange.getProperty(SpringRabbitMQConstants.CHANNEL, Channel.class);
        Long tag = exchange.getProperty(RabbitMqDelivery.DELIVERY_TAG, Long.class);
        if (channel == null || tag == null) {
            return;
        }
        if (!channel.isOpen()) {
            LOG.debug("Channel closed before delivery {} was {}: the broker redelivers it", tag, ack ? "acked" : "nacked");
            return;
        }
        try {
            if (ack) {
                channel.basicAck(tag, false);
            } else {
                channel.basicNack(tag, false, true);
                nacked.incrementAndGet();
            }
        } catch (Exception e) {
            // The channel went away meanwhile: the broker redelivers the message, the upsert keeps it once.
            LOG.warn("Could not {} delivery {}: {}", ack ? "ack" : "nack", tag, e.toString());
        }
    }
}
