package io.strata.engine.types;

/**
 * The big form of a {@link ListValue}, stored as Redis' quicklist is: a doubly linked chain of
 * small nodes, each an array of elements bounded by {@code list-max-listpack-size} (negative = bytes per node, -1..-5 for
 * 4/8/16/32/64 KB; positive = elements per node, also capped at 8 KB). Pushes and pops at both
 * ends are O(1); an insert or remove in the middle copies at most one node; index access walks
 * whole nodes from the nearer end.
 *
 * <p>Thread rule: keyspace thread only.
 *
 * <p>Invariant: no node is empty (an empty node is unlinked at once), and {@link #size} is the
 * sum of the node counts. Elements are never modified in place (LSET stores a new array), so a
 * {@link #copy()} may share them.
 */
final class Quicklist {
    /** Bytes per node for fill -1..-5, as Redis' {@code optimization_level}. */
    static final int[] SIZE_CLASSES = {4096, 8192, 16384, 32768, 65536};
    /** Redis' SIZE_SAFETY_LIMIT: a count-bounded node still stays under this many bytes. */
    static final int SIZE_SAFETY_LIMIT = 8192;
    /** Redis' SIZE_ESTIMATE_OVERHEAD: what an entry adds to a listpack besides its bytes. */
    static final int ENTRY_OVERHEAD = 8;
    /** Redis' FILL_MAX. */
    static final int FILL_MAX = 1 << 15;

    /** {@code list-max-listpack-size} when the list was created (Redis fixes it per list too). */
    private final int fill;
    private Node head;
    private Node tail;
    private long size;
    private int nodes;
    /** Sum of every node's {@code bytes}, kept as nodes change so memoryUsage() is O(1). */
    private long totalBytes;

    Quicklist(int fill) {
        this.fill = clampFill(fill);
    }

    /** {@code list-max-listpack-size} as a quicklist takes it: 0 means -2, beyond the ends is clamped. */
    static int clampFill(int fill) {
        return Math.max(-SIZE_CLASSES.length, Math.min(FILL_MAX, fill == 0 ? -2 : fill));
    }

    /** One quicklist node: elements in {@code items[start .. start+count)}. */
    private final class Node {
        byte[][] items;
        int start;
        int count;
        /** Estimated listpack bytes of this node, for the byte-size limit. */
        long bytes;
        Node prev;
        Node next;

        Node(int capacity) {
            items = new byte[Math.max(4, capacity)][];
            start = items.length / 2;
        }

        byte[] get(int i) {
            return items[start + i];
        }

        /** Re-allocates with free room on both sides of the elements. */
        private void regrow() {
            byte[][] n = new byte[Math.max(8, count * 2 + 4)][];
            int s = (n.length - count) / 2;
            System.arraycopy(items, start, n, s, count);
            items = n;
            start = s;
        }

        void addFirst(byte[] e) {
            if (start == 0) {
                regrow();
            }
            items[--start] = e;
            count++;
            bytes += e.length + ENTRY_OVERHEAD;
            totalBytes += e.length + ENTRY_OVERHEAD;
        }

        void addLast(byte[] e) {
            if (start + count == items.length) {
                regrow();
            }
            items[start + count++] = e;
            bytes += e.length + ENTRY_OVERHEAD;
            totalBytes += e.length + ENTRY_OVERHEAD;
        }

        /** Inserts at position {@code i} in [0, count]; elements from {@code i} on move right. */
        void insert(int i, byte[] e) {
            if (i == 0) {
                addFirst(e);
                return;
            }
            if (start + count == items.length) {
                regrow();
            }
            System.arraycopy(items, start + i, items, start + i + 1, count - i);
            items[start + i] = e;
            count++;
            bytes += e.length + ENTRY_OVERHEAD;
            totalBytes += e.length + ENTRY_OVERHEAD;
        }

        /** Removes position {@code i}; elements after it move left, those before keep their index. */
        byte[] remove(int i) {
            byte[] e = items[start + i];
            if (i == 0) {
                items[start++] = null;
            } else {
                System.arraycopy(items, start + i + 1, items, start + i, count - i - 1);
                items[start + count - 1] = null;
            }
            count--;
            bytes -= e.length + ENTRY_OVERHEAD;
            totalBytes -= e.length + ENTRY_OVERHEAD;
            return e;
        }

        void set(int i, byte[] e) {
            bytes += e.length - items[start + i].length;
            totalBytes += e.length - items[start + i].length;
            items[start + i] = e;
        }
    }

    public long size() {
        return size;
    }

    public Quicklist copy() {
        Quicklist c = new Quicklist(fill);
        for (Node n = head; n != null; n = n.next) {
            Node m = c.new Node(n.count);
            m.start = 0;
            System.arraycopy(n.items, n.start, m.items, 0, n.count);
            m.count = n.count;
            m.bytes = n.bytes;
            c.totalBytes += n.bytes;
            c.linkAfter(c.tail, m);
        }
        c.size = size;
        return c;
    }

