package io.strata.engine.keyspace;

import io.strata.engine.util.Bytes;
import io.strata.engine.util.Crc16;
import io.strata.storage.tier.SpillStore;

import java.util.Random;
import java.util.function.Consumer;

/**
 * One of the 16 (by default) databases: 16384 slot segments, created on first use, plus exact
 * key and expiry counts, and the database's part of the spill tier (cold keys, see Keyspace).
 * Expired keys are removed lazily on access ({@link Keyspace#lookup}) and
 * by the active cycle ({@link Keyspace#activeExpireCycle}).
 *
 * <p>Thread rule: keyspace thread only.
 */
public final class Database {
    public final int index;
    private Segment[] segments = new Segment[Crc16.SLOTS];
    private long keys;
    private long expires;
    /** Estimated bytes held by this database's entries (keys, values, table share). */
    private long memory;
    /**
     * The running snapshot's view of this database's current segment array, or null. Invariant:
     * when non-null, {@code snap.epochArray == segments}; every mutation of a slot calls
     * {@link #beforeMutate} first.
     */
    Snapshot.SnapshotDb snap;
    /** Round-robin position of the active expiry cycle, a slot number. */
    int expireCursor;
    /** This database's spill tier, opened at its first demotion; null while nothing is spilled here. */
    SpillStore cold;
    /** Spilled keys that have an expiry. */
    long coldExpires;
    /** Position of the cold expiry cycle in {@link #cold} (a {@link SpillStore#scan} cursor). */
    long coldExpireCursor;
    /** RAM entries whose record the spill tier still holds ({@link Entry#backed}), and those of them with an expiry. */
    long backed;
    long backedExpires;

    /** {@code hotTotal[0]} is kept equal to the sum of the memory of the databases sharing it. */
    Database(int index, long[] hotTotal) {
        this.index = index;
        this.hotTotal = hotTotal;
    }

    /** The keyspace's total of {@link #memory()} over its databases (read per command by eviction). */
    private final long[] hotTotal;

    private void addMemory(long d) {
        memory += d;
        hotTotal[0] += d;
    }

    /** Keys in both tiers (DBSIZE). */
    public long size() {
        return keys + coldSize();
    }

    /** Keys with an expiry in both tiers. */
    public long expires() {
        return expires + coldExpires - backedExpires;
    }

    /** Keys in RAM. */
    public long hotSize() {
        return keys;
    }

    /** Keys in RAM with an expiry. */
    public long hotExpires() {
        return expires;
    }

    /** Keys only in the spill tier (records backing a RAM entry are not counted). */
    public long coldSize() {
        return cold == null ? 0 : cold.size() - backed;
    }

    /** RAM keys whose unchanged record the spill tier still holds. */
    public long backedSize() {
        return backed;
    }

    /** Drops the spill record backing {@code e} (the entry is about to change or go). */
    void dropBacking(Entry e) {
        if (!e.backed()) {
            return;
        }
        e.backed(false);
        backed--;
        byte[] record = cold == null ? null : cold.remove(e.key);
        if (record != null && io.strata.storage.tier.SpillRecord.expireAt(record) >= 0) {
            coldExpires--;
            backedExpires--;
        }
    }

    /** Marks a RAM entry just promoted from {@code record}, which stays in the spill tier. */
    void markBacked(Entry e, long recordExpireAt) {
        e.backed(true);
        backed++;
        if (recordExpireAt >= 0) {
            backedExpires++;
        }
    }

    /** The spill store, or null when nothing was spilled here. */
    public SpillStore cold() {
        return cold;
    }

    /** Preserves the slot's epoch content if a snapshot still needs it; keyspace thread. */
    void beforeMutate(int slot) {
        Snapshot.SnapshotDb s = snap;
        if (s != null) {
            s.preserve(slot);
        }
    }

    /** Preserves the slot holding {@code key} before its value is changed in place. */
    void beforeValueChange(byte[] key) {
        if (snap != null) {
            snap.preserve(Crc16.slot(key, 0, key.length));
        }
    }

    Segment[] segmentsForSnapshot() {
        return segments;
    }

    public long memory() {
        return memory;
    }

