package routes.pipeline.commit;

/**
 * The database refused this message's rows (a data or constraint error, SQLState class 22 or 23),
 * found by writing its batch without it. Never retried: dead-lettered with error type
 * {@code rejected}; the other messages of the batch commit.
 */
public class RowRejectedException extends RuntimeException {
    public RowRejectedException(Throwable cause) {
        super("rows rejected by the database: " + cause.getMessage(), cause);
    }
}
