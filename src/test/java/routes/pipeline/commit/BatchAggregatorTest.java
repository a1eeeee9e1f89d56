package routes.pipeline.commit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import routes.config.IngestProperties;
import routes.ops.IngestMetrics;
import routes.pipeline.ErrorType;
import routes.pipeline.IngestExchange;
import routes.pipeline.split.MetricRow;

/**
 * The aggregator in front of the database on its own, with a fake writer: how messages gather into
 * batches, that a message completes only once its batch is written, and what each kind of write failure
 * does to the messages of the batch. Only the public API ({@link BatchAggregator#process}, start, stop).
 */
class BatchAggregatorTest {

    static final UUID DEVICE = UUID.fromString("0b6f4c2e-6a39-4a8e-9d0f-3c1f5a7e2b11");
    static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");
    static final Duration BOUND = Duration.ofSeconds(10);

    final DefaultCamelContext camel = new DefaultCamelContext();
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    final FakeWriter writer = new FakeWriter();
    CommitParticipant participant = CommitParticipant.NONE;
    BatchAggregator aggregator;
    int sent;

    /** A writer that records each batch it is given, may hold it until released, and may fail it. */
    static final class FakeWriter extends BatchWriter {
        final List<List<MetricRow>> batches = new CopyOnWriteArrayList<>();
        final List<TransactionHook> hooks = new CopyOnWriteArrayList<>();
        final CountDownLatch release = new CountDownLatch(1);
        volatile Function<List<MetricRow>, RuntimeException> failure = rows -> null;

        FakeWriter() {
            super(null, null);
        }

        @Override
        public Result write(Collection<MetricRow> rows, TransactionHook hook) {
            List<MetricRow> batch = List.copyOf(rows);
            batches.add(batch);
            if (hook != null) {
                hooks.add(hook);
            }
            try {
                release.await();
            } catch (InterruptedException e) {
                throw new IllegalStateException("interrupted while writing", e);
            }
            RuntimeException e = failure.apply(batch);
            if (e != null) {
                throw e;
            }
            return new Result(batch.size(), 0, 0, Set.of(), Set.of());
        }

        List<Integer> sizes() {
            return batches.stream().map(List::size).toList();
        }
    }

