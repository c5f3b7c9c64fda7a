package io.strata.engine.types;

import java.util.Arrays;
import java.util.function.Consumer;

/**
 * A Redis list. Redis 7.0 keeps every list as a quicklist, however small, and OBJECT ENCODING
 * says so; in memory there are two forms:
 * <ul>
 * <li>packed — what one quicklist node's listpack holds, while the list would fit one node and has
 * at most {@link #SMALL_ENTRIES} elements of at most {@link #SMALL_VALUE} bytes: one immutable
 * array (replaced on every change) of {@code len element len} triples, the trailing length making
 * the walk towards the head as cheap as the other way, as a listpack's back-length does. A list
 * of 5 short elements is one 40-byte array instead of a list object, a node, its slot array and
 * an array per element (about 280 bytes);</li>
 * <li>a {@link Quicklist} of nodes, from the first change that passes a limit on, for good.</li>
 * </ul>
 * Elements handed out are fresh arrays (packed) or shared ones that are never changed in place.
 *
 * <p>Thread rule: keyspace thread only.
 */
public final class ListValue implements Value {
    /** Most elements of the packed form (Redis' list-compress and listpack defaults keep nodes near this). */
    static final int SMALL_ENTRIES = 128;
    /** Longest element of the packed form, so a length is one byte. */
    static final int SMALL_VALUE = 64;

    /*
     * Packed layout:
     *
     *   count  fill  { len  element  len }*
     *
     * count is one byte (0..SMALL_ENTRIES); fill is list-max-listpack-size as a zigzag LEB128
     * varint (the list keeps the value it was created with, as Redis' quicklist does); each len
     * is one byte (0..SMALL_VALUE).
     */

    /** The elements: the packed array (layout above) or a {@link Quicklist}. */
    private Object rep;

    public ListValue(int fill) {
        int f = Quicklist.clampFill(fill);
        long z = (f << 1) ^ (f >> 31);
        byte[] a = new byte[1 + (z < 0x80 ? 1 : z < 0x4000 ? 2 : 3)];
        int p = 1;
        while (z >= 0x80) {
            a[p++] = (byte) (z | 0x80);
            z >>>= 7;
        }
        a[p] = (byte) z;
        rep = a;
    }

    private ListValue(Object rep) {
        this.rep = rep;
    }

    // ---- the packed array ----

    private static int count(byte[] a) {
        return a[0] & 0xFF;
    }

    /** Offset of the first element: after the count and the fill varint. */
    private static int base(byte[] a) {
        int p = 1;
        while (a[p] < 0) {
            p++;
        }
        return p + 1;
    }

    private static int fill(byte[] a) {
        int z = 0;
        int shift = 0;
        for (int p = 1; ; p++, shift += 7) {
            z |= (a[p] & 0x7f) << shift;
            if (a[p] >= 0) {
                return (z >>> 1) ^ -(z & 1);
            }
        }
    }

    /** Offset of element {@code i}, walking from the nearer end. */
    private static int offsetOf(byte[] a, int i) {
        int n = count(a);
        if (i <= n / 2) {
            int p = base(a);
            while (i-- > 0) {
                p += a[p] + 2;
            }
            return p;
        }
        int p = a.length;
        for (int k = n; k > i; k--) {
            p -= a[p - 1] + 2;
        }
        return p;
    }

    private static byte[] elementAt(byte[] a, int p) {
        return Arrays.copyOfRange(a, p + 1, p + 1 + a[p]);
    }

    /** A new array: count {@code count}, bytes {@code [from, to)} of {@code a} replaced by the element {@code e} (none when null). */
    private static byte[] splice(byte[] a, int count, int from, int to, byte[] e) {
        int elen = e == null ? 0 : e.length + 2;
        byte[] out = new byte[a.length - (to - from) + elen];
        System.arraycopy(a, 0, out, 0, from);
        if (e != null) {
            out[from] = (byte) e.length;
            System.arraycopy(e, 0, out, from + 1, e.length);
            out[from + 1 + e.length] = (byte) e.length;
        }
        System.arraycopy(a, to, out, from + elen, a.length - to);
        out[0] = (byte) count;
        return out;
    }

    /**
     * May the packed form hold {@code newCount} elements, one of them of {@code len} bytes in place
     * of {@code replacedLen} (-1: none)? As long as it is what one quicklist node would hold (Redis'
     * _quicklistNodeAllowInsert: fill elements, or the node byte size, counting 8 bytes per entry).
     */
    private static boolean fits(byte[] a, int newCount, int len, int replacedLen) {
        if (len > SMALL_VALUE || newCount > SMALL_ENTRIES) {
            return false;
        }
        int fill = fill(a);
        int n = count(a);
        long bytes = (long) (a.length - base(a)) - 2L * n + (long) Quicklist.ENTRY_OVERHEAD * n
            + len + Quicklist.ENTRY_OVERHEAD - (replacedLen < 0 ? 0 : replacedLen + Quicklist.ENTRY_OVERHEAD);
        if (fill >= 0) {
            return newCount <= fill && bytes <= Quicklist.SIZE_SAFETY_LIMIT;
        }
        return bytes <= Quicklist.SIZE_CLASSES[-fill - 1];
    }

