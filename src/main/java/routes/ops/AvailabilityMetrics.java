package routes.ops;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.util.List;
import javax.sql.DataSource;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * {@code ingest_source_up{source}} and {@code ingest_database_up}: 1 when the broker / PostgreSQL answers
 * at scrape time, else 0 — what the "source DOWN" and "database down" alerts read. A source is up when
 * its broker answers the queue-depth question ({@link MonitoredQueue#queueDepth()} is -1 when it cannot).
 */
@Component
public class AvailabilityMetrics implements SmartLifecycle {

    public static final String SOURCE_UP = "ingest.source.up";
    public static final String DATABASE_UP = "ingest.database.up";
    private static final int VALID_TIMEOUT_SECONDS = 2;

    private final MeterRegistry registry;
    private final List<MonitoredQueue> sources;
    private final DataSource dataSource;
    private volatile boolean running;

    public AvailabilityMetrics(MeterRegistry registry, List<MonitoredQueue> sources, DataSource dataSource) {
        this.registry = registry;
        this.sources = sources;
        this.dataSource = dataSource;
    }

    @Override
    public void start() {
        for (MonitoredQueue source : sources) {
            Gauge.builder(SOURCE_UP, source, s -> s.queueDepth() >= 0 ? 1 : 0)
                    .tag("source", source.name())
                    .description("1 when the source's broker answers, else 0")
                    .register(registry);
        }
        Gauge.builder(DATABASE_UP, dataSource, AvailabilityMetrics::databaseUp)
                .description("1 when PostgreSQL answers, else 0")
                .register(registry);
        running = true;
    }

    static double databaseUp(DataSource dataSource) {
        try (Connection connection = dataSource.getConnection()) {
            return connection.isValid(VALID_TIMEOUT_SECONDS) ? 1 : 0;
        } catch (Exception e) {
            return 0;
        }
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
