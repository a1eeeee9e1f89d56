package routes.scale;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.zip.CRC32;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PostgreSQL session advisory lock → "this instance is the one that runs X now" (e.g. the Redis
 * recoverer). The lock lives as long as one dedicated database session: when the holder dies
 * (kill -9, crash, lost network) PostgreSQL ends its session and frees the lock, and the next
 * instance that asks gets it. No table, no heartbeat of our own (docs/scaling.md).
 */
public class PostgresLeaderLock implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresLeaderLock.class);

    private final DataSource dataSource;
    private final String name;
    private final long key;
    private Connection session;
    private boolean held;

    public PostgresLeaderLock(DataSource dataSource, String name) {
        this.dataSource = dataSource;
        this.name = name;
        this.key = keyOf(name);
    }

    /** A stable 64-bit key for a lock name, the same on every instance. */
    static long keyOf(String name) {
        CRC32 crc = new CRC32();
        crc.update(("ingest-routes:" + name).getBytes(StandardCharsets.UTF_8));
        // High 32 bits: a fixed namespace, so our keys do not collide with small keys other tools use.
        return (0x1A6E5L << 32) | crc.getValue();
    }

    /**
     * Whether this instance holds the lock now; tries to take it when it does not. Call it before each
     * run of the guarded work: a lost session (database restart) means the lock is lost too.
     */
    public synchronized boolean holds() {
        try {
            if (session != null && !session.isValid(2)) {
                if (held) {
                    LOG.warn("Lost the '{}' lock with its database session", name);
                }
                closeSession();
            }
            if (session == null) {
                session = dataSource.getConnection();
                session.setAutoCommit(true);
            }
            if (!held) {
                try (PreparedStatement s = session.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
                    s.setLong(1, key);
                    try (ResultSet rs = s.executeQuery()) {
                        held = rs.next() && rs.getBoolean(1);
                    }
                }
                if (held) {
                    LOG.info("This instance now holds the '{}' lock", name);
                }
            }
            return held;
        } catch (SQLException e) {
            LOG.warn("Cannot check the '{}' lock: {}", name, e.getMessage());
            closeSession();
            return false;
        }
    }

    private void closeSession() {
        held = false;
        if (session != null) {
            try {
                session.close();
            } catch (SQLException e) {
                LOG.debug("Closing the lock session failed", e);
            }
            session = null;
        }
    }

    /** Frees the lock (ending the session frees it too) and returns the connection. */
    @Override
    public synchronized void close() {
        if (held && session != null) {
            try (PreparedStatement s = session.prepareStatement("SELECT pg_advisory_unlock(?)")) {
                s.setLong(1, key);
                s.execute();
            } catch (SQLException e) {
                LOG.debug("Unlocking '{}' failed; closing the session frees it", name, e);
            }
        }
        closeSession();
    }
}
