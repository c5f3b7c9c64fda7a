package io.strata.engine.keyspace;

import io.strata.engine.util.Bytes;
import io.strata.storage.tier.SpillRecord;
import io.strata.storage.tier.SpillStore;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * All databases plus the command clock, expiry and keyspace statistics.
 *
 * <p>Thread rule: keyspace thread only. Every read or write of keys, values or counters here
 * happens on that one thread, so nothing is locked.
 */
public final class Keyspace {
    /** Told about every change to a key (WATCH, keyspace notifications, replication hooks). */
    public interface Listener {
        /** A key was written, deleted or expired in {@code db}. */
        void keyChanged(Database db, byte[] key);

        /** A key expired (lazily or by the active cycle) and was removed. */
        default void keyExpired(Database db, byte[] key) {
        }

        /** A key was created (Redis' dbAdd): the "new" keyspace event. */
        default void keyAdded(Database db, byte[] key) {
        }

        /** Every key of {@code db} is about to change at once (FLUSHDB, FLUSHALL, SWAPDB); called before and, for SWAPDB, after. */
        default void databaseChanged(Database db) {
        }
    }

    private Database[] dbs;
    private final Random random = new io.strata.engine.util.FastRandom();
    private final List<Listener> listeners = new ArrayList<>();
    /** Time of the command being run, Unix ms: one clock for a whole command or transaction. */
    private long now = System.currentTimeMillis();
    /** Database the next active expiry cycle starts with, so no database starves the others. */
    private int expireDbCursor;

    public long expiredKeys;
    public long hits;
    public long misses;
    /** Changes since the last save (INFO rdb_changes_since_last_save). */
    public long dirty;
    /** Keys whose expiry the active cycle could not finish last time (for INFO expired_stale_perc). */
    public long activeExpireCycles;

    public Keyspace(int databases) {
        dbs = new Database[databases];
        for (int i = 0; i < databases; i++) {
            dbs[i] = new Database(i, hotTotal);
        }
        tick();
    }

    public void addListener(Listener l) {
        listeners.add(l);
    }

    public int databases() {
        return dbs.length;
    }

    public Database db(int i) {
        return dbs[i];
    }

    public Random random() {
        return random;
    }

    public long now() {
        return now;
    }

    /** Reads the wall clock and re-anchors {@link #tickAt}'s derivation to it. */
    public void tick() {
        java.time.Instant t = java.time.Instant.now();
        anchorNanos = System.nanoTime();
        anchorMicros = t.getEpochSecond() * 1_000_000L + t.getNano() / 1000;
        now = anchorMicros / 1000;
    }

    /**
     * Advances the command clock to the wall-clock time of {@code nanos} (a System.nanoTime
     * reading the dispatcher takes anyway to time the command), derived from the last
     * {@link #tick} so a command costs one clock read, not two; cron re-anchors every tick.
     */
    public void tickAt(long nanos) {
        now = (anchorMicros + (nanos - anchorNanos) / 1000) / 1000;
    }

    private long anchorNanos;
    private long anchorMicros;

    public boolean isExpired(Entry e) {
        return e.expireAt >= 0 && e.expireAt <= now;
    }

    /**
     * Looks a key up for any use, removing it first if it has expired. A cold key is promoted
     * (moved back to RAM) first. Null when absent.
     */
    public Entry lookup(Database db, byte[] b, int off, int len) {
        Entry e = lookupHot(db, b, off, len);
        if (e == null && db.cold != null) {
            e = promote(db, b, off, len);
        }
        return e;
    }

    /** The RAM tier only: the entry of a key, removing it first if it has expired. */
    private Entry lookupHot(Database db, byte[] b, int off, int len) {
        Entry e = db.findRaw(b, off, len);
        if (e != null && isExpired(e)) {
            expire(db, e);
            return null;
        }
        return e;
    }

    /**
     * Keys that commands about to run will use — from one pipelined read or from the reads of
     * several connections in one event-loop round — whose RAM entries and string values are
     * brought into the CPU cache together before the commands run one by one. The loads go level
     * by level across all keys (every segment, then every bucket, then every entry and key, then
     * every value), so the cache misses of one level overlap instead of each lookup waiting for
     * its own chain of misses; Redis 8 prefetches its command batches the same way. The first three
     * entries of a bucket are followed, the spill tier is not touched, and nothing changes.
     *
     * <p>Thread rule: keyspace thread only.
     */
    public static final class Prefetch {
        /** Most keys one batch holds. */
        public static final int MAX = 32;
        private final Database[] dbs = new Database[MAX];
        private final byte[][] bufs = new byte[MAX][];
        private final int[] offs = new int[MAX];
        private final int[] lens = new int[MAX];
        private final int[] hashes = new int[MAX];
        private final Object[] refs = new Object[MAX];
        private final Entry[] chain = new Entry[MAX];
        private int size;
        /** Keeps the loads observable to the compiler. */
        private int sink;

