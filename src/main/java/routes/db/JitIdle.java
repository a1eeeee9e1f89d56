package routes.db;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * Waits until the JVM's JIT compilers have been quiet for a moment (their total compilation time unchanged for
 * {@code quiet}), or at most {@code timeout}. Between two warm-up rounds: what the first queued is compiled, with
 * the compile queue then short, so that the second round's calls reach the optimising compiler's thresholds
 * (which the JVM raises while its queue is long, as it is all through the start-up).
 */
final class JitIdle {

    private static final long POLL_NANOS = Duration.ofMillis(25).toNanos();

    private final LongSupplier totalCompilationMillis;

    JitIdle(LongSupplier totalCompilationMillis) {
        this.totalCompilationMillis = totalCompilationMillis;
    }

    /** This JVM's compilers; one that does not report its compilation time waits for nothing. */
    static JitIdle ofThisJvm() {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        if (jit == null || !jit.isCompilationTimeMonitoringSupported()) {
            return new JitIdle(null);
        }
        return new JitIdle(jit::getTotalCompilationTime);
    }

    /** @return how long it waited, in milliseconds */
    long await(Duration quiet, Duration timeout) {
        long started = System.nanoTime();
        if (totalCompilationMillis == null) {
            return 0;
        }
        long deadline = started + timeout.toNanos();
        long last = totalCompilationMillis.getAsLong();
        long quietSince = started;
        while (System.nanoTime() - deadline < 0) {
            LockSupport.parkNanos(POLL_NANOS);
            long now = totalCompilationMillis.getAsLong();
            if (now != last) {
                last = now;
                quietSince = System.nanoTime();
            } else if (System.nanoTime() - quietSince >= quiet.toNanos()) {
                break;
            }
        }
        return (System.nanoTime() - started) / 1_000_000;
    }
}