    /** Bumped whenever the whole contents go (FLUSHDB) or change places (SWAPDB). */
    private long epoch;

    /** See {@link #holds}: the value to remember alongside an entry. */
    public long epoch() {
        return epoch;
    }

    /**
     * Whether {@code e}, seen here when {@link #epoch} was {@code seenAt}, is still one of this
     * database's RAM entries: O(1), without hashing its key again (an entry leaves RAM only
     * through removal, which marks it, or a flush or swap, which moves the epoch).
     */
    public boolean holds(Entry e, long seenAt) {
        return seenAt == epoch && e.charged() >= 0;
    }

    /** Re-estimates the memory of a live entry after its value changed in place. */
    void recharge(Entry e) {
        long was = e.charged();
        if (was < 0) {
            return;
        }
        addMemory(e.charged(Memory.entryBytes(e)) - was);
    }

    /** The entry for a key, expired or not (callers that serve clients use {@link Keyspace#lookup}). */
    public Entry findRaw(byte[] b, int off, int len) {
        Segment s = segments[Crc16.slot(b, off, len)];
        return s == null ? null : s.find(b, off, len, Bytes.hash(b, off, len));
    }

    /** The segment a key's slot maps to (null when empty), for {@link Keyspace.Prefetch}. */
    Segment segmentOf(byte[] b, int off, int len) {
        return segments[Crc16.slot(b, off, len)];
    }

    public Entry findRaw(byte[] key) {
        return findRaw(key, 0, key.length);
    }

    /** Adds a key that must not exist yet. Precondition: no live or expired entry for {@code key}. */
    public Entry insert(byte[] key, Object value) {
        int slot = Crc16.slot(key, 0, key.length);
        beforeMutate(slot);
        Segment s = segments[slot];
        if (s == null) {
            s = segments[slot] = new Segment();
        }
        Entry e = new Entry(key, value);
        s.insert(e, Bytes.hash(key, 0, key.length));
        keys++;
        addMemory(e.charged(Memory.entryBytes(e)));
        return e;
    }

    public void remove(Entry e) {
        int slot = Crc16.slot(e.key, 0, e.key.length);
        beforeMutate(slot); // a snapshot keeps the slot as it was first
        if (e.backed()) {
            dropBacking(e);
        }
        removeFromRam(e, slot);
    }

    /** Removes a RAM entry whose spill record stays (a demotion of an unchanged entry). */
    void removeKeepingBacking(Entry e) {
        int slot = Crc16.slot(e.key, 0, e.key.length);
        beforeMutate(slot); // a snapshot keeps the slot (entry still backed) first
        if (e.backed()) {
            e.backed(false);
            backed--;
            if (e.expireAt >= 0) {
                backedExpires--;
            }
        }
        removeFromRam(e, slot);
    }

    /** Precondition: {@link #beforeMutate} ran for {@code slot}, the entry's. */
    private void removeFromRam(Entry e, int slot) {
        Segment s = segments[slot];
        if (s != null && s.remove(e)) {
            keys--;
            addMemory(-e.charged());
            e.charged(-1);
            if (e.expireAt >= 0) {
                expires--;
                s.volatileCount--;
            }
        }
    }

    /** Sets ({@code at >= 0}) or clears ({@code at < 0}) the absolute expiry of a live entry. */
    public void setExpire(Entry e, long at) {
        boolean had = e.expireAt >= 0;
        boolean has = at >= 0;
        if (snap != null) {
            beforeMutate(Crc16.slot(e.key, 0, e.key.length));
        }
        dropBacking(e);
        e.expireAt = has ? at : -1;
        if (had != has) {
            Segment s = segments[Crc16.slot(e.key, 0, e.key.length)];
            int d = has ? 1 : -1;
            expires += d;
            s.volatileCount += d;
        }
    }

    public void clear() {
        epoch++;
        snap = null; // the epoch array now belongs to the snapshot alone
        segments = new Segment[Crc16.SLOTS];
        keys = 0;
        expires = 0;
        addMemory(-memory);
        expireCursor = 0;
        cold = null; // the keyspace closed it or handed it to a running snapshot
        coldExpires = 0;
        coldExpireCursor = 0;
        backed = 0;
        backedExpires = 0;
    }

