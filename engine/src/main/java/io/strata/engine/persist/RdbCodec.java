package io.strata.engine.persist;

import io.strata.engine.config.Config;
import io.strata.engine.types.HashValue;
import io.strata.engine.types.ListValue;
import io.strata.engine.types.SetValue;
import io.strata.engine.types.StreamId;
import io.strata.engine.types.StreamValue;
import io.strata.engine.types.ZSetValue;
import io.strata.storage.StorageException;
import io.strata.storage.StorageException.Code;
import io.strata.storage.rdb.RdbFormat;
import io.strata.storage.rdb.RdbStream;
import io.strata.storage.rdb.RdbValue;

import java.util.Map;

/**
 * Converts engine values ({@code byte[]} strings, {@link ListValue}, {@link SetValue},
 * {@link HashValue}, {@link ZSetValue}, {@link StreamValue}) to the storage module's neutral {@link RdbValue} and
 * back, one key at a time and in O(n) of that key's elements.
 *
 * <p>Any thread: stateless. {@link #toRdb} reads the value it is given, so the caller must own it
 * or be the only thread touching it (a snapshot's private copy on the snapshot thread, a live
 * value on the keyspace thread). {@link #fromRdb} builds a new value and reads {@link Config}
 * thresholds.
 *
 * <p>Encodings on load follow Redis 7.0's rdbLoadObject: a plain set becomes an intset while
 * every member is an integer and there are at most {@code set-max-intset-entries}; a plain hash
 * stays listpack within {@code hash-max-listpack-*}; a hash or zset that was listpack- or
 * ziplist-encoded in the file stays so unless it has more entries than the limit (Redis does not
 * re-check value lengths there); a plain zset becomes listpack when it fits both limits; lists are
 * always quicklists.
 */
public final class RdbCodec {
    private RdbCodec() {
    }

    /** The RDB form of an engine value. The element arrays are shared, not copied. */
    public static RdbValue toRdb(Object value) {
        if (value instanceof byte[]) {
            return RdbValue.string((byte[]) value);
        }
        if (value instanceof ListValue) {
            ListValue l = (ListValue) value;
            RdbValue v = RdbValue.list(RdbFormat.TYPE_LIST_QUICKLIST_2, (int) Math.min(l.size(), Integer.MAX_VALUE));
            l.range(0, l.size(), v::add);
            return v;
        }
        if (value instanceof SetValue) {
            SetValue s = (SetValue) value;
            RdbValue v = RdbValue.set(RdbFormat.TYPE_SET, (int) Math.min(s.size(), Integer.MAX_VALUE));
            s.forEach(v::add);
            return v;
        }
        if (value instanceof HashValue) {
            HashValue h = (HashValue) value;
            RdbValue v = RdbValue.hash(RdbFormat.TYPE_HASH, (int) Math.min(h.size(), Integer.MAX_VALUE));
            h.forEach(v::put);
            return v;
        }
        if (value instanceof ZSetValue) {
            ZSetValue z = (ZSetValue) value;
            RdbValue v = RdbValue.zset(RdbFormat.TYPE_ZSET_2, (int) Math.min(z.size(), Integer.MAX_VALUE));
            // Redis writes from the tail so its loader can append; either order loads the same set
            for (ZSetValue.Node n = z.last(); n != null; n = n.prev()) {
                v.add(n.member, n.score);
            }
            return v;
        }
        if (value instanceof StreamValue) {
            return RdbValue.stream(RdbFormat.TYPE_STREAM_LISTPACKS_2, streamToRdb((StreamValue) value));
        }
        throw new IllegalArgumentException("no RDB form for value class=" + value.getClass().getName());
    }

