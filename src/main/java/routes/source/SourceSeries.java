package routes.source;

import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.stereotype.Component;
import routes.ops.IngestMetrics;
import routes.source.http.HttpSourceProperties;

/**
 * Registers the {@code ingest_*} series of every enabled source at 0 once the beans exist, before the
 * web server answers a scrape: the HTTP source when enabled, and every broker source whose messages go
 * through the ingest pipeline.
 */
@Component
public class SourceSeries implements SmartInitializingSingleton {

    static final String HTTP = "http";

    private final IngestMetrics metrics;
    private final IngestSources sources;
    private final HttpSourceProperties http;

    public SourceSeries(IngestMetrics metrics, IngestSources sources, HttpSourceProperties http) {
        this.metrics = metrics;
        this.sources = sources;
        this.http = http;
    }

    @Override
    public void afterSingletonsInstantiated() {
        if (http.enabled()) {
            metrics.registerSource(HTTP, false);
        }
        for (IngestSource source : sources.all()) {
            if (source.ingests()) {
                metrics.registerSource(source.name(), true);
            }
        }
    }
}
