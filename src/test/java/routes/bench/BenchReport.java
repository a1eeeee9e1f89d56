package routes.bench;

import java.util.Locale;

/** Prints one benchmark result line in the format docs/benchmarks.md quotes. */
public final class BenchReport {

    private BenchReport() {
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
}
