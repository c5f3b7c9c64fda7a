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
 * <li>"intset" — while every member is a canonical 64-bit integer (as Redis' string2ll accepts: no
 * sign '+', no leading zeros, no "-0") and there are at most {@code set-max-intset-entries}
 * members; SMEMBERS then lists numbers in ascending order;</li>
 * <li>"hashtable" — from the first member that breaks either rule on, for good (Redis never
 * converts back).</li>
 * </ul>
 * In memory there are three forms, all immutable arrays replaced on every change except the last:
 * <ul>
 * <li>intset: as Redis' intset.c, the members sorted ascending in little-endian integers of one
 * width (2, 4 or 8 bytes, widened when a member needs it, never narrowed);</li>
 * <li>small "hashtable": up to {@link #SMALL_ENTRIES} members of at most {@link #SMALL_VALUE} bytes
 * packed in insertion order, each as {@code len member} — Redis 7.0 gives such a set a dict
 * (86 bytes of used_memory per member of a 5-member set, 101 here with a {@link ByteTable});
 * packed they take about 3 plus the member's length. Redis 7.2 packs them the same way (its
 * set-max-listpack-* defaults are these limits) but 7.0 reports "hashtable", and so do we;</li>
 * <li>a {@link ByteTable}, past those limits.</li>
 * </ul>
 * A key's entry keeps either array with no SetValue around it and hands out views
 * ({@link ValueHolder}).
 *
 * <p>Thread rule: keyspace thread only.
 */
public final class SetValue extends PackableValue {
    /** Most members of the packed "hashtable" form (Redis 7.2's set-max-listpack-entries default). */
    static final int SMALL_ENTRIES = 128;
    /** Longest member of the packed form (Redis 7.2's set-max-listpack-value default); fits a 1-byte length. */
    static final int SMALL_VALUE = 64;

    /*
     * Array layout. First byte: 0xF2, 0xF4 or 0xF8 for an intset of 2-, 4- or 8-byte members,
     * followed by the members (count = (length - 1) / width); otherwise the member count of the
     * packed form (0..SMALL_ENTRIES), followed by the members as {len, bytes}.
     */
    private static final int INTSET_TAG = 0xF0;

    private SetValue(Object rep) {
        super(rep);
    }

    /** A view of the array {@code owner} keeps. */
    SetValue(ValueHolder owner) {
        super(owner);
    }

    @Override
    int packedKind() {
        return ValueHolder.SET;
    }

    private static final byte[] EMPTY_INTSET = {(byte) (INTSET_TAG | 2)};
    private static final byte[] EMPTY_SMALL = {0};

    /** An empty set in the encoding Redis' setTypeCreate picks for its first member. */
    public static SetValue createFor(byte[] b, int off, int len) {
        return new SetValue(Numbers.isLong(b, off, len) ? EMPTY_INTSET : len <= SMALL_VALUE ? EMPTY_SMALL : new ByteTable());
    }

    public static SetValue createFor(byte[] first) {
        return createFor(first, 0, first.length);
    }

    /** An empty intset, as SINTERSTORE/SUNIONSTORE/SDIFFSTORE start their result (createIntsetObject). */
    public static SetValue createIntset() {
        return new SetValue(EMPTY_INTSET);
    }

    @Override
    public String typeName() {
        return "set";
    }

    @Override
    public String encoding() {
        return isIntset() ? "intset" : "hashtable";
    }

    public boolean isIntset() {
        return rep() instanceof byte[] && isIntset((byte[]) rep());
    }

    private static boolean isIntset(byte[] a) {
        return (a[0] & 0xFF) > INTSET_TAG;
    }

    private static int width(byte[] a) {
        return a[0] & 0x0F;
    }

    @Override
    public long size() {
        if (rep() instanceof ByteTable) {
            return ((ByteTable) rep()).size();
        }
        byte[] a = (byte[]) rep();
        return isIntset(a) ? (a.length - 1) / width(a) : a[0] & 0xFF;
    }

    // ---- intset ----

    private static long get(byte[] a, int w, int i) {
        int p = 1 + i * w;
        switch (w) {
            case 2:
                return (short) ((a[p] & 0xFF) | a[p + 1] << 8);
            case 4:
                return (a[p] & 0xFF) | (a[p + 1] & 0xFF) << 8 | (a[p + 2] & 0xFF) << 16 | a[p + 3] << 24;
            default: {
                long v = 0;
                for (int k = 7; k >= 0; k--) {
                    v = v << 8 | (a[p + k] & 0xFF);
                }
                return v;
            }
        }
    }

    private static void put(byte[] a, int w, int i, long v) {
        int p = 1 + i * w;
        for (int k = 0; k < w; k++) {
            a[p + k] = (byte) (v >>> (8 * k));
        }
    }

    private static int widthFor(long v) {
        return v == (short) v ? 2 : v == (int) v ? 4 : 8;
    }

