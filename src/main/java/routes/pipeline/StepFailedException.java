package routes.pipeline;

/**
 * A team's route step failed on one message (a {@code per-message:} step). Never retried: the message is
 * dead-lettered alone, with {@code error_type} {@code step} and the step named in the error message;
 * the other messages of its batch go on.
 */
public class StepFailedException extends RuntimeException {

    private final String step;

    /** @param step the step's name: its route id, and the node id where the route says */
    public StepFailedException(String step, Throwable cause) {
        super("step " + step + " failed: " + (cause == null ? "unknown" : cause.getMessage()), cause);
        this.step = step;
    }

    public String step() {
        return step;
    }
}
