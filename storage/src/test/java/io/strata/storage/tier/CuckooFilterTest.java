package io.strata.storage.tier;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CuckooFilterTest {
    private static final int N = 1_000_000;

    private static long[] hashes(long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        long[] h = new long[n];
        for (int i = 0; i < n; i++) {
            h[i] = CuckooFilter.hash(("key:" + r.nextLong()).getBytes());
        }
        return h;
    }

    @Test
    void shouldFindEveryAddedKeyAtFullLoad() {
        CuckooFilter f = new CuckooFilter(N);
        long[] h = hashes(1, N);
        for (long x : h) {
            f.add(x);
        }
        assertTrue(f.full(), "sized for N keys, full after N");
        for (long x : h) {
            assertTrue(f.mightContain(x));
        }
        double perKey = (double) f.bytes() / N;
        assertTrue(perKey < 2.3, "bytes per key at capacity: " + perKey);
    }

    @Test
    void shouldAnswerAbsentKeysWithFewFalsePositives() {
        CuckooFilter f = new CuckooFilter(N);
        for (long x : hashes(2, N)) {
            f.add(x);
        }
        int hits = 0;
        for (long x : hashes(3, N)) {
            if (f.mightContain(x)) {
                hits++;
            }
        }
        assertTrue(hits < N / 2000, "false positives of 1M absent keys: " + hits);
    }

    @Test
    void shouldKeepOtherKeysVisibleWhenKeysAreRemoved() {
        CuckooFilter f = new CuckooFilter(N);
        long[] h = hashes(4, N);
        for (long x : h) {
            f.add(x);
        }
        for (int i = 0; i < N; i += 2) {
            f.remove(h[i]);
        }
        assertEquals(N / 2, f.size());
        for (int i = 1; i < N; i += 2) {
            assertTrue(f.mightContain(h[i]), "key " + i + " lost after removing others");
        }
        int stillThere = 0;
        for (int i = 0; i < N; i += 2) {
            if (f.mightContain(h[i])) {
                stillThere++;
            }
        }
        assertTrue(stillThere < N / 1000, "removed keys still answered: " + stillThere);
    }

    @Test
    void shouldCountTheSameHashTwice() {
        CuckooFilter f = new CuckooFilter(16);
        long h = CuckooFilter.hash("k".getBytes());
        f.add(h);
        f.add(h);
        f.remove(h);
        assertTrue(f.mightContain(h));
        f.remove(h);
        assertFalse(f.mightContain(h));
    }
}
