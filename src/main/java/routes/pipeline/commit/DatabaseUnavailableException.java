package routes.pipeline.commit;

/**
 * The database cannot be reached (connection refused or lost, pool exhausted, server shutting down).
 * Not the message's fault: retried in-process per the redelivery policy, then handed back to the
 * source to redeliver — never dead-lettered, since the dead letters live in the same database.
 */
public class DatabaseUnavailableException extends RuntimeException {
    public DatabaseUnavailableException(Throwable cause) {
        super("database unavailable: " + cause.getMessage(), cause);
    }
}
