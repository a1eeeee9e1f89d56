package routes.status;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/**
 * The {@code message_status} table. The pipeline writes a batch at a time, one multi-row statement per
 * change ({@link #receivedAll}, {@link #runningAll}, {@link #queuedAll}, and {@link #completedAll} on the connection of the
 * transaction that commits the rows); the delivery sink and the dead-letter route write one row at a time.
 * Multi-row writes lock rows in id order, so two batches sharing ids cannot deadlock.
 */
@Repository
public class MessageStatusStore {

    private static final int MAX_ERROR = 2000;

    // One message. attempts only grows (a late write of an older attempt cannot move it back);
    // received_at is the first receipt; started_at the start of the latest attempt; last_error the last
    // failure, also once completed. The dead letter is its row id, or found by its identity.
    private static final String UPSERT = """
            INSERT INTO message_status AS s (message_id, source, status, attempts, received_at, started_at,
                                             completed_at, failed_at, last_error, dead_letter_id, updated_at)
            VALUES (?, ?, ?, ?, now(), CASE WHEN ? THEN now() END, CASE WHEN ? THEN now() END,
                    CASE WHEN ? THEN now() END, ?,
                    COALESCE(?::bigint, (SELECT d.id FROM dead_letters d WHERE d.dead_letter_id = ?::text)), now())
            ON CONFLICT (message_id) DO UPDATE
               SET source = EXCLUDED.source, status = EXCLUDED.status,
                   attempts = GREATEST(s.attempts, EXCLUDED.attempts),
                   received_at = COALESCE(s.received_at, EXCLUDED.received_at),
                   started_at = COALESCE(EXCLUDED.started_at, s.started_at),
                   completed_at = EXCLUDED.completed_at,
                   failed_at = EXCLUDED.failed_at,
                   last_error = COALESCE(EXCLUDED.last_error, s.last_error),
                   dead_letter_id = COALESCE(EXCLUDED.dead_letter_id, s.dead_letter_id),
                   updated_at = now()
            """;

    // Received and started in one write (queued → running), at the attempt's start as the process saw it
    // (the time the completion writes too). Whatever the row says, this is one more attempt:
    // after a retry (queued), a crash (still running), or a replay or resend of a finished message.
    private static final String RUNNING_ALL = """
            INSERT INTO message_status AS s (message_id, source, status, attempts, received_at, started_at, updated_at)
            SELECT id, source, 'running', attempts, started_at, started_at, now()
              FROM unnest(?::text[], ?::text[], ?::int4[], ?::timestamptz[])
                   WITH ORDINALITY AS u(id, source, attempts, started_at, ord)
             ORDER BY u.ord
            ON CONFLICT (message_id) DO UPDATE
               SET source = EXCLUDED.source, status = 'running',
                   attempts = GREATEST(s.attempts + 1, EXCLUDED.attempts),
                   received_at = COALESCE(s.received_at, EXCLUDED.received_at),
                   started_at = EXCLUDED.started_at, completed_at = NULL, failed_at = NULL, updated_at = now()
            """;

    // A failed attempt that will be retried: waiting again, with why. Never moves a finished message back.
    private static final String QUEUED_ALL = """
            INSERT INTO message_status AS s (message_id, source, status, attempts, received_at, started_at, last_error, updated_at)
            SELECT id, source, 'queued', attempts, started_at, started_at, error, now()
              FROM unnest(?::text[], ?::text[], ?::int4[], ?::timestamptz[], ?::text[])
                   WITH ORDINALITY AS u(id, source, attempts, started_at, error, ord)
             ORDER BY u.ord
            ON CONFLICT (message_id) DO UPDATE
               SET status = 'queued', attempts = GREATEST(s.attempts, EXCLUDED.attempts),
                   last_error = EXCLUDED.last_error, updated_at = now()
             WHERE s.status NOT IN ('completed', 'failed', 'dead')
            """;

    // Received and waiting in a broker (HTTP publish-to, at the 202), written after the broker's confirm: a row
    // already there (the broker source took it first, or an earlier send of the same message) is left alone.
    private static final String RECEIVED_ALL = """
            INSERT INTO message_status AS s (message_id, source, status, attempts, received_at, updated_at)
            SELECT id, ?, 'queued', 0, now(), now() FROM unnest(?::text[]) WITH ORDINALITY AS u(id, ord)
             ORDER BY u.ord
            ON CONFLICT (message_id) DO NOTHING
            """;

