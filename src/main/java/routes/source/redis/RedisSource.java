package routes.source.redis;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.data.redis.connection.stream.RecordId;
import org.springframework.data.redis.connection.stream.StreamRecords;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.DefaultRedisScript;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;
import routes.source.IngestSource;

/**
 * The Redis source for the shared parts: queue depth (LLEN, or the consumer group's lag), publishing to
 * the list (LPUSH) or stream (XADD) for HTTP {@code publish-to: redis} and replay, and dead letters to
 * the DLQ list. A Redis reply is the broker confirm: Redis answers only once the command is applied.
 */
@Component
@ConditionalOnProperty(prefix = "ingest.sources.redis", name = "enabled", havingValue = "true")
public class RedisSource implements IngestSource {

    public static final String NAME = "redis";
    /** Wrapper fields of a dead letter in the DLQ list (a list entry carries no headers). */
    public static final String DLQ_PAYLOAD = "payload";
    public static final String DLQ_PAYLOAD_BASE64 = "payload_base64";
    public static final String DLQ_HEADERS = "headers";

    /** The group's lag (entries not yet delivered to it), or the stream length when Redis cannot tell. */
    private static final RedisScript<Long> STREAM_LAG = new DefaultRedisScript<>("""
            if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
            for _, g in ipairs(redis.call('XINFO', 'GROUPS', KEYS[1])) do
              local name, lag
              for i = 1, #g, 2 do
                if g[i] == 'name' then name = g[i + 1] elseif g[i] == 'lag' then lag = g[i + 1] end
              end
              if name == ARGV[1] then
                if type(lag) == 'number' then return lag end
                return redis.call('XLEN', KEYS[1])
              end
            end
            return redis.call('XLEN', KEYS[1])
            """, Long.class);

    private final StringRedisTemplate redis;
    private final RedisSourceProperties properties;
    private final ObjectMapper mapper;

    public RedisSource(StringRedisTemplate redis, RedisSourceProperties properties, ObjectMapper mapper) {
        this.redis = redis;
        this.properties = properties;
        this.mapper = mapper;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String queue() {
        return properties.queue();
    }

    @Override
    public long queueDepth() {
        try {
            Long depth = stream()
                    ? redis.execute(STREAM_LAG, List.of(properties.queue()), properties.group())
                    : redis.opsForList().size(properties.queue());
            return depth == null ? -1 : depth;
        } catch (RuntimeException e) {
            return -1;
        }
    }

    @Override
    public boolean carriesHeaders() {
        return false;
    }

    /** LPUSH (list) or XADD (stream) of the exact bytes; headers are not carried: a list entry has none. */
    @Override
    public void publish(byte[] body, Map<String, String> headers) {
        if (stream()) {
            byte[] key = properties.queue().getBytes(StandardCharsets.UTF_8);
            Map<byte[], byte[]> fields = Map.of(properties.streamField().getBytes(StandardCharsets.UTF_8), body);
            redis.execute((RedisCallback<RecordId>) c -> c.streamCommands()
                    .xAdd(StreamRecords.newRecord().in(key).ofBytes(fields)));
        } else {
            byte[] key = properties.queue().getBytes(StandardCharsets.UTF_8);
            redis.execute((RedisCallback<Long>) c -> c.listCommands().lPush(key, body));
        }
    }

    /**
     * LPUSH to the DLQ list of {@code {"payload": <original body as a JSON string>, "headers": {...}}}:
     * the body unchanged (JSON-decoding {@code payload} gives it back exactly), beside the CONTRACT §2
     * headers. A body that is not UTF-8 text travels as {@code payload_base64} instead.
     */
    @Override
    public void publishDeadLetter(byte[] body, Map<String, String> headers) throws Exception {
        byte[] key = properties.dlq().getBytes(StandardCharsets.UTF_8);
        byte[] entry = deadLetter(mapper, body, headers);
        redis.execute((RedisCallback<Long>) c -> c.listCommands().lPush(key, entry));
    }

    /**
     * One LPUSH of all the entries (as {@link #publishDeadLetter}), in their order: one round trip, and Redis
     * applies the command whole or not at all.
     */
    @Override
    public void publishDeadLetters(List<DeadLetterCopy> copies) throws Exception {
        if (copies.isEmpty()) {
            return;
        }
        byte[] key = properties.dlq().getBytes(StandardCharsets.UTF_8);
        byte[][] entries = new byte[copies.size()][];
        for (int i = 0; i < entries.length; i++) {
            entries[i] = deadLetter(mapper, copies.get(i).body(), copies.get(i).headers());
        }
        redis.execute((RedisCallback<Long>) c -> c.listCommands().lPush(key, entries));
    }

    @Override
    public void encodeDeadLetterForWarmup(byte[] body) throws IOException {
        deadLetter(mapper, body, Map.of());
    }

    /**
     * The DLQ entry as UTF-8 JSON bytes. A UTF-8 body is escaped straight from its bytes into an array of the
     * entry's exact size ({@link JsonStringBytes}): one copy of a body up to the size limit and over.
     */
    static byte[] deadLetter(ObjectMapper mapper, byte[] body, Map<String, String> headers) throws IOException {
        if (!Utf8.isValid(body)) {
            Map<String, Object> wrapper = new LinkedHashMap<>();
            wrapper.put(DLQ_PAYLOAD_BASE64, Base64.getEncoder().encodeToString(body));
            wrapper.put(DLQ_HEADERS, headers);
            return mapper.writeValueAsBytes(wrapper);
        }
        byte[] head = ("{\"" + DLQ_PAYLOAD + "\":\"").getBytes(StandardCharsets.UTF_8);
        byte[] headersObject = mapper.writeValueAsBytes(Map.of(DLQ_HEADERS, headers)); // {"headers":{...}}
        // {"payload":"<body escaped>","headers":{...}}: the headers object without its opening brace.
        byte[] entry = new byte[head.length + JsonStringBytes.escapedLength(body) + 2 + headersObject.length - 1];
        System.arraycopy(head, 0, entry, 0, head.length);
        int at = JsonStringBytes.writeEscaped(body, entry, head.length);
        entry[at++] = '"';
        entry[at++] = ',';
        System.arraycopy(headersObject, 1, entry, at, headersObject.length - 1);
        return entry;
    }

    private boolean stream() {
        return "stream".equals(properties.mode());
    }
}
