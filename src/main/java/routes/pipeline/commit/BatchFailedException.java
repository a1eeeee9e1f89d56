package routes.pipeline.commit;

/** Writing a batch failed for a reason that may pass (timeout, deadlock, an error raised by the database). */
public class BatchFailedException extends RuntimeException {
    public BatchFailedException(Throwable cause) {
        super("batch write failed: " + cause.getMessage(), cause);
    }
}
