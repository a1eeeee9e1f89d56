package routes.source.consumer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.function.BooleanSupplier;
import org.apache.camel.spi.ExecutorServiceManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker loops of one consumer, on a thread pool from Camel's {@link ExecutorServiceManager}. A
 * loop runs while its {@code keepGoing} says so: {@link #resize} to fewer retires loops, which finish
 * what they are doing first.
 */
public final class WorkerPool {

    private static final Logger LOG = LoggerFactory.getLogger(WorkerPool.class);

    /** One worker's loop: runs until {@code keepGoing} turns false. */
    @FunctionalInterface
    public interface Loop {
        void run(BooleanSupplier keepGoing);
    }

    private final ExecutorServiceManager executors;
    private final ExecutorService threads;
    private final String name;
    private final Loop loop;
    private final List<Worker> active = new ArrayList<>();
    private volatile int size;
    private volatile boolean stopped;

    public WorkerPool(ExecutorServiceManager executors, Object owner, String name, Loop loop) {
        this.executors = executors;
        this.threads = executors.newCachedThreadPool(owner, name);
        this.name = name;
        this.loop = loop;
    }

    /** Starts or retires loops until {@code target} run. */
    public synchronized void resize(int target) {
        if (stopped) {
            return;
        }
        int before = active.size();
        while (active.size() < target) {
            Worker worker = new Worker();
            active.add(worker);
            threads.execute(worker);
        }
        while (active.size() > target) {
            active.remove(active.size() - 1).retired = true;
        }
        size = active.size();
        if (before != 0 && before != size) {
            LOG.info("{}: {} consumers (was {})", name, size, before);
        }
    }

    public int size() {
        return size;
    }

    /**
     * Retires every loop and waits up to {@code timeout} for them to finish what they are doing; then
     * interrupts what still runs.
     */
    public void stop(Duration timeout) {
        synchronized (this) {
            stopped = true;
            active.forEach(w -> w.retired = true);
            active.clear();
            size = 0;
        }
        executors.shutdownGraceful(threads, Math.max(1, timeout.toMillis()));
    }

    private final class Worker implements Runnable {
        volatile boolean retired;

        @Override
        public void run() {
            loop.run(() -> !retired && !stopped && !Thread.currentThread().isInterrupted());
        }
    }
}
