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
import routes.deadletter.DeadLetterHeaders;
import routes.deadletter.DeadLetterIdentity;
import routes.pipeline.IngestExchange;
import routes.pipeline.commit.BatchWriter;
import routes.pipeline.commit.CommitParticipant;

/**
 * The job worker's status (seed 003) for sources with {@code ingest.sources.<name>.track-status=true}:
 * queued → running → completed | failed, in table {@code message_status}.
 * <ul>
 *   <li>step track-running ({@link TrackRunning}): each new message of a batch is received and started in
 *       one multi-row write (queued and running at once: a broker message is running as soon as it is
 *       taken), with {@code ingest.status.record-running} (the default);</li>
 *   <li>completed: in the transaction that commits its rows, as the batch aggregator's {@link CommitParticipant};</li>
 *   <li>step track-retry ({@link TrackRetry}): a failed attempt its source will retry goes back to queued,
 *       with the attempt count and the error, one multi-row write per batch;</li>
 *   <li>failed: once dead-lettered, with the error and the dead letter's row, from the dead-letter route.</li>
 * </ul>
 * The message id: {@link MessageIds}; a replay of a dead letter keeps the id of the message it was.
 * A status write that fails is logged and never fails the work.
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

    /**
     * An attempt starts: the exchange carries its {@link TrackedMessage} for the commit; returns it, or null
     * when the message's source is not tracked. Writes nothing: {@link #running(List)} does, per batch.
     */
    public TrackedMessage start(Exchange exchange) {
        String source = exchange.getProperty(IngestExchange.SOURCE, String.class);
        if (source == null || !tracks(source)) {
            return null;
        }
        int attempt = exchange.getProperty(IngestExchange.PRIOR_ATTEMPTS, 0, Integer.class) + 1;
        TrackedMessage message = new TrackedMessage(id(exchange), source, attempt, System.currentTimeMillis());
        exchange.setProperty(IngestExchange.TRACKED, message);
        return message;
    }

    /**
     * Messages a source received and handed to a broker (HTTP {@code publish-to}): queued, in one statement;
     * the broker source's own tracking continues each row under the same id. Not with
     * {@code ingest.status.record-running=false}: then only the commits write.
     */
    public void received(String source, List<String> messageIds) {
        if (messageIds.isEmpty() || !properties.recordRunning()) {
            return;
        }
        try {
            store.receivedAll(source, messageIds);
        } catch (RuntimeException e) {
            LOG.warn("message_status not updated for {} messages: {}", messageIds.size(), e.getMessage());
        }
    }

    /** The started messages of a batch are received and running (one statement), if so configured. */
    public void running(List<TrackedMessage> started) {
        if (started.isEmpty() || !properties.recordRunning()) {
            return;
        }
        try {
            store.runningAll(started);
        } catch (RuntimeException e) {
            // A view of the work must not fail the work: the commit writes "completed" regardless.
            LOG.warn("message_status not updated for {} messages: {}", started.size(), e.getMessage());
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

    /** Messages whose attempt failed and that their source will deliver again: queued, with the error. */
    public void retrying(List<Exchange> messages) {
        List<TrackedMessage> failed = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        for (Exchange message : messages) {
            TrackedMessage t = message.getProperty(IngestExchange.TRACKED, TrackedMessage.class);
            if (t != null && message.getException() != null
                    && !message.getProperty(IngestExchange.DEAD_LETTERED, false, Boolean.class)) {
                failed.add(t);
                errors.add(String.valueOf(message.getException().getMessage()));
            }
        }
        if (failed.isEmpty()) {
            return;
        }
        try {
            store.queuedAll(failed, errors);
        } catch (RuntimeException e) {
            LOG.warn("message_status not updated for {} messages: {}", failed.size(), e.getMessage());
        }
    }

    /**
     * An attempt of a message being retried in the process failed (route commit-retry's error policy, just
     * after the failure, before the back-off): queued again, with the attempts made and the error. If it is
     * not to be retried, the dead-letter route's {@link #dead} follows and says failed.
     */
    public void failedAttempt(Exchange exchange) {
        TrackedMessage message = exchange.getProperty(IngestExchange.TRACKED, TrackedMessage.class);
        if (message == null) {
            return;
        }
        Throwable cause = exchange.getException() != null ? exchange.getException()
                : exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        try {
            store.queuedAll(List.of(message), java.util.Collections.singletonList(cause == null ? null : cause.getMessage()));
        } catch (RuntimeException e) {
            LOG.warn("message_status not updated for {}: {}", message.id(), e.getMessage());
        }
    }

    /** Route commit-retry retries a tracked message here, after the back-off: its next attempt is running. */
    public void retryStarts(Exchange exchange) {
        TrackedMessage message = exchange.getProperty(IngestExchange.TRACKED, TrackedMessage.class);
        if (message == null) {
            return;
        }
        TrackedMessage next = new TrackedMessage(message.id(), message.source(), message.attempt() + 1,
                System.currentTimeMillis());
        exchange.setProperty(IngestExchange.TRACKED, next);
        try {
            store.running(next.source(), next.id(), next.attempt());
        } catch (RuntimeException e) {
            LOG.warn("message_status not updated for {}: {}", message.id(), e.getMessage());
        }
    }

    /**
     * After the dead-letter route recorded the message: failed, with the error and its dead letter (the row
     * id in {@link IngestExchange#DEAD_LETTER_ID} when the recorder gives it, else found by the dead letter's
     * identity). A message dead-lettered before it was tracked (invalid) of a tracked source gets its row too.
     */
    public void dead(Exchange exchange) {
        TrackedMessage message = exchange.getProperty(IngestExchange.TRACKED, TrackedMessage.class);
        if (message == null) {
            message = start(exchange);
        }
        if (message == null) {
            return;
        }
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        Object link = exchange.getProperty(IngestExchange.DEAD_LETTER_ID);
        Long row = link instanceof Number number ? number.longValue() : null;
        try {
            String identity = row != null ? null : DeadLetterIdentity.of(exchange, message.source(),
                    exchange.getProperty(IngestExchange.QUEUE, String.class), MessageIds.body(exchange));
            store.failed(message.source(), message.id(), message.attempt(),
                    cause == null ? null : cause.getMessage(), row, identity);
        } catch (RuntimeException e) {
            LOG.warn("message_status not updated for {}: {}", message.id(), e.getMessage());
        }
    }

    /** A replay of a dead letter is one more attempt of the message it was; else {@link MessageIds}. */
    private String id(Exchange exchange) {
        Object carried = exchange.getProperty(IngestExchange.DEAD_LETTER_IDENTITY);
        if (carried == null) {
            carried = exchange.getMessage().getHeader(DeadLetterHeaders.DEAD_LETTER_ID);
        }
        if (carried instanceof String identity && !identity.isBlank()) {
            try {
                var replayed = store.replayed(identity);
                if (replayed.isPresent()) {
                    return replayed.get();
                }
            } catch (RuntimeException e) {
                LOG.warn("message_status: the replayed message of dead letter {} not found: {}", identity, e.getMessage());
            }
        }
        return MessageIds.of(exchange);
    }
}
