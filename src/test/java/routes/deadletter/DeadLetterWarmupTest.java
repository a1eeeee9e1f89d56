package routes.deadletter;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import routes.db.WarmupProperties;
import routes.pipeline.validate.EventParser;
import routes.source.IngestSource;
import routes.source.IngestSources;

class DeadLetterWarmupTest {

    private final List<Integer> encoded = new ArrayList<>();
    private final IngestSources sources = new IngestSources(List.of(new EncodingSource()));

    @Test
    void eachSourceEncodesAnOversizedBodyEveryRoundAndNothingIsPublished() {
        DeadLetterWarmup warmup = new DeadLetterWarmup(
                new WarmupProperties(false, 1, 1, Duration.ofSeconds(2), true, 1, Duration.ZERO),
                new DeadLetterProperties(200, 10_000, 65_536), sources);

        warmup.afterSingletonsInstantiated();

        assertThat(warmup.rounds()).isEqualTo(DeadLetterWarmup.ROUNDS);
        assertThat(encoded).hasSize(DeadLetterWarmup.ROUNDS)
                .allSatisfy(length -> assertThat(length).isGreaterThan(EventParser.MAX_MESSAGE_BYTES));
    }

    @Test
    void offWhenAskedTo() {
        DeadLetterWarmup warmup = new DeadLetterWarmup(
                new WarmupProperties(false, 1, 1, Duration.ofSeconds(2), false, 1, Duration.ZERO),
                new DeadLetterProperties(200, 10_000, 65_536), sources);

        warmup.afterSingletonsInstantiated();

        assertThat(warmup.rounds()).isZero();
        assertThat(encoded).isEmpty();
    }

    @Test
    void theMadeUpBodyIsTooLargeAndValidUtf8Json() throws Exception {
        byte[] body = DeadLetterWarmup.oversizedBody();

        assertThat(body.length).isGreaterThan(EventParser.MAX_MESSAGE_BYTES);
        assertThat(new com.fasterxml.jackson.databind.ObjectMapper().readTree(body).get("event_id").asText()).isEqualTo("warmup");
    }

    /** A source that only counts what it is asked to encode; publishing fails the test. */
    private final class EncodingSource implements IngestSource {

        @Override
        public void encodeDeadLetterForWarmup(byte[] body) {
            encoded.add(body.length);
        }

        @Override
        public void publish(byte[] body, Map<String, String> headers) {
            throw new AssertionError("published");
        }

        @Override
        public void publishDeadLetter(byte[] body, Map<String, String> headers) {
            throw new AssertionError("published a dead letter");
        }

        @Override
        public String name() {
            return "test";
        }

        @Override
        public String queue() {
            return "q";
        }

        @Override
        public long queueDepth() {
            return 0;
        }
    }
}
