package routes.source.nats;

import static org.assertj.core.api.Assertions.assertThat;

import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.DiscardPolicy;
import io.nats.client.api.StreamConfiguration;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** How an existing stream or consumer is compared with the configuration (it is never changed). */
class JetStreamTopologyTest {

    final JetStreamTopology.DurableSpec spec = new JetStreamTopology.DurableSpec("S", "s", "d", Duration.ofSeconds(30), 20000);

    @Test
    void aStreamWithTheConfiguredLimitsHasNoDifferences() {
        StreamConfiguration same = StreamConfiguration.builder().name("S").subjects("s").maxAge(Duration.ofHours(24))
                .maxMessages(1_000_000).maxBytes(1L << 30).discardPolicy(DiscardPolicy.New).build();
        assertThat(JetStreamTopology.streamDifferences(same, JetStreamTopology.DEFAULT_LIMITS)).isEmpty();
    }

    @Test
    void everyDifferingLimitIsNamedWithBothValues() {
        StreamConfiguration unlimited = StreamConfiguration.builder().name("S").subjects("s").discardPolicy(DiscardPolicy.Old).build();
        assertThat(JetStreamTopology.streamDifferences(unlimited, JetStreamTopology.DEFAULT_LIMITS)).containsExactly(
                "max_age unlimited, configured 24h",
                "max_msgs unlimited, configured 1000000",
                "max_bytes unlimited, configured 1073741824",
                "discard old, expected new (a full stream drops its oldest messages instead of refusing new ones)");
    }

    @Test
    void aConsumerWithAServerSideAttemptLimitOrOtherTunablesIsReported() {
        ConsumerConfiguration old = ConsumerConfiguration.builder().durable("d").maxDeliver(5)
                .ackWait(Duration.ofSeconds(10)).maxAckPending(1000).build();
        assertThat(JetStreamTopology.durableDifferences(old, spec)).satisfiesExactly(
                d -> assertThat(d).startsWith("max_deliver 5, expected unlimited"),
                d -> assertThat(d).isEqualTo("ack_wait 10s, configured 30s"),
                d -> assertThat(d).isEqualTo("max_ack_pending 1000, configured 20000"));
        ConsumerConfiguration asCreated = ConsumerConfiguration.builder().durable("d").maxDeliver(-1)
                .ackWait(Duration.ofSeconds(30)).maxAckPending(20000).build();
        assertThat(JetStreamTopology.durableDifferences(asCreated, spec)).isEmpty();
    }
}
