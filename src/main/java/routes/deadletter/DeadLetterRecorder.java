package routes.deadletter;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;
import routes.ops.IngestMetrics;
import routes.pipeline.ErrorType;
import routes.pipeline.validate.InvalidMessageException;
import routes.pipeline.IngestExchange;
import routes.pipeline.commit.RetryBudget;
import routes.pipeline.commit.RowRejectedException;
import routes.pipeline.StepFailedException;
import routes.source.IngestSources;

/**
 * Parks a message that will not be processed: records it in {@code dead_letters} once per message
 * ({@link DeadLetterIdentity}, CONTRACT §2), then publishes the original body with the CONTRACT §2
 * headers and {@code x-dead-letter-id} to its source's dead-letter destination with a broker confirm.
 * A redelivery of a message already recorded (the process died between the dead letter and the ack)
 * is acknowledged without a second row, count or copy. Throws when recording or publishing fails, so
 * that the message is not acknowledged.
 */
@Component
public class DeadLetterRecorder {

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterRecorder.class);
    private static final int MAX_ERROR_MESSAGE = 2000;

    private final DeadLetterStore store;
    private final IngestSources sources;
    private final RetryBudget budget;
    private final IngestMetrics metrics;
    private final TransactionTemplate transaction;
    private final int tooLargePrefixBytes;

    public DeadLetterRecorder(DeadLetterStore store, IngestSources sources, RetryBudget budget, IngestMetrics metrics,
                              TransactionTemplate transaction, DeadLetterProperties properties) {
        this.transaction = transaction;
        this.tooLargePrefixBytes = properties.tooLargePrefixBytes();
        this.store = store;
        this.sources = sources;
        this.budget = budget;
        this.metrics = metrics;
    }

    public void record(Exchange exchange) throws Exception {
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        String source = exchange.getProperty(IngestExchange.SOURCE, "unknown", String.class);
        String queue = exchange.getProperty(IngestExchange.QUEUE, String.class);
        String traceId = exchange.getProperty(IngestExchange.TRACE_ID, String.class);
        String errorType = errorType(cause);
        String errorMessage = abbreviate(cause == null ? "unknown" : cause.getMessage());
        int attempts = budget.attempts(exchange);
        // The validator keeps the received body aside before it parses it; before that, the body is it.
        byte[] body = exchange.getProperty(IngestExchange.ORIGINAL_BODY, byte[].class);
        if (body == null) {
            body = exchange.getMessage().getBody(byte[].class);
        }
        if (body == null) {
            body = new byte[0];
        }
        String deadLetterId = DeadLetterIdentity.of(exchange, source, queue, body);
        // A replay run through the pipeline directly is not marked replayed until it went through.
        boolean reopen = exchange.getProperty(IngestExchange.REPLAY, false, Boolean.class);
        OffsetDateTime failedAt = OffsetDateTime.now(ZoneOffset.UTC);

        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(DeadLetterHeaders.ERROR_TYPE, errorType);
        headers.put(DeadLetterHeaders.ERROR_MESSAGE, errorMessage);
        headers.put(DeadLetterHeaders.ATTEMPTS, Integer.toString(attempts));
        headers.put(DeadLetterHeaders.SOURCE, source);
        headers.put(DeadLetterHeaders.FAILED_AT, failedAt.toString());
        headers.put(DeadLetterHeaders.DEAD_LETTER_ID, deadLetterId);
        if (traceId != null) {
            headers.put(DeadLetterHeaders.TRACE_ID, traceId);
        }
        StoredPayload kept = StoredPayload.of(body, errorType, tooLargePrefixBytes);
        Map<String, String> stored = new LinkedHashMap<>(headers);
        stored.putAll(kept.headers());
        // The row commits only if the broker confirmed the dead letter: a failed publish leaves no row
        // behind, so the redelivered message does not park a second one. A row committed already means
        // its copy was confirmed then: nothing to publish again.
        byte[] original = body;
        String text = kept.text();
        Optional<Long> recorded = transaction.execute(status -> {
            Optional<Long> row = store.record(deadLetterId, reopen, source, queue, traceId, errorType, errorMessage,
                    attempts, text, stored, failedAt);
            var broker = sources.find(source);
            if (row.isPresent() && broker.isPresent()) {
                try {
                    broker.get().publishDeadLetter(original, headers);
                } catch (Exception e) {
                    throw new IllegalStateException("dead letter not confirmed by " + source + ": " + e.getMessage(), e);
                }
            }
            return row;
        });
        exchange.setProperty(IngestExchange.DEAD_LETTERED, true);
        if (recorded.isEmpty()) {
            LOG.info("Message from {} already dead-lettered as {} (a redelivery): acknowledged, not recorded again",
                    source, deadLetterId);
            return;
        }
        metrics.deadLetter(source, errorType);
        metrics.event(source, cause instanceof InvalidMessageException ? "invalid" : "dead", 1);
        LOG.warn("Dead-lettered message from {} as #{} {} ({}, {} attempts, trace {}): {}", source, recorded.get(),
                deadLetterId, errorType, attempts, traceId, errorMessage);
    }

    static String errorType(Throwable cause) {
        if (cause instanceof InvalidMessageException invalid) {
            return invalid.errorType();
        }
        if (cause instanceof RowRejectedException) {
            return ErrorType.REJECTED.label();
        }
        if (cause instanceof StepFailedException step) {
            return step.errorType().label();
        }
        return ErrorType.EXHAUSTED.label();
    }

    private static String abbreviate(String message) {
        if (message == null) {
            return "";
        }
        String clean = message.replace('\u0000', '\uFFFD');
        return clean.length() > MAX_ERROR_MESSAGE ? clean.substring(0, MAX_ERROR_MESSAGE) + "…" : clean;
    }
}
