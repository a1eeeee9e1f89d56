package routes.deadletter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.TransactionStatus;
import org.springframework.transaction.support.SimpleTransactionStatus;
import org.springframework.transaction.support.TransactionTemplate;
import routes.config.IngestProperties;
import routes.deadletter.DeadLetterStore.NewDeadLetter;
import routes.ops.IngestMetrics;
import routes.pipeline.IngestExchange;
import routes.pipeline.MessageBatch;
import routes.pipeline.commit.RetryBudget;
import routes.pipeline.validate.InvalidMessageException;
import routes.source.IngestSource;
import routes.source.IngestSources;

/**
 * The recorder parks the messages of a batch together: one statement of rows, one publish per source, in one
 * transaction that commits only when the broker confirmed; a message already recorded (a redelivery, or the
 * same message twice in one batch) gets no second row, copy or count. The table and the broker are fakes here
 * (DeadLetterApiIT and the sources' dead-letter ITs run the real ones).
 */
class DeadLetterRecorderTest {

    final DefaultCamelContext camel = new DefaultCamelContext();
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    final FakeStore store = new FakeStore();
    final FakeBroker broker = new FakeBroker();
    final FakeTransactions transactions = new FakeTransactions();
    final DeadLetterRecorder recorder = new DeadLetterRecorder(store, new IngestSources(List.of(broker)),
            new RetryBudget(new IngestProperties.Redelivery(5, Duration.ofMillis(200), 2.0, Duration.ofSeconds(10))),
            new IngestMetrics(meters), new TransactionTemplate(transactions), new ObjectMapper(),
            new DeadLetterProperties(200, 10000, 16));

    @AfterEach
    void close() throws Exception {
        camel.close();
    }

    Exchange invalid(String body) {
        Exchange message = new DefaultExchange(camel);
        message.setProperty(IngestExchange.SOURCE, "fake");
        message.setProperty(IngestExchange.QUEUE, "fake.q");
        message.setProperty(Exchange.EXCEPTION_CAUGHT, new InvalidMessageException("json",
                List.of(new InvalidMessageException.FieldError("$", "is not JSON"))));
        message.getMessage().setBody(body.getBytes(StandardCharsets.UTF_8));
        return message;
    }

    double deadLetterCount() {
        return meters.get(IngestMetrics.DEAD_LETTERS).tag("source", "fake").tag("error_type", "json").counter().count();
    }

    @Test
    void theFailedMessagesOfABatchAreOneStatementAndOnePublishInOneTransaction() throws Exception {
        List<Exchange> batch = List.of(invalid("a"), invalid("b"), invalid("c"));
        Exchange exchange = new DefaultExchange(camel);
        exchange.getMessage().setBody(batch);

        recorder.record(exchange);

        assertThat(store.statements).as("row statements").hasSize(1);
        assertThat(store.statements.get(0)).extracting(NewDeadLetter::payload).containsExactlyInAnyOrder("a", "b", "c");
        assertThat(store.statements.get(0)).extracting(NewDeadLetter::deadLetterId).as("rows in identity order: one lock order")
                .isSorted();
        assertThat(broker.publishes).as("broker round trips").hasSize(1);
        assertThat(broker.publishes.get(0)).extracting(c -> new String(c.body(), StandardCharsets.UTF_8))
                .containsExactly("a", "b", "c");
        assertThat(transactions.commits).isEqualTo(1);
        assertThat(batch).allSatisfy(m -> {
            assertThat(m.getProperty(IngestExchange.DEAD_LETTERED, Boolean.class)).isTrue();
            assertThat(m.getProperty(IngestExchange.DEAD_LETTER_ID, Long.class)).isNotNull();
        });
        assertThat(batch).extracting(m -> m.getProperty(IngestExchange.DEAD_LETTER_ID, Long.class)).doesNotHaveDuplicates();
        assertThat(deadLetterCount()).isEqualTo(3);
        assertThat(meters.get(IngestMetrics.EVENTS).tag("source", "fake").tag("status", "invalid").counter().count())
                .isEqualTo(3);
    }

    @Test
    void eachCopyCarriesTheContractHeadersAndTheRowKeepsThemToo() throws Exception {
        Exchange message = invalid("{\"x\":");
        message.setProperty(IngestExchange.TRACE_ID, "t-1");

        recorder.record(message);

        Map<String, String> headers = broker.publishes.get(0).get(0).headers();
        assertThat(headers).containsKeys(DeadLetterHeaders.ERROR_TYPE, DeadLetterHeaders.ERROR_MESSAGE,
                DeadLetterHeaders.ATTEMPTS, DeadLetterHeaders.SOURCE, DeadLetterHeaders.FAILED_AT,
                DeadLetterHeaders.DEAD_LETTER_ID, DeadLetterHeaders.TRACE_ID);
        assertThat(headers.get(DeadLetterHeaders.DEAD_LETTER_ID)).isEqualTo(store.statements.get(0).get(0).deadLetterId());
        assertThat(store.statements.get(0).get(0).headers()).containsAllEntriesOf(headers);
    }

    @Test
    void aRedeliveryOfARecordedMessageGetsItsRowIdButNoSecondRowCopyOrCount() throws Exception {
        recorder.record(invalid("again"));
        long first = store.rows.values().iterator().next();

        Exchange redelivered = invalid("again");
        Exchange fresh = invalid("new");
        Exchange batch = new DefaultExchange(camel);
        batch.getMessage().setBody(List.of(redelivered, fresh));
        recorder.record(batch);

        assertThat(store.rows).hasSize(2);
        assertThat(broker.publishes.get(1)).as("only the new message's copy")
                .extracting(c -> new String(c.body(), StandardCharsets.UTF_8)).containsExactly("new");
        assertThat(redelivered.getProperty(IngestExchange.DEAD_LETTERED, Boolean.class)).isTrue();
        assertThat(redelivered.getProperty(IngestExchange.DEAD_LETTER_ID, Long.class)).isEqualTo(first);
        assertThat(deadLetterCount()).isEqualTo(2);
    }