        public int room() {
            return MAX - size;
        }

        public void add(Database db, byte[] buf, int off, int len) {
            dbs[size] = db;
            bufs[size] = buf;
            offs[size] = off;
            lens[size] = len;
            size++;
        }

        /** Loads the batch's entries into the cache and empties it. */
        public void run() {
            int n = size;
            int acc = 0;
            for (int i = 0; i < n; i++) {
                hashes[i] = Bytes.hash(bufs[i], offs[i], lens[i]);
                refs[i] = dbs[i].segmentOf(bufs[i], offs[i], lens[i]);
            }
            for (int i = 0; i < n; i++) {
                Segment s = (Segment) refs[i];
                if (s != null) {
                    Entry[] t = s.table();
                    refs[i] = t[hashes[i] & (t.length - 1)];
                }
            }
            for (int i = 0; i < n; i++) {
                Object o = refs[i];
                if (o instanceof Entry) {
                    Entry e = (Entry) o;
                    acc += e.key.length;
                    chain[i] = e.next;
                    refs[i] = e.value();
                }
            }
            // the next two entries of each chain (a new key is compared with all of them; with
            // keys of one length each comparison reads the key)
            for (int level = 0; level < 2; level++) {
                for (int i = 0; i < n; i++) {
                    Entry e = chain[i];
                    if (e != null) {
                        acc += e.key.length;
                        chain[i] = e.next;
                    }
                }
            }
            for (int i = 0; i < n; i++) {
                chain[i] = null;
            }
            for (int i = 0; i < n; i++) {
                Object v = refs[i];
                if (v instanceof byte[]) {
                    acc += ((byte[]) v).length;
                }
                if (dbs[i].cold != null) {
                    // a key RAM does not hold is then looked up in the spill tier's filters: read
                    // their buckets now too (for every key: which ones RAM holds is not known here)
                    acc += (int) dbs[i].cold.touchFilters(bufs[i], offs[i], lens[i]);
                }
                refs[i] = null;
                bufs[i] = null;
                dbs[i] = null;
            }
            sink += acc;
            size = 0;
        }
    }

    public Entry lookup(Database db, byte[] key) {
        return lookup(db, key, 0, key.length);
    }

    /** {@link #lookup} that also counts keyspace_hits / keyspace_misses and touches the LRU clock. */
    public Entry lookupRead(Database db, byte[] b, int off, int len) {
        Entry e = lookup(db, b, off, len);
        if (e == null) {
            misses++;
        } else {
            hits++;
            accessed(e);
        }
        return e;
    }

    /**
     * {@link #lookup} for commands that inspect a key without using it (EXISTS, TYPE, TTL,
     * OBJECT): counts keyspace_hits / keyspace_misses but leaves the LRU clock alone, as Redis'
     * {@code LOOKUP_NOTOUCH}.
     */
    public Entry lookupReadNoTouch(Database db, byte[] b, int off, int len) {
        Entry e = lookupHot(db, b, off, len);
        if (e == null && db.cold != null) {
            e = peekCold(db, b, off, len);
        }
        if (e == null) {
            misses++;
        } else {
            hits++;
        }
        return e;
    }

    /** Absent, for {@link #expireAtNoTouch}. */
    public static final long NO_KEY = Long.MIN_VALUE;

    /**
     * {@link #lookupReadNoTouch} for commands that need only a key's existence, type or expiry
     * (EXISTS, TYPE, TTL): a cold key's record header answers, its value is not decoded. Returns
     * the type name, or null when the key is absent.
     */
    public String typeNoTouch(Database db, byte[] b, int off, int len) {
        Entry e = lookupHot(db, b, off, len);
        String type = null;
        if (e != null) {
            type = io.strata.engine.types.Types.typeName(e.value());
        } else if (db.cold != null) {
            byte[] record = coldRecord(db, b, off, len);
            type = record == null ? null : codec.typeName(record);
        }
        if (type == null) {
            misses++;
        } else {
            hits++;
        }
        return type;
    }

    /** As {@link #typeNoTouch}: the absolute expiry (-1 for none), or {@link #NO_KEY}. */
    public long expireAtNoTouch(Database db, byte[] b, int off, int len) {
        Entry e = lookupHot(db, b, off, len);
        long at = NO_KEY;
        if (e != null) {
            at = e.expireAt;
        } else if (db.cold != null) {
            byte[] record = coldRecord(db, b, off, len);
            at = record == null ? NO_KEY : SpillRecord.expireAt(record);
        }
        if (at == NO_KEY) {
            misses++;
        } else {
            hits++;
        }
        return at;
    }

    /** {@link #lookup} for a write: touches the LRU clock but counts no hit or miss. */
    public Entry lookupWrite(Database db, byte[] b, int off, int len) {
        Entry e = lookup(db, b, off, len);
        if (e != null) {
            accessed(e);
            touch(db, e);
        }
        return e;
    }

