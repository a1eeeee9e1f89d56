package routes.source;

import java.time.Duration;

/**
 * A broker refused or could not take a publish for now (its stream is full, it is not connected): the
 * message is not safe, and the sender should try again after {@link #retryAfter()} (HTTP answers 503 with
 * {@code Retry-After}).
 */
public class PublishRefusedException extends Exception {

    private final Duration retryAfter;

    public PublishRefusedException(String message, Duration retryAfter, Throwable cause) {
        super(message, cause);
        this.retryAfter = retryAfter;
    }

    public Duration retryAfter() {
        return retryAfter;
    }

    /** The first one in {@code failure}'s causes, or null. */
    public static PublishRefusedException in(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof PublishRefusedException refused) {
                return refused;
            }
        }
        return null;
    }
}
