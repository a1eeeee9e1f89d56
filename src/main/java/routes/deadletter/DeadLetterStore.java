package routes.deadletter;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Repository;
import routes.pipeline.ErrorType;

/** The {@code dead_letters} table. */
@Repository
public class DeadLetterStore {

    /**
     * Once per identity, for many dead letters in one statement (one array per column): a new dead letter is
     * inserted; one already recorded and not replayed is left as it is (a redelivery of the same message: no
     * row returned); one that was replayed, or when the last parameter is true, is reopened with the new
     * failure (the replay failed again). Returns the identity and row id of each row inserted or reopened.
     */
    private static final String RECORD = """
            INSERT INTO dead_letters (dead_letter_id, source, queue, trace_id, error_type, error_message, attempts,
                                      payload, headers, failed_at)
            SELECT d.dead_letter_id, d.source, d.queue, d.trace_id, d.error_type, d.error_message, d.attempts,
                   d.payload, d.headers::jsonb, d.failed_at::timestamptz
              FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::int4[], ?::text[],
                          ?::text[], ?::text[])
                   AS d(dead_letter_id, source, queue, trace_id, error_type, error_message, attempts, payload,
                        headers, failed_at)
            ON CONFLICT (dead_letter_id) DO UPDATE
               SET trace_id = EXCLUDED.trace_id, error_type = EXCLUDED.error_type,
                   error_message = EXCLUDED.error_message, attempts = EXCLUDED.attempts,
                   headers = EXCLUDED.headers, failed_at = EXCLUDED.failed_at, replayed_at = NULL
             WHERE dead_letters.replayed_at IS NOT NULL OR ?
            RETURNING dead_letter_id, id
            """;
    /**
     * Rows of one statement at most, and payload characters (a statement's arrays are built in memory whole): a
     * larger batch takes more statements, in the same transaction.
     */
    static final int MAX_ROWS_PER_STATEMENT = 1000;
    static final long MAX_PAYLOAD_CHARS_PER_STATEMENT = 16L * 1024 * 1024;
    private static final String COLUMNS = "id, source, queue, trace_id, error_type, error_message, attempts, payload,"
            + " headers::text, failed_at, replayed_at, dead_letter_id";

    /**
     * The error type whose dead letters are never replayed (CONTRACT §2): over the size limit, a replay
     * would only fail again, and the row may keep only a prefix of the body ({@link StoredPayload}).
     */
    public static final String NEVER_REPLAYED = ErrorType.TOO_LARGE.label();

    private final JdbcTemplate jdbc;
    private final ObjectMapper mapper;
    private final RowMapper<DeadLetter> rowMapper = this::map;

    public DeadLetterStore(JdbcTemplate jdbc, ObjectMapper mapper) {
        this.jdbc = jdbc;
        this.mapper = mapper;
    }

    /**
     * Records each dead letter once by its identity (see {@link DeadLetterIdentity}; identities must be distinct):
     * returns, by identity, the row id of each one this call inserted, or reopened because it had been replayed
     * (or {@code reopen} is true: replays run through the pipeline directly). An identity missing from the
     * answer is recorded already and pending: a redelivery of a message already dead-lettered.
     */
    public Map<String, Long> record(List<NewDeadLetter> deadLetters, boolean reopen) {
        Map<String, Long> recorded = new HashMap<>();
        int from = 0;
        while (from < deadLetters.size()) {
            int to = from;
            long chars = 0;
            while (to < deadLetters.size() && to - from < MAX_ROWS_PER_STATEMENT
                    && (to == from || chars + length(deadLetters.get(to)) <= MAX_PAYLOAD_CHARS_PER_STATEMENT)) {
                chars += length(deadLetters.get(to));
                to++;
            }
            List<NewDeadLetter> chunk = deadLetters.subList(from, to);
            jdbc.query(c -> bind(c, chunk, reopen), rs -> {
                recorded.put(rs.getString(1), rs.getLong(2));
            });
            from = to;
        }
        return recorded;
    }

    /** The row ids of the dead letters with these identities, by identity (those that have a row). */
    public Map<String, Long> ids(Collection<String> deadLetterIds) {
        Map<String, Long> ids = new HashMap<>();
        if (deadLetterIds.isEmpty()) {
            return ids;
        }
        jdbc.query(c -> {
            PreparedStatement ps = c.prepareStatement("SELECT dead_letter_id, id FROM dead_letters WHERE dead_letter_id = ANY(?::text[])");
            ps.setArray(1, c.createArrayOf("text", deadLetterIds.toArray(new String[0])));
            return ps;
        }, rs -> {
            ids.put(rs.getString(1), rs.getLong(2));
        });
        return ids;
    }

    /** One dead letter: {@link #record(List, boolean)} of one; empty when it is recorded already and pending. */
    public Optional<Long> record(String deadLetterId, boolean reopen, String source, String queue, String traceId,
                                 String errorType, String errorMessage, int attempts, String payload,
                                 Map<String, String> headers, OffsetDateTime failedAt) {
        return Optional.ofNullable(record(List.of(new NewDeadLetter(deadLetterId, source, queue, traceId, errorType,
                errorMessage, attempts, payload, headers, failedAt)), reopen).get(deadLetterId));
    }

    /** Inserts a dead letter of its own, with a new identity, and returns its id (tools and tests). */
    public long insert(String source, String queue, String traceId, String errorType, String errorMessage,
                       int attempts, String payload, Map<String, String> headers, OffsetDateTime failedAt) {
        return record(source + ":" + UUID.randomUUID(), false, source, queue, traceId, errorType, errorMessage,
                attempts, payload, headers, failedAt).orElseThrow();
    }

