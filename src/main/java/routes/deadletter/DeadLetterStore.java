package routes.deadletter;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Repository;

/** The {@code dead_letters} table. */
@Repository
public class DeadLetterStore {

    private static final String INSERT = """
            INSERT INTO dead_letters (source, queue, trace_id, error_type, error_message, attempts, payload, headers, failed_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?)
            RETURNING id
            """;
    private static final String COLUMNS =
            "id, source, queue, trace_id, error_type, error_message, attempts, payload, headers::text, failed_at, replayed_at";

    private final JdbcTemplate jdbc;
    private final ObjectMapper mapper;
    private final RowMapper<DeadLetter> rowMapper = this::map;

    public DeadLetterStore(JdbcTemplate jdbc, ObjectMapper mapper) {
        this.jdbc = jdbc;
        this.mapper = mapper;
    }

    /** Inserts a dead letter and returns its id. */
    public long insert(String source, String queue, String traceId, String errorType, String errorMessage,
                       int attempts, String payload, Map<String, String> headers, OffsetDateTime failedAt) {
        return jdbc.queryForObject(INSERT, Long.class, source, queue, traceId, errorType, errorMessage, attempts,
                payload, json(headers), failedAt);
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

    /** Dead letters of a source not replayed yet, oldest first. */
    public List<DeadLetter> notReplayed(String source, int limit) {
        return jdbc.query("SELECT " + COLUMNS + " FROM dead_letters WHERE source = ? AND replayed_at IS NULL"
                + " ORDER BY id LIMIT ?", rowMapper, source, limit);
    }

    public void markReplayed(long id) {
        jdbc.update("UPDATE dead_letters SET replayed_at = now() WHERE id = ?", id);
    }

    private String json(Map<String, String> headers) {
        try {
            return mapper.writeValueAsString(headers);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
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
                rs.getObject(10, OffsetDateTime.class), rs.getObject(11, OffsetDateTime.class));
    }
}