    /** Switches to the quicklist for good; returns it. */
    private Quicklist toQuicklist() {
        byte[] a = (byte[]) rep;
        Quicklist q = new Quicklist(fill(a));
        int n = count(a);
        for (int i = 0, p = base(a); i < n; i++, p += a[p] + 2) {
            q.addLast(elementAt(a, p));
        }
        rep = q;
        return q;
    }

    private Quicklist q() {
        return (Quicklist) rep;
    }

    // ---- Value ----

    @Override
    public String typeName() {
        return "list";
    }

    /** Redis 7.0 keeps every list as a quicklist, however small. */
    @Override
    public String encoding() {
        return "quicklist";
    }

    @Override
    public long size() {
        return rep instanceof byte[] ? count((byte[]) rep) : q().size();
    }

    @Override
    public ListValue copy() {
        // a packed array is never changed in place: the copy shares it
        return new ListValue(rep instanceof byte[] ? rep : q().copy());
    }

    /** Heap bytes, in O(1): this object (a header and one reference) and the array or the quicklist. */
    @Override
    public long memoryUsage() {
        if (rep instanceof byte[]) {
            return 16 + io.strata.engine.keyspace.Memory.bytes(((byte[]) rep).length);
        }
        return 16 + q().memoryUsage();
    }

    /** Number of quicklist nodes (for tests and DEBUG-like introspection): a packed list is one. */
    public int nodeCount() {
        return rep instanceof byte[] ? (count((byte[]) rep) == 0 ? 0 : 1) : q().nodeCount();
    }

    // ---- both ends ----

    public void addFirst(byte[] e) {
        if (rep instanceof byte[]) {
            byte[] a = (byte[]) rep;
            if (fits(a, count(a) + 1, e.length, -1)) {
                int b = base(a);
                rep = splice(a, count(a) + 1, b, b, e);
                return;
            }
            toQuicklist();
        }
        q().addFirst(e);
    }

    public void addLast(byte[] e) {
        if (rep instanceof byte[]) {
            byte[] a = (byte[]) rep;
            if (fits(a, count(a) + 1, e.length, -1)) {
                rep = splice(a, count(a) + 1, a.length, a.length, e);
                return;
            }
            toQuicklist();
        }
        q().addLast(e);
    }

    /** Removes and returns the first element, or null when empty. */
    public byte[] pollFirst() {
        if (rep instanceof byte[]) {
            byte[] a = (byte[]) rep;
            if (count(a) == 0) {
                return null;
            }
            int p = base(a);
            byte[] e = elementAt(a, p);
            rep = splice(a, count(a) - 1, p, p + e.length + 2, null);
            return e;
        }
        return q().pollFirst();
    }

    /** Removes and returns the last element, or null when empty. */
    public byte[] pollLast() {
        if (rep instanceof byte[]) {
            byte[] a = (byte[]) rep;
            if (count(a) == 0) {
                return null;
            }
            int p = a.length - a[a.length - 1] - 2;
            byte[] e = elementAt(a, p);
            rep = splice(a, count(a) - 1, p, a.length, null);
            return e;
        }
        return q().pollLast();
    }

    // ---- by index ----

    /** The element at {@code index}; Precondition: 0 <= index < size. */
    public byte[] get(long index) {
        if (rep instanceof byte[]) {
            byte[] a = (byte[]) rep;
            return elementAt(a, offsetOf(a, (int) index));
        }
        return q().get(index);
    }

    /** Replaces the element at {@code index}; Precondition: 0 <= index < size. */
    public void set(long index, byte[] e) {
        if (rep instanceof byte[]) {
            byte[] a = (byte[]) rep;
            int p = offsetOf(a, (int) index);
            if (fits(a, count(a), e.length, a[p])) {
                rep = splice(a, count(a), p, p + a[p] + 2, e);
                return;
            }
            toQuicklist();
        }
        q().set(index, e);
    }

    /** Removes {@code n} elements from the head (all when n >= size). */
    public void removeFirst(long n) {
        if (rep instanceof byte[]) {
            byte[] a = (byte[]) rep;
            int k = (int) Math.min(n, count(a));
            if (k > 0) {
                int b = base(a);
                rep = splice(a, count(a) - k, b, offsetOf(a, k), null);
            }
            return;
        }
        q().removeFirst(n);
    }

    /** Removes {@code n} elements from the tail (all when n >= size). */
    public void removeLast(long n) {
        if (rep instanceof byte[]) {
            byte[] a = (byte[]) rep;
            int k = (int) Math.min(n, count(a));
            if (k > 0) {
                rep = splice(a, count(a) - k, offsetOf(a, count(a) - k), a.length, null);
            }
            return;
        }
        q().removeLast(n);
    }

