package io.strata.engine.types;

import io.strata.engine.util.Bytes;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;

/**
 * The "hashtable" encoding of hashes and sets: a chained hash table of byte-string keys (with an
 * optional byte-string value) whose size is a power of two, growing and shrinking like Redis'
 * dict, so HSCAN/SSCAN can use the reverse-binary cursor of {@code dictScan} and still return
 * every element present for the whole iteration. Lookups take slices, so they allocate nothing.
 *
 * <p>Thread rule: keyspace thread only.
 */
final class ByteTable {
    /** Redis' DICT_HT_INITIAL_SIZE. */
    private static final int MIN_SIZE = 4;

    /** One element: a key and, for hashes, its value (null in sets). */
    static final class Node {
        final byte[] key;
        final int hash;
        byte[] value;
        Node next;

        Node(byte[] key, int hash, byte[] value) {
            this.key = key;
            this.hash = hash;
            this.value = value;
        }
    }

    private Node[] table = new Node[MIN_SIZE];
    private int size;
    /** Bytes held by keys and values, for {@link Value#memoryUsage()}. */
    private long bytes;

    int size() {
        return size;
    }

    long bytes() {
        return bytes;
    }

    Node find(byte[] b, int off, int len) {
        int h = Bytes.hash(b, off, len);
        for (Node n = table[h & (table.length - 1)]; n != null; n = n.next) {
            if (n.hash == h && Bytes.equals(n.key, b, off, len)) {
                return n;
            }
        }
        return null;
    }

    /** Sets {@code key} to {@code value}; returns true when the key is new. Takes ownership of both arrays. */
    boolean put(byte[] key, byte[] value) {
        Node n = find(key, 0, key.length);
        if (n != null) {
            bytes += (value == null ? 0 : value.length) - (n.value == null ? 0 : n.value.length);
            n.value = value;
            return false;
        }
        if (size >= table.length) {
            // as _dictExpandIfNeeded: grow to the next power of two above the element count
            resize(table.length * 2);
        }
        n = new Node(key, Bytes.hash(key, 0, key.length), value);
        int i = n.hash & (table.length - 1);
        n.next = table[i];
        table[i] = n;
        size++;
        bytes += key.length + (value == null ? 0 : value.length);
        return true;
    }

    /** Removes a key; returns its node, or null when absent. */
    Node remove(byte[] b, int off, int len) {
        int h = Bytes.hash(b, off, len);
        int i = h & (table.length - 1);
        Node prev = null;
        for (Node n = table[i]; n != null; prev = n, n = n.next) {
            if (n.hash == h && Bytes.equals(n.key, b, off, len)) {
                if (prev == null) {
                    table[i] = n.next;
                } else {
                    prev.next = n.next;
                }
                n.next = null;
                size--;
                bytes -= n.key.length + (n.value == null ? 0 : n.value.length);
                // as htNeedsResize after a delete: shrink below 10% fill
                if (table.length > MIN_SIZE && (long) size * 100 / table.length < 10) {
                    resize(Math.max(MIN_SIZE, Integer.highestOneBit(Math.max(1, size - 1)) << 1));
                }
                return n;
            }
        }
        return null;
    }

    private void resize(int n) {
        Node[] nt = new Node[n];
        for (Node head : table) {
            Node e = head;
            while (e != null) {
                Node next = e.next;
                int i = e.hash & (n - 1);
                e.next = nt[i];
                nt[i] = e;
                e = next;
            }
        }
        table = nt;
    }

    /**
     * One HSCAN/SSCAN call, as Redis' scanGenericCommand drives dictScan: visits buckets until
     * {@code count} elements were seen, {@code count * 10} buckets were visited or the iteration
     * completed. Returns the next cursor, 0 when done.
     */
    long scan(long cursor, long count, Consumer<Node> visitor) {
        long[] seen = {0};
        long maxIterations = count * 10;
        do {
            long mask = table.length - 1;
            for (Node n = table[(int) (cursor & mask)]; n != null; n = n.next) {
                visitor.accept(n);
                seen[0]++;
            }
            cursor |= ~mask;
            cursor = Long.reverse(cursor);
            cursor++;
            cursor = Long.reverse(cursor);
        } while (cursor != 0 && maxIterations-- > 0 && seen[0] < count);
        return cursor;
    }

    /** A random element (a random non-empty bucket, then a random node of its chain). Precondition: not empty. */
    Node random(Random rnd) {
        while (true) {
            Node n = table[rnd.nextInt(table.length)];
            if (n != null) {
                int chain = 0;
                for (Node x = n; x != null; x = x.next) {
                    chain++;
                }
                for (int pick = rnd.nextInt(chain); pick > 0; pick--) {
                    n = n.next;
                }
                return n;
            }
        }
    }

    /**
     * {@code count} distinct random elements. Precondition: {@code count < size}. Like Redis'
     * SRANDMEMBER/HRANDFIELD: when many are wanted, shuffle a copy; otherwise pick at random
     * and drop repeats.
     */
    List<Node> randomDistinct(int count, Random rnd) {
        if ((long) count * 3 > size) {
            List<Node> all = new ArrayList<>(size);
            forEach(all::add);
            for (int i = 0; i < count; i++) {
                Collections.swap(all, i, i + rnd.nextInt(all.size() - i));
            }
            return new ArrayList<>(all.subList(0, count));
        }
        Map<Node, Boolean> picked = new IdentityHashMap<>();
        List<Node> out = new ArrayList<>(count);
        while (out.size() < count) {
            Node n = random(rnd);
            if (picked.put(n, Boolean.TRUE) == null) {
                out.add(n);
            }
        }
        return out;
    }

    void forEach(Consumer<Node> visitor) {
        for (Node head : table) {
            for (Node n = head; n != null; ) {
                Node next = n.next;
                visitor.accept(n);
                n = next;
            }
        }
    }

    ByteTable copy() {
        ByteTable t = new ByteTable();
        t.table = new Node[table.length];
        forEach(n -> t.put(n.key.clone(), n.value == null ? null : n.value.clone()));
        return t;
    }
}