    /**
     * An engine value for {@code v}, encoded as Redis 7.0 would load it under {@code config}.
     * Throws {@link StorageException} (code CORRUPT, offset 0: the caller knows the real one) when
     * a collection is empty or repeats a member or field, as Redis refuses such data.
     */
    public static Object fromRdb(RdbValue v, Config config) {
        switch (v.kind) {
            case STRING:
                return v.string;
            case STREAM:
                return streamFromRdb(v.stream);
            case LIST: {
                if (v.items.isEmpty()) {
                    throw corrupt("empty list");
                }
                ListValue l = new ListValue(config.listMaxListpackSize);
                for (byte[] e : v.items) {
                    l.addLast(e);
                }
                return l;
            }
            case SET: {
                if (v.items.isEmpty()) {
                    throw corrupt("empty set");
                }
                // setTypeCreate for the first member, intset only while within the limit
                SetValue s = v.items.size() > config.setMaxIntsetEntries
                    ? SetValue.createFor(new byte[] {'x'}) : SetValue.createFor(v.items.get(0));
                for (byte[] m : v.items) {
                    if (!s.add(m, config.setMaxIntsetEntries)) {
                        throw corrupt("duplicate set member");
                    }
                }
                return s;
            }
            case HASH: {
                if (v.items.isEmpty()) {
                    throw corrupt("empty hash");
                }
                HashValue h = new HashValue();
                boolean packed = isPacked(v.rdbType);
                long maxEntries = config.hashMaxListpackEntries;
                long maxValue = packed ? Long.MAX_VALUE : config.hashMaxListpackValue;
                if (!packed && v.items.size() > maxEntries) {
                    maxEntries = -1; // straight to hashtable, as Redis creates it for a long plain hash
                }
                for (int i = 0; i < v.items.size(); i++) {
                    if (!h.set(v.items.get(i), v.values.get(i), maxEntries, maxValue)) {
                        throw corrupt("duplicate hash field");
                    }
                }
                return h;
            }
            default: {
                int n = v.items.size();
                if (n == 0) {
                    throw corrupt("empty zset");
                }
                boolean listpack;
                if (isPacked(v.rdbType)) {
                    listpack = n <= config.zsetMaxListpackEntries;
                } else {
                    long maxLen = 0;
                    for (byte[] m : v.items) {
                        maxLen = Math.max(maxLen, m.length);
                    }
                    listpack = n <= config.zsetMaxListpackEntries && maxLen <= config.zsetMaxListpackValue;
                }
                ZSetValue z = new ZSetValue(listpack);
                for (int i = 0; i < n; i++) {
                    byte[] m = v.items.get(i);
                    if (z.node(m) != null) {
                        throw corrupt("duplicate zset member");
                    }
                    double score = v.scores[i];
                    if (Double.isNaN(score)) {
                        throw corrupt("zset score is NaN");
                    }
                    z.insert(m, score);
                }
                return z;
            }
        }
    }

    private static RdbStream streamToRdb(StreamValue s) {
        RdbStream r = new RdbStream();
        for (StreamValue.Node n : s.nodes()) {
            RdbStream.Node rn = new RdbStream.Node(n.master.ms, n.master.seq, n.masterFields);
            for (int i = 0; i < n.size(); i++) {
                RdbStream.Entry e = new RdbStream.Entry(n.ms(i), n.seq(i), n.fieldsAndValues(i), n.isDeleted(i));
                rn.entries.add(e);
                if (!e.deleted) {
                    r.entries.add(e);
                }
            }
            r.nodes.add(rn);
        }
        r.lastMs = s.lastId.ms;
        r.lastSeq = s.lastId.seq;
        r.firstMs = s.firstId.ms;
        r.firstSeq = s.firstId.seq;
        r.maxDeletedMs = s.maxDeletedId.ms;
        r.maxDeletedSeq = s.maxDeletedId.seq;
        r.entriesAdded = s.entriesAdded;
        for (StreamValue.Group g : s.groups.values()) {
            RdbStream.Group rg = new RdbStream.Group(g.name, g.lastId.ms, g.lastId.seq, g.entriesRead);
            for (Map.Entry<StreamId, StreamValue.Nack> e : g.pel.entrySet()) {
                rg.pending.add(new RdbStream.Pending(e.getKey().ms, e.getKey().seq, e.getValue().deliveryTime,
                    e.getValue().deliveryCount));
            }
            for (StreamValue.Consumer c : g.consumers.values()) {
                RdbStream.Consumer rc = new RdbStream.Consumer(c.name, c.seenTime);
                for (StreamId id : c.pel.keySet()) {
                    rc.pending.add(new long[] {id.ms, id.seq});
                }
                rg.consumers.add(rc);
            }
            r.groups.add(rg);
        }
        return r;
    }

