package routes.pipeline.dedup;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.support.service.ServiceSupport;

/**
 * {@code ingest.idempotency.repository=memory}: a bounded memory of keys, in two generations. An add goes
 * to the current generation; once it holds {@code capacity} keys it becomes the previous one and the
 * previous one is dropped. So the last {@code capacity} distinct keys added are always remembered (a key
 * added again moves to the current generation), and at most {@code 2 × capacity} are held. Not an exact
 * LRU: a key may outlive the last {@code capacity} by up to one generation, which is fine for a memory
 * that only saves work.
 *
 * <p>Cheaper per message than Camel's {@code MemoryIdempotentRepository} (a lock and an LRU map with a
 * change queue around every call): a look-up takes no lock, reading both generations from one
 * snapshot; adds, removes and the switch of generations are serialised by a lock.
 */
public class BoundedKeyMemory extends ServiceSupport implements IdempotentRepository {

    /** Larger generations grow on demand instead of being allocated at full size up front. */
    private static final int MAX_PRESIZE = 1 << 20;

    private record Generations(Set<String> current, Set<String> previous) {
    }

    private final int capacity;
    private final ReentrantLock lock = new ReentrantLock();
    private volatile Generations generations;
    /** Keys in {@code generations.current()}; guarded by {@link #lock}. */
    private int currentSize;

    public BoundedKeyMemory(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1: " + capacity);
        }
        this.capacity = capacity;
        this.generations = new Generations(newGeneration(), newGeneration());
    }

    @Override
    public boolean contains(String key) {
        Generations g = generations;
        return g.current().contains(key) || g.previous().contains(key);
    }

    /** Remembers the key; {@code false} when it was remembered already (then it counts as added now). */
    @Override
    public boolean add(String key) {
        lock.lock();
        try {
            Generations g = generations;
            if (g.current().contains(key)) {
                return false;
            }
            boolean known = g.previous().contains(key);
            // Added where it stays before it leaves where it was: a look-up meanwhile finds it in one or the other.
            if (currentSize == capacity) {
                Set<String> next = newGeneration();
                next.add(key);
                generations = new Generations(next, g.current());
                currentSize = 1;
            } else {
                g.current().add(key);
                currentSize++;
                if (known) {
                    g.previous().remove(key);
                }
            }
            return !known;
        } finally {
            lock.unlock();
        }
    }

    /** Forgets the key; {@code false} when it was not remembered. */
    @Override
    public boolean remove(String key) {
        lock.lock();
        try {
            Generations g = generations;
            if (g.current().remove(key)) {
                currentSize--;
                return true;
            }
            return g.previous().remove(key);
        } finally {
            lock.unlock();
        }
    }

    /** Adds are not held back for a confirmation (as with Camel's memory repository). */
    @Override
    public boolean confirm(String key) {
        return true;
    }

    @Override
    public void clear() {
        lock.lock();
        try {
            generations = new Generations(newGeneration(), newGeneration());
            currentSize = 0;
        } finally {
            lock.unlock();
        }
    }

    /** Keys held now: at least the last {@code capacity} added (less those removed), at most twice that. */
    public int size() {
        lock.lock();
        try {
            return currentSize + generations.previous().size();
        } finally {
            lock.unlock();
        }
    }

    public int capacity() {
        return capacity;
    }

    private Set<String> newGeneration() {
        return ConcurrentHashMap.newKeySet(Math.min(capacity, MAX_PRESIZE));
    }

    @Override
    protected void doStop() {
        clear(); // as Camel's memory repository: a stopped memory starts empty
    }
}