    /** Index of {@code v}, or {@code -(insertion point) - 1}. */
    private static int search(byte[] a, long v) {
        int w = width(a);
        int lo = 0;
        int hi = (a.length - 1) / w - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            long m = get(a, w, mid);
            if (m < v) {
                lo = mid + 1;
            } else if (m > v) {
                hi = mid - 1;
            } else {
                return mid;
            }
        }
        return -(lo + 1);
    }

    /** The intset with {@code v} inserted at {@code at} (Redis' intsetAdd, widening as intsetUpgradeAndAdd). */
    private static byte[] intsetInsert(byte[] a, int at, long v) {
        int w = width(a);
        int n = (a.length - 1) / w;
        int nw = Math.max(w, widthFor(v));
        byte[] out = new byte[1 + (n + 1) * nw];
        out[0] = (byte) (INTSET_TAG | nw);
        if (nw == w) {
            System.arraycopy(a, 1, out, 1, at * w);
            System.arraycopy(a, 1 + at * w, out, 1 + (at + 1) * w, (n - at) * w);
        } else {
            for (int i = 0; i < n; i++) {
                put(out, nw, i < at ? i : i + 1, get(a, w, i));
            }
        }
        put(out, nw, at, v);
        return out;
    }

    // ---- packed form ----

    /** Offset of the member equal to {@code b[off, off+len)} (its length byte), or -1. */
    private static int find(byte[] a, byte[] b, int off, int len) {
        int n = a[0] & 0xFF;
        int p = 1;
        for (int i = 0; i < n; i++) {
            int l = a[p];
            if (l == len && Arrays.equals(a, p + 1, p + 1 + l, b, off, off + len)) {
                return p;
            }
            p += 1 + l;
        }
        return -1;
    }

    /** Offset of the {@code i}-th member's length byte. */
    private static int offsetOf(byte[] a, int i) {
        int p = 1;
        while (i-- > 0) {
            p += 1 + a[p];
        }
        return p;
    }

    private static byte[] memberAt(byte[] a, int p) {
        return Arrays.copyOfRange(a, p + 1, p + 1 + a[p]);
    }

    // ---- operations ----

    public boolean contains(byte[] b, int off, int len) {
        if (rep() instanceof ByteTable) {
            return ((ByteTable) rep()).find(b, off, len) != null;
        }
        byte[] a = (byte[]) rep();
        if (isIntset(a)) {
            return Numbers.isLong(b, off, len) && search(a, Numbers.parseLong(b, off, len)) >= 0;
        }
        return len <= SMALL_VALUE && find(a, b, off, len) >= 0;
    }

    public boolean contains(byte[] m) {
        return contains(m, 0, m.length);
    }

    /**
     * Adds a member, converting to "hashtable" when it is not an integer or when the intset
     * grows past {@code maxIntset} (Redis' setTypeAdd). Returns true when it was not there.
     */
    public boolean add(byte[] b, int off, int len, long maxIntset) {
        if (rep() instanceof byte[] && isIntset((byte[]) rep())) {
            byte[] a = (byte[]) rep();
            if (Numbers.isLong(b, off, len)) {
                long v = Numbers.parseLong(b, off, len);
                int i = search(a, v);
                if (i >= 0) {
                    return false;
                }
                a = intsetInsert(a, -i - 1, v);
                rep(a);
                if ((a.length - 1) / width(a) > maxIntset) {
                    rep(toTable(a));
                }
                return true;
            }
            int n = (a.length - 1) / width(a);
            rep(n < SMALL_ENTRIES && len <= SMALL_VALUE ? intsetToSmall(a) : toTable(a));
        }
        if (rep() instanceof byte[]) {
            byte[] a = (byte[]) rep();
            if (len <= SMALL_VALUE && find(a, b, off, len) >= 0) {
                return false;
            }
            int n = a[0] & 0xFF;
            if (n < SMALL_ENTRIES && len <= SMALL_VALUE) {
                byte[] out = Arrays.copyOf(a, a.length + 1 + len);
                out[0] = (byte) (n + 1);
                out[a.length] = (byte) len;
                System.arraycopy(b, off, out, a.length + 1, len);
                rep(out);
                return true;
            }
            rep(toTable(a));
        }
        return ((ByteTable) rep()).put(Arrays.copyOfRange(b, off, off + len), null);
    }

    public boolean add(byte[] m, long maxIntset) {
        return add(m, 0, m.length, maxIntset);
    }

    /** Removes a member; returns true when it was there. */
    public boolean remove(byte[] b, int off, int len) {
        if (rep() instanceof ByteTable) {
            return ((ByteTable) rep()).remove(b, off, len) != null;
        }
        byte[] a = (byte[]) rep();
        if (isIntset(a)) {
            if (!Numbers.isLong(b, off, len)) {
                return false;
            }
            int i = search(a, Numbers.parseLong(b, off, len));
            if (i < 0) {
                return false;
            }
            int w = width(a);
            byte[] out = new byte[a.length - w];
            out[0] = a[0];
            System.arraycopy(a, 1, out, 1, i * w);
            System.arraycopy(a, 1 + (i + 1) * w, out, 1 + i * w, a.length - 1 - (i + 1) * w);
            rep(out);
            return true;
        }
        int p = len <= SMALL_VALUE ? find(a, b, off, len) : -1;
        if (p < 0) {
            return false;
        }
        byte[] out = new byte[a.length - 1 - len];
        out[0] = (byte) ((a[0] & 0xFF) - 1);
        System.arraycopy(a, 1, out, 1, p - 1);
        System.arraycopy(a, p + 1 + len, out, p, a.length - p - 1 - len);
        rep(out);
        return true;
    }

    public boolean remove(byte[] m) {
        return remove(m, 0, m.length);
    }

    private static byte[] intsetToSmall(byte[] a) {
        int w = width(a);
        int n = (a.length - 1) / w;
        byte[][] ms = new byte[n][];
        int total = 1;
        for (int i = 0; i < n; i++) {
            ms[i] = Numbers.longBytes(get(a, w, i));
            total += 1 + ms[i].length;
        }
        byte[] out = new byte[total];
        out[0] = (byte) n;
        int p = 1;
        for (byte[] m : ms) {
            out[p++] = (byte) m.length;
            System.arraycopy(m, 0, out, p, m.length);
            p += m.length;
        }
        return out;
    }

    private static ByteTable toTable(byte[] a) {
        ByteTable t = new ByteTable();
        forEach(a, m -> t.put(m, null));
        return t;
    }

    private static void forEach(byte[] a, Consumer<byte[]> visitor) {
        if (isIntset(a)) {
            int w = width(a);
            int n = (a.length - 1) / w;
            for (int i = 0; i < n; i++) {
                visitor.accept(Numbers.longBytes(get(a, w, i)));
            }
            return;
        }
        int n = a[0] & 0xFF;
        int p = 1;
        for (int i = 0; i < n; i++) {
            visitor.accept(memberAt(a, p));
            p += 1 + a[p];
        }
    }

    /** Visits every member (ascending numbers while intset-encoded, insertion order while packed). */
    public void forEach(Consumer<byte[]> visitor) {
        if (rep() instanceof ByteTable) {
            ((ByteTable) rep()).forEach(node -> visitor.accept(node.key));
            return;
        }
        forEach((byte[]) rep(), visitor);
    }

    public List<byte[]> members() {
        List<byte[]> out = new ArrayList<>((int) size());
        forEach(out::add);
        return out;
    }

    /**
     * One SSCAN step from {@code cursor}; returns the next cursor (0 when done). An intset (or a
     * packed set) is returned whole in one call with cursor 0, as Redis does for its compact
     * encodings.
     */
    public long scan(long cursor, long count, Consumer<byte[]> visitor) {
        if (rep() instanceof byte[]) {
            forEach(visitor);
            return 0;
        }
        return ((ByteTable) rep()).scan(cursor, count, node -> visitor.accept(node.key));
    }

    /** The {@code i}-th member of an array form. */
    private static byte[] at(byte[] a, int i) {
        if (isIntset(a)) {
            return Numbers.longBytes(get(a, width(a), i));
        }
        return memberAt(a, offsetOf(a, i));
    }

    /** A random member. Precondition: not empty. */
    public byte[] random(Random rnd) {
        if (rep() instanceof ByteTable) {
            return ((ByteTable) rep()).random(rnd).key;
        }
        return at((byte[]) rep(), rnd.nextInt((int) size()));
    }

    /** {@code count} distinct random members. Precondition: {@code count < size()}. */
    public List<byte[]> randomDistinct(int count, Random rnd) {
        List<byte[]> out = new ArrayList<>(count);
        if (rep() instanceof byte[]) {
            List<byte[]> all = members();
            int n = all.size();
            for (int i = 0; i < count; i++) {
                int j = i + rnd.nextInt(n - i);
                byte[] t = all.get(i);
                all.set(i, all.get(j));
                all.set(j, t);
                out.add(all.get(i));
            }
            return out;
        }
        for (ByteTable.Node node : ((ByteTable) rep()).randomDistinct(count, rnd)) {
            out.add(node.key);
        }
        return out;
    }

    @Override
    public Value copy() {
        // the arrays are never changed in place: a copy may share one
        return new SetValue(rep() instanceof ByteTable ? ((ByteTable) rep()).copy() : rep());
    }

    @Override
    public long memoryUsage() {
        // the array, and this object (a header and two references) unless it is a view: an
        // entry keeps the array alone
        if (rep() instanceof byte[]) {
            return (bound() ? 0 : 24) + io.strata.engine.keyspace.Memory.bytes(((byte[]) rep()).length);
        }
        ByteTable t = (ByteTable) rep();
        return 24 + 96 + t.bytes() + 56L * t.size();
    }
}
