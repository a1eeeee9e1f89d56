package routes.source.consumer;

import java.io.InterruptedIOException;
import java.nio.channels.ClosedByInterruptException;
import routes.pipeline.commit.DatabaseUnavailableException;

/**
 * The one place a source asks what a failed message's exception means. "The database is down" is the
 * pipeline's {@link DatabaseUnavailableException} anywhere in the cause chain (the pipeline classifies
 * SQL errors into it): not the message's fault, so it spends no attempt.
 */
public final class Failures {

    private Failures() {
    }

    public static boolean databaseDown(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof DatabaseUnavailableException) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    /** The work was interrupted (the consumer stopping), not refused: no attempt was made. */
    public static boolean interrupted(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof InterruptedException || t instanceof InterruptedIOException
                    || t instanceof ClosedByInterruptException) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }
}
