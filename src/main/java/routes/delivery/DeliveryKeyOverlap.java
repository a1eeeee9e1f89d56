package routes.delivery;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import routes.source.redis.RedisSourceProperties;

/**
 * Refuses a configuration where the Redis ingest source and the delivery worker use the same Redis
 * keys: each would take the other's messages (telemetry POSTed to the main server, deliveries written
 * as telemetry or dead-lettered as invalid), and each would move the other's retries. The
 * {@code delivery} profile uses {@code message_queue}, the ingest source's default, and therefore
 * switches that source off.
 */
public final class DeliveryKeyOverlap {

    private DeliveryKeyOverlap() {
    }

    /** Fails when {@code redis} is enabled and shares a key with {@code delivery}; the message names both keys. */
    public static void check(DeliveryProperties delivery, RedisSourceProperties redis) {
        if (redis == null || !redis.enabled()) {
            return;
        }
        Map<String, String> deliveryKeys = new LinkedHashMap<>();
        deliveryKeys.put("ingest.delivery.queue", delivery.queue());
        deliveryKeys.put("ingest.delivery.delayed-set", delivery.delayedSet());
        deliveryKeys.put("ingest.delivery.dlq", delivery.dlq());
        deliveryKeys.put("ingest.delivery processing list", delivery.processingList());
        Map<String, String> sourceKeys = new LinkedHashMap<>();
        sourceKeys.put("ingest.sources.redis.queue", redis.queue());
        sourceKeys.put("ingest.sources.redis.processing-list", redis.processingList());
        sourceKeys.put("ingest.sources.redis.delayed-set", redis.delayedSet());
        sourceKeys.put("ingest.sources.redis.dlq", redis.dlq());
        List<String> shared = new ArrayList<>();
        deliveryKeys.forEach((dKey, dValue) -> sourceKeys.forEach((sKey, sValue) -> {
            if (dValue.equals(sValue)) {
                shared.add(dKey + " = " + sKey + " = \"" + dValue + "\"");
            }
        }));
        if (!shared.isEmpty()) {
            throw new IllegalStateException("The Redis ingest source and the delivery worker are configured on the same "
                    + "Redis keys (" + String.join("; ", shared) + "): each would take the other's messages. Switch "
                    + "the ingest source off (ingest.sources.redis.enabled=false, as the delivery profile does) or "
                    + "give one of them other keys.");
        }
    }
}
