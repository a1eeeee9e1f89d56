package routes.ops;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/** {@code ingest_queue_depth{source,queue}}: read from each enabled broker when Prometheus scrapes. */
@Component
public class QueueDepthMetrics implements SmartLifecycle {

    private final MeterRegistry registry;
    private final List<MonitoredQueue> sources;
    private volatile boolean running;

    public QueueDepthMetrics(MeterRegistry registry, List<MonitoredQueue> sources) {
        this.registry = registry;
        this.sources = sources;
    }

    @Override
    public void start() {
        for (MonitoredQueue source : sources) {
            Gauge.builder(IngestMetrics.QUEUE_DEPTH, source, s -> Math.max(0, s.queueDepth()))
                    .tag("source", source.name()).tag("queue", source.queue())
                    .description("Messages waiting in the broker")
                    .register(registry);
        }
        running = true;
    }

    @Override
    public void stop() {
        running = false;
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
