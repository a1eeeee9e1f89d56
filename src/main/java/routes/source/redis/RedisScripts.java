package routes.source.redis;

import java.util.List;
import org.springframework.data.redis.core.script.DefaultRedisScript;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * The Lua scripts of the list queue. Each runs atomically in Redis, so several app instances can take,
 * acknowledge, retry and recover entries of one list without a lock, and nothing is ever in neither
 * list. Times come from Redis ({@code TIME}), never from an app instance's clock.
 */
final class RedisScripts {

    private static final String NOW = """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            """;

    /**
     * Takes up to ARGV[1] entries from the right of KEYS[1] (the queue) into the left of KEYS[2] (the
     * processing list), stamped with the Redis time and the delivery count ({@code ir1|<now>|<count>|}
     * before the payload); returns each as two elements, its stamp and its payload, so that the app gets the
     * payload as an array of its own without copying it out of the entry.
     */
    static final RedisScript<List> TAKE = new DefaultRedisScript<>(NOW + """
            local popped = redis.call('RPOP', KEYS[1], tonumber(ARGV[1]))
            if not popped then return {} end
            local entries, out = {}, {}
            for i, e in ipairs(popped) do
              local d, p = '0', e
              local head, dd = string.match(e, '^(ir1|%d+|(%d+)|)')
              if head then d = dd; p = string.sub(e, #head + 1) end
              local stamp = 'ir1|' .. string.format('%d', now) .. '|' .. d .. '|'
              entries[i] = stamp .. p
              out[2 * i - 1] = stamp
              out[2 * i] = p
            end
            for i = 1, #entries, 1000 do
              redis.call('LPUSH', KEYS[2], unpack(entries, i, math.min(i + 999, #entries)))
            end
            return out
            """, List.class);

    /**
     * A worker's own processing list ({@code ownProcessingList}): takes up to ARGV[1] entries from the
     * right of KEYS[1] into the left of KEYS[2] as they are (no stamp: nothing but this worker reads it).
     */
    static final RedisScript<List> TAKE_RAW = new DefaultRedisScript<>("""
            local popped = redis.call('RPOP', KEYS[1], tonumber(ARGV[1]))
            if not popped then return {} end
            for i = 1, #popped, 1000 do
              redis.call('LPUSH', KEYS[2], unpack(popped, i, math.min(i + 999, #popped)))
            end
            return popped
            """, List.class);

    /**
     * Removes each entry of ARGV[2..] once from KEYS[1] (the processing list), an entry given whole (its stamp,
     * then its payload; just the payload for an entry taken as it is); ARGV[1] is a marker unique to the call.
     * Entries taken together lie together, in take order from the oldest end (right): each is looked for next
     * to the one before it ({@code LINDEX}), else found by one scan from the oldest end ({@code LPOS}), and
     * overwritten by the marker; one {@code LREM} of the markers then removes them all.
     * One {@code LREM} per entry scanned from the oldest end past every older entry still in flight: with
     * four pollers and two writers the batches finish out of take order, and those scans were 60 % of the
     * Redis server's CPU in the deployed benchmark (12.7 µs a removal, docs/benchmarks.md). Large entries
     * never come here ({@link ProcessingListAck}).
     */
    static final RedisScript<Long> ACK = new DefaultRedisScript<>("""
            local key, marker = KEYS[1], ARGV[1]
            local len = redis.call('LLEN', key)
            local marked, at = 0, nil
            for i = 2, #ARGV do
              local e, found = ARGV[i], nil
              if at and at > -len and redis.call('LINDEX', key, at - 1) == e then
                found = at - 1
              else
                local pos = redis.call('LPOS', key, e, 'RANK', -1)
                if pos then found = pos - len end
              end
              if found then
                redis.call('LSET', key, found, marker)
                marked = marked + 1
                at = found
              end
            end
            if marked > 0 then redis.call('LREM', key, -marked, marker) end
            return marked
            """, Long.class);

    /**
     * A failed delivery with budget left: removes ARGV[1] from KEYS[1] (processing) and parks ARGV[2]
     * (its re-queued form) in KEYS[2] (the delayed set) due ARGV[3] ms from now; KEYS[3] is a counter
     * that keeps identical messages distinct members; with ARGV[4] = '1' (an own processing list) the
     * member is the entry itself. Does nothing when the recoverer already put the entry back (it is
     * then in the queue again).
     */
    static final RedisScript<Long> RETRY_LATER = new DefaultRedisScript<>(NOW + """
            if redis.call('LREM', KEYS[1], -1, ARGV[1]) == 0 then return 0 end
            if ARGV[4] == '1' then
              redis.call('ZADD', KEYS[2], now + tonumber(ARGV[3]), ARGV[2])
              return 1
            end
            local seq = redis.call('INCR', KEYS[3])
            redis.call('ZADD', KEYS[2], now + tonumber(ARGV[3]), seq .. '|' .. ARGV[2])
            return 1
            """, Long.class);

    /**
     * Moves up to ARGV[1] due members of KEYS[1] (the delayed set) to the consuming end of KEYS[2]; with
     * ARGV[2] = '1' the members are entries as they are (no sequence prefix to strip).
     */
    static final RedisScript<Long> MOVE_DUE = new DefaultRedisScript<>(NOW + """
            local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))
            for _, m in ipairs(due) do
              redis.call('ZREM', KEYS[1], m)
              if ARGV[2] == '1' then
                redis.call('RPUSH', KEYS[2], m)
              else
                local bar = string.find(m, '|', 1, true)
                redis.call('RPUSH', KEYS[2], string.sub(m, bar + 1))
              end
            end
            return #due
            """, Long.class);

    /**
     * The recoverer: entries are pushed to the left of KEYS[1] (processing) in the order they were taken,
     * so the oldest is at the right. Moves up to ARGV[2] entries taken more than ARGV[1] ms ago back to
     * the consuming end of KEYS[2] (the queue), counting the lost delivery. An entry not in our form
     * (moved there by another tool) cannot be dated and is put back as it is.
     */
    static final RedisScript<Long> RECOVER = new DefaultRedisScript<>(NOW + """
            local n = 0
            while n < tonumber(ARGV[2]) do
              local e = redis.call('LINDEX', KEYS[1], -1)
              if not e then break end
              local head, taken, d = string.match(e, '^(ir1|(%d+)|(%d+)|)')
              if head and now - tonumber(taken) < tonumber(ARGV[1]) then break end
              redis.call('RPOP', KEYS[1])
              if head then
                redis.call('RPUSH', KEYS[2], 'ir1|0|' .. (tonumber(d) + 1) .. '|' .. string.sub(e, #head + 1))
              else
                redis.call('RPUSH', KEYS[2], e)
              end
              n = n + 1
            end
            return n
            """, Long.class);

    private RedisScripts() {
    }
}
