package io.strata.engine.types;

import io.strata.engine.util.Bytes;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.BiConsumer;

/**
 * A Redis hash: field → value. Two encodings, as Redis 7.0 reports them:
 * <ul>
 * <li>"listpack" — parallel arrays searched linearly, in insertion order (replacing a value keeps
 * its position, deleting closes the gap), while there are at most {@code hash-max-listpack-entries}
 * fields and no field or value is longer than {@code hash-max-listpack-value} bytes;</li>
 * <li>"hashtable" — a {@link ByteTable}, from the first write that breaks either limit on, for
 * good (Redis never converts back).</li>
 * </ul>
 * HGETALL, HKEYS, HSCAN… therefore answer in insertion order while small, like Redis.
 *
 * <p>Thread rule: keyspace thread only.
 */
public final class HashValue extends PackableValue {
    /*
     * Listpack encoding: the pair count, then the pairs in insertion order, each as
     * {@code len(field) field len(value) value}, all lengths LEB128 — one array per hash instead
     * of two per pair (measured before: 84 bytes of used_memory per field against Redis' 27). The
     * array is never changed in place; a key's entry keeps it with no HashValue around it
     * ({@link ValueHolder}).
     */

    private static final byte[] EMPTY = {0};

    public HashValue() {
        super(EMPTY);
    }

    /** A view of the listpack {@code owner} keeps. */
    HashValue(ValueHolder owner) {
        super(owner);
    }

    @Override
    int packedKind() {
        return ValueHolder.HASH;
    }

    /** The listpack array, or null when "hashtable". */
    private byte[] lp() {
        Object r = rep();
        return r instanceof byte[] ? (byte[]) r : null;
    }

    private void lp(byte[] a) {
        rep(a);
    }

    private ByteTable table() {
        Object r = rep();
        return r instanceof ByteTable ? (ByteTable) r : null;
    }

    @Override
    public String typeName() {
        return "hash";
    }

    @Override
    public String encoding() {
        return table() == null ? "listpack" : "hashtable";
    }

    public boolean isListpack() {
        return table() == null;
    }

    @Override
    public long size() {
        ByteTable t = table();
        return t != null ? t.size() : (int) readLen(lp(), 0);
    }

    private static int lenSize(int len) {
        return len < 0x80 ? 1 : len < 0x4000 ? 2 : len < 0x20_0000 ? 3 : len < 0x1000_0000 ? 4 : 5;
    }

    private static int putLen(byte[] b, int pos, int len) {
        while (len >= 0x80) {
            b[pos++] = (byte) (len | 0x80);
            len >>>= 7;
        }
        b[pos++] = (byte) len;
        return pos;
    }

    /**
     * The length stored at {@code pos} (low 32 bits) and the position after it (high 32 bits).
     * Stateless: a snapshot thread may read a captured value while the keyspace thread reads it too.
     */
    private static long readLen(byte[] b, int pos) {
        int len = 0;
        int shift = 0;
        while (true) {
            int x = b[pos++];
            len |= (x & 0x7f) << shift;
            if (x >= 0) {
                return (long) pos << 32 | len;
            }
            shift += 7;
        }
    }

    /** Offset of the first pair. */
    private static int first(byte[] p) {
        return (int) (readLen(p, 0) >>> 32);
    }

    /** Offset of the pair whose field equals {@code b[off, off+len)} in {@code p}, or -1. */
    private static int indexOf(byte[] p, byte[] b, int off, int len) {
        int n = (int) readLen(p, 0);
        int pos = first(p);
        for (int i = 0; i < n; i++) {
            long r = readLen(p, pos);
            int flen = (int) r;
            int f = (int) (r >>> 32);
            r = readLen(p, f + flen);
            int end = (int) (r >>> 32) + (int) r;
            if (flen == len && java.util.Arrays.equals(p, f, f + flen, b, off, off + len)) {
                return pos;
            }
            pos = end;
        }
        return -1;
    }

    /** {@code p} with its count set to {@code n} and bytes {@code [from, to)} replaced by {@code piece}. */
    private static byte[] splice(byte[] p, int n, int from, int to, byte[] piece) {
        if (n == 0) {
            return EMPTY;
        }
        int head = first(p);
        int nh = lenSize(n);
        byte[] out = new byte[nh + (from - head) + piece.length + (p.length - to)];
        putLen(out, 0, n);
        System.arraycopy(p, head, out, nh, from - head);
        System.arraycopy(piece, 0, out, nh + from - head, piece.length);
        System.arraycopy(p, to, out, nh + from - head + piece.length, p.length - to);
        return out;
    }

    /** The pairs as arrays, in order: {@code out[2i]} field, {@code out[2i+1]} value. */
    private static byte[][] unpack(byte[] p) {
        int n = (int) readLen(p, 0);
        byte[][] out = new byte[n * 2][];
        int pos = first(p);
        for (int i = 0; i < n; i++) {
            long r = readLen(p, pos);
            int flen = (int) r;
            int f = (int) (r >>> 32);
            out[2 * i] = java.util.Arrays.copyOfRange(p, f, f + flen);
            r = readLen(p, f + flen);
            int v = (int) (r >>> 32);
            int vlen = (int) r;
            out[2 * i + 1] = java.util.Arrays.copyOfRange(p, v, v + vlen);
            pos = v + vlen;
        }
        return out;
    }

    /** The value of a field, or null. */
    public byte[] get(byte[] b, int off, int len) {
        ByteTable t = table();
        if (t != null) {
            ByteTable.Node n = t.find(b, off, len);
            return n == null ? null : n.value;
        }
        byte[] p = lp();
        int pos = indexOf(p, b, off, len);
        if (pos < 0) {
            return null;
        }
        long r = readLen(p, pos + lenSize(len) + len);
        int v = (int) (r >>> 32);
        return java.util.Arrays.copyOfRange(p, v, v + (int) r);
    }

