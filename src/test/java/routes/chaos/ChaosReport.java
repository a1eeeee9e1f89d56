package routes.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The chaos run's verdict, with the app stopped: rows against the distinct events sent, what the
 * duplicates added, the CONTRACT §3 stats invariant, dead letters in the table and in the broker's DLQ
 * against the invalid messages sent, and what is left in the source. Prints one line per check and
 * PASS or FAIL; exits 1 on FAIL. {@code -Dchaos.duplicates-counted} is the app's own
 * {@code ingest_events_total{status="duplicate"}} as scripts/chaos.sh scraped it over the app's lives.
 */
public final class ChaosReport {

    /** CONTRACT §3 at 1e-9 relative (the same query as routes.support.StatsInvariant, counted). */
    private static final String STATS_VIOLATIONS = """
            WITH actual AS (
                SELECT (time AT TIME ZONE 'UTC')::date AS day, device_id, parameter_key,
                       count(*) AS n, sum(value) AS s, min(value) AS mn, max(value) AS mx
                  FROM ingest_events GROUP BY 1, 2, 3)
            SELECT count(*), (SELECT count(*) FROM daily_stats)
              FROM actual a
              FULL JOIN daily_stats d
                ON d.day = a.day AND d.device_id = a.device_id AND d.parameter_key = a.parameter_key
             WHERE a.n IS NULL OR d.sample_count IS NULL
                OR a.n <> d.sample_count OR a.mn <> d.value_min OR a.mx <> d.value_max
                OR abs(a.s - d.value_sum) > 1e-9 * greatest(1, abs(a.s))
            """;

    private final List<String> failures = new ArrayList<>();

    private ChaosReport() {
    }

    public static void main(String[] args) throws Exception {
        ChaosConfig config = ChaosConfig.fromSystemProperties();
        ChaosMessages sent = config.messages();
        ChaosReport report = new ChaosReport();
        try (Connection db = DriverManager.getConnection(config.databaseUrl(), "postgres", "");
             ChaosBroker broker = config.client()) {
            report.rows(db, sent);
            report.duplicates(db, sent, Long.getLong("chaos.duplicates-counted", -1));
            report.stats(db);
            report.deadLetterTable(db, sent);
            report.brokerCopies(broker.deadLetterCopies(), sent);
            long left = broker.leftInSource();
            report.check("left in the source", left == 0, left + " message(s) still in " + config.queue() + " (ready, unacked, processing or delayed)");
        }
        System.out.println(report.failures.isEmpty() ? "PASS" : "FAIL: " + String.join("; ", report.failures));
        System.exit(report.failures.isEmpty() ? 0 : 1);
    }

    private void rows(Connection db, ChaosMessages sent) throws Exception {
        long[] r = longs(db, "SELECT count(*), count(DISTINCT event_id), count(*) FILTER (WHERE event_id NOT LIKE 'chaos-%') "
                + "FROM ingest_events");
        double sum = doubles(db, "SELECT coalesce(sum(value), 0) FROM ingest_events")[0];
        boolean sumOk = Math.abs(sum - sent.expectedValueSum()) <= 1e-9 * Math.abs(sent.expectedValueSum());
        check("rows", r[0] == sent.expectedRows() && r[1] == sent.events() && r[2] == 0 && sumOk,
                String.format(Locale.ROOT, "%d in ingest_events, expected %d distinct (%d events x %d metrics); "
                                + "%d distinct event_ids of %d; %d rows of no event sent; sum(value) %s expected",
                        r[0], sent.expectedRows(), sent.events(), ChaosMessages.METRICS, r[1], sent.events(), r[2],
                        sumOk ? "=" : String.format(Locale.ROOT, "%.6f, not the %.6f", sum, sent.expectedValueSum())));
    }

    private void duplicates(Connection db, ChaosMessages sent, long counted) throws Exception {
        long[] perEvent = longs(db, "SELECT coalesce(min(n), 0), coalesce(max(n), 0) FROM "
                + "(SELECT count(*) AS n FROM ingest_events GROUP BY event_id) e");
        boolean once = perEvent[0] == ChaosMessages.METRICS && perEvent[1] == ChaosMessages.METRICS;
        check("duplicates", once, String.format(Locale.ROOT, "%d byte-identical re-sends sent; rows per event_id %d..%d "
                        + "(expected %d: no re-send or redelivery added a row); counted by the app as duplicate: %s",
                sent.duplicates(), perEvent[0], perEvent[1], ChaosMessages.METRICS,
                counted < 0 ? "not scraped" : counted + " (information: redeliveries after a crash count too, "
                        + "and a kill -9 loses what the last scrape before it missed)"));
    }

    private void stats(Connection db) throws Exception {
        long[] v = longs(db, STATS_VIOLATIONS);
        long[] totals = longs(db, "SELECT (SELECT coalesce(sum(sample_count), 0) FROM daily_stats), "
                + "(SELECT count(*) FROM ingest_events)");
        check("daily_stats invariant", v[0] == 0 && totals[0] == totals[1], String.format(Locale.ROOT,
                "%d daily_stats rows, %d keys breaking count/sum/min/max (1e-9 relative) or without a stats row; "
                        + "sum(sample_count) %d, rows %d", v[1], v[0], totals[0], totals[1]));
    }