    /** The newest dead letters, optionally of one source. */
    public List<DeadLetter> newest(String source, int limit) {
        if (source == null || source.isBlank()) {
            return jdbc.query("SELECT " + COLUMNS + " FROM dead_letters ORDER BY id DESC LIMIT ?", rowMapper, limit);
        }
        return jdbc.query("SELECT " + COLUMNS + " FROM dead_letters WHERE source = ? ORDER BY id DESC LIMIT ?",
                rowMapper, source, limit);
    }

    /** One page of dead letters matching {@code query}, newest first. */
    public List<DeadLetter> search(DeadLetterQuery query, int limit, int offset) {
        List<Object> args = new ArrayList<>();
        String sql = "SELECT " + COLUMNS + " FROM dead_letters" + query.where(args) + " ORDER BY id DESC LIMIT ? OFFSET ?";
        args.add(limit);
        args.add(offset);
        return jdbc.query(sql, rowMapper, args.toArray());
    }

    /** How many dead letters match {@code query}. */
    public long count(DeadLetterQuery query) {
        List<Object> args = new ArrayList<>();
        return jdbc.queryForObject("SELECT count(*) FROM dead_letters" + query.where(args), Long.class, args.toArray());
    }

    /** Deletes one dead letter; false when there was none. */
    public boolean delete(long id) {
        return jdbc.update("DELETE FROM dead_letters WHERE id = ?", id) == 1;
    }

    /** Deletes every dead letter matching {@code query}; returns how many. */
    public int purge(DeadLetterQuery query) {
        List<Object> args = new ArrayList<>();
        return jdbc.update("DELETE FROM dead_letters" + query.where(args), args.toArray());
    }

    /** Dead letters per source and error type (all, and not replayed yet), for the console. */
    public List<Map<String, Object>> summary() {
        return jdbc.queryForList("SELECT source, error_type, count(*) AS total,"
                + " count(*) FILTER (WHERE replayed_at IS NULL) AS pending, max(failed_at) AS last_failed_at"
                + " FROM dead_letters GROUP BY source, error_type ORDER BY source, error_type");
    }

    public Optional<DeadLetter> find(long id) {
        return jdbc.query("SELECT " + COLUMNS + " FROM dead_letters WHERE id = ?", rowMapper, id).stream().findFirst();
    }

    /**
     * Up to {@code limit} dead letters of a source not replayed yet with an id above {@code afterId}, oldest
     * first; never a {@link #NEVER_REPLAYED} one.
     */
    public List<DeadLetter> pending(String source, long afterId, int limit) {
        return jdbc.query("SELECT " + COLUMNS + " FROM dead_letters WHERE source = ? AND replayed_at IS NULL AND id > ?"
                + " AND error_type <> ? ORDER BY id LIMIT ?", rowMapper, source, afterId, NEVER_REPLAYED, limit);
    }

    /**
     * The identity of dead letter {@code id}, given one now if it has none (rows from before migration
     * V3): {@code <source>:row:<id>}. Empty when there is no such row.
     */
    public Optional<String> identity(long id) {
        return jdbc.queryForList("UPDATE dead_letters SET dead_letter_id = coalesce(dead_letter_id, source || ':row:' || id)"
                + " WHERE id = ? RETURNING dead_letter_id", String.class, id).stream().findFirst();
    }

    public void markReplayed(long id) {
        jdbc.update("UPDATE dead_letters SET replayed_at = now() WHERE id = ?", id);
    }

    private PreparedStatement bind(Connection c, List<NewDeadLetter> deadLetters, boolean reopen) throws SQLException {
        int n = deadLetters.size();
        String[][] columns = new String[9][n];
        Integer[] attempts = new Integer[n];
        for (int i = 0; i < n; i++) {
            NewDeadLetter d = deadLetters.get(i);
            columns[0][i] = d.deadLetterId();
            columns[1][i] = d.source();
            columns[2][i] = d.queue();
            columns[3][i] = d.traceId();
            columns[4][i] = d.errorType();
            columns[5][i] = d.errorMessage();
            attempts[i] = d.attempts();
            columns[6][i] = d.payload();
            columns[7][i] = json(d.headers());
            columns[8][i] = d.failedAt().toString();
        }
        PreparedStatement ps = c.prepareStatement(RECORD);
        for (int column = 0; column < 6; column++) {
            ps.setArray(column + 1, c.createArrayOf("text", columns[column]));
        }
        ps.setArray(7, c.createArrayOf("int4", attempts));
        for (int column = 6; column < 9; column++) {
            ps.setArray(column + 2, c.createArrayOf("text", columns[column]));
        }
        ps.setBoolean(11, reopen);
        return ps;
    }

    private static long length(NewDeadLetter deadLetter) {
        return deadLetter.payload() == null ? 0 : deadLetter.payload().length();
    }

    private String json(Map<String, String> headers) {
        try {
            return mapper.writeValueAsString(headers);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** A dead letter to record: the columns of {@code dead_letters}, its identity first. */
    public record NewDeadLetter(String deadLetterId, String source, String queue, String traceId, String errorType,
                                String errorMessage, int attempts, String payload, Map<String, String> headers,
                                OffsetDateTime failedAt) {
    }

    private DeadLetter map(ResultSet rs, int row) throws SQLException {
        Map<String, Object> headers = Map.of();
        String json = rs.getString(9);
        if (json != null) {
            try {
                headers = mapper.readValue(json, new TypeReference<Map<String, Object>>() { });
            } catch (JsonProcessingException e) {
                headers = Map.of("unreadable", json);
            }
        }
        return new DeadLetter(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getString(6), rs.getInt(7), rs.getString(8), headers,
                rs.getObject(10, OffsetDateTime.class), rs.getObject(11, OffsetDateTime.class), rs.getString(12));
    }
}