    /** Exchanges the whole contents with {@code other} (SWAPDB); the indexes stay. */
    public void swapContents(Database other) {
        epoch++;
        other.epoch++;
        Segment[] s = segments;
        segments = other.segments;
        other.segments = s;
        Snapshot.SnapshotDb sn = snap;
        snap = other.snap;
        other.snap = sn;
        long k = keys;
        keys = other.keys;
        other.keys = k;
        long x = expires;
        expires = other.expires;
        other.expires = x;
        long m = memory;
        memory = other.memory;
        other.memory = m;
        SpillStore c = cold;
        cold = other.cold;
        other.cold = c;
        long ce = coldExpires;
        coldExpires = other.coldExpires;
        other.coldExpires = ce;
        long cc = coldExpireCursor;
        coldExpireCursor = other.coldExpireCursor;
        other.coldExpireCursor = cc;
        long b = backed;
        backed = other.backed;
        other.backed = b;
        long be = backedExpires;
        backedExpires = other.backedExpires;
        other.backedExpires = be;
    }

    /**
     * One SCAN step. The cursor packs {@code inner * 16384 + slot}, where {@code inner} is the
     * segment's reverse-binary bucket cursor. Visits at least one bucket; returns the next cursor,
     * 0 when the whole database has been covered.
     */
    public long scan(long cursor, int count, Consumer<Entry> visitor) {
        if (cursor < 0) {
            return 0;
        }
        int slot = (int) (cursor % Crc16.SLOTS);
        long inner = cursor / Crc16.SLOTS;
        int[] visited = {0};
        Consumer<Entry> counting = e -> {
            visited[0]++;
            visitor.accept(e);
        };
        int steps = 0;
        int maxSteps = Math.max(count, 1) * 10;
        while (slot < Crc16.SLOTS) {
            Segment s = segments[slot];
            if (s == null || s.size() == 0) {
                slot++;
                inner = 0;
                if (++steps > maxSteps * 100) {
                    break; // long empty stretch: return to the client, resume later
                }
                continue;
            }
            inner = s.scan(inner, counting);
            steps++;
            if (inner == 0) {
                slot++;
            }
            if (visited[0] >= count || steps >= maxSteps) {
                break;
            }
        }
        if (slot >= Crc16.SLOTS) {
            return 0;
        }
        return inner * Crc16.SLOTS + slot;
    }

    public void forEach(Consumer<Entry> visitor) {
        for (Segment s : segments) {
            if (s != null && s.size() > 0) {
                s.forEach(visitor);
            }
        }
    }

    /** A random entry (possibly expired), or null when empty. */
    public Entry randomEntry(Random rnd) {
        Segment s = segmentFromRandomSlot(rnd);
        return s == null ? null : s.randomEntry(rnd);
    }

    /** An entry for eviction sampling (possibly expired; cheaper and less uniform than {@link #randomEntry}), or null when empty. */
    public Entry sampleEntry(Random rnd) {
        Segment s = segmentFromRandomSlot(rnd);
        return s == null ? null : s.sampleEntry(rnd);
    }

    /**
     * Up to {@code n} entries for eviction sampling (possibly expired), from one random segment:
     * the misses of a probe per sample were a quarter of a spilling load's keyspace thread
     * (profiled). Returns how many were put in {@code out}.
     *
     * <p>The segments are chosen {@value #SAMPLE_AHEAD} calls at a time and their objects and
     * tables loaded together, so those cache misses overlap instead of each call waiting for its
     * own (sampling was still the keyspace thread's largest cost on a load streaming past
     * maxmemory). An entry removed since its batch was taken is left out; a flush or swap of the
     * database starts a new batch.
     */
    public int sampleEntries(Random rnd, Entry[] out, int n) {
        if (keys == 0) {
            return 0;
        }
        while (true) {
            boolean fresh = false;
            if (aheadNext >= SAMPLE_AHEAD || aheadEpoch != epoch || aheadN != n) {
                sampleAhead(rnd, n);
                fresh = true;
            }
            int from = aheadNext == 0 ? 0 : aheadEnd[aheadNext - 1];
            int to = aheadEnd[aheadNext++];
            int got = 0;
            for (int i = from; i < to; i++) {
                Entry e = ahead[i];
                ahead[i] = null;
                if (e.charged() >= 0) {
                    out[got++] = e;
                }
            }
            // a group whose entries all left RAM since must not read as "nothing to sample": the
            // caller would then evict (delete) instead of demoting
            if (got > 0 || fresh) {
                return got;
            }
        }
    }