    private static final byte[] PLACEHOLDER = new byte[0];

    /**
     * {@link #lookupWrite} for a command that replaces the whole value at once (SET): a cold key
     * comes back to RAM with its expiry and clocks but without reading its value, which the
     * caller overwrites before the command ends.
     */
    public Entry lookupOverwrite(Database db, byte[] b, int off, int len) {
        Entry e = lookupHot(db, b, off, len);
        if (e == null && db.cold != null) {
            byte[] record = coldRecord(db, b, off, len);
            if (record != null) {
                byte[] key = java.util.Arrays.copyOfRange(b, off, off + len);
                removeCold(db, key, record);
                e = db.insert(key, PLACEHOLDER);
                long at = SpillRecord.expireAt(record);
                if (at >= 0) {
                    db.setExpire(e, at);
                }
                clockFromSpill(e, record);
            }
        }
        if (e != null) {
            accessed(e);
            touch(db, e);
        }
        return e;
    }

    // ---- access clocks (LRU seconds, Redis' LFU counter) ----
    //
    // Each entry keeps one 24-bit clock, as Redis' robj does: LRU seconds (Redis' LRU_CLOCK at
    // its 1000 ms resolution, wrapping every 194 days) under an LRU or other policy, or LFU
    // minutes and counter under an LFU policy. Switching between the two reinterprets the bits
    // until keys are accessed again, as in Redis.

    /** The maxmemory policy is an LFU one: keep the logarithmic counters (Redis' updateLFU). */
    public volatile boolean lfuMode;
    public volatile int lfuLogFactor = 10;
    public volatile int lfuDecayTime = 1;
    private static final int LFU_INIT_VAL = 5;

    private void accessed(Entry e) {
        if (lfuMode) {
            int counter = lfuLogIncr(lfuDecrAndReturn(e));
            e.clock((lfuMinutes() << 8) | counter);
        } else {
            e.clock(lruClock());
        }
    }

    /** Redis' LRU_CLOCK: seconds, in 24 bits. */
    private int lruClock() {
        return (int) (now / 1000) & Entry.CLOCK_MASK;
    }

    /** A new key's clock: now by LRU, or LFU_INIT_VAL now under an LFU policy (Redis' createObject). */
    public int initClock() {
        return lfuMode ? lfuInit() : lruClock();
    }

    /** Seconds since the key was last accessed, from its LRU clock (Redis' estimateObjectIdleTime). */
    public long idleSeconds(Entry e) {
        int c = lruClock();
        int lru = e.clock();
        return c >= lru ? c - lru : c + (Entry.CLOCK_MASK - lru);
    }

    /**
     * Redis' objectSetLRUOrLFU for RESTORE IDLETIME/FREQ and the RDB IDLE/FREQ opcodes, on a key
     * just created: its clock starts as a new key's, then under an LFU policy the counter
     * {@code freq} (when >= 0), otherwise the idle time {@code idle} (when >= 0) sets it; the
     * other figure is ignored.
     */
    public void setLruOrLfu(Entry e, long idle, int freq) {
        e.clock(initClock());
        if (lfuMode) {
            if (freq >= 0) {
                e.clock(lfuWithCounter(freq));
            }
        } else if (idle >= 0) {
            e.clock((int) ((now / 1000 - idle) & Entry.CLOCK_MASK));
        }
    }

    /** Gives {@code to} the access clock of {@code from} (RENAME, MOVE keep it, as Redis moves the object). */
    public void copyClock(Entry from, Entry to) {
        to.clock(from.clock());
    }

    /** The last-access time in Unix seconds a spill record keeps, from the entry's clock. */
    private int spillLru(Entry e) {
        return (int) (now / 1000 - (lfuMode ? 0 : idleSeconds(e)));
    }

    /** The LFU field a spill record keeps, from the entry's clock. */
    private int spillLfu(Entry e) {
        return lfuMode ? e.clock() : lfuInit();
    }

    /** Sets the clock of an entry read back from a spill record. */
    private void clockFromSpill(Entry e, byte[] record) {
        if (lfuMode) {
            e.clock(SpillRecord.lfu(record));
        } else {
            e.clock((int) (SpillRecord.lru(record) & Entry.CLOCK_MASK));
        }
    }

    private int lfuMinutes() {
        return (int) ((now / 60_000) & 65535);
    }

    /** An LFU field holding {@code counter} as of now (RESTORE FREQ, the RDB FREQ opcode). */
    public int lfuWithCounter(int counter) {
        return (lfuMinutes() << 8) | Math.max(0, Math.min(255, counter));
    }

    /** A new key's LFU field: now, counter LFU_INIT_VAL. */
    public int lfuInit() {
        return (lfuMinutes() << 8) | LFU_INIT_VAL;
    }

