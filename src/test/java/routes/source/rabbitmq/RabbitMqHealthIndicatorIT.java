package routes.source.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import java.util.Map;

/** The health component against the real local broker (UP, with depth) and an unreachable one (DOWN). */
class RabbitMqHealthIndicatorIT {

    static RabbitMqSourceProperties properties(String queue) {
        return new Binder(new MapConfigurationPropertySource(Map.of("ingest.sources.rabbitmq.queue", queue)))
                .bindOrCreate("ingest.sources.rabbitmq", RabbitMqSourceProperties.class);
    }

    static Health health(CachingConnectionFactory factory, String queue) {
        return new RabbitMqHealthIndicator(factory, new RabbitMqSource(factory, properties(queue))).health();
    }

    @Test
    void upWithTheQueueDepthWhenTheBrokerAnswers() {
        try (RabbitMqTestBroker broker = new RabbitMqTestBroker()) {
            new org.springframework.amqp.rabbit.core.RabbitAdmin(broker.connectionFactory())
                    .declareQueue(new org.springframework.amqp.core.Queue("it.rabbitmq.health.q", false, false, true));
            broker.drain("it.rabbitmq.health.q");
            broker.publish("it.rabbitmq.health.q", java.util.List.of("{}".getBytes()));

            Health health = health(broker.connectionFactory(), "it.rabbitmq.health.q");

            assertThat(health.getStatus()).isEqualTo(Status.UP);
            assertThat(health.getDetails()).containsEntry("queue_depth", 1L);
        }
    }

    @Test
    void downWhenTheBrokerCannotBeReached() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        CachingConnectionFactory unreachable = new CachingConnectionFactory("127.0.0.1", closedPort);
        unreachable.setConnectionTimeout((int) Duration.ofSeconds(2).toMillis());
        try {
            assertThat(health(unreachable, "it.rabbitmq.health.q").getStatus()).isEqualTo(Status.DOWN);
        } finally {
            unreachable.destroy();
        }
    }
}
