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
public final class HashValue implements Value {
    /**
     * Listpack encoding: the pairs packed in one array in insertion order, each as
     * {@code len(field) field len(value) value} with LEB128 lengths — one object per hash instead
     * of two arrays per pair (measured before: 84 bytes of used_memory per field against Redis'
     * 27). Exactly {@link #lpUsed} bytes long; null once converted.
     */
    private byte[] lp = EMPTY;
    private int lpSize;
    /** Hashtable encoding; null while listpack. */
    private ByteTable table;

    private static final byte[] EMPTY = new byte[0];

    @Override
    public String typeName() {
        return "hash";
    }

    @Override
    public String encoding() {
        return table == null ? "listpack" : "hashtable";
    }

    public boolean isListpack() {
        return table == null;
    }

    @Override
    public long size() {
        return table == null ? lpSize : table.size();
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

    /** Offset of the pair whose field equals {@code b[off, off+len)}, or -1. */
    private int indexOf(byte[] b, int off, int len) {
        byte[] p = lp;
        int pos = 0;
        for (int i = 0; i < lpSize; i++) {
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

    /** The pairs as arrays, in order: {@code out[2i]} field, {@code out[2i+1]} value. */
    private byte[][] unpack() {
        byte[] p = lp;
        byte[][] out = new byte[lpSize * 2][];
        int pos = 0;
        for (int i = 0; i < lpSize; i++) {
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
        if (table != null) {
            ByteTable.Node n = table.find(b, off, len);
            return n == null ? null : n.value;
        }
        int pos = indexOf(b, off, len);
        if (pos < 0) {
            return null;
        }
        long r = readLen(lp, pos + lenSize(len) + len);
        int v = (int) (r >>> 32);
        return java.util.Arrays.copyOfRange(lp, v, v + (int) r);
    }

    public byte[] get(byte[] field) {
        return get(field, 0, field.length);
    }

    public boolean exists(byte[] b, int off, int len) {
        if (table != null) {
            return table.find(b, off, len) != null;
        }
        return indexOf(b, off, len) >= 0;
    }

    /**
     * Sets a field, converting to "hashtable" first when the field or value is longer than
     * {@code maxValue} and afterwards when there are more than {@code maxEntries} fields
     * (Redis' hashTypeSet). Takes ownership of both arrays. Returns true when the field is new.
     */
    public boolean set(byte[] field, byte[] value, long maxEntries, long maxValue) {
        if (table == null && (field.length > maxValue || value.length > maxValue)) {
            convert();
        }
        if (table != null) {
            return table.put(field, value);
        }
        int pos = indexOf(field, 0, field.length);
        boolean added = pos < 0;
        int at = lp.length;
        int oldEnd = at;
        if (!added) {
            // replace in place: the pair keeps its position, as in Redis' listpack
            at = pos + lenSize(field.length) + field.length;
            long r = readLen(lp, at);
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
        byte[] n = new byte[lp.length - (oldEnd - at) + piece.length];
        System.arraycopy(lp, 0, n, 0, at);
        System.arraycopy(piece, 0, n, at, piece.length);
        System.arraycopy(lp, oldEnd, n, at + piece.length, lp.length - oldEnd);
        lp = n;
        if (added) {
            lpSize++;
            if (lpSize > maxEntries) {
                convert();
            }
        }
        return added;
    }

    /** Removes a field; returns true when it was there. */
    public boolean delete(byte[] b, int off, int len) {
        if (table != null) {
            return table.remove(b, off, len) != null;
        }
        int pos = indexOf(b, off, len);
        if (pos < 0) {
            return false;
        }
        long r = readLen(lp, pos + lenSize(len) + len);
        int end = (int) (r >>> 32) + (int) r;
        byte[] n = new byte[lp.length - (end - pos)];
        System.arraycopy(lp, 0, n, 0, pos);
        System.arraycopy(lp, end, n, pos, lp.length - end);
        lp = n.length == 0 ? EMPTY : n;
        lpSize--;
        return true;
    }

    /** Switches to "hashtable" for good. */
    private void convert() {
        ByteTable t = new ByteTable();
        byte[][] pairs = unpack();
        for (int i = 0; i < pairs.length; i += 2) {
            t.put(pairs[i], pairs[i + 1]);
        }
        table = t;
        lp = null;
        lpSize = 0;
    }

    /** Visits every field and value, in insertion order while listpack-encoded. */
    public void forEach(BiConsumer<byte[], byte[]> visitor) {
        if (table != null) {
            table.forEach(n -> visitor.accept(n.key, n.value));
            return;
        }
        byte[][] pairs = unpack();
        for (int i = 0; i < pairs.length; i += 2) {
            visitor.accept(pairs[i], pairs[i + 1]);
        }
    }

    /**
     * One HSCAN step from {@code cursor}; returns the next cursor (0 when done). A listpack hash
     * is returned whole in one call with cursor 0, as Redis does.
     */
    public long scan(long cursor, long count, BiConsumer<byte[], byte[]> visitor) {
        if (table == null) {
            forEach(visitor);
            return 0;
        }
        return table.scan(cursor, count, n -> visitor.accept(n.key, n.value));
    }

    /** A random {field, value}. Precondition: not empty. */
    public byte[][] random(Random rnd) {
        if (table == null) {
            int i = rnd.nextInt(lpSize);
            byte[][] pairs = unpack();
            return new byte[][] {pairs[2 * i], pairs[2 * i + 1]};
        }
        ByteTable.Node n = table.random(rnd);
        return new byte[][] {n.key, n.value};
    }

    /** {@code count} distinct random {field, value} pairs. Precondition: {@code count < size()}. */
    public List<byte[][]> randomDistinct(int count, Random rnd) {
        List<byte[][]> out = new ArrayList<>(count);
        if (table == null) {
            byte[][] pairs = unpack();
            int[] idx = new int[lpSize];
            for (int i = 0; i < lpSize; i++) {
                idx[i] = i;
            }
            for (int i = 0; i < count; i++) {
                int j = i + rnd.nextInt(lpSize - i);
                int t = idx[i];
                idx[i] = idx[j];
                idx[j] = t;
                out.add(new byte[][] {pairs[2 * idx[i]], pairs[2 * idx[i] + 1]});
            }
            return out;
        }
        for (ByteTable.Node n : table.randomDistinct(count, rnd)) {
            out.add(new byte[][] {n.key, n.value});
        }
        return out;
    }

    @Override
    public Value copy() {
        HashValue h = new HashValue();
        if (table != null) {
            h.lp = null;
            h.table = table.copy();
            return h;
        }
        h.lp = lp.length == 0 ? EMPTY : lp.clone();
        h.lpSize = lpSize;
        return h;
    }

    @Override
    public long memoryUsage() {
        if (table == null) {
            // the object (header, two references, a count) and the packed array
            return 32 + io.strata.engine.keyspace.Memory.bytes(lp.length);
        }
        return 16 + 96 + table.bytes() + 76L * table.size();
    }
}