    /**
     * A cursor on element {@code index} (0 <= index < size; or any index when the list is
     * empty), moving towards the tail when {@code forward}, else towards the head.
     */
    public Cursor cursor(long index, boolean forward) {
        if (rep instanceof byte[]) {
            byte[] a = (byte[]) rep;
            int n = count(a);
            return n == 0 ? new Cursor(forward, -1, 0) : new Cursor(forward, (int) index, offsetOf(a, (int) index));
        }
        return new Cursor(q().cursor(index, forward), forward);
    }

    /**
     * Walks the list one way, and may replace, remove or insert next to the element it last
     * returned. After {@link #remove()} the walk goes on; after an insert it must stop.
     */
    public final class Cursor {
        /** The quicklist's cursor once the list is (or became) a quicklist; null while packed. */
        private Quicklist.Cursor quick;
        private final boolean forward;
        /** Packed: index and offset of the next element (index out of range when done). */
        private int idx;
        private int off;
        /** Packed: index and offset of the element last returned. */
        private int lastIdx;
        private int lastOff;

        private Cursor(boolean forward, int idx, int off) {
            this.forward = forward;
            this.idx = idx;
            this.off = off;
        }

        private Cursor(Quicklist.Cursor quick, boolean forward) {
            this.quick = quick;
            this.forward = forward;
        }

        public boolean hasNext() {
            if (quick != null) {
                return quick.hasNext();
            }
            return idx >= 0 && rep instanceof byte[] && idx < count((byte[]) rep);
        }

        /** The next element. Precondition: {@link #hasNext()}. */
        public byte[] next() {
            if (quick != null) {
                return quick.next();
            }
            byte[] a = (byte[]) rep;
            byte[] e = elementAt(a, off);
            lastIdx = idx;
            lastOff = off;
            if (forward) {
                idx++;
                off += e.length + 2;
            } else if (--idx >= 0) {
                off -= a[off - 1] + 2;
            }
            return e;
        }

        /** After the packed list became a quicklist: the quicklist's cursor, just past the element last returned. */
        private Quicklist.Cursor reseat() {
            quick = q().cursor(lastIdx, forward);
            quick.next();
            return quick;
        }

        /** Replaces the element last returned. */
        public void set(byte[] e) {
            if (quick == null) {
                byte[] a = (byte[]) rep;
                int old = a[lastOff];
                if (fits(a, count(a), e.length, old)) {
                    rep = splice(a, count(a), lastOff, lastOff + old + 2, e);
                    if (forward) {
                        off += e.length - old;
                    }
                    return;
                }
                toQuicklist();
                reseat();
            }
            quick.set(e);
        }

        /** Removes the element last returned. */
        public void remove() {
            if (quick != null) {
                quick.remove();
                return;
            }
            byte[] a = (byte[]) rep;
            int len = a[lastOff];
            rep = splice(a, count(a) - 1, lastOff, lastOff + len + 2, null);
            if (forward) {
                // the following elements moved left by one
                idx--;
                off -= len + 2;
            }
        }

        /** Inserts {@code e} just before ({@code after} false) or after the element last returned. */
        public void insert(byte[] e, boolean after) {
            if (quick == null) {
                byte[] a = (byte[]) rep;
                if (fits(a, count(a) + 1, e.length, -1)) {
                    int at = after ? lastOff + a[lastOff] + 2 : lastOff;
                    rep = splice(a, count(a) + 1, at, at, e);
                    idx = -1; // positions moved: the walk ends here
                    return;
                }
                toQuicklist();
                reseat();
            }
            quick.insert(e, after);
        }
    }

    /** Merges neighbouring nodes that fit together again, after a cursor removed elements. */
    public void compact() {
        if (rep instanceof Quicklist) {
            q().compact();
        }
    }

    /** Appends {@code count} elements from {@code start} towards the tail into {@code out}. */
    public void range(long start, long count, Consumer<byte[]> out) {
        if (rep instanceof Quicklist) {
            q().range(start, count, out);
            return;
        }
        byte[] a = (byte[]) rep;
        int n = count(a);
        if (count <= 0 || start >= n) {
            return;
        }
        int p = offsetOf(a, (int) start);
        for (long i = 0; i < count && start + i < n; i++) {
            byte[] e = elementAt(a, p);
            p += e.length + 2;
            out.accept(e);
        }
    }

    /** Checks the invariants; for tests ({@code assert list.checkInvariants()}). */
    public boolean checkInvariants() {
        if (rep instanceof Quicklist) {
            return q().checkInvariants();
        }
        byte[] a = (byte[]) rep;
        int p = base(a);
        int n = 0;
        while (p < a.length) {
            int len = a[p];
            if (len < 0 || len > SMALL_VALUE || p + len + 1 >= a.length || a[p + len + 1] != len) {
                return false;
            }
            p += len + 2;
            n++;
        }
        return p == a.length && n == count(a) && n <= SMALL_ENTRIES;
    }
}
