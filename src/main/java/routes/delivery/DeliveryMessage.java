package routes.delivery;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * One message to deliver, as it sits in the Redis queue and the delayed set:
 * {@code {"message_id", "payload", "attempts", "enqueued_at", "last_error"}}. Producers may push just
 * {@code {"message_id", "payload"}}; a body that is not such an object is the payload itself and gets
 * an id derived from its bytes, so every redelivery of it keeps the same id.
 *
 * @param messageId  the id the main server knows the message by
 * @param payload    the JSON sent as {@code payload}
 * @param attempts   delivery attempts already made
 * @param enqueuedAt when it was queued or became due again (epoch ms), 0 when unknown
 * @param lastError  the error of the last failed attempt, or null
 */
public record DeliveryMessage(String messageId, JsonNode payload, int attempts, long enqueuedAt, String lastError) {

    /** Reads a queue entry (or any raw body handed to {@code direct:deliver}). */
    public static DeliveryMessage parse(ObjectMapper mapper, String raw) {
        JsonNode node;
        try {
            node = mapper.readTree(raw);
        } catch (JsonProcessingException e) {
            node = null;
        }
        if (node != null && node.isObject() && node.hasNonNull("message_id")) {
            JsonNode payload = node.has("payload") ? node.get("payload") : node;
            return new DeliveryMessage(node.get("message_id").asText(), payload,
                    node.path("attempts").asInt(0), node.path("enqueued_at").asLong(0),
                    node.hasNonNull("last_error") ? node.get("last_error").asText() : null);
        }
        JsonNode payload = node != null ? node : mapper.getNodeFactory().textNode(raw);
        String id = UUID.nameUUIDFromBytes(raw.getBytes(StandardCharsets.UTF_8)).toString();
        return new DeliveryMessage(id, payload, 0, 0, null);
    }

    /** The same message after one more failed attempt, due again at {@code dueAt}. */
    public DeliveryMessage failed(String error, long dueAt) {
        return new DeliveryMessage(messageId, payload, attempts + 1, dueAt, error);
    }

    /** The queue entry for this message. */
    public String toJson(ObjectMapper mapper) {
        ObjectNode node = mapper.createObjectNode();
        node.put("message_id", messageId);
        node.set("payload", payload);
        node.put("attempts", attempts);
        node.put("enqueued_at", enqueuedAt);
        if (lastError != null) {
            node.put("last_error", lastError);
        }
        return node.toString();
    }

    /** The body POSTed to the main server. */
    public String deliveryBody(ObjectMapper mapper, String workerId) {
        ObjectNode node = mapper.createObjectNode();
        node.put("message_id", messageId);
        node.put("worker_id", workerId);
        node.set("payload", payload);
        return node.toString();
    }
}
