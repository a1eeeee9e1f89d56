package routes.source.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.Status;

/** The {@code nats} health component: connected is not enough, JetStream must answer; DOWN says why. */
class NatsHealthIndicatorTest {

    final NatsConnector nats = mock(NatsConnector.class);
    final NatsSource source = mock(NatsSource.class);
    final NatsSourceProperties properties = NatsTestSupport.properties(Map.of());
    final NatsHealthIndicator health = new NatsHealthIndicator(nats, source, properties);

    @Test
    void upWhenConnectedAndTheConsumerAnswers() {
        when(nats.details()).thenReturn(Map.of("status", "CONNECTED"));
        when(source.queueDepth()).thenReturn(42L);

        Health result = health.health();

        assertThat(result.getStatus()).isEqualTo(Status.UP);
        assertThat(result.getDetails()).containsEntry("queue_depth", 42L).containsEntry("status", "CONNECTED");
    }

    @Test
    void downWhenConnectedButJetStreamDoesNotAnswer() {
        when(nats.details()).thenReturn(Map.of("status", "CONNECTED"));
        when(source.queueDepth()).thenReturn(-1L);

        Health result = health.health();

        assertThat(result.getStatus()).isEqualTo(Status.DOWN);
        assertThat(result.getDetails().get("error")).asString().contains("ingest_workers", "INGRESS");
    }

    @Test
    void downWhileNotConnectedWithTheReason() {
        when(nats.unavailableReason()).thenReturn("NATS at nats://localhost:4222 reconnecting: ConnectException: Connection refused");
        when(nats.details()).thenReturn(Map.of("status", "RECONNECTING"));

        Health result = health.health();

        assertThat(result.getStatus()).isEqualTo(Status.DOWN);
        assertThat(result.getDetails().get("error")).asString().contains("Connection refused");
    }

    @Test
    void differencesOfAnExistingStreamAreDetailsNotAnOutage() {
        when(nats.details()).thenReturn(Map.of("status", "CONNECTED",
                "differences", Map.of("stream INGRESS", List.of("max_msgs unlimited, configured 1000000"))));
        when(source.queueDepth()).thenReturn(0L);

        Health result = health.health();

        assertThat(result.getStatus()).isEqualTo(Status.UP);
        assertThat(result.getDetails().get("differences")).asString().contains("max_msgs unlimited, configured 1000000");
    }
}
