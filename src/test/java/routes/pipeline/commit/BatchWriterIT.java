package routes.pipeline.commit;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import routes.pipeline.split.MetricRow;
import routes.support.StatsInvariant;
import routes.support.TestDatabase;

/** The batch write against the real PostgreSQL: exactly-once rows and the stats invariant. */
class BatchWriterIT {

    static HikariDataSource dataSource;
    static JdbcTemplate jdbc;
    static BatchWriter writer;

    static final UUID DEVICE_A = UUID.fromString("00000000-0000-4000-8000-00000000000a");
    static final UUID DEVICE_B = UUID.fromString("00000000-0000-4000-8000-00000000000b");
    static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");

    @BeforeAll
    static void database() {
        dataSource = new HikariDataSource();
        dataSource.setJdbcUrl(TestDatabase.recreate("it_batch_writer"));
        dataSource.setUsername(TestDatabase.USER);
        dataSource.setMaximumPoolSize(8);
        Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
        jdbc = new JdbcTemplate(dataSource);
        writer = new BatchWriter(jdbc, new TransactionTemplate(new DataSourceTransactionManager(dataSource)));
    }

    @AfterAll
    static void close() {
        dataSource.close();
    }

    @BeforeEach
    void empty() {
        jdbc.execute("TRUNCATE ingest_events, daily_stats");
    }

    static MetricRow row(Instant time, UUID device, String key, double value) {
        return new MetricRow(time, device, key, value, (short) 192, "modbus", "e-" + time.toEpochMilli(), "{\"unit\":\"V\"}");
    }

    @Test
    void writesRowsAndTheirDailyStats() {
        BatchWriter.Result result = writer.write(List.of(
                row(T0, DEVICE_A, "voltage", 230), row(T0.plusSeconds(60), DEVICE_A, "voltage", 220),
                row(T0, DEVICE_A, "current", 3)));
        assertThat(result.inserted()).isEqualTo(3);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM ingest_events", Integer.class)).isEqualTo(3);
        assertThat(jdbc.queryForMap("SELECT sample_count, value_sum, value_min, value_max FROM daily_stats"
                + " WHERE parameter_key = 'voltage'"))
                .containsEntry("sample_count", 2L).containsEntry("value_sum", 450.0)
                .containsEntry("value_min", 220.0).containsEntry("value_max", 230.0);
        assertThat(StatsInvariant.violations(jdbc)).isEmpty();
    }

    @Test
    void redeliveredBatchDoesNotDoubleRowsOrDailyStats() {
        List<MetricRow> batch = List.of(row(T0, DEVICE_A, "voltage", 230), row(T0, DEVICE_B, "voltage", 231));
        writer.write(batch);
        BatchWriter.Result again = writer.write(batch);
        assertThat(again.inserted()).isZero();
        assertThat(again.updated()).isZero();
        assertThat(again.unchanged()).isEqualTo(2);
        assertThat(jdbc.queryForObject("SELECT sum(sample_count) FROM daily_stats", Long.class)).isEqualTo(2L);
        assertThat(StatsInvariant.violations(jdbc)).isEmpty();
    }

    @Test
    void theResultTellsWhichRowsChangedTheTable() {
        MetricRow a = row(T0, DEVICE_A, "v", 1);
        MetricRow copyOfA = row(T0, DEVICE_A, "v", 1);
        MetricRow b = row(T0, DEVICE_B, "v", 2);
        BatchWriter.Result first = writer.write(List.of(a, copyOfA, b));
        assertThat(first.changed(a)).isTrue();
        assertThat(first.changed(copyOfA)).as("a copy of an earlier row of the batch").isFalse();
        assertThat(first.changed(b)).isTrue();

        MetricRow bAgain = row(T0, DEVICE_B, "v", 2);
        MetricRow aOverwritten = row(T0, DEVICE_A, "v", 3);
        BatchWriter.Result second = writer.write(List.of(bAgain, aOverwritten));
        assertThat(second.changed(bAgain)).as("committed before, as it is").isFalse();
        assertThat(second.changed(aOverwritten)).as("overwritten with another value").isTrue();
        assertThat(StatsInvariant.violations(jdbc)).isEmpty();
    }

