package routes.source.redis;

import java.util.Map;
import org.apache.camel.Endpoint;
import org.apache.camel.support.DefaultComponent;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.data.redis.core.RedisTemplate;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.serializer.RedisSerializer;
import org.springframework.stereotype.Component;
import routes.config.IngestProperties;

/**
 * The {@code redis-queue:} Camel component: consumes a Redis list reliably (or a stream with a consumer
 * group) on Spring Data Redis, see {@link RedisQueueEndpoint}. Camel's own Redis component only
 * subscribes to pub/sub. The connection is Spring's ({@code spring.data.redis.*}), never in the URI.
 */
@Component(RedisQueueComponent.NAME)
public class RedisQueueComponent extends DefaultComponent {

    public static final String NAME = "redis-queue";

    private final StringRedisTemplate redis;
    private final IngestProperties.Redelivery redelivery;
    private final RecoveryGate gate;
    private volatile RedisTemplate<String, byte[]> bytes;

    public RedisQueueComponent(StringRedisTemplate redis, IngestProperties properties, ObjectProvider<RecoveryGate> gate) {
        this.redis = redis;
        this.redelivery = properties.redelivery();
        this.gate = gate.getIfAvailable(() -> RecoveryGate.EVERY_INSTANCE);
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        RedisQueueEndpoint endpoint = new RedisQueueEndpoint(uri, this, remaining);
        setProperties(endpoint, parameters);
        return endpoint;
    }

    /** A new endpoint on {@code key} with default options, for a route that sets them typed (not in a URI). */
    public RedisQueueEndpoint endpoint(String key) {
        RedisQueueEndpoint endpoint = new RedisQueueEndpoint(NAME + ":" + key, this, key);
        endpoint.setCamelContext(getCamelContext());
        return endpoint;
    }

    StringRedisTemplate redis() {
        return redis;
    }

    /**
     * The same connection with keys as text and values as bytes: entries and payloads are never decoded,
     * so an entry that is not UTF-8 is acknowledged (LREM) by its exact bytes.
     */
    RedisTemplate<String, byte[]> bytes() {
        if (bytes == null) {
            RedisTemplate<String, byte[]> template = new RedisTemplate<>();
            template.setConnectionFactory(redis.getRequiredConnectionFactory());
            template.setKeySerializer(RedisSerializer.string());
            template.setValueSerializer(RedisSerializer.byteArray());
            template.setHashKeySerializer(RedisSerializer.string());
            template.setHashValueSerializer(RedisSerializer.byteArray());
            template.afterPropertiesSet();
            bytes = template;
        }
        return bytes;
    }

    IngestProperties.Redelivery redelivery() {
        return redelivery;
    }

    RecoveryGate gate() {
        return gate;
    }
}
