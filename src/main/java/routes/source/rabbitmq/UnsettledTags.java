package routes.source.rabbitmq;

/**
 * The unsettled delivery tags of one channel: in flight (delivered) or finished (to be acked). One bit
 * per tag in each of two rings of 64-bit words, from the lowest unsettled tag up to the highest delivered,
 * so marking a tag is O(1) without boxing and a search skips 64 settled tags per step — a {@code TreeSet<Long>}
 * cost {@link ChannelAcks} a tree insert and delete per message. Tags are positive and only grow, so
 * the low end settles and its words are reused; a tag held in flight far below the others makes the rings
 * grow to 2 bits per tag between it and the highest (they keep that size). Not thread-safe: the caller locks.
 */
final class UnsettledTags {

    static final long NONE = -1;

    private long[] inFlight = new long[64];
    private long[] finished = new long[64];
    /** No tag below is unsettled. */
    private long base = 0;
    /** One past the highest tag delivered. */
    private long end = 0;
    private int finishedCount;

    void delivered(long tag) {
        if (!fits(tag)) {
            trim();
            if (base == end) {
                base = end = tag; // nothing unsettled: start afresh here
            }
            while (!fits(tag)) {
                grow();
            }
        }
        base = Math.min(base, tag);
        end = Math.max(end, tag + 1);
        inFlight[word(tag)] |= bit(tag);
    }

    /** In flight → finished; false if the tag is not in flight (settled before, or unknown). */
    boolean finish(long tag) {
        if (!forget(tag)) {
            return false;
        }
        if ((finished[word(tag)] & bit(tag)) == 0) {
            finished[word(tag)] |= bit(tag);
            finishedCount++;
        }
        return true;
    }

    /** In flight → settled; false if the tag is not in flight. */
    boolean forget(long tag) {
        if (tag < base || tag >= end || (inFlight[word(tag)] & bit(tag)) == 0) {
            return false;
        }
        inFlight[word(tag)] &= ~bit(tag);
        return true;
    }

    int finished() {
        return finishedCount;
    }

    /** The lowest tag in flight; one past the highest delivered if none is. */
    long lowestInFlight() {
        long tag = next(inFlight, base);
        return tag == NONE ? end : tag;
    }

    /** The highest finished tag below {@code limit}, or {@link #NONE}. */
    long highestFinishedBelow(long limit) {
        return previous(finished, base, Math.min(limit, end));
    }

    /** The lowest finished tag from {@code from} on, or {@link #NONE}. */
    long nextFinished(long from) {
        return next(finished, Math.max(from, base));
    }

    /** Settles the finished tags below {@code limit}, which is at most the lowest in flight (they were acked). */
    void settleFinishedBelow(long limit) {
        limit = Math.min(limit, end);
        finishedCount -= clear(finished, base, limit);
        base = Math.max(base, limit);
    }

    /** Settles every finished tag (each was acked). */
    void settleAllFinished() {
        clear(finished, base, end);
        finishedCount = 0;
    }

    /** Moves {@link #base} up to the lowest unsettled tag, freeing the words below for reuse. */
    private void trim() {
        long lowestFinished = next(finished, base);
        long lowestInFlight = lowestInFlight();
        base = lowestFinished == NONE ? lowestInFlight : Math.min(lowestFinished, lowestInFlight);
    }

    /** Whether the rings hold every word from the lowest to the highest of base, end - 1 and tag. */
    private boolean fits(long tag) {
        long low = Math.min(base, tag);
        long high = Math.max(end - 1, tag);
        return (high >> 6) - (low >> 6) < inFlight.length;
    }

    private void grow() {
        long[] grownInFlight = new long[inFlight.length * 2];
        long[] grownFinished = new long[finished.length * 2];
        int oldMask = inFlight.length - 1;
        int mask = grownInFlight.length - 1;
        for (long word = base >> 6; word <= (end - 1) >> 6; word++) {
            grownInFlight[(int) word & mask] = inFlight[(int) word & oldMask];
            grownFinished[(int) word & mask] = finished[(int) word & oldMask];
        }
        inFlight = grownInFlight;
        finished = grownFinished;
    }

    /** The lowest tag from {@code from} to end whose bit is set, or {@link #NONE}. */
    private long next(long[] bits, long from) {
        if (from >= end) {
            return NONE;
        }
        long bitsAbove = bits[word(from)] & (-1L << from);
        for (long word = from >> 6; ; ) {
            if (bitsAbove != 0) {
                return (word << 6) + Long.numberOfTrailingZeros(bitsAbove);
            }
            if (++word > (end - 1) >> 6) {
                return NONE; // bits at and past end are never set
            }
            bitsAbove = bits[word(word << 6)];
        }
    }

    /** The highest tag in [from, to) whose bit is set, or {@link #NONE}. */
    private long previous(long[] bits, long from, long to) {
        if (to <= from) {
            return NONE;
        }
        long last = to - 1;
        long bitsBelow = bits[word(last)] & (-1L >>> (63 - (last & 63)));
        for (long word = last >> 6; ; ) {
            if (bitsBelow != 0) {
                long tag = (word << 6) + 63 - Long.numberOfLeadingZeros(bitsBelow);
                return tag >= from ? tag : NONE;
            }
            if (--word < from >> 6) {
                return NONE;
            }
            bitsBelow = bits[word(word << 6)];
        }
    }

    /** Clears the bits of [from, to); returns how many were set. */
    private int clear(long[] bits, long from, long to) {
        int cleared = 0;
        for (long tag = from; tag < to; tag = (tag | 63) + 1) {
            long mask = -1L << tag;
            if (to - 1 <= (tag | 63)) {
                mask &= -1L >>> (63 - ((to - 1) & 63));
            }
            cleared += Long.bitCount(bits[word(tag)] & mask);
            bits[word(tag)] &= ~mask;
        }
        return cleared;
    }

    private int word(long tag) {
        return (int) (tag >> 6) & (inFlight.length - 1);
    }

    private static long bit(long tag) {
        return 1L << tag; // Java shifts by tag & 63
    }
}
