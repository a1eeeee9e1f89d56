package routes.delivery;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.springframework.data.redis.core.StringRedisTemplate;
import routes.source.IngestSource;

/**
 * The delivery queue as an {@link IngestSource}: its depth in {@code /v1/health} and
 * {@code ingest_queue_depth}, and dead-letter replay pushing a message back onto {@code delivery_queue}.
 */
public class DeliverySource implements IngestSource {

    private final StringRedisTemplate redis;
    private final DeliveryProperties properties;
    private final ObjectMapper mapper;

    public DeliverySource(StringRedisTemplate redis, DeliveryProperties properties,
                          ObjectMapper mapper) {
        this.redis = redis;
        this.properties = properties;
        this.mapper = mapper;
    }

    @Override
    public String name() {
        return DeliverySink.SOURCE;
    }

    /** Outbound deliveries: counted by {@code worker_*} metrics, not the ingest ones. */
    @Override
    public boolean ingests() {
        return false;
    }

    @Override
    public String queue() {
        return properties.queue();
    }

    @Override
    public long queueDepth() {
        try {
            Long waiting = redis.opsForList().size(properties.queue());
            Long delayed = redis.opsForZSet().zCard(properties.delayedSet());
            return (waiting == null ? 0 : waiting) + (delayed == null ? 0 : delayed);
        } catch (RuntimeException e) {
            return -1;
        }
    }

    /** LPUSH (Redis confirms each write); a replayed message starts again with its attempts at 0. */
    @Override
    public void publish(byte[] body, Map<String, String> headers) {
        String raw = new String(body, StandardCharsets.UTF_8);
        DeliveryMessage message = DeliveryMessage.parse(mapper, raw);
        DeliveryMessage fresh = new DeliveryMessage(message.messageId(), message.payload(), 0,
                System.currentTimeMillis(), null);
        redis.opsForList().leftPush(properties.queue(), fresh.toJson(mapper));
    }

    @Override
    public void publishDeadLetter(byte[] body, Map<String, String> headers) {
        redis.opsForList().leftPush(properties.dlq(), new String(body, StandardCharsets.UTF_8));
    }
}