    @Test
    void theSameMessageTwiceInOneBatchIsParkedOnce() throws Exception {
        Exchange one = invalid("twice");
        Exchange two = invalid("twice");
        Exchange batch = new DefaultExchange(camel);
        batch.getMessage().setBody(List.of(one, two));

        recorder.record(batch);

        assertThat(store.statements.get(0)).as("one row per identity in a statement").hasSize(1);
        assertThat(broker.publishes.get(0)).hasSize(1);
        assertThat(two.getProperty(IngestExchange.DEAD_LETTER_ID, Long.class))
                .isEqualTo(one.getProperty(IngestExchange.DEAD_LETTER_ID, Long.class)).isNotNull();
        assertThat(deadLetterCount()).isEqualTo(1);
    }

    @Test
    void aFailedPublishRollsTheRowsBackAndParksNone() {
        broker.failure = new IllegalStateException("no confirm");
        List<Exchange> batch = List.of(invalid("a"), invalid("b"));
        Exchange exchange = new DefaultExchange(camel);
        exchange.getMessage().setBody(batch);

        assertThatThrownBy(() -> recorder.record(exchange)).hasMessageContaining("not confirmed by fake")
                .hasMessageContaining("no confirm");

        assertThat(transactions.rollbacks).isEqualTo(1);
        assertThat(transactions.commits).isZero();
        assertThat(batch).allSatisfy(m -> {
            assertThat(m.getProperty(IngestExchange.DEAD_LETTERED)).isNull();
            assertThat(m.getProperty(IngestExchange.DEAD_LETTER_ID)).isNull();
        });
        assertThat(meters.find(IngestMetrics.DEAD_LETTERS).counter()).isNull();
    }

    @Test
    void anOversizedMessageKeepsAPrefixInTheRowAndGoesWholeToTheBroker() throws Exception {
        String big = "x".repeat(100);
        Exchange message = invalid(big);
        message.setProperty(Exchange.EXCEPTION_CAUGHT, new InvalidMessageException("too_large",
                List.of(new InvalidMessageException.FieldError("$", "over 1 MiB"))));

        recorder.record(message);

        NewDeadLetter row = store.statements.get(0).get(0);
        assertThat(row.payload()).isEqualTo("x".repeat(16));
        assertThat(row.headers()).containsEntry(DeadLetterHeaders.PAYLOAD_SIZE, "100");
        assertThat(new String(broker.publishes.get(0).get(0).body(), StandardCharsets.UTF_8)).isEqualTo(big);
    }

    @Test
    void aMessageOfASourceWithoutBrokerIsRecordedOnly() throws Exception {
        Exchange message = invalid("http body");
        message.setProperty(IngestExchange.SOURCE, "http");

        recorder.record(message);

        assertThat(store.rows).hasSize(1);
        assertThat(broker.publishes).isEmpty();
        assertThat(MessageBatch.messages(message)).containsExactly(message);
        assertThat(message.getProperty(IngestExchange.DEAD_LETTER_ID, Long.class)).isNotNull();
    }

    /** The table: an identity inserted once; a second record of it returns nothing (pending, not replayed). */
    static class FakeStore extends DeadLetterStore {
        final Map<String, Long> rows = new HashMap<>();
        final List<List<NewDeadLetter>> statements = new ArrayList<>();
        long next = 100;

        FakeStore() {
            super(null, new ObjectMapper());
        }

        @Override
        public Map<String, Long> record(List<NewDeadLetter> deadLetters, boolean reopen) {
            assertThat(deadLetters).extracting(NewDeadLetter::deadLetterId).doesNotHaveDuplicates();
            statements.add(List.copyOf(deadLetters));
            Map<String, Long> recorded = new HashMap<>();
            for (NewDeadLetter d : deadLetters) {
                if (!rows.containsKey(d.deadLetterId())) {
                    rows.put(d.deadLetterId(), next++);
                    recorded.put(d.deadLetterId(), rows.get(d.deadLetterId()));
                }
            }
            return recorded;
        }

        @Override
        public Map<String, Long> ids(Collection<String> deadLetterIds) {
            Map<String, Long> ids = new HashMap<>();
            deadLetterIds.forEach(id -> ids.put(id, rows.get(id)));
            return ids;
        }
    }

    static class FakeBroker implements IngestSource {
        final List<List<DeadLetterCopy>> publishes = new ArrayList<>();
        RuntimeException failure;

        @Override
        public String name() {
            return "fake";
        }

        @Override
        public String queue() {
            return "fake.q";
        }

        @Override
        public long queueDepth() {
            return 0;
        }

        @Override
        public void publish(byte[] body, Map<String, String> headers) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void publishDeadLetter(byte[] body, Map<String, String> headers) {
            throw new UnsupportedOperationException("one round trip per batch, not per message");
        }

        @Override
        public void publishDeadLetters(List<DeadLetterCopy> copies) {
            if (failure != null) {
                throw failure;
            }
            publishes.add(List.copyOf(copies));
        }
    }

    static class FakeTransactions implements PlatformTransactionManager {
        int commits;
        int rollbacks;

        @Override
        public TransactionStatus getTransaction(TransactionDefinition definition) {
            return new SimpleTransactionStatus();
        }

        @Override
        public void commit(TransactionStatus status) {
            commits++;
        }

        @Override
        public void rollback(TransactionStatus status) {
            rollbacks++;
        }
    }
}
