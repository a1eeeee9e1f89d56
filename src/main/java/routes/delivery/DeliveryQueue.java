package routes.delivery;

import org.apache.camel.CamelContext;
import routes.source.redis.RedisQueueComponent;
import routes.source.redis.RedisQueueEndpoint;

/**
 * The delivery queue as a {@code redis-queue:} endpoint with the worker's settings, typed from
 * {@code ingest.delivery.*}: its own processing list (named by the worker id), a fixed retry interval, the
 * pool's bounds. Route {@code delivery-source} (routes/delivery.camel.yaml) consumes it as
 * {@code ref:deliveryQueue}: some of its options are worked out from others (the worker id's default, the
 * pool's default bounds), which a YAML placeholder cannot do.
 */
public final class DeliveryQueue {

    /** The route consuming the queue (delivery.camel.yaml); DeliverySink tells its own consumer's exchanges by it. */
    public static final String SOURCE_ROUTE = "delivery-source";

    private DeliveryQueue() {
    }

    static RedisQueueEndpoint endpoint(CamelContext camel, DeliveryProperties properties) {
        RedisQueueComponent component = camel.getComponent(RedisQueueComponent.NAME, RedisQueueComponent.class);
        RedisQueueEndpoint endpoint = component.endpoint(properties.queue());
        endpoint.setSource(DeliverySink.SOURCE);
        endpoint.setProcessingList(properties.processingList());
        endpoint.setOwnProcessingList(true);
        endpoint.setDelayedSet(properties.delayedSet());
        // Delivered one by one; a loop takes batch-size messages per Redis call (WORKER_BATCH_SIZE, default 1:
        // the pool's size is then the number of deliveries under way; at most pool max x batch-size in flight).
        endpoint.setBatching(false);
        endpoint.setBatchSize(properties.batchSize());
        endpoint.setConcurrency(properties.poolMin());
        endpoint.setMinConsumers(properties.poolMin());
        endpoint.setMaxConsumers(properties.poolMax());
        endpoint.setMaxInFlight(properties.poolMax() * properties.batchSize());
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
