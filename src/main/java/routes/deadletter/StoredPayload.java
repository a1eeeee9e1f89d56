package routes.deadletter;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import routes.pipeline.ErrorType;
import routes.pipeline.Sha256;

/**
 * What the {@code dead_letters} table keeps of a dead letter's body (CONTRACT §2): the body itself as
 * text, or — when it is not clean UTF-8 text — as text with the exact bytes in {@code x-payload-base64};
 * for a {@code too_large} body over the configured prefix only its first bytes (cut before a UTF-8
 * continuation byte, so that a text body stays text), with its size ({@code x-payload-size}) and the
 * SHA-256 of the whole ({@code x-payload-sha256}), marked {@code x-payload-truncated}. The broker's
 * dead-letter copy always carries the whole body.
 *
 * @param text    the {@code payload} column
 * @param headers the headers the table keeps beside the ones every dead letter carries
 */
public record StoredPayload(String text, Map<String, String> headers) {

    /** {@code prefixBytes}: how much of a {@code too_large} body the table keeps. */
    public static StoredPayload of(byte[] body, String errorType, int prefixBytes) {
        Map<String, String> headers = new LinkedHashMap<>();
        int kept = body.length;
        if (ErrorType.TOO_LARGE.label().equals(errorType) && body.length > prefixBytes) {
            kept = prefixBytes;
            while (kept > 0 && (body[kept] & 0xC0) == 0x80) {
                kept--;
            }
            headers.put(DeadLetterHeaders.PAYLOAD_TRUNCATED, "true");
            headers.put(DeadLetterHeaders.PAYLOAD_SIZE, Integer.toString(body.length));
            headers.put(DeadLetterHeaders.PAYLOAD_SHA256, sha256(body));
        }
        String text = cleanText(body, kept);
        if (text == null) {
            text = new String(body, 0, kept, StandardCharsets.UTF_8).replace('\u0000', '\uFFFD');
            headers.put(DeadLetterHeaders.PAYLOAD_BASE64, Base64.getEncoder().encodeToString(
                    kept == body.length ? body : Arrays.copyOf(body, kept)));
        }
        return new StoredPayload(text, headers);
    }

    /** The first {@code length} bytes as text when they are valid UTF-8 without NUL (PostgreSQL text refuses it). */
    private static String cleanText(byte[] body, int length) {
        try {
            String text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(body, 0, length)).toString();
            return text.indexOf('\u0000') >= 0 ? null : text;
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    static String sha256(byte[] body) {
        return HexFormat.of().formatHex(Sha256.of(body));
    }
}
