package routes.source.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.NoOpMetricsCollector;
import com.rabbitmq.client.impl.MicrometerMetricsCollector;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.boot.actuate.autoconfigure.metrics.MetricsAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.metrics.amqp.RabbitMetricsAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * The RabbitMQ client's own meters: off by default (no collector walking the unacked tags on every ack, no
 * {@code rabbitmq.*} meter left at zero), Spring Boot's as before with {@code client-metrics: true}.
 */
class RabbitMqClientMetricsTest {

    private final ApplicationContextRunner app = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class, RabbitMetricsAutoConfiguration.class))
            .withUserConfiguration(RabbitMqClientMetrics.class)
            .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
            .withBean("rabbitConnectionFactory", CachingConnectionFactory.class, () -> new CachingConnectionFactory("127.0.0.1"));

    @Test
    void offByDefault() {
        app.run(context -> {
            CachingConnectionFactory factory = context.getBean(CachingConnectionFactory.class);
            assertThat(factory.getRabbitConnectionFactory().getMetricsCollector()).isInstanceOf(NoOpMetricsCollector.class);
            assertThat(context.getBean(MeterRegistry.class).getMeters())
                    .noneMatch(meter -> meter.getId().getName().startsWith(RabbitMqClientMetrics.METER_PREFIX));
        });
    }

    @Test
    void theClientsMetersWhenAskedFor() {
        app.withPropertyValues("ingest.sources.rabbitmq.client-metrics=true").run(context -> {
            CachingConnectionFactory factory = context.getBean(CachingConnectionFactory.class);
            assertThat(factory.getRabbitConnectionFactory().getMetricsCollector()).isInstanceOf(MicrometerMetricsCollector.class);
            assertThat(context.getBean(MeterRegistry.class).find("rabbitmq.acknowledged").counter()).isNotNull();
        });
    }
}
