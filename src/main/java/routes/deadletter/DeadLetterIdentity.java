package routes.deadletter;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.apache.camel.Exchange;
import routes.pipeline.IngestExchange;
import routes.pipeline.Sha256;
import routes.source.nats.JetStreamConsumer;

/**
 * The identity of a dead letter ({@code dead_letters.dead_letter_id}, header {@code x-dead-letter-id}):
 * the same for every delivery of one message, so that a redelivery after a crash, a nak or a Redis
 * visibility-timeout recovery finds the dead letter already recorded (CONTRACT §2).
 * <p>{@code <source>:<32 hex>}, the first 128 bits of a SHA-256 over the source, the queue, the
 * broker's identity of the message where it has one, and the body:
 * <ul>
 *   <li>RabbitMQ: the message id (AMQP {@code message-id}) when the producer set one, else the body alone;</li>
 *   <li>NATS: the stream sequence (unique in the stream; the body guards against a recreated stream);</li>
 *   <li>Redis (list and stream): the body alone — an entry has no identity of its own that survives a retry;</li>
 *   <li>delivery: the delivery message id.</li>
 * </ul>
 * A replay carries the identity of the dead letter it replays ({@code x-dead-letter-id}, or set by the
 * replayer), so a replay that fails again is recorded on the same dead letter.
 */
public final class DeadLetterIdentity {

    private static final int MAX_CARRIED = 200;

    private DeadLetterIdentity() {
    }

    /** The identity of the dead letter of the message in {@code exchange}, whose received body is {@code body}. */
    public static String of(Exchange exchange, String source, String queue, byte[] body) {
        String replayed = carried(exchange);
        if (replayed != null) {
            return replayed;
        }
        String key = exchange.getProperty(IngestExchange.MESSAGE_ID, String.class);
        if (key == null) {
            Object sequence = exchange.getMessage().getHeader(JetStreamConsumer.STREAM_SEQUENCE);
            key = sequence == null ? null : "seq:" + sequence;
        }
        return of(source, queue, key, body);
    }

    /** {@code <source>:<32 hex>} over the parts; {@code messageKey} null when the broker gives the message none. */
    public static String of(String source, String queue, String messageKey, byte[] body) {
        MessageDigest sha256 = Sha256.digest();
        for (String part : new String[] {source, queue, messageKey}) {
            if (part != null) {
                sha256.update(part.getBytes(StandardCharsets.UTF_8));
            }
            sha256.update((byte) 0);
        }
        sha256.update(body);
        byte[] digest = sha256.digest();
        return source + ":" + HexFormat.of().formatHex(digest, 0, 16);
    }

    /** The identity a replay carries, when it is one we could have written (printable ASCII, bounded). */
    private static String carried(Exchange exchange) {
        String id = exchange.getProperty(IngestExchange.DEAD_LETTER_IDENTITY, String.class);
        if (id == null) {
            id = exchange.getMessage().getHeader(DeadLetterHeaders.DEAD_LETTER_ID, String.class);
        }
        if (id == null || id.isBlank() || id.length() > MAX_CARRIED || !id.chars().allMatch(c -> c > 32 && c < 127)) {
            return null;
        }
        return id;
    }
}
