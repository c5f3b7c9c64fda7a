package io.strata.engine.types;

import java.util.Arrays;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * A Redis stream: entries ordered by 128-bit id, the stream's metadata (last id, first id, max
 * deleted id, entries added) and its consumer groups with their pending entries lists.
 *
 * <p>Thread rule: keyspace thread only (a snapshot works on its own {@link #copy()}).
 *
 * <p>Entries live in one sorted map from id to the entry's field/value array, which makes XADD an
 * append at the right edge and ranges a submap walk. Redis keeps entries in listpacks of up to
 * {@code stream-node-max-entries} (100) entries and {@code stream-node-max-bytes} (4096) bytes;
 * approximate trimming ({@code ~}) only drops whole listpacks, so this class tracks where
 * Redis' listpacks would start and how many entries and bytes each holds ({@link Node}), so that
 * {@code MAXLEN ~} and {@code MINID ~} trim exactly what redis-server trims. Field arrays are never
 * mutated once stored, so {@link #copy()} shares them.
 */
public final class StreamValue implements Value {
    /** Redis' defaults for stream-node-max-entries / stream-node-max-bytes. */
    public static final int NODE_MAX_ENTRIES = 100;
    public static final int NODE_MAX_BYTES = 4096;

    public final TreeMap<StreamId, byte[][]> entries = new TreeMap<>();
    /** Where Redis' listpack nodes start (the node's master id) and what they hold. */
    final TreeMap<StreamId, Node> nodes = new TreeMap<>();
    /** Consumer groups by name, in byte order as Redis' rax iterates them. */
    public final TreeMap<byte[], Group> groups = new TreeMap<>(Arrays::compareUnsigned);
    public StreamId lastId = StreamId.ZERO;
    public StreamId firstId = StreamId.ZERO;
    public StreamId maxDeletedId = StreamId.ZERO;
    public long entriesAdded;
    /** Estimated bytes of the entries, kept up to date so memoryUsage() is O(groups), not O(entries). */
    private long entryBytes;

    /** One of Redis' listpack nodes as far as trimming cares. */
    static final class Node {
        StreamId master;
        byte[][] masterFields;
        /** Live plus deleted entries in the node (Redis' count + deleted). */
        int inserted;
        int live;
        long lpBytes;
        StreamId lastInserted;

        Node copy() {
            Node n = new Node();
            n.master = master;
            n.masterFields = masterFields;
            n.inserted = inserted;
            n.live = live;
            n.lpBytes = lpBytes;
            n.lastInserted = lastInserted;
            return n;
        }
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
        return entries.size();
    }

    public long length() {
        return entries.size();
    }

    /** The last id still in the stream (Redis' streamLastValidID), 0-0 when empty. */
    public StreamId lastValidId() {
        return entries.isEmpty() ? StreamId.ZERO : entries.lastKey();
    }

    /** Appends an entry whose id the caller checked is above {@link #lastId}. */
    public void append(StreamId id, byte[][] fieldsAndValues) {
        Node n = nodes.isEmpty() ? null : nodes.lastEntry().getValue();
        long elelen = 0;
        for (byte[] b : fieldsAndValues) {
            elelen += b.length;
        }
        if (n == null || n.lpBytes + elelen >= NODE_MAX_BYTES || n.inserted >= NODE_MAX_ENTRIES) {
            n = new Node();
            n.master = id;
            int nf = fieldsAndValues.length / 2;
            n.masterFields = new byte[nf][];
            for (int i = 0; i < nf; i++) {
                n.masterFields[i] = fieldsAndValues[2 * i];
            }
            // header, count, deleted, field count, fields, master terminator, end byte
            n.lpBytes = 6 + 2 + 2 + intSize(nf) + 2 + 1;
            for (byte[] f : n.masterFields) {
                n.lpBytes += elementSize(f);
            }
            nodes.put(id, n);
        }
        boolean same = sameFields(n.masterFields, fieldsAndValues);
        long bytes = 2 + intSize(id.ms - n.master.ms) + intSize(id.seq - n.master.seq);
        int nf = fieldsAndValues.length / 2;
        if (same) {
            for (int i = 1; i < fieldsAndValues.length; i += 2) {
                bytes += elementSize(fieldsAndValues[i]);
            }
            bytes += intSize(nf + 3);
        } else {
            bytes += intSize(nf);
            for (byte[] b : fieldsAndValues) {
                bytes += elementSize(b);
            }
            bytes += intSize(nf + 3 + nf + 1);
        }
        n.lpBytes += bytes;
        n.inserted++;
        n.live++;
        n.lastInserted = id;
        entries.put(id, fieldsAndValues);
        entryBytes += entryBytes(fieldsAndValues);
        lastId = id;
        entriesAdded++;
        if (entries.size() == 1) {
            firstId = id;
        }
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
        byte[][] old = entries.remove(id);
        if (old == null) {
            return false;
        }
        entryBytes -= entryBytes(old);
        Map.Entry<StreamId, Node> ne = nodes.floorEntry(id);
        if (ne != null) {
            Node n = ne.getValue();
            n.live--;
            if (n.live == 0) {
                nodes.remove(ne.getKey());
            }
        }
        return true;
    }

    /** First id after a deletion or trim, 0-0 when empty (Redis' streamGetEdgeID). */
    public void refreshFirstId() {
        firstId = entries.isEmpty() ? StreamId.ZERO : entries.firstKey();
    }

    /**
     * Redis' streamTrim: drops whole nodes from the head while the stream stays at or above
     * {@code maxlen} (or below {@code minid}), then, unless {@code approx}, single entries.
     * {@code limit} 0 means no limit. Returns the entries removed.
     */
    public long trim(boolean byMaxlen, long maxlen, StreamId minid, boolean approx, long limit) {
        long deleted = 0;
        while (!nodes.isEmpty()) {
            if (byMaxlen && entries.size() <= maxlen) {
                break;
            }
            Map.Entry<StreamId, Node> ne = nodes.firstEntry();
            Node n = ne.getValue();
            if (limit > 0 && deleted + n.live > limit) {
                break;
            }
            boolean removeNode = byMaxlen ? entries.size() - n.live >= maxlen : n.lastInserted.compareTo(minid) < 0;
            if (removeNode) {
                StreamId next = nodes.higherKey(ne.getKey());
                NavigableMap<StreamId, byte[][]> in = next == null ? entries : entries.headMap(next, false);
                deleted += in.size();
                for (byte[][] fv : in.values()) {
                    entryBytes -= entryBytes(fv);
                }
                in.clear();
                nodes.remove(ne.getKey());
                continue;
            }
            if (approx) {
                break;
            }
            StreamId next = nodes.higherKey(ne.getKey());
            var it = (next == null ? entries : entries.headMap(next, false)).entrySet().iterator();
            while (it.hasNext()) {
                Map.Entry<StreamId, byte[][]> en = it.next();
                StreamId id = en.getKey();
                if (byMaxlen ? entries.size() <= maxlen : id.compareTo(minid) >= 0) {
                    break;
                }
                entryBytes -= entryBytes(en.getValue());
                it.remove();
                n.live--;
                deleted++;
            }
            break;
        }
        refreshFirstId();
        return deleted;
    }

    /** Redis' streamRangeHasTombstones. */
    public boolean rangeHasTombstones(StreamId start, StreamId end) {
        if (entries.isEmpty() || maxDeletedId.isZero()) {
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
        if (entries.isEmpty() && id.compareTo(lastId) < 1) {
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
                return entriesAdded - entries.size();
            } else if (cmpFirst == 0) {
                return entriesAdded - entries.size() + 1;
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
        s.entries.putAll(entries);
        for (Map.Entry<StreamId, Node> e : nodes.entrySet()) {
            s.nodes.put(e.getKey(), e.getValue().copy());
        }
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
        long m = 128 + entryBytes + 48L * nodes.size();
        for (Group g : groups.values()) {
            m += 96 + g.name.length + 80L * g.pel.size() + 64L * g.consumers.size();
        }
        return m;
    }

    /** A TreeMap node, the id, the array and its elements. */
    private static long entryBytes(byte[][] fv) {
        long m = 64 + 16L * fv.length;
        for (byte[] b : fv) {
            m += 16 + b.length;
        }
        return m;
    }

    // ---- listpack element sizes, as Redis' listpack encodes them ----

    private static long elementSize(byte[] b) {
        if (b.length <= 20) {
            Long v = canonicalLong(b);
            if (v != null) {
                return intSize(v);
            }
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

    /** The value of a canonical decimal integer (as Redis' lpStringToInt64 accepts), else null. */
    static Long canonicalLong(byte[] b) {
        if (b.length == 0 || b.length > 20) {
            return null;
        }
        String s = new String(b, java.nio.charset.StandardCharsets.US_ASCII);
        try {
            long v = Long.parseLong(s);
            return Long.toString(v).equals(s) ? v : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
