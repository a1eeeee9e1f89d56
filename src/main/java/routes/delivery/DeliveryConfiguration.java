package routes.delivery;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.transaction.support.TransactionTemplate;
import routes.deadletter.DeadLetterStore;
import routes.status.MessageStatusStore;

/** The delivery sink's beans; only with {@code ingest.delivery.enabled=true}. */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(prefix = "ingest.delivery", name = "enabled", havingValue = "true")
public class DeliveryConfiguration {

    @Bean
    DeliveryClient deliveryClient(DeliveryProperties properties, ObjectProvider<SslBundles> bundles) {
        return new DeliveryClient(DeliveryTls.sslContext(properties.tls(), bundles.getIfAvailable()),
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

    @Bean
    DeliverySource deliverySource(StringRedisTemplate redis, DeliveryProperties properties, ObjectMapper mapper) {
        return new DeliverySource(redis, properties, mapper);
    }
}
