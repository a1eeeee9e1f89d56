package routes.pool;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * The pool worker's sizing rule: {@code target = min(max, max(min, ceil(backlog / threshold)))}. The pool
 * grows to a higher target at once; it shrinks to a lower one only after the target has stayed below
 * the pool's size for {@code idleBeforeShrink} (not only when the queue is empty), so a bursty queue does
 * not make it flap. Not thread-safe: one scaling thread asks it.
 */
public class BacklogScaler {

    private final int min;
    private final int max;
    private final int threshold;
    private final long idleBeforeShrinkNanos;
    private final LongSupplier nanoClock;
    private long belowSince = -1;

    /**
     * @param min              consumers at least
     * @param max              consumers at most
     * @param threshold        waiting messages per consumer
     * @param idleBeforeShrink how long the target must stay lower before the pool shrinks to it
     * @param nanoClock        {@link System#nanoTime()} (a test gives its own)
     */
    public BacklogScaler(int min, int max, int threshold, Duration idleBeforeShrink, LongSupplier nanoClock) {
        if (min < 1 || max < min || threshold < 1) {
            throw new IllegalArgumentException("need 1 <= min <= max and threshold >= 1, not min=" + min + " max=" + max
                    + " threshold=" + threshold);
        }
        this.min = min;
        this.max = max;
        this.threshold = threshold;
        this.idleBeforeShrinkNanos = idleBeforeShrink.toNanos();
        this.nanoClock = nanoClock;
    }

    /** The size the backlog asks for. */
    public int target(long backlog) {
        long wanted = (Math.max(0, backlog) + threshold - 1) / threshold;
        return (int) Math.min(max, Math.max(min, wanted));
    }

    /**
     * The pool's next size, given its size now and the backlog ({@code < 0}: unknown, nothing changes).
     */
    public int next(int current, long backlog) {
        if (backlog < 0) {
            return current;
        }
        int target = target(backlog);
        if (target >= current) {
            belowSince = -1;
            return target;
        }
        long now = nanoClock.getAsLong();
        if (belowSince < 0) {
            belowSince = now;
        }
        if (now - belowSince >= idleBeforeShrinkNanos) {
            belowSince = -1;
            return target;
        }
        return current;
    }

    public int min() {
        return min;
    }

    public int max() {
        return max;
    }
}
