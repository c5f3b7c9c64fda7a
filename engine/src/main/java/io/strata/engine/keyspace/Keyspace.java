package io.strata.engine.keyspace;

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
    private final Random random = new Random();
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
            dbs[i] = new Database(i);
        }
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

    /** Advances the command clock; the dispatcher calls it before each command. */
    public void tick() {
        now = System.currentTimeMillis();
    }

    public boolean isExpired(Entry e) {
        return e.expireAt >= 0 && e.expireAt <= now;
    }

    /** Looks a key up for any use, removing it first if it has expired. Null when absent. */
    public Entry lookup(Database db, byte[] b, int off, int len) {
        Entry e = db.findRaw(b, off, len);
        if (e != null && isExpired(e)) {
            expire(db, e);
            return null;
        }
        return e;
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
        Entry e = lookup(db, b, off, len);
        if (e == null) {
            misses++;
        } else {
            hits++;
        }
        return e;
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

    // ---- access clocks (LRU seconds, Redis' LFU counter) ----

    /** The maxmemory policy is an LFU one: keep the logarithmic counters (Redis' updateLFU). */
    public volatile boolean lfuMode;
    public volatile int lfuLogFactor = 10;
    public volatile int lfuDecayTime = 1;
    private static final int LFU_INIT_VAL = 5;

    private void accessed(Entry e) {
        e.lruSeconds = (int) (now / 1000);
        if (lfuMode) {
            int counter = lfuLogIncr(lfuDecrAndReturn(e));
            e.lfu = (lfuMinutes() << 8) | counter;
        }
    }

    private int lfuMinutes() {
        return (int) ((now / 60_000) & 65535);
    }

    /** A new key's LFU field: now, counter LFU_INIT_VAL. */
    public int lfuInit() {
        return (lfuMinutes() << 8) | LFU_INIT_VAL;
    }

    /** The counter after decay for the minutes since it was last decremented (LFUDecrAndReturn). */
    public int lfuDecrAndReturn(Entry e) {
        int ldt = e.lfu >>> 8;
        int counter = e.lfu & 255;
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
            if (e.value instanceof byte[]) {
                byte[] old = (byte[]) e.value;
                e.value = old.clone();
                snapshot.copiedStringBytes.addAndGet(Memory.bytes(old.length));
            }
        }
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
     * and memory is re-estimated. Re-read {@code e.value} afterwards: it may be a new array.
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

    /** Estimated bytes of the whole dataset (INFO used_memory's dataset part). */
    public long usedMemory() {
        long m = 0;
        for (Database db : dbs) {
            m += db.memory();
        }
        return m;
    }

    /**
     * Sets a key's value as SET does: a new key gets no expiry; an existing key keeps its entry and,
     * when {@code keepTtl} is false, loses its expiry.
     */
    public Entry set(Database db, byte[] key, Object value, boolean keepTtl) {
        Entry e = lookup(db, key);
        if (e == null) {
            e = db.insert(key, value);
            e.lfu = lfuInit();
            added(db, key);
        } else {
            touch(db, e); // first: a running snapshot keeps the old value
            e.value = value;
            e.rawString = false;
            e.textString = false;
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
        e.value = value;
        e.rawString = false;
        e.textString = false;
        if (!keepTtl && e.expireAt >= 0) {
            db.setExpire(e, -1);
        }
        accessed(e);
        changed(db, e.key);
    }

    /** Adds a key that {@link #lookup} just reported absent. */
    public Entry add(Database db, byte[] key, Object value) {
        Entry e = db.insert(key, value);
        e.lruSeconds = (int) (now / 1000);
        e.lfu = lfuInit();
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
        Entry e = lookup(db, b, off, len);
        if (e == null) {
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
        expiredKeys++;
        changed(db, e.key);
        for (int i = 0; i < listeners.size(); i++) {
            listeners.get(i).keyExpired(db, e.key);
        }
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
        snapshot = new Snapshot(dbs, System.currentTimeMillis());
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
            db.forEach(e -> v.item(db.index, new Snapshot.Item(e.key, e.value, e.expireAt)));
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
            if (db.expires() == 0) {
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
                if (db.expires() == 0 || dead.size() * 10 < checked[0]) {
                    break;
                }
            }
            if (System.nanoTime() >= deadline) {
                break;
            }
        }
        return removed[0];
    }
}
