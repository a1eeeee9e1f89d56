package routes.source.redis;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

/**
 * {@code /actuator/health} component {@code redisSource}: Redis answers PING, with the queue's depth and
 * what sits in processing, delayed retries and dead letters (list mode).
 */
@Component
@ConditionalOnProperty(prefix = "ingest.sources.redis", name = "enabled", havingValue = "true")
public class RedisSourceHealthIndicator implements HealthIndicator {

    private final StringRedisTemplate redis;
    private final RedisSourceProperties properties;
    private final RedisSource source;

    public RedisSourceHealthIndicator(StringRedisTemplate redis, RedisSourceProperties properties, RedisSource source) {
        this.redis = redis;
        this.properties = properties;
        this.source = source;
    }

    @Override
    public Health health() {
        try {
            String pong = redis.execute((RedisCallback<String>) c -> c.ping());
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("mode", properties.mode());
            details.put("queue", source.queue());
            details.put("queueDepth", source.queueDepth());
            if ("list".equals(properties.mode())) {
                details.put("processing", redis.opsForList().size(properties.processingList()));
                details.put("delayed", redis.opsForZSet().zCard(properties.delayedSet()));
            }
            details.put("deadLetters", redis.opsForList().size(properties.dlq()));
            return ("PONG".equalsIgnoreCase(pong) ? Health.up() : Health.down()).withDetails(details).build();
        } catch (RuntimeException e) {
            return Health.down(e).withDetail("queue", source.queue()).build();
        }
    }
}
