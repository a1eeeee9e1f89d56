package routes.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;
import routes.ops.IngestMetrics;
import routes.pipeline.dedup.BoundedKeyMemory;
import routes.pipeline.dedup.CommittedOnlyIdempotentRepository;
import routes.pipeline.dedup.DuplicateStage;
import routes.pipeline.outcome.OutcomeStage;
import routes.pipeline.split.RowSplitter;
import routes.pipeline.split.SplitStage;
import routes.pipeline.validate.EventParser;
import routes.pipeline.validate.InvalidMessageException;
import routes.pipeline.validate.ValidateStage;

/** The batch-native stages on their own, without Camel routing or a database. */
class PipelineStagesTest {

    final CamelContext camel = new DefaultCamelContext();
    final ObjectMapper mapper = new ObjectMapper();
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final IngestMetrics metrics = new IngestMetrics(registry);
    final EventParser parser = new EventParser(mapper);
    final CommittedOnlyIdempotentRepository committed =
            new CommittedOnlyIdempotentRepository(new BoundedKeyMemory(100));
    final ValidateStage validate = new ValidateStage(parser, mapper, metrics);
    final DuplicateStage duplicates = new DuplicateStage(committed);
    final SplitStage split = new SplitStage(new RowSplitter());
    final OutcomeStage outcome = new OutcomeStage(committed, metrics);

    static String event(String id) {
        return "{\"event_id\":\"" + id + "\",\"device_id\":\"0b6f4c2e-6a39-4a8e-9d0f-3c1f5a7e2b11\","
                + "\"source_timestamp\":\"2026-11-22T10:15:30Z\",\"metrics\":[{\"parameter_key\":\"a\",\"value\":1},"
                + "{\"parameter_key\":\"b\",\"value\":2}]}";
    }

    Exchange message(Object body) {
        Exchange message = new DefaultExchange(camel);
        message.setProperty(IngestExchange.SOURCE, "unit");
        message.getMessage().setBody(body);
        return message;
    }

    Exchange batch(List<Exchange> messages) {
        Exchange batch = new DefaultExchange(camel);
        batch.getMessage().setBody(messages);
        return batch;
    }

    double events(String status) {
        return registry.counter(IngestMetrics.EVENTS, "source", "unit", "status", status).count();
    }

    @Test
    void eachMessageKeepsItsOwnOutcomeAndTheBatchIsCountedOncePerStatus() {
        committed.add(parser.parse(event("seen").getBytes(StandardCharsets.UTF_8)).messageKey());
        List<Exchange> messages = new ArrayList<>(List.of(
                message(event("new-1").getBytes(StandardCharsets.UTF_8)),
                message(event("new-1").getBytes(StandardCharsets.UTF_8)), // repeated in the batch
                message(event("seen").getBytes(StandardCharsets.UTF_8)), // committed before
                message("{\"device_id\":1}".getBytes(StandardCharsets.UTF_8)),
                message(mapper.valueToTree(Map.of("event_id", "tree", "device_id", "0b6f4c2e-6a39-4a8e-9d0f-3c1f5a7e2b11",
                        "source_timestamp", "2026-11-22T10:15:30Z", "metrics", List.of(Map.of("parameter_key", "a", "value", 1))))),
                message(event("filtered"))));
        MessageBatch.settle(messages.get(5), MessageOutcome.FILTERED);
        Exchange batch = batch(messages);

        validate.process(batch);
        duplicates.process(batch);
        split.process(batch);

        assertThat(messages.get(3).getException()).isInstanceOf(InvalidMessageException.class);
        assertThat(MessageBatch.outcome(messages.get(1))).isEqualTo(MessageOutcome.DUPLICATE);
        assertThat(MessageBatch.outcome(messages.get(2))).isEqualTo(MessageOutcome.DUPLICATE);
        assertThat(MessageBatch.pending(batch)).containsExactly(messages.get(0), messages.get(4));
        assertThat(messages.get(0).getMessage().getBody(List.class)).hasSize(2);
        assertThat(messages.get(4).getMessage().getBody(List.class)).as("a JSON tree body, as a transform leaves it")
                .hasSize(1);
        assertThat(messages.get(0).getProperty(IngestExchange.ORIGINAL_BODY, byte[].class))
                .isEqualTo(event("new-1").getBytes(StandardCharsets.UTF_8));

        MessageBatch.pending(batch).forEach(m -> MessageBatch.settle(m, MessageOutcome.COMMITTED));
        outcome.process(batch);

        assertThat(events("success")).isEqualTo(2);
        assertThat(events("duplicate")).isEqualTo(2);
        assertThat(events("filtered")).isEqualTo(1);
        assertThat(registry.counter(IngestMetrics.ROWS, "source", "unit").count()).isEqualTo(3);
        assertThat(committed.contains(parser.parse(event("new-1").getBytes(StandardCharsets.UTF_8)).messageKey()))
                .as("remembered once committed").isTrue();
    }

    @Test
    void theOutcomeRemembersTheKeyTheIdempotentConsumerCheckedWithoutComputingItAgain() {
        Exchange m = message(event("keyed").getBytes(StandardCharsets.UTF_8));
        Exchange batch = batch(new ArrayList<>(List.of(m)));
        validate.process(batch);
        duplicates.process(batch);
        String key = m.getProperty(IngestExchange.EVENT, routes.pipeline.validate.IngestEvent.class).messageKey();
        assertThat(m.getProperty(IngestExchange.EVENT_KEY)).as("set by the idempotent consumer").isEqualTo(key);

        // The outcome takes the key from the message (a SHA-256 per message, not computed twice per batch).
        m.setProperty(IngestExchange.EVENT_KEY, "the-checked-key");
        split.process(batch);
        MessageBatch.settle(m, MessageOutcome.COMMITTED);
        outcome.process(batch);

        assertThat(committed.contains("the-checked-key")).isTrue();
        assertThat(committed.contains(key)).isFalse();
    }

    @Test
    void aRequestValidatedAsOneIsRefusedWholeWithEveryFieldError() {
        List<Exchange> messages = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Exchange m = message(i == 1 ? mapper.createObjectNode().put("device_id", "x")
                    : parser.readTree(event("r-" + i).getBytes(StandardCharsets.UTF_8)));
            m.setProperty(IngestExchange.FIELD_PREFIX, "[" + i + "]");
            messages.add(m);
        }
        Exchange batch = batch(messages);
        batch.setProperty(IngestExchange.ALL_OR_NONE, true);

        assertThatThrownBy(() -> validate.process(batch)).isInstanceOf(InvalidMessageException.class)
                .satisfies(e -> assertThat(((InvalidMessageException) e).errors())
                        .allSatisfy(f -> assertThat(f.field()).startsWith("[1]")).isNotEmpty());
        assertThat(messages).allSatisfy(m -> assertThat(m.getException()).isNull());
    }

    @Test
    void aSingleMessageIsABatchOfOneAndGetsItsOutcomeBack() {
        Exchange single = message(event("one").getBytes(StandardCharsets.UTF_8));
        MessageBatch.wrap(single);
        Exchange inner = MessageBatch.messages(single).get(0);
        assertThat(inner).isNotSameAs(single);
        inner.setException(new IllegalStateException("failed"));
        inner.setProperty(IngestExchange.DEAD_LETTERED, true);

        MessageBatch.unwrap(single);

        assertThat(single.getException()).hasMessage("failed");
        assertThat(single.getProperty(IngestExchange.DEAD_LETTERED, Boolean.class)).isTrue();
    }
}
