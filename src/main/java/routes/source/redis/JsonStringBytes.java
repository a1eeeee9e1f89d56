package routes.source.redis;

import java.nio.charset.StandardCharsets;

/**
 * UTF-8 text written as the inside of a JSON string, straight from its bytes, into an array sized for it
 * beforehand: a dead letter's body may be over a mebibyte, and writing it through a growing buffer made
 * three copies of it (the buffer, its growth when the body's quotes are escaped, the final array). The
 * escapes are Jackson's for a UTF-8 string: {@code "} and {@code \}, the short forms of backspace, tab, line
 * feed, form feed and carriage return, a backslash-u00XX for the other control characters; every other byte is
 * copied as it is.
 */
final class JsonStringBytes {

    private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);

    private JsonStringBytes() {
    }

    /** How many bytes {@link #writeEscaped} writes for {@code text}. */
    static int escapedLength(byte[] text) {
        int length = text.length;
        for (byte b : text) {
            if (b >= 0 && b < 0x20) {
                length += shortEscape(b) != 0 ? 1 : 5;
            } else if (b == '"' || b == '\\') {
                length++;
            }
        }
        return length;
    }

    /** Writes {@code text} escaped into {@code out} from {@code at}; returns the index after it. */
    static int writeEscaped(byte[] text, byte[] out, int at) {
        int from = 0;
        for (int i = 0; i < text.length; i++) {
            byte b = text[i];
            boolean control = b >= 0 && b < 0x20;
            if (!control && b != '"' && b != '\\') {
                continue;
            }
            System.arraycopy(text, from, out, at, i - from);
            at += i - from;
            from = i + 1;
            out[at++] = '\\';
            byte escape = control ? shortEscape(b) : b;
            if (escape != 0) {
                out[at++] = escape;
            } else {
                out[at++] = 'u';
                out[at++] = '0';
                out[at++] = '0';
                out[at++] = HEX[b >> 4];
                out[at++] = HEX[b & 0xF];
            }
        }
        System.arraycopy(text, from, out, at, text.length - from);
        return at + text.length - from;
    }

    /** The letter of a control character's short escape ({@code \n} ...), or 0 when it has none. */
    private static byte shortEscape(byte b) {
        return switch (b) {
            case '\b' -> 'b';
            case '\t' -> 't';
            case '\n' -> 'n';
            case '\f' -> 'f';
            case '\r' -> 'r';
            default -> 0;
        };
    }
}
