package routes.status;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.apache.camel.Exchange;
import routes.pipeline.IngestExchange;
import routes.pipeline.Sha256;

/**
 * The id of a tracked message in {@code message_status}, as the job worker (seed 003) had it: the
 * producer's id when it gives one, else {@code sha256:<hex>} of the message's body, so that a
 * byte-identical message sent again is the same message. The producer's id, first found of:
 * <ol>
 *   <li>{@link IngestExchange#MESSAGE_ID}: RabbitMQ's {@code message-id} property, HTTP's {@code X-Message-Id};</li>
 *   <li>the {@code Nats-Msg-Id} header of a NATS message;</li>
 *   <li>a top-level {@code message_id} text field of a JSON body.</li>
 * </ol>
 * Not the event_id: since the per-row key, one event_id may span several messages.
 */
public final class MessageIds {

    /** NATS's de-duplication header (routes.source.nats.NatsSource.MSG_ID), as the consumer copies it. */
    static final String NATS_MSG_ID = "Nats-Msg-Id";
    static final String BODY_FIELD = "message_id";
    private static final int MAX_LENGTH = 200;
    private static final byte[] FIELD_BYTES = ("\"" + BODY_FIELD + "\"").getBytes(StandardCharsets.US_ASCII);
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private MessageIds() {
    }

    public static String of(Exchange message) {
        String id = usable(message.getProperty(IngestExchange.MESSAGE_ID, String.class));
        if (id == null) {
            id = usable(message.getMessage().getHeader(NATS_MSG_ID, String.class));
        }
        byte[] body = body(message);
        if (id == null) {
            id = bodyField(body);
        }
        return id != null ? id : hash(body);
    }

    /**
     * The id of a message published with this body, as the broker source will find it: the producer's id
     * when usable, else the body's {@code message_id} field, else its hash (HTTP {@code publish-to}).
     */
    public static String of(String producerId, byte[] body) {
        String id = usable(producerId);
        if (id == null) {
            id = bodyField(body);
        }
        return id != null ? id : hash(body);
    }

    /** The message as received: the body kept for the dead letters, else the body now. */
    static byte[] body(Exchange message) {
        Object body = message.getProperty(IngestExchange.ORIGINAL_BODY);
        if (body == null) {
            body = message.getMessage().getBody();
        }
        if (body instanceof byte[] bytes) {
            return bytes;
        }
        if (body instanceof String text) {
            return text.getBytes(StandardCharsets.UTF_8);
        }
        if (body instanceof JsonNode json) {
            return json.toString().getBytes(StandardCharsets.UTF_8); // an event of an HTTP request: compact JSON
        }
        byte[] converted = body == null ? null : message.getContext().getTypeConverter().tryConvertTo(byte[].class, body);
        return converted == null ? new byte[0] : converted;
    }

    /** {@code sha256:} and the hex SHA-256 of the body. */
    public static String hash(byte[] body) {
        return "sha256:" + HexFormat.of().formatHex(Sha256.of(body));
    }

    /** A top-level {@code message_id} text field; parsed only when the body holds the name at all. */
    static String bodyField(byte[] body) {
        if (indexOf(body, FIELD_BYTES) < 0) {
            return null;
        }
        try {
            JsonNode field = MAPPER.readTree(body).get(BODY_FIELD);
            return field != null && field.isTextual() ? usable(field.textValue()) : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** An id we keep as it is: printable ASCII, not blank, at most 200 characters. */
    static String usable(String id) {
        if (id == null || id.isBlank() || id.length() > MAX_LENGTH) {
            return null;
        }
        return id.chars().allMatch(c -> c >= 0x20 && c < 0x7f) ? id : null;
    }

    private static int indexOf(byte[] data, byte[] pattern) {
        outer:
        for (int i = 0; i <= data.length - pattern.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (data[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
