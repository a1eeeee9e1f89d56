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
 *
 * <p>The SMLC's own consumer scaling, between {@code concurrentConsumers} and {@code maxConcurrentConsumers}:
 * a consumer busy for 10 receives in a row adds one, at most one per {@code startConsumerMinInterval}; an
 * added consumer idle for {@code stopConsumerAfterIdle} stops, at most one per that same time. The
 * consumers running now: {@link #activeConsumers()}.
 */
public class BatchingRabbitMqEndpoint extends SpringRabbitMQEndpoint {

    @UriParam(label = "consumer", defaultValue = "true",
            description = "Hand the messages received together to the route as one exchange (body: List<Exchange>)")
    private boolean batching = true;
    @UriParam(label = "consumer", defaultValue = "500",
            description = "Messages per batch at most (and at most prefetchCount)")
    private int batchSize = 500;
    @UriParam(label = "consumer", defaultValue = "25ms", javaType = "java.time.Duration",
            description = "How long to wait for more messages before a partial batch is handed on")
    private Duration batchWait = Duration.ofMillis(25);
    @UriParam(label = "consumer", defaultValue = "10s", javaType = "java.time.Duration",
            description = "With maxConcurrentConsumers: a consumer is added at most once per this (Spring AMQP's startConsumerMinInterval)")
    private Duration startConsumerMinInterval = Duration.ofSeconds(10);
    @UriParam(label = "consumer", defaultValue = "10s", javaType = "java.time.Duration",
            description = "With maxConcurrentConsumers: an added consumer that received nothing for this long stops, at most"
                    + " one per this (Spring AMQP's consecutiveIdleTrigger and stopConsumerMinInterval)")
    private Duration stopConsumerAfterIdle = Duration.ofSeconds(10);

    /** The container this endpoint made last (a consumer makes a new one when it restarts). */
    private volatile SimpleMessageListenerContainer container;

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

    /** Also used by the consumer when it restarts: every container it makes gathers batches and scales the same. */
    @Override
    public AbstractMessageListenerContainer createMessageListenerContainer() {
        AbstractMessageListenerContainer container = super.createMessageListenerContainer();
        if (!(container instanceof SimpleMessageListenerContainer simple)) {
            if (batching) {
                throw new IllegalArgumentException(getEndpointUri()
                        + ": batching needs messageListenerContainerType=SMLC (the DMLC has no consumer batches)");
            }
            return container;
        }
        long receiveTimeout = SimpleMessageListenerContainer.DEFAULT_RECEIVE_TIMEOUT;
        if (batching) {
            simple.setConsumerBatchEnabled(true);
            // Spring AMQP raises the prefetch to the batch size; a batch is capped at the prefetch instead,
            // so the configured number of unacked messages per consumer holds.
            Integer prefetch = getPrefetchCount();
            simple.setBatchSize(prefetch == null || prefetch < 1 ? batchSize : Math.min(batchSize, prefetch));
            receiveTimeout = batchWait.toMillis();
            simple.setReceiveTimeout(receiveTimeout);
            simple.setBatchReceiveTimeout(receiveTimeout);
        }
        simple.setStartConsumerMinInterval(startConsumerMinInterval.toMillis());
        simple.setStopConsumerMinInterval(stopConsumerAfterIdle.toMillis());
        // The container counts idleness in empty receives (each waits receiveTimeout): this many make the idle time.
        simple.setConsecutiveIdleTrigger((int) Math.max(1, stopConsumerAfterIdle.toMillis() / receiveTimeout));
        this.container = simple;
        return container;
    }

    /** The consumers of this endpoint's listener container running now (0 when it is stopped). */
    public int activeConsumers() {
        SimpleMessageListenerContainer c = container;
        return c == null || !c.isRunning() ? 0 : c.getActiveConsumerCount();
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

    public Duration getStartConsumerMinInterval() {
        return startConsumerMinInterval;
    }

    public void setStartConsumerMinInterval(Duration startConsumerMinInterval) {
        this.startConsumerMinInterval = startConsumerMinInterval;
    }

    public Duration getStopConsumerAfterIdle() {
        return stopConsumerAfterIdle;
    }

    public void setStopConsumerAfterIdle(Duration stopConsumerAfterIdle) {
        if (stopConsumerAfterIdle.toMillis() < 1) {
            throw new IllegalArgumentException("stopConsumerAfterIdle must be at least 1 ms: " + stopConsumerAfterIdle);
        }
        this.stopConsumerAfterIdle = stopConsumerAfterIdle;
    }
}
