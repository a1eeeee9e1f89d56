package routes.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;

/**
 * The shared local Redis under the run's own key names: the exact bytes LPUSHed (as producers do),
 * what is left in the list, its processing list and its delayed set, and the DLQ list's wrappers
 * ({@code {"payload" | "payload_base64", "headers"}}) decoded back to bodies.
 */
final class RedisChaosBroker implements ChaosBroker {

    private static final int PUSH_BATCH = 500;
    private final ChaosConfig config;
    private final Jedis jedis;

    RedisChaosBroker(ChaosConfig config) {
        this.config = config;
        this.jedis = new Jedis(config.host(), config.port());
    }

    private String processing() {
        return config.queue() + ":processing";
    }

    private String delayed() {
        return config.queue() + ":delayed";
    }

    /**
     * The backlog appears whole, at once: pushed onto a staging list, then renamed onto the queue, so that an
     * app already consuming the queue (the deployed benchmark's warm drains) starts on the full backlog, not
     * racing this process's pushes.
     */
    @Override
    public void publish(List<byte[]> messages) {
        String staging = config.queue() + ":staging";
        jedis.del(config.queue(), processing(), delayed(), delayed() + ":seq", config.deadLetterQueue(), staging);
        byte[] key = staging.getBytes(StandardCharsets.UTF_8);
        Pipeline pipeline = jedis.pipelined();
        for (int i = 0; i < messages.size(); i += PUSH_BATCH) {
            pipeline.lpush(key, messages.subList(i, Math.min(messages.size(), i + PUSH_BATCH)).toArray(byte[][]::new));
        }
        pipeline.sync();
        if (!messages.isEmpty()) {
            jedis.rename(staging, config.queue());
        }
    }

    @Override
    public long leftInSource() {
        return jedis.llen(config.queue()) + jedis.llen(processing()) + jedis.zcard(delayed());
    }

    @Override
    public List<DeadLetterCopy> deadLetterCopies() throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        List<DeadLetterCopy> copies = new ArrayList<>();
        for (byte[] raw : jedis.lrange(config.deadLetterQueue().getBytes(StandardCharsets.UTF_8), 0, -1)) {
            JsonNode wrapper = mapper.readTree(raw);
            byte[] body = wrapper.has("payload_base64")
                    ? Base64.getDecoder().decode(wrapper.get("payload_base64").asText())
                    : wrapper.path("payload").asText("").getBytes(StandardCharsets.UTF_8);
            Map<String, String> headers = new LinkedHashMap<>();
            wrapper.path("headers").fields().forEachRemaining(e -> headers.put(e.getKey(), e.getValue().asText()));
            copies.add(new DeadLetterCopy(body, headers));
        }
        return copies;
    }

    @Override
    public void close() {
        jedis.close();
    }
}
