package routes.source.nats;

import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;

/**
 * Actuator health component {@code nats}: UP while connected to the NATS server <em>and</em> JetStream
 * answers for the durable consumer (its pending count is read); DOWN otherwise, with the reason: not
 * connected (never yet, at start-up with NATS down, or reconnecting) with the client's last error, an
 * existing stream or consumer that cannot be used, or JetStream not answering while connected (seen after
 * a server restart, docs/sources/nats.md). Where an existing stream or consumer differs from the
 * configuration (it is left as it is) the details say how, UP or DOWN.
 */
public class NatsHealthIndicator implements HealthIndicator {

    private final NatsConnector nats;
    private final NatsSource source;
    private final NatsSourceProperties properties;

    public NatsHealthIndicator(NatsConnector nats, NatsSource source, NatsSourceProperties properties) {
        this.nats = nats;
        this.source = source;
        this.properties = properties;
    }

    @Override
    public Health health() {
        String unavailable = nats.unavailableReason();
        Health.Builder builder;
        if (unavailable != null) {
            builder = Health.down().withDetail("error", unavailable);
        } else {
            long depth = source.queueDepth();
            builder = depth >= 0 ? Health.up().withDetail("queue_depth", depth)
                    : Health.down().withDetail("error", "JetStream does not answer for consumer " + properties.durable()
                        + " on stream " + properties.stream());
        }
        return builder.withDetails(nats.details())
                .withDetail("stream", properties.stream())
                .withDetail("durable", properties.durable())
                .build();
    }
}
