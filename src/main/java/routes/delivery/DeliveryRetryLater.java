package routes.delivery;

/**
 * A delivery attempt failed and the message has attempts left: the {@code redis-queue:} consumer parks
 * it (as the sink rewrote it, with its attempt count and last error) in the delayed set until the
 * retry interval has passed. Expected, so without a stack trace.
 */
public class DeliveryRetryLater extends RuntimeException {

    public DeliveryRetryLater(String messageId, int attempt, String error) {
        super("delivery of " + messageId + " failed (attempt " + attempt + "), retried later: " + error, null, false, false);
    }
}
