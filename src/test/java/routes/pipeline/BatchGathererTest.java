package routes.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.AsyncCallback;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.AsyncProcessorSupport;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Gathering one-at-a-time deliveries into batches: every message handed on once, and completed once. */
class BatchGathererTest {

    final DefaultCamelContext camel = new DefaultCamelContext();
    final ExecutorService completer = Executors.newFixedThreadPool(2);
    final Queue<Integer> batchSizes = new ConcurrentLinkedQueue<>();
    final AtomicInteger handedOn = new AtomicInteger();

    /** Stands for BatchIngest: records the batch, completes it later on another thread. */
    final AsyncProcessorSupport ingest = new AsyncProcessorSupport() {
        @Override
        public boolean process(Exchange exchange, AsyncCallback callback) {
            List<?> body = exchange.getMessage().getBody(List.class);
            int size = body == null ? 1 : body.size();
            batchSizes.add(size);
            handedOn.addAndGet(size);
            completer.execute(() -> callback.done(false));
            return false;
        }
    };

    @AfterEach
    void stop() {
        completer.shutdownNow();
    }

    @Test
    void manyThreadsDeliveringAtOnceLeaveNoMessageBehindAndNoBatchOverTheLimit() throws Exception {
        BatchGatherer gatherer = new BatchGatherer(ingest, 50, true);
        int threads = 6;
        int perThread = 2000;
        CountDownLatch completed = new CountDownLatch(threads * perThread);
        AtomicInteger completions = new AtomicInteger();
        ExecutorService consumers = Executors.newFixedThreadPool(threads);
        for (int t = 0; t < threads; t++) {
            consumers.execute(() -> {
                for (int i = 0; i < perThread; i++) {
                    gatherer.process(new DefaultExchange(camel), doneSync -> {
                        completions.incrementAndGet();
                        completed.countDown();
                    });
                }
            });
        }
        assertThat(completed.await(30, TimeUnit.SECONDS)).isTrue();
        consumers.shutdown();
        assertThat(handedOn).hasValue(threads * perThread);
        assertThat(completions).hasValue(threads * perThread);
        assertThat(batchSizes).allSatisfy(size -> assertThat(size).isBetween(1, 50));
    }

    @Test
    void aLoneMessageIsHandedOnAtOnce() throws Exception {
        BatchGatherer gatherer = new BatchGatherer(ingest, 500, true);
        CountDownLatch completed = new CountDownLatch(1);
        gatherer.process(new DefaultExchange(camel), doneSync -> completed.countDown());
        assertThat(completed.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(batchSizes).containsExactly(1);
    }

    @Test
    void switchedOffEachMessageGoesOnAlone() throws Exception {
        BatchGatherer gatherer = new BatchGatherer(ingest, 500, false);
        CountDownLatch completed = new CountDownLatch(3);
        for (int i = 0; i < 3; i++) {
            Exchange message = new DefaultExchange(camel);
            gatherer.process(message, doneSync -> completed.countDown());
        }
        assertThat(completed.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(batchSizes).containsExactly(1, 1, 1);
    }
}