    private static final String COMPLETE_ALL = """
            INSERT INTO message_status AS s (message_id, source, status, attempts, received_at, started_at, completed_at, updated_at)
            SELECT id, source, 'completed', attempts, started_at, started_at, now(), now()
              FROM unnest(?::text[], ?::text[], ?::int4[], ?::timestamptz[])
                   WITH ORDINALITY AS u(id, source, attempts, started_at, ord)
             ORDER BY u.ord
            ON CONFLICT (message_id) DO UPDATE
               SET source = EXCLUDED.source, status = 'completed',
                   attempts = GREATEST(s.attempts, EXCLUDED.attempts),
                   received_at = COALESCE(s.received_at, EXCLUDED.received_at),
                   started_at = EXCLUDED.started_at, completed_at = now(), failed_at = NULL, updated_at = now()
            """;

    private static final String SELECT = """
            SELECT message_id, source, CASE status WHEN 'dead' THEN 'failed' ELSE status END, attempts,
                   received_at, started_at, completed_at, failed_at, last_error, dead_letter_id, updated_at
              FROM message_status WHERE message_id = ?
            """;

    // The message a replayed dead letter was: a replay is one more attempt of it, under its id.
    private static final String REPLAYED = """
            SELECT s.message_id FROM message_status s JOIN dead_letters d ON d.id = s.dead_letter_id
             WHERE d.dead_letter_id = ? LIMIT 1
            """;

    private final JdbcTemplate jdbc;

