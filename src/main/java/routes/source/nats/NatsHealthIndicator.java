package routes.source.nats;

import io.nats.client.Connection;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;

/** Actuator health component {@code nats}: UP while connected to the NATS server, DOWN otherwise. */
public class NatsHealthIndicator implements HealthIndicator {

    private final Connection connection;
    private final NatsSourceProperties properties;

    public NatsHealthIndicator(Connection connection, NatsSourceProperties properties) {
        this.connection = connection;
        this.properties = properties;
    }

    @Override
    public Health health() {
        Connection.Status status = connection.getStatus();
        Health.Builder builder = status == Connection.Status.CONNECTED ? Health.up() : Health.down();
        return builder.withDetail("status", status.toString())
                .withDetail("server", String.valueOf(connection.getConnectedUrl()))
                .withDetail("stream", properties.stream())
                .withDetail("durable", properties.durable())
                .build();
    }
}
