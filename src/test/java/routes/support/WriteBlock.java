package routes.support;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Holds every batch writer back while open: a transaction of its own takes an EXCLUSIVE lock on
 * {@code ingest_events} (reads still pass, so a test can keep counting rows). Crash and drop tests
 * use it to make "mid-stream" certain instead of racing the pipeline: messages are taken from the
 * broker but cannot commit until the block is closed, whatever the speed of the machine.
 */
public final class WriteBlock implements AutoCloseable {

    private final Connection connection;

    private WriteBlock(Connection connection) {
        this.connection = connection;
    }

    /** Blocks writes to {@code ingest_events} in the database at {@code jdbcUrl} until {@link #close()}. */
    public static WriteBlock on(String jdbcUrl) {
        try {
            Connection c = DriverManager.getConnection(jdbcUrl, TestDatabase.USER, "");
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.execute("LOCK TABLE ingest_events IN EXCLUSIVE MODE");
            }
            return new WriteBlock(c);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot block writes on " + jdbcUrl, e);
        }
    }

    /** Lets the writers go on. */
    @Override
    public void close() {
        try (connection) {
            connection.rollback();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot release the write block", e);
        }
    }
}
