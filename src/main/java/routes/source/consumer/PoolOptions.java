package routes.source.consumer;

import java.time.Duration;
import routes.pool.BacklogScaler;

/**
 * A consumer's pool of worker loops, as endpoint options: {@code minConsumers} (default: the endpoint's
 * {@code concurrency}), {@code maxConsumers} (default: {@code minConsumers}, so the pool is fixed unless
 * set), {@code scaleThreshold} waiting messages per consumer, checked every {@code scaleInterval}; a
 * smaller pool only after {@code scaleDownAfter}. See {@link BacklogScaler}.
 */
public final class PoolOptions {

    public static final int DEFAULT_THRESHOLD = 1000;
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(2);
    public static final Duration DEFAULT_SCALE_DOWN_AFTER = Duration.ofSeconds(10);

    private Integer minConsumers;
    private Integer maxConsumers;
    private int scaleThreshold = DEFAULT_THRESHOLD;
    private Duration scaleInterval = DEFAULT_INTERVAL;
    private Duration scaleDownAfter = DEFAULT_SCALE_DOWN_AFTER;

    public int min(int concurrency) {
        return Math.max(1, minConsumers != null ? minConsumers : concurrency);
    }

    public int max(int concurrency) {
        return Math.max(min(concurrency), maxConsumers != null ? maxConsumers : min(concurrency));
    }

    public boolean scales(int concurrency) {
        return max(concurrency) > min(concurrency);
    }

    public BacklogScaler scaler(int concurrency) {
        return new BacklogScaler(min(concurrency), max(concurrency), scaleThreshold, scaleDownAfter, System::nanoTime);
    }

    public Integer getMinConsumers() {
        return minConsumers;
    }

    public void setMinConsumers(Integer minConsumers) {
        this.minConsumers = minConsumers;
    }

    public Integer getMaxConsumers() {
        return maxConsumers;
    }

    public void setMaxConsumers(Integer maxConsumers) {
        this.maxConsumers = maxConsumers;
    }

    public int getScaleThreshold() {
        return scaleThreshold;
    }

    public void setScaleThreshold(int scaleThreshold) {
        if (scaleThreshold < 1) {
            throw new IllegalArgumentException("scaleThreshold must be at least 1: " + scaleThreshold);
        }
        this.scaleThreshold = scaleThreshold;
    }

    public Duration getScaleInterval() {
        return scaleInterval;
    }

    public void setScaleInterval(Duration scaleInterval) {
        if (scaleInterval.toMillis() < 10) {
            throw new IllegalArgumentException("scaleInterval must be at least 10ms: " + scaleInterval);
        }
        this.scaleInterval = scaleInterval;
    }

    public Duration getScaleDownAfter() {
        return scaleDownAfter;
    }

    public void setScaleDownAfter(Duration scaleDownAfter) {
        this.scaleDownAfter = scaleDownAfter;
    }
}
