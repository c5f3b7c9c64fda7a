package io.strata.engine.types;

import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A sorted set (Redis' t_zset.c): a skiplist with spans, so rank queries are O(log n), plus a
 * member → node hash map for O(1) score lookups. Elements are ordered by score, then by member
 * bytes compared as unsigned (memcmp).
 *
 * <p>The reported encoding follows Redis 7.0: "listpack" while there are at most
 * {@code zset-max-listpack-entries} elements and no member is longer than
 * {@code zset-max-listpack-value} bytes, then "skiplist" for good (the conversion is one-way, as
 * in Redis, except for the explicit {@link #convertToListpackIfNeeded} that *STORE commands use).
 * While "listpack", scores are stored as Redis' listpack stores them (its d2string text), which
 * turns -0 into 0; the data structure is the same in both encodings.
 *
 * <p>Thread rule: keyspace thread only.
 */
public final class ZSetValue implements Value {
    private static final int MAX_LEVEL = 32;

    /** One element; {@code fwd[i]}/{@code span[i]} are the level-i forward link and its width. */
    public static final class Node {
        public final byte[] member;
        public double score;
        Node backward;
        final Node[] fwd;
        final long[] span;
        /** Hash of {@link #member} and the next node in the same bucket of the member index. */
        final int hash;
        Node chain;

        Node(int level, double score, byte[] member) {
            this.member = member;
            this.score = score;
            this.hash = member == null ? 0 : io.strata.engine.util.Bytes.hash(member, 0, member.length);
            this.fwd = new Node[level];
            this.span = new long[level];
        }

        /** The next element in ascending order, or null. */
        public Node next() {
            return fwd[0];
        }

        /** The previous element, or null. */
        public Node prev() {
            return backward;
        }
    }

    /** A score interval; {@code minex}/{@code maxex} make an end exclusive ("(" in Redis syntax). */
    public static final class ScoreRange {
        public final double min;
        public final double max;
        public final boolean minex;
        public final boolean maxex;

        public ScoreRange(double min, boolean minex, double max, boolean maxex) {
            this.min = min;
            this.max = max;
            this.minex = minex;
            this.maxex = maxex;
        }

        public boolean gteMin(double v) {
            return minex ? v > min : v >= min;
        }

        public boolean lteMax(double v) {
            return maxex ? v < max : v <= max;
        }

        public boolean contains(double v) {
            return gteMin(v) && lteMax(v);
        }

        /** Redis' zslIsInRange precondition: an empty interval matches nothing. */
        boolean isEmpty() {
            return min > max || (min == max && (minex || maxex));
        }
    }

    /** A lexicographic interval; a null bound with {@code inf} set means "-" (min) or "+" (max). */
    public static final class LexRange {
        /** Null for "-" (as min) or "+" (as max); see {@link #minInf}/{@link #maxInf}. */
        public final byte[] min;
        public final byte[] max;
        public final boolean minex;
        public final boolean maxex;
        /** +1 when min is "+", -1 when "-", 0 otherwise. */
        final int minInf;
        final int maxInf;

        public LexRange(byte[] min, boolean minex, int minInf, byte[] max, boolean maxex, int maxInf) {
            this.min = min;
            this.max = max;
            this.minex = minex;
            this.maxex = maxex;
            this.minInf = minInf;
            this.maxInf = maxInf;
        }

        /** Compares bound {@code b} (with its infinity marker) with a member, like Redis' sdscmplex. */
        private static int cmp(byte[] a, int aInf, byte[] b, int bInf) {
            if (aInf == bInf && aInf != 0) {
                return 0;
            }
            if (aInf == -1 || bInf == 1) {
                return -1;
            }
            if (aInf == 1 || bInf == -1) {
                return 1;
            }
            return Arrays.compareUnsigned(a, b);
        }

        public boolean gteMin(byte[] v) {
            int c = cmp(v, 0, min, minInf);
            return minex ? c > 0 : c >= 0;
        }

        public boolean lteMax(byte[] v) {
            int c = cmp(v, 0, max, maxInf);
            return maxex ? c < 0 : c <= 0;
        }

        public boolean contains(byte[] v) {
            return gteMin(v) && lteMax(v);
        }

        boolean isEmpty() {
            int c = cmp(min, minInf, max, maxInf);
            return c > 0 || (c == 0 && (minex || maxex));
        }
    }

    private final Node header = new Node(MAX_LEVEL, 0, null);
    private Node tail;
    private int level = 1;
    private long length;
    /**
     * Member → node index: chained buckets threaded through the nodes themselves (no entry or
     * key-wrapper objects, lookups by slice allocate nothing), resized at load 1 and 1/8.
     */
    private Node[] buckets = new Node[4];
    private boolean listpack;
    private long memberBytes;

    /** An empty set reporting {@code listpack} or {@code skiplist} as its encoding. */
    public ZSetValue(boolean listpack) {
        this.listpack = listpack;
    }

    /**
     * A new set for {@code size} elements whose longest member has {@code maxMemberLen} bytes,
     * encoded as Redis' zsetTypeCreate would choose.
     */
    public static ZSetValue create(long size, long maxMemberLen, long maxEntries, long maxValue) {
        return new ZSetValue(size <= maxEntries && maxMemberLen <= maxValue && maxEntries > 0);
    }

    @Override
    public String typeName() {
        return "zset";
    }

    @Override
    public String encoding() {
        return listpack ? "listpack" : "skiplist";
    }

    public boolean isListpack() {
        return listpack;
    }

    @Override
    public long size() {
        return length;
    }

    @Override
    public ZSetValue copy() {
        ZSetValue z = new ZSetValue(listpack);
        for (Node n = first(); n != null; n = n.next()) {
            z.insert(n.member.clone(), n.score);
        }
        return z;
    }

    @Override
    public long memoryUsage() {
        // both encodings use the skiplist + map in memory: per element the node, level arrays,
        // member array and index slot (measured); per set this object (48), the header node with
        // its 32-level arrays (464) and the bucket array's header
        return 528 + memberBytes + length * 130;
    }

    /** Switches to "skiplist" when adding one more member of {@code memberLen} bytes passes a limit. */
    public void convertIfNeeded(long newSize, long memberLen, long maxEntries, long maxValue) {
        if (listpack && (newSize > maxEntries || memberLen > maxValue)) {
            listpack = false;
        }
    }

    /** Redis' zsetConvertToListpackIfNeeded, used by the *STORE commands on their result. */
    public void convertToListpackIfNeeded(long maxMemberLen, long maxEntries, long maxValue) {
        if (!listpack && length <= maxEntries && maxMemberLen <= maxValue) {
            listpack = true;
            for (Node n = first(); n != null; n = n.next()) {
                n.score = normalize(n.score);
            }
        }
    }

    private double normalize(double score) {
        // the listpack stores d2string(score): -0 comes back as 0
        return listpack && score == 0 ? 0.0 : score;
    }

    // ---- lookups ----

    public Node node(byte[] b, int off, int len) {
        int h = io.strata.engine.util.Bytes.hash(b, off, len);
        for (Node n = buckets[h & (buckets.length - 1)]; n != null; n = n.chain) {
            if (n.hash == h && io.strata.engine.util.Bytes.equals(n.member, b, off, len)) {
                return n;
            }
        }
        return null;
    }

    public Node node(byte[] member) {
        return node(member, 0, member.length);
    }

    /** The member's score, or null when absent. */
    public Double score(byte[] member) {
        Node n = node(member);
        return n == null ? null : n.score;
    }

    public Node first() {
        return header.fwd[0];
    }

    public Node last() {
        return tail;
    }

    private static int compare(double s1, byte[] m1, double s2, byte[] m2) {
        int c = Double.compare(s1 == 0 ? 0.0 : s1, s2 == 0 ? 0.0 : s2);
        return c != 0 ? c : Arrays.compareUnsigned(m1, m2);
    }

    /** True when node {@code x} sorts strictly before (score, member). */
    private static boolean before(Node x, double score, byte[] member) {
        return x.score < score || (x.score == score && Arrays.compareUnsigned(x.member, member) < 0);
    }

    // ---- modification ----

    private static int randomLevel() {
        int lvl = 1;
        ThreadLocalRandom r = ThreadLocalRandom.current();
        while (lvl < MAX_LEVEL && (r.nextInt() & 0xFFFF) < (0xFFFF >> 2)) {
            lvl++;
        }
        return lvl;
    }

    /** Adds a member that is not present. Precondition: {@code node(member) == null}. */
    public Node insert(byte[] member, double score) {
        score = normalize(score);
        Node[] update = new Node[MAX_LEVEL];
        long[] rank = new long[MAX_LEVEL];
        Node x = header;
        for (int i = level - 1; i >= 0; i--) {
            rank[i] = i == level - 1 ? 0 : rank[i + 1];
            while (x.fwd[i] != null && before(x.fwd[i], score, member)) {
                rank[i] += x.span[i];
                x = x.fwd[i];
            }
            update[i] = x;
        }
        int lvl = randomLevel();
        if (lvl > level) {
            for (int i = level; i < lvl; i++) {
                rank[i] = 0;
                update[i] = header;
                update[i].span[i] = length;
            }
            level = lvl;
        }
        Node n = new Node(lvl, score, member);
        for (int i = 0; i < lvl; i++) {
            n.fwd[i] = update[i].fwd[i];
            update[i].fwd[i] = n;
            n.span[i] = update[i].span[i] - (rank[0] - rank[i]);
            update[i].span[i] = (rank[0] - rank[i]) + 1;
        }
        for (int i = lvl; i < level; i++) {
            update[i].span[i]++;
        }
        n.backward = update[0] == header ? null : update[0];
        if (n.fwd[0] != null) {
            n.fwd[0].backward = n;
        } else {
            tail = n;
        }
        length++;
        index(n);
        memberBytes += member.length;
        return n;
    }

    private void index(Node n) {
        if (length > buckets.length) {
            rehash(buckets.length * 2);
        }
        int i = n.hash & (buckets.length - 1);
        n.chain = buckets[i];
        buckets[i] = n;
    }

    private Node unindex(byte[] member) {
        int h = io.strata.engine.util.Bytes.hash(member, 0, member.length);
        int i = h & (buckets.length - 1);
        Node prev = null;
        for (Node n = buckets[i]; n != null; prev = n, n = n.chain) {
            if (n.hash == h && java.util.Arrays.equals(n.member, member)) {
                if (prev == null) {
                    buckets[i] = n.chain;
                } else {
                    prev.chain = n.chain;
                }
                n.chain = null;
                if (buckets.length > 4 && length - 1 < buckets.length / 8) {
                    rehash(buckets.length / 2);
                }
                return n;
            }
        }
        return null;
    }

    private void rehash(int size) {
        Node[] nb = new Node[size];
        for (Node head : buckets) {
            for (Node n = head; n != null; ) {
                Node next = n.chain;
                int i = n.hash & (size - 1);
                n.chain = nb[i];
                nb[i] = n;
                n = next;
            }
        }
        buckets = nb;
    }

    private void unlink(Node x, Node[] update) {
        for (int i = 0; i < level; i++) {
            if (update[i].fwd[i] == x) {
                update[i].span[i] += x.span[i] - 1;
                update[i].fwd[i] = x.fwd[i];
            } else {
                update[i].span[i] -= 1;
            }
        }
        if (x.fwd[0] != null) {
            x.fwd[0].backward = x.backward;
        } else {
            tail = x.backward;
        }
        while (level > 1 && header.fwd[level - 1] == null) {
            level--;
        }
        length--;
    }

    private Node[] path(double score, byte[] member) {
        Node[] update = new Node[MAX_LEVEL];
        Node x = header;
        for (int i = level - 1; i >= 0; i--) {
            while (x.fwd[i] != null && before(x.fwd[i], score, member)) {
                x = x.fwd[i];
            }
            update[i] = x;
        }
        return update;
    }

    /** Removes a member; false when absent. */
    public boolean remove(byte[] member) {
        Node n = unindex(member);
        if (n == null) {
            return false;
        }
        unlink(n, path(n.score, n.member));
        memberBytes -= n.member.length;
        return true;
    }

    /**
     * Changes a present member's score (Redis' zslUpdateScore: in place when the order holds) and
     * returns the member's node, which is a new one when it had to move.
     */
    public Node updateScore(Node n, double newScore) {
        newScore = normalize(newScore);
        if ((n.backward == null || n.backward.score < newScore)
            && (n.fwd[0] == null || n.fwd[0].score > newScore)) {
            n.score = newScore;
            return n;
        }
        remove(n.member);
        return insert(n.member, newScore);
    }

    // ---- ranks ----

    /** 0-based rank of a present node in ascending order. */
    public long rank(Node n) {
        long r = 0;
        Node x = header;
        for (int i = level - 1; i >= 0; i--) {
            while (x.fwd[i] != null && compare(x.fwd[i].score, x.fwd[i].member, n.score, n.member) <= 0) {
                r += x.span[i];
                x = x.fwd[i];
            }
            if (x == n) {
                return r - 1;
            }
        }
        return r - 1;
    }

    /** The node at 0-based ascending {@code rank}, or null when out of range. */
    public Node byRank(long rank) {
        if (rank < 0 || rank >= length) {
            return null;
        }
        long target = rank + 1;
        long traversed = 0;
        Node x = header;
        for (int i = level - 1; i >= 0; i--) {
            while (x.fwd[i] != null && traversed + x.span[i] <= target) {
                traversed += x.span[i];
                x = x.fwd[i];
            }
            if (traversed == target) {
                return x;
            }
        }
        return null;
    }

    // ---- ranges ----

    /** First node with a score in {@code r}, or null. */
    public Node firstInRange(ScoreRange r) {
        if (r.isEmpty() || tail == null || !r.gteMin(tail.score) || !r.lteMax(first().score)) {
            return null;
        }
        Node x = header;
        for (int i = level - 1; i >= 0; i--) {
            while (x.fwd[i] != null && !r.gteMin(x.fwd[i].score)) {
                x = x.fwd[i];
            }
        }
        x = x.fwd[0];
        return x != null && r.lteMax(x.score) ? x : null;
    }

    /** Last node with a score in {@code r}, or null. */
    public Node lastInRange(ScoreRange r) {
        if (r.isEmpty() || tail == null || !r.gteMin(tail.score) || !r.lteMax(first().score)) {
            return null;
        }
        Node x = header;
        for (int i = level - 1; i >= 0; i--) {
            while (x.fwd[i] != null && r.lteMax(x.fwd[i].score)) {
                x = x.fwd[i];
            }
        }
        return x != header && r.gteMin(x.score) ? x : null;
    }

    public Node firstInLex(LexRange r) {
        if (r.isEmpty() || tail == null || !r.gteMin(tail.member) || !r.lteMax(first().member)) {
            return null;
        }
        if (listpack) {
            // Redis' zzlFirstInLexRange scans a listpack from the head: with unequal scores the
            // members are not sorted, and the scan (not a descent) decides what is "first"
            for (Node n = first(); n != null; n = n.next()) {
                if (r.gteMin(n.member)) {
                    return r.lteMax(n.member) ? n : null;
                }
            }
            return null;
        }
        Node x = header;
        for (int i = level - 1; i >= 0; i--) {
            while (x.fwd[i] != null && !r.gteMin(x.fwd[i].member)) {
                x = x.fwd[i];
            }
        }
        x = x.fwd[0];
        return x != null && r.lteMax(x.member) ? x : null;
    }

    public Node lastInLex(LexRange r) {
        if (r.isEmpty() || tail == null || !r.gteMin(tail.member) || !r.lteMax(first().member)) {
            return null;
        }
        if (listpack) {
            for (Node n = tail; n != null; n = n.prev()) {
                if (r.lteMax(n.member)) {
                    return r.gteMin(n.member) ? n : null;
                }
            }
            return null;
        }
        Node x = header;
        for (int i = level - 1; i >= 0; i--) {
            while (x.fwd[i] != null && r.lteMax(x.fwd[i].member)) {
                x = x.fwd[i];
            }
        }
        return x != header && r.gteMin(x.member) ? x : null;
    }

    /** Number of elements with a score in {@code r}. */
    public long count(ScoreRange r) {
        Node f = firstInRange(r);
        if (f == null) {
            return 0;
        }
        return rank(lastInRange(r)) - rank(f) + 1;
    }

    public long count(LexRange r) {
        Node f = firstInLex(r);
        if (f == null) {
            return 0;
        }
        if (listpack) {
            long c = 0;
            for (Node n = f; n != null && r.lteMax(n.member); n = n.next()) {
                c++;
            }
            return c;
        }
        Node l = lastInLex(r);
        return l == null ? 0 : rank(l) - rank(f) + 1;
    }

    /** Removes the elements of ascending ranks {@code start..end} (inclusive, in range); returns how many. */
    public long removeRankRange(long start, long end) {
        long removed = 0;
        Node n = byRank(start);
        while (n != null && removed < end - start + 1) {
            Node next = n.next();
            remove(n.member);
            removed++;
            n = next;
        }
        return removed;
    }

    public long removeRange(ScoreRange r) {
        long removed = 0;
        Node n = firstInRange(r);
        while (n != null && r.lteMax(n.score)) {
            Node next = n.next();
            remove(n.member);
            removed++;
            n = next;
        }
        return removed;
    }

    public long removeRange(LexRange r) {
        long removed = 0;
        Node n = firstInLex(r);
        while (n != null && r.lteMax(n.member)) {
            Node next = n.next();
            remove(n.member);
            removed++;
            n = next;
        }
        return removed;
    }

    /** Longest member in bytes (for the *STORE listpack decision). */
    public long maxMemberLength() {
        long m = 0;
        for (Node n = first(); n != null; n = n.next()) {
            m = Math.max(m, n.member.length);
        }
        return m;
    }
}
