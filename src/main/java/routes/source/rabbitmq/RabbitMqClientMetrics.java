package routes.source.rabbitmq;

import com.rabbitmq.client.impl.MicrometerMetricsCollector;
import com.rabbitmq.client.NoOpMetricsCollector;
import io.micrometer.core.instrument.config.MeterFilter;
import org.springframework.amqp.rabbit.connection.AbstractConnectionFactory;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

/**
 * Turns the RabbitMQ Java client's own meters off unless {@code ingest.sources.rabbitmq.client-metrics} is true.
 * Spring Boot gives every connection factory the client's {@link MicrometerMetricsCollector}, which keeps each
 * channel's unacked delivery tags in a hash set to count acknowledgements, and walks the whole set on every
 * {@code basic.ack(multiple=true)}: with a prefetch of 2000 that walk was 5 % of the app's CPU samples in a
 * RabbitMQ drain, four times the cost of sending the acks. The source's {@code ingest_*} meters count the same
 * messages. Off, the factory gets the client's no-op collector and Boot's {@code rabbitmq.*} meters are denied,
 * so none of them stays at zero in {@code /actuator/prometheus}.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass({AbstractConnectionFactory.class, MicrometerMetricsCollector.class})
@ConditionalOnProperty(prefix = "ingest.sources.rabbitmq", name = "client-metrics", havingValue = "false",
        matchIfMissing = true)
public class RabbitMqClientMetrics {

    /** The prefix of the meters Spring Boot binds for a connection factory ({@code RabbitMetrics}). */
    static final String METER_PREFIX = "rabbitmq.";

    /** Runs after Spring Boot's post-processor (highest precedence), which installs the client's collector. */
    @Bean
    static BeanPostProcessor rabbitMqClientMetricsOff() {
        return new NoClientMetrics();
    }

    @Bean
    MeterFilter rabbitMqClientMetersOff() {
        return MeterFilter.denyNameStartsWith(METER_PREFIX);
    }

    static final class NoClientMetrics implements BeanPostProcessor, Ordered {

        @Override
        public Object postProcessAfterInitialization(Object bean, String beanName) {
            if (bean instanceof AbstractConnectionFactory factory) {
                factory.getRabbitConnectionFactory().setMetricsCollector(new NoOpMetricsCollector());
            }
            return bean;
        }

        @Override
        public int getOrder() {
            return Ordered.LOWEST_PRECEDENCE;
        }
    }
}