    @Test
    void duplicateKeysWithinOneBatchKeepTheLastWrite() {
        writer.write(List.of(row(T0, DEVICE_A, "voltage", 1), row(T0, DEVICE_A, "voltage", 2)));
        assertThat(jdbc.queryForObject("SELECT value FROM ingest_events", Double.class)).isEqualTo(2.0);
        assertThat(StatsInvariant.violations(jdbc)).isEmpty();
    }

    @Test
    void lastWriteWinsOverwriteOfTheMinimumAndMaximumKeepsTheInvariant() {
        writer.write(List.of(row(T0, DEVICE_A, "v", 1), row(T0.plusSeconds(1), DEVICE_A, "v", 5),
                row(T0.plusSeconds(2), DEVICE_A, "v", 9)));
        // Overwrite the minimum upwards and the maximum downwards: min and max must move inwards.
        BatchWriter.Result result = writer.write(List.of(row(T0, DEVICE_A, "v", 6), row(T0.plusSeconds(2), DEVICE_A, "v", 4)));
        assertThat(result.updated()).isEqualTo(2);
        assertThat(jdbc.queryForMap("SELECT sample_count, value_sum, value_min, value_max FROM daily_stats"))
                .containsEntry("sample_count", 3L).containsEntry("value_sum", 15.0)
                .containsEntry("value_min", 4.0).containsEntry("value_max", 6.0);
        // A change of attributes only updates the row and leaves the stats alone.
        MetricRow attributesOnly = new MetricRow(T0, DEVICE_A, "v", 6, (short) 0, "opcua", "e-x", "{\"unit\":\"kV\"}");
        assertThat(writer.write(List.of(attributesOnly)).updated()).isEqualTo(1);
        assertThat(jdbc.queryForObject("SELECT source FROM ingest_events WHERE time = ?", String.class,
                java.sql.Timestamp.from(T0))).isEqualTo("opcua");
        assertThat(StatsInvariant.violations(jdbc)).isEmpty();
    }

    @Test
    void aLargeValueOverwrittenWithASmallOneLeavesTheExactSum() {
        writer.write(List.of(row(T0, DEVICE_A, "v", 123456789.123)));
        writer.write(List.of(row(T0, DEVICE_A, "v", 0.1)));
        assertThat(jdbc.queryForMap("SELECT sample_count, value_sum, value_min, value_max FROM daily_stats"))
                .containsEntry("sample_count", 1L).containsEntry("value_sum", 0.1)
                .containsEntry("value_min", 0.1).containsEntry("value_max", 0.1);
    }

    @Test
    void largeValuesOverwrittenManyTimesKeepTheSumExact() {
        Random random = new Random(13);
        for (int round = 0; round < 100; round++) {
            List<MetricRow> batch = new ArrayList<>();
            for (int k = 0; k < 4; k++) {
                for (int s = 0; s < 3; s++) {
                    // Magnitudes far apart, so that sum += new - old loses the small values.
                    double value = round % 2 == 0 ? 1e9 + random.nextDouble() * 1e12 : random.nextDouble();
                    batch.add(row(T0.plusSeconds(s), DEVICE_A, "k" + k, value));
                }
            }
            // New rows in the same batches as the overwrites: plain inserts keep the incremental delta.
            batch.add(row(T0.plusSeconds(10 + round), DEVICE_A, "k0", random.nextDouble()));
            writer.write(batch);
        }
        assertThat(jdbc.queryForObject("SELECT count(*) FROM ingest_events", Integer.class)).isEqualTo(4 * 3 + 100);
        assertThat(StatsInvariant.violations(jdbc)).isEmpty();
    }

