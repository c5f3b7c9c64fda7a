package io.strata.engine.keyspace;

import io.strata.engine.types.Types;
import io.strata.storage.tier.SpillRecord;
import io.strata.storage.tier.SpillStore;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A fork-free, point-in-time view of every database, taken at an epoch and read by a snapshot
 * thread while the keyspace thread keeps writing (DESIGN.md, "Fork-free snapshot").
 *
 * <p>Protocol, per database slot segment, with states in {@link SnapshotDb#state}:
 * <ol>
 * <li>At the epoch every slot is {@code PENDING} and the snapshot remembers each database's
 *     segment array.</li>
 * <li>The snapshot thread takes slots in order: CAS {@code PENDING → CLAIMED}, deep-copies the
 *     segment's entries, sets {@code DONE}, then serialises the copies with no claim held.</li>
 * <li>Before the keyspace thread first mutates a slot (insert, delete, expiry, value change in
 *     place), it calls {@link SnapshotDb#preserve}: CAS {@code PENDING → CAPTURING}, copy the
 *     entries as they are (the pre-image), publish it, set {@code PRESERVED}. If the slot is
 *     {@code CLAIMED} it waits for {@code DONE}: the stall is bounded by copying one segment.</li>
 * <li>FLUSHDB/FLUSHALL replace a database's array, and SWAPDB exchanges arrays: the epoch array
 *     then belongs to the snapshot alone and is never mutated again, so nothing is copied.</li>
 * </ol>
 * Invariant: a slot of the epoch array is never mutated while the snapshot may still read it
 * live (state PENDING or CLAIMED); {@link #assertInvariants()} checks it in tests. Extra memory is
 * the pre-images of slots changed during the snapshot plus one segment being copied.
 *
 * <p>Thread rule: created and ended on the keyspace thread; {@link #run} on the snapshot thread.
 */
public final class Snapshot {
    static final int PENDING = 0;
    static final int CLAIMED = 1;
    static final int DONE = 2;
    static final int CAPTURING = 3;
    static final int PRESERVED = 4;

    /** One entry as it was at the epoch. */
    public static final class Item {
        public final byte[] key;
        /** A private copy of the value: the snapshot may read it freely. */
        public final Object value;
        /** Absolute expiry in ms, or -1. */
        public final long expireAt;

        /** The spill tier holds the same record (written from there, not from here). */
        final boolean backed;

        Item(byte[] key, Object value, long expireAt) {
            this(key, value, expireAt, false);
        }

        Item(byte[] key, Object value, long expireAt, boolean backed) {
            this.key = key;
            this.value = value;
            this.expireAt = expireAt;
            this.backed = backed;
        }
    }

    /** Receives the snapshot's content on the snapshot thread, one database after another. */
    public interface Visitor {
        /** Start of a non-empty database, with its key and expiry counts at the epoch. */
        void database(int index, long keys, long expires);

        void item(int db, Item item);
    }

    /** The per-database part: the epoch array and the slot states. */
    static final class SnapshotDb {
        final int index;
        final Segment[] epochArray;
        final long keys;
        final long expires;
        final AtomicIntegerArray state;
        final AtomicReferenceArray<List<Item>> preImages;
        /** Bytes held by pre-images (for INFO and the memory-bound check). */
        final java.util.concurrent.atomic.AtomicLong preservedBytes = new java.util.concurrent.atomic.AtomicLong();

        /** The database's spill store at the epoch, frozen for this snapshot; null when none. */
        final SpillStore coldStore;
        final SpillStore.Frozen cold;

        SnapshotDb(Database db) {
            this.index = db.index;
            this.epochArray = db.segmentsForSnapshot();
            this.coldStore = db.cold;
            this.cold = db.cold == null ? null : db.cold.freeze();
            this.keys = db.hotSize() + (cold == null ? 0 : cold.size - db.backedSize());
            this.expires = db.expires();
            this.state = new AtomicIntegerArray(epochArray.length);
            this.preImages = new AtomicReferenceArray<>(epochArray.length);
        }

        /** Keyspace thread: called before the first mutation of {@code slot} during the snapshot. */
        void preserve(int slot) {
            int st = state.get(slot);
            if (st == DONE || st == PRESERVED) {
                return;
            }
            if (st == PENDING && state.compareAndSet(slot, PENDING, CAPTURING)) {
                List<Item> copy = copyOf(epochArray[slot]);
                long bytes = 0;
                for (Item it : copy) {
                    bytes += itemBytes(it);
                }
                preservedBytes.addAndGet(bytes);
                preImages.set(slot, copy);
                state.set(slot, PRESERVED);
                return;
            }
            // claimed by the snapshot thread: it is copying this one segment right now
            while (state.get(slot) == CLAIMED) {
                Thread.onSpinWait();
            }
        }
    }

    private final SnapshotDb[] dbs;
    public final long epochMs;
    private volatile boolean finished;

    /** Decodes spill records (null when the spill tier is off). */
    private final Keyspace.ColdCodec codec;
    /** Spill stores flushed during the snapshot: closed when it ends. */
    private final List<SpillStore> retired = new ArrayList<>();

    Snapshot(Database[] databases, long epochMs, Keyspace.ColdCodec codec) {
        this.epochMs = epochMs;
        this.codec = codec;
        this.dbs = new SnapshotDb[databases.length];
        for (int i = 0; i < databases.length; i++) {
            dbs[i] = new SnapshotDb(databases[i]);
        }
    }

    SnapshotDb db(int i) {
        return dbs[i];
    }

    /**
     * The entries of a segment as they are now. Strings are kept by reference: the keyspace
     * thread gives a string a fresh array before any in-place change while a snapshot runs
     * (Keyspace.touch), so the array seen here never changes. Collections are copied.
     */
    /**
     * Extra bytes an item holds: its object and list slot, plus the value when it is a private
     * copy (collections); keys and strings are shared with the live entry.
     */
    static long itemBytes(Item it) {
        return 32 + (it.value == null || it.value instanceof byte[] ? 0 : Types.memoryUsage(it.value));
    }

    /** Strings given a fresh array before an in-place change while this snapshot runs (their old arrays stay alive). */
    final java.util.concurrent.atomic.AtomicLong copiedStringBytes = new java.util.concurrent.atomic.AtomicLong();

    static List<Item> copyOf(Segment s) {
        List<Item> out = new ArrayList<>(s == null ? 0 : s.size());
        if (s != null) {
            s.forEach(e -> out.add(e.backed() ? new Item(e.key, null, e.expireAt, true)
                : new Item(e.key, e.value() instanceof byte[] ? e.value() : Types.copy(e.value()), e.expireAt)));
        }
        return out;
    }

    /** Snapshot thread: visits every entry as it was at the epoch. */
    public void run(Visitor v) {
        for (SnapshotDb d : dbs) {
            if (d.keys == 0) {
                // nothing at the epoch; slots still need settling so no writer waits on them
                for (int s = 0; s < d.epochArray.length; s++) {
                    d.state.compareAndSet(s, PENDING, DONE);
                }
                continue;
            }
            v.database(d.index, d.keys, d.expires);
            for (int s = 0; s < d.epochArray.length; s++) {
                List<Item> items;
                if (d.state.compareAndSet(s, PENDING, CLAIMED)) {
                    try {
                        items = copyOf(d.epochArray[s]);
                    } finally {
                        d.state.set(s, DONE);
                    }
                } else {
                    while (d.state.get(s) == CAPTURING) {
                        Thread.onSpinWait();
                    }
                    items = d.preImages.getAndSet(s, null);
                    if (items != null) {
                        for (Item it : items) {
                            d.preservedBytes.addAndGet(-itemBytes(it));
                        }
                    }
                }
                if (items != null) {
                    for (Item it : items) {
                        if (!it.backed) { // a backed entry's record is in the frozen spill store
                            v.item(d.index, it);
                        }
                    }
                }
            }
            if (d.cold != null) {
                // the frozen generations hold exactly the database's cold keys of the epoch
                d.cold.forEach((k, rec) -> v.item(d.index, new Item(k, codec.decode(rec), SpillRecord.expireAt(rec))));
            }
        }
        finished = true;
    }

    /** Keyspace thread: a frozen store was flushed away; it is closed when the snapshot ends. */
    void retire(SpillStore s) {
        retired.add(s);
    }

    /** Keyspace thread, at the end: thaws the frozen stores still in use, closes the retired ones. */
    void releaseCold() {
        for (SnapshotDb d : dbs) {
            if (d.coldStore != null && !retired.contains(d.coldStore)) {
                d.coldStore.thaw();
            }
        }
        for (SpillStore s : retired) {
            s.close();
        }
        retired.clear();
    }

    public boolean finished() {
        return finished;
    }

    /**
     * The snapshot's extra memory now: pre-images not yet written plus the old arrays of strings
     * copied before an in-place change (an upper bound: some of those are already garbage).
     */
    public long extraBytes() {
        return preservedBytes() + copiedStringBytes.get();
    }

    /** Bytes currently held by pre-images (the snapshot's extra memory besides one segment). */
    public long preservedBytes() {
        long b = 0;
        for (SnapshotDb d : dbs) {
            b += d.preservedBytes.get();
        }
        return b;
    }

    /** Test hook: every slot is settled (DONE or PRESERVED) once {@link #run} returned. */
    public void assertInvariants() {
        for (SnapshotDb d : dbs) {
            for (int s = 0; s < d.epochArray.length; s++) {
                int st = d.state.get(s);
                assert st == DONE || st == PRESERVED : "slot " + s + " of db " + d.index + " left in state " + st;
            }
        }
    }
}
