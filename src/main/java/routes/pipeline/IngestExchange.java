package routes.pipeline;

/**
 * Exchange property names that sources set and the pipeline reads. Properties, not headers, so
 * nothing internal leaks into messages published to a broker.
 */
public final class IngestExchange {

    /** The source name (rabbitmq, nats, redis, http). Required. */
    public static final String SOURCE = "ingestSource";
    /** The queue, subject or list the message came from, for dead letters. */
    public static final String QUEUE = "ingestQueue";
    /** Deliveries of this message made before this one (broker redeliveries); default 0. */
    public static final String PRIOR_ATTEMPTS = "ingestPriorAttempts";
    /**
     * {@code true} (default) when the pipeline retries transient failures itself; {@code false} when
     * the source redelivers (JetStream nak with delay, Redis delayed retry): then a failed exchange
     * with budget left is returned failed to the source, which must redeliver it.
     */
    public static final String RETRY_IN_PROCESS = "ingestRetryInProcess";
    /** When the broker received the message (epoch millis), where it tells; for queue wait. */
    public static final String ENQUEUED_AT = "ingestEnqueuedAt";
    /** When the source received the message (epoch nanos, System.nanoTime), for receive → commit. */
    public static final String RECEIVED_AT = "ingestReceivedAt";
    /**
     * The message as the source received it (set by the validator before it replaces the body), for the
     * dead letters. A reference, not a copy: cheaper than Camel's useOriginalMessage, which copies every
     * exchange on entry to the route.
     */
    public static final String ORIGINAL_BODY = "ingestOriginalBody";
    /** The parsed event (set by the validator). */
    public static final String EVENT = "ingestEvent";
    /** The trace id of the message, when it has one. */
    public static final String TRACE_ID = "ingestTraceId";
    /** Set once the exchange has been durably dead-lettered. */
    public static final String DEAD_LETTERED = "ingestDeadLettered";
    /**
     * The broker's identity of the message, where it has one (a RabbitMQ message id; NATS gives its
     * stream sequence as a header): part of the dead letter's identity (routes.deadletter.DeadLetterIdentity).
     */
    public static final String MESSAGE_ID = "ingestMessageId";
    /**
     * The identity of the dead letter this message replays (header {@code x-dead-letter-id} of a replay,
     * or set by the replayer): dead-lettered again, it is recorded on that same dead letter.
     */
    public static final String DEAD_LETTER_IDENTITY = "ingestDeadLetterIdentity";
    /**
     * On a dead-lettered message (Long): the id of its {@code dead_letters} row, the one recorded now or, for a
     * redelivery of a message dead-lettered before, the one recorded then.
     */
    public static final String DEAD_LETTER_ID = "ingestDeadLetterId";
    /**
     * What a {@code commit.CommitParticipant} needs of the message when its rows commit (routes.status sets
     * its TrackedMessage here, and marks it completed in that transaction); the commit stage hands the
     * values of a unit's messages on as a list.
     */
    public static final String TRACKED = "ingestTracked";
    /** Set on a replayed dead letter, so the idempotent consumer lets it through. */
    public static final String REPLAY = "ingestReplay";
    /**
     * The idempotency key of the message ({@code IngestEvent.messageKey()}: a SHA-256 for a message of several
     * metrics), set by the idempotent consumer stage; the outcome stage remembers this same key once committed.
     */
    public static final String EVENT_KEY = "ingestEventKey";
    /**
     * What the commit of the exchange's rows did ({@code BatchWriter.Result}, set by the batch aggregator):
     * which rows changed the table, so that a message counts as success or duplicate by what it wrote.
     */
    public static final String WRITTEN = "ingestWritten";

    /**
     * Set on a message whose batch commit failed (the failure; {@code false} for a batch of one, which is
     * committed alone straight away): the pipeline's {@code commit-each} step commits it on its own, with the
     * redelivery policy, so that only the message at fault is retried or dead-lettered.
     */
    public static final String COMMIT_FAILED = "ingestCommitFailed";
    /**
     * Set on a batch whose messages are accepted or refused together (an HTTP request): one invalid
     * message fails the batch exchange with every field error (answered 400), and nothing of it is written.
     */
    public static final String ALL_OR_NONE = "ingestAllOrNone";
    /** The message's path in its request ("[3]"), prefixed to the fields of its validation errors. */
    public static final String FIELD_PREFIX = "ingestFieldPrefix";

    private IngestExchange() {
    }
}
