package routes.source.redis;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.camel.Processor;
import org.springframework.data.redis.connection.stream.MapRecord;
import org.springframework.data.redis.connection.stream.ReadOffset;
import org.springframework.data.redis.connection.stream.StreamOffset;
import org.springframework.data.redis.connection.stream.StreamReadOptions;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.RedisTemplate;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.DefaultRedisScript;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * Redis stream {@code key} → the route with a consumer group: XREADGROUP new entries, XACK once the route
 * completed them. A failed entry is left pending; entries pending longer than the visibility timeout
 * (failed, or taken by a crashed instance) are claimed with XAUTOCLAIM, their attempt count read from
 * the group's delivery counter.
 */
class RedisStreamConsumer extends RedisQueueConsumerSupport {

    /** XAUTOCLAIM + the delivery count of each claimed entry: returns id, count, payload triples. */
    private static final RedisScript<List> RECLAIM = new DefaultRedisScript<>("""
            local r = redis.call('XAUTOCLAIM', KEYS[1], ARGV[1], ARGV[2], ARGV[3], '0-0', 'COUNT', ARGV[4])
            local out = {}
            for _, m in ipairs(r[2]) do
              local id, fields, payload = m[1], m[2], ''
              if fields then
                for i = 1, #fields, 2 do if fields[i] == ARGV[5] then payload = fields[i + 1] end end
              end
              local p = redis.call('XPENDING', KEYS[1], ARGV[1], id, id, 1)
              local count = 1
              if p[1] then count = p[1][4] end
              out[#out + 1] = id
              out[#out + 1] = tostring(count)
              out[#out + 1] = payload
            end
            return out
            """, List.class);

    private final StringRedisTemplate redis;
    /** Payloads as the producer's bytes (never decoded), so a dead letter keeps them exactly. */
    private final RedisTemplate<String, byte[]> bytes;
    private final org.springframework.data.redis.connection.stream.Consumer groupConsumer;

    RedisStreamConsumer(RedisQueueEndpoint endpoint, Processor processor) {
        super(endpoint, processor);
        this.redis = endpoint.getComponent().redis();
        this.bytes = endpoint.getComponent().bytes();
        this.groupConsumer = org.springframework.data.redis.connection.stream.Consumer.from(
                endpoint.getGroup(), endpoint.getConsumerName());
    }

    @Override
    protected void prepare() {
        byte[] key = endpoint.getKey().getBytes(StandardCharsets.UTF_8);
        try {
            // From the start of the stream, so entries written before the group existed are consumed too.
            redis.execute((RedisCallback<String>) c -> c.streamCommands()
                    .xGroupCreate(key, endpoint.getGroup(), ReadOffset.from("0"), true));
        } catch (RuntimeException e) {
            if (!String.valueOf(rootMessage(e)).contains("BUSYGROUP")) {
                throw e;
            }
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    protected List<Delivery> take(int max) {
        List<MapRecord<String, Object, Object>> records = bytes.opsForStream().read(groupConsumer,
                StreamReadOptions.empty().count(max).block(Duration.ofSeconds(1)),
                StreamOffset.create(endpoint.getKey(), ReadOffset.lastConsumed()));
        if (records == null || records.isEmpty()) {
            return List.of();
        }
        List<Delivery> deliveries = new ArrayList<>(records.size());
        for (MapRecord<String, Object, Object> record : records) {
            Object payload = record.getValue().get(endpoint.getStreamField());
            deliveries.add(new Delivery(utf8(record.getId().getValue()),
                    payload instanceof byte[] b ? b : new byte[0], 0));
        }
        return deliveries;
    }

    @Override
    protected void acknowledge(List<Delivery> done) {
        String[] ids = done.stream().map(d -> new String(d.id(), StandardCharsets.US_ASCII)).toArray(String[]::new);
        redis.opsForStream().acknowledge(endpoint.getKey(), endpoint.getGroup(), ids);
    }

    @Override
    protected void redeliverLater(Delivery delivery, boolean countsAsAttempt, long delayMillis, byte[] requeueAs) {
        // Left pending: claimed again once idle past the visibility timeout (the group's delivery
        // counter then counts the attempt; a stream cannot hold an entry back for a chosen delay).
    }

    @Override
    @SuppressWarnings("unchecked")
    protected void maintain() {
        int permits = tryReserve(endpoint.getBatchSize());
        if (permits == 0) {
            return;
        }
        List<byte[]> claimed;
        try {
            claimed = bytes.execute(RECLAIM, List.of(endpoint.getKey()), utf8(endpoint.getGroup()),
                    utf8(endpoint.getConsumerName()), utf8(Long.toString(endpoint.visibilityTimeoutMillis())),
                    utf8(Integer.toString(permits)), endpoint.getStreamField().getBytes(StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            release(permits);
            throw e;
        }
        List<Delivery> deliveries = new ArrayList<>();
        for (int i = 0; claimed != null && i + 2 < claimed.size(); i += 3) {
            int count = Integer.parseInt(new String(claimed.get(i + 1), StandardCharsets.US_ASCII));
            deliveries.add(new Delivery(claimed.get(i), claimed.get(i + 2), count - 1));
        }
        release(permits - deliveries.size());
        dispatch(deliveries, endpoint.isBatching());
    }

    @Override
    protected long queueLength() {
        // A stream's backlog for the group is its lag; without it (Redis < 7) the pool does not scale.
        try {
            var groups = redis.opsForStream().groups(endpoint.getKey());
            for (var group : groups) {
                if (group.groupName().equals(endpoint.getGroup())) {
                    Object lag = group.getRaw().get("lag");
                    return lag instanceof Number n ? n.longValue() : -1;
                }
            }
        } catch (RuntimeException e) {
            return -1;
        }
        return -1;
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage() + " " + e.getMessage();
    }
}
