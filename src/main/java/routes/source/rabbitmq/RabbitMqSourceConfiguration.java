package routes.source.rabbitmq;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.springframework.amqp.core.Binding;
import org.springframework.amqp.core.BindingBuilder;
import org.springframework.amqp.core.Declarables;
import org.springframework.amqp.core.DirectExchange;
import org.springframework.amqp.core.ExchangeBuilder;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.core.QueueBuilder;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import routes.config.IngestProperties;
import routes.source.consumer.SourceConsumer;

/**
 * The RabbitMQ source's beans, all or nothing on {@code ingest.sources.rabbitmq.enabled}: the CONTRACT §2
 * topology, the {@link RabbitMqSource}, the acknowledger, the {@code spring-rabbitmq-batch} component and
 * the health component {@code rabbitmq}. The route (routes/rabbitmq-source.camel.yaml) is switched by the
 * same key with a route precondition, as every source route is.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(prefix = "ingest.sources.rabbitmq", name = "enabled", havingValue = "true")
public class RabbitMqSourceConfiguration {

    public static final String ROUTE_ID = "rabbitmq-source";

    /**
     * Declared by Spring AMQP's RabbitAdmin on every (re)connection, durable, with exactly the
     * arguments of CONTRACT §2. The Camel endpoint does not declare (autoDeclare=false): its queues
     * are not durable and its arguments would differ.
     */
    @Bean
    Declarables rabbitMqTopology(RabbitMqSourceProperties properties) {
        Queue queue = QueueBuilder.durable(properties.queue())
                .deadLetterExchange(properties.deadLetterExchange())
                .deadLetterRoutingKey(properties.deadLetterRoutingKey())
                .build();
        DirectExchange deadLetterExchange = ExchangeBuilder.directExchange(properties.deadLetterExchange())
                .durable(true).build();
        Queue deadLetterQueue = QueueBuilder.durable(properties.deadLetterQueue()).build();
        Binding binding = BindingBuilder.bind(deadLetterQueue).to(deadLetterExchange)
                .with(properties.deadLetterRoutingKey());
        return new Declarables(queue, deadLetterExchange, deadLetterQueue, binding);
    }

    @Bean
    RabbitMqSource rabbitMqSource(ConnectionFactory connectionFactory, RabbitMqSourceProperties properties) {
        return new RabbitMqSource(connectionFactory, properties);
    }

    @Bean
    RabbitMqAcknowledger rabbitMqAcknowledger(ConnectionFactory connectionFactory, RabbitMqSourceProperties properties,
                                              IngestProperties ingest, CamelContext camel) {
        // The connection factory is a dependency so that the acknowledger closes (flushing its acks) before it.
        return new RabbitMqAcknowledger(properties.prefetch(), ingest.redelivery(), properties.failedMessagesRemembered(),
                camel.getExecutorServiceManager().newSingleThreadScheduledExecutor(RabbitMqAcknowledger.class,
                        "rabbitmq-ack-flusher"));
    }

    @Bean
    RabbitMqDelivery rabbitMqDelivery(RabbitMqAcknowledger acknowledger) {
        return new RabbitMqDelivery(acknowledger);
    }

    /** The route's endpoint: camel-spring-rabbitmq's, handing the messages received together on as one batch. */
    @Bean(BatchingRabbitMqComponent.SCHEME)
    BatchingRabbitMqComponent batchingRabbitMqComponent(ConnectionFactory connectionFactory) {
        BatchingRabbitMqComponent component = new BatchingRabbitMqComponent();
        component.setConnectionFactory(connectionFactory);
        // Bodies stay bytes from the broker to the dead letter.
        component.setMessageConverter(new RawBodyMessageConverter());
        return component;
    }

    /**
     * {@code ingest_workers{source="rabbitmq",queue}}: the listener container's consumers running now, as
     * the other sources show their pools (0 while the route is stopped).
     */
    @Bean
    MeterBinder rabbitMqWorkersGauge(CamelContext camel, RabbitMqSourceProperties properties) {
        return registry -> Gauge.builder(SourceConsumer.WORKERS_GAUGE, camel, RabbitMqSourceConfiguration::activeConsumers)
                .tag("source", RabbitMqSource.NAME).tag("queue", properties.queue())
                .description("Consumer loops of a source").register(registry);
    }

    static double activeConsumers(CamelContext camel) {
        Route route = camel.getRoute(ROUTE_ID);
        return route != null && route.getEndpoint() instanceof BatchingRabbitMqEndpoint endpoint
                ? endpoint.activeConsumers() : 0;
    }

    /** Health component "rabbitmq" (the bean name minus "HealthIndicator"). */
    @Bean
    RabbitMqHealthIndicator rabbitmqHealthIndicator(ConnectionFactory connectionFactory, RabbitMqSource source) {
        return new RabbitMqHealthIndicator(connectionFactory, source);
    }
}
