package routes.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.support.StaticListableBeanFactory;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.data.redis.core.StringRedisTemplate;
import routes.config.IngestProperties;
import routes.source.redis.RecoveryGate;
import routes.source.redis.RedisQueueComponent;
import routes.source.redis.RedisQueueEndpoint;

/** The delivery queue (route delivery-source's ref:deliveryQueue) is a redis-queue: endpoint whose options come typed from ingest.delivery.*. */
class DeliveryQueueTest {

    @Test
    void theQueueEndpointCarriesTheDeliveryWorkersSettings() {
        Binder binder = new Binder(new MapConfigurationPropertySource(Map.of(
                "ingest.delivery.worker-id", "w-7",
                "ingest.delivery.queue", "dq",
                "ingest.delivery.delayed-set", "dq:later",
                "ingest.delivery.retry-interval", "45s",
                "ingest.delivery.pool.min", "2",
                "ingest.delivery.pool.max", "6",
                "ingest.delivery.pool.scale-up-depth", "25",
                "ingest.delivery.mover-interval", "250ms",
                "ingest.delivery.shutdown-timeout", "7s")));
        DeliveryProperties properties = binder.bindOrCreate("ingest.delivery", DeliveryProperties.class);
        IngestProperties ingest = binder.bindOrCreate("ingest", IngestProperties.class);
        DefaultCamelContext camel = new DefaultCamelContext();
        camel.addComponent(RedisQueueComponent.NAME, new RedisQueueComponent(new StringRedisTemplate(), ingest,
                new StaticListableBeanFactory().getBeanProvider(RecoveryGate.class)));

        RedisQueueEndpoint endpoint = DeliveryQueue.endpoint(camel, properties);

        assertThat(endpoint.getKey()).isEqualTo("dq");
        assertThat(endpoint.getSource()).isEqualTo("delivery");
        assertThat(endpoint.isOwnProcessingList()).isTrue();
        assertThat(endpoint.getProcessingList()).isEqualTo("dq:processing:w-7");
        assertThat(endpoint.getDelayedSet()).isEqualTo("dq:later");
        assertThat(endpoint.isBatching()).isFalse();
        assertThat(endpoint.getBatchSize()).isEqualTo(1);
        assertThat(endpoint.getRetryDelay()).isEqualTo("fixed");
        assertThat(endpoint.getRetryInterval()).isEqualTo(Duration.ofSeconds(45));
        assertThat(endpoint.getMinConsumers()).isEqualTo(2);
        assertThat(endpoint.getMaxConsumers()).isEqualTo(6);
        assertThat(endpoint.getMaxInFlight()).as("one delivery per loop").isEqualTo(6);
        assertThat(endpoint.getScaleThreshold()).isEqualTo(25);
        assertThat(endpoint.getRecoveryInterval()).isEqualTo(Duration.ofMillis(250));
        assertThat(endpoint.getShutdownTimeout()).isEqualTo(Duration.ofSeconds(7));
    }
    @Test
    void theWorkersBatchSizeIsHowManyMessagesALoopTakesAndBoundsWhatIsInFlight() {
        // WORKER_BATCH_SIZE (ingest.delivery.batch-size) was documented but not wired: the endpoint took 1 always.
        Binder binder = new Binder(new MapConfigurationPropertySource(Map.of(
                "ingest.delivery.batch-size", "3",
                "ingest.delivery.pool.min", "2",
                "ingest.delivery.pool.max", "4")));
        DeliveryProperties properties = binder.bindOrCreate("ingest.delivery", DeliveryProperties.class);
        IngestProperties ingest = binder.bindOrCreate("ingest", IngestProperties.class);
        DefaultCamelContext camel = new DefaultCamelContext();
        camel.addComponent(RedisQueueComponent.NAME, new RedisQueueComponent(new StringRedisTemplate(), ingest,
                new StaticListableBeanFactory().getBeanProvider(RecoveryGate.class)));

        RedisQueueEndpoint endpoint = DeliveryQueue.endpoint(camel, properties);

        assertThat(endpoint.isBatching()).as("still delivered one by one").isFalse();
        assertThat(endpoint.getBatchSize()).isEqualTo(3);
        assertThat(endpoint.getMaxInFlight()).as("pool max x batch size").isEqualTo(12);
    }
}
