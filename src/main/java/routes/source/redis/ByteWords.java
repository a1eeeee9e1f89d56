package routes.source.redis;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Eight bytes of an array read as one {@code long}, and the classic tests on such a word ("has a byte below
 * n", "has a zero byte"): the scans over a message's bytes (the escapes of a dead letter's body, its UTF-8
 * check, the enqueue-time field) skip plain runs eight bytes at a time. Each test can only report a byte above
 * a true one (through a borrow), so its answer for the word as a whole is exact; a byte with the high bit set
 * (non-ASCII) never counts as below {@code n} or equal to an ASCII byte.
 */
final class ByteWords {

    static final int SIZE = Long.BYTES;

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGH_BITS = 0x8080808080808080L;

    private ByteWords() {
    }

    /** The eight bytes from {@code at} (which must have eight bytes after it). */
    static long at(byte[] bytes, int at) {
        return (long) LONGS.get(bytes, at);
    }

    /** A word of eight copies of the ASCII byte {@code b}. */
    static long repeated(int b) {
        return ONES * (b & 0x7F);
    }

    /** Whether any byte of {@code word} is the ASCII byte of which {@code copies} is {@link #repeated}. */
    static boolean hasByte(long word, long copies) {
        long x = word ^ copies;
        return ((x - ONES) & ~x & HIGH_BITS) != 0;
    }

    /** Whether any byte of {@code word} is an ASCII byte below the one of which {@code copies} is {@link #repeated}. */
    static boolean hasByteBelow(long word, long copies) {
        return ((word - copies) & ~word & HIGH_BITS) != 0;
    }

    /** Whether every byte of {@code word} is ASCII. */
    static boolean allAscii(long word) {
        return (word & HIGH_BITS) == 0;
    }
}
