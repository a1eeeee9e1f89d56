package routes.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class JitIdleTest {

    @Test
    void waitsUntilTheCompilersHaveBeenQuietForTheGivenTime() {
        AtomicLong calls = new AtomicLong();
        // compiling for the first 8 polls (~200 ms), then quiet
        JitIdle idle = new JitIdle(() -> Math.min(calls.incrementAndGet(), 8));

        long waited = idle.await(Duration.ofMillis(100), Duration.ofSeconds(10));

        assertThat(calls.get()).as("polled past the busy polls").isGreaterThan(8);
        assertThat(waited).as("the busy time, then the quiet time").isGreaterThanOrEqualTo(150).isLessThan(5_000);
    }

    @Test
    void waitsAtMostTheTimeoutWhileTheCompilersNeverRest() {
        AtomicLong compiled = new AtomicLong();
        JitIdle busy = new JitIdle(compiled::incrementAndGet);

        long waited = busy.await(Duration.ofMillis(100), Duration.ofMillis(300));

        assertThat(waited).isGreaterThanOrEqualTo(300).isLessThan(3_000);
    }

    @Test
    void aJvmThatDoesNotReportCompilationTimeWaitsForNothing() {
        assertThat(new JitIdle(null).await(Duration.ofMillis(100), Duration.ofSeconds(10))).isLessThan(100);
    }
}
