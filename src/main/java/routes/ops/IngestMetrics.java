package routes.ops;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.springframework.stereotype.Component;

/**
 * The CONTRACT §5 metrics, under their Prometheus names. Meters are looked up once per tag
 * combination and kept: these calls sit on the per-message path.
 */
@Component
public class IngestMetrics {

    public static final String EVENTS = "ingest.events";
    public static final String ROWS = "ingest.rows";
    public static final String ERRORS = "ingest.errors";
    public static final String DEAD_LETTERS = "ingest.dead.letters";
    public static final String QUEUE_DEPTH = "ingest.queue.depth";
    public static final String PROCESSING_DURATION = "ingest.processing.duration";
    public static final String BATCH_SIZE = "ingest.batch.size";
    public static final String QUEUE_WAIT = "ingest.queue.wait";
    public static final String INFLIGHT = "ingest.inflight.messages";

    private final MeterRegistry registry;
    private final DistributionSummary batchSize;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();

    public IngestMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.batchSize = DistributionSummary.builder(BATCH_SIZE)
                .description("Rows per committed batch")
                .publishPercentiles(0.5, 0.99)
                .register(registry);
    }

    /** An event ended with {@code status}: success, duplicate, invalid or dead. */
    public void event(String source, String status, long count) {
        counters.computeIfAbsent(EVENTS + '|' + source + '|' + status, k -> Counter.builder(EVENTS)
                .tag("source", source).tag("status", status)
                .description("Events by how they ended").register(registry)).increment(count);
    }

    public void rows(String source, long count) {
        counters.computeIfAbsent(ROWS + '|' + source, k -> Counter.builder(ROWS).tag("source", source)
                .description("Metric rows committed").register(registry)).increment(count);
    }

    public void error(String source, String errorType) {
        counters.computeIfAbsent(ERRORS + '|' + source + '|' + errorType, k -> Counter.builder(ERRORS)
                .tag("source", source).tag("error_type", errorType)
                .description("Failed attempts by error type").register(registry)).increment();
    }

    public void deadLetter(String source, String errorType) {
        counters.computeIfAbsent(DEAD_LETTERS + '|' + source + '|' + errorType, k -> Counter.builder(DEAD_LETTERS)
                .tag("source", source).tag("error_type", errorType)
                .description("Messages dead-lettered").register(registry)).increment();
    }

    public void processing(String source, long receivedAtNanos) {
        timers.computeIfAbsent(PROCESSING_DURATION + '|' + source, k -> Timer.builder(PROCESSING_DURATION)
                .tag("source", source)
                .description("Receive to commit of one message")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(60))
                .register(registry)).record(System.nanoTime() - receivedAtNanos, TimeUnit.NANOSECONDS);
    }

    /** {@code ingest_inflight_messages}: messages handed to the pipeline whose rows are not committed yet. */
    public void inflight(java.util.function.Supplier<Number> messages) {
        io.micrometer.core.instrument.Gauge.builder(INFLIGHT, messages)
                .description("Messages waiting for their batch to commit").register(registry);
    }

    public void batch(int rows) {
        batchSize.record(rows);
    }

    public void queueWait(String source, long enqueuedAtMillis) {
        long waited = Math.max(0, System.currentTimeMillis() - enqueuedAtMillis);
        timers.computeIfAbsent(QUEUE_WAIT + '|' + source, k -> Timer.builder(QUEUE_WAIT).tag("source", source)
                .description("Broker timestamp to receive")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofHours(1))
                .register(registry)).record(waited, TimeUnit.MILLISECONDS);
    }
}