    private static final int SAMPLE_AHEAD = 8;
    private final Segment[] aheadSegments = new Segment[SAMPLE_AHEAD];
    private Entry[] ahead = new Entry[0];
    private final int[] aheadEnd = new int[SAMPLE_AHEAD];
    private int aheadNext = SAMPLE_AHEAD;
    private int aheadN;
    private long aheadEpoch = -1;
    /** Keeps the look-ahead loads observable to the compiler. */
    private int aheadSink;

    private void sampleAhead(Random rnd, int n) {
        if (ahead.length < SAMPLE_AHEAD * n) {
            ahead = new Entry[SAMPLE_AHEAD * n];
        } else {
            java.util.Arrays.fill(ahead, null); // what a flushed batch left
        }
        for (int i = 0; i < SAMPLE_AHEAD; i++) {
            aheadSegments[i] = segments[rnd.nextInt(Crc16.SLOTS)];
        }
        int acc = 0;
        for (int i = 0; i < SAMPLE_AHEAD; i++) {
            Segment s = aheadSegments[i];
            if (s == null || s.size() == 0) {
                s = segmentFromRandomSlot(rnd); // (rare while there are many keys)
                aheadSegments[i] = s;
            }
            acc += s.table().length;
        }
        int end = 0;
        for (int i = 0; i < SAMPLE_AHEAD; i++) {
            end += aheadSegments[i].sample(rnd, ahead, end, n);
            aheadEnd[i] = end;
            aheadSegments[i] = null;
        }
        aheadSink += acc;
        aheadNext = 0;
        aheadN = n;
        aheadEpoch = epoch;
    }

    /** The first non-empty segment from a random slot on, or null when the database is empty. */
    private Segment segmentFromRandomSlot(Random rnd) {
        if (keys == 0) {
            return null;
        }
        int start = rnd.nextInt(Crc16.SLOTS);
        for (int i = 0; i < Crc16.SLOTS; i++) {
            Segment s = segments[(start + i) & (Crc16.SLOTS - 1)];
            if (s != null && s.size() > 0) {
                return s;
            }
        }
        return null;
    }

    /** A random entry with an expiry (possibly expired), or null when none has one. */
    public Entry randomVolatileEntry(Random rnd) {
        if (expires == 0) {
            return null;
        }
        int start = rnd.nextInt(Crc16.SLOTS);
        for (int i = 0; i < Crc16.SLOTS; i++) {
            Segment s = segments[(start + i) & (Crc16.SLOTS - 1)];
            if (s != null && s.volatileCount > 0) {
                for (int tries = 0; tries < 16; tries++) {
                    Entry e = s.randomEntry(rnd);
                    if (e.expireAt >= 0) {
                        return e;
                    }
                }
                Entry[] found = {null};
                s.forEach(e -> {
                    if (found[0] == null && e.expireAt >= 0) {
                        found[0] = e;
                    }
                });
                return found[0];
            }
        }
        return null;
    }

    /**
     * Visits the volatile keys of segments from the cycle's cursor on, handing each to
     * {@code visitor}; stops after {@code maxSegments} segments with volatile keys.
     * Returns true when it wrapped around (covered the whole database).
     */
    boolean expireStep(int maxSegments, Consumer<Entry> visitor) {
        int done = 0;
        for (int i = 0; i < Crc16.SLOTS; i++) {
            int slot = expireCursor;
            expireCursor = (expireCursor + 1) & (Crc16.SLOTS - 1);
            Segment s = segments[slot];
            if (s != null && s.volatileCount > 0) {
                s.forEach(e -> {
                    if (e.expireAt >= 0) {
                        visitor.accept(e);
                    }
                });
                if (++done >= maxSegments) {
                    return false;
                }
            }
            if (expireCursor == 0) {
                return true;
            }
        }
        return true;
    }
}
