package io.strata.storage.tier;

/**
 * A cuckoo filter (Fan et al., 2014) of 16-bit fingerprints in buckets of four, one {@code long}
 * per bucket: about 2.1 bytes per key when full, a false-positive rate near 8 × 2⁻¹⁶ (0.012%)
 * per lookup, and — unlike a Bloom filter — deletion. A key's two buckets are {@code i1}, from the
 * low 32 bits of its 64-bit hash, and {@code (F − i1) mod n} with {@code F} drawn from the
 * fingerprint, so either bucket gives the other and any bucket count works (no rounding up to a
 * power of two). Its capacity is fixed: {@link #full} says when to start another filter.
 *
 * <p>Precondition of {@link #remove}: the key was added (and not yet removed). Removing a key
 * that was never added could drop another key's fingerprint and make that key invisible, so the
 * caller removes only what it knows it added. Equal fingerprints in the same bucket pair are
 * interchangeable: removing either leaves the filter as if the other had been removed.
 *
 * <p>Thread rule: one thread at a time (the keyspace thread); not safe for concurrent use.
 */
final class CuckooFilter {
    private static final java.lang.invoke.VarHandle LONGS =
        java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);
    private static final int SLOTS = 4;
    private static final long LANES = 0x0001_0001_0001_0001L;
    private static final long HIGH_BITS = 0x8000_8000_8000_8000L;
    /** Kicks before a fingerprint goes to the stash; at the load {@link #full} allows this is rare. */
    private static final int MAX_KICKS = 500;
    /** Share of slots that may be used: four-way cuckoo tables fill to ~95% before inserts fail. */
    private static final double MAX_LOAD = 0.92;

    private final long[] buckets;
    private final int n;
    private final int limit;
    private int size;
    /** Fingerprints that found no slot, as {@code bucket << 16 | fingerprint}: lookups check them too. */
    private long[] stash = new long[0];
    private int stashSize;
    private long random = 0x2545F4914F6CDD1DL;

    /** A filter meant for up to {@code entries} keys. */
    CuckooFilter(long entries) {
        long b = (long) Math.ceil(Math.max(1, entries) / (SLOTS * MAX_LOAD));
        if (b > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("cuckoo filter too large: entries=" + entries);
        }
        n = (int) b;
        buckets = new long[n];
        limit = (int) Math.min(Integer.MAX_VALUE, Math.max(1, entries));
    }

    /** The 64-bit key hash everything in the spill tier is placed by (partition, bucket, fingerprint). */
    static long hash(byte[] key) {
        return hash(key, 0, key.length);
    }

    /**
     * Eight bytes per step, then the tail a byte at a time, then murmur3's finaliser (a byte per
     * step was 3-5% of the keyspace thread on a spilling load: every new key is hashed here).
     * Nothing persists it: the spill files are rebuilt at every start.
     */
    static long hash(byte[] key, int off, int len) {
        long h = 0x9E3779B97F4A7C15L ^ len;
        int i = off;
        for (int end = off + len - 7; i < end; i += 8) {
            h ^= (long) LONGS.get(key, i) * 0xC2B2AE3D27D4EB4FL;
            h = Long.rotateLeft(h, 31) * 0x9E3779B97F4A7C15L;
        }
        for (; i < off + len; i++) {
            h ^= key[i] & 0xff;
            h *= 0x100000001B3L;
            h = Long.rotateLeft(h, 29);
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }

    int size() {
        return size;
    }

    /** Keys the filter was sized for. */
    int capacity() {
        return limit;
    }

    /** True once the filter holds as many keys as it was sized for: add more elsewhere. */
    boolean full() {
        return size >= limit;
    }

    /** Heap bytes of the filter object and its table (fixed at creation; the rarely used stash is left out). */
    long bytes() {
        return 48L + 16 + buckets.length * 8L;
    }

    static int fingerprint(long h) {
        int f = (int) (h >>> 32) & 0xFFFF; // bits the bucket index and the partition do not use
        return f == 0 ? 1 : f;
    }

    private int bucket1(long h) {
        return (int) (((h & 0xFFFF_FFFFL) * n) >>> 32);
    }

    private int alternate(int bucket, int fp) {
        long f = ((fp * 0x9E37_79B9L) & 0xFFFF_FFFFL) * n >>> 32;
        long i = f - bucket;
        return (int) (i < 0 ? i + n : i);
    }

    private static boolean holds(long bucket, int fp) {
        long x = bucket ^ (fp * LANES);
        return ((x - LANES) & ~x & HIGH_BITS) != 0;
    }

    boolean mightContain(long h) {
        int fp = fingerprint(h);
        int i1 = bucket1(h);
        if (holds(buckets[i1], fp) || holds(buckets[alternate(i1, fp)], fp)) {
            return true;
        }
        return stashSize > 0 && inStash(i1, fp) >= 0;
    }

    /**
     * Reads the two buckets {@link #mightContain} would read for {@code h} and returns bits of
     * them: a batch of these has its cache misses overlap, where lookups one key at a time wait
     * for each.
     */
    long touch(long h) {
        int fp = fingerprint(h);
        int i1 = bucket1(h);
        return buckets[i1] ^ buckets[alternate(i1, fp)];
    }

    /** Adds a key's hash (a multiset: adding twice needs removing twice). */
    void add(long h) {
        int fp = fingerprint(h);
        int i = bucket1(h);
        size++;
        if (put(i, fp)) {
            return;
        }
        i = alternate(i, fp);
        if (put(i, fp)) {
            return;
        }
        for (int k = 0; k < MAX_KICKS; k++) {
            random ^= random << 13;
            random ^= random >>> 7;
            random ^= random << 17;
            int lane = (int) (random >>> 62);
            int shift = lane * 16;
            int victim = (int) (buckets[i] >>> shift) & 0xFFFF;
            buckets[i] = (buckets[i] & ~(0xFFFFL << shift)) | ((long) fp << shift);
            fp = victim;
            i = alternate(i, fp);
            if (put(i, fp)) {
                return;
            }
        }
        if (stashSize == stash.length) {
            stash = java.util.Arrays.copyOf(stash, Math.max(4, stash.length * 2));
        }
        stash[stashSize++] = (long) i << 16 | fp;
    }

    /** Removes one occurrence of a key's hash. Precondition: it was {@link #add added}. */
    void remove(long h) {
        int fp = fingerprint(h);
        int i1 = bucket1(h);
        if (take(i1, fp) || take(alternate(i1, fp), fp)) {
            size--;
            return;
        }
        int s = inStash(i1, fp);
        if (s >= 0) {
            stash[s] = stash[--stashSize];
            size--;
        }
    }

    private int inStash(int i1, int fp) {
        int i2 = alternate(i1, fp);
        for (int s = 0; s < stashSize; s++) {
            long e = stash[s];
            int b = (int) (e >>> 16);
            if ((int) (e & 0xFFFF) == fp && (b == i1 || b == i2)) {
                return s;
            }
        }
        return -1;
    }

    private boolean put(int i, int fp) {
        long b = buckets[i];
        for (int shift = 0; shift < 64; shift += 16) {
            if (((b >>> shift) & 0xFFFF) == 0) {
                buckets[i] = b | ((long) fp << shift);
                return true;
            }
        }
        return false;
    }

    private boolean take(int i, int fp) {
        long b = buckets[i];
        for (int shift = 0; shift < 64; shift += 16) {
            if (((b >>> shift) & 0xFFFF) == fp) {
                buckets[i] = b & ~(0xFFFFL << shift);
                return true;
            }
        }
        return false;
    }
}
