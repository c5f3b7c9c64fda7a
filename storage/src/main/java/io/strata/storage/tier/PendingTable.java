package io.strata.storage.tier;

import java.util.Arrays;

/**
 * The records a {@link SpillStore} has handed to the {@link SpillWriter} and not yet forgotten,
 * by key: open addressing on the key's filter hash with linear probing, so that an entry costs
 * no node (a {@code java.util.HashMap} allocated one per demoted record, and its put and remove
 * were 2% of the keyspace thread on a spilling load, profiled). Deletion shifts the following
 * entries back, so there are no tombstones.
 *
 * <p>Thread rule: the owning store's thread only (the writer never looks here).
 */
final class PendingTable {
    private static final int INITIAL = 1024;
    private SpillWriter.Op[] slots = new SpillWriter.Op[INITIAL];
    private int size;

    boolean isEmpty() {
        return size == 0;
    }

    int size() {
        return size;
    }

    private static int home(long hash, int mask) {
        return (int) (hash ^ (hash >>> 29)) & mask;
    }

    private static boolean same(SpillWriter.Op op, byte[] key, long hash) {
        return op.hash == hash && Arrays.equals(op.key, key);
    }

    /** The op pending for {@code key}, or null. */
    SpillWriter.Op get(byte[] key, long hash) {
        SpillWriter.Op[] t = slots;
        int mask = t.length - 1;
        for (int i = home(hash, mask); ; i = (i + 1) & mask) {
            SpillWriter.Op o = t[i];
            if (o == null) {
                return null;
            }
            if (same(o, key, hash)) {
                return o;
            }
        }
    }

    /** Adds {@code op}, replacing an op pending for the same key. */
    void put(SpillWriter.Op op) {
        if ((size + 1) * 2 > slots.length) {
            resize(slots.length * 2);
        }
        SpillWriter.Op[] t = slots;
        int mask = t.length - 1;
        for (int i = home(op.hash, mask); ; i = (i + 1) & mask) {
            SpillWriter.Op o = t[i];
            if (o == null) {
                t[i] = op;
                size++;
                return;
            }
            if (same(o, op.key, op.hash)) {
                t[i] = op;
                return;
            }
        }
    }

    /** Removes {@code op} if it is the one pending for its key (a newer op for the key stays). */
    void remove(SpillWriter.Op op) {
        SpillWriter.Op[] t = slots;
        int mask = t.length - 1;
        int i = home(op.hash, mask);
        while (true) {
            SpillWriter.Op o = t[i];
            if (o == null) {
                return;
            }
            if (o == op) {
                break;
            }
            i = (i + 1) & mask;
        }
        // shift back the entries after the hole that would no longer be found from their home slot
        int hole = i;
        for (int j = (hole + 1) & mask; t[j] != null; j = (j + 1) & mask) {
            int h = home(t[j].hash, mask);
            // t[j] may move to the hole when its home is not cyclically within (hole, j]
            if (((j - h) & mask) >= ((j - hole) & mask)) {
                t[hole] = t[j];
                hole = j;
            }
        }
        t[hole] = null;
        size--;
    }

    void clear() {
        if (slots.length > INITIAL) {
            slots = new SpillWriter.Op[INITIAL];
        } else {
            Arrays.fill(slots, null);
        }
        size = 0;
    }

    private void resize(int capacity) {
        SpillWriter.Op[] old = slots;
        SpillWriter.Op[] t = new SpillWriter.Op[capacity];
        int mask = capacity - 1;
        for (SpillWriter.Op o : old) {
            if (o != null) {
                int i = home(o.hash, mask);
                while (t[i] != null) {
                    i = (i + 1) & mask;
                }
                t[i] = o;
            }
        }
        slots = t;
    }
}
