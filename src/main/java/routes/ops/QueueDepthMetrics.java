package routes.ops;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import routes.source.IngestSource;
import routes.source.IngestSources;

/** {@code ingest_queue_depth{source,queue}}: read from each enabled broker when Prometheus scrapes. */
@Component
public class QueueDepthMetrics implements SmartLifecycle {

    private final MeterRegistry registry;
    private final IngestSources sources;
    private volatile boolean running;

    public QueueDepthMetrics(MeterRegistry registry, IngestSources sources) {
        this.registry = registry;
        this.sources = sources;
    }

    @Override
    public void start() {
        for (IngestSource source : sources.all()) {
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
