package routes.delivery;

import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import org.apache.camel.Endpoint;
import org.apache.camel.support.DefaultComponent;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * {@code delivery-queue:<list>}: a minimal reliable consumer of a Redis list (BLMOVE into a
 * per-worker processing list, LREM when done). Kept behind this seam so it can be swapped for the
 * shared {@code redis-queue:} component. Options: {@code minConsumers}, {@code maxConsumers},
 * {@code scaleUpDepth}, {@code checkIntervalMillis}, {@code pollTimeoutMillis}, {@code shutdownTimeoutMillis}.
 */
public class DeliveryQueueComponent extends DefaultComponent {

    private final StringRedisTemplate redis;
    private final MeterRegistry registry;
    private final String workerId;

    public DeliveryQueueComponent(StringRedisTemplate redis, MeterRegistry registry, String workerId) {
        this.redis = redis;
        this.registry = registry;
        this.workerId = workerId;
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        DeliveryQueue queue = new DeliveryQueue(redis, remaining, remaining + ":processing:" + workerId, null, null);
        DeliveryQueueEndpoint endpoint = new DeliveryQueueEndpoint(uri, this, queue, registry);
        setProperties(endpoint, parameters);
        return endpoint;
    }
}
