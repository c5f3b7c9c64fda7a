package io.strata.engine.command;

import io.strata.engine.util.Bytes;
import io.strata.engine.util.Numbers;

/**
 * The arguments of one command as slices of a byte array (the connection's query buffer),
 * so decoding a command allocates nothing: no String for the name, no argument list.
 *
 * <p>Thread rule: owned by the thread that filled it; a handler may read it only while it runs.
 * Anything kept beyond the call (a value stored in the keyspace, a queued MULTI command) must be
 * copied with {@link #bytes(int)} or {@link #copy()}.
 */
public final class Args {
    private byte[] buf;
    private int[] off;
    private int[] len;
    private int argc;

    public Args(int capacity) {
        off = new int[capacity];
        len = new int[capacity];
        buf = Bytes.EMPTY;
    }

    public static Args of(byte[]... parts) {
        int total = 0;
        for (byte[] p : parts) {
            total += p.length;
        }
        Args a = new Args(Math.max(1, parts.length));
        a.buf = new byte[total];
        int pos = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, a.buf, pos, p.length);
            a.off[a.argc] = pos;
            a.len[a.argc] = p.length;
            a.argc++;
            pos += p.length;
        }
        return a;
    }

    public static Args of(String... parts) {
        byte[][] b = new byte[parts.length][];
        for (int i = 0; i < parts.length; i++) {
            b[i] = Bytes.utf8(parts[i]);
        }
        return of(b);
    }

    // ---- filling (decoder side) ----

    public void reset(byte[] buffer) {
        this.buf = buffer;
        this.argc = 0;
    }

    public void setBuffer(byte[] buffer) {
        this.buf = buffer;
    }

    public void add(int offset, int length) {
        if (argc == off.length) {
            int n = off.length * 2;
            off = java.util.Arrays.copyOf(off, n);
            len = java.util.Arrays.copyOf(len, n);
        }
        off[argc] = offset;
        len[argc] = length;
        argc++;
    }

    /** Shifts every offset after the query buffer was compacted by {@code delta} bytes. */
    public void shift(int delta) {
        for (int i = 0; i < argc; i++) {
            off[i] -= delta;
        }
    }

    // ---- reading (handler side) ----

    public int argc() {
        return argc;
    }

    public byte[] buf() {
        return buf;
    }

    public int off(int i) {
        return off[i];
    }

    public int len(int i) {
        return len[i];
    }

    /** A copy of argument {@code i}, for values that outlive the call. */
    public byte[] bytes(int i) {
        byte[] b = new byte[len[i]];
        System.arraycopy(buf, off[i], b, 0, len[i]);
        return b;
    }

    public String str(int i) {
        return Bytes.str(buf, off[i], len[i]);
    }

    /** Case-insensitive compare with a lower-case ASCII constant. */
    public boolean is(int i, byte[] lower) {
        return Bytes.equalsIgnoreCase(lower, buf, off[i], len[i]);
    }

    public boolean isLong(int i) {
        return Numbers.isLong(buf, off[i], len[i]);
    }

    /** Precondition: {@link #isLong(int)}. */
    public long longAt(int i) {
        return Numbers.parseLong(buf, off[i], len[i]);
    }

    /** NaN when the argument is not a valid float. */
    public double doubleAt(int i) {
        return Numbers.parseDouble(buf, off[i], len[i]);
    }

    /** A self-contained copy (own buffer) that may be kept after the call. */
    public Args copy() {
        byte[][] parts = new byte[argc][];
        for (int i = 0; i < argc; i++) {
            parts[i] = bytes(i);
        }
        return of(parts);
    }

    /** A copy of arguments {@code from..argc-1}. */
    public Args tail(int from) {
        byte[][] parts = new byte[argc - from][];
        for (int i = from; i < argc; i++) {
            parts[i - from] = bytes(i);
        }
        return of(parts);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < argc; i++) {
            if (i > 0) {
                sb.append(' ');
            }
            sb.append(str(i));
        }
        return sb.toString();
    }
}
