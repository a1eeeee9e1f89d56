package routes.delivery;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.support.DefaultConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import routes.pool.BacklogScaler;

/**
 * Redis list → the route: each worker thread BLMOVEs one entry into the processing list, runs the
 * route, and removes it (LREM) once the route completed — or gives it back to the queue when the
 * route failed. The number of threads follows the backlog ({@link BacklogScaler}), shown as
 * {@code ingest_workers{source}}. On stop, in-flight work may finish within the shutdown timeout;
 * whatever is still held then is returned to the queue (and, after a crash, on the next start).
 */
public class DeliveryQueueConsumer extends DefaultConsumer {

    private static final Logger LOG = LoggerFactory.getLogger(DeliveryQueueConsumer.class);
    public static final String WORKERS_GAUGE = "ingest.workers";

    private final DeliveryQueueEndpoint endpoint;
    private final DeliveryQueue queue;
    private final MeterRegistry registry;
    private final List<Worker> active = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicInteger size = new AtomicInteger();
    private final AtomicInteger names = new AtomicInteger();
    private ScheduledExecutorService scaling;
    private Gauge gauge;
    private volatile boolean running;

    public DeliveryQueueConsumer(DeliveryQueueEndpoint endpoint, Processor processor, DeliveryQueue queue,
                                 MeterRegistry registry) {
        super(endpoint, processor);
        this.endpoint = endpoint;
        this.queue = queue;
        this.registry = registry;
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        long recovered = queue.recover();
        if (recovered > 0) {
            LOG.info("Returned {} unfinished messages from {} to {}", recovered, queue.processing(), queue.queue());
        }
        running = true;
        gauge = Gauge.builder(WORKERS_GAUGE, size, AtomicInteger::get)
                .tag("source", endpoint.getSource()).tag("queue", queue.queue()).description("Consumer threads of a source")
                .register(registry);
        resize(endpoint.getMinConsumers());
        if (endpoint.getMaxConsumers() > endpoint.getMinConsumers()) {
            BacklogScaler scaler = new BacklogScaler(this::depthOrUnknown, size::get, this::resize,
                    endpoint.getMinConsumers(), endpoint.getMaxConsumers(), endpoint.getScaleUpDepth());
            scaling = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "delivery-scaler-" + queue.queue()));
            scaling.scheduleWithFixedDelay(() -> {
                try {
                    scaler.tick();
                } catch (RuntimeException e) {
                    LOG.warn("Scaling check failed: {}", e.getMessage());
                }
            }, endpoint.getCheckIntervalMillis(), endpoint.getCheckIntervalMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Starts or retires threads until {@code target} take messages; a retired thread finishes its message first. */
    public synchronized void resize(int target) {
        if (!running) {
            return;
        }
        while (active.size() < target) {
            Worker worker = new Worker();
            active.add(worker);
            Thread thread = daemon(worker, "delivery-" + queue.queue() + "-" + names.incrementAndGet());
            threads.removeIf(t -> !t.isAlive());
            threads.add(thread);
            thread.start();
        }
        while (active.size() > target) {
            active.remove(active.size() - 1).retired = true;
        }
        if (size.getAndSet(active.size()) != active.size()) {
            LOG.info("Consumers of {}: {}", queue.queue(), active.size());
        }
    }

    public int size() {
        return size.get();
    }

    @Override
    protected void doStop() throws Exception {
        running = false;
        if (scaling != null) {
            scaling.shutdownNow();
        }
        List<Thread> all;
        synchronized (this) {
            active.forEach(w -> w.retired = true);
            active.clear();
            size.set(0);
            all = new ArrayList<>(threads);
            threads.clear();
        }
        long deadline = System.nanoTime() + Duration.ofMillis(endpoint.getShutdownTimeoutMillis()).toNanos();
        for (Thread t : all) {
            t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        }
        for (Thread t : all) {
            if (t.isAlive()) {
                LOG.warn("{} still delivering after the shutdown timeout: interrupting; its message goes back to the queue",
                        t.getName());
                t.interrupt();
                t.join(2000);
            }
        }
        try {
            long returned = queue.recover();
            if (returned > 0) {
                LOG.info("Returned {} in-flight messages to {}", returned, queue.queue());
            }
        } catch (RuntimeException e) {
            LOG.warn("Could not return in-flight messages now ({}); they are returned on the next start", e.getMessage());
        }
        if (gauge != null) {
            registry.remove(gauge);
        }
        super.doStop();
    }

    private long depthOrUnknown() {
        try {
            return queue.depth();
        } catch (RuntimeException e) {
            return -1;
        }
    }

    private static Thread daemon(Runnable task, String name) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        return thread;
    }

    /** One consumer thread. */
    private final class Worker implements Runnable {
        volatile boolean retired;

        @Override
        public void run() {
            Duration poll = Duration.ofMillis(endpoint.getPollTimeoutMillis());
            while (running && !retired && !Thread.currentThread().isInterrupted()) {
                String raw;
                try {
                    raw = queue.take(poll);
                } catch (RuntimeException e) {
                    LOG.warn("Cannot take from {}: {}", queue.queue(), e.getMessage());
                    pause(1000);
                    continue;
                }
                if (raw != null) {
                    handle(raw);
                }
            }
        }

        private void handle(String raw) {
            Exchange exchange = createExchange(false);
            exchange.getMessage().setBody(raw);
            exchange.setProperty(DeliveryExchange.TAKEN, raw);
            exchange.setProperty(DeliveryExchange.TAKEN_FROM, queue.processing());
            try {
                getProcessor().process(exchange);
            } catch (Exception e) {
                exchange.setException(e);
            }
            try {
                if (exchange.getException() != null) {
                    // Nothing recorded the outcome: keep the message (taken again next).
                    LOG.warn("Route failed for a message of {}, returning it: {}", queue.queue(),
                            exchange.getException().getMessage());
                    queue.giveBack(raw);
                    pause(1000);
                } else if (!exchange.getProperty(DeliveryExchange.ACKED, false, Boolean.class)) {
                    queue.ack(raw);
                }
            } catch (RuntimeException e) {
                LOG.warn("Could not finish a message of {} ({}); it is returned on the next start", queue.queue(),
                        e.getMessage());
            } finally {
                releaseExchange(exchange, false);
            }
        }

        private void pause(long millis) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
