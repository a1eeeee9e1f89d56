package routes.pipeline.dedup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class BoundedKeyMemoryTest {

    @Test
    void addsOnceAndFindsWhatWasAdded() {
        BoundedKeyMemory memory = new BoundedKeyMemory(10);

        assertThat(memory.contains("a")).isFalse();
        assertThat(memory.add("a")).isTrue();
        assertThat(memory.add("a")).isFalse();
        assertThat(memory.contains("a")).isTrue();
        assertThat(memory.contains("b")).isFalse();
        assertThat(memory.confirm("a")).isTrue();
        assertThat(memory.size()).isEqualTo(1);
    }

    @Test
    void remembersAtLeastTheLastCapacityKeysAndStaysBounded() {
        int capacity = 1000;
        BoundedKeyMemory memory = new BoundedKeyMemory(capacity);

        for (int i = 0; i < 1_000_000; i++) {
            assertThat(memory.add("k" + i)).isTrue();
            assertThat(memory.size()).isLessThanOrEqualTo(2 * capacity);
        }

        for (int i = 1_000_000 - capacity; i < 1_000_000; i++) {
            assertThat(memory.contains("k" + i)).as("k%d", i).isTrue();
        }
        assertThat(memory.contains("k0")).isFalse();
        assertThat(memory.size()).isBetween(capacity, 2 * capacity);
    }

    @Test
    void aKeyAddedAgainCountsAsRecent() {
        BoundedKeyMemory memory = new BoundedKeyMemory(3);
        memory.add("old");
        memory.add("a");
        memory.add("b");
        memory.add("c"); // "old" now in the previous generation

        assertThat(memory.add("old")).isFalse(); // known: moved to the current generation
        memory.add("d");
        memory.add("e"); // a new generation: the one that held a and b is dropped
        memory.add("f");
        memory.add("g");

        assertThat(memory.contains("old")).isTrue();
        assertThat(memory.contains("a")).isFalse();
        assertThat(memory.size()).isLessThanOrEqualTo(6);
    }

    @Test
    void removeForgetsAKeyInEitherGeneration() {
        BoundedKeyMemory memory = new BoundedKeyMemory(2);
        memory.add("a");
        memory.add("b");
        memory.add("c"); // a, b previous; c current

        assertThat(memory.remove("a")).isTrue();
        assertThat(memory.remove("c")).isTrue();
        assertThat(memory.remove("c")).isFalse();
        assertThat(memory.remove("never")).isFalse();

        assertThat(memory.contains("a")).isFalse();
        assertThat(memory.contains("c")).isFalse();
        assertThat(memory.contains("b")).isTrue();
        assertThat(memory.add("a")).isTrue();
        assertThat(memory.add("c")).isTrue();
        assertThat(memory.size()).isEqualTo(3);
    }

    @Test
    void clearAndStopForgetEverything() {
        BoundedKeyMemory memory = new BoundedKeyMemory(2);
        memory.start();
        memory.add("a");
        memory.add("b");
        memory.add("c");

        memory.clear();
        assertThat(memory.size()).isZero();
        assertThat(memory.contains("a")).isFalse();
        assertThat(memory.contains("c")).isFalse();

        memory.add("d");
        memory.stop();
        assertThat(memory.contains("d")).isFalse();
    }

    @Test
    void rejectsACapacityBelowOne() {
        assertThatThrownBy(() -> new BoundedKeyMemory(0)).isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * Threads add in rounds (a barrier between rounds), so the keys of the last two rounds are the last
     * {@code capacity} added whatever the interleaving; within a round, a key is found right after its add.
     */
    @Test
    void concurrentAddsLoseNothingRecent() throws Exception {
        int threads = 4;
        int rounds = 50;
        int perRound = 1000;
        int capacity = 2 * threads * perRound;
        BoundedKeyMemory memory = new BoundedKeyMemory(capacity);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CyclicBarrier barrier = new CyclicBarrier(threads);
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                workers.add(pool.submit(() -> {
                    for (int round = 0; round < rounds; round++) {
                        barrier.await(30, TimeUnit.SECONDS);
                        for (int i = 0; i < perRound; i++) {
                            String key = thread + ":" + round + ":" + i;
                            assertThat(memory.add(key)).isTrue();
                            assertThat(memory.contains(key)).as(key).isTrue();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> worker : workers) {
                worker.get(60, TimeUnit.SECONDS);
            }

            for (int t = 0; t < threads; t++) {
                for (int round = rounds - 2; round < rounds; round++) {
                    for (int i = 0; i < perRound; i++) {
                        assertThat(memory.contains(t + ":" + round + ":" + i)).isTrue();
                    }
                }
            }
            assertThat(memory.size()).isBetween(capacity, 2 * capacity);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void concurrentAddsOfTheSameKeysAddEachOnce() throws Exception {
        BoundedKeyMemory memory = new BoundedKeyMemory(100_000);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<Integer>> added = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                added.add(pool.submit(() -> {
                    start.await();
                    int n = 0;
                    for (int i = 0; i < 20_000; i++) {
                        if (memory.add("k" + i)) {
                            n++;
                        }
                    }
                    return n;
                }));
            }
            start.countDown();
            int total = 0;
            for (Future<Integer> n : added) {
                total += n.get(60, TimeUnit.SECONDS);
            }
            assertThat(total).isEqualTo(20_000);
            assertThat(memory.size()).isEqualTo(20_000);
        } finally {
            pool.shutdownNow();
        }
    }
}
