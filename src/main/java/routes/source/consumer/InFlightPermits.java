package routes.source.consumer;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * One permit per message handed to the route and not yet settled: a consumer takes at most
 * {@code max} messages ahead of its settlements, so nothing waits unseen in a client buffer.
 */
public final class InFlightPermits {

    private final int max;
    private final Semaphore permits;

    public InFlightPermits(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("max in flight must be at least 1: " + max);
        }
        this.max = max;
        this.permits = new Semaphore(max);
    }

    /**
     * Waits up to {@code wait} for one free permit, then takes as many more as are free, up to
     * {@code wanted} in all; returns how many were taken (0: none came in time).
     */
    public int acquireUpTo(int wanted, Duration wait) throws InterruptedException {
        if (wanted < 1 || !permits.tryAcquire(wait.toMillis(), TimeUnit.MILLISECONDS)) {
            return 0;
        }
        return 1 + tryReserve(wanted - 1);
    }

    /** Takes up to {@code wanted} free permits without waiting; returns how many. */
    public int tryReserve(int wanted) {
        while (wanted > 0) {
            int free = permits.availablePermits();
            int take = Math.min(wanted, free);
            if (take <= 0) {
                return 0;
            }
            if (permits.tryAcquire(take)) {
                return take;
            }
        }
        return 0;
    }

    public void release(int n) {
        if (n > 0) {
            permits.release(n);
        }
    }

    /** Messages taken and not yet settled. */
    public int inFlight() {
        return max - permits.availablePermits();
    }

    public int max() {
        return max;
    }

    /** Waits until nothing is in flight; false when {@code timeout} passed first. */
    public boolean awaitIdle(Duration timeout) throws InterruptedException {
        if (permits.tryAcquire(max, timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            permits.release(max);
            return true;
        }
        return false;
    }
}
