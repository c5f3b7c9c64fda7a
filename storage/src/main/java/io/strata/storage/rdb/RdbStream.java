package io.strata.storage.rdb;

import java.util.ArrayList;
import java.util.List;

/**
 * A stream as the RDB format describes it (RDB_TYPE_STREAM_LISTPACKS*), decoded from or to be
 * encoded into its listpack nodes: live entries in id order, the stream's metadata, and its
 * consumer groups with their pending entries lists and consumers. Ids are pairs of unsigned
 * 64-bit numbers held in {@code long}s.
 *
 * <p>Thread rule: not shared; owned by whoever built it.
 */
public final class RdbStream {
    /** One entry: id and field/value pairs (f1, v1, f2, v2 …); deleted ones only appear in {@link Node}s. */
    public static final class Entry {
        public final long ms;
        public final long seq;
        public final byte[][] fieldsAndValues;
        /** Redis' STREAM_ITEM_FLAG_DELETED: a tombstone still held by its listpack. */
        public final boolean deleted;

        public Entry(long ms, long seq, byte[][] fieldsAndValues) {
            this(ms, seq, fieldsAndValues, false);
        }

        public Entry(long ms, long seq, byte[][] fieldsAndValues, boolean deleted) {
            this.ms = ms;
            this.seq = seq;
            this.fieldsAndValues = fieldsAndValues;
            this.deleted = deleted;
        }
    }

    /**
     * One listpack node as redis-server holds and saves it: its master id (the rax key) and master
     * fields, then every entry appended to it, deleted ones included.
     */
    public static final class Node {
        public final long masterMs;
        public final long masterSeq;
        public final byte[][] masterFields;
        public final List<Entry> entries = new ArrayList<>();

        public Node(long masterMs, long masterSeq, byte[][] masterFields) {
            this.masterMs = masterMs;
            this.masterSeq = masterSeq;
            this.masterFields = masterFields;
        }
    }

    /** One pending entry of a group. */
    public static final class Pending {
        public final long ms;
        public final long seq;
        public final long deliveryTime;
        public final long deliveryCount;

        public Pending(long ms, long seq, long deliveryTime, long deliveryCount) {
            this.ms = ms;
            this.seq = seq;
            this.deliveryTime = deliveryTime;
            this.deliveryCount = deliveryCount;
        }
    }

    public static final class Consumer {
        public final byte[] name;
        public final long seenTime;
        /** Ids (ms, seq pairs flattened) of the group's pending entries this consumer owns. */
        public final List<long[]> pending = new ArrayList<>();

        public Consumer(byte[] name, long seenTime) {
            this.name = name;
            this.seenTime = seenTime;
        }
    }

    public static final class Group {
        public final byte[] name;
        public final long lastMs;
        public final long lastSeq;
        /** -1 when unknown (also what type 15 files imply). */
        public final long entriesRead;
        public final List<Pending> pending = new ArrayList<>();
        public final List<Consumer> consumers = new ArrayList<>();

        public Group(byte[] name, long lastMs, long lastSeq, long entriesRead) {
            this.name = name;
            this.lastMs = lastMs;
            this.lastSeq = lastSeq;
            this.entriesRead = entriesRead;
        }
    }

    /** The live entries in id order. */
    public final List<Entry> entries = new ArrayList<>();
    /**
     * The listpack nodes holding them, as read from a file or as the server keeps them; when
     * empty while {@link #entries} is not, the writer cuts nodes itself with Redis' default limits.
     */
    public final List<Node> nodes = new ArrayList<>();
    public final List<Group> groups = new ArrayList<>();
    public long lastMs;
    public long lastSeq;
    public long firstMs;
    public long firstSeq;
    public long maxDeletedMs;
    public long maxDeletedSeq;
    public long entriesAdded;
}
