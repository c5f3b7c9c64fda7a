package io.strata.storage.tier;

import java.util.HashMap;
import java.util.Map;

/**
 * An in-RAM multiset of 64-bit key hashes (open addressing, linear probing, backward-shift
 * delete, load at most 3/4): 11–21 bytes per spilled key whatever the key and value sizes, so a
 * lookup of a key that is not spilled never touches the mmap'd files. A hit may be a collision:
 * confirm with the map. Two spilled keys with the same 64-bit hash (practically never) are
 * counted in a side map, so removing one keeps the other visible.
 *
 * <p>Thread rule: one writer at a time (the keyspace thread); not safe for concurrent use.
 */
final class KeyFilter {
    private static final long EMPTY = 0;
    private static final int INITIAL = 1 << 10;
    private long[] table = new long[INITIAL];
    private int size;
    /** Extra occurrences of hashes shared by more than one key. */
    private final Map<Long, Integer> duplicates = new HashMap<>();

    static long hash(byte[] key) {
        return hash(key, 0, key.length);
    }

    static long hash(byte[] key, int off, int len) {
        long h = 0x9E3779B97F4A7C15L ^ len;
        for (int i = off; i < off + len; i++) {
            h ^= key[i] & 0xff;
            h *= 0x100000001B3L;
            h = Long.rotateLeft(h, 29);
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h == EMPTY ? 1 : h;
    }

    int size() {
        return size;
    }

    long bytes() {
        return 64L + table.length * 8L + duplicates.size() * 64L;
    }

    boolean mightContain(long h) {
        int mask = table.length - 1;
        for (int i = (int) h & mask; ; i = (i + 1) & mask) {
            long v = table[i];
            if (v == EMPTY) {
                return false;
            }
            if (v == h) {
                return true;
            }
        }
    }

    void add(long h) {
        if ((size + 1) * 4 > table.length * 3) {
            grow();
        }
        if (!insert(h)) {
            duplicates.merge(h, 1, Integer::sum);
        }
    }

    /** False when {@code h} was already there. */
    private boolean insert(long h) {
        int mask = table.length - 1;
        for (int i = (int) h & mask; ; i = (i + 1) & mask) {
            long v = table[i];
            if (v == h) {
                return false;
            }
            if (v == EMPTY) {
                table[i] = h;
                size++;
                return true;
            }
        }
    }

    void remove(long h) {
        Integer extra = duplicates.get(h);
        if (extra != null) {
            if (extra == 1) {
                duplicates.remove(h);
            } else {
                duplicates.put(h, extra - 1);
            }
            return;
        }
        int mask = table.length - 1;
        int i = (int) h & mask;
        while (table[i] != h) {
            if (table[i] == EMPTY) {
                return;
            }
            i = (i + 1) & mask;
        }
        // backward-shift deletion keeps probe chains intact without tombstones
        int j = i;
        while (true) {
            j = (j + 1) & mask;
            if (table[j] == EMPTY) {
                break;
            }
            int home = (int) table[j] & mask;
            boolean between = i <= j ? (home > i && home <= j) : (home > i || home <= j);
            if (!between) {
                table[i] = table[j];
                i = j;
            }
        }
        table[i] = EMPTY;
        size--;
    }

    void clear() {
        table = new long[INITIAL];
        size = 0;
        duplicates.clear();
    }

    private void grow() {
        long[] old = table;
        table = new long[old.length * 2];
        size = 0;
        for (long v : old) {
            if (v != EMPTY) {
                insert(v);
            }
        }
    }
}
