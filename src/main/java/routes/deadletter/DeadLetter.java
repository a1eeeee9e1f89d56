package routes.deadletter;

import java.time.OffsetDateTime;
import java.util.Map;

/** One row of {@code dead_letters}. */
public record DeadLetter(long id, String source, String queue, String traceId, String errorType,
                         String errorMessage, int attempts, String payload, Map<String, Object> headers,
                         OffsetDateTime failedAt, OffsetDateTime replayedAt) {
}
