package routes.delivery;

import org.apache.camel.builder.RouteBuilder;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;
import routes.source.redis.RedisQueueComponent;
import routes.source.redis.RedisQueueEndpoint;

/**
 * Redis {@code delivery_queue} → {@code direct:deliver} → the main server over mutual TLS. The queue is a
 * {@code redis-queue:} endpoint with this worker's own processing list and a fixed retry interval; it
 * also moves due retries back onto the queue. Any other source can feed {@code direct:deliver} (body:
 * the message); see docs/delivery.md. Java, not YAML: the routes exist only when enabled.
 */
@Component
@ConditionalOnProperty(prefix = "ingest.delivery", name = "enabled", havingValue = "true")
public class DeliveryRoutes extends RouteBuilder {

    public static final String SOURCE_ROUTE = "delivery-source";
    public static final String SINK_ROUTE = "delivery-sink";
    public static final String DELIVER = "direct:deliver";

    private final DeliveryProperties properties;
    private final DeliverySink sink;

    public DeliveryRoutes(DeliveryProperties properties, DeliverySink sink) {
        this.properties = properties;
        this.sink = sink;
    }

    @Override
    public void configure() {
        // The sink records every outcome itself; a failed exchange is the queue consumer's to retry.
        errorHandler(noErrorHandler());

        from(queueEndpoint())
            .routeId(SOURCE_ROUTE)
            .to(DELIVER);

        from(DELIVER)
            .routeId(SINK_ROUTE)
            .process(sink);
    }

    /** {@code redis-queue:<queue>} with the delivery worker's settings, as typed endpoint options. */
    RedisQueueEndpoint queueEndpoint() {
        RedisQueueComponent component = getContext().getComponent(RedisQueueComponent.NAME, RedisQueueComponent.class);
        RedisQueueEndpoint endpoint = component.endpoint(properties.queue());
        endpoint.setSource(DeliverySink.SOURCE);
        endpoint.setProcessingList(properties.processingList());
        endpoint.setOwnProcessingList(true);
        endpoint.setDelayedSet(properties.delayedSet());
        // One message per take and loop: the pool's size is the number of deliveries under way.
        endpoint.setBatching(false);
        endpoint.setBatchSize(1);
        endpoint.setConcurrency(properties.poolMin());
        endpoint.setMinConsumers(properties.poolMin());
        endpoint.setMaxConsumers(properties.poolMax());
        endpoint.setMaxInFlight(properties.poolMax());
        endpoint.setScaleThreshold(properties.pool().scaleUpDepth());
        endpoint.setScaleInterval(properties.pool().checkInterval());
        endpoint.setRetryDelay("fixed");
        endpoint.setRetryInterval(properties.retryInterval());
        endpoint.setRecoveryInterval(properties.moverInterval());
        endpoint.setPollTimeout(properties.pollTimeout());
        endpoint.setShutdownTimeout(properties.shutdownTimeout());
        return endpoint;
    }
}
