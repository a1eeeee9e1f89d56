package routes.status;

import java.time.OffsetDateTime;

/**
 * One row of {@code message_status}: where a tracked message is in its life, with its history's times.
 *
 * @param status       queued, running, completed or failed (dead-lettered; {@code dead} rows read as failed)
 * @param attempts     attempts started so far
 * @param receivedAt   when the message was first received
 * @param startedAt    when its latest attempt started
 * @param completedAt  when its rows committed (status completed)
 * @param failedAt     when it was dead-lettered (status failed)
 * @param lastError    why its last failed attempt failed
 * @param deadLetterId the {@code dead_letters} row of its dead letter ({@code GET /v1/dead-letters/{id}})
 */
public record MessageStatus(String messageId, String source, String status, int attempts,
                            OffsetDateTime receivedAt, OffsetDateTime startedAt, OffsetDateTime completedAt,
                            OffsetDateTime failedAt, String lastError, Long deadLetterId,
                            OffsetDateTime updatedAt) {

    public static final String QUEUED = "queued";
    public static final String RUNNING = "running";
    public static final String COMPLETED = "completed";
    /** Terminal: dead-lettered. */
    public static final String FAILED = "failed";
    /** The terminal status before V4, an alias of {@link #FAILED}: read as failed, never written. */
    public static final String DEAD = "dead";
}
