package routes.pipeline.outcome;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import routes.ops.IngestMetrics;
import routes.pipeline.IngestExchange;
import routes.pipeline.MessageBatch;
import routes.pipeline.MessageOutcome;
import routes.pipeline.commit.BatchWriter;
import routes.pipeline.dedup.CommittedOnlyIdempotentRepository;
import routes.pipeline.split.MetricRow;
import routes.pipeline.validate.IngestEvent;

/**
 * Stage {@code outcome}: counts how the batch's messages ended ({@code ingest_events_total} per source) and
 * remembers the committed ones for the idempotent consumer. A committed message counts {@code success} (with
 * its rows and its receive → commit time) when its rows changed the table, else {@code duplicate} (another
 * message committed the same rows first); a duplicate and a filtered one count as such. Invalid and dead
 * messages are counted by the dead-letter recorder, which also sees replays. The memory of committed keys
 * only saves work (the upsert keeps rows and stats exact): its failure is logged, the messages are settled.
 */
public class OutcomeStage implements Processor {

    private static final Logger LOG = LoggerFactory.getLogger(OutcomeStage.class);

    private final CommittedOnlyIdempotentRepository committed;
    private final IngestMetrics metrics;

    public OutcomeStage(CommittedOnlyIdempotentRepository committed, IngestMetrics metrics) {
        this.committed = committed;
        this.metrics = metrics;
    }

    /** Per source: {success, rows, duplicate, filtered}. */
    @Override
    public void process(Exchange batch) {
        Map<String, long[]> counts = new HashMap<>(2);
        for (Exchange message : MessageBatch.messages(batch)) {
            MessageOutcome outcome = MessageBatch.outcome(message);
            if (outcome == null || outcome == MessageOutcome.DEAD_LETTERED || message.getException() != null) {
                continue;
            }
            long[] c = counts.computeIfAbsent(message.getProperty(IngestExchange.SOURCE, "unknown", String.class),
                    s -> new long[4]);
            switch (outcome) {
                case COMMITTED -> committed(message, c);
                case DUPLICATE -> c[2]++;
                case FILTERED -> c[3]++;
                default -> { }
            }
        }
        counts.forEach((source, c) -> {
            count(source, "success", c[0]);
            if (c[1] > 0) {
                metrics.rows(source, c[1]);
            }
            count(source, "duplicate", c[2]);
            count(source, "filtered", c[3]);
        });
    }

    @SuppressWarnings("unchecked")
    private void committed(Exchange message, long[] c) {
        try {
            committed.add(message, messageKey(message));
        } catch (RuntimeException e) {
            LOG.warn("Message committed, but remembering it as committed failed (a redelivery is written again, "
                    + "idempotently): {}", e.toString());
        }
        BatchWriter.Result written = message.getProperty(IngestExchange.WRITTEN, BatchWriter.Result.class);
        List<MetricRow> rows = message.getMessage().getBody(List.class);
        int changed = 0;
        if (written == null) {
            changed = rows.size(); // no report of the write: every row counts as landed
        } else {
            for (MetricRow row : rows) {
                if (written.changed(row)) {
                    changed++;
                }
            }
        }
        if (changed == 0) {
            c[2]++;
            return;
        }
        c[0]++;
        c[1] += changed;
        Long receivedAt = message.getProperty(IngestExchange.RECEIVED_AT, Long.class);
        if (receivedAt != null) {
            metrics.processing(message.getProperty(IngestExchange.SOURCE, "unknown", String.class), receivedAt);
        }
    }

    /** The key the idempotent consumer checked (computed once: a SHA-256 for a message of several metrics). */
    private static String messageKey(Exchange message) {
        String key = message.getProperty(IngestExchange.EVENT_KEY, String.class);
        return key != null ? key : message.getProperty(IngestExchange.EVENT, IngestEvent.class).messageKey();
    }

    private void count(String source, String status, long n) {
        if (n > 0) {
            metrics.event(source, status, n);
        }
    }
}
