package routes.source.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import io.nats.client.Connection;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.Status;

/** The {@code nats} health component: the socket being connected is not enough, JetStream must answer. */
class NatsHealthIndicatorTest {

    final Connection connection = mock(Connection.class);
    final NatsSource source = mock(NatsSource.class);
    final NatsSourceProperties properties = new NatsSourceProperties(true, "nats://localhost:4222", "INGRESS",
            "ingress.events", "ingest_workers", "INGRESS_DLQ", "ingress.dlq", 500, true, 20_000, 5_000, 2,
            Duration.ofSeconds(30), 5, Duration.ofSeconds(1), Duration.ofMinutes(2));
    final NatsHealthIndicator health = new NatsHealthIndicator(connection, source, properties);

    @Test
    void upWhenConnectedAndTheConsumerAnswers() {
        when(connection.getStatus()).thenReturn(Connection.Status.CONNECTED);
        when(source.queueDepth()).thenReturn(42L);

        Health result = health.health();

        assertThat(result.getStatus()).isEqualTo(Status.UP);
        assertThat(result.getDetails()).containsEntry("queue_depth", 42L);
    }

    @Test
    void downWhenConnectedButJetStreamDoesNotAnswer() {
        when(connection.getStatus()).thenReturn(Connection.Status.CONNECTED);
        when(source.queueDepth()).thenReturn(-1L);

        Health result = health.health();

        assertThat(result.getStatus()).isEqualTo(Status.DOWN);
        assertThat(result.getDetails().get("error")).asString().contains("ingest_workers", "INGRESS");
    }

    @Test
    void downWhileDisconnected() {
        when(connection.getStatus()).thenReturn(Connection.Status.RECONNECTING);

        assertThat(health.health().getStatus()).isEqualTo(Status.DOWN);
    }
}