    /** The counter after decay for the minutes since it was last decremented (LFUDecrAndReturn). */
    public int lfuDecrAndReturn(Entry e) {
        int ldt = e.clock() >>> 8;
        int counter = e.clock() & 255;
        int nowMin = lfuMinutes();
        int elapsed = nowMin >= ldt ? nowMin - ldt : 65535 - ldt + nowMin;
        int periods = lfuDecayTime > 0 ? elapsed / lfuDecayTime : 0;
        return periods > counter ? 0 : counter - periods;
    }

    private int lfuLogIncr(int counter) {
        if (counter == 255) {
            return 255;
        }
        double r = java.util.concurrent.ThreadLocalRandom.current().nextDouble();
        int base = Math.max(0, counter - LFU_INIT_VAL);
        double p = 1.0 / (base * lfuLogFactor + 1);
        return r < p ? counter + 1 : counter;
    }

    // ---- memory accounting ----
    private Entry[] touched = new Entry[8];
    private Database[] touchedDb = new Database[8];
    private int touchedCount;

    /** Remembers an entry a command may change in place, so {@link #settleMemory} re-estimates it. */
    private void touch(Database db, Entry e) {
        // any running snapshot, not only this database's: MOVE or SWAPDB can bring a string a
        // snapshot holds into a database the snapshot no longer tracks
        if (snapshot != null) {
            db.beforeValueChange(e.key);
            // Snapshots hold strings by reference (no copy at capture): a string about to be
            // written gets its own array, so an in-place change (SETBIT, PFADD…) never reaches
            // an array a snapshot may still be reading.
            if (e.value() instanceof byte[]) {
                byte[] old = (byte[]) e.value();
                e.value(old.clone());
                snapshot.copiedStringBytes.addAndGet(Memory.bytes(old.length));
            }
        }
        if (e.backed()) {
            // after the snapshot kept the slot (with the entry still backed): the value is about
            // to change, so the spill copy is no longer it
            db.dropBacking(e);
        }
        remember(db, e);
    }

    /** Queues {@code e} for {@link #settleMemory}'s re-estimate after the command. */
    private void remember(Database db, Entry e) {
        if (touchedCount == touched.length) {
            if (touchedCount >= 1024) {
                settleMemory(); // a command touching very many keys settles as it goes
            } else {
                touched = java.util.Arrays.copyOf(touched, touchedCount * 2);
                touchedDb = java.util.Arrays.copyOf(touchedDb, touchedCount * 2);
            }
        }
        touched[touchedCount] = e;
        touchedDb[touchedCount++] = db;
    }

    /**
     * Call before changing {@code e}'s value in place when {@code e} was not obtained through
     * {@link #lookupWrite} (PFCOUNT's cache write-back): a running snapshot keeps the old content
     * and memory is re-estimated. Re-read {@code e.value()} afterwards: it may be a new array.
     */
    public void beginInPlaceChange(Database db, Entry e) {
        touch(db, e);
    }

    /** Re-estimates entries written by the last command; the dispatcher calls it after each one. */
    public void settleMemory() {
        for (int i = 0; i < touchedCount; i++) {
            touchedDb[i].recharge(touched[i]);
            touched[i] = null;
            touchedDb[i] = null;
        }
        touchedCount = 0;
    }

    /**
     * Estimated bytes of the whole dataset in RAM (INFO used_memory's dataset part): the RAM
     * tier plus the spill tier's in-RAM key filters (cold values and keys are on disk).
     */
    public long usedMemory() {
        return hotMemory() + filterMemory();
    }

    /** Bytes of the spill tier's in-RAM key filters and of the records on their way to its files. */
    public long filterMemory() {
        long m = 0;
        for (Database db : dbs) {
            if (db.cold != null) {
                m += db.cold.filterBytes() + db.cold.pendingBytes();
            }
        }
        return m;
    }

    /** Estimated bytes of the RAM tier alone (without the cold keys' filters): what {@code maxmemory} bounds. */
    public long hotMemory() {
        return hotTotal[0];
    }

    /** The sum of the databases' memory, kept by them (summing 16 databases per check was 3% of a spilling load). */
    private final long[] hotTotal = new long[1];

    /**
     * Sets a key's value as SET does: a new key gets no expiry; an existing key keeps its entry and,
     * when {@code keepTtl} is false, loses its expiry.
     */
    public Entry set(Database db, byte[] key, Object value, boolean keepTtl) {
        Entry e = keepTtl ? lookup(db, key) : lookupHot(db, key, 0, key.length);
        if (e == null && !keepTtl && db.cold != null && dropCold(db, key, 0, key.length)) {
            // an existing cold key is overwritten: no need to read its value back first
            e = db.insert(key, value);
            e.clock(initClock());
        } else if (e == null) {
            e = db.insert(key, value);
            e.clock(initClock());
            added(db, key);
        } else {
            touch(db, e); // first: a running snapshot keeps the old value
            e.value(value);
            e.rawString(false);
            e.textString(false);
            if (!keepTtl) {
                db.setExpire(e, -1);
            }
        }
        accessed(e);
        changed(db, key);
        return e;
    }

