package routes.delivery;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import org.apache.camel.CamelContext;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.transaction.support.TransactionTemplate;
import routes.deadletter.DeadLetterStore;
import routes.source.redis.RedisQueueEndpoint;
import routes.source.redis.RedisSourceProperties;
import routes.status.MessageStatusStore;

/**
 * The delivery sink's beans; only with {@code ingest.delivery.enabled=true}. Start-up fails when a
 * certificate file is missing or unreadable ({@link DeliveryCertificates}) or when the Redis ingest
 * source uses the same keys ({@link DeliveryKeyOverlap}).
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(prefix = "ingest.delivery", name = "enabled", havingValue = "true")
public class DeliveryConfiguration {

    /** Refuses to start when the ingest Redis source and the delivery queue are configured on the same keys. */
    @Bean
    InitializingBean deliveryKeysApart(DeliveryProperties properties, ObjectProvider<RedisSourceProperties> redisSource) {
        return () -> DeliveryKeyOverlap.check(properties, redisSource.getIfAvailable());
    }

    @Bean
    DeliveryClient deliveryClient(DeliveryProperties properties, ObjectProvider<SslBundles> bundles) {
        DeliveryProperties.Tls tls = DeliveryCertificates.withDefaults(properties.tls(), Path.of(""));
        return new DeliveryClient(DeliveryTls.sslContext(tls, bundles.getIfAvailable()),
                properties.baseUrl(), properties.deliverPath(), properties.statusPath(), properties.requestTimeout());
    }

    @Bean
    DeliveryMetrics deliveryMetrics(MeterRegistry registry) {
        return new DeliveryMetrics(registry);
    }

    @Bean
    DeliverySink deliverySink(DeliveryClient client, StringRedisTemplate redis, DeliveryProperties properties,
                              DeliveryMetrics metrics, ObjectMapper mapper, DeadLetterStore deadLetters,
                              MessageStatusStore status, TransactionTemplate transaction) {
        return new DeliverySink(client, redis, properties, metrics, mapper, deadLetters, status, transaction);
    }

    /**
     * The queue route delivery-source consumes ({@code ref:deliveryQueue}, routes/delivery.camel.yaml). Camel
     * starts and stops it with the route (no Spring destroy method: it would stop it a second time).
     */
    @Bean(destroyMethod = "")
    RedisQueueEndpoint deliveryQueue(CamelContext camel, DeliveryProperties properties) {
        return DeliveryQueue.endpoint(camel, properties);
    }

    @Bean
    DeliverySource deliverySource(StringRedisTemplate redis, DeliveryProperties properties, ObjectMapper mapper) {
        return new DeliverySource(redis, properties, mapper);
    }
}