    static org.awaitility.core.ConditionFactory soon() {
        return await().atMost(BOUND).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(5));
    }

    /** A message on its way: its exchange, completed when the aggregator calls back. */
    record Sent(Exchange exchange, CompletableFuture<Exchange> done) {
        Exchange awaitDone() {
            soon().until(done::isDone);
            return exchange;
        }
    }

    /** The aggregator under test; the only place that knows how it is built. */
    BatchAggregator start(int size, Duration timeout, int writers) {
        aggregator = new BatchAggregator(writer, participant, new IngestMetrics(meters),
                new IngestProperties.Batch(size, timeout, writers, 50_000));
        aggregator.setCamelContext(camel); // its collector and writer threads come from Camel's ExecutorServiceManager
        aggregator.start();
        return aggregator;
    }

    @AfterEach
    void stop() throws Exception {
        writer.release.countDown();
        if (aggregator != null) {
            aggregator.stop();
        }
        camel.close();
    }

    /** Sends a message of one row with the given parameter key. */
    Sent send(String parameterKey) {
        MetricRow row = new MetricRow(T0.plusSeconds(sent++), DEVICE, parameterKey, 1.0, null, "test", "e", "{}");
        Exchange exchange = new DefaultExchange(camel);
        exchange.setProperty(IngestExchange.SOURCE, "test");
        exchange.getMessage().setBody(new ArrayList<>(List.of(row)));
        CompletableFuture<Exchange> done = new CompletableFuture<>();
        aggregator.process(exchange, doneSync -> done.complete(exchange));
        return new Sent(exchange, done);
    }

    /** Sends a first message and waits until the (held) writer has it: every writer is busy from now on. */
    Sent occupyTheWriter() {
        Sent first = send("first");
        soon().until(() -> writer.batches.size() == 1);
        return first;
    }

    double errors(ErrorType type) {
        Counter c = meters.find(IngestMetrics.ERRORS).tag("source", "test").tag("error_type", type.label()).counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void aMessageCompletesOnlyAfterTheWriterReturns() {
        start(100, Duration.ofMillis(10), 1);
        Sent sent = occupyTheWriter();
        assertThat(sent.done()).as("not completed while its batch is being written").isNotDone();

        writer.release.countDown();

        Exchange exchange = sent.awaitDone();
        assertThat(exchange.getException()).isNull();
        assertThat(exchange.getProperty(IngestExchange.WRITTEN, BatchWriter.Result.class).inserted()).isEqualTo(1);
    }

    @Test
    void whileTheWritersAreBusyMessagesGatherIntoBatchesOfTheConfiguredSize() {
        start(10, Duration.ofSeconds(30), 1);
        List<Sent> all = new ArrayList<>(List.of(occupyTheWriter()));
        for (int i = 0; i < 24; i++) {
            all.add(send("v"));
        }

        writer.release.countDown();

        all.forEach(Sent::awaitDone);
        // The first alone (the writer was free), then full batches; the rest leaves when the writer is free.
        assertThat(writer.sizes()).containsExactly(1, 10, 10, 4);
        assertThat(all).allSatisfy(s -> assertThat(s.exchange().getException()).isNull());
    }

    @Test
    void aBatchLeavesAtTheTimeoutEvenWhenItIsNotFull() {
        Duration timeout = Duration.ofMillis(100);
        start(1000, timeout, 1);
        Sent first = occupyTheWriter();
        Sent second = send("v");
        long sentAt = System.nanoTime();
        // Let the timeout pass several times over: the second's batch has left by then.
        soon().until(() -> System.nanoTime() - sentAt > 6 * timeout.toNanos());
        Sent third = send("v");

        writer.release.countDown();

        List.of(first, second, third).forEach(Sent::awaitDone);
        assertThat(writer.sizes()).as("the third came after the second's timeout: a batch of its own")
                .containsExactly(1, 1, 1);
    }

    @Test
    void aRowTheDatabaseRefusesFailsOnlyItsOwnMessage() {
        start(100, Duration.ofSeconds(30), 1);
        writer.failure = rows -> rows.stream().anyMatch(r -> r.parameterKey().equals("poison"))
                ? new DataIntegrityViolationException("refused", new SQLException("value out of range", "22003"))
                : null;
        Sent first = occupyTheWriter();
        List<Sent> batch = List.of(send("v"), send("v"), send("poison"), send("v"), send("v"));

        writer.release.countDown();

        first.awaitDone();
        batch.forEach(Sent::awaitDone);
        assertThat(batch.get(2).exchange().getException()).isInstanceOf(RowRejectedException.class);
        for (int i : List.of(0, 1, 3, 4)) {
            assertThat(batch.get(i).exchange().getException()).as("message %d", i).isNull();
            assertThat(batch.get(i).exchange().getProperty(IngestExchange.WRITTEN)).isNotNull();
        }
        // Written as one batch of 5, then in halves until the refused row was alone.
        assertThat(writer.sizes()).startsWith(1, 5);
        assertThat(writer.batches).anySatisfy(b -> assertThat(b).extracting(MetricRow::parameterKey)
                .containsExactly("poison"));
        assertThat(errors(ErrorType.REJECTED)).isEqualTo(1);
    }

    @Test
    void anUnavailableDatabaseFailsEveryMessageOfTheBatchWithoutSplittingIt() {
        start(100, Duration.ofSeconds(30), 1);
        writer.failure = rows -> rows.stream().anyMatch(r -> r.parameterKey().equals("down"))
                ? new CannotGetJdbcConnectionException("connection refused") : null;
        Sent first = occupyTheWriter();
        List<Sent> batch = List.of(send("v"), send("down"), send("v"));

        writer.release.countDown();

        first.awaitDone();
        batch.forEach(Sent::awaitDone);
        assertThat(batch).allSatisfy(s ->
                assertThat(s.exchange().getException()).isInstanceOf(DatabaseUnavailableException.class));
        assertThat(writer.sizes()).as("no bisection: the database, not a row, is the problem").containsExactly(1, 3);
        assertThat(errors(ErrorType.DATABASE_UNAVAILABLE)).isEqualTo(3);
    }

    @Test
    void theCommitParticipantIsAskedForTheMessagesOfEachWriteAndItsHookJoinsThatWrite() {
        List<List<Exchange>> asked = new CopyOnWriteArrayList<>();
        BatchWriter.TransactionHook hook = connection -> { };
        participant = exchanges -> {
            asked.add(List.copyOf(exchanges));
            return exchanges.size() > 1 ? hook : null;
        };
        start(100, Duration.ofSeconds(30), 1);
        Sent first = occupyTheWriter();
        List<Sent> batch = List.of(send("a"), send("b"), send("c"));

        writer.release.countDown();

        first.awaitDone();
        batch.forEach(Sent::awaitDone);
        assertThat(asked).containsExactly(List.of(first.exchange()), batch.stream().map(Sent::exchange).toList());
        assertThat(writer.hooks).as("the hook of the batch of 3, none for the first alone").containsExactly(hook);
    }

    @Test
    void stoppingFailsEveryMessageNotWrittenYet() throws Exception {
        start(1, Duration.ofSeconds(30), 1);
        Sent first = occupyTheWriter();
        // size 1: the second waits in the hand-over to the (busy) writer, the third with the collector,
        // the fourth in the incoming queue.
        List<Sent> waiting = List.of(send("v"), send("v"), send("v"));

        aggregator.stop();

        first.awaitDone();
        waiting.forEach(Sent::awaitDone);
        assertThat(first.exchange().getException()).as("interrupted in the write").isNotNull();
        assertThat(waiting).allSatisfy(s -> assertThat(s.exchange().getException())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("stopped"));
        assertThat(send("v").exchange().getException()).as("refused once stopped")
                .hasMessageContaining("stopped");
    }
}
