package routes.pipeline;

import org.apache.camel.util.ObjectHelper;

/**
 * A team's route step failed on one message (a {@code per-message:} step). Never retried: the message is
 * dead-lettered alone, with {@code error_type} {@code step} (or the type of a {@link StepRejectedException}
 * the step threw) and the step named in the error message; the other messages of its batch go on.
 */
public class StepFailedException extends RuntimeException {

    private final String step;
    private final ErrorType errorType;

    /** @param step the step's name: its route id, and the node id where the route says */
    public StepFailedException(String step, Throwable cause) {
        super("step " + step + " failed: " + (cause == null ? "unknown" : cause.getMessage()), cause);
        this.step = step;
        // Found anywhere in the cause chain: a route the step calls may wrap it.
        StepRejectedException rejected = ObjectHelper.getException(StepRejectedException.class, cause);
        this.errorType = rejected == null ? ErrorType.STEP : rejected.errorType();
    }

    public String step() {
        return step;
    }

    /** {@code step}, or the type a StepRejectedException of the step gave. */
    public ErrorType errorType() {
        return errorType;
    }
}
