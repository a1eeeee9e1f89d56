package routes.ops;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.springframework.stereotype.Component;
import routes.pipeline.ErrorType;

/**
 * The CONTRACT §5 metrics, under their Prometheus names. Meters are looked up once per tag
 * combination and kept: these calls sit on the per-message path. Every series of an enabled source is
 * registered at 0 at start-up ({@link #registerSource}, from {@code routes.source.SourceSeries}).
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
    /** How an event ends ({@code status} of {@code ingest_events_total}); filtered: a team's route step dropped it. */
    public static final List<String> STATUSES = List.of("success", "duplicate", "invalid", "dead", "filtered");

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

    /** An event ended with {@code status}: one of {@link #STATUSES}. */
    public void event(String source, String status, long count) {
        events(source, status).increment(count);
    }

    public void rows(String source, long count) {
        rows(source).increment(count);
    }

    public void error(String source, String errorType) {
        errors(source, errorType).increment();
    }

    public void deadLetter(String source, String errorType) {
        deadLetters(source, errorType).increment();
    }

    public void processing(String source, long receivedAtNanos) {
        processingTimer(source).record(System.nanoTime() - receivedAtNanos, TimeUnit.NANOSECONDS);
    }

    /**
     * Registers every series of an enabled source at 0 (CONTRACT §5), so that a rate or an alert reads 0
     * rather than "no data" before the first event, error or dead letter of a kind.
     *
     * @param brokerTimestamps whether the source's broker stamps messages ({@code ingest_queue_wait_seconds})
     */
    public void registerSource(String source, boolean brokerTimestamps) {
        STATUSES.forEach(status -> events(source, status));
        for (ErrorType type : ErrorType.values()) {
            errors(source, type.label());
            deadLetters(source, type.label());
        }
        rows(source);
        processingTimer(source);
        if (brokerTimestamps) {
            queueWaitTimer(source);
        }
    }

    private Counter events(String source, String status) {
        return counters.computeIfAbsent(EVENTS + '|' + source + '|' + status, k -> Counter.builder(EVENTS)
                .tag("source", source).tag("status", status)
                .description("Events by how they ended").register(registry));
    }

    private Counter rows(String source) {
        return counters.computeIfAbsent(ROWS + '|' + source, k -> Counter.builder(ROWS).tag("source", source)
                .description("Metric rows committed").register(registry));
    }

    private Counter errors(String source, String errorType) {
        return counters.computeIfAbsent(ERRORS + '|' + source + '|' + errorType, k -> Counter.builder(ERRORS)
                .tag("source", source).tag("error_type", errorType)
                .description("Failed attempts by error type").register(registry));
    }

    private Counter deadLetters(String source, String errorType) {
        return counters.computeIfAbsent(DEAD_LETTERS + '|' + source + '|' + errorType, k -> Counter.builder(DEAD_LETTERS)
                .tag("source", source).tag("error_type", errorType)
                .description("Messages dead-lettered").register(registry));
    }

    private Timer processingTimer(String source) {
        return timers.computeIfAbsent(PROCESSING_DURATION + '|' + source, k -> Timer.builder(PROCESSING_DURATION)
                .tag("source", source)
                .description("Receive to commit of one message")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(60))
                .register(registry));
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
        queueWaitTimer(source).record(waited, TimeUnit.MILLISECONDS);
    }

    private Timer queueWaitTimer(String source) {
        return timers.computeIfAbsent(QUEUE_WAIT + '|' + source, k -> Timer.builder(QUEUE_WAIT).tag("source", source)
                .description("Broker timestamp to receive")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofHours(1))
                .register(registry));
    }
}
