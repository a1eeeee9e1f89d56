package routes.source.redis;

import org.apache.camel.component.redis.processor.idempotent.SpringRedisStringIdempotentRepository;
import org.apache.camel.spi.IdempotentRepository;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * {@code ingest.idempotency.repository=redis}: the pipeline's idempotent consumer remembers committed
 * event keys in Redis, shared by every app instance and surviving restarts. Camel's
 * {@link SpringRedisStringIdempotentRepository} adds a key with one atomic SET NX EX (its sibling
 * SpringRedisIdempotentRepository checks and adds in two steps). Keys: {@code ingest:idempotency:<key>}.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(prefix = "ingest.idempotency", name = "repository", havingValue = "redis")
public class RedisIdempotencyConfiguration {

    /** Replaces the core's {@code eventIdempotentStore} (which is {@code @ConditionalOnMissingBean} by name). */
    @Bean
    IdempotentRepository eventIdempotentStore(StringRedisTemplate redis, RedisSourceProperties properties) {
        SpringRedisStringIdempotentRepository repository =
                new SpringRedisStringIdempotentRepository(redis, properties.idempotencyPrefix());
        repository.setExpiry(properties.idempotencyTtl().toSeconds());
        return repository;
    }
}