    /** Replaces the value of a live entry, dropping its expiry unless {@code keepTtl}. */
    public void overwrite(Database db, Entry e, Object value, boolean keepTtl) {
        touch(db, e); // first: a running snapshot keeps the old value
        e.value(value);
        e.rawString(false);
        e.textString(false);
        if (!keepTtl && e.expireAt >= 0) {
            db.setExpire(e, -1);
        }
        accessed(e);
        changed(db, e.key);
    }

    /** Adds a key that {@link #lookup} just reported absent. */
    public Entry add(Database db, byte[] key, Object value) {
        Entry e = db.insert(key, value);
        e.clock(initClock());
        // commands often create an empty value and fill it afterwards (ZADD, RPUSH, XADD…)
        remember(db, e);
        added(db, key);
        changed(db, key);
        return e;
    }

    private void added(Database db, byte[] key) {
        for (int i = 0; i < listeners.size(); i++) {
            listeners.get(i).keyAdded(db, key);
        }
    }

    public void setExpire(Database db, Entry e, long at) {
        db.setExpire(e, at);
        changed(db, e.key);
    }

    public void delete(Database db, Entry e) {
        db.remove(e);
        changed(db, e.key);
    }

    /** Deletes a key if it exists (expired keys count as absent). */
    public boolean delete(Database db, byte[] b, int off, int len) {
        Entry e = lookupHot(db, b, off, len);
        if (e == null) {
            if (db.cold != null && dropCold(db, b, off, len)) {
                changed(db, java.util.Arrays.copyOfRange(b, off, off + len));
                return true;
            }
            return false;
        }
        delete(db, e);
        return true;
    }

    /** Records a modification made in place to a value (APPEND, INCR, collection edits). */
    public void changed(Database db, byte[] key) {
        dirty++;
        for (int i = 0; i < listeners.size(); i++) {
            listeners.get(i).keyChanged(db, key);
        }
    }

    private void expire(Database db, Entry e) {
        db.remove(e);
        expired(db, e.key);
    }

    private void expired(Database db, byte[] key) {
        expiredKeys++;
        changed(db, key);
        for (int i = 0; i < listeners.size(); i++) {
            listeners.get(i).keyExpired(db, key);
        }
    }

    // ---- the spill tier (DESIGN.md "Tiering") ----

    /** How values become spill records and back (the engine gives the RDB-based one). */
    public interface ColdCodec {
        /**
         * {@code hints}: SpillRecord.FLAG_RAW_STRING / FLAG_TEXT_STRING of a string entry. A
         * string's record may keep its value array as its body (not copied).
         */
        SpillRecord.Parts encode(Object value, long expireAt, int lru, int lfu, int hints);

        Object decode(byte[] record);

        /** TYPE's answer for a record, without decoding it. */
        String typeName(byte[] record);
    }

    private ColdCodec codec;
    private Path spillRoot;
    private long spillMaxBytes;
    private int storeSeq;
    public long promotions;
    public long demotions;
    public long coldReads;
    public long coldExpired;
    /** Cold expiry cycle position: which database it works on next. */
    private int coldExpireDb;

    /**
     * Turns the spill tier on: each database's cold keys go to a {@link SpillStore} under
     * {@code root} (wiped now: spill files are rebuilt from RDB/AOF, never trusted after a crash).
     */
    public void enableTiering(Path root, ColdCodec codec, long maxBytes) {
        SpillStore.wipe(root);
        this.spillRoot = root;
        this.codec = codec;
        this.spillMaxBytes = maxBytes;
    }

    /**
     * With the spill tier on, starts loading Chronicle Map in the background ({@link
     * SpillStore#warmUp}) so the first demotion does not stall clients; the server calls it at
     * start (not the keyspace itself: an engine made in a test would load it under measurements).
     */
    public void warmUpSpillTier() {
        if (tiering()) {
            SpillStore.warmUp();
        }
    }

    public boolean tiering() {
        return codec != null;
    }

    public void setSpillMaxBytes(long maxBytes) {
        spillMaxBytes = maxBytes;
    }

    /** Bytes the whole spill tier holds (what tier-spill-max-size bounds). */
    public long spillStoredBytes() {
        long b = 0;
        for (Database db : dbs) {
            if (db.cold != null) {
                b += db.cold.storedBytes();
            }
        }
        return b;
    }

    /**
     * Moves a live RAM entry to the spill tier (key, value, expiry, access clocks); not a change
     * of the key for WATCH, notifications or the AOF. False when the spill tier is full or off.
     */
    public boolean demote(Database db, Entry e) {
        if (codec == null) {
            return false;
        }
        if (e.backed()) {
            // unchanged since it was read back: the spill tier still has it
            db.removeKeepingBacking(e);
            demotions++;
            return true;
        }
        int hints = (e.rawString() ? SpillRecord.FLAG_RAW_STRING : 0) | (e.textString() ? SpillRecord.FLAG_TEXT_STRING : 0);
        if (!putCold(db, e.key, codec.encode(e.value(), e.expireAt, spillLru(e), spillLfu(e), hints), e.expireAt)) {
            return false;
        }
        db.remove(e);
        demotions++;
        return true;
    }