    /**
     * Heap bytes, in O(1): the list object, per node its object and slot array, per element its
     * byte[] header and slot (measured: within a few % of retained heap for short elements).
     */
    public long memoryUsage() {
        return 48 + 56L * nodes + totalBytes + 18L * size;
    }

    /** Number of nodes (for tests and DEBUG-like introspection). */
    public int nodeCount() {
        return nodes;
    }

    // ---- node limits ----

    /** Redis' _quicklistNodeAllowInsert: may {@code n} take one more element of {@code len} bytes? */
    private boolean allowInsert(Node n, int len) {
        if (n == null) {
            return false;
        }
        long newBytes = n.bytes + len + ENTRY_OVERHEAD;
        if (fill >= 0) {
            return n.count + 1 <= fill && newBytes <= SIZE_SAFETY_LIMIT;
        }
        return newBytes <= SIZE_CLASSES[-fill - 1];
    }

    private boolean allowMerge(Node a, Node b) {
        long bytes = a.bytes + b.bytes;
        if (fill >= 0) {
            return a.count + b.count <= fill && bytes <= SIZE_SAFETY_LIMIT;
        }
        return bytes <= SIZE_CLASSES[-fill - 1];
    }

    private void linkAfter(Node at, Node n) {
        n.prev = at;
        if (at == null) {
            n.next = head;
            if (head != null) {
                head.prev = n;
            }
            head = n;
        } else {
            n.next = at.next;
            if (at.next != null) {
                at.next.prev = n;
            }
            at.next = n;
        }
        if (n.next == null) {
            tail = n;
        }
        nodes++;
    }

    private void unlink(Node n) {
        if (n.prev != null) {
            n.prev.next = n.next;
        } else {
            head = n.next;
        }
        if (n.next != null) {
            n.next.prev = n.prev;
        } else {
            tail = n.prev;
        }
        n.prev = n.next = null;
        nodes--;
        totalBytes -= n.bytes;
    }

    /** Joins {@code a} and its successor when together they fit one node. */
    private void mergeWithNext(Node a) {
        Node b = a.next;
        if (b == null || !allowMerge(a, b)) {
            return;
        }
        for (int i = 0; i < b.count; i++) {
            a.addLast(b.get(i));
        }
        unlink(b);
    }

    // ---- both ends ----

    public void addFirst(byte[] e) {
        if (allowInsert(head, e.length)) {
            head.addFirst(e);
        } else {
            Node n = new Node(4);
            n.addFirst(e);
            linkAfter(null, n);
        }
        size++;
    }

    public void addLast(byte[] e) {
        if (allowInsert(tail, e.length)) {
            tail.addLast(e);
        } else {
            Node n = new Node(4);
            n.addLast(e);
            linkAfter(tail, n);
        }
        size++;
    }

    /** Removes and returns the first element, or null when empty. */
    public byte[] pollFirst() {
        if (head == null) {
            return null;
        }
        Node n = head;
        byte[] e = n.remove(0);
        if (n.count == 0) {
            unlink(n);
        }
        size--;
        return e;
    }

    /** Removes and returns the last element, or null when empty. */
    public byte[] pollLast() {
        if (tail == null) {
            return null;
        }
        Node n = tail;
        byte[] e = n.remove(n.count - 1);
        if (n.count == 0) {
            unlink(n);
        }
        size--;
        return e;
    }

    // ---- by index ----

    /** The element at {@code index}; Precondition: 0 <= index < size. */
    public byte[] get(long index) {
        Cursor c = cursor(index, true);
        return c.next();
    }

    /** Replaces the element at {@code index}; Precondition: 0 <= index < size. */
    public void set(long index, byte[] e) {
        Cursor c = cursor(index, true);
        c.next();
        c.set(e);
    }

    /** Removes {@code n} elements from the head (all when n >= size), whole nodes at a time. */
    public void removeFirst(long n) {
        while (n > 0 && head != null) {
            Node h = head;
            if (h.count <= n) {
                n -= h.count;
                size -= h.count;
                unlink(h);
            } else {
                for (; n > 0; n--) {
                    h.remove(0);
                    size--;
                }
            }
        }
    }

    /** Removes {@code n} elements from the tail (all when n >= size), whole nodes at a time. */
    public void removeLast(long n) {
        while (n > 0 && tail != null) {
            Node t = tail;
            if (t.count <= n) {
                n -= t.count;
                size -= t.count;
                unlink(t);
            } else {
                for (; n > 0; n--) {
                    t.remove(t.count - 1);
                    size--;
                }
            }
        }
    }

