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
