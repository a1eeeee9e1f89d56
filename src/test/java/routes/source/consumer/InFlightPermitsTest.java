package routes.source.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class InFlightPermitsTest {

    private final InFlightPermits permits = new InFlightPermits(10);

    @Test
    void takesWhatIsFreeUpToTheWantedNumber() throws Exception {
        assertThat(permits.acquireUpTo(4, Duration.ofMillis(10))).isEqualTo(4);
        assertThat(permits.acquireUpTo(50, Duration.ofMillis(10))).as("only 6 left").isEqualTo(6);
        assertThat(permits.inFlight()).isEqualTo(10);
        assertThat(permits.acquireUpTo(1, Duration.ofMillis(20))).as("none free: 0 after the wait").isZero();
        assertThat(permits.tryReserve(3)).isZero();
    }

    @Test
    void aSettlementFreesItsPermitForTheNextTake() throws Exception {
        permits.acquireUpTo(10, Duration.ofMillis(10));
        CompletableFuture<Integer> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return permits.acquireUpTo(5, Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        permits.release(2);
        assertThat(waiting.get(5, TimeUnit.SECONDS)).isBetween(1, 2);
    }

    @Test
    void awaitIdleTellsWhetherEverythingWasSettledInTime() throws Exception {
        permits.acquireUpTo(3, Duration.ofMillis(10));
        assertThat(permits.awaitIdle(Duration.ofMillis(20))).isFalse();
        permits.release(3);
        assertThat(permits.awaitIdle(Duration.ofMillis(20))).isTrue();
        assertThat(permits.inFlight()).isZero();
    }

    @Test
    void needsAtLeastOnePermit() {
        assertThatThrownBy(() -> new InFlightPermits(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
