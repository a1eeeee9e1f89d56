package routes.source.nats;

import io.nats.client.Connection;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;

/**
 * Actuator health component {@code nats}: UP while connected to the NATS server <em>and</em> JetStream
 * answers for the durable consumer (its pending count is read); DOWN otherwise. A connection can be
 * CONNECTED while JetStream does not answer (seen after a server restart, docs/sources/nats.md): then
 * nothing is consumed, and the component says so.
 */
public class NatsHealthIndicator implements HealthIndicator {

    private final Connection connection;
    private final NatsSource source;
    private final NatsSourceProperties properties;

    public NatsHealthIndicator(Connection connection, NatsSource source, NatsSourceProperties properties) {
        this.connection = connection;
        this.source = source;
        this.properties = properties;
    }

    @Override
    public Health health() {
        Connection.Status status = connection.getStatus();
        Health.Builder builder = Health.down();
        if (status == Connection.Status.CONNECTED) {
            long depth = source.queueDepth();
            if (depth >= 0) {
                builder = Health.up().withDetail("queue_depth", depth);
            } else {
                builder.withDetail("error", "JetStream does not answer for consumer " + properties.durable()
                        + " on stream " + properties.stream());
            }
        }
        return builder.withDetail("status", status.toString())
                .withDetail("server", String.valueOf(connection.getConnectedUrl()))
                .withDetail("stream", properties.stream())
                .withDetail("durable", properties.durable())
                .build();
    }
}
