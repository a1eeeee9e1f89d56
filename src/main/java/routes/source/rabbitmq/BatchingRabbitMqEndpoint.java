package routes.source.rabbitmq;

import java.time.Duration;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.component.springrabbit.SpringRabbitMQEndpoint;
import org.apache.camel.spi.UriParam;
import org.springframework.amqp.rabbit.listener.AbstractMessageListenerContainer;
import org.springframework.amqp.rabbit.listener.SimpleMessageListenerContainer;

/**
 * A {@code spring-rabbitmq:} endpoint whose consumer, with {@code batching=true}, lets Spring AMQP's
 * listener container gather up to {@code batchSize} messages ({@code consumerBatchEnabled}) and hands
 * them to the route as one exchange: its body the list of the messages' exchanges, each built exactly
 * as camel-spring-rabbitmq builds it (body, headers, channel property). Routing each message on its
 * own costs more than the pipeline's work on it (a Camel exchange with its unit of work, route policy
 * and completion per message).
 *
 * <p>A partial batch leaves as soon as no further message arrives within {@code batchWait} (and at
 * most {@code batchWait} after gathering began), so a quiet queue adds at most about twice that to a
 * message's latency. Needs the SMLC container (this component's default; camel-spring-rabbitmq's is
 * the DMLC). With {@code batching=false} this is exactly {@code spring-rabbitmq:}.
 */
public class BatchingRabbitMqEndpoint extends SpringRabbitMQEndpoint {

    static final Duration IDLE_BEFORE_SCALING_DOWN = Duration.ofSeconds(10);

    @UriParam(label = "consumer", defaultValue = "true",
            description = "Hand the messages received together to the route as one exchange (body: List<Exchange>)")
    private boolean batching = true;
    @UriParam(label = "consumer", defaultValue = "500",
            description = "Messages per batch at most (and at most prefetchCount)")
    private int batchSize = 500;
    @UriParam(label = "consumer", defaultValue = "5ms", javaType = "java.time.Duration",
            description = "How long to wait for more messages before a partial batch is handed on")
    private Duration batchWait = Duration.ofMillis(5);

    public BatchingRabbitMqEndpoint(String uri, BatchingRabbitMqComponent component, String exchangeName) {
        super(uri, component, exchangeName);
    }

    @Override
    public Consumer createConsumer(Processor processor) throws Exception {
        if (!batching) {
            return super.createConsumer(processor);
        }
        BatchingRabbitMqConsumer consumer = new BatchingRabbitMqConsumer(this, processor, createMessageListenerContainer());
        configureConsumer(consumer);
        return consumer;
    }

    /** Also used by the consumer when it restarts: every container it makes gathers batches. */
    @Override
    public AbstractMessageListenerContainer createMessageListenerContainer() {
        AbstractMessageListenerContainer container = super.createMessageListenerContainer();
        if (batching) {
            if (!(container instanceof SimpleMessageListenerContainer simple)) {
                throw new IllegalArgumentException(getEndpointUri()
                        + ": batching needs messageListenerContainerType=SMLC (the DMLC has no consumer batches)");
            }
            simple.setConsumerBatchEnabled(true);
            // Spring AMQP raises the prefetch to the batch size; a batch is capped at the prefetch instead,
            // so the configured number of unacked messages per consumer holds.
            Integer prefetch = getPrefetchCount();
            simple.setBatchSize(prefetch == null || prefetch < 1 ? batchSize : Math.min(batchSize, prefetch));
            simple.setReceiveTimeout(batchWait.toMillis());
            simple.setBatchReceiveTimeout(batchWait.toMillis());
            // The container stops an extra consumer after this many empty receives in a row: keep that
            // at the ~10 s the default 1 s receive timeout gives, not 10 x batchWait.
            simple.setConsecutiveIdleTrigger((int) Math.max(10, IDLE_BEFORE_SCALING_DOWN.toMillis() / batchWait.toMillis()));
        }
        return container;
    }

    public boolean isBatching() {
        return batching;
    }

    public void setBatching(boolean batching) {
        this.batching = batching;
    }

    public int getBatchSize() {
        return batchSize;
    }

    public void setBatchSize(int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be at least 1: " + batchSize);
        }
        this.batchSize = batchSize;
    }

    public Duration getBatchWait() {
        return batchWait;
    }

    public void setBatchWait(Duration batchWait) {
        if (batchWait.toMillis() < 1) {
            throw new IllegalArgumentException("batchWait must be at least 1 ms (0 would spin): " + batchWait);
        }
        this.batchWait = batchWait;
    }
}
