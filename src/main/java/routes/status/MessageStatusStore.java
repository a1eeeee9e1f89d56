package routes.status;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/**
 * The {@code message_status} table. Each change is one upsert; {@link #completedAll} marks a whole
 * batch in one statement on the caller's connection, so it commits with the rows it describes.
 */
@Repository
public class MessageStatusStore {

    private static final int MAX_ERROR = 2000;

    // attempts only grows (a late write of an older attempt cannot move it back); started_at is the
    // start of the latest attempt; error keeps the last failure, also once completed.
    private static final String UPSERT = """
            INSERT INTO message_status AS s (message_id, source, status, attempts, started_at, completed_at, error, updated_at)
            VALUES (?, ?, ?, ?, CASE WHEN ? THEN now() END, CASE WHEN ? THEN now() END, ?, now())
            ON CONFLICT (message_id) DO UPDATE
               SET source = EXCLUDED.source, status = EXCLUDED.status,
                   attempts = GREATEST(s.attempts, EXCLUDED.attempts),
                   started_at = COALESCE(EXCLUDED.started_at, s.started_at),
                   completed_at = EXCLUDED.completed_at,
                   error = COALESCE(EXCLUDED.error, s.error),
                   updated_at = now()
            """;

    private static final String COMPLETE_ALL = """
            INSERT INTO message_status AS s (message_id, source, status, attempts, started_at, completed_at, updated_at)
            SELECT id, source, 'completed', attempts, started_at, now(), now()
              FROM unnest(?::text[], ?::text[], ?::int4[], ?::timestamptz[])
                   WITH ORDINALITY AS u(id, source, attempts, started_at, ord)
             ORDER BY u.ord
            ON CONFLICT (message_id) DO UPDATE
               SET source = EXCLUDED.source, status = 'completed',
                   attempts = GREATEST(s.attempts, EXCLUDED.attempts),
                   started_at = EXCLUDED.started_at, completed_at = now(), updated_at = now()
            """;

    private static final String SELECT = """
            SELECT message_id, source, status, attempts, started_at, completed_at, error, updated_at
              FROM message_status WHERE message_id = ?
            """;

    private final JdbcTemplate jdbc;

    public MessageStatusStore(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** An attempt (number {@code attempt}, from 1) starts. */
    public void running(String source, String messageId, int attempt) {
        set(source, messageId, MessageStatus.RUNNING, attempt, null);
    }

    /** Waits (again) in a queue; {@code error} is why the last attempt failed, or null. */
    public void queued(String source, String messageId, int attempts, String error) {
        set(source, messageId, MessageStatus.QUEUED, attempts, error);
    }

    public void completed(String source, String messageId, int attempts) {
        set(source, messageId, MessageStatus.COMPLETED, attempts, null);
    }

    /** An attempt failed; the source's broker will redeliver it. */
    public void failed(String source, String messageId, int attempts, String error) {
        set(source, messageId, MessageStatus.FAILED, attempts, error);
    }

    public void dead(String source, String messageId, int attempts, String error) {
        set(source, messageId, MessageStatus.DEAD, attempts, error);
    }

    /** Marks messages completed on {@code connection}, inside the transaction that did their work. */
    public static void completedAll(Connection connection, List<TrackedMessage> messages) throws SQLException {
        // One row per id (ON CONFLICT DO UPDATE may not touch a row twice in one statement), in id order:
        // every writer locks the rows in the same order, so two batches sharing ids cannot deadlock.
        Map<String, TrackedMessage> byId = new TreeMap<>();
        messages.forEach(m -> byId.put(m.id(), m));
        if (byId.isEmpty()) {
            return;
        }
        int n = byId.size();
        String[] ids = new String[n];
        String[] sources = new String[n];
        Integer[] attempts = new Integer[n];
        String[] startedAt = new String[n];
        int i = 0;
        for (TrackedMessage m : byId.values()) {
            ids[i] = m.id();
            sources[i] = m.source();
            attempts[i] = m.attempt();
            startedAt[i] = Instant.ofEpochMilli(m.startedAtMillis()).toString();
            i++;
        }
        try (PreparedStatement ps = connection.prepareStatement(COMPLETE_ALL)) {
            ps.setArray(1, connection.createArrayOf("text", ids));
            ps.setArray(2, connection.createArrayOf("text", sources));
            ps.setArray(3, connection.createArrayOf("int4", attempts));
            ps.setArray(4, connection.createArrayOf("text", startedAt));
            ps.executeUpdate();
        }
    }

    public Optional<MessageStatus> find(String messageId) {
        return jdbc.query(SELECT, this::map, messageId).stream().findFirst();
    }

    private void set(String source, String messageId, String status, int attempts, String error) {
        boolean starts = MessageStatus.RUNNING.equals(status);
        boolean ends = MessageStatus.COMPLETED.equals(status) || MessageStatus.DEAD.equals(status);
        jdbc.update(UPSERT, messageId, source, status, attempts, starts, ends, abbreviate(error));
    }

    private static String abbreviate(String error) {
        if (error == null) {
            return null;
        }
        String clean = error.replace('\u0000', '\uFFFD');
        return clean.length() > MAX_ERROR ? clean.substring(0, MAX_ERROR) + "…" : clean;
    }

    private MessageStatus map(ResultSet rs, int row) throws SQLException {
        return new MessageStatus(rs.getString(1), rs.getString(2), rs.getString(3), rs.getInt(4),
                rs.getObject(5, OffsetDateTime.class), rs.getObject(6, OffsetDateTime.class), rs.getString(7),
                rs.getObject(8, OffsetDateTime.class));
    }
}
