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
    /** Listpack encoding: fields and values at the same index; null once converted. */
    private byte[][] fields = new byte[4][];
    private byte[][] values = new byte[4][];
    private int lpSize;
    private long lpBytes;
    /** Hashtable encoding; null while listpack. */
    private ByteTable table;

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

    private int indexOf(byte[] b, int off, int len) {
        for (int i = 0; i < lpSize; i++) {
            if (Bytes.equals(fields[i], b, off, len)) {
                return i;
            }
        }
        return -1;
    }

    /** The value of a field, or null. */
    public byte[] get(byte[] b, int off, int len) {
        if (table != null) {
            ByteTable.Node n = table.find(b, off, len);
            return n == null ? null : n.value;
        }
        int i = indexOf(b, off, len);
        return i < 0 ? null : values[i];
    }

    public byte[] get(byte[] field) {
        return get(field, 0, field.length);
    }

    public boolean exists(byte[] b, int off, int len) {
        return get(b, off, len) != null;
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
        int i = indexOf(field, 0, field.length);
        if (i >= 0) {
            lpBytes += value.length - values[i].length;
            values[i] = value;
            return false;
        }
        if (lpSize == fields.length) {
            fields = java.util.Arrays.copyOf(fields, lpSize * 2);
            values = java.util.Arrays.copyOf(values, lpSize * 2);
        }
        fields[lpSize] = field;
        values[lpSize] = value;
        lpSize++;
        lpBytes += field.length + value.length;
        if (lpSize > maxEntries) {
            convert();
        }
        return true;
    }

    /** Removes a field; returns true when it was there. */
    public boolean delete(byte[] b, int off, int len) {
        if (table != null) {
            return table.remove(b, off, len) != null;
        }
        int i = indexOf(b, off, len);
        if (i < 0) {
            return false;
        }
        lpBytes -= fields[i].length + values[i].length;
        System.arraycopy(fields, i + 1, fields, i, lpSize - i - 1);
        System.arraycopy(values, i + 1, values, i, lpSize - i - 1);
        lpSize--;
        fields[lpSize] = null;
        values[lpSize] = null;
        return true;
    }

    /** Switches to "hashtable" for good. */
    private void convert() {
        ByteTable t = new ByteTable();
        for (int i = 0; i < lpSize; i++) {
            t.put(fields[i], values[i]);
        }
        table = t;
        fields = null;
        values = null;
        lpSize = 0;
        lpBytes = 0;
    }

    /** Visits every field and value, in insertion order while listpack-encoded. */
    public void forEach(BiConsumer<byte[], byte[]> visitor) {
        if (table != null) {
            table.forEach(n -> visitor.accept(n.key, n.value));
            return;
        }
        for (int i = 0; i < lpSize; i++) {
            visitor.accept(fields[i], values[i]);
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
            return new byte[][] {fields[i], values[i]};
        }
        ByteTable.Node n = table.random(rnd);
        return new byte[][] {n.key, n.value};
    }

    /** {@code count} distinct random {field, value} pairs. Precondition: {@code count < size()}. */
    public List<byte[][]> randomDistinct(int count, Random rnd) {
        List<byte[][]> out = new ArrayList<>(count);
        if (table == null) {
            int[] idx = new int[lpSize];
            for (int i = 0; i < lpSize; i++) {
                idx[i] = i;
            }
            for (int i = 0; i < count; i++) {
                int j = i + rnd.nextInt(lpSize - i);
                int t = idx[i];
                idx[i] = idx[j];
                idx[j] = t;
                out.add(new byte[][] {fields[idx[i]], values[idx[i]]});
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
            h.fields = null;
            h.values = null;
            h.table = table.copy();
            return h;
        }
        h.fields = new byte[Math.max(4, lpSize)][];
        h.values = new byte[Math.max(4, lpSize)][];
        for (int i = 0; i < lpSize; i++) {
            h.fields[i] = fields[i].clone();
            h.values[i] = values[i].clone();
        }
        h.lpSize = lpSize;
        h.lpBytes = lpBytes;
        return h;
    }

    @Override
    public long memoryUsage() {
        if (table == null) {
            // a listpack: a few bytes of header per entry besides the strings themselves
            return 48 + lpBytes + 50L * lpSize; // two byte[] and two slots per pair (measured)
        }
        return 16 + 96 + table.bytes() + 76L * table.size();
    }
}
