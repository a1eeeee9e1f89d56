package routes.deadletter;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;
import routes.deadletter.DeadLetterStore.NewDeadLetter;
import routes.ops.IngestMetrics;
import routes.pipeline.ErrorType;
import routes.pipeline.IngestExchange;
import routes.pipeline.MessageBatch;
import routes.pipeline.StepFailedException;
import routes.pipeline.commit.RetryBudget;
import routes.pipeline.commit.RowRejectedException;
import routes.pipeline.validate.InvalidMessageException;
import routes.source.IngestSource;
import routes.source.IngestSource.DeadLetterCopy;
import routes.source.IngestSources;

/**
 * Parks messages that will not be processed, the messages of a batch together: records them in
 * {@code dead_letters} once per message ({@link DeadLetterIdentity}, CONTRACT §2) in one transaction, and
 * publishes each original body with the CONTRACT §2 headers and {@code x-dead-letter-id} to its source's
 * dead-letter destination, in one round trip per source where the broker allows
 * ({@link IngestSource#publishDeadLetters}). The rows commit only once the broker confirmed every copy, so
 * a failed publish leaves no row behind, and the messages are not acknowledged: their redeliveries park them
 * then, once. A redelivery of a message already recorded (the process died between the dead letter and the
 * ack) is acknowledged without a second row, count or copy. Each parked message gets
 * {@link IngestExchange#DEAD_LETTERED} and its row id in {@link IngestExchange#DEAD_LETTER_ID}.
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
    private final ObjectMapper mapper;
    private final int tooLargePrefixBytes;

    public DeadLetterRecorder(DeadLetterStore store, IngestSources sources, RetryBudget budget, IngestMetrics metrics,
                              TransactionTemplate transaction, ObjectMapper mapper, DeadLetterProperties properties) {
        this.store = store;
        this.sources = sources;
        this.budget = budget;
        this.metrics = metrics;
        this.transaction = transaction;
        this.mapper = mapper;
        this.tooLargePrefixBytes = properties.tooLargePrefixBytes();
    }

    /**
     * Parks the messages of {@code exchange}: a batch exchange's messages ({@link MessageBatch}), or the exchange
     * itself, each with its failure in {@link Exchange#EXCEPTION_CAUGHT}. All or none: throws when recording or
     * publishing fails, so that none of them is acknowledged.
     */
    public void record(Exchange exchange) throws Exception {
        recordAll(MessageBatch.messages(exchange));
    }

    /** The messages {@link #record(Exchange)} parked: the route's next steps run once per message. */
    public List<Exchange> messages(Exchange exchange) {
        return MessageBatch.messages(exchange);
    }

    /** See {@link #record(Exchange)}. */
    public void recordAll(List<Exchange> messages) throws Exception {
        OffsetDateTime failedAt = OffsetDateTime.now(ZoneOffset.UTC);
        List<Parked> parked = new ArrayList<>(messages.size());
        for (Exchange message : messages) {
            parked.add(park(message, failedAt));
        }
        // One row per identity: a message that came twice in this batch (the same body on a Redis list) is
        // parked by its first copy; the second is a redelivery of it.
        Map<String, Parked> first = new LinkedHashMap<>();
        for (Parked p : parked) {
            first.putIfAbsent(p.row().deadLetterId(), p);
        }
        Map<String, Long> recorded = transaction.execute(status -> recordAndPublish(List.copyOf(first.values())));
        Set<String> before = new HashSet<>(first.keySet());
        before.removeAll(recorded.keySet());
        Map<String, Long> earlier = store.ids(before);
        for (Parked p : parked) {
            String identity = p.row().deadLetterId();
            boolean parkedNow = first.get(identity) == p && recorded.containsKey(identity);
            p.message().setProperty(IngestExchange.DEAD_LETTERED, true);
            Long id = parkedNow ? recorded.get(identity) : recorded.getOrDefault(identity, earlier.get(identity));
            if (id != null) {
                p.message().setProperty(IngestExchange.DEAD_LETTER_ID, id);
            }
            if (parkedNow) {
                NewDeadLetter row = p.row();
                metrics.deadLetter(row.source(), row.errorType());
                metrics.event(row.source(), p.invalid() ? "invalid" : "dead", 1);
                LOG.warn("Dead-lettered message from {} as #{} {} ({}, {} attempts, trace {}): {}", row.source(), id,
                        identity, row.errorType(), row.attempts(), row.traceId(), row.errorMessage());
            } else {
                LOG.info("Message from {} already dead-lettered as #{} {} (a redelivery): acknowledged, not recorded again",
                        p.row().source(), id, identity);
            }
        }
    }

    /**
     * In the transaction: the rows (replays run through the pipeline directly reopen theirs: a statement of their
     * own), then the broker copies of the rows inserted or reopened now, per source. A row committed already
     * means its copy was confirmed then: nothing to publish again. A failed publish rolls the rows back.
     */
    private Map<String, Long> recordAndPublish(List<Parked> parked) {
        Map<String, Long> recorded = new LinkedHashMap<>();
        for (boolean reopen : new boolean[] {false, true}) {
            // In identity order: two batches holding the same messages (byte-identical re-sends on two consumers)
            // then wait for each other's rows in one order, never in a cycle (a deadlock PostgreSQL would break).
            List<NewDeadLetter> rows = parked.stream().filter(p -> p.reopen() == reopen).map(Parked::row)
                    .sorted(Comparator.comparing(NewDeadLetter::deadLetterId)).toList();
            if (!rows.isEmpty()) {
                recorded.putAll(store.record(rows, reopen));
            }
        }
        Map<String, List<DeadLetterCopy>> copies = new LinkedHashMap<>();
        for (Parked p : parked) {
            if (recorded.containsKey(p.row().deadLetterId())) {
                copies.computeIfAbsent(p.row().source(), s -> new ArrayList<>()).add(p.copy());
            }
        }
        copies.forEach((source, ofSource) -> {
            Optional<IngestSource> broker = sources.find(source);
            if (broker.isEmpty()) {
                return; // HTTP: no broker, the row is the dead letter
            }
            try {
                broker.get().publishDeadLetters(ofSource);
            } catch (Exception e) {
                throw new IllegalStateException(ofSource.size() + " dead letter(s) not confirmed by " + source + ": "
                        + e.getMessage(), e);
            }
        });
        return recorded;
    }

    /** What the table and the broker get of one message. */
    private Parked park(Exchange message, OffsetDateTime failedAt) throws Exception {
        Throwable cause = message.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        String source = message.getProperty(IngestExchange.SOURCE, "unknown", String.class);
        String queue = message.getProperty(IngestExchange.QUEUE, String.class);
        String traceId = message.getProperty(IngestExchange.TRACE_ID, String.class);
        String errorType = errorType(cause);
        String errorMessage = abbreviate(cause == null ? "unknown" : cause.getMessage());
        int attempts = budget.attempts(message);
        byte[] body = receivedBody(message);
        String deadLetterId = DeadLetterIdentity.of(message, source, queue, body);
        // A replay run through the pipeline directly is not marked replayed until it went through.
        boolean reopen = message.getProperty(IngestExchange.REPLAY, false, Boolean.class);

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
        NewDeadLetter row = new NewDeadLetter(deadLetterId, source, queue, traceId, errorType, errorMessage, attempts,
                kept.text(), stored, failedAt);
        return new Parked(message, row, new DeadLetterCopy(body, headers), reopen, cause instanceof InvalidMessageException);
    }

    /**
     * The message as received: the validator keeps the received body aside before it parses it (a team's
     * transform may have made a String or an object of it); before that, the body is it.
     */
    private byte[] receivedBody(Exchange message) throws Exception {
        Object original = message.getProperty(IngestExchange.ORIGINAL_BODY);
        if (original instanceof byte[] bytes) {
            return bytes;
        }
        if (original instanceof String text) {
            return text.getBytes(StandardCharsets.UTF_8);
        }
        if (original != null) {
            return mapper.writeValueAsBytes(original);
        }
        byte[] body = message.getMessage().getBody(byte[].class);
        return body == null ? new byte[0] : body;
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

    /** One message being parked: its row, its broker copy, and whether it reopens its row (a replay). */
    private record Parked(Exchange message, NewDeadLetter row, DeadLetterCopy copy, boolean reopen, boolean invalid) {
    }
}
