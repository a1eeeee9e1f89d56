package routes.source.redis;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
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
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGH_BITS = 0x8080808080808080L;
    private static final long SPACES = 0x2020202020202020L;
    private static final long QUOTES = 0x2222222222222222L;
    private static final long BACKSLASHES = 0x5C5C5C5C5C5C5C5CL;

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
        while (i + Long.BYTES <= text.length && !needsEscape((long) LONGS.get(text, i))) {
            i += Long.BYTES;
        }
        while (i < text.length && !needsEscape(text[i])) {
            i++;
        }
        return i;
    }

    /**
     * Whether any of the eight bytes is a control character, a quote or a backslash. Each term is the
     * classic "has a byte below n" test, which can only report a byte above a true one (through a borrow),
     * so the answer for the word as a whole is exact; bytes with the high bit set (non-ASCII) never count.
     */
    private static boolean needsEscape(long word) {
        long control = (word - SPACES) & ~word & HIGH_BITS;
        long quotes = word ^ QUOTES;
        long backslashes = word ^ BACKSLASHES;
        long quote = (quotes - ONES) & ~quotes & HIGH_BITS;
        long backslash = (backslashes - ONES) & ~backslashes & HIGH_BITS;
        return (control | quote | backslash) != 0;
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
