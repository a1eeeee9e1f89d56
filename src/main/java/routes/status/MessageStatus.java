package routes.status;

import java.time.OffsetDateTime;

/** One row of {@code message_status}: where a tracked message is in its life. */
public record MessageStatus(String messageId, String source, String status, int attempts,
                            OffsetDateTime startedAt, OffsetDateTime completedAt, String error,
                            OffsetDateTime updatedAt) {

    public static final String QUEUED = "queued";
    public static final String RUNNING = "running";
    public static final String COMPLETED = "completed";
    public static final String FAILED = "failed";
    public static final String DEAD = "dead";
}
