#!/usr/bin/env bash
# What the app's PostgreSQL backends do during a deployed run (scripts/benchmark-deployed.sh, BENCH_PG_WAITS=1):
#
#   scripts/lib/pg-waits.sh start DATABASE     samples pg_stat_activity every ~10 ms until stopped
#   scripts/lib/pg-waits.sh stop               stops sampling (what was sampled stays)
#   scripts/lib/pg-waits.sh summary FROM TO    one line per statement kind between two timestamps: its share
#                                              of the samples, running or waiting on what
#   scripts/lib/pg-waits.sh clean              drops the samples
#
# The samples live in the database postgres (table bench_pg_waits), written by one session (application_name
# bench-pg-waits) in a DO loop that commits each sample without waiting for the disk, so that the sampler
# neither holds back the measured database's clean-up nor adds fsyncs to the run. A sample is one row per
# active (or idle in transaction) backend of the app, the JDBC driver's sessions only.
set -euo pipefail
psql_() { psql -h "${PGHOST:-127.0.0.1}" -U "${PGUSER:-postgres}" -d postgres -qAtX -v ON_ERROR_STOP=1 "$@"; }

case "${1:?usage: pg-waits.sh start DATABASE | stop | summary FROM TO | clean}" in
  start)
    psql_ -c "SET client_min_messages = warning" -c "DROP TABLE IF EXISTS bench_pg_waits" \
          -c "CREATE TABLE bench_pg_waits (t timestamptz, pid int, kind text, wait text)"
    PGAPPNAME=bench-pg-waits psql_ -c "SET synchronous_commit = off" -c "DO \$\$ BEGIN
      LOOP
        INSERT INTO bench_pg_waits
        SELECT clock_timestamp(), pid,
               left(regexp_replace(regexp_replace(query, '^(\\s*--[^\\n]*\\n)*\\s*', ''), '\\s+', ' ', 'g'), 32),
               CASE WHEN state = 'idle in transaction' THEN 'idle in transaction (the app)'
                    WHEN wait_event_type IS NULL THEN 'running'
                    ELSE wait_event_type || ':' || wait_event END
          FROM pg_stat_activity
         WHERE datname = '$2' AND application_name = 'PostgreSQL JDBC Driver' AND state <> 'idle';
        COMMIT;
        PERFORM pg_sleep(0.01);
      END LOOP; END \$\$" >/dev/null 2>&1 &
    ;;
  stop)
    psql_ -c "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'bench-pg-waits'" >/dev/null
    ;;
  summary)
    # Per statement kind: its share of all samples of the window, then the share of each state within it (top 3).
    psql_ -F ' ' -c "WITH w AS (SELECT * FROM bench_pg_waits WHERE t BETWEEN '$2' AND '$3'),
           k AS (SELECT kind, wait, count(*) AS n FROM w GROUP BY 1, 2),
           t AS (SELECT kind, sum(n) AS n FROM k GROUP BY 1),
           r AS (SELECT k.kind, k.wait, k.n, t.n AS kn, row_number() OVER (PARTITION BY k.kind ORDER BY k.n DESC) AS i
                   FROM k JOIN t USING (kind))
      SELECT round(100.0 * t.n / sum(t.n) OVER ())::text || '% ' || t.kind || ' ['
             || (SELECT string_agg(round(100.0 * r.n / r.kn)::text || '% ' || r.wait, ', ' ORDER BY r.i)
                   FROM r WHERE r.kind = t.kind AND r.i <= 3) || ']'
        FROM t ORDER BY t.n DESC LIMIT 6"
    ;;
  clean)
    psql_ -c "SET client_min_messages = warning" -c "DROP TABLE IF EXISTS bench_pg_waits"
    ;;
esac
