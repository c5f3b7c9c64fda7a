package io.strata.engine.keyspace;

import io.strata.engine.util.Bytes;

/**
 * The keys of one hash slot of one database: a chained hash table whose size is a power of two,
 * so SCAN can use Redis' reverse-binary cursor and still see every key present throughout.
 * Segments are small (the keyspace is split 16384 ways), so they resize in one step.
 *
 * <p>Thread rule: keyspace thread only.
 */
public final class Segment {
    private Entry[] table = new Entry[4];
    private int size;
    /** Keys in this segment with an expiry, so the active cycle skips segments without any. */
    int volatileCount;

    /** The bucket array, for {@link Keyspace.Prefetch}'s look-ahead loads. */
    Entry[] table() {
        return table;
    }

    public int size() {
        return size;
    }

    /** The entry of key {@code b[off, off+len)} whose {@link Bytes#hash} is {@code hash}, or null. */
    Entry find(byte[] b, int off, int len, int hash) {
        Entry e = table[hash & (table.length - 1)];
        while (e != null) {
            // entries keep no hash (as Redis' dictEntry): the length check rejects most others
            if (Bytes.equals(e.key, b, off, len)) {
                return e;
            }
            e = e.next;
        }
        return null;
    }

    /** Adds {@code n}, whose key's {@link Bytes#hash} is {@code hash}. */
    void insert(Entry n, int hash) {
        if (size >= table.length) {
            resize(table.length * 2);
        }
        int i = hash & (table.length - 1);
        n.next = table[i];
        table[i] = n;
        size++;
    }

    boolean remove(Entry target) {
        int i = hash(target) & (table.length - 1);
        Entry prev = null;
        Entry e = table[i];
        while (e != null) {
            if (e == target) {
                if (prev == null) {
                    table[i] = e.next;
                } else {
                    prev.next = e.next;
                }
                e.next = null;
                size--;
                if (table.length > 4 && size < table.length / 8) {
                    resize(table.length / 2);
                }
                return true;
            }
            prev = e;
            e = e.next;
        }
        return false;
    }

    private static int hash(Entry e) {
        return Bytes.hash(e.key, 0, e.key.length);
    }

    private void resize(int n) {
        Entry[] nt = new Entry[n];
        for (Entry head : table) {
            Entry e = head;
            while (e != null) {
                Entry next = e.next;
                int i = hash(e) & (n - 1);
                e.next = nt[i];
                nt[i] = e;
                e = next;
            }
        }
        table = nt;
    }

    /**
     * Visits the bucket at {@code cursor} and returns the next cursor (0 when done), using the
     * reverse-binary increment of Redis' dictScan so resizes between calls never skip a key.
     */
    long scan(long cursor, java.util.function.Consumer<Entry> visitor) {
        long mask = table.length - 1;
        Entry e = table[(int) (cursor & mask)];
        while (e != null) {
            Entry next = e.next;
            visitor.accept(e);
            e = next;
        }
        cursor |= ~mask;
        cursor = Long.reverse(cursor);
        cursor++;
        cursor = Long.reverse(cursor);
        return cursor;
    }

    /** A bucket chosen at random that is not empty, or null when the segment is empty. */
    Entry randomEntry(java.util.Random rnd) {
        if (size == 0) {
            return null;
        }
        while (true) {
            Entry e = table[rnd.nextInt(table.length)];
            if (e != null) {
                int chain = 0;
                for (Entry x = e; x != null; x = x.next) {
                    chain++;
                }
                int pick = rnd.nextInt(chain);
                while (pick-- > 0) {
                    e = e.next;
                }
                return e;
            }
        }
    }

    /**
     * An entry for eviction sampling: the first one from a random bucket on (not uniform, as
     * Redis' dictGetSomeKeys; a sample needs no fairness, and a sequential walk costs less than
     * random probes of a sparse table). Null when the segment is empty.
     */
    Entry sampleEntry(java.util.Random rnd) {
        if (size == 0) {
            return null;
        }
        int mask = table.length - 1;
        int i = rnd.nextInt(table.length);
        Entry e;
        while ((e = table[i]) == null) {
            i = (i + 1) & mask;
        }
        return e;
    }

    /**
     * Up to {@code n} entries for eviction sampling into {@code out} from {@code off}, from consecutive buckets
     * starting at a random one (as Redis' dictGetSomeKeys): one walk of the table instead of a
     * probe per sample. Returns how many.
     */
    int sample(java.util.Random rnd, Entry[] out, int off, int n) {
        if (size == 0) {
            return 0;
        }
        int mask = table.length - 1;
        int i = rnd.nextInt(table.length);
        int got = 0;
        for (int b = 0; b < table.length && got < n; b++, i = (i + 1) & mask) {
            for (Entry e = table[i]; e != null && got < n; e = e.next) {
                out[off + got++] = e;
            }
        }
        return got;
    }

    void forEach(java.util.function.Consumer<Entry> visitor) {
        for (Entry head : table) {
            Entry e = head;
            while (e != null) {
                Entry next = e.next;
                visitor.accept(e);
                e = next;
            }
        }
    }
}
