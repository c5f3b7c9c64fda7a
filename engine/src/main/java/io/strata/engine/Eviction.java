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
    private final Random random = new Random();
    private final Entry[] poolEntry = new Entry[POOL];
    private final Database[] poolDb = new Database[POOL];
    private final long[] poolScore = new long[POOL];

    Eviction(Engine engine) {
        this.engine = engine;
        this.ks = engine.keyspace;
    }

    /**
     * Frees memory until used memory is within {@code maxmemory}. Returns false when it is still
     * over and nothing more can be evicted (the caller refuses DENYOOM commands).
     */
    public boolean performEvictions() {
        long max = engine.config.maxmemory;
        if (max <= 0 || engine.usedMemory() <= max) {
            return true;
        }
        String policy = engine.config.maxmemoryPolicy;
        if (policy.equals("noeviction")) {
            return false;
        }
        // bounded work per command, as Redis' tenacity: the next command continues
        long deadline = System.nanoTime() + 500_000L * (1 + engine.config.maxmemoryEvictionTenacity);
        while (engine.usedMemory() > max) {
            if (!evictOne(policy)) {
                return false;
            }
            if (System.nanoTime() > deadline) {
                return true;
            }
        }
        return true;
    }

    private boolean evictOne(String policy) {
        boolean volatileOnly = policy.startsWith("volatile-");
        boolean randomPick = policy.endsWith("-random");
        int filled = 0;
        ks.tick();
        for (int d = 0; d < ks.databases(); d++) {
            Database db = ks.db(d);
            if (volatileOnly ? db.expires() == 0 : db.size() == 0) {
                continue;
            }
            int samples = randomPick ? 1 : engine.config.maxmemorySamples;
            for (int i = 0; i < samples; i++) {
                Entry e = volatileOnly ? db.randomVolatileEntry(random) : db.randomEntry(random);
                if (e == null) {
                    break;
                }
                filled = offer(db, e, score(policy, e), filled);
            }
            if (randomPick && filled > 0) {
                break;
            }
        }
        if (filled == 0) {
            return false;
        }
        // best candidate: the highest score (most idle, least frequent, soonest to expire)
        int best = 0;
        for (int i = 1; i < filled; i++) {
            if (poolScore[i] > poolScore[best]) {
                best = i;
            }
        }
        Entry victim = poolEntry[best];
        Database db = poolDb[best];
        for (int i = 0; i < filled; i++) {
            poolEntry[i] = null;
            poolDb[i] = null;
        }
        ks.delete(db, victim);
        engine.stats.evictedKeys++;
        engine.notifier.notify(Notifier.EVICTED, "evicted", db, victim.key);
        return true;
    }

    private int offer(Database db, Entry e, long score, int filled) {
        for (int i = 0; i < filled; i++) {
            if (poolEntry[i] == e) {
                return filled;
            }
        }
        if (filled < POOL) {
            poolEntry[filled] = e;
            poolDb[filled] = db;
            poolScore[filled] = score;
            return filled + 1;
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
        }
        return filled;
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
        return ks.now() / 1000 - e.lruSeconds;
    }
}
