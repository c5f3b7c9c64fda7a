package io.strata.engine;

import io.strata.engine.keyspace.Database;
import io.strata.engine.keyspace.Entry;
import io.strata.engine.keyspace.Keyspace;

import java.util.Random;

/**
 * The {@code maxmemory-policy} (Redis' evict.c): before a command runs, while used memory is
 * over {@code maxmemory}, pick keys with Redis' approximated LRU/LFU/TTL/random sampling
 * ({@code maxmemory-samples} per database into a small pool of the best candidates) and remove
 * them. With {@code noeviction}, or nothing left to evict, the dispatcher refuses DENYOOM
 * commands with -OOM.
 *
 * <p>Thread rule: keyspace thread only.
 */
public final class Eviction {
    private static final int POOL = 16;

    private final Engine engine;
    private final Keyspace ks;
    private final Random random = new io.strata.engine.util.FastRandom();
    private final Entry[] poolEntry = new Entry[POOL];
    private final Database[] poolDb = new Database[POOL];
    private final long[] poolScore = new long[POOL];
    /** The database's epoch when the candidate was pooled (a flush or swap since makes it stale). */
    private final long[] poolEpoch = new long[POOL];
    private int poolSize;
    private Entry[] sampled = new Entry[8];
    private String poolPolicy;

    Eviction(Engine engine) {
        this.engine = engine;
        this.ks = engine.keyspace;
    }

    /**
     * Frees memory until used memory is within {@code maxmemory}. Returns false when it is still
     * over and nothing more can be evicted (the caller refuses DENYOOM commands).
     */
    public boolean performEvictions() {
        long max = engine.hotLimit();
        if (max <= 0 || engine.hotMemory() <= max) {
            return true;
        }
        String policy = engine.config.maxmemoryPolicy;
        // bounded work per command, as Redis' tenacity: the next command continues. The clock is
        // read once here and then only before a further pick (most commands need one: the clock
        // reads of this loop were 3% of a spilling load's keyspace thread)
        long start = System.nanoTime();
        ks.tickAt(start);
        long deadline = start + 500_000L * (1 + engine.config.maxmemoryEvictionTenacity);
        if (ks.tiering()) {
            // the spill tier first: the coldest keys move to disk; the policy applies only when it is full
            while (engine.hotMemory() > max) {
                if (!demoteOne(policy)) {
                    break;
                }
                if (engine.hotMemory() > max && System.nanoTime() > deadline) {
                    return true;
                }
            }
            if (engine.hotMemory() <= max) {
                return true;
            }
        }
        if (policy.equals("noeviction")) {
            return false;
        }
        while (engine.hotMemory() > max) {
            if (!evictOne(policy)) {
                return false;
            }
            if (engine.hotMemory() > max && System.nanoTime() > deadline) {
                return true;
            }
        }
        return true;
    }

    /**
     * While loading a dataset (no commands run yet), moves keys to the spill tier until used
     * memory is within {@code maxmemory}, so a dataset larger than RAM streams into the spill tier.
     * No time bound: the loader waits for it. Returns false when the spill tier took no more.
     */
    public boolean demoteWhileLoading() {
        long max = engine.hotLimit();
        if (max <= 0 || !ks.tiering()) {
            return true;
        }
        ks.tickAt(System.nanoTime());
        while (engine.hotMemory() > max) {
            if (!demoteOne(engine.config.maxmemoryPolicy)) {
                return false;
            }
        }
        return true;
    }

    /** Moves the coldest sampled RAM key (LFU for *-lfu policies, else LRU) to the spill tier. */
    private boolean demoteOne(String policy) {
        Entry victim = pick(policy.endsWith("-lfu") ? "allkeys-lfu" : "allkeys-lru", true);
        return victim != null && ks.demote(picked, victim);
    }

    /** The database of the entry {@link #pick} returned last (a field, not an array per pick: 3% of a spilling load's allocation). */
    private Database picked;

    private int demotePicks;

    private boolean evictOne(String policy) {
        Entry victim = pick(policy, false);
        if (victim == null) {
            return false;
        }
        Database db = picked;
        ks.delete(db, victim);
        engine.stats.evictedKeys++;
        engine.notifier.notify(Notifier.EVICTED, "evicted", db, victim.key);
        return true;
    }

    /**
     * Samples RAM keys as {@code policy} says and returns the best candidate (its database in
     * {@link #picked}), or null. As Redis' eviction pool: each pick samples
     * {@code maxmemory-samples} keys per database into the pool, and candidates stay in the pool
     * between picks (re-scored and re-checked before use).
     */
    private Entry pick(String policy, boolean demoting) {
        boolean volatileOnly = policy.startsWith("volatile-");
        boolean randomPick = policy.endsWith("-random");
        if (!policy.equals(poolPolicy) || randomPick) {
            clearPool();
            poolPolicy = policy;
        }
        // a second round samples afresh when every pooled candidate turned out stale (deleted,
        // moved, flushed): a stale pool must never look like "nothing to pick"
        for (int round = 0; round < 2; round++) {
            Entry victim = pickRound(policy, volatileOnly, randomPick, round > 0, demoting);
            if (victim != null) {
                return victim;
            }
        }
        return null;
    }