    /** Stores the record of a key that has none in the spill store (demoted, or loaded), unless the spill tier is full; false then. */
    private boolean putCold(Database db, byte[] key, SpillRecord.Parts record, long expireAt) {
        if (spillFull(record.length() + key.length + 32) || coldStore(db).putNew(key, record) != SpillStore.PutResult.OK) {
            return false;
        }
        if (expireAt >= 0) {
            db.coldExpires++;
        }
        return true;
    }

    /** The database's spill store, opened on first use. */
    private SpillStore coldStore(Database db) {
        if (db.cold == null) {
            // Chronicle allocates a generation's space up front: with a small disk budget, start small
            long first = spillMaxBytes > 0 ? Math.max(1024, Math.min(16 * 1024, spillMaxBytes / 8 / 2048)) : 16 * 1024;
            db.cold = SpillStore.open(spillRoot.resolve("db" + db.index + "-" + storeSeq++), 0, first);
        }
        return db.cold;
    }

    /** Bytes the spill files take on disk, as of the last refresh (the budget counts the larger of this and the bytes stored). */
    private long spillFileBytes;
    private int putsSinceRefresh;

    private void refreshSpillFileBytes() {
        long b = 0;
        for (Database db : dbs) {
            if (db.cold != null) {
                b += db.cold.fileBytes();
            }
        }
        spillFileBytes = b;
        putsSinceRefresh = 0;
    }

    /** Whether a record of {@code bytes} more would exceed tier-spill-max-size (disk used or bytes stored). */
    private boolean spillFull(long bytes) {
        if (spillMaxBytes <= 0) {
            return false;
        }
        if (++putsSinceRefresh >= 4096) {
            refreshSpillFileBytes();
        }
        return Math.max(spillStoredBytes() + bytes, spillFileBytes) > spillMaxBytes;
    }

    /** The record of a cold key, or null; expired records are removed (with the expiry events). */
    private byte[] coldRecord(Database db, byte[] b, int off, int len) {
        SpillStore s = db.cold;
        if (s == null || !s.mightContain(b, off, len)) {
            return null;
        }
        byte[] key = off == 0 && len == b.length ? b : java.util.Arrays.copyOfRange(b, off, off + len);
        byte[] record = s.get(key);
        if (record == null) {
            return null;
        }
        coldReads++;
        long at = SpillRecord.expireAt(record);
        if (at >= 0 && at <= now) {
            removeCold(db, key, record);
            coldExpired++;
            expired(db, key.clone());
            return null;
        }
        return record;
    }

    private void removeCold(Database db, byte[] key, byte[] record) {
        db.cold.remove(key);
        if (SpillRecord.expireAt(record) >= 0) {
            db.coldExpires--;
        }
    }

    /** Removes a live cold key without reading its value back; false when there is none. */
    private boolean dropCold(Database db, byte[] b, int off, int len) {
        byte[] record = coldRecord(db, b, off, len);
        if (record == null) {
            return false;
        }
        removeCold(db, java.util.Arrays.copyOfRange(b, off, off + len), record);
        return true;
    }

    /** Moves a cold key back to RAM; null when there is no live cold key. */
    private Entry promote(Database db, byte[] b, int off, int len) {
        byte[] record = coldRecord(db, b, off, len);
        if (record == null) {
            return null;
        }
        byte[] key = java.util.Arrays.copyOfRange(b, off, off + len);
        Object value = codec.decode(record);
        Entry e = db.insert(key, value);
        long at = SpillRecord.expireAt(record);
        if (at >= 0) {
            db.setExpire(e, at);
        }
        // the record stays as a clean copy until the entry changes: demoting it again is free
        db.markBacked(e, at);
        restoreHints(e, record);
        clockFromSpill(e, record);
        promotions++;
        return e;
    }

    /**
     * A cold key as a detached entry (its value decoded, not placed in RAM): for commands that
     * inspect a key without using it. Null when there is no live cold key.
     */
    private Entry peekCold(Database db, byte[] b, int off, int len) {
        byte[] record = coldRecord(db, b, off, len);
        return record == null ? null : detached(java.util.Arrays.copyOfRange(b, off, off + len), record);
    }

    private Entry detached(byte[] key, byte[] record) {
        Entry e = new Entry(key, codec.decode(record));
        e.expireAt = SpillRecord.expireAt(record);
        clockFromSpill(e, record);
        e.charged(-1);
        restoreHints(e, record);
        return e;
    }

    private static void restoreHints(Entry e, byte[] record) {
        int f = SpillRecord.flags(record);
        e.rawString((f & SpillRecord.FLAG_RAW_STRING) != 0);
        e.textString((f & SpillRecord.FLAG_TEXT_STRING) != 0);
    }

