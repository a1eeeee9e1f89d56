package routes.delivery;

import java.time.Duration;
import java.util.List;
import org.springframework.data.redis.core.ListOperations;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.DefaultRedisScript;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * The Redis side of delivery: the queue (a list producers LPUSH to), this worker's processing list
 * (what it holds right now, moved there atomically by BLMOVE), the delayed set (failed messages by
 * due time) and the dead-letter list. Every move between them is one atomic command or Lua script,
 * so a message is always in exactly one of them — whatever crashes when.
 */
public class DeliveryQueue {

    /** Failed attempt: park the new entry by due time and drop the processed one, atomically. */
    private static final RedisScript<Long> PARK = new DefaultRedisScript<>("""
            redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])
            if ARGV[3] ~= '' then redis.call('LREM', KEYS[2], 1, ARGV[3]) end
            return 1
            """, Long.class);

    /** Exhausted: push to the dead-letter list and drop the processed one, atomically. */
    private static final RedisScript<Long> BURY = new DefaultRedisScript<>("""
            redis.call('LPUSH', KEYS[1], ARGV[1])
            if ARGV[2] ~= '' then redis.call('LREM', KEYS[2], 1, ARGV[2]) end
            return 1
            """, Long.class);

    /** Due messages of the delayed set back to the queue (behind what waits), atomically per batch. */
    private static final RedisScript<Long> MOVE_DUE = new DefaultRedisScript<>("""
            local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
            for _, m in ipairs(due) do
              redis.call('ZREM', KEYS[1], m)
              redis.call('LPUSH', KEYS[2], m)
            end
            return #due
            """, Long.class);

    /** One message from processing back to the consuming end of the queue, so it is taken next. */
    private static final RedisScript<Long> RETURN = new DefaultRedisScript<>("""
            local n = redis.call('LREM', KEYS[1], 1, ARGV[1])
            if n > 0 then redis.call('RPUSH', KEYS[2], ARGV[1]) end
            return n
            """, Long.class);

    private final StringRedisTemplate redis;
    private final String queue;
    private final String processing;
    private final String delayed;
    private final String dlq;

    public DeliveryQueue(StringRedisTemplate redis, String queue, String processing, String delayed, String dlq) {
        this.redis = redis;
        this.queue = queue;
        this.processing = processing;
        this.delayed = delayed;
        this.dlq = dlq;
    }

    public static DeliveryQueue of(StringRedisTemplate redis, DeliveryProperties p) {
        return new DeliveryQueue(redis, p.queue(), p.processingList(), p.delayedSet(), p.dlq());
    }

    public String queue() {
        return queue;
    }

    public String processing() {
        return processing;
    }

    /** BLMOVE queue → processing (oldest first); null when nothing came within {@code timeout}. */
    public String take(Duration timeout) {
        return redis.opsForList().move(ListOperations.MoveFrom.fromTail(queue),
                ListOperations.MoveTo.toHead(processing), timeout);
    }

    /** Done with a taken message: remove it from processing. */
    public void ack(String raw) {
        redis.opsForList().remove(processing, 1, raw);
    }

    /**
     * Parks {@code entry} until {@code dueAt}; in the same step removes {@code taken} (null: nothing)
     * from the processing list {@code takenFrom} (null: this queue's).
     */
    public void park(String entry, long dueAt, String takenFrom, String taken) {
        redis.execute(PARK, List.of(delayed, takenFrom == null ? processing : takenFrom), Long.toString(dueAt), entry,
                taken == null ? "" : taken);
    }

    /** Pushes {@code entry} to the dead-letter list; removes {@code taken} from {@code takenFrom} in the same step. */
    public void bury(String entry, String takenFrom, String taken) {
        redis.execute(BURY, List.of(dlq, takenFrom == null ? processing : takenFrom), entry, taken == null ? "" : taken);
    }

    /** Moves up to {@code limit} messages due at {@code nowMillis} back to the queue; returns how many. */
    public long moveDue(long nowMillis, int limit) {
        Long moved = redis.execute(MOVE_DUE, List.of(delayed, queue), Long.toString(nowMillis), Integer.toString(limit));
        return moved == null ? 0 : moved;
    }

    /** Moves every due message back to the queue, in batches of {@code batch}; returns how many. */
    public long moveAllDue(int batch) {
        long total = 0;
        long moved;
        do {
            moved = moveDue(System.currentTimeMillis(), batch);
            total += moved;
        } while (moved == batch);
        return total;
    }

    /** Returns a taken message to the queue (it will be taken next). */
    public void giveBack(String raw) {
        redis.execute(RETURN, List.of(processing, queue), raw);
    }

    /** Everything left in processing (by a crash or a stop) back to the queue; returns how many. */
    public long recover() {
        long n = 0;
        while (redis.opsForList().move(ListOperations.MoveFrom.fromHead(processing),
                ListOperations.MoveTo.toTail(queue)) != null) {
            n++;
        }
        return n;
    }

    /** Messages waiting in the queue. */
    public long depth() {
        Long size = redis.opsForList().size(queue);
        return size == null ? 0 : size;
    }

    /** Messages waiting for their retry. */
    public long delayedCount() {
        Long size = redis.opsForZSet().zCard(delayed);
        return size == null ? 0 : size;
    }
}
