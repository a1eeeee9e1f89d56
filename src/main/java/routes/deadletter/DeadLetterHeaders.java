package routes.deadletter;

/** The headers every dead letter carries (CONTRACT §2). */
public final class DeadLetterHeaders {
    public static final String ERROR_TYPE = "x-error-type";
    public static final String ERROR_MESSAGE = "x-error-message";
    public static final String ATTEMPTS = "x-attempts";
    public static final String SOURCE = "x-source";
    public static final String FAILED_AT = "x-failed-at";
    public static final String TRACE_ID = "x-trace-id";
    /**
     * The dead letter's identity ({@link DeadLetterIdentity}): the same on every copy the broker's DLQ
     * receives of one message, and carried by a replay so that failing again reopens the same dead letter.
     */
    public static final String DEAD_LETTER_ID = "x-dead-letter-id";
    /** On a replayed message: the id of the {@code dead_letters} row it replays. */
    public static final String REPLAYED_FROM = "x-replayed-from";
    /** Present when the payload is not clean UTF-8 text: the exact original bytes, base64. */
    public static final String PAYLOAD_BASE64 = "x-payload-base64";
    /**
     * In the table only, on a {@code too_large} dead letter whose row keeps a prefix of the body
     * ({@link StoredPayload}): "true"; with the whole body's size in bytes and its SHA-256 (hex). Such a
     * row is never replayed; the broker's dead-letter copy has the whole body.
     */
    public static final String PAYLOAD_TRUNCATED = "x-payload-truncated";
    public static final String PAYLOAD_SIZE = "x-payload-size";
    public static final String PAYLOAD_SHA256 = "x-payload-sha256";

    private DeadLetterHeaders() {
    }
}
