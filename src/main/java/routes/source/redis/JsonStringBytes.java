package routes.source.redis;

import java.nio.charset.StandardCharsets;

/**
 * UTF-8 text written as the inside of a JSON string, straight from its bytes, into an array sized for it
 * beforehand: a dead letter's body may be over a mebibyte, and writing it through a growing buffer made
 * three copies of it (the buffer, its growth when the body's quotes are escaped, the final array). The
 * escapes are Jackson's for a UTF-8 string: {@code "} and {@code \}, the short forms of backspace, tab, line
 * feed, form feed and carriage return, a backslash-u00XX for the other control characters; every other byte is
 * copied as it is.
 *
 * <p>Both passes look for the bytes to escape eight at a time ({@link #nextEscape}): an oversized body is
 * mostly plain text, and a byte-at-a-time loop over it was 16 % of the app's CPU samples in a Redis drain
 * with the benchmark's mix (286 bodies over 1 MiB in 200,000 events).
 */
final class JsonStringBytes {

    private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);
    private static final long SPACES = ByteWords.repeated(' ');
    private static final long QUOTES = ByteWords.repeated('"');
    private static final long BACKSLASHES = ByteWords.repeated('\\');

    private JsonStringBytes() {
    }

    /** How many bytes {@link #writeEscaped} writes for {@code text}. */
    static int escapedLength(byte[] text) {
        int length = text.length;
        for (int i = nextEscape(text, 0); i < text.length; i = nextEscape(text, i + 1)) {
            length += shortEscape(text[i]) != 0 || !isControl(text[i]) ? 1 : 5;
        }
        return length;
    }

    /** Writes {@code text} escaped into {@code out} from {@code at}; returns the index after it. */
    static int writeEscaped(byte[] text, byte[] out, int at) {
        int from = 0;
        for (int i = nextEscape(text, 0); i < text.length; i = nextEscape(text, i + 1)) {
            byte b = text[i];
            System.arraycopy(text, from, out, at, i - from);
            at += i - from;
            from = i + 1;
            out[at++] = '\\';
            byte escape = isControl(b) ? shortEscape(b) : b;
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

    /** The index of the first byte from {@code from} that needs an escape, or {@code text.length}. */
    static int nextEscape(byte[] text, int from) {
        int i = from;
        while (i + ByteWords.SIZE <= text.length && !needsEscape(ByteWords.at(text, i))) {
            i += ByteWords.SIZE;
        }
        while (i < text.length && !needsEscape(text[i])) {
            i++;
        }
        return i;
    }

    /** Whether any of the eight bytes is a control character, a quote or a backslash. */
    private static boolean needsEscape(long word) {
        return ByteWords.hasByteBelow(word, SPACES) || ByteWords.hasByte(word, QUOTES)
                || ByteWords.hasByte(word, BACKSLASHES);
    }

    private static boolean needsEscape(byte b) {
        return isControl(b) || b == '"' || b == '\\';
    }

    private static boolean isControl(byte b) {
        return b >= 0 && b < 0x20;
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
