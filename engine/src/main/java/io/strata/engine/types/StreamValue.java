package io.strata.engine.types;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * A Redis stream: entries ordered by 128-bit id, the stream's metadata (last id, first id, max
 * deleted id, entries added) and its consumer groups with their pending entries lists.
 *
 * <p>Thread rule: keyspace thread only (a snapshot works on its own {@link #copy()}).
 *
 * <p>Entries live in nodes laid out as Redis' listpacks are: a node starts at its master id,
 * takes appends until it holds {@code stream-node-max-entries} entries (live plus deleted) or
 * its listpack would reach {@code stream-node-max-bytes}, and keeps deleted entries as
 * tombstones until every entry in it is deleted, when the node goes. A node holds its ids in two
 * {@code long[]} and its field/value arrays side by side, so XADD is an append to the last
 * node's arrays (O(1) amortised, no per-entry map node) and a lookup or range start is a
 * floor search over the nodes plus a binary search inside one. Each node tracks the exact byte
 * size of the listpack Redis would hold, so node cuts, approximate trims ({@code MAXLEN ~},
 * {@code MINID ~} drop whole nodes), XINFO's radix-tree-keys and the RDB file's listpacks are
 * those of redis-server configured the same way. Field arrays are never mutated once stored,
 * so {@link #copy()} shares them.
 */
public final class StreamValue implements Value {
    /** Redis' defaults for stream-node-max-entries / stream-node-max-bytes. */
    public static final int NODE_MAX_ENTRIES = 100;
    public static final int NODE_MAX_BYTES = 4096;
    /** Redis' STREAM_LISTPACK_MAX_SIZE: the byte bound when stream-node-max-bytes is 0 or larger. */
    static final long LISTPACK_MAX_SIZE = 1L << 30;

    /** The nodes by master id (Redis' rax of listpacks). */
    final TreeMap<StreamId, Node> nodes = new TreeMap<>();
    /** The last node (nodes.lastEntry(), kept so that XADD does not walk the map), or null. */
    private Node tail;
    /**
     * The node the last lookup landed in, or null: consumers read near where they read last, so
     * most lookups are answered without a map search. Invariant: null or a node still in the map.
     */
    private Node finger;
    /** Consumer groups by name, in byte order as Redis' rax iterates them. */
    public final TreeMap<byte[], Group> groups = new TreeMap<>(Arrays::compareUnsigned);
    public StreamId lastId = StreamId.ZERO;
    public StreamId firstId = StreamId.ZERO;
    public StreamId maxDeletedId = StreamId.ZERO;
    public long entriesAdded;
    /** Live entries (Redis' s->length). */
    private long length;
    /** Estimated bytes of the nodes and the entries they hold, kept up to date so memoryUsage() is O(groups). */
    private long entryBytes;

    /**
     * One of Redis' listpack nodes: its master entry, then every entry appended to it in id order,
     * deleted ones flagged. Entries {@code [0, inserted)} of the arrays are in use.
     */
    public static final class Node {
        /** The id the node is keyed by: its first entry's, even once that entry is deleted. */
        public final StreamId master;
        /** The master entry's fields: the first entry's field names. */
        public final byte[][] masterFields;
        long[] ms;
        long[] seq;
        byte[][][] fv;
        /** Redis' STREAM_ITEM_FLAG_DELETED per entry; null until the first deletion. */
        boolean[] deleted;
        /** Live plus deleted entries in the node (Redis' count + deleted). */
        int inserted;
        int live;
        /** The neighbouring nodes in id order (what the map holds, linked for walks). */
        Node prev;
        Node next;
        /** Bytes of the listpack except the master entry's count and deleted elements. */
        long baseBytes;

        Node(StreamId master, byte[][] masterFields, int capacity) {
            this.master = master;
            this.masterFields = masterFields;
            ms = new long[capacity];
            seq = new long[capacity];
            fv = new byte[capacity][][];
            // header (total bytes, element count), field count, fields, master terminator, end byte
            baseBytes = 6 + intSize(masterFields.length) + intSize(0) + 1;
            for (byte[] f : masterFields) {
                baseBytes += elementSize(f);
            }
        }

        /** The listpack's size in bytes, as Redis' lpBytes reports it. */
        public long lpBytes() {
            return baseBytes + intSize(live) + intSize(inserted - live);
        }

        public int size() {
            return inserted;
        }

        public int live() {
            return live;
        }

        public long ms(int i) {
            return ms[i];
        }

        public long seq(int i) {
            return seq[i];
        }

        public byte[][] fieldsAndValues(int i) {
            return fv[i];
        }

        public boolean isDeleted(int i) {
            return deleted != null && deleted[i];
        }

        StreamId id(int i) {
            return new StreamId(ms[i], seq[i]);
        }

        StreamId lastInserted() {
            return id(inserted - 1);
        }

        /** The first index whose id is at or above (ms, seq); {@code inserted} when none. */
        int lowerBound(long m, long s) {
            int lo = 0;
            int hi = inserted;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (compare(ms[mid], seq[mid], m, s) < 0) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            return lo;
        }

        void add(long m, long s, byte[][] values, long bytes) {
            if (inserted == ms.length) {
                int cap = Math.max(4, inserted * 2);
                ms = Arrays.copyOf(ms, cap);
                seq = Arrays.copyOf(seq, cap);
                fv = Arrays.copyOf(fv, cap);
                if (deleted != null) {
                    deleted = Arrays.copyOf(deleted, cap);
                }
            }
            ms[inserted] = m;
            seq[inserted] = s;
            fv[inserted] = values;
            inserted++;
            live++;
            baseBytes += bytes;
        }

        /** Drops unused array room once the node is full (Redis' lpShrinkToFit on the cut). */
        void shrink() {
            if (ms.length > inserted) {
                ms = Arrays.copyOf(ms, inserted);
                seq = Arrays.copyOf(seq, inserted);
                fv = Arrays.copyOf(fv, inserted);
                if (deleted != null) {
                    deleted = Arrays.copyOf(deleted, inserted);
                }
            }
        }

        void markDeleted(int i) {
            if (deleted == null) {
                deleted = new boolean[ms.length];
            }
            deleted[i] = true;
            live--;
        }

        Node copy() {
            Node n = new Node(master, masterFields, 0);
            n.ms = Arrays.copyOf(ms, inserted);
            n.seq = Arrays.copyOf(seq, inserted);
            n.fv = Arrays.copyOf(fv, inserted);
            n.deleted = deleted == null ? null : Arrays.copyOf(deleted, inserted);
            n.inserted = inserted;
            n.live = live;
            n.baseBytes = baseBytes;
            return n;
        }
    }

    static int compare(long ms1, long seq1, long ms2, long seq2) {
        int c = Long.compareUnsigned(ms1, ms2);
        return c != 0 ? c : Long.compareUnsigned(seq1, seq2);
    }

    /** A pending entry: who it was delivered to, when, and how often. */
    public static final class Nack {
        public Consumer consumer;
        public long deliveryTime;
        public long deliveryCount;

        public Nack(Consumer consumer, long deliveryTime, long deliveryCount) {
            this.consumer = consumer;
            this.deliveryTime = deliveryTime;
            this.deliveryCount = deliveryCount;
        }
    }

    public static final class Consumer {
        public final byte[] name;
        public long seenTime;
        public final TreeMap<StreamId, Nack> pel = new TreeMap<>();

        public Consumer(byte[] name, long seenTime) {
            this.name = name;
            this.seenTime = seenTime;
        }
    }

    public static final class Group {
        public final byte[] name;
        public StreamId lastId;
        /** -1 when unknown (Redis' SCG_INVALID_ENTRIES_READ). */
        public long entriesRead;
        public final TreeMap<StreamId, Nack> pel = new TreeMap<>();
        public final TreeMap<byte[], Consumer> consumers = new TreeMap<>(Arrays::compareUnsigned);

        public Group(byte[] name, StreamId lastId, long entriesRead) {
            this.name = name;
            this.lastId = lastId;
            this.entriesRead = entriesRead;
        }

        /** The consumer, created (seen now) when absent; null result never. */
        public Consumer consumer(byte[] name, long now) {
            return consumers.computeIfAbsent(name, n -> new Consumer(n, now));
        }
    }

    @Override
    public String typeName() {
        return "stream";
    }

    @Override
    public String encoding() {
        return "stream";
    }

    @Override
    public long size() {
        return length;
    }

    public long length() {
        return length;
    }

    /** The last id still in the stream (Redis' streamLastValidID), 0-0 when empty. */
    public StreamId lastValidId() {
        StreamId id = lastEntryId();
        return id == null ? StreamId.ZERO : id;
    }

    /** The node whose entries would hold {@code id}: the last one keyed at or below it, or null. */
    private Node floorNode(StreamId id) {
        Node f = finger;
        if (f != null && f.master.compareTo(id) <= 0 && (f.next == null || f.next.master.compareTo(id) > 0)) {
            return f;
        }
        if (tail != null && tail.master.compareTo(id) <= 0) {
            return finger = tail;
        }
        Map.Entry<StreamId, Node> ne = nodes.floorEntry(id);
        return finger = ne == null ? null : ne.getValue();
    }

    /** The first live entry's id, 0-0 when the stream is empty. */
    public StreamId firstEntryIdOrZero() {
        StreamId id = firstEntryId();
        return id == null ? StreamId.ZERO : id;
    }

    /** The first live entry's id, or null when the stream is empty. */
    public StreamId firstEntryId() {
        Cursor c = range(StreamId.ZERO, StreamId.MAX, false);
        return c.next() ? c.id() : null;
    }

    /** The last live entry's id, or null when the stream is empty. */
    public StreamId lastEntryId() {
        for (Node n = tail; n != null; n = n.prev) {
            for (int i = n.inserted - 1; i >= 0; i--) {
                if (!n.isDeleted(i)) {
                    return n.id(i);
                }
            }
        }
        return null;
    }

    /** The fields and values of the live entry {@code id}, or null. */
    public byte[][] get(StreamId id) {
        Node n = floorNode(id);
        if (n == null) {
            return null;
        }
        int i = n.lowerBound(id.ms, id.seq);
        if (i == n.inserted || n.ms[i] != id.ms || n.seq[i] != id.seq || n.isDeleted(i)) {
            return null;
        }
        return n.fv[i];
    }

    public boolean contains(StreamId id) {
        return get(id) != null;
    }

    /** The nodes in id order (RDB serialisation reads them as they are). */
    public Iterable<Node> nodes() {
        return nodes.values();
    }

    /** Appends an entry with Redis' default node limits (see {@link #append(StreamId, byte[][], long, long)}). */
    public void append(StreamId id, byte[][] fieldsAndValues) {
        append(id, fieldsAndValues, NODE_MAX_BYTES, NODE_MAX_ENTRIES);
    }

    /**
     * Appends an entry whose id the caller checked is above {@link #lastId}, to the last node
     * unless it is full (Redis' streamAppendItem): a new node starts when the last one's listpack
     * plus the entry's field and value bytes would reach {@code nodeMaxBytes} (0 = Redis' 1 GB
     * cap) or when it holds {@code nodeMaxEntries} entries (0 = no limit).
     */
    public void append(StreamId id, byte[][] fieldsAndValues, long nodeMaxBytes, long nodeMaxEntries) {
        Node n = tail;
        Node previous = n;
        if (n != null) {
            long elelen = 0;
            for (byte[] b : fieldsAndValues) {
                elelen += b.length;
            }
            long maxBytes = nodeMaxBytes == 0 || nodeMaxBytes > LISTPACK_MAX_SIZE ? LISTPACK_MAX_SIZE : nodeMaxBytes;
            if (n.lpBytes() + elelen >= maxBytes || nodeMaxEntries != 0 && n.inserted >= nodeMaxEntries) {
                n = null;
            }
        }
        if (n == null) {
            int nf = fieldsAndValues.length / 2;
            byte[][] masterFields = new byte[nf][];
            for (int i = 0; i < nf; i++) {
                masterFields[i] = fieldsAndValues[2 * i];
            }
            // a stream that filled a node will likely fill the next as far: size it so (Redis
            // preallocates a new listpack too) instead of growing it by copies
            int cap = previous == null ? 4 : Math.max(4, previous.inserted);
            if (nodeMaxEntries > 0 && nodeMaxEntries < cap) {
                cap = (int) nodeMaxEntries;
            }
            if (previous != null) {
                previous.shrink();
            }
            n = new Node(id, masterFields, cap);
            link(n);
            entryBytes += nodeBytes(masterFields);
        }
        n.add(id.ms, id.seq, fieldsAndValues, entryListpackBytes(n, id.ms, id.seq, fieldsAndValues));
        length++;
        entryBytes += entryBytes(n, fieldsAndValues);
        lastId = id;
        entriesAdded++;
        if (length == 1) {
            firstId = id;
        }
    }

    /**
     * The field names of the node XADD appends to next, or null: the caller may pass these very
     * arrays as an entry's field names instead of copies (entries with the master's fields then
     * share them, as a listpack stores them once).
     */
    public byte[][] tailMasterFields() {
        return tail == null ? null : tail.masterFields;
    }

    /** The bytes an entry adds to node {@code n}'s listpack (Redis' streamAppendItem layout). */
    private static long entryListpackBytes(Node n, long ms, long seq, byte[][] fv) {
        long bytes = intSize(0) + intSize(ms - n.master.ms) + intSize(seq - n.master.seq);
        int nf = fv.length / 2;
        if (sameFields(n.masterFields, fv)) {
            for (int i = 1; i < fv.length; i += 2) {
                bytes += elementSize(fv[i]);
            }
            bytes += intSize(nf + 3);
        } else {
            bytes += intSize(nf);
            for (byte[] b : fv) {
                bytes += elementSize(b);
            }
            bytes += intSize(nf + 3 + nf + 1);
        }
        return bytes;
    }

    /**
     * Appends one node as an RDB file holds it (the loader keeps Redis' listpacks as they are):
     * entries in order, {@code deleted[i]} marking tombstones. Precondition: the ids are above
     * every id already in the stream and ascending; the node holds at least one entry.
     */
    public void appendNode(StreamId master, byte[][] masterFields, long[] ms, long[] seq, byte[][][] fv, boolean[] deleted) {
        Node n = new Node(master, masterFields, ms.length);
        for (int i = 0; i < ms.length; i++) {
            n.add(ms[i], seq[i], fv[i], entryListpackBytes(n, ms[i], seq[i], fv[i]));
            entryBytes += entryBytes(n, fv[i]);
            if (deleted[i]) {
                n.markDeleted(i);
            }
        }
        entryBytes += nodeBytes(masterFields);
        length += n.live;
        link(n); // even with every entry deleted: Redis' loader keeps such a node too
    }

    private static boolean sameFields(byte[][] master, byte[][] fv) {
        if (master.length * 2 != fv.length) {
            return false;
        }
        for (int i = 0; i < master.length; i++) {
            if (!Arrays.equals(master[i], fv[2 * i])) {
                return false;
            }
        }
        return true;
    }

    /** Removes one entry (XDEL); true when it existed. Updates nothing but the nodes. */
    public boolean delete(StreamId id) {
        Node n = floorNode(id);
        if (n == null) {
            return false;
        }
        int i = n.lowerBound(id.ms, id.seq);
        if (i == n.inserted || n.ms[i] != id.ms || n.seq[i] != id.seq || n.isDeleted(i)) {
            return false;
        }
        n.markDeleted(i);
        length--;
        if (n.live == 0) {
            removeNode(n);
        }
        return true;
    }

    /** Puts a node above every other at the end. */
    private void link(Node n) {
        nodes.put(n.master, n);
        n.prev = tail;
        if (tail != null) {
            tail.next = n;
        }
        tail = n;
    }

    private void removeNode(Node n) {
        nodes.remove(n.master);
        if (n.prev != null) {
            n.prev.next = n.next;
        }
        if (n.next != null) {
            n.next.prev = n.prev;
        }
        if (n == tail) {
            tail = n.prev;
        }
        if (n == finger) {
            finger = null;
        }
        entryBytes -= nodeBytes(n.masterFields);
        for (int i = 0; i < n.inserted; i++) {
            entryBytes -= entryBytes(n, n.fv[i]);
        }
    }

    /** First id after a deletion or trim, 0-0 when empty (Redis' streamGetEdgeID). */
    public void refreshFirstId() {
        StreamId id = firstEntryId();
        firstId = id == null ? StreamId.ZERO : id;
    }

    /**
     * Redis' streamTrim: drops whole nodes from the head while the stream stays at or above
     * {@code maxlen} (or below {@code minid}), then, unless {@code approx}, single entries.
     * {@code limit} 0 means no limit. Returns the entries removed.
     */
    public long trim(boolean byMaxlen, long maxlen, StreamId minid, boolean approx, long limit) {
        long deleted = 0;
        while (!nodes.isEmpty()) {
            if (byMaxlen && length <= maxlen) {
                break;
            }
            Node n = nodes.firstEntry().getValue();
            if (limit > 0 && deleted + n.live > limit) {
                break;
            }
            boolean removeNode = byMaxlen ? length - n.live >= maxlen : n.lastInserted().compareTo(minid) < 0;
            if (removeNode) {
                deleted += n.live;
                length -= n.live;
                removeNode(n);
                continue;
            }
            if (approx) {
                break;
            }
            for (int i = 0; i < n.inserted; i++) {
                if (n.isDeleted(i)) {
                    continue;
                }
                if (byMaxlen ? length <= maxlen : compare(n.ms[i], n.seq[i], minid.ms, minid.seq) >= 0) {
                    break;
                }
                n.markDeleted(i);
                length--;
                deleted++;
            }
            break;
        }
        refreshFirstId();
        return deleted;
    }

    /**
     * Live entries from {@code start} to {@code end} (both inclusive) in id order, or from
     * {@code end} down to {@code start} when {@code rev}.
     */
    public Cursor range(StreamId start, StreamId end, boolean rev) {
        return new Cursor(start, end, rev);
    }

    /** Live entries in a range, {@link #range} from {@code from}; count up to {@code max} (0 = all). */
    public int count(StreamId start, StreamId end, boolean rev, long max) {
        Cursor c = range(start, end, rev);
        int n = 0;
        while ((max == 0 || n < max) && c.next()) {
            n++;
        }
        return n;
    }

    /** An iteration over live entries; {@link #next()} then {@link #id()} and {@link #fieldsAndValues()}. */
    public final class Cursor {
        private final long boundMs;
        private final long boundSeq;
        private final boolean rev;
        private Node node;
        private int i;
        private boolean started;
        private StreamId id;

        Cursor(StreamId start, StreamId end, boolean rev) {
            this.rev = rev;
            StreamId from = rev ? end : start;
            StreamId bound = rev ? start : end;
            boundMs = bound.ms;
            boundSeq = bound.seq;
            if (start.compareTo(end) > 0) {
                return;
            }
            node = floorNode(from);
            if (!rev && node == null && !nodes.isEmpty()) {
                node = nodes.firstEntry().getValue();
            }
            if (node == null) {
                return;
            }
            int lb = node.lowerBound(from.ms, from.seq);
            if (rev) {
                // the last index at or below from
                i = lb < node.inserted && node.ms[lb] == from.ms && node.seq[lb] == from.seq ? lb : lb - 1;
            } else {
                i = lb;
            }
            started = true;
        }

        /** Moves to the next live entry in range; false at the end. */
        public boolean next() {
            if (node == null) {
                return false;
            }
            if (!started) {
                i += rev ? -1 : 1;
            }
            started = false;
            while (true) {
                if (rev ? i < 0 : i >= node.inserted) {
                    node = rev ? node.prev : node.next;
                    if (node == null) {
                        return false;
                    }
                    i = rev ? node.inserted - 1 : 0;
                    continue;
                }
                int c = compare(node.ms[i], node.seq[i], boundMs, boundSeq);
                if (rev ? c < 0 : c > 0) {
                    node = null;
                    return false;
                }
                if (!node.isDeleted(i)) {
                    id = null;
                    return true;
                }
                i += rev ? -1 : 1;
            }
        }

        public long ms() {
            return node.ms[i];
        }

        public long seq() {
            return node.seq[i];
        }

        public StreamId id() {
            if (id == null) {
                id = node.id(i);
            }
            return id;
        }

        public byte[][] fieldsAndValues() {
            return node.fv[i];
        }
    }

    /** Redis' streamRangeHasTombstones. */
    public boolean rangeHasTombstones(StreamId start, StreamId end) {
        if (length == 0 || maxDeletedId.isZero()) {
            return false;
        }
        if (firstId.compareTo(maxDeletedId) > 0) {
            return false;
        }
        StreamId s = start == null ? StreamId.ZERO : start;
        StreamId e = end == null ? StreamId.MAX : end;
        return s.compareTo(maxDeletedId) <= 0 && maxDeletedId.compareTo(e) <= 0;
    }

    /** Redis' streamEstimateDistanceFromFirstEverEntry; -1 when unknown. */
    public long estimateDistanceFromFirst(StreamId id) {
        if (entriesAdded == 0) {
            return 0;
        }
        if (length == 0 && id.compareTo(lastId) < 1) {
            return entriesAdded;
        }
        int cmpLast = id.compareTo(lastId);
        if (cmpLast == 0) {
            return entriesAdded;
        } else if (cmpLast > 0) {
            return -1;
        }
        int cmpFirst = id.compareTo(firstId);
        if (maxDeletedId.isZero() || maxDeletedId.compareTo(firstId) < 0) {
            if (cmpFirst < 0) {
                return entriesAdded - length;
            } else if (cmpFirst == 0) {
                return entriesAdded - length + 1;
            }
        }
        return -1;
    }

    /** The consumer group's lag, or null when it cannot be known (Redis' streamReplyWithCGLag). */
    public Long lag(Group g) {
        if (entriesAdded == 0) {
            return 0L;
        }
        if (g.entriesRead != -1 && !rangeHasTombstones(g.lastId, null)) {
            return entriesAdded - g.entriesRead;
        }
        long read = estimateDistanceFromFirst(g.lastId);
        return read == -1 ? null : entriesAdded - read;
    }

    public int nodeCount() {
        return nodes.size();
    }

    @Override
    public StreamValue copy() {
        StreamValue s = new StreamValue();
        for (Node n : nodes.values()) {
            s.link(n.copy());
        }
        s.length = length;
        s.lastId = lastId;
        s.firstId = firstId;
        s.maxDeletedId = maxDeletedId;
        s.entriesAdded = entriesAdded;
        s.entryBytes = entryBytes;
        for (Group g : groups.values()) {
            Group c = new Group(g.name, g.lastId, g.entriesRead);
            for (Consumer con : g.consumers.values()) {
                c.consumers.put(con.name, new Consumer(con.name, con.seenTime));
            }
            for (Map.Entry<StreamId, Nack> e : g.pel.entrySet()) {
                Nack n = e.getValue();
                Consumer owner = n.consumer == null ? null : c.consumers.get(n.consumer.name);
                Nack m = new Nack(owner, n.deliveryTime, n.deliveryCount);
                c.pel.put(e.getKey(), m);
                if (owner != null) {
                    owner.pel.put(e.getKey(), m);
                }
            }
            s.groups.put(c.name, c);
        }
        return s;
    }

    @Override
    public long memoryUsage() {
        long m = 128 + entryBytes;
        for (Group g : groups.values()) {
            m += 96 + g.name.length + 80L * g.pel.size() + 64L * g.consumers.size();
        }
        return m;
    }

    /** A node's own heap: the map entry, the node, its id and arrays' headers, the master fields. */
    private static long nodeBytes(byte[][] masterFields) {
        long m = 160 + 16L * masterFields.length;
        for (byte[] f : masterFields) {
            m += 16 + f.length;
        }
        return m;
    }

    /**
     * An entry's slots in its node's arrays (two longs, a reference), its array and its elements,
     * field names shared with the node's master entry not counted again.
     */
    private static long entryBytes(Node n, byte[][] fv) {
        long m = 24 + 16 + 8L * fv.length;
        for (int i = 0; i < fv.length; i++) {
            byte[] b = fv[i];
            if (i % 2 == 0 && i / 2 < n.masterFields.length && n.masterFields[i / 2] == b) {
                continue;
            }
            m += 16 + b.length;
        }
        return m;
    }

    // ---- listpack element sizes, as Redis' listpack encodes them ----

    private static long elementSize(byte[] b) {
        if (isCanonicalLong(b)) {
            return intSize(io.strata.engine.util.Numbers.parseLong(b, 0, b.length));
        }
        int len = b.length;
        int enc = len < 64 ? 1 + len : len < 4096 ? 2 + len : 5 + len;
        return enc + backlenSize(enc);
    }

    private static long intSize(long v) {
        int enc;
        if (v >= 0 && v <= 127) {
            enc = 1;
        } else if (v >= -4096 && v <= 4095) {
            enc = 2;
        } else if (v >= -32768 && v <= 32767) {
            enc = 3;
        } else if (v >= -8388608 && v <= 8388607) {
            enc = 4;
        } else if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
            enc = 5;
        } else {
            enc = 9;
        }
        return enc + 1;
    }

    private static int backlenSize(int l) {
        return l <= 127 ? 1 : l < 16383 ? 2 : l < 2097151 ? 3 : l < 268435455 ? 4 : 5;
    }

    /**
     * Whether {@code b} is a canonical decimal integer as Redis' lpStringToInt64 accepts it: an
     * optional '-', no leading zero (but "0"), within 64 bits. Parsed by hand: most field names
     * and values are not numbers, and an exception per element would dominate XADD.
     */
    static boolean isCanonicalLong(byte[] b) {
        return io.strata.engine.util.Numbers.isLong(b, 0, b.length);
    }

    /** The value of a canonical decimal integer (as Redis' lpStringToInt64 accepts), else null. */
    static Long canonicalLong(byte[] b) {
        return isCanonicalLong(b) ? io.strata.engine.util.Numbers.parseLong(b, 0, b.length) : null;
    }
}