    @Test
    void rowsAcrossUtcMidnightLandOnTheirOwnDays() {
        Instant beforeMidnight = Instant.parse("2026-11-22T23:59:59.999999Z");
        writer.write(List.of(row(beforeMidnight, DEVICE_A, "v", 1), row(beforeMidnight.plusNanos(1000), DEVICE_A, "v", 2)));
        assertThat(jdbc.queryForList("SELECT day::text FROM daily_stats ORDER BY day", String.class))
                .containsExactly("2026-11-22", "2026-11-23");
        assertThat(StatsInvariant.violations(jdbc)).isEmpty();
    }

    @Test
    void timesLandToTheMicrosecondBeforeAndAfterTheEpochAndAreMatchedOnRedelivery() {
        List<Instant> times = List.of(Instant.parse("2026-11-22T10:00:00.123456Z"), Instant.parse("1969-12-31T23:59:59.999999Z"),
                Instant.parse("1970-01-01T00:00:00Z"), Instant.parse("2262-04-11T23:47:16.854775Z"));
        List<MetricRow> rows = times.stream().map(t -> row(t, DEVICE_A, "v", 1)).toList();

        assertThat(writer.write(rows).inserted()).isEqualTo(4);
        assertThat(jdbc.queryForList("SELECT to_char(time AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
                + " FROM ingest_events ORDER BY time", String.class))
                .containsExactly("1969-12-31T23:59:59.999999Z", "1970-01-01T00:00:00.000000Z",
                        "2026-11-22T10:00:00.123456Z", "2262-04-11T23:47:16.854775Z");
        // The same rows again: every key is found, nothing is inserted or changed.
        BatchWriter.Result again = writer.write(rows);
        assertThat(again.inserted()).isZero();
        assertThat(again.unchanged()).isEqualTo(4);
        assertThat(StatsInvariant.violations(jdbc)).isEmpty();
    }

    @Test
    void concurrentWritersOnOverlappingKeysNeitherDeadlockNorBreakTheInvariant() throws Exception {
        int writers = 6;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        List<Future<?>> done = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            long seed = w;
            done.add(pool.submit(() -> {
                Random random = new Random(seed);
                for (int b = 0; b < 40; b++) {
                    List<MetricRow> batch = new ArrayList<>();
                    for (int i = 0; i < 200; i++) {
                        // 2 devices x 3 keys x 50 seconds: every writer hits the same keys, in random order,
                        // with different values (inserts and last-write-wins overwrites at once).
                        batch.add(row(T0.plusSeconds(random.nextInt(50)), random.nextBoolean() ? DEVICE_A : DEVICE_B,
                                "k" + random.nextInt(3), random.nextInt(1000)));
                    }
                    Collections.shuffle(batch, random);
                    writer.write(batch);
                }
                return null;
            }));
        }
        pool.shutdown();
        assertThat(pool.awaitTermination(120, TimeUnit.SECONDS)).as("writers finished (no deadlock)").isTrue();
        for (Future<?> f : done) {
            f.get(); // rethrows a writer's failure, e.g. a deadlock PostgreSQL had to break
        }
        assertThat(jdbc.queryForObject("SELECT count(*) FROM ingest_events", Integer.class)).isEqualTo(2 * 3 * 50);
        assertThat(StatsInvariant.violations(jdbc)).isEmpty();
    }

    @Test
    void aMixedRunOfThousandsOfEventsKeepsTheInvariant() {
        Random random = new Random(42);
        for (int b = 0; b < 20; b++) {
            List<MetricRow> batch = new ArrayList<>();
            for (int i = 0; i < 1500; i++) {
                UUID device = new UUID(0, random.nextInt(40));
                batch.add(row(T0.plusSeconds(random.nextInt(3 * 86_400)), device, "k" + random.nextInt(3),
                        random.nextGaussian() * 100));
            }
            writer.write(batch);
        }
        assertThat(jdbc.queryForObject("SELECT count(*) FROM daily_stats", Integer.class)).isGreaterThan(300);
        assertThat(StatsInvariant.violations(jdbc)).isEmpty();
    }
}