    /**
     * A cursor on element {@code index} (0 <= index < size; or any index when the list is
     * empty), moving towards the tail when {@code forward}, else towards the head. Walks whole
     * nodes from the nearer end.
     */
    public Cursor cursor(long index, boolean forward) {
        Node n;
        int i;
        if (index < size / 2) {
            n = head;
            while (n != null && index >= n.count) {
                index -= n.count;
                n = n.next;
            }
            i = (int) index;
        } else {
            long fromEnd = size - 1 - index;
            n = tail;
            while (n != null && fromEnd >= n.count) {
                fromEnd -= n.count;
                n = n.prev;
            }
            i = n == null ? 0 : n.count - 1 - (int) fromEnd;
        }
        return new Cursor(n, i, forward);
    }

    /**
     * Walks the list one way, and may replace, remove or insert next to the element it last
     * returned. After {@link #remove()} the walk goes on; after an insert it must stop.
     */
    public final class Cursor {
        private Node node;
        private int idx;
        private final boolean forward;
        private Node lastNode;
        private int lastIdx;

        private Cursor(Node node, int idx, boolean forward) {
            this.node = node;
            this.idx = idx;
            this.forward = forward;
        }

        public boolean hasNext() {
            return node != null;
        }

        /** The next element. Precondition: {@link #hasNext()}. */
        public byte[] next() {
            byte[] e = node.get(idx);
            lastNode = node;
            lastIdx = idx;
            if (forward) {
                if (++idx == node.count) {
                    node = node.next;
                    idx = 0;
                }
            } else if (--idx < 0) {
                node = node.prev;
                idx = node == null ? 0 : node.count - 1;
            }
            return e;
        }

        /** Replaces the element last returned. */
        public void set(byte[] e) {
            lastNode.set(lastIdx, e);
        }

        /**
         * Removes the element last returned. Node merging is left to {@link #compact()} so
         * the walk's position stays valid.
         */
        public void remove() {
            Node n = lastNode;
            n.remove(lastIdx);
            size--;
            if (forward && node == n) {
                idx--; // the following elements moved left by one
            }
            if (n.count == 0) {
                unlink(n);
            }
            lastNode = null;
        }

        /** Inserts {@code e} just before ({@code after} false) or after the element last returned. */
        public void insert(byte[] e, boolean after) {
            insertAt(lastNode, after ? lastIdx + 1 : lastIdx, e);
            node = null; // positions moved: the walk ends here
        }
    }

    /** Merges neighbouring nodes that fit together again, after a cursor removed elements. */
    public void compact() {
        for (Node n = head; n != null && n.next != null; ) {
            Node next = n.next;
            mergeWithNext(n);
            if (n.next == next) {
                n = next;
            }
        }
    }

    /** Inserts {@code e} at position {@code pos} (0..count) of node {@code n}, as quicklist's _quicklistInsert. */
    private void insertAt(Node n, int pos, byte[] e) {
        size++;
        if (allowInsert(n, e.length)) {
            n.insert(pos, e);
            return;
        }
        if (pos == n.count) {
            if (allowInsert(n.next, e.length)) {
                n.next.addFirst(e);
            } else {
                Node m = new Node(4);
                m.addLast(e);
                linkAfter(n, m);
            }
            return;
        }
        if (pos == 0) {
            if (allowInsert(n.prev, e.length)) {
                n.prev.addLast(e);
            } else {
                Node m = new Node(4);
                m.addLast(e);
                linkAfter(n.prev, m);
            }
            return;
        }
        // full node, insert in the middle: split at pos, then put e at the end of the left half
        Node right = new Node(n.count - pos);
        for (int i = pos; i < n.count; i++) {
            right.addLast(n.get(i));
        }
        while (n.count > pos) {
            n.remove(n.count - 1);
        }
        linkAfter(n, right);
        if (allowInsert(n, e.length)) {
            n.addLast(e);
        } else if (allowInsert(right, e.length)) {
            right.addFirst(e);
        } else {
            Node m = new Node(4);
            m.addLast(e);
            linkAfter(n, m);
        }
    }

    /** Appends {@code count} elements from {@code start} towards the tail into {@code out}. */
    public void range(long start, long count, java.util.function.Consumer<byte[]> out) {
        if (count <= 0) {
            return;
        }
        Cursor c = cursor(start, true);
        for (long i = 0; i < count && c.hasNext(); i++) {
            out.accept(c.next());
        }
    }

    /** Checks the invariants; for tests ({@code assert list.checkInvariants()}). */
    public boolean checkInvariants() {
        long total = 0;
        long bytes = 0;
        int n = 0;
        Node prev = null;
        for (Node x = head; x != null; x = x.next) {
            if (x.count == 0 || x.prev != prev) {
                return false;
            }
            total += x.count;
            bytes += x.bytes;
            n++;
            prev = x;
        }
        return prev == tail && total == size && n == nodes && bytes == totalBytes;
    }
}
