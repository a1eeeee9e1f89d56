package routes.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class BacklogScalerTest {

    private final AtomicLong clock = new AtomicLong();
    private final BacklogScaler scaler = new BacklogScaler(2, 8, 1000, Duration.ofSeconds(10), clock::get);

    @Test
    void targetIsThePoolWorkersRule() {
        // target = min(max, max(min, ceil(backlog / threshold)))
        assertThat(scaler.target(0)).isEqualTo(2);
        assertThat(scaler.target(1999)).isEqualTo(2);
        assertThat(scaler.target(2001)).isEqualTo(3);
        assertThat(scaler.target(5000)).isEqualTo(5);
        assertThat(scaler.target(1_000_000)).isEqualTo(8);
    }

    @Test
    void growsAtOnce() {
        assertThat(scaler.next(2, 6500)).isEqualTo(7);
        assertThat(scaler.next(7, 100_000)).isEqualTo(8);
    }

    @Test
    void shrinksOnlyAfterTheTargetStayedLowerForTheIdlePeriod() {
        assertThat(scaler.next(8, 3000)).as("lower target seen: wait").isEqualTo(8);
        clock.addAndGet(Duration.ofSeconds(9).toNanos());
        assertThat(scaler.next(8, 2500)).isEqualTo(8);
        clock.addAndGet(Duration.ofSeconds(1).toNanos());
        assertThat(scaler.next(8, 2500)).as("not only when the queue is empty").isEqualTo(3);
    }

    @Test
    void aBurstInBetweenRestartsTheIdlePeriod() {
        assertThat(scaler.next(5, 0)).isEqualTo(5);
        clock.addAndGet(Duration.ofSeconds(6).toNanos());
        assertThat(scaler.next(5, 5000)).isEqualTo(5);
        clock.addAndGet(Duration.ofSeconds(6).toNanos());
        assertThat(scaler.next(5, 0)).as("the period starts again after the burst").isEqualTo(5);
        clock.addAndGet(Duration.ofSeconds(10).toNanos());
        assertThat(scaler.next(5, 0)).isEqualTo(2);
    }

    @Test
    void unknownBacklogChangesNothing() {
        assertThat(scaler.next(4, -1)).isEqualTo(4);
    }

    @Test
    void rejectsABadRange() {
        assertThatThrownBy(() -> new BacklogScaler(4, 2, 10, Duration.ZERO, System::nanoTime))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new BacklogScaler(1, 2, 0, Duration.ZERO, System::nanoTime))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
