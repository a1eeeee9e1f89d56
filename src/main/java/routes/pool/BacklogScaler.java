package routes.pool;

import java.util.function.IntConsumer;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * Sizes a consumer pool from its backlog: on each {@link #tick()}, grows at once to
 * {@code ceil(depth / scaleUpDepth)} threads when the depth per thread passes {@code scaleUpDepth},
 * and shrinks by one thread per tick while the queue is empty — always within {@code [min, max]}.
 * Growing fast and shrinking slowly keeps a bursty queue from making the pool flap.
 */
public class BacklogScaler {

    private final LongSupplier depth;
    private final IntSupplier current;
    private final IntConsumer resize;
    private final int min;
    private final int max;
    private final int scaleUpDepth;

    /**
     * @param depth        messages waiting (negative: unknown, nothing changes)
     * @param current      threads now
     * @param resize       sets the number of threads
     * @param scaleUpDepth waiting messages per thread above which the pool grows
     */
    public BacklogScaler(LongSupplier depth, IntSupplier current, IntConsumer resize, int min, int max,
                         int scaleUpDepth) {
        if (min < 0 || max < Math.max(1, min) || scaleUpDepth < 1) {
            throw new IllegalArgumentException("need 0 <= min <= max, max >= 1, scaleUpDepth >= 1");
        }
        this.depth = depth;
        this.current = current;
        this.resize = resize;
        this.min = min;
        this.max = max;
        this.scaleUpDepth = scaleUpDepth;
    }

    /** Looks at the backlog once and resizes when needed; returns the target size. */
    public int tick() {
        long waiting = depth.getAsLong();
        int now = current.getAsInt();
        int target = now;
        if (waiting < 0) {
            return now;
        }
        if (waiting > (long) now * scaleUpDepth) {
            target = (int) Math.min(max, (waiting + scaleUpDepth - 1) / scaleUpDepth);
        } else if (waiting == 0) {
            target = now - 1;
        }
        target = Math.max(min, Math.min(max, target));
        if (target != now) {
            resize.accept(target);
        }
        return target;
    }
}
