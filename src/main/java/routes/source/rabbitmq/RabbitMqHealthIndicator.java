package routes.source.rabbitmq;

import org.springframework.amqp.rabbit.connection.Connection;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;

/**
 * RabbitMQ broker → actuator health component {@code rabbitmq}: UP with the queue depth while the
 * broker answers, DOWN while it does not. The caching connection factory reconnects on the next
 * use, so the component comes back UP by itself.
 */
public class RabbitMqHealthIndicator extends AbstractHealthIndicator {

    private final ConnectionFactory connectionFactory;
    private final RabbitMqSource source;

    public RabbitMqHealthIndicator(ConnectionFactory connectionFactory, RabbitMqSource source) {
        super("RabbitMQ health check failed");
        this.connectionFactory = connectionFactory;
        this.source = source;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        Connection connection = connectionFactory.createConnection();
        if (!connection.isOpen()) {
            builder.down().withDetail("error", "connection closed");
            return;
        }
        Object version = connection.getDelegate().getServerProperties().get("version");
        long depth = source.queueDepth();
        builder.up().withDetail("version", String.valueOf(version)).withDetail("queue", source.queue())
                .withDetail("queue_depth", depth);
        if (depth < 0) {
            builder.down().withDetail("error", "queue " + source.queue() + " not readable");
        }
    }
}
