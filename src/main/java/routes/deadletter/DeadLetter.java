package routes.deadletter;

import java.time.OffsetDateTime;
import java.util.Map;

/**
 * One row of {@code dead_letters}; {@code deadLetterId} is its identity ({@link DeadLetterIdentity}, the
 * {@code x-dead-letter-id} of its broker copies), null on rows recorded before it existed.
 */
public record DeadLetter(long id, String source, String queue, String traceId, String errorType,
                         String errorMessage, int attempts, String payload, Map<String, Object> headers,
                         OffsetDateTime failedAt, OffsetDateTime replayedAt, String deadLetterId) {
}
