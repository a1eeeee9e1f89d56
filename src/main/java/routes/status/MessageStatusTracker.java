package routes.status;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;
import routes.pipeline.validate.IngestEvent;
import routes.pipeline.IngestExchange;
import routes.pipeline.commit.BatchWriter;
import routes.pipeline.commit.CommitParticipant;

/**
 * The pipeline's status steps (routes/ingest.camel.yaml), for sources with
 * {@code ingest.sources.<name>.track-status=true}: marks a validated, new event as tracked (and writes
 * "running" with {@code ingest.status.record-running}; step track-running, {@link TrackRunning}); writes
 * "completed" in the transaction that commits its rows, as the batch aggregator's {@link CommitParticipant};
 * "dead" once dead-lettered. The message id is the message's
 * idempotency key ({@link IngestEvent#messageKey()}): distinct for messages of different parameters.
 */
@Component
public class MessageStatusTracker implements CommitParticipant {

    private static final Logger LOG = LoggerFactory.getLogger(MessageStatusTracker.class);

    private final MessageStatusStore store;
    private final Environment environment;
    private final StatusProperties properties;
    private final Map<String, Boolean> tracked = new ConcurrentHashMap<>();

    public MessageStatusTracker(MessageStatusStore store, Environment environment, StatusProperties properties) {
        this.store = store;
        this.environment = environment;
        this.properties = properties;
    }

    /** Whether {@code ingest.sources.<source>.track-status} is on. */
    public boolean tracks(String source) {
        return tracked.computeIfAbsent(source, s ->
                environment.getProperty("ingest.sources." + s + ".track-status", Boolean.class, false));
    }

    /** An attempt starts: the exchange carries the id for the commit; the row says running if so configured. */
    public void running(Exchange exchange) {
        String source = exchange.getProperty(IngestExchange.SOURCE, String.class);
        IngestEvent event = exchange.getProperty(IngestExchange.EVENT, IngestEvent.class);
        if (source == null || event == null || !tracks(source)) {
            return;
        }
        String id = event.messageKey();
        int attempt = exchange.getProperty(IngestExchange.PRIOR_ATTEMPTS, 0, Integer.class) + 1;
        exchange.setProperty(IngestExchange.TRACKED, new TrackedMessage(id, source, attempt, System.currentTimeMillis()));
        if (!properties.recordRunning()) {
            return;
        }
        try {
            store.running(source, id, attempt);
        } catch (RuntimeException e) {
            // A view of the work must not fail the work: the commit writes "completed" regardless.
            LOG.warn("message_status not updated for {}: {}", id, e.getMessage());
        }
    }

    /** The tracked messages among these exchanges are marked completed in the transaction of their rows. */
    @Override
    public BatchWriter.TransactionHook inCommitOf(List<Exchange> exchanges) {
        List<TrackedMessage> messages = tracked(exchanges);
        return messages.isEmpty() ? null : connection -> MessageStatusStore.completedAll(connection, messages);
    }

    /** A message's exchange carries its {@link TrackedMessage}; a commit unit of several, a list of them. */
    static List<TrackedMessage> tracked(List<Exchange> exchanges) {
        List<TrackedMessage> tracked = new ArrayList<>();
        for (Exchange exchange : exchanges) {
            Object t = exchange.getProperty(IngestExchange.TRACKED);
            if (t instanceof TrackedMessage one) {
                tracked.add(one);
            } else if (t instanceof List<?> several) {
                several.forEach(m -> tracked.add((TrackedMessage) m));
            }
        }
        return tracked;
    }

    /** After the dead-letter route recorded the message. */
    public void dead(Exchange exchange) {
        TrackedMessage tracked = exchange.getProperty(IngestExchange.TRACKED, TrackedMessage.class);
        if (tracked == null) {
            return;
        }
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        try {
            store.dead(tracked.source(), tracked.id(), tracked.attempt(), cause == null ? null : cause.getMessage());
        } catch (RuntimeException e) {
            LOG.warn("message_status not updated for {}: {}", tracked.id(), e.getMessage());
        }
    }
}