    public byte[] get(byte[] field) {
        return get(field, 0, field.length);
    }

    public boolean exists(byte[] b, int off, int len) {
        ByteTable t = table();
        if (t != null) {
            return t.find(b, off, len) != null;
        }
        return indexOf(lp(), b, off, len) >= 0;
    }

    /**
     * Sets a field, converting to "hashtable" first when the field or value is longer than
     * {@code maxValue} and afterwards when there are more than {@code maxEntries} fields
     * (Redis' hashTypeSet). Takes ownership of both arrays. Returns true when the field is new.
     */
    public boolean set(byte[] field, byte[] value, long maxEntries, long maxValue) {
        if (table() == null && (field.length > maxValue || value.length > maxValue)) {
            convert();
        }
        ByteTable t = table();
        if (t != null) {
            return t.put(field, value);
        }
        byte[] p = lp();
        int n = (int) readLen(p, 0);
        int pos = indexOf(p, field, 0, field.length);
        boolean added = pos < 0;
        int at = p.length;
        int oldEnd = at;
        if (!added) {
            // replace in place: the pair keeps its position, as in Redis' listpack
            at = pos + lenSize(field.length) + field.length;
            long r = readLen(p, at);
            oldEnd = (int) (r >>> 32) + (int) r;
        }
        byte[] piece = new byte[(added ? lenSize(field.length) + field.length : 0) + lenSize(value.length) + value.length];
        int w = 0;
        if (added) {
            w = putLen(piece, w, field.length);
            System.arraycopy(field, 0, piece, w, field.length);
            w += field.length;
        }
        w = putLen(piece, w, value.length);
        System.arraycopy(value, 0, piece, w, value.length);
        lp(splice(p, added ? n + 1 : n, at, oldEnd, piece));
        if (added && n + 1 > maxEntries) {
            convert();
        }
        return added;
    }

    /** Removes a field; returns true when it was there. */
    public boolean delete(byte[] b, int off, int len) {
        ByteTable t = table();
        if (t != null) {
            return t.remove(b, off, len) != null;
        }
        byte[] p = lp();
        int pos = indexOf(p, b, off, len);
        if (pos < 0) {
            return false;
        }
        long r = readLen(p, pos + lenSize(len) + len);
        int end = (int) (r >>> 32) + (int) r;
        lp(splice(p, (int) readLen(p, 0) - 1, pos, end, new byte[0]));
        return true;
    }

    /** Switches to "hashtable" for good; a view hands itself to its entry, which keeps it from now on. */
    private void convert() {
        ByteTable t = new ByteTable();
        byte[][] pairs = unpack(lp());
        for (int i = 0; i < pairs.length; i += 2) {
            t.put(pairs[i], pairs[i + 1]);
        }
        rep(t);
    }

    /** Visits every field and value, in insertion order while listpack-encoded. */
    public void forEach(BiConsumer<byte[], byte[]> visitor) {
        ByteTable t = table();
        if (t != null) {
            t.forEach(n -> visitor.accept(n.key, n.value));
            return;
        }
        byte[][] pairs = unpack(lp());
        for (int i = 0; i < pairs.length; i += 2) {
            visitor.accept(pairs[i], pairs[i + 1]);
        }
    }

    /**
     * One HSCAN step from {@code cursor}; returns the next cursor (0 when done). A listpack hash
     * is returned whole in one call with cursor 0, as Redis does.
     */
    public long scan(long cursor, long count, BiConsumer<byte[], byte[]> visitor) {
        ByteTable t = table();
        if (t == null) {
            forEach(visitor);
            return 0;
        }
        return t.scan(cursor, count, n -> visitor.accept(n.key, n.value));
    }

    /** A random {field, value}. Precondition: not empty. */
    public byte[][] random(Random rnd) {
        ByteTable t = table();
        if (t == null) {
            byte[][] pairs = unpack(lp());
            int i = rnd.nextInt(pairs.length / 2);
            return new byte[][] {pairs[2 * i], pairs[2 * i + 1]};
        }
        ByteTable.Node n = t.random(rnd);
        return new byte[][] {n.key, n.value};
    }

    /** {@code count} distinct random {field, value} pairs. Precondition: {@code count < size()}. */
    public List<byte[][]> randomDistinct(int count, Random rnd) {
        List<byte[][]> out = new ArrayList<>(count);
        ByteTable t = table();
        if (t == null) {
            byte[][] pairs = unpack(lp());
            int n = pairs.length / 2;
            int[] idx = new int[n];
            for (int i = 0; i < n; i++) {
                idx[i] = i;
            }
            for (int i = 0; i < count; i++) {
                int j = i + rnd.nextInt(n - i);
                int x = idx[i];
                idx[i] = idx[j];
                idx[j] = x;
                out.add(new byte[][] {pairs[2 * idx[i]], pairs[2 * idx[i] + 1]});
            }
            return out;
        }
        for (ByteTable.Node n : t.randomDistinct(count, rnd)) {
            out.add(new byte[][] {n.key, n.value});
        }
        return out;
    }

    /** A standalone copy; a listpack array is never changed in place, so the copy shares it. */
    @Override
    public Value copy() {
        HashValue h = new HashValue();
        ByteTable t = table();
        h.rep(t != null ? t.copy() : lp());
        return h;
    }

    @Override
    public long memoryUsage() {
        ByteTable t = table();
        if (t == null) {
            // the packed array, and this object (header, two references) unless it is a view:
            // an entry keeps the array alone
            return (bound() ? 0 : 24) + io.strata.engine.keyspace.Memory.bytes(lp().length);
        }
        return 24 + 96 + t.bytes() + 76L * t.size();
    }
}