    private void deadLetterTable(Connection db, ChaosMessages sent) throws Exception {
        Map<String, Integer> perMarker = new HashMap<>();
        Map<String, Integer> byType = new TreeMap<>();
        int unmarked = 0;
        int changed = 0;
        int total = 0;
        int maxAttempts = 0;
        ObjectMapper mapper = new ObjectMapper();
        try (Statement s = db.createStatement();
             ResultSet rs = s.executeQuery("SELECT error_type, payload, headers::text, attempts FROM dead_letters")) {
            while (rs.next()) {
                total++;
                byType.merge(rs.getString(1), 1, Integer::sum);
                maxAttempts = Math.max(maxAttempts, rs.getInt(4));
                JsonNode headers = rs.getString(3) == null ? mapper.createObjectNode() : mapper.readTree(rs.getString(3));
                byte[] body = headers.has("x-payload-base64")
                        ? Base64.getDecoder().decode(headers.get("x-payload-base64").asText())
                        : (rs.getString(2) == null ? "" : rs.getString(2)).getBytes(StandardCharsets.UTF_8);
                String marker = ChaosMessages.markerIn(new String(body, StandardCharsets.ISO_8859_1));
                if (marker == null || !sent.invalid().containsKey(marker)) {
                    unmarked++;
                    continue;
                }
                perMarker.merge(marker, 1, Integer::sum);
                if (!unchanged(body, sent.invalid().get(marker))) {
                    changed++;
                }
            }
        }
        int missing = (int) sent.invalid().keySet().stream().filter(m -> !perMarker.containsKey(m)).count();
        long twice = perMarker.values().stream().filter(n -> n > 1).count();
        Map<String, Integer> expectedByType = new TreeMap<>();
        sent.invalid().values().forEach(m -> expectedByType.merge(m.expectedErrorType(), 1, Integer::sum));
        check("dead letters (table)", total == sent.invalid().size() && missing == 0 && twice == 0 && unmarked == 0
                        && changed == 0,
                String.format(Locale.ROOT, "%d rows for %d invalid messages sent: %d missing, %d recorded more than once, "
                                + "%d of no invalid message (a valid one dead-lettered), %d with a body not the original; "
                                + "by error_type %s (sent as %s); max attempts %d",
                        total, sent.invalid().size(), missing, twice, unmarked, changed, byType, expectedByType, maxAttempts));
    }

    private void brokerCopies(List<ChaosBroker.DeadLetterCopy> copies, ChaosMessages sent) {
        Map<String, Integer> perMarker = new HashMap<>();
        Map<String, Set<String>> idsPerMarker = new HashMap<>();
        int unmarked = 0;
        int changed = 0;
        int withId = 0;
        for (ChaosBroker.DeadLetterCopy copy : copies) {
            String marker = ChaosMessages.markerIn(new String(copy.body(), StandardCharsets.ISO_8859_1));
            if (marker == null || !sent.invalid().containsKey(marker)) {
                unmarked++;
                continue;
            }
            perMarker.merge(marker, 1, Integer::sum);
            if (!Arrays.equals(copy.body(), sent.invalid().get(marker).body())) {
                changed++;
            }
            String id = copy.headers().get("x-dead-letter-id");
            if (id != null) {
                withId++;
                idsPerMarker.computeIfAbsent(marker, k -> new HashSet<>()).add(id);
            }
        }
        int missing = (int) sent.invalid().keySet().stream().filter(m -> !perMarker.containsKey(m)).count();
        long extra = copies.size() - unmarked - perMarker.size();
        long idsSplit = idsPerMarker.values().stream().filter(ids -> ids.size() > 1).count();
        check("dead letters (broker DLQ)", missing == 0 && unmarked == 0 && changed == 0 && idsSplit == 0,
                String.format(Locale.ROOT, "%d copies for %d invalid messages: %d missing, %d extra copies (allowed: "
                                + "publish and ack are not atomic), %d of no invalid message, %d with a body not the original; "
                                + "x-dead-letter-id on %d copies, %d messages whose copies carry different ids",
                        copies.size(), sent.invalid().size(), missing, extra, unmarked, changed, withId, idsSplit));
    }

    /** The body as sent; for too_large, a prefix of it is allowed too (CONTRACT §2: a bounded prefix in the table). */
    private static boolean unchanged(byte[] stored, ChaosMessages.Invalid sent) {
        if (Arrays.equals(stored, sent.body())) {
            return true;
        }
        return sent.expectedErrorType().equals("too_large") && stored.length < sent.body().length
                && Arrays.equals(stored, Arrays.copyOf(sent.body(), stored.length));
    }

    private void check(String name, boolean ok, String detail) {
        System.out.printf(Locale.ROOT, "%-26s %s  %s%n", name + ":", ok ? "ok  " : "FAIL", detail);
        if (!ok) {
            failures.add(name);
        }
    }

    private static long[] longs(Connection db, String sql) throws Exception {
        try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            long[] out = new long[rs.getMetaData().getColumnCount()];
            for (int i = 0; i < out.length; i++) {
                out[i] = rs.getLong(i + 1);
            }
            return out;
        }
    }

    private static double[] doubles(Connection db, String sql) throws Exception {
        try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            double[] out = new double[rs.getMetaData().getColumnCount()];
            for (int i = 0; i < out.length; i++) {
                out[i] = rs.getDouble(i + 1);
            }
            return out;
        }
    }
}