    private Entry pickRound(String policy, boolean volatileOnly, boolean randomPick, boolean resample, boolean demoting) {
        // a demotion that finds the pool at least half full samples only one time in four (each
        // sampling adds maxmemory-samples candidates, so the pool stays full): moving a key to disk
        // is cheap to undo (it comes back on access), and while a load streams past maxmemory
        // sampling was a quarter of the keyspace thread, then at every other demotion 15% (profiled)
        boolean sample = !resample || poolSize == 0;
        if (sample && demoting && !randomPick && poolSize >= POOL / 2 && (++demotePicks & 3) != 0) {
            sample = false;
        }
        if (sample) {
            for (int d = 0; d < ks.databases(); d++) {
                Database db = ks.db(d);
                if (volatileOnly ? db.hotExpires() == 0 : db.hotSize() == 0) {
                    continue;
                }
                int samples = randomPick ? 1 : engine.config.maxmemorySamples;
                if (!volatileOnly && !randomPick) {
                    if (sampled.length < samples) {
                        sampled = new Entry[samples];
                    }
                    int n = db.sampleEntries(random, sampled, samples);
                    for (int i = 0; i < n; i++) {
                        offer(db, sampled[i], score(policy, sampled[i]));
                        sampled[i] = null;
                    }
                    continue;
                }
                for (int i = 0; i < samples; i++) {
                    Entry e = volatileOnly ? db.randomVolatileEntry(random) : db.sampleEntry(random);
                    if (e == null) {
                        break;
                    }
                    offer(db, e, score(policy, e));
                }
                if (randomPick && poolSize > 0) {
                    break;
                }
            }
        }
        while (poolSize > 0) {
            // best candidate: the highest score when pooled (most idle, least frequent, soonest to
            // expire), as Redis' pool keeps the idle time it sampled; re-scoring every pooled entry
            // on each pick cost a cache miss per entry
            int best = 0;
            long bestScore = Long.MIN_VALUE;
            for (int i = 0; i < poolSize; i++) {
                long sc = poolScore[i];
                if (sc > bestScore) {
                    bestScore = sc;
                    best = i;
                }
            }
            Entry victim = poolEntry[best];
            Database db = poolDb[best];
            poolSize--;
            poolEntry[best] = poolEntry[poolSize];
            poolDb[best] = poolDb[poolSize];
            poolScore[best] = poolScore[poolSize];
            long seenAt = poolEpoch[best];
            poolEpoch[best] = poolEpoch[poolSize];
            poolEntry[poolSize] = null;
            poolDb[poolSize] = null;
            // still this database's live entry (not deleted, moved, flushed or swapped away)?
            // (O(1): re-finding it by key cost a tenth of a spilling load, profiled)
            if (db.holds(victim, seenAt) && (!volatileOnly || victim.hasExpire())) {
                picked = db;
                return victim;
            }
        }
        return null;
    }

    private void clearPool() {
        for (int i = 0; i < poolSize; i++) {
            poolEntry[i] = null;
            poolDb[i] = null;
        }
        poolSize = 0;
    }

    private void offer(Database db, Entry e, long score) {
        for (int i = 0; i < poolSize; i++) {
            if (poolEntry[i] == e) {
                return;
            }
        }
        if (poolSize < POOL) {
            poolEntry[poolSize] = e;
            poolDb[poolSize] = db;
            poolScore[poolSize] = score;
            poolEpoch[poolSize] = db.epoch();
            poolSize++;
            return;
        }
        int worst = 0;
        for (int i = 1; i < POOL; i++) {
            if (poolScore[i] < poolScore[worst]) {
                worst = i;
            }
        }
        if (score > poolScore[worst]) {
            poolEntry[worst] = e;
            poolDb[worst] = db;
            poolScore[worst] = score;
            poolEpoch[worst] = db.epoch();
        }
    }

    /** Higher means evict sooner, as Redis' idle value in the eviction pool. */
    private long score(String policy, Entry e) {
        if (policy.endsWith("-lfu")) {
            return 255 - ks.lfuDecrAndReturn(e);
        }
        if (policy.equals("volatile-ttl")) {
            return Long.MAX_VALUE - e.expireAt();
        }
        if (policy.endsWith("-random")) {
            return 0;
        }
        return ks.idleSeconds(e);
    }
}
