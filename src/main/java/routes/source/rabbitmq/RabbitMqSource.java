package routes.source.rabbitmq;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.springframework.amqp.AmqpException;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.core.QueueInformation;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.connection.CorrelationData;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import routes.source.IngestSource;
import routes.source.http.HttpPublisher;

/**
 * The RabbitMQ source for the shared parts: depth of {@code analytics.raw.q} by the broker's count,
 * and persistent, mandatory publishes to it or to the dead-letter exchange that return only after
 * the broker's publisher confirm (needs {@code spring.rabbitmq.publisher-confirm-type: correlated}
 * and {@code publisher-returns: true}).
 */
public class RabbitMqSource implements IngestSource {

    public static final String NAME = "rabbitmq";

    private final RabbitMqSourceProperties properties;
    private final RabbitTemplate template;
    private final RabbitAdmin admin;

    public RabbitMqSource(ConnectionFactory connectionFactory, RabbitMqSourceProperties properties) {
        this.properties = properties;
        this.template = new RabbitTemplate(connectionFactory);
        // Unroutable messages come back instead of vanishing with a positive confirm.
        this.template.setMandatory(true);
        this.admin = new RabbitAdmin(connectionFactory);
        this.admin.setAutoStartup(false);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String queue() {
        return properties.queue();
    }

    @Override
    public long queueDepth() {
        try {
            QueueInformation info = admin.getQueueInfo(properties.queue());
            return info == null ? -1 : info.getMessageCount();
        } catch (AmqpException e) {
            return -1;
        }
    }

    @Override
    public void publish(byte[] body, Map<String, String> headers) throws Exception {
        // The default exchange routes by queue name.
        send("", properties.queue(), body, headers);
    }

    @Override
    public void publishDeadLetter(byte[] body, Map<String, String> headers) throws Exception {
        send(properties.deadLetterExchange(), properties.deadLetterRoutingKey(), body, headers);
    }

    /** Publishes them all, then waits for their confirms: one wait for the batch instead of one per copy. */
    @Override
    public void publishDeadLetters(List<DeadLetterCopy> copies) throws Exception {
        String exchange = properties.deadLetterExchange();
        String routingKey = properties.deadLetterRoutingKey();
        List<CorrelationData> sent = new ArrayList<>(copies.size());
        for (DeadLetterCopy copy : copies) {
            sent.add(publish(exchange, routingKey, copy.body(), copy.headers()));
        }
        // Each confirm within the timeout, counted from the one before: the broker confirms them in order.
        for (CorrelationData correlation : sent) {
            confirmed(correlation, exchange, routingKey, properties.confirmTimeout().toNanos());
        }
    }

    private void send(String exchange, String routingKey, byte[] body, Map<String, String> headers) throws Exception {
        CorrelationData correlation = publish(exchange, routingKey, body, headers);
        confirmed(correlation, exchange, routingKey, properties.confirmTimeout().toNanos());
    }

    /** Sends without waiting; the returned correlation completes with the broker's confirm. */
    private CorrelationData publish(String exchange, String routingKey, byte[] body, Map<String, String> headers) {
        MessageProperties props = new MessageProperties();
        props.setDeliveryMode(MessageDeliveryMode.PERSISTENT);
        props.setContentType(MessageProperties.CONTENT_TYPE_JSON);
        props.setTimestamp(new java.util.Date());
        headers.forEach(props::setHeader);
        // The tracked message's id (HTTP publish-to with track-status), which the consumer reads back; else the event_id.
        String messageId = headers.getOrDefault(HttpPublisher.STATUS_ID, headers.get(HttpPublisher.EVENT_ID));
        if (messageId != null) {
            props.setMessageId(messageId);
        }
        CorrelationData correlation = new CorrelationData(UUID.randomUUID().toString());
        template.send(exchange, routingKey, new Message(body, props), correlation);
        return correlation;
    }

    /** Waits at most {@code timeoutNanos} for the confirm; throws unless the broker took and routed the message. */
    private static void confirmed(CorrelationData correlation, String exchange, String routingKey, long timeoutNanos)
            throws Exception {
        CorrelationData.Confirm confirm = correlation.getFuture().get(timeoutNanos, TimeUnit.NANOSECONDS);
        if (!confirm.isAck()) {
            throw new AmqpException("RabbitMQ refused the message to " + describe(exchange, routingKey) + ": "
                    + confirm.getReason());
        }
        if (correlation.getReturned() != null) {
            throw new AmqpException("RabbitMQ could not route the message to " + describe(exchange, routingKey) + ": "
                    + correlation.getReturned().getReplyText());
        }
    }

    private static String describe(String exchange, String routingKey) {
        return (exchange.isEmpty() ? "the default exchange" : "exchange " + exchange) + " with key " + routingKey;
    }
}
