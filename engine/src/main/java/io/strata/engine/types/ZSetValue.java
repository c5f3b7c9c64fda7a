package io.strata.engine.types;

import io.strata.engine.util.Bytes;

import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A sorted set (Redis' t_zset.c). Elements are ordered by score, then by member bytes compared
 * as unsigned (memcmp). Two encodings, as Redis 7.0 reports them:
 * <ul>
 * <li>"listpack" — while there are at most {@code zset-max-listpack-entries} elements and no member
 * is longer than {@code zset-max-listpack-value} bytes: the elements packed in order in one
 * immutable array (replaced on every change), each as {@code len(member) member score} with a
 * LEB128 length and the score as a zigzag varint when it is an integer (else 8 bytes), so a
 * 5-member set is one 40-byte array instead of 5 skiplist nodes with their level arrays and a
 * 32-level header (1,270 bytes). Operations are linear scans, as on Redis' listpack; scores are
 * kept as its d2string text keeps them, which turns -0 into 0.</li>
 * <li>"skiplist" — a skiplist with spans, so rank queries are O(log n), plus a member → node hash
 * index for O(1) score lookups; from the first write that passes a limit on, for good (the
 * conversion is one-way, as in Redis, except for the explicit {@link #convertToListpackIfNeeded}
 * that *STORE commands use).</li>
 * </ul>
 * A key's entry keeps a listpack array with no ZSetValue around it and hands out views
 * ({@link ValueHolder}). Both encodings are read through {@link Node}s: the skiplist's own nodes, or for a listpack a node decoded
 * from the array it was found in, whose {@link Node#next()}/{@link Node#prev()} walk that same
 * array (so a walk is not disturbed by changes made during it; it just does not see them).
 *
 * <p>Thread rule: keyspace thread only.
 */
public final class ZSetValue extends PackableValue {
    private static final int MAX_LEVEL = 32;

    /** One element; {@code fwd[i]}/{@code span[i]} are the level-i forward link and its width. */
    public static sealed class Node permits Cursor {
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
            this.hash = member == null ? 0 : Bytes.hash(member, 0, member.length);
            this.fwd = new Node[level];
            this.span = new long[level];
        }

        /** An element decoded from a listpack: no links. */
        Node(byte[] member, double score) {
            this.member = member;
            this.score = score;
            this.hash = 0;
            this.fwd = null;
            this.span = null;
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

    /** The element at {@code index} of a listpack array, at byte {@code offset}. */
    private static final class Cursor extends Node {
        final byte[] lp;
        final int index;
        final int offset;
        /** Offset just after this element. */
        final int end;
        /** Offsets of every element of {@link #lp}, computed the first time a walk goes backwards. */
        int[] offsets;

        Cursor(byte[] lp, int index, int offset, int[] offsets) {
            super(lpMember(lp, offset), lpScore(lp, offset));
            this.lp = lp;
            this.index = index;
            this.offset = offset;
            this.end = lpEnd(lp, offset);
            this.offsets = offsets;
        }

        @Override
        public Node next() {
            return index + 1 < lpCount(lp) ? new Cursor(lp, index + 1, end, offsets) : null;
        }

        @Override
        public Node prev() {
            if (index == 0) {
                return null;
            }
            if (offsets == null) {
                offsets = lpOffsets(lp);
            }
            return new Cursor(lp, index - 1, offsets[index - 1], offsets);
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

    private static final byte[] EMPTY_LP = {0};

    /** An empty set reporting {@code listpack} or {@code skiplist} as its encoding. */
    public ZSetValue(boolean listpack) {
        super(listpack ? EMPTY_LP : new Skiplist());
    }

    private ZSetValue(Object rep) {
        super(rep);
    }

    /** A view of the listpack {@code owner} keeps (the layout at {@link #lpCount}). */
    ZSetValue(ValueHolder owner) {
        super(owner);
    }

    @Override
    int packedKind() {
        return ValueHolder.ZSET;
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
        return isListpack() ? "listpack" : "skiplist";
    }

    public boolean isListpack() {
        return rep() instanceof byte[];
    }

    private Skiplist sl() {
        return (Skiplist) rep();
    }

    @Override
    public long size() {
        return rep() instanceof byte[] ? lpCount((byte[]) rep()) : sl().length;
    }

    @Override
    public ZSetValue copy() {
        // a listpack array is never changed in place: the copy shares it
        return new ZSetValue(rep() instanceof byte[] ? rep() : sl().copy());
    }

    @Override
    public long memoryUsage() {
        if (rep() instanceof byte[]) {
            // the array, and this object (a header and two references) unless it is a view: an
            // entry keeps the array alone
            return (bound() ? 0 : 24) + io.strata.engine.keyspace.Memory.bytes(((byte[]) rep()).length);
        }
        // per element the node, level arrays, member array and index slot (measured); per set this
        // object (24), the Skiplist (48), the header node with its 32-level arrays (464) and the
        // bucket array's header
        return 552 + sl().memberBytes + sl().length * 130;
    }

    /** Switches to "skiplist" when adding one more member of {@code memberLen} bytes passes a limit. */
    public void convertIfNeeded(long newSize, long memberLen, long maxEntries, long maxValue) {
        if (rep() instanceof byte[] && (newSize > maxEntries || memberLen > maxValue)) {
            byte[] lp = (byte[]) rep();
            Skiplist s = new Skiplist();
            int n = lpCount(lp);
            int p = lpFirst(lp);
            for (int i = 0; i < n; i++) {
                s.insert(lpMember(lp, p), lpScore(lp, p));
                p = lpEnd(lp, p);
            }
            rep(s);
        }
    }

    /** Redis' zsetConvertToListpackIfNeeded, used by the *STORE commands on their result. */
    public void convertToListpackIfNeeded(long maxMemberLen, long maxEntries, long maxValue) {
        if (rep() instanceof Skiplist && sl().length <= maxEntries && maxMemberLen <= maxValue) {
            Skiplist s = sl();
            int bytes = varSize((int) s.length);
            for (Node n = s.first(); n != null; n = n.next()) {
                bytes += lpSize(n.member.length, normalize(n.score));
            }
            byte[] lp = new byte[bytes];
            int p = putVar(lp, 0, (int) s.length);
            for (Node n = s.first(); n != null; n = n.next()) {
                p = lpPut(lp, p, n.member, normalize(n.score));
            }
            rep(lp);
        }
    }

    /** The listpack stores d2string(score): -0 comes back as 0. */
    private static double normalize(double score) {
        return score == 0 ? 0.0 : score;
    }

    // ---- lookups ----

    public Node node(byte[] b, int off, int len) {
        if (rep() instanceof Skiplist) {
            return sl().node(b, off, len);
        }
        byte[] lp = (byte[]) rep();
        int n = lpCount(lp);
        int p = lpFirst(lp);
        for (int i = 0; i < n; i++) {
            long r = readVar(lp, p);
            int mlen = (int) r;
            int m = (int) (r >>> 32);
            if (mlen == len && Arrays.equals(lp, m, m + mlen, b, off, off + len)) {
                return new Cursor(lp, i, p, null);
            }
            p = scoreEnd(lp, m + mlen);
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
        if (rep() instanceof Skiplist) {
            return sl().first();
        }
        byte[] lp = (byte[]) rep();
        return lpCount(lp) == 0 ? null : new Cursor(lp, 0, lpFirst(lp), null);
    }

    public Node last() {
        if (rep() instanceof Skiplist) {
            return sl().tail;
        }
        byte[] lp = (byte[]) rep();
        int n = lpCount(lp);
        if (n == 0) {
            return null;
        }
        int[] offs = lpOffsets(lp);
        return new Cursor(lp, n - 1, offs[n - 1], offs);
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

    /** Adds a member that is not present. Precondition: {@code node(member) == null}. */
    public Node insert(byte[] member, double score) {
        if (rep() instanceof Skiplist) {
            return sl().insert(member, score);
        }
        score = normalize(score);
        byte[] lp = (byte[]) rep();
        int n = lpCount(lp);
        int p = lpFirst(lp);
        int i = 0;
        for (; i < n; i++) {
            long r = readVar(lp, p);
            int mlen = (int) r;
            int m = (int) (r >>> 32);
            double s = lpScoreAt(lp, m + mlen);
            if (s > score || (s == score && Arrays.compareUnsigned(lp, m, m + mlen, member, 0, member.length) > 0)) {
                break;
            }
            p = scoreEnd(lp, m + mlen);
        }
        byte[] piece = new byte[lpSize(member.length, score)];
        lpPut(piece, 0, member, score);
        byte[] out = lpSplice(lp, n + 1, p, p, piece);
        rep(out);
        return new Cursor(out, i, p + varSize(n + 1) - varSize(n), null);
    }

    /** Removes a member; false when absent. */
    public boolean remove(byte[] member) {
        if (rep() instanceof Skiplist) {
            return sl().remove(member);
        }
        Node x = node(member);
        if (x == null) {
            return false;
        }
        Cursor c = (Cursor) x;
        rep(lpSplice((byte[]) rep(), lpCount(c.lp) - 1, c.offset, c.end, null));
        return true;
    }

    /**
     * Changes a present member's score (Redis' zslUpdateScore: in place when the order holds) and
     * returns the member's node, which is a new one when it had to move (always, in a listpack).
     */
    public Node updateScore(Node n, double newScore) {
        if (rep() instanceof Skiplist) {
            return sl().updateScore(n, newScore);
        }
        remove(n.member);
        return insert(n.member, newScore);
    }

    // ---- ranks ----

    /** 0-based rank of a present node in ascending order. */
    public long rank(Node n) {
        if (n instanceof Cursor) {
            return ((Cursor) n).index;
        }
        return sl().rank(n);
    }

    /** The node at 0-based ascending {@code rank}, or null when out of range. */
    public Node byRank(long rank) {
        if (rank < 0 || rank >= size()) {
            return null;
        }
        if (rep() instanceof Skiplist) {
            return sl().byRank(rank);
        }
        byte[] lp = (byte[]) rep();
        int p = lpFirst(lp);
        for (int i = 0; i < rank; i++) {
            p = lpEnd(lp, p);
        }
        return new Cursor(lp, (int) rank, p, null);
    }

    // ---- ranges ----

    /** First node with a score in {@code r}, or null. */
    public Node firstInRange(ScoreRange r) {
        if (rep() instanceof Skiplist) {
            return sl().firstInRange(r);
        }
        if (r.isEmpty()) {
            return null;
        }
        // Redis' zzlFirstInRange: the first element not below min, if it is not above max
        for (Node n = first(); n != null; n = n.next()) {
            if (r.gteMin(n.score)) {
                return r.lteMax(n.score) ? n : null;
            }
        }
        return null;
    }

    /** Last node with a score in {@code r}, or null. */
    public Node lastInRange(ScoreRange r) {
        if (rep() instanceof Skiplist) {
            return sl().lastInRange(r);
        }
        if (r.isEmpty()) {
            return null;
        }
        for (Node n = last(); n != null; n = n.prev()) {
            if (r.lteMax(n.score)) {
                return r.gteMin(n.score) ? n : null;
            }
        }
        return null;
    }

    public Node firstInLex(LexRange r) {
        if (rep() instanceof Skiplist) {
            return sl().firstInLex(r);
        }
        if (r.isEmpty() || !inLexRange(r)) {
            return null;
        }
        // Redis' zzlFirstInLexRange scans a listpack from the head: with unequal scores the
        // members are not sorted, and the scan (not a descent) decides what is "first"
        for (Node n = first(); n != null; n = n.next()) {
            if (r.gteMin(n.member)) {
                return r.lteMax(n.member) ? n : null;
            }
        }
        return null;
    }

    public Node lastInLex(LexRange r) {
        if (rep() instanceof Skiplist) {
            return sl().lastInLex(r);
        }
        if (r.isEmpty() || !inLexRange(r)) {
            return null;
        }
        for (Node n = last(); n != null; n = n.prev()) {
            if (r.lteMax(n.member)) {
                return r.gteMin(n.member) ? n : null;
            }
        }
        return null;
    }

    /** Redis' zzlIsInLexRange: the last member is not below min and the first not above max. */
    private boolean inLexRange(LexRange r) {
        Node f = first();
        return f != null && r.gteMin(last().member) && r.lteMax(f.member);
    }

    /** Number of elements with a score in {@code r}. */
    public long count(ScoreRange r) {
        Node f = firstInRange(r);
        if (f == null) {
            return 0;
        }
        if (rep() instanceof Skiplist) {
            return sl().rank(sl().lastInRange(r)) - sl().rank(f) + 1;
        }
        long c = 0;
        for (Node n = f; n != null && r.lteMax(n.score); n = n.next()) {
            c++;
        }
        return c;
    }

    public long count(LexRange r) {
        Node f = firstInLex(r);
        if (f == null) {
            return 0;
        }
        if (rep() instanceof byte[]) {
            long c = 0;
            for (Node n = f; n != null && r.lteMax(n.member); n = n.next()) {
                c++;
            }
            return c;
        }
        Node l = sl().lastInLex(r);
        return l == null ? 0 : sl().rank(l) - sl().rank(f) + 1;
    }

    /** Removes the elements of ascending ranks {@code start..end} (inclusive, in range); returns how many. */
    public long removeRankRange(long start, long end) {
        if (rep() instanceof Skiplist) {
            return sl().removeRankRange(start, end);
        }
        Node from = byRank(start);
        if (from == null) {
            return 0;
        }
        long n = Math.min(end, size() - 1) - start + 1;
        return removeRun((Cursor) from, n);
    }

    public long removeRange(ScoreRange r) {
        if (rep() instanceof Skiplist) {
            return sl().removeRange(r);
        }
        Node f = firstInRange(r);
        long n = 0;
        for (Node x = f; x != null && r.lteMax(x.score); x = x.next()) {
            n++;
        }
        return f == null ? 0 : removeRun((Cursor) f, n);
    }

    public long removeRange(LexRange r) {
        if (rep() instanceof Skiplist) {
            return sl().removeRange(r);
        }
        Node f = firstInLex(r);
        long n = 0;
        for (Node x = f; x != null && r.lteMax(x.member); x = x.next()) {
            n++;
        }
        return f == null ? 0 : removeRun((Cursor) f, n);
    }

    /** Removes {@code n >= 1} consecutive elements of the listpack from {@code from} on; returns n. */
    private long removeRun(Cursor from, long n) {
        byte[] lp = from.lp;
        int to = from.offset;
        for (long i = 0; i < n; i++) {
            to = lpEnd(lp, to);
        }
        rep(lpSplice(lp, lpCount(lp) - (int) n, from.offset, to, null));
        return n;
    }

    /** Longest member in bytes (for the *STORE listpack decision). */
    public long maxMemberLength() {
        long m = 0;
        for (Node n = first(); n != null; n = n.next()) {
            m = Math.max(m, n.member.length);
        }
        return m;
    }

    // ---- the listpack array ----
    //
    //   count  { len  member  score }*
    //
    // count and len are LEB128 varints. A score is either a varint of (zigzag(v) << 1) for an
    // integer v with |v| <= 2^53 (bit 0 clear), or the byte 0x01 and the 8 bytes of the double,
    // little-endian.

    /** Largest integer score stored as a varint: every integer up to it is exact in a double. */
    private static final long EXACT = 1L << 53;

    /** A varint at {@code pos}: the value (low 32 bits) and the position after it (high 32 bits). */
    private static long readVar(byte[] b, int pos) {
        int v = 0;
        int shift = 0;
        while (true) {
            int x = b[pos++];
            v |= (x & 0x7f) << shift;
            if (x >= 0) {
                return (long) pos << 32 | (v & 0xFFFFFFFFL);
            }
            shift += 7;
        }
    }

    private static int varSize(long v) {
        int n = 1;
        while ((v >>>= 7) != 0) {
            n++;
        }
        return n;
    }

    private static int putVar(byte[] b, int pos, long v) {
        while ((v & ~0x7FL) != 0) {
            b[pos++] = (byte) (v | 0x80);
            v >>>= 7;
        }
        b[pos++] = (byte) v;
        return pos;
    }

    static int lpCount(byte[] lp) {
        return (int) readVar(lp, 0);
    }

    /** Offset of the first element. */
    private static int lpFirst(byte[] lp) {
        return (int) (readVar(lp, 0) >>> 32);
    }

    private static boolean isIntScore(double s) {
        return s == Math.rint(s) && Math.abs(s) <= EXACT;
    }

    private static long zigzag(long v) {
        return (v << 1) ^ (v >> 63);
    }

    private static int scoreSize(double s) {
        return isIntScore(s) ? varSize(zigzag((long) s) << 1) : 9;
    }

    private static int lpSize(int memberLen, double score) {
        return varSize(memberLen) + memberLen + scoreSize(score);
    }

    private static int lpPut(byte[] b, int pos, byte[] member, double score) {
        pos = putVar(b, pos, member.length);
        System.arraycopy(member, 0, b, pos, member.length);
        pos += member.length;
        if (isIntScore(score)) {
            return putVar(b, pos, zigzag((long) score) << 1);
        }
        b[pos++] = 1;
        long bits = Double.doubleToRawLongBits(score);
        for (int k = 0; k < 8; k++) {
            b[pos++] = (byte) (bits >>> (8 * k));
        }
        return pos;
    }

    /** The score stored at {@code pos}. */
    private static double lpScoreAt(byte[] b, int pos) {
        if ((b[pos] & 1) != 0) {
            long bits = 0;
            for (int k = 8; k >= 1; k--) {
                bits = bits << 8 | (b[pos + k] & 0xFF);
            }
            return Double.longBitsToDouble(bits);
        }
        long u = 0;
        int shift = 0;
        while (true) {
            int x = b[pos++];
            u |= (long) (x & 0x7f) << shift;
            if (x >= 0) {
                break;
            }
            shift += 7;
        }
        u >>>= 1;
        return (double) ((u >>> 1) ^ -(u & 1));
    }

    /** The position after the score stored at {@code pos}. */
    private static int scoreEnd(byte[] b, int pos) {
        if ((b[pos] & 1) != 0) {
            return pos + 9;
        }
        while (b[pos++] < 0) {
            // continuation bytes
        }
        return pos;
    }

    private static byte[] lpMember(byte[] lp, int p) {
        long r = readVar(lp, p);
        int m = (int) (r >>> 32);
        return Arrays.copyOfRange(lp, m, m + (int) r);
    }

    private static double lpScore(byte[] lp, int p) {
        long r = readVar(lp, p);
        return lpScoreAt(lp, (int) (r >>> 32) + (int) r);
    }

    /** The offset just after the element at {@code p}. */
    private static int lpEnd(byte[] lp, int p) {
        long r = readVar(lp, p);
        return scoreEnd(lp, (int) (r >>> 32) + (int) r);
    }

    private static int[] lpOffsets(byte[] lp) {
        int n = lpCount(lp);
        int[] out = new int[n];
        int p = lpFirst(lp);
        for (int i = 0; i < n; i++) {
            out[i] = p;
            p = lpEnd(lp, p);
        }
        return out;
    }

    /** A new array: count {@code count}, {@code lp}'s elements with bytes {@code [from, to)} replaced by {@code piece}. */
    private static byte[] lpSplice(byte[] lp, int count, int from, int to, byte[] piece) {
        if (count == 0) {
            return EMPTY_LP;
        }
        int first = lpFirst(lp);
        int plen = piece == null ? 0 : piece.length;
        int head = varSize(count);
        byte[] out = new byte[head + (from - first) + plen + (lp.length - to)];
        putVar(out, 0, count);
        System.arraycopy(lp, first, out, head, from - first);
        if (plen > 0) {
            System.arraycopy(piece, 0, out, head + from - first, plen);
        }
        System.arraycopy(lp, to, out, head + from - first + plen, lp.length - to);
        return out;
    }

    // ---- the skiplist encoding ----

    /** The "skiplist" encoding: Redis' zskiplist plus a member index threaded through the nodes. */
    private static final class Skiplist {
        final Node header = new Node(MAX_LEVEL, 0, null);
        Node tail;
        int level = 1;
        long length;
        /**
         * Member → node index: chained buckets threaded through the nodes themselves (no entry or
         * key-wrapper objects, lookups by slice allocate nothing), resized at load 1 and 1/8.
         */
        Node[] buckets = new Node[4];
        long memberBytes;

        Skiplist copy() {
            Skiplist s = new Skiplist();
            for (Node n = first(); n != null; n = n.next()) {
                s.insert(n.member.clone(), n.score);
            }
            return s;
        }

        Node first() {
            return header.fwd[0];
        }

        Node node(byte[] b, int off, int len) {
            int h = Bytes.hash(b, off, len);
            for (Node n = buckets[h & (buckets.length - 1)]; n != null; n = n.chain) {
                if (n.hash == h && Bytes.equals(n.member, b, off, len)) {
                    return n;
                }
            }
            return null;
        }

        private static int randomLevel() {
            int lvl = 1;
            ThreadLocalRandom r = ThreadLocalRandom.current();
            while (lvl < MAX_LEVEL && (r.nextInt() & 0xFFFF) < (0xFFFF >> 2)) {
                lvl++;
            }
            return lvl;
        }

        Node insert(byte[] member, double score) {
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
            int h = Bytes.hash(member, 0, member.length);
            int i = h & (buckets.length - 1);
            Node prev = null;
            for (Node n = buckets[i]; n != null; prev = n, n = n.chain) {
                if (n.hash == h && Arrays.equals(n.member, member)) {
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

        boolean remove(byte[] member) {
            Node n = unindex(member);
            if (n == null) {
                return false;
            }
            unlink(n, path(n.score, n.member));
            memberBytes -= n.member.length;
            return true;
        }

        Node updateScore(Node n, double newScore) {
            if ((n.backward == null || n.backward.score < newScore)
                && (n.fwd[0] == null || n.fwd[0].score > newScore)) {
                n.score = newScore;
                return n;
            }
            remove(n.member);
            return insert(n.member, newScore);
        }

        long rank(Node n) {
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

        Node byRank(long rank) {
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

        Node firstInRange(ScoreRange r) {
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

        Node lastInRange(ScoreRange r) {
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

        Node firstInLex(LexRange r) {
            if (r.isEmpty() || tail == null || !r.gteMin(tail.member) || !r.lteMax(first().member)) {
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

        Node lastInLex(LexRange r) {
            if (r.isEmpty() || tail == null || !r.gteMin(tail.member) || !r.lteMax(first().member)) {
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

        long removeRankRange(long start, long end) {
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

        long removeRange(ScoreRange r) {
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

        long removeRange(LexRange r) {
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
    }
}