    /** Which tier holds a live key: "hot", "cold" or "none" (DEBUG TIER). No promotion. */
    public String tierOf(Database db, byte[] key) {
        if (lookupHot(db, key, 0, key.length) != null) {
            return "hot";
        }
        return coldRecord(db, key, 0, key.length) != null ? "cold" : "none";
    }

    /**
     * The expiry of a key in either tier without promoting it: -1 for none, {@link Long#MIN_VALUE}
     * when the key does not exist (expired keys count as existing until removed).
     */
    public long peekExpireAt(Database db, byte[] key) {
        Entry e = db.findRaw(key);
        if (e != null) {
            return e.expireAt;
        }
        if (db.cold != null) {
            byte[] record = db.cold.get(key);
            if (record != null) {
                return SpillRecord.expireAt(record);
            }
        }
        return Long.MIN_VALUE;
    }

    /** A live cold key's type name (SCAN TYPE) from its record, or null when expired. */
    public String coldTypeName(byte[] record) {
        return codec.typeName(record);
    }

    /** Whether a cold record has expired at the command clock. */
    public boolean coldExpired(byte[] record) {
        long at = SpillRecord.expireAt(record);
        return at >= 0 && at <= now;
    }

    /** Removes a cold key seen expired by a walk (SCAN, KEYS, the cycle), with the expiry events. */
    public void expireCold(Database db, byte[] key) {
        if (db.cold == null || db.findRaw(key) != null) {
            return; // a record backing a RAM entry expires with that entry
        }
        byte[] record = db.cold.get(key);
        if (record != null && coldExpired(record)) {
            removeCold(db, key, record);
            coldExpired++;
            expired(db, key);
        }
    }

    /**
     * The cold part of the active expiry cycle: walks one database's spill store a map segment at
     * a time from where it stopped, removing expired records, until {@code deadline}. The walk
     * resumes next time, so the whole tier is never scanned in one go.
     */
    private int coldExpireCycle(long deadline) {
        int removed = 0;
        for (int n = 0; n < dbs.length && System.nanoTime() < deadline; n++) {
            Database db = dbs[coldExpireDb];
            coldExpireDb = (coldExpireDb + 1) % dbs.length;
            if (db.cold == null || db.coldExpires == 0) {
                continue;
            }
            List<byte[]> dead = new ArrayList<>();
            for (int segments = 0; segments < 8 && System.nanoTime() < deadline; segments++) {
                dead.clear();
                db.coldExpireCursor = db.cold.scan(db.coldExpireCursor, true, (k, rec) -> {
                    if (coldExpired(rec) && db.findRaw(k) == null) { // a backed key expires with its RAM entry
                        dead.add(k);
                    }
                });
                for (byte[] k : dead) {
                    expireCold(db, k);
                    removed++;
                }
                if (db.coldExpireCursor == 0 || db.cold == null) {
                    break;
                }
            }
        }
        return removed;
    }

    private static final int COMPACT_STEP = 2000;
    private long demotionsAtHousekeeping;

    /** Background upkeep of the spill tier (compaction of generations); bounded work. */
    public void tierHousekeeping() {
        if (codec == null) {
            return;
        }
        if (spillMaxBytes > 0) {
            refreshSpillFileBytes();
        }
        if (snapshot != null) {
            return;
        }
        // while a load streams past maxmemory, moving records from older generations would
        // re-write them during it (23% of a 1M-key load, measured): compact when it is over
        boolean writing = demotions - demotionsAtHousekeeping > COMPACT_STEP;
        demotionsAtHousekeeping = demotions;
        for (Database db : dbs) {
            if (db.cold != null) {
                db.cold.compactStep(COMPACT_STEP, writing);
            }
        }
    }

    /** Closes the spill stores and deletes their files (shutdown). */
    public void closeTiering() {
        for (Database db : dbs) {
            if (db.cold != null) {
                db.cold.close();
                db.cold = null;
            }
        }
        if (spillRoot != null) {
            SpillStore.wipe(spillRoot);
        }
    }

    /** Run every few keys a loader inserts (the engine moves keys to the spill tier when over maxmemory). */
    public Runnable loadPressure;
    private int loadInserts;

    /** A loader inserted a key. */
    public void afterLoadInsert() {
        if (loadPressure != null && (++loadInserts & 63) == 0) {
            loadPressure.run();
        }
    }

    /** Bytes the RAM tier may hold before loaders write straight to the spill tier (0: no limit). */
    public volatile long loadHotLimit;

    /** A loader should put its next key in the spill tier: RAM already holds its share. */
    public boolean loadGoesCold() {
        return codec != null && loadHotLimit > 0 && hotMemory() >= loadHotLimit;
    }

