package routes.delivery;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Seed 002's worker metrics, under their Prometheus names ({@code worker_*}). */
public class DeliveryMetrics {

    public static final String PROCESSED = "worker.messages.processed";
    public static final String DELIVERED = "worker.messages.delivered";
    public static final String FAILED = "worker.messages.failed";
    public static final String RETRIED = "worker.messages.retried";
    public static final String DEAD = "worker.messages.dead";
    public static final String DELIVERY_DURATION = "worker.delivery.duration";
    public static final String QUEUE_WAIT = "worker.queue.wait";
    public static final String PROCESSING = "worker.processing.messages";
    /** The worker's name for {@code ingest_workers{source="delivery"}}: consumer threads running now. */
    public static final String ACTIVE_WORKERS = "worker.active.workers";
    /** The consumer's own gauge (one per queue), which {@link #ACTIVE_WORKERS} sums. */
    static final String INGEST_WORKERS = "ingest.workers";

    private final Counter processed;
    private final Counter delivered;
    private final Counter failed;
    private final Counter retried;
    private final Counter dead;
    private final Timer deliveryDuration;
    private final Timer queueWait;
    private final AtomicInteger processing = new AtomicInteger();

    public DeliveryMetrics(MeterRegistry registry) {
        processed = Counter.builder(PROCESSED).description("Messages taken for a delivery attempt").register(registry);
        delivered = Counter.builder(DELIVERED).description("Messages the main server accepted").register(registry);
        failed = Counter.builder(FAILED).description("Failed delivery attempts").register(registry);
        retried = Counter.builder(RETRIED).description("Failed attempts parked for a retry").register(registry);
        dead = Counter.builder(DEAD).description("Messages dead-lettered after the last attempt").register(registry);
        deliveryDuration = Timer.builder(DELIVERY_DURATION).description("One delivery request, sent to answered")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry);
        queueWait = Timer.builder(QUEUE_WAIT).description("Queued (or due again) to taken")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofHours(1))
                .register(registry);
        Gauge.builder(PROCESSING, processing, AtomicInteger::get).description("Deliveries under way")
                .register(registry);
        // Read from the consumer's gauge rather than kept here, so the two never disagree; 0 while the
        // consumer is stopped (its gauge is removed then), which is what WorkerDown looks for.
        Gauge.builder(ACTIVE_WORKERS, registry, DeliveryMetrics::activeWorkers)
                .description("Delivery consumer threads running (ingest_workers{source=\"delivery\"})")
                .register(registry);
    }

    static double activeWorkers(MeterRegistry registry) {
        return registry.find(INGEST_WORKERS).tag("source", DeliverySink.SOURCE).gauges().stream()
                .mapToDouble(Gauge::value).filter(Double::isFinite).sum();
    }

    /** A message was taken; {@code enqueuedAt} epoch ms or 0 when unknown. */
    public void started(long enqueuedAt) {
        processed.increment();
        processing.incrementAndGet();
        if (enqueuedAt > 0) {
            queueWait.record(Math.max(0, System.currentTimeMillis() - enqueuedAt), TimeUnit.MILLISECONDS);
        }
    }

    public void finished() {
        processing.decrementAndGet();
    }

    public void request(long startNanos) {
        deliveryDuration.record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
    }

    public void delivered() {
        delivered.increment();
    }

    public void failed() {
        failed.increment();
    }

    public void retried() {
        retried.increment();
    }

    public void dead() {
        dead.increment();
    }
}
