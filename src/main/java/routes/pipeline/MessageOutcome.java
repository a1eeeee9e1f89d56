package routes.pipeline;

/**
 * How a message of a batch ended before or at the commit. A message with no outcome and no exception is
 * still on its way through the pipeline ({@link MessageBatch#pending}); the stages skip the others.
 */
public enum MessageOutcome {
    /** A team step dropped it (a {@code stop} in a {@code per-message:} step): acked, counted {@code filtered}. */
    FILTERED,
    /** Every row it carries was committed before: acked, counted {@code duplicate}. */
    DUPLICATE,
    /** It broke CONTRACT §1 (or a team step failed on it) and is safely in the dead letters: acked. */
    DEAD_LETTERED,
    /** Its rows are committed: acked, counted {@code success} or {@code duplicate} by what they changed. */
    COMMITTED
}
