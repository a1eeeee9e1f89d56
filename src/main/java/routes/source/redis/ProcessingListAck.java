package routes.source.redis;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.springframework.data.redis.core.RedisTemplate;

/**
 * Removes completed entries from a processing list, each once ({@link RedisScripts#ACK}): an entry's
 * removal never takes another entry with it, whatever order the batches finish in.
 *
 * <p>Entries of {@value #REMOVED_ALONE_FROM} bytes or more are removed alone, one {@code LREM} each, outside the
 * script. Redis's Lua hashes every byte of every string it creates (~1.5 ms per MiB on the benchmark's machine),
 * and the script creates each entry twice (its argument, {@code LINDEX}'s reply); {@code LREM} compares with
 * {@code memcmp} and skips entries of another length at once. Removing the oversized messages (over 1 MiB,
 * dead-lettered as {@code too_large}; 0.14 % of the benchmark's mix) this way took 30 % off Redis's CPU in
 * a 200,000-event drain (docs/benchmarks.md, session 19).
 */
final class ProcessingListAck {

    /** Well above an ordinary event, well below the 1 MiB limit: a separate round trip costs less from here. */
    static final int REMOVED_ALONE_FROM = 64 * 1024;

    private final RedisTemplate<String, byte[]> redis;
    private final String processingList;
    private final List<String> keys;

    ProcessingListAck(RedisTemplate<String, byte[]> redis, String processingList) {
        this.redis = redis;
        this.processingList = processingList;
        this.keys = List.of(processingList);
    }

    /**
     * Removes each entry (as it sits in the list: stamp, then payload) once; large ones first, so that the
     * others of a batch lie side by side again for the script. Returns how many were still there.
     */
    long acknowledge(List<byte[]> entries) {
        long removed = 0;
        List<Object> args = new ArrayList<>(entries.size() + 1);
        args.add(marker());
        for (byte[] entry : entries) {
            if (entry.length >= REMOVED_ALONE_FROM) {
                Long n = redis.opsForList().remove(processingList, -1, entry);
                removed += n == null ? 0 : n;
            } else {
                args.add(entry);
            }
        }
        if (args.size() > 1) {
            Long n = redis.execute(RedisScripts.ACK, keys, args.toArray());
            removed += n == null ? 0 : n;
        }
        return removed;
    }

    /**
     * A marker no entry can equal: entries in the processing list start {@code ir1|} (stamped at take) or
     * are a producer's message moved there by another tool, never this prefix with a random UUID.
     */
    private static byte[] marker() {
        return ("ir1-ack|" + UUID.randomUUID()).getBytes(StandardCharsets.US_ASCII);
    }
}
