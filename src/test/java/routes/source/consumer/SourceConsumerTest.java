package routes.source.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.camel.CamelContext;
import org.apache.camel.Consumer;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultEndpoint;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import routes.pipeline.IngestExchange;
import routes.pipeline.MessageBatch;
import routes.pipeline.MessageOutcome;

/** The consumer base on a real Camel context, with an in-memory "broker" of numbered messages. */
class SourceConsumerTest {

    private static final Exception NONE = new Exception("none");

    private final CamelContext camel = new DefaultCamelContext();
    private final LinkedBlockingQueue<Integer> broker = new LinkedBlockingQueue<>();
    private final Map<Integer, Exception> settled = new ConcurrentHashMap<>();
    private final List<Integer> batchSizes = java.util.Collections.synchronizedList(new ArrayList<>());
    private TestEndpoint endpoint;

    @AfterEach
    void stop() {
        camel.stop();
    }

    @Test
    void aBatchExchangeCarriesTheMessagesAndEachIsSettledByItsOwnOutcome() throws Exception {
        start(true, new PoolOptions(), batch -> {
            List<Exchange> messages = MessageBatch.messages(batch);
            batchSizes.add(messages.size());
            assertThat(batch.getProperty(IngestExchange.SOURCE)).isEqualTo("test");
            for (Exchange message : messages) {
                int n = message.getMessage().getBody(Integer.class);
                if (n % 3 == 0) {
                    message.setException(new IllegalStateException("refused " + n));
                } else {
                    MessageBatch.settle(message, n % 3 == 1 ? MessageOutcome.COMMITTED : MessageOutcome.FILTERED);
                }
            }
        });
        for (int i = 1; i <= 30; i++) {
            broker.add(i);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> settled.size() == 30);
        for (int i = 1; i <= 30; i++) {
            if (i % 3 == 0) {
                assertThat(settled.get(i)).hasMessage("refused " + i);
            } else {
                assertThat(settled.get(i)).as("message %d acked", i).isSameAs(NONE);
            }
        }
        assertThat(batchSizes).anyMatch(size -> size > 1);
        camel.stop();
        assertThat(endpoint.consumer.permits.inFlight()).as("every permit given back").isZero();
    }

    @Test
    void aBatchThatFailsAsAWholeFailsEveryMessageWithoutAnOutcomeOfItsOwn() throws Exception {
        start(true, new PoolOptions(), batch -> {
            throw new IllegalStateException("whole batch");
        });
        for (int i = 1; i <= 5; i++) {
            broker.add(i);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> settled.size() == 5);
        assertThat(settled.values()).allSatisfy(e -> assertThat(e).hasMessageContaining("whole batch"));
    }

    @Test
    void withoutBatchingEveryMessageIsItsOwnExchange() throws Exception {
        start(false, new PoolOptions(), exchange -> {
            assertThat(MessageBatch.isBatch(exchange.getMessage().getBody())).isFalse();
            if (exchange.getMessage().getBody(Integer.class) == 2) {
                throw new IllegalArgumentException("two");
            }
        });
        broker.addAll(List.of(1, 2, 3));
        await().atMost(Duration.ofSeconds(10)).until(() -> settled.size() == 3);
        assertThat(settled.get(1)).isSameAs(NONE);
        assertThat(settled.get(2)).hasMessage("two");
        assertThat(settled.get(3)).isSameAs(NONE);
    }

    @Test
    void thePoolGrowsToTheBacklogsTargetAndShrinksAfterTheIdlePeriod() throws Exception {
        PoolOptions pool = new PoolOptions();
        pool.setMinConsumers(1);
        pool.setMaxConsumers(4);
        pool.setScaleThreshold(10);
        pool.setScaleInterval(Duration.ofMillis(50));
        pool.setScaleDownAfter(Duration.ofMillis(300));
        CountDownLatch go = new CountDownLatch(1);
        start(false, pool, exchange -> go.await(10, TimeUnit.SECONDS));
        for (int i = 0; i < 100; i++) {
            broker.add(i);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> endpoint.consumer.poolSize() == 4);
        go.countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> settled.size() == 100);
        await().atMost(Duration.ofSeconds(5)).until(() -> endpoint.consumer.poolSize() == 1);
    }

    @Test
    void aFixedPoolIsTheConcurrency() throws Exception {
        start(false, new PoolOptions(), exchange -> { });
        assertThat(endpoint.consumer.poolSize()).isEqualTo(2);
    }

    private void start(boolean batching, PoolOptions pool, Processor route) throws Exception {
        endpoint = new TestEndpoint(camel, batching, pool);
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                errorHandler(noErrorHandler());
                from(endpoint).process(route);
            }
        });
        camel.start();
    }

    private final class TestEndpoint extends DefaultEndpoint {
        final boolean batching;
        final PoolOptions pool;
        TestConsumer consumer;

        TestEndpoint(CamelContext camel, boolean batching, PoolOptions pool) {
            super("test-source:q", null);
            setCamelContext(camel);
            this.batching = batching;
            this.pool = pool;
        }

        @Override
        public Producer createProducer() {
            throw new UnsupportedOperationException();
        }

        @Override
        public Consumer createConsumer(Processor processor) {
            consumer = new TestConsumer(this, processor);
            return consumer;
        }
    }

    private final class TestConsumer extends SourceConsumer<Integer> {
        private final TestEndpoint endpoint;

        TestConsumer(TestEndpoint endpoint, Processor processor) {
            super(endpoint, processor, 50, 2, endpoint.pool, "test", "q");
            this.endpoint = endpoint;
        }

        @Override
        protected void doStart() throws Exception {
            super.doStart();
            startWorkers("test-source");
        }

        @Override
        protected void doStop() throws Exception {
            stopWorkers(Duration.ofSeconds(2));
            super.doStop();
        }

        @Override
        protected void work(BooleanSupplier keepGoing) {
            while (keepGoing.getAsBoolean()) {
                try {
                    int granted = permits.acquireUpTo(10, Duration.ofMillis(50));
                    if (granted == 0) {
                        continue;
                    }
                    List<Integer> taken = new ArrayList<>();
                    Integer first = broker.poll(50, TimeUnit.MILLISECONDS);
                    if (first != null) {
                        taken.add(first);
                        broker.drainTo(taken, granted - 1);
                    }
                    permits.release(granted - taken.size());
                    dispatch(taken, endpoint.batching);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        @Override
        protected long backlog() {
            return broker.size();
        }

        @Override
        protected Exchange exchangeOf(Integer n) {
            Exchange exchange = createExchange(false);
            exchange.getMessage().setBody(n);
            return exchange;
        }

        @Override
        protected void completed(Integer n, Exchange message, Exception batchFailure) {
            Exception failure = failureOf(message, batchFailure);
            settled.put(n, failure == null ? NONE : failure);
            permits.release(1);
        }
    }
}
