package io.strata.engine.types;

import io.strata.engine.util.Numbers;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

/**
 * A Redis set of byte strings. Two encodings, as Redis 7.0 reports them:
 * <ul>
 * <li>"intset" — a sorted {@code long[]}, while every member is a canonical 64-bit integer (as
 * Redis' string2ll accepts: no sign '+', no leading zeros, no "-0") and there are at most
 * {@code set-max-intset-entries} members; SMEMBERS then lists numbers in ascending order;</li>
 * <li>"hashtable" — a {@link ByteTable}, from the first member that breaks either rule on, for
 * good (Redis never converts back).</li>
 * </ul>
 *
 * <p>Thread rule: keyspace thread only.
 */
public final class SetValue implements Value {
    /** Intset encoding, sorted ascending; null once converted. */
    private long[] ints;
    private int n;
    /** Hashtable encoding; null while intset. */
    private ByteTable table;

    private SetValue(boolean intset) {
        if (intset) {
            ints = new long[4];
        } else {
            table = new ByteTable();
        }
    }

    /** An empty set in the encoding Redis' setTypeCreate picks for its first member. */
    public static SetValue createFor(byte[] b, int off, int len) {
        return new SetValue(Numbers.isLong(b, off, len));
    }

    public static SetValue createFor(byte[] first) {
        return createFor(first, 0, first.length);
    }

    /** An empty intset, as SINTERSTORE/SUNIONSTORE/SDIFFSTORE start their result (createIntsetObject). */
    public static SetValue createIntset() {
        return new SetValue(true);
    }

    @Override
    public String typeName() {
        return "set";
    }

    @Override
    public String encoding() {
        return table == null ? "intset" : "hashtable";
    }

    public boolean isIntset() {
        return table == null;
    }

    @Override
    public long size() {
        return table == null ? n : table.size();
    }

    public boolean contains(byte[] b, int off, int len) {
        if (table != null) {
            return table.find(b, off, len) != null;
        }
        return Numbers.isLong(b, off, len) && Arrays.binarySearch(ints, 0, n, Numbers.parseLong(b, off, len)) >= 0;
    }

    public boolean contains(byte[] m) {
        return contains(m, 0, m.length);
    }

    /**
     * Adds a member, converting to "hashtable" when it is not an integer or when the intset
     * grows past {@code maxIntset} (Redis' setTypeAdd). Returns true when it was not there.
     */
    public boolean add(byte[] b, int off, int len, long maxIntset) {
        if (table == null) {
            if (Numbers.isLong(b, off, len)) {
                long v = Numbers.parseLong(b, off, len);
                int i = Arrays.binarySearch(ints, 0, n, v);
                if (i >= 0) {
                    return false;
                }
                i = -i - 1;
                if (n == ints.length) {
                    ints = Arrays.copyOf(ints, n * 2);
                }
                System.arraycopy(ints, i, ints, i + 1, n - i);
                ints[i] = v;
                n++;
                if (n > maxIntset) {
                    convert();
                }
                return true;
            }
            convert();
        }
        return table.put(Arrays.copyOfRange(b, off, off + len), null);
    }

    public boolean add(byte[] m, long maxIntset) {
        return add(m, 0, m.length, maxIntset);
    }

    /** Removes a member; returns true when it was there. */
    public boolean remove(byte[] b, int off, int len) {
        if (table != null) {
            return table.remove(b, off, len) != null;
        }
        if (!Numbers.isLong(b, off, len)) {
            return false;
        }
        int i = Arrays.binarySearch(ints, 0, n, Numbers.parseLong(b, off, len));
        if (i < 0) {
            return false;
        }
        System.arraycopy(ints, i + 1, ints, i, n - i - 1);
        n--;
        return true;
    }

    public boolean remove(byte[] m) {
        return remove(m, 0, m.length);
    }

    private void convert() {
        ByteTable t = new ByteTable();
        for (int i = 0; i < n; i++) {
            t.put(Numbers.longBytes(ints[i]), null);
        }
        table = t;
        ints = null;
        n = 0;
    }

    /** Visits every member (ascending numbers while intset-encoded). */
    public void forEach(Consumer<byte[]> visitor) {
        if (table != null) {
            table.forEach(node -> visitor.accept(node.key));
            return;
        }
        for (int i = 0; i < n; i++) {
            visitor.accept(Numbers.longBytes(ints[i]));
        }
    }

    public List<byte[]> members() {
        List<byte[]> out = new ArrayList<>((int) size());
        forEach(out::add);
        return out;
    }

    /**
     * One SSCAN step from {@code cursor}; returns the next cursor (0 when done). An intset is
     * returned whole in one call with cursor 0, as Redis does.
     */
    public long scan(long cursor, long count, Consumer<byte[]> visitor) {
        if (table == null) {
            forEach(visitor);
            return 0;
        }
        return table.scan(cursor, count, node -> visitor.accept(node.key));
    }

    /** A random member. Precondition: not empty. */
    public byte[] random(Random rnd) {
        if (table == null) {
            return Numbers.longBytes(ints[rnd.nextInt(n)]);
        }
        return table.random(rnd).key;
    }

    /** {@code count} distinct random members. Precondition: {@code count < size()}. */
    public List<byte[]> randomDistinct(int count, Random rnd) {
        List<byte[]> out = new ArrayList<>(count);
        if (table == null) {
            long[] copy = Arrays.copyOf(ints, n);
            for (int i = 0; i < count; i++) {
                int j = i + rnd.nextInt(n - i);
                long t = copy[i];
                copy[i] = copy[j];
                copy[j] = t;
                out.add(Numbers.longBytes(copy[i]));
            }
            return out;
        }
        for (ByteTable.Node node : table.randomDistinct(count, rnd)) {
            out.add(node.key);
        }
        return out;
    }

    @Override
    public Value copy() {
        SetValue s = new SetValue(table == null);
        if (table == null) {
            s.ints = Arrays.copyOf(ints, Math.max(4, n));
            s.n = n;
        } else {
            s.table = table.copy();
        }
        return s;
    }

    @Override
    public long memoryUsage() {
        if (table == null) {
            // the object (header, two references, a count) and the long[] with its spare room
            return 24 + 16 + 8L * ints.length;
        }
        return 16 + 96 + table.bytes() + 56L * table.size();
    }
}
