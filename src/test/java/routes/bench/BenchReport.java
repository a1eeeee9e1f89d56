package routes.bench;

import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

/** Prints one benchmark result line in the format docs/benchmarks.md quotes. */
public final class BenchReport {

    private BenchReport() {
    }

    /**
     * Prints how long one core takes for a fixed piece of work (sorting 5,000,000 random longs, best of
     * three), so that figures of different machines or sessions can be compared: the machine's speed
     * varies between sessions (docs/benchmarks.md, "Machine speed").
     */
    public static void cpuReference() {
        long[] values = new Random(7).longs(5_000_000).toArray();
        long best = Long.MAX_VALUE;
        for (int round = 0; round < 3; round++) {
            long[] copy = values.clone();
            long start = System.nanoTime();
            Arrays.sort(copy);
            best = Math.min(best, System.nanoTime() - start);
        }
        System.out.printf(Locale.ROOT, "cpu reference: 5,000,000 longs sorted in %.0f ms on one core%n", best / 1e6);
    }

    public static void print(String name, long events, long rows, long elapsedNanos, LatencyRecorder latency) {
        double seconds = elapsedNanos / 1e9;
        String line = String.format(Locale.ROOT, "%-28s events=%d rows=%d time=%.2fs events/s=%.0f rows/s=%.0f",
                name, events, rows, seconds, events / seconds, rows / seconds);
        if (latency != null && latency.count() > 0) {
            line += String.format(Locale.ROOT, " p50=%.1fms p99=%.1fms", latency.percentileMillis(50),
                    latency.percentileMillis(99));
        }
        System.out.println(line);
    }

    /** CPU time used by this process so far (the app runs in-process), in nanoseconds. */
    public static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean)
                java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** Prints the app's CPU over a run: what one event costs it, whatever the other processes take. */
    public static void printAppCpu(String name, long events, long cpuNanosBefore) {
        double cpuSeconds = (processCpuNanos() - cpuNanosBefore) / 1e9;
        System.out.printf(Locale.ROOT, "%s app CPU: %.1f s = %.0f events per app CPU-second; load average %.1f on %d cores%n",
                name, cpuSeconds, events / cpuSeconds,
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                Runtime.getRuntime().availableProcessors());
    }
}
