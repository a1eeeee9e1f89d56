package routes.source.consumer;

import java.time.Duration;

/**
 * The wait between tries of a broker call that keeps failing (the broker restarting, a network cut):
 * doubles from {@code first} up to {@code max}, back to {@code first} after a success. One per thread.
 */
public final class Backoff {

    private final long first;
    private final long max;
    private long current;

    public Backoff(Duration first, Duration max) {
        this.first = Math.max(1, first.toMillis());
        this.max = Math.max(this.first, max.toMillis());
        this.current = this.first;
    }

    /** The default for broker calls: 100 ms doubling up to 5 s. */
    public static Backoff forBroker() {
        return new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5));
    }

    /** The wait the next failure will pause for. */
    public long currentMillis() {
        return current;
    }

    /** The call failed: returns the wait to pause now and doubles the next one. */
    public long failed() {
        long wait = current;
        current = Math.min(current * 2, max);
        return wait;
    }

    public void succeeded() {
        current = first;
    }

    /** Pauses for the wait of this failure; false when interrupted (the interrupt flag is kept). */
    public boolean pauseAfterFailure() {
        try {
            Thread.sleep(failed());
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
