package routes.pipeline;

/**
 * Thrown by a {@code per-message:} step that refuses a message for a reason of its own, with the
 * {@code error_type} its dead letter gets instead of {@code step} (the known-devices check: {@code unknown_device},
 * {@code unknown_parameter}). Like any step failure it is never retried and fails that message alone.
 * The type must be in {@link ErrorType}, so that its metric series exist at 0 before the first one.
 */
public class StepRejectedException extends RuntimeException {

    private final ErrorType errorType;

    /** @param errorType a label of {@link ErrorType}; a label not in the list is a programming error */
    public StepRejectedException(String errorType, String message) {
        super(message);
        this.errorType = ErrorType.of(errorType);
    }

    public ErrorType errorType() {
        return errorType;
    }
}
