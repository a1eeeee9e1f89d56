package routes.pipeline.commit;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.transaction.TransactionSystemException;

/** Sorts a failed batch write into: database unreachable, data refused, or anything else. */
final class DatabaseErrors {

    enum Kind { UNAVAILABLE, REJECTED, FAILED }

    private DatabaseErrors() {
    }

    static Kind classify(Throwable error) {
        if (error instanceof TransactionSystemException tse && tse.getApplicationException() != null) {
            // The rollback failed too (the connection is gone): the first failure tells what happened.
            Kind first = classify(tse.getApplicationException());
            return first == Kind.FAILED ? classify(tse.getCause()) : first;
        }
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof CannotGetJdbcConnectionException || t instanceof CannotCreateTransactionException
                    || t instanceof SQLTransientConnectionException || t instanceof DataAccessResourceFailureException) {
                return Kind.UNAVAILABLE;
            }
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                String state = sql.getSQLState();
                // 08: connection exception; 57P01-57P03: admin shutdown, crash shutdown, cannot connect now.
                if (state.startsWith("08") || state.startsWith("57P")) {
                    return Kind.UNAVAILABLE;
                }
                // 22: data exception (e.g. a NUL character in text); 23: integrity constraint violation.
                if (state.startsWith("22") || state.startsWith("23")) {
                    return Kind.REJECTED;
                }
                return Kind.FAILED;
            }
        }
        return Kind.FAILED;
    }
}
