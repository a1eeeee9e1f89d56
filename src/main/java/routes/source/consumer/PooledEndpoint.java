package routes.source.consumer;

import java.time.Duration;
import org.apache.camel.Component;
import org.apache.camel.spi.UriParam;
import org.apache.camel.support.DefaultEndpoint;

/**
 * An endpoint whose consumer runs a {@link WorkerPool} sized by the backlog: the pool's options
 * ({@link PoolOptions}) as URI options, written once for every source component.
 */
public abstract class PooledEndpoint extends DefaultEndpoint {

    @UriParam(description = "The pool's size at least (default: concurrency)")
    private Integer minConsumers;
    @UriParam(description = "The pool's size at most (default: minConsumers: a fixed pool)")
    private Integer maxConsumers;
    @UriParam(defaultValue = "1000", description = "Waiting messages per consumer: the pool's target is ceil(backlog / this)")
    private int scaleThreshold = PoolOptions.DEFAULT_THRESHOLD;
    @UriParam(defaultValue = "2s", description = "How often the backlog is checked")
    private Duration scaleInterval = PoolOptions.DEFAULT_INTERVAL;
    @UriParam(defaultValue = "10s", description = "How long a lower target must hold before the pool shrinks")
    private Duration scaleDownAfter = PoolOptions.DEFAULT_SCALE_DOWN_AFTER;

    private final PoolOptions pool = new PoolOptions();

    protected PooledEndpoint(String uri, Component component) {
        super(uri, component);
    }

    /** The pool's options as set on this endpoint. */
    public PoolOptions pool() {
        return pool;
    }

    public Integer getMinConsumers() {
        return pool.getMinConsumers();
    }

    public void setMinConsumers(Integer minConsumers) {
        pool.setMinConsumers(minConsumers);
    }

    public Integer getMaxConsumers() {
        return pool.getMaxConsumers();
    }

    public void setMaxConsumers(Integer maxConsumers) {
        pool.setMaxConsumers(maxConsumers);
    }

    public int getScaleThreshold() {
        return pool.getScaleThreshold();
    }

    public void setScaleThreshold(int scaleThreshold) {
        pool.setScaleThreshold(scaleThreshold);
    }

    public Duration getScaleInterval() {
        return pool.getScaleInterval();
    }

    public void setScaleInterval(Duration scaleInterval) {
        pool.setScaleInterval(scaleInterval);
    }

    public Duration getScaleDownAfter() {
        return pool.getScaleDownAfter();
    }

    public void setScaleDownAfter(Duration scaleDownAfter) {
        pool.setScaleDownAfter(scaleDownAfter);
    }
}