    /**
     * A stream from its RDB form, refusing what Redis' loader refuses: ids out of order, a
     * consumer's pending entry missing from its group's PEL, a group PEL entry with no owner,
     * duplicate group or consumer names.
     */
    private static StreamValue streamFromRdb(RdbStream r) {
        StreamValue s = new StreamValue();
        StreamId prev = null;
        if (r.nodes.isEmpty()) {
            for (RdbStream.Entry e : r.entries) {
                StreamId id = new StreamId(e.ms, e.seq);
                if (prev != null && id.compareTo(prev) <= 0) {
                    throw corrupt("stream entries out of order");
                }
                s.append(id, e.fieldsAndValues);
                prev = id;
            }
        }
        // the nodes as saved: Redis keeps a loaded stream's listpacks, tombstones and all
        for (RdbStream.Node n : r.nodes) {
            int k = n.entries.size();
            if (k == 0) {
                throw corrupt("empty listpack inside stream");
            }
            long[] ms = new long[k];
            long[] seq = new long[k];
            byte[][][] fv = new byte[k][][];
            boolean[] deleted = new boolean[k];
            for (int i = 0; i < k; i++) {
                RdbStream.Entry e = n.entries.get(i);
                StreamId id = new StreamId(e.ms, e.seq);
                if (prev != null && id.compareTo(prev) <= 0) {
                    throw corrupt("stream entries out of order");
                }
                prev = id;
                ms[i] = e.ms;
                seq[i] = e.seq;
                fv[i] = e.fieldsAndValues;
                deleted[i] = e.deleted;
            }
            s.appendNode(new StreamId(n.masterMs, n.masterSeq), n.masterFields, ms, seq, fv, deleted);
        }
        s.lastId = new StreamId(r.lastMs, r.lastSeq);
        s.firstId = new StreamId(r.firstMs, r.firstSeq);
        s.maxDeletedId = new StreamId(r.maxDeletedMs, r.maxDeletedSeq);
        s.entriesAdded = r.entriesAdded;
        for (RdbStream.Group rg : r.groups) {
            StreamId last = new StreamId(rg.lastMs, rg.lastSeq);
            long read = rg.entriesRead;
            StreamValue.Group g = new StreamValue.Group(rg.name, last, read);
            if (s.groups.put(rg.name, g) != null) {
                throw corrupt("duplicated consumer group name");
            }
            for (RdbStream.Pending p : rg.pending) {
                g.pel.put(new StreamId(p.ms, p.seq), new StreamValue.Nack(null, p.deliveryTime, p.deliveryCount));
            }
            for (RdbStream.Consumer rc : rg.consumers) {
                StreamValue.Consumer c = new StreamValue.Consumer(rc.name, rc.seenTime);
                if (g.consumers.put(rc.name, c) != null) {
                    throw corrupt("duplicate stream consumer detected");
                }
                for (long[] id : rc.pending) {
                    StreamId sid = new StreamId(id[0], id[1]);
                    StreamValue.Nack n = g.pel.get(sid);
                    if (n == null || n.consumer != null) {
                        throw corrupt("consumer PEL entry not found in group global PEL");
                    }
                    n.consumer = c;
                    c.pel.put(sid, n);
                }
            }
            for (StreamValue.Nack n : g.pel.values()) {
                if (n.consumer == null) {
                    throw corrupt("group PEL entry without consumer");
                }
            }
        }
        return s;
    }

    /** True for the compact (ziplist, listpack, zipmap) on-disk encodings of hashes and zsets. */
    private static boolean isPacked(int rdbType) {
        switch (rdbType) {
            case RdbFormat.TYPE_HASH_ZIPMAP:
            case RdbFormat.TYPE_HASH_ZIPLIST:
            case RdbFormat.TYPE_HASH_LISTPACK:
            case RdbFormat.TYPE_ZSET_ZIPLIST:
            case RdbFormat.TYPE_ZSET_LISTPACK:
                return true;
            default:
                return false;
        }
    }

    private static StorageException corrupt(String what) {
        return new StorageException(Code.CORRUPT, 0, what);
    }
}
