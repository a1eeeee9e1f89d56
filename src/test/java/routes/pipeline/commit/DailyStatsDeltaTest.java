package routes.pipeline.commit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDate;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import routes.pipeline.split.MetricRow;

/** The daily_stats change of one batch, without a database: what add-stats.sql and recompute-stats.sql receive. */
class DailyStatsDeltaTest {

    static final UUID DEVICE_A = UUID.fromString("00000000-0000-4000-8000-00000000000a");
    static final UUID DEVICE_B = UUID.fromString("00000000-0000-4000-8000-00000000000b");
    static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");
    static final LocalDate DAY = LocalDate.parse("2026-11-22");

    static MetricRow row(Instant time, UUID device, String key, double value) {
        return new MetricRow(time, device, key, value, (short) 192, "modbus", "e-1", "{}");
    }

    static DailyStatsDelta.Change change(DailyStatsDelta delta, LocalDate day, UUID device, String key) {
        return delta.changes().get(new DailyStatsDelta.Key(day, device, key));
    }

    @Test
    void newRowsAddTheirCountSumMinAndMaxPerKey() {
        DailyStatsDelta delta = new DailyStatsDelta();
        delta.addNew(row(T0, DEVICE_A, "v", 230));
        delta.addNew(row(T0.plusSeconds(1), DEVICE_A, "v", -4.5));
        delta.addNew(row(T0.plusSeconds(2), DEVICE_A, "v", 17));
        delta.addNew(row(T0, DEVICE_A, "i", 3));

        DailyStatsDelta.Change v = change(delta, DAY, DEVICE_A, "v");
        assertThat(v.count()).isEqualTo(3);
        assertThat(v.sum()).isEqualTo(242.5);
        assertThat(v.min()).isEqualTo(-4.5);
        assertThat(v.max()).isEqualTo(230.0);
        DailyStatsDelta.Change i = change(delta, DAY, DEVICE_A, "i");
        assertThat(i.count()).isEqualTo(1);
        assertThat(i.sum()).isEqualTo(3.0);
        assertThat(i.min()).isEqualTo(3.0);
        assertThat(i.max()).isEqualTo(3.0);
        assertThat(delta.recomputeKeys()).as("plain inserts keep the incremental delta").isEmpty();
    }

    @Test
    void anOverwriteAddsNoSumAndNoCountButMarksItsKeyForARecompute() {
        DailyStatsDelta delta = new DailyStatsDelta();
        // 123456789.123 overwritten with 0.1: sum += new - old would leave 0.09999999403953552.
        delta.addOverwrite(row(T0, DEVICE_A, "v", 0.1), 123456789.123);

        DailyStatsDelta.Change v = change(delta, DAY, DEVICE_A, "v");
        assertThat(v.count()).isZero();
        assertThat(v.sum()).isZero();
        assertThat(v.min()).isEqualTo(0.1);
        assertThat(v.max()).isEqualTo(0.1);
        assertThat(delta.recomputeKeys()).containsExactly(new DailyStatsDelta.Key(DAY, DEVICE_A, "v"));
    }

    @Test
    void newRowsBesideAnOverwriteOfTheSameKeyKeepTheirExactSum() {
        DailyStatsDelta delta = new DailyStatsDelta();
        delta.addOverwrite(row(T0, DEVICE_A, "v", 1e12), 0.1);
        delta.addNew(row(T0.plusSeconds(1), DEVICE_A, "v", 0.25));
        delta.addNew(row(T0.plusSeconds(2), DEVICE_A, "v", 0.5));

        DailyStatsDelta.Change v = change(delta, DAY, DEVICE_A, "v");
        assertThat(v.count()).isEqualTo(2);
        assertThat(v.sum()).as("the overwritten value is not in the sum").isEqualTo(0.75);
        assertThat(v.min()).isEqualTo(0.25);
        assertThat(v.max()).isEqualTo(1e12);
    }

    @Test
    void anOverwriteWithTheSameValueChangesNoStats() {
        DailyStatsDelta delta = new DailyStatsDelta();
        delta.addOverwrite(row(T0, DEVICE_A, "v", 6), 6);
        assertThat(delta.isEmpty()).isTrue();
        assertThat(delta.recomputeKeys()).isEmpty();
    }

    @Test
    void rowsAcrossUtcMidnightLandOnTheirOwnDays() {
        DailyStatsDelta delta = new DailyStatsDelta();
        Instant beforeMidnight = Instant.parse("2026-11-22T23:59:59.999999Z");
        delta.addNew(row(beforeMidnight, DEVICE_A, "v", 1));
        delta.addNew(row(beforeMidnight.plusNanos(1000), DEVICE_A, "v", 2));

        assertThat(delta.changes().keySet()).extracting(DailyStatsDelta.Key::day)
                .containsExactly(DAY, DAY.plusDays(1));
        assertThat(change(delta, DAY, DEVICE_A, "v").sum()).isEqualTo(1.0);
        assertThat(change(delta, DAY.plusDays(1), DEVICE_A, "v").sum()).isEqualTo(2.0);
    }

    @Test
    void keysComeInTheLockOrderDayThenDeviceThenParameter() {
        DailyStatsDelta delta = new DailyStatsDelta();
        delta.addNew(row(T0.plusSeconds(86_400), DEVICE_A, "a", 1));
        delta.addOverwrite(row(T0, DEVICE_B, "a", 2), 1);
        delta.addNew(row(T0, DEVICE_A, "b", 3));
        delta.addOverwrite(row(T0, DEVICE_A, "a", 4), 1);

        assertThat(delta.changes().keySet()).containsExactly(
                new DailyStatsDelta.Key(DAY, DEVICE_A, "a"), new DailyStatsDelta.Key(DAY, DEVICE_A, "b"),
                new DailyStatsDelta.Key(DAY, DEVICE_B, "a"), new DailyStatsDelta.Key(DAY.plusDays(1), DEVICE_A, "a"));
        assertThat(delta.recomputeKeys()).containsExactly(
                new DailyStatsDelta.Key(DAY, DEVICE_A, "a"), new DailyStatsDelta.Key(DAY, DEVICE_B, "a"));
    }
}