    /**
     * Puts a loaded key straight into the spill tier (no RAM copy kept); false when the spill
     * tier is full (the caller keeps it in RAM and the policy decides later).
     */
    public boolean insertCold(Database db, byte[] key, Object value, long expireAt, int lru, int lfu) {
        return putCold(db, key, codec.encode(value, expireAt, lru, lfu, 0), expireAt);
    }

    /** Whether a record of {@code key} is in the spill tier (expired or not). */
    public boolean hasColdRecord(Database db, byte[] key) {
        return db.cold != null && db.cold.get(key) != null;
    }

    /** Removes the spill record of {@code key} if there is one (a loader replacing a duplicate). */
    public void removeColdRecord(Database db, byte[] key) {
        byte[] record = db.cold == null ? null : db.cold.get(key);
        if (record != null) {
            removeCold(db, key, record);
        }
    }

    /** Lets go of a database's spill store (FLUSHDB): closed now, or when a snapshot reading it ends. */
    private void retireCold(Database db) {
        if (db.cold == null) {
            return;
        }
        if (db.cold.frozen() && snapshot != null) {
            snapshot.retire(db.cold);
        } else {
            db.cold.close();
        }
        db.cold = null;
    }

    // ---- snapshots ----
    private Snapshot snapshot;

    /**
     * Starts a point-in-time snapshot of every database (the epoch is now). Precondition: no
     * snapshot is running. The caller hands it to a snapshot thread and calls
     * {@link #endSnapshot} on this thread when that thread is done.
     */
    public Snapshot beginSnapshot() {
        if (snapshot != null) {
            throw new IllegalStateException("snapshot already running");
        }
        snapshot = new Snapshot(dbs, System.currentTimeMillis(), codec);
        for (int i = 0; i < dbs.length; i++) {
            dbs[i].snap = snapshot.db(i);
        }
        return snapshot;
    }

    public void endSnapshot(Snapshot s) {
        if (snapshot != s) {
            return;
        }
        for (Database db : dbs) {
            db.snap = null;
        }
        snapshot = null;
        s.releaseCold();
    }

    /**
     * Visits every key as it is now, with the callbacks a {@link Snapshot} gives, for a save made
     * synchronously on this thread (SAVE, SHUTDOWN, DEBUG RELOAD). Items hold the live values, not
     * copies: the visitor must be done before the next command runs. Expired keys not yet removed
     * are visited too, as Redis' rdbSave writes them (the loader drops them).
     */
    public void visitLive(Snapshot.Visitor v) {
        for (Database db : dbs) {
            if (db.size() == 0) {
                continue;
            }
            v.database(db.index, db.size(), db.expires());
            db.forEach(e -> v.item(db.index, new Snapshot.Item(e.key, e.value(), e.expireAt)));
            if (db.cold != null) {
                db.cold.forEach((k, rec) -> {
                    if (db.findRaw(k) == null) { // records backing a RAM entry were visited with it
                        v.item(db.index, new Snapshot.Item(k, codec.decode(rec), SpillRecord.expireAt(rec)));
                    }
                });
            }
        }
    }

    /** The running snapshot, or null. */
    public Snapshot snapshot() {
        return snapshot;
    }

    public void flushAll() {
        for (Database db : dbs) {
            flush(db);
        }
    }

    public void flush(Database db) {
        databaseChanged(db);
        if (db.size() > 0) {
            dirty += db.size();
            retireCold(db);
            db.clear();
        }
    }

    /** Tells listeners that every key of {@code db} may have changed. */
    public void databaseChanged(Database db) {
        for (int i = 0; i < listeners.size(); i++) {
            listeners.get(i).databaseChanged(db);
        }
    }

    /**
     * The active expiry cycle: walks segments holding volatile keys round-robin and removes
     * expired ones until {@code budgetNanos} is spent. Returns the number of keys removed.
     */
    public int activeExpireCycle(long budgetNanos) {
        tick();
        long deadline = System.nanoTime() + budgetNanos;
        int[] removed = {0};
        List<Entry> dead = new ArrayList<>();
        activeExpireCycles++;
        for (int n = 0; n < dbs.length; n++) {
            Database db = dbs[expireDbCursor];
            expireDbCursor = (expireDbCursor + 1) % dbs.length;
            if (db.hotExpires() == 0) {
                continue;
            }
            boolean wrapped = false;
            int[] checked = {0};
            while (!wrapped && System.nanoTime() < deadline) {
                dead.clear();
                checked[0] = 0;
                wrapped = db.expireStep(16, e -> {
                    checked[0]++;
                    if (isExpired(e)) {
                        dead.add(e);
                    }
                });
                for (Entry e : dead) {
                    expire(db, e);
                    removed[0]++;
                }
                // as Redis: keep going in this database only while over 10% of what we looked at had expired
                if (db.hotExpires() == 0 || dead.size() * 10 < checked[0]) {
                    break;
                }
            }
            if (System.nanoTime() >= deadline) {
                break;
            }
        }
        if (codec != null) {
            removed[0] += coldExpireCycle(deadline);
        }
        return removed[0];
    }
}