    public MessageStatusStore(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** An attempt (number {@code attempt}, from 1) starts. */
    public void running(String source, String messageId, int attempt) {
        set(source, messageId, MessageStatus.RUNNING, attempt, null, null, null);
    }

    /** Waits (again) in a queue; {@code error} is why the last attempt failed, or null. */
    public void queued(String source, String messageId, int attempts, String error) {
        set(source, messageId, MessageStatus.QUEUED, attempts, error, null, null);
    }

    public void completed(String source, String messageId, int attempts) {
        set(source, messageId, MessageStatus.COMPLETED, attempts, null, null, null);
    }

    /**
     * Dead-lettered: terminal. The dead letter is its {@code dead_letters} row id, or, when that is not
     * known, its identity ({@code dead_letters.dead_letter_id}); either may be null.
     */
    public void failed(String source, String messageId, int attempts, String error, Long deadLetterRow,
                       String deadLetterIdentity) {
        set(source, messageId, MessageStatus.FAILED, attempts, error, deadLetterRow, deadLetterIdentity);
    }

    /** The old name of {@link #failed}: writes {@code failed}. */
    public void dead(String source, String messageId, int attempts, String error) {
        failed(source, messageId, attempts, error, null, null);
    }

    /** Received and started, in one statement (autocommit: visible before the rows commit). */
    public void runningAll(List<TrackedMessage> messages) {
        Map<String, TrackedMessage> byId = byId(messages);
        if (byId.isEmpty()) {
            return;
        }
        String[] ids = new String[byId.size()];
        String[] sources = new String[ids.length];
        Integer[] attempts = new Integer[ids.length];
        String[] startedAt = new String[ids.length];
        int i = 0;
        for (TrackedMessage m : byId.values()) {
            ids[i] = m.id();
            sources[i] = m.source();
            attempts[i] = m.attempt();
            startedAt[i++] = Instant.ofEpochMilli(m.startedAtMillis()).toString();
        }
        jdbc.execute((Connection c) -> {
            try (PreparedStatement ps = c.prepareStatement(RUNNING_ALL)) {
                ps.setArray(1, c.createArrayOf("text", ids));
                ps.setArray(2, c.createArrayOf("text", sources));
                ps.setArray(3, c.createArrayOf("int4", attempts));
                ps.setArray(4, c.createArrayOf("text", startedAt));
                return ps.executeUpdate();
            }
        });
    }

    /** Messages received and queued in a broker, in one statement; ids already tracked keep their row. */
    public void receivedAll(String source, Collection<String> messageIds) {
        String[] ids = new TreeSet<>(messageIds).toArray(String[]::new); // id order, as every writer locks
        if (ids.length == 0) {
            return;
        }
        jdbc.execute((Connection c) -> {
            try (PreparedStatement ps = c.prepareStatement(RECEIVED_ALL)) {
                ps.setString(1, source);
                ps.setArray(2, c.createArrayOf("text", ids));
                return ps.executeUpdate();
            }
        });
    }

    /** Failed attempts that will be retried, each with its error (same order as {@code messages}). */
    public void queuedAll(List<TrackedMessage> messages, List<String> errors) {
        Map<String, String> errorById = new TreeMap<>();
        Map<String, TrackedMessage> byId = new TreeMap<>();
        for (int i = 0; i < messages.size(); i++) {
            byId.put(messages.get(i).id(), messages.get(i));
            errorById.put(messages.get(i).id(), abbreviate(errors.get(i)));
        }
        if (byId.isEmpty()) {
            return;
        }
        int n = byId.size();
        String[] ids = new String[n];
        String[] sources = new String[n];
        Integer[] attempts = new Integer[n];
        String[] startedAt = new String[n];
        String[] texts = new String[n];
        int i = 0;
        for (TrackedMessage m : byId.values()) {
            ids[i] = m.id();
            sources[i] = m.source();
            attempts[i] = m.attempt();
            startedAt[i] = Instant.ofEpochMilli(m.startedAtMillis()).toString();
            texts[i++] = errorById.get(m.id());
        }
        jdbc.execute((Connection c) -> {
            try (PreparedStatement ps = c.prepareStatement(QUEUED_ALL)) {
                ps.setArray(1, c.createArrayOf("text", ids));
                ps.setArray(2, c.createArrayOf("text", sources));
                ps.setArray(3, c.createArrayOf("int4", attempts));
                ps.setArray(4, c.createArrayOf("text", startedAt));
                ps.setArray(5, c.createArrayOf("text", texts));
                return ps.executeUpdate();
            }
        });
    }

    /** Marks messages completed on {@code connection}, inside the transaction that did their work. */
    public static void completedAll(Connection connection, List<TrackedMessage> messages) throws SQLException {
        Map<String, TrackedMessage> byId = byId(messages);
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

    /** The id of the message whose dead letter has this identity, if it was tracked. */
    public Optional<String> replayed(String deadLetterIdentity) {
        return jdbc.queryForList(REPLAYED, String.class, deadLetterIdentity).stream().findFirst();
    }

    /**
     * One row per id (ON CONFLICT DO UPDATE may not touch a row twice in one statement), in id order: every
     * writer locks the rows in the same order, so two batches sharing ids cannot deadlock.
     */
    private static Map<String, TrackedMessage> byId(List<TrackedMessage> messages) {
        Map<String, TrackedMessage> byId = new TreeMap<>();
        messages.forEach(m -> byId.put(m.id(), m));
        return byId;
    }

    private void set(String source, String messageId, String status, int attempts, String error,
                     Long deadLetterRow, String deadLetterIdentity) {
        boolean starts = MessageStatus.RUNNING.equals(status);
        boolean completes = MessageStatus.COMPLETED.equals(status);
        boolean fails = MessageStatus.FAILED.equals(status);
        jdbc.update(UPSERT, messageId, source, status, attempts, starts, completes, fails, abbreviate(error),
                deadLetterRow, deadLetterIdentity);
    }

    private static String abbreviate(String error) {
        if (error == null) {
            return null;
        }
        String clean = error.replace('\u0000', '\uFFFD');
        return clean.length() > MAX_ERROR ? clean.substring(0, MAX_ERROR) + "…" : clean;
    }

    private MessageStatus map(ResultSet rs, int row) throws SQLException {
        long deadLetter = rs.getLong(10);
        return new MessageStatus(rs.getString(1), rs.getString(2), rs.getString(3), rs.getInt(4),
                rs.getObject(5, OffsetDateTime.class), rs.getObject(6, OffsetDateTime.class),
                rs.getObject(7, OffsetDateTime.class), rs.getObject(8, OffsetDateTime.class), rs.getString(9),
                rs.wasNull() ? null : deadLetter, rs.getObject(11, OffsetDateTime.class));
    }
}
