package routes.source.rabbitmq;

import com.rabbitmq.client.Channel;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.component.springrabbit.SpringRabbitMQConstants;
import routes.deadletter.DeadLetterHeaders;
import routes.pipeline.MessageBatch;
import routes.pipeline.IngestExchange;

/**
 * A RabbitMQ delivery → the pipeline's exchange properties: attempts made before (the broker's
 * count, or the failed deliveries the acknowledger counted), the broker timestamp, the message id and
 * the {@code x-dead-letter-id} of a replay (the identity of its dead letter), and the acknowledger that
 * acks or nacks the delivery
 * when the pipeline is done with it. The incoming AMQP headers are dropped: nothing downstream reads
 * them, and they must not leak into anything the pipeline publishes.
 */
public class RabbitMqDelivery implements Processor {

    /** Exchange property holding the delivery tag (the header is dropped). */
    public static final String DELIVERY_TAG = "ingestRabbitmqDeliveryTag";
    /** Quorum queues count deliveries in this header; classic queues only flag a redelivery. */
    static final String DELIVERY_COUNT = "x-delivery-count";

    private final RabbitMqAcknowledger acknowledger;

    public RabbitMqDelivery(RabbitMqAcknowledger acknowledger) {
        this.acknowledger = acknowledger;
    }

    /**
     * One delivery, or a batch of them from {@code spring-rabbitmq-batch:} (body: their exchanges, in
     * the order the channel delivered them), each of which takes the source and queue set on the batch.
     */
    @Override
    @SuppressWarnings("unchecked")
    public void process(Exchange exchange) {
        Object body = exchange.getMessage().getBody();
        if (!MessageBatch.isBatch(body)) {
            delivery(exchange);
            return;
        }
        Object source = exchange.getProperty(IngestExchange.SOURCE);
        Object queue = exchange.getProperty(IngestExchange.QUEUE);
        for (Exchange message : (List<Exchange>) body) {
            message.setProperty(IngestExchange.SOURCE, source);
            message.setProperty(IngestExchange.QUEUE, queue);
            delivery(message);
        }
    }

    private void delivery(Exchange exchange) {
        var message = exchange.getMessage();
        Channel channel = exchange.getProperty(SpringRabbitMQConstants.CHANNEL, Channel.class);
        Long tag = message.getHeader(SpringRabbitMQConstants.DELIVERY_TAG, Long.class);
        if (channel == null || tag == null) {
            throw new IllegalStateException("not a manual-ack RabbitMQ delivery: no channel or delivery tag");
        }
        exchange.setProperty(DELIVERY_TAG, tag);
        exchange.setProperty(IngestExchange.PRIOR_ATTEMPTS,
                acknowledger.priorAttempts(exchange, message.getBody(), priorAttempts(message.getHeaders())));
        exchange.setProperty(IngestExchange.RETRY_IN_PROCESS, true);
        Date timestamp = message.getHeader(SpringRabbitMQConstants.TIMESTAMP, Date.class);
        if (timestamp != null) {
            exchange.setProperty(IngestExchange.ENQUEUED_AT, timestamp.getTime());
        }
        // Who the message is, for its dead letter's identity (routes.deadletter.DeadLetterIdentity).
        String messageId = message.getHeader(SpringRabbitMQConstants.MESSAGE_ID, String.class);
        if (messageId != null && !messageId.isEmpty()) {
            exchange.setProperty(IngestExchange.MESSAGE_ID, messageId);
        }
        String replayOf = message.getHeader(DeadLetterHeaders.DEAD_LETTER_ID, String.class);
        if (replayOf != null) {
            exchange.setProperty(IngestExchange.DEAD_LETTER_IDENTITY, replayOf);
        }
        message.removeHeaders("*");
        acknowledger.delivered(exchange, channel, tag);
    }

    /**
     * Deliveries made before this one, by the broker. A quorum queue tells exactly ({@code x-delivery-count});
     * a classic queue only says "redelivered", so a redelivered message counts as one earlier attempt —
     * the acknowledger's own count of failed deliveries makes up the rest ({@link FailedDeliveries}).
     */
    static int priorAttempts(Map<String, Object> headers) {
        Object count = headers.get(DELIVERY_COUNT);
        if (count instanceof Number n) {
            return Math.max(0, n.intValue());
        }
        return Boolean.TRUE.equals(headers.get(SpringRabbitMQConstants.REDELIVERED)) ? 1 : 0;
    }
}
