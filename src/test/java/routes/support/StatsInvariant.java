package routes.support;

import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The CONTRACT §3 invariant as a query: every daily_stats row equals count, sum, min and max over the
 * ingest_events rows of its key, and every key with events has a daily_stats row. Sums are compared
 * with a relative tolerance (incremental sums of doubles differ from a fresh sum in the last bits).
 */
public final class StatsInvariant {

    private static final String VIOLATIONS = """
            WITH actual AS (
                SELECT (time AT TIME ZONE 'UTC')::date AS day, device_id, parameter_key,
                       count(*) AS n, sum(value) AS s, min(value) AS mn, max(value) AS mx
                  FROM ingest_events GROUP BY 1, 2, 3)
            SELECT coalesce(a.day, d.day) || ' ' || coalesce(a.device_id, d.device_id) || ' '
                   || coalesce(a.parameter_key, d.parameter_key)
                   || ': events n=' || coalesce(a.n::text, '-') || ' sum=' || coalesce(a.s::text, '-')
                   || ' min=' || coalesce(a.mn::text, '-') || ' max=' || coalesce(a.mx::text, '-')
                   || ' / stats n=' || coalesce(d.sample_count::text, '-') || ' sum=' || coalesce(d.value_sum::text, '-')
                   || ' min=' || coalesce(d.value_min::text, '-') || ' max=' || coalesce(d.value_max::text, '-')
              FROM actual a
              FULL JOIN daily_stats d
                ON d.day = a.day AND d.device_id = a.device_id AND d.parameter_key = a.parameter_key
             WHERE a.n IS NULL OR d.sample_count IS NULL
                OR a.n <> d.sample_count OR a.mn <> d.value_min OR a.mx <> d.value_max
                OR abs(a.s - d.value_sum) > 1e-9 * greatest(1, abs(a.s))
             LIMIT 20
            """;

    private StatsInvariant() {
    }

    /** Up to 20 keys that break the invariant, described; empty when it holds. */
    public static List<String> violations(JdbcTemplate jdbc) {
        return jdbc.queryForList(VIOLATIONS, String.class);
    }
}
