package routes.deadletter;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * Filters of {@code GET /v1/dead-letters} and of the purge, turned into a WHERE clause of fixed
 * fragments with bound parameters (no value ever becomes SQL text).
 *
 * @param source    only this source (null: all)
 * @param errorType only this error type (null: all)
 * @param from      failed at or after (null: no bound)
 * @param to        failed before (null: no bound)
 * @param beforeId  only ids below this one: keyset paging, newest first (null: from the newest)
 * @param replayed  true: only replayed ones, false: only not replayed (null: both)
 */
public record DeadLetterQuery(String source, String errorType, OffsetDateTime from, OffsetDateTime to,
                              Long beforeId, Boolean replayed) {

    public static DeadLetterQuery all() {
        return new DeadLetterQuery(null, null, null, null, null, null);
    }

    /** The WHERE clause (empty or starting with " WHERE"); appends its parameters to {@code args}. */
    String where(List<Object> args) {
        List<String> clauses = new ArrayList<>();
        if (source != null && !source.isBlank()) {
            clauses.add("source = ?");
            args.add(source);
        }
        if (errorType != null && !errorType.isBlank()) {
            clauses.add("error_type = ?");
            args.add(errorType);
        }
        if (from != null) {
            clauses.add("failed_at >= ?");
            args.add(from);
        }
        if (to != null) {
            clauses.add("failed_at < ?");
            args.add(to);
        }
        if (beforeId != null) {
            clauses.add("id < ?");
            args.add(beforeId);
        }
        if (replayed != null) {
            clauses.add(replayed ? "replayed_at IS NOT NULL" : "replayed_at IS NULL");
        }
        return clauses.isEmpty() ? "" : " WHERE " + String.join(" AND ", clauses);
    }
}
