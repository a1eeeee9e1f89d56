package routes.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.camel.AsyncCallback;
import org.apache.camel.AsyncProcessor;
import org.apache.camel.Exchange;
import org.apache.camel.support.AsyncProcessorSupport;
import org.apache.camel.support.DefaultExchange;

/**
 * Batch dispatch for a consumer that delivers one message at a time (camel-spring-rabbitmq has no
 * batch listener): the last step of its route, it gathers the messages arriving meanwhile into a
 * batch for {@link BatchIngest} ({@code direct:ingest-batch}'s processor) and completes each message's
 * exchange once that batch is done with it; each keeps its own outcome, so the source acknowledges
 * or redelivers each as before.
 *
 * <p>Nothing waits for a batch to fill: whichever consumer thread finds no batch being formed takes
 * everything queued (up to {@code maxBatch}), validates it and hands it on; messages arriving
 * meanwhile make the next batch. A quiet source sends batches of one at once; a busy one, batches as large as the
 * backlog that builds while one is being validated.
 */
public class BatchGatherer extends AsyncProcessorSupport {

    private final AsyncProcessor ingest;
    private final int maxBatch;
    private final boolean enabled;
    private final ConcurrentLinkedQueue<Waiting> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean forming = new AtomicBoolean();

    /**
     * @param ingest   takes a batch (body: the list of message exchanges) or a single message: {@link BatchIngest}
     * @param maxBatch messages per batch at most
     * @param enabled  false: each message is handed on alone (per-message pipeline)
     */
    public BatchGatherer(AsyncProcessor ingest, int maxBatch, boolean enabled) {
        this.ingest = ingest;
        this.maxBatch = Math.max(1, maxBatch);
        this.enabled = enabled;
    }

    private record Waiting(Exchange exchange, AsyncCallback callback) {
    }

    @Override
    public boolean process(Exchange exchange, AsyncCallback callback) {
        if (!enabled) {
            return ingest.process(exchange, callback);
        }
        queue.add(new Waiting(exchange, callback));
        // One thread at a time forms and hands on batches while the others only queue; the check is
        // repeated after "forming" is released, so a message queued meanwhile is not left behind.
        while (!queue.isEmpty() && forming.compareAndSet(false, true)) {
            try {
                List<Waiting> batch = new ArrayList<>();
                for (Waiting w = queue.poll(); w != null; w = batch.size() < maxBatch ? queue.poll() : null) {
                    batch.add(w);
                }
                dispatch(batch);
            } finally {
                forming.set(false);
            }
        }
        return false;
    }

    private void dispatch(List<Waiting> batch) {
        if (batch.isEmpty()) {
            return;
        }
        List<Exchange> messages = new ArrayList<>(batch.size());
        for (Waiting w : batch) {
            messages.add(w.exchange());
        }
        Exchange carrier = new DefaultExchange(messages.get(0).getContext());
        carrier.setProperty(IngestExchange.SOURCE, messages.get(0).getProperty(IngestExchange.SOURCE));
        carrier.getMessage().setBody(messages);
        ingest.process(carrier, doneSync -> {
            for (Waiting w : batch) {
                w.callback().done(false);
            }
        });
    }
}
