package routes.bench;

import java.util.Arrays;

/** Collects latencies (nanoseconds) from many threads and reports percentiles. */
public final class LatencyRecorder {

    private long[] samples = new long[1 << 16];
    private int count;

    public synchronized void record(long nanos) {
        if (count == samples.length) {
            samples = Arrays.copyOf(samples, count * 2);
        }
        samples[count++] = nanos;
    }

    /** The p-th percentile in milliseconds (p in 0..100). */
    public synchronized double percentileMillis(double p) {
        if (count == 0) {
            return Double.NaN;
        }
        long[] sorted = Arrays.copyOf(samples, count);
        Arrays.sort(sorted);
        int index = (int) Math.min(count - 1, Math.ceil(p / 100.0 * count) - 1);
        return sorted[Math.max(0, index)] / 1_000_000.0;
    }

    public synchronized int count() {
        return count;
    }
}
