package io.strata.engine.types;

/**
 * A stream entry id: two unsigned 64-bit numbers, milliseconds and sequence, ordered unsigned.
 *
 * <p>Any thread: immutable.
 */
public final class StreamId implements Comparable<StreamId> {
    public static final StreamId ZERO = new StreamId(0, 0);
    /** UINT64_MAX-UINT64_MAX. */
    public static final StreamId MAX = new StreamId(-1L, -1L);

    public final long ms;
    public final long seq;

    public StreamId(long ms, long seq) {
        this.ms = ms;
        this.seq = seq;
    }

    public boolean isZero() {
        return ms == 0 && seq == 0;
    }

    public boolean isMax() {
        return ms == -1L && seq == -1L;
    }

    /** The next id, or null past the last possible one (Redis' streamIncrID failing). */
    public StreamId next() {
        if (seq == -1L) {
            return ms == -1L ? null : new StreamId(ms + 1, 0);
        }
        return new StreamId(ms, seq + 1);
    }

    /** The previous id, or null before 0-0 (Redis' streamDecrID failing). */
    public StreamId prev() {
        if (seq == 0) {
            return ms == 0 ? null : new StreamId(ms - 1, -1L);
        }
        return new StreamId(ms, seq - 1);
    }

    @Override
    public int compareTo(StreamId o) {
        int c = Long.compareUnsigned(ms, o.ms);
        return c != 0 ? c : Long.compareUnsigned(seq, o.seq);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StreamId && ((StreamId) o).ms == ms && ((StreamId) o).seq == seq;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(ms) * 31 + Long.hashCode(seq);
    }

    @Override
    public String toString() {
        return Long.toUnsignedString(ms) + "-" + Long.toUnsignedString(seq);
    }

    public byte[] bytes() {
        return bytes(ms, seq);
    }

    /** "ms-seq" in ASCII, both unsigned, without going through a String (every XADD replies one). */
    public static byte[] bytes(long ms, long seq) {
        int lm = digits(ms);
        int ls = digits(seq);
        byte[] b = new byte[lm + 1 + ls];
        put(b, lm, ms);
        b[lm] = '-';
        put(b, b.length, seq);
        return b;
    }

    private static int digits(long v) {
        if (v < 0) {
            return Long.toUnsignedString(v).length(); // 2^63 and above: rare
        }
        int n = 1;
        for (long p = 10; n < 19 && v >= p; p *= 10) {
            n++;
        }
        return n;
    }

    /** Writes unsigned {@code v} so that its last digit lands at {@code end - 1}. */
    private static void put(byte[] b, int end, long v) {
        int i = end;
        if (v < 0) {
            long q = Long.divideUnsigned(v, 10);
            b[--i] = (byte) ('0' + (v - q * 10));
            v = q;
        }
        do {
            b[--i] = (byte) ('0' + v % 10);
            v /= 10;
        } while (v != 0);
    }
}
