package routes.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class BacklogScalerTest {

    private final AtomicLong depth = new AtomicLong();
    private final AtomicInteger size = new AtomicInteger(1);
    private final BacklogScaler scaler = new BacklogScaler(depth::get, size::get, size::set, 1, 8, 10);

    @Test
    void growsAtOnceToTheThreadsTheBacklogNeedsCappedAtMax() {
        depth.set(35);
        assertThat(scaler.tick()).isEqualTo(4);
        assertThat(size.get()).isEqualTo(4);

        depth.set(10_000);
        assertThat(scaler.tick()).isEqualTo(8);
    }

    @Test
    void staysWhileTheBacklogPerThreadIsBelowTheThreshold() {
        size.set(4);
        depth.set(40);
        assertThat(scaler.tick()).isEqualTo(4);
        depth.set(3);
        assertThat(scaler.tick()).isEqualTo(4);
    }

    @Test
    void shrinksOneThreadPerIdleCheckDownToMin() {
        size.set(3);
        depth.set(0);
        assertThat(scaler.tick()).isEqualTo(2);
        assertThat(scaler.tick()).isEqualTo(1);
        assertThat(scaler.tick()).isEqualTo(1);
        assertThat(size.get()).isEqualTo(1);
    }

    @Test
    void unknownDepthChangesNothing() {
        size.set(5);
        depth.set(-1);
        assertThat(scaler.tick()).isEqualTo(5);
    }

    @Test
    void refusesAnImpossibleRange() {
        assertThatThrownBy(() -> new BacklogScaler(() -> 0, () -> 0, n -> { }, 4, 2, 10))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
