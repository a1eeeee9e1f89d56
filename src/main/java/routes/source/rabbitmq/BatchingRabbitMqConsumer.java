package routes.source.rabbitmq;

import java.util.ArrayList;
import java.util.List;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.component.springrabbit.EndpointMessageListener;
import org.apache.camel.component.springrabbit.SpringRabbitMQConstants;
import org.apache.camel.component.springrabbit.SpringRabbitMQConsumer;
import org.apache.camel.spi.Synchronization;
import org.apache.camel.support.UnitOfWorkHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.listener.AbstractMessageListenerContainer;
import org.springframework.amqp.rabbit.listener.api.ChannelAwareBatchMessageListener;
import com.rabbitmq.client.Channel;

/**
 * The {@code spring-rabbitmq-batch:} consumer: camel-spring-rabbitmq's consumer with a batch listener
 * on its container. Each batch is one exchange through the route, its body the messages' exchanges.
 *
 * <p>A message exchange's on-completions (the acknowledger, for the source route) run by that message's
 * own outcome: when a route the message is sent on finishes with it, or else when the batch exchange
 * is done. A batch exchange that failed as a whole fails every message that has no outcome of its own.
 */
public class BatchingRabbitMqConsumer extends SpringRabbitMQConsumer {

    private static final Logger LOG = LoggerFactory.getLogger(BatchingRabbitMqConsumer.class);

    // No initializer on purpose: the super constructor already sets it through getEndpointMessageListener().
    private volatile BatchListener listener;

    public BatchingRabbitMqConsumer(BatchingRabbitMqEndpoint endpoint, Processor processor,
                                    AbstractMessageListenerContainer listenerContainer) {
        super(endpoint, processor, listenerContainer);
    }

    @Override
    public EndpointMessageListener getEndpointMessageListener() {
        if (listener == null) {
            listener = new BatchListener(this);
            getEndpoint().configureMessageListener(listener);
        }
        return listener;
    }

    @Override
    protected void stopAndDestroyListenerContainer() {
        super.stopAndDestroyListenerContainer();
        listener = null; // a restart makes a new container and listener, as the super class does
    }

    /** Settles the messages of a finished batch, each by its own outcome. */
    static void completeMessages(Exchange batch, List<Exchange> messages) {
        Exception batchFailure = batch.getException();
        for (Exchange message : messages) {
            if (batchFailure != null && message.getException() == null) {
                message.setException(batchFailure);
            }
            List<Synchronization> completions = message.getExchangeExtension().handoverCompletions();
            UnitOfWorkHelper.doneSynchronizations(message, completions);
        }
    }

    /** camel-spring-rabbitmq's listener, taking the container's batches. */
    static final class BatchListener extends EndpointMessageListener implements ChannelAwareBatchMessageListener {

        private final BatchingRabbitMqConsumer consumer;

        BatchListener(BatchingRabbitMqConsumer consumer) {
            super(consumer, consumer.getEndpoint(), consumer.getProcessor());
            this.consumer = consumer;
        }

        @Override
        public void onMessageBatch(List<Message> messages, Channel channel) {
            List<Exchange> exchanges = new ArrayList<>(messages.size());
            for (Message message : messages) {
                exchanges.add(exchangeOf(message, channel));
            }
            Exchange batch = consumer.createExchange(false);
            batch.setProperty(SpringRabbitMQConstants.CHANNEL, channel);
            batch.getMessage().setBody(exchanges);
            if (consumer.getEndpoint().isSynchronous() || !isAsync()) {
                // asyncConsumer=false: the container thread waits for the batch, as spring-rabbitmq: does per message.
                try {
                    consumer.getProcessor().process(batch);
                } catch (Exception e) {
                    batch.setException(e);
                }
                done(batch, exchanges);
                return;
            }
            try {
                consumer.getAsyncProcessor().process(batch, doneSync -> done(batch, exchanges));
            } catch (RuntimeException e) {
                // Asynchronous processors report through the exchange; this is only a safety net.
                LOG.warn("Batch of {} messages failed before routing: {}", exchanges.size(), e.toString());
                batch.setException(e);
                done(batch, exchanges);
            }
        }

        /**
         * The message's exchange as camel-spring-rabbitmq builds it; or, for a body it cannot convert (a
         * text content type with an unknown content encoding), with the raw bytes as body, so that the route
         * judges the message like any other instead of it holding up its whole batch unacknowledged.
         */
        private Exchange exchangeOf(Message message, Channel channel) {
            try {
                return createExchange(message, channel, null);
            } catch (RuntimeException e) {
                LOG.warn("RabbitMQ message {}: body not convertible ({}); handed on as raw bytes",
                        message.getMessageProperties().getDeliveryTag(), e.getMessage());
                Exchange exchange = consumer.createExchange(false);
                exchange.setProperty(SpringRabbitMQConstants.CHANNEL, channel);
                exchange.getMessage().setBody(message.getBody());
                exchange.getMessage().setHeaders(consumer.getEndpoint().getMessagePropertiesConverter()
                        .fromMessageProperties(message.getMessageProperties(), exchange));
                return exchange;
            }
        }

        private void done(Exchange batch, List<Exchange> exchanges) {
            if (batch.getException() != null) {
                consumer.getExceptionHandler().handleException("batch of " + exchanges.size()
                        + " RabbitMQ messages failed", batch, batch.getException());
            }
            completeMessages(batch, exchanges);
            consumer.releaseExchange(batch, false);
        }
    }
}
