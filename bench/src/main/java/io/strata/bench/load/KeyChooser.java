package io.strata.bench.load;

import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Picks the index of the next key, {@code 0 ≤ index < keys}: uniform, Zipf (skewed, a few keys
 * hot) or sequential (each key once, for preloading).
 *
 * <p>Thread rule: any thread; the instance holds only immutable tables and an atomic counter,
 * each caller passes its own random source.
 */
public abstract class KeyChooser {
    public abstract long next(SplittableRandom rnd);

    public static KeyChooser uniform(long keys) {
        return new KeyChooser() {
            @Override
            public long next(SplittableRandom rnd) {
                return rnd.nextLong(keys);
            }
        };
    }

    /** 0, 1, 2, … shared by all callers, wrapping at {@code keys}. */
    public static KeyChooser sequential(long keys) {
        AtomicLong n = new AtomicLong();
        return new KeyChooser() {
            @Override
            public long next(SplittableRandom rnd) {
                return n.getAndIncrement() % keys;
            }
        };
    }

    /**
     * Zipf over {@code keys} keys with exponent {@code theta} (0 &lt; θ &lt; 1; YCSB uses 0.99), by
     * the method of Gray et al., "Quickly generating billion-record synthetic databases" (as
     * YCSB's ZipfianGenerator). Rank r is then mapped to key {@code r·p mod keys} for a prime p,
     * a bijection that scatters the hot keys over the keyspace instead of 0, 1, 2….
     */
    public static KeyChooser zipf(long keys, double theta) {
        if (!(theta > 0 && theta < 1)) {
            throw new IllegalArgumentException("zipf theta must be in (0, 1): theta=" + theta);
        }
        double zetan = 0;
        for (long i = 1; i <= keys; i++) {
            zetan += 1 / Math.pow(i, theta);
        }
        double zeta2 = 1 + 1 / Math.pow(2, theta);
        double alpha = 1 / (1 - theta);
        double eta = (1 - Math.pow(2.0 / keys, 1 - theta)) / (1 - zeta2 / zetan);
        double half = 1 + Math.pow(0.5, theta);
        final double z = zetan;
        long prime = 2_147_483_647L; // 2^31-1: coprime with any key count below it
        return new KeyChooser() {
            @Override
            public long next(SplittableRandom rnd) {
                double u = rnd.nextDouble();
                double uz = u * z;
                long rank;
                if (uz < 1) {
                    rank = 0;
                } else if (uz < half) {
                    rank = 1;
                } else {
                    rank = Math.min(keys - 1, (long) (keys * Math.pow(eta * u - eta + 1, alpha)));
                }
                return keys < prime ? Math.floorMod(rank * prime, keys) : rank;
            }
        };
    }
}
