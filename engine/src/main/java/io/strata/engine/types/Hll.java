package io.strata.engine.types;

import java.util.Arrays;

/**
 * A HyperLogLog held in a plain string value, byte for byte the representation Redis 7.0 uses
 * (hyperloglog.c), so a value written by PFADD here is the value redis-server writes for the
 * same elements, and RDB/AOF/DUMP payloads move between the two unchanged.
 *
 * <p>Thread rule: stateless static helpers may be called from any thread; an {@code Hll}
 * editor instance belongs to the thread that made it (the keyspace thread for commands).
 *
 * <pre>
 * Header (16 bytes), then the registers in one of two encodings:
 *
 *   0      4   5        8                     16
 *   +------+---+--------+---------------------+-----------------------//
 *   | HYLL | E | unused | cached cardinality  | registers (dense or sparse)
 *   +------+---+--------+---------------------+-----------------------//
 *   E: 0 = dense, 1 = sparse. unused: 3 zero bytes.
 *   cached cardinality: 64-bit little endian; the top bit of its last byte (offset 15) set
 *   means "stale, recompute".
 *
 * Dense: 16384 registers of 6 bits, packed from the least significant bit of each byte up,
 * spilling into the next byte (12288 bytes):
 *
 *   +--------+--------+--------+------//
 *   |11000000|22221111|33333322|55444444
 *   +--------+--------+--------+------//
 *
 * Sparse: run-length opcodes covering all 16384 registers in order:
 *   ZERO   00xxxxxx           xxxxxx+1 registers (1..64) are 0
 *   XZERO  01xxxxxx yyyyyyyy  (xxxxxx&lt;&lt;8 | yyyyyyyy)+1 registers (1..16384) are 0
 *   VAL    1vvvvvxx           xx+1 registers (1..4) hold vvvvv+1 (1..32)
 * A register above 32, or a sparse string longer than hll-sparse-max-bytes, promotes the
 * value to dense; it never goes back.
 * </pre>
 *
 * These codes are Redis' on-disk format: never renumber them.
 */
public final class Hll {
    /** Register index bits. */
    public static final int P = 14;
    /** Hash bits left for the run of zeroes. */
    public static final int Q = 64 - P;
    public static final int REGISTERS = 1 << P;
    public static final int BITS = 6;
    public static final int REGISTER_MAX = (1 << BITS) - 1;
    public static final int HDR_SIZE = 16;
    public static final int DENSE_SIZE = HDR_SIZE + (REGISTERS * BITS + 7) / 8;
    /** Offset of the encoding byte. */
    public static final int ENCODING_OFFSET = 4;
    /** Offset of the cached cardinality (8 bytes, little endian). */
    public static final int CARD_OFFSET = 8;
    public static final int DENSE = 0;
    public static final int SPARSE = 1;
    public static final int SPARSE_VAL_MAX_VALUE = 32;
    public static final int SPARSE_VAL_MAX_LEN = 4;
    public static final int SPARSE_ZERO_MAX_LEN = 64;
    public static final int SPARSE_XZERO_MAX_LEN = 16384;
    /** Seed of MurmurHash64A for elements, as Redis. */
    public static final long HASH_SEED = 0xadc83b19L;
    private static final double ALPHA_INF = 0.721347520444481703680; // 0.5/ln(2)

    // ---- the editor: one value being changed by PFADD / PFMERGE ----

    /** The value being edited: dense values are edited in place, sparse ones in a copy. */
    private byte[] buf;
    /** Used length of {@link #buf} (a sparse copy keeps spare room at the end). */
    private int len;
    private final long sparseMaxBytes;

    /**
     * Starts editing {@code value}, which must pass {@link #isValid}. A dense value is changed
     * in place; a sparse one is copied, so the caller stores {@link #value()} when it is done.
     */
    public Hll(byte[] value, long sparseMaxBytes) {
        this.sparseMaxBytes = sparseMaxBytes;
        this.len = value.length;
        this.buf = value[ENCODING_OFFSET] == DENSE ? value : Arrays.copyOf(value, value.length + 16);
    }

    /** The edited value as an exact-length string (the original array for dense values). */
    public byte[] value() {
        return len == buf.length ? buf : Arrays.copyOf(buf, len);
    }

    public boolean isDense() {
        return buf[ENCODING_OFFSET] == DENSE;
    }

    /** Adds an element: 1 if a register changed, 0 if not, -1 if the sparse data is corrupt. */
    public int add(byte[] b, int off, int n) {
        long h = murmurHash64A(b, off, n, HASH_SEED);
        return set((int) (h & (REGISTERS - 1)), patternLength(h));
    }

    /**
     * Raises register {@code index} to {@code count} if it is lower: 1 if it changed (and the
     * cached cardinality is marked stale), 0 if not, -1 if the sparse data is corrupt.
     */
    public int set(int index, int count) {
        int r = isDense() ? denseSet(buf, HDR_SIZE, index, count) : sparseSet(index, count);
        if (r == 1) {
            invalidateCache(buf);
        }
        return r;
    }

    /** Converts the edited value to dense; false if its sparse data is corrupt. */
    public boolean promote() {
        if (isDense()) {
            return true;
        }
        byte[] dense = toDense(buf, len);
        if (dense == null) {
            return false;
        }
        buf = dense;
        len = dense.length;
        return true;
    }

    /** The sparse update of Redis' hllSparseSet, opcode for opcode, so the bytes match. */
    private int sparseSet(int index, int count) {
        if (count > SPARSE_VAL_MAX_VALUE) {
            return promoteAndSet(index, count);
        }
        if (buf.length < len + 3) {
            buf = Arrays.copyOf(buf, Math.max(len + 3, buf.length * 2));
        }
        // step 1: find the opcode covering the register
        int p = HDR_SIZE;
        int end = len;
        int first = 0;
        int prev = -1;
        int span = 0;
        while (p < end) {
            int oplen = 1;
            if (isZero(buf[p])) {
                span = zeroLen(buf[p]);
            } else if (isVal(buf[p])) {
                span = valLen(buf[p]);
            } else {
                span = xzeroLen(buf[p], buf[p + 1 < end ? p + 1 : p]);
                oplen = 2;
            }
            if (index <= first + span - 1) {
                break;
            }
            prev = p;
            p += oplen;
            first += span;
        }
        if (span == 0 || p >= end) {
            return -1;
        }
        int next = isXzero(buf[p]) ? p + 2 : p + 1;
        if (next >= end) {
            next = -1;
        }
        boolean zero = isZero(buf[p]);
        boolean xzero = isXzero(buf[p]);
        boolean val = isVal(buf[p]);
        int runlen = zero ? zeroLen(buf[p]) : xzero ? xzeroLen(buf[p], buf[p + 1]) : valLen(buf[p]);

        boolean trivial = false;
        if (val) {
            if (valValue(buf[p]) >= count) {
                return 0; // A: already as high
            }
            if (runlen == 1) {
                buf[p] = valOp(count, 1); // B: a VAL of one register
                trivial = true;
            }
        }
        if (!trivial && zero && runlen == 1) {
            buf[p] = valOp(count, 1); // C: a ZERO of one register
            trivial = true;
        }
        if (!trivial) {
            // D: split the opcode into up to three (XZERO-VAL-XZERO is the 5-byte worst case)
            byte[] seq = new byte[5];
            int n = 0;
            int last = first + span - 1;
            if (zero || xzero) {
                if (index != first) {
                    n = putZeros(seq, n, index - first);
                }
                seq[n++] = valOp(count, 1);
                if (index != last) {
                    n = putZeros(seq, n, last - index);
                }
            } else {
                int cur = valValue(buf[p]);
                if (index != first) {
                    seq[n++] = valOp(cur, index - first);
                }
                seq[n++] = valOp(count, 1);
                if (index != last) {
                    seq[n++] = valOp(cur, last - index);
                }
            }
            // step 3: put the new sequence in place of the old opcode
            int oldlen = xzero ? 2 : 1;
            int delta = n - oldlen;
            if (delta > 0 && len + delta > sparseMaxBytes) {
                return promoteAndSet(index, count);
            }
            if (delta != 0 && next >= 0) {
                System.arraycopy(buf, next, buf, next + delta, end - next);
            }
            len += delta;
            System.arraycopy(seq, 0, buf, p, n);
            end += delta;
        }
        // step 4: merge adjacent VALs of equal value, scanning at most 5 opcodes from prev
        p = prev >= 0 ? prev : HDR_SIZE;
        int scan = 5;
        while (p < end && scan-- > 0) {
            if (isXzero(buf[p])) {
                p += 2;
                continue;
            } else if (isZero(buf[p])) {
                p++;
                continue;
            }
            if (p + 1 < end && isVal(buf[p + 1])) {
                int v1 = valValue(buf[p]);
                int v2 = valValue(buf[p + 1]);
                if (v1 == v2) {
                    int merged = valLen(buf[p]) + valLen(buf[p + 1]);
                    if (merged <= SPARSE_VAL_MAX_LEN) {
                        buf[p + 1] = valOp(v1, merged);
                        System.arraycopy(buf, p + 1, buf, p, end - p - 1);
                        len--;
                        end--;
                        continue; // try to merge the result with the next one too
                    }
                }
            }
            p++;
        }
        return 1;
    }

    private int promoteAndSet(int index, int count) {
        if (!promote()) {
            return -1;
        }
        int r = denseSet(buf, HDR_SIZE, index, count);
        assert r == 1 : "promotion without a register change, index=" + index;
        return r;
    }

    private static int putZeros(byte[] seq, int n, int zeros) {
        if (zeros > SPARSE_ZERO_MAX_LEN) {
            seq[n] = (byte) (((zeros - 1) >> 8) | 0x40);
            seq[n + 1] = (byte) ((zeros - 1) & 0xff);
            return n + 2;
        }
        seq[n] = (byte) (zeros - 1);
        return n + 1;
    }

    // ---- opcodes ----

    private static boolean isZero(byte b) {
        return (b & 0xc0) == 0;
    }

    private static boolean isXzero(byte b) {
        return (b & 0xc0) == 0x40;
    }

    private static boolean isVal(byte b) {
        return (b & 0x80) != 0;
    }

    private static int zeroLen(byte b) {
        return (b & 0x3f) + 1;
    }

    private static int xzeroLen(byte b0, byte b1) {
        return (((b0 & 0x3f) << 8) | (b1 & 0xff)) + 1;
    }

    private static int valValue(byte b) {
        return ((b >> 2) & 0x1f) + 1;
    }

    private static int valLen(byte b) {
        return (b & 0x3) + 1;
    }

    private static byte valOp(int value, int runlen) {
        return (byte) (((value - 1) << 2 | (runlen - 1)) | 0x80);
    }

    // ---- values ----

    /** A new empty HyperLogLog, sparse, as PFADD creates it: one XZERO covering all registers. */
    public static byte[] create() {
        byte[] v = new byte[HDR_SIZE + 2];
        v[0] = 'H';
        v[1] = 'Y';
        v[2] = 'L';
        v[3] = 'L';
        v[ENCODING_OFFSET] = SPARSE;
        v[HDR_SIZE] = (byte) (((REGISTERS - 1) >> 8) | 0x40);
        v[HDR_SIZE + 1] = (byte) ((REGISTERS - 1) & 0xff);
        return v;
    }

    /** Redis' isHLLObjectOrReply test: magic, known encoding, exact dense size. */
    public static boolean isValid(byte[] v) {
        if (v.length < HDR_SIZE || v[0] != 'H' || v[1] != 'Y' || v[2] != 'L' || v[3] != 'L') {
            return false;
        }
        int enc = v[ENCODING_OFFSET] & 0xff;
        if (enc > SPARSE) {
            return false;
        }
        return enc != DENSE || v.length == DENSE_SIZE;
    }

    public static boolean isDense(byte[] v) {
        return v[ENCODING_OFFSET] == DENSE;
    }

    public static boolean cacheValid(byte[] v) {
        return (v[CARD_OFFSET + 7] & 0x80) == 0;
    }

    public static long cachedCardinality(byte[] v) {
        long card = 0;
        for (int i = 7; i >= 0; i--) {
            card = (card << 8) | (v[CARD_OFFSET + i] & 0xff);
        }
        return card;
    }

    public static void setCachedCardinality(byte[] v, long card) {
        for (int i = 0; i < 8; i++) {
            v[CARD_OFFSET + i] = (byte) (card >>> (8 * i));
        }
    }

    public static void invalidateCache(byte[] v) {
        v[CARD_OFFSET + 7] |= (byte) 0x80;
    }

    /**
     * The dense form of a sparse value (header copied, encoding changed), or null when the
     * sparse data is corrupt. A dense value is returned as is.
     */
    public static byte[] toDense(byte[] v) {
        return toDense(v, v.length);
    }

    private static byte[] toDense(byte[] v, int vlen) {
        if (v[ENCODING_OFFSET] == DENSE) {
            return v;
        }
        byte[] d = new byte[DENSE_SIZE];
        System.arraycopy(v, 0, d, 0, HDR_SIZE);
        d[ENCODING_OFFSET] = DENSE;
        int idx = 0;
        int p = HDR_SIZE;
        while (p < vlen) {
            byte b = v[p];
            if (isZero(b)) {
                int run = zeroLen(b);
                if (idx + run > REGISTERS) {
                    return null;
                }
                idx += run;
                p++;
            } else if (isXzero(b)) {
                if (p + 1 >= vlen) {
                    return null;
                }
                int run = xzeroLen(b, v[p + 1]);
                if (idx + run > REGISTERS) {
                    return null;
                }
                idx += run;
                p += 2;
            } else {
                int run = valLen(b);
                int val = valValue(b);
                if (idx + run > REGISTERS) {
                    return null;
                }
                for (int i = 0; i < run; i++) {
                    denseWrite(d, HDR_SIZE, idx++, val);
                }
                p++;
            }
        }
        return idx == REGISTERS ? d : null;
    }

    // ---- dense registers ----

    /** Register {@code reg} of dense registers starting at {@code base}. */
    public static int denseGet(byte[] v, int base, int reg) {
        int bit = reg * BITS;
        int i = base + (bit >> 3);
        int fb = bit & 7;
        int b0 = v[i] & 0xff;
        // registers starting at bit 0 or 2 of a byte fit in it; only the others spill over
        int b1 = fb > 2 ? v[i + 1] & 0xff : 0;
        return ((b0 >> fb) | (b1 << (8 - fb))) & REGISTER_MAX;
    }

    private static void denseWrite(byte[] v, int base, int reg, int val) {
        int bit = reg * BITS;
        int i = base + (bit >> 3);
        int fb = bit & 7;
        v[i] = (byte) ((v[i] & ~(REGISTER_MAX << fb)) | (val << fb));
        if (fb > 2) {
            v[i + 1] = (byte) ((v[i + 1] & ~(REGISTER_MAX >> (8 - fb))) | (val >> (8 - fb)));
        }
    }

    private static int denseSet(byte[] v, int base, int reg, int count) {
        if (count > denseGet(v, base, reg)) {
            denseWrite(v, base, reg, count);
            return 1;
        }
        return 0;
    }

    // ---- hashing ----

    /** MurmurHash2, 64-bit version, as Redis uses it (endian-neutral: little-endian reads). */
    public static long murmurHash64A(byte[] key, int off, int len, long seed) {
        final long m = 0xc6a4a7935bd1e995L;
        final int r = 47;
        long h = (seed & 0xffffffffL) ^ ((long) len * m);
        int end = off + (len - (len & 7));
        int i = off;
        for (; i != end; i += 8) {
            long k = (key[i] & 0xffL)
                | (key[i + 1] & 0xffL) << 8
                | (key[i + 2] & 0xffL) << 16
                | (key[i + 3] & 0xffL) << 24
                | (key[i + 4] & 0xffL) << 32
                | (key[i + 5] & 0xffL) << 40
                | (key[i + 6] & 0xffL) << 48
                | (key[i + 7] & 0xffL) << 56;
            k *= m;
            k ^= k >>> r;
            k *= m;
            h ^= k;
            h *= m;
        }
        int rest = len & 7;
        if (rest > 0) {
            for (int j = rest - 1; j >= 0; j--) {
                h ^= (key[i + j] & 0xffL) << (8 * j);
            }
            h *= m;
        }
        h ^= h >>> r;
        h *= m;
        h ^= h >>> r;
        return h;
    }

    /** Length of the 00..1 run after the index bits (1..Q+1), as Redis' hllPatLen. */
    static int patternLength(long hash) {
        long h = (hash >>> P) | (1L << Q);
        return Long.numberOfTrailingZeros(h) + 1;
    }

    // ---- counting and merging ----

    /**
     * The estimated cardinality of a valid value (not the cache), or -1 when its sparse data is
     * corrupt.
     */
    public static long count(byte[] v) {
        int[] histo = new int[64];
        if (isDense(v)) {
            for (int j = 0; j < REGISTERS; j++) {
                histo[denseGet(v, HDR_SIZE, j)]++;
            }
        } else if (!sparseHistogram(v, histo)) {
            return -1;
        }
        return estimate(histo);
    }

    /** The estimated cardinality of raw registers, one byte each (multi-key PFCOUNT). */
    public static long countRaw(byte[] registers) {
        int[] histo = new int[64];
        for (int j = 0; j < REGISTERS; j++) {
            histo[registers[j]]++;
        }
        return estimate(histo);
    }

    private static boolean sparseHistogram(byte[] v, int[] histo) {
        int idx = 0;
        int p = HDR_SIZE;
        while (p < v.length) {
            byte b = v[p];
            int run;
            if (isZero(b)) {
                run = zeroLen(b);
                histo[0] += run;
                p++;
            } else if (isXzero(b)) {
                if (p + 1 >= v.length) {
                    return false;
                }
                run = xzeroLen(b, v[p + 1]);
                histo[0] += run;
                p += 2;
            } else {
                run = valLen(b);
                histo[valValue(b)] += run;
                p++;
            }
            idx += run;
            if (idx > REGISTERS) {
                return false;
            }
        }
        return idx == REGISTERS;
    }

    /**
     * Ertl's improved estimator ("New cardinality estimation algorithms for HyperLogLog
     * sketches", arXiv:1702.01284), the one Redis has used since 5.0, operation for operation so
     * the rounding matches.
     */
    private static long estimate(int[] histo) {
        double m = REGISTERS;
        double z = m * tau((m - histo[Q + 1]) / m);
        for (int j = Q; j >= 1; --j) {
            z += histo[j];
            z *= 0.5;
        }
        z += m * sigma(histo[0] / m);
        return roundHalfAway(ALPHA_INF * m * m / z);
    }

    private static double sigma(double x) {
        if (x == 1.0) {
            return Double.POSITIVE_INFINITY;
        }
        double zPrime;
        double y = 1;
        double z = x;
        do {
            x *= x;
            zPrime = z;
            z += x * y;
            y += y;
        } while (zPrime != z);
        return z;
    }

    private static double tau(double x) {
        if (x == 0.0 || x == 1.0) {
            return 0.0;
        }
        double zPrime;
        double y = 1.0;
        double z = 1 - x;
        do {
            x = Math.sqrt(x);
            zPrime = z;
            y *= 0.5;
            double d = 1 - x;
            z -= d * d * y; // pow(d, 2) is exactly rounded d*d
        } while (zPrime != z);
        return z / 3;
    }

    /** C's llround for the non-negative values the estimator yields. */
    private static long roundHalfAway(double x) {
        if (Double.isInfinite(x) || Double.isNaN(x)) {
            return 0;
        }
        double f = Math.floor(x);
        return (long) f + (x - f >= 0.5 ? 1 : 0);
    }

    /**
     * Raises {@code max[i]} (one byte per register) to the registers of {@code v}; false when
     * its sparse data is corrupt.
     */
    public static boolean merge(byte[] max, byte[] v) {
        if (isDense(v)) {
            for (int i = 0; i < REGISTERS; i++) {
                int val = denseGet(v, HDR_SIZE, i);
                if (val > max[i]) {
                    max[i] = (byte) val;
                }
            }
            return true;
        }
        int i = 0;
        int p = HDR_SIZE;
        while (p < v.length) {
            byte b = v[p];
            if (isZero(b)) {
                int run = zeroLen(b);
                if (i + run > REGISTERS) {
                    return false;
                }
                i += run;
                p++;
            } else if (isXzero(b)) {
                if (p + 1 >= v.length) {
                    return false;
                }
                int run = xzeroLen(b, v[p + 1]);
                if (i + run > REGISTERS) {
                    return false;
                }
                i += run;
                p += 2;
            } else {
                int run = valLen(b);
                int val = valValue(b);
                if (i + run > REGISTERS) {
                    return false;
                }
                for (int k = 0; k < run; k++, i++) {
                    if (val > max[i]) {
                        max[i] = (byte) val;
                    }
                }
                p++;
            }
        }
        return i == REGISTERS;
    }

    /** PFDEBUG DECODE text of a sparse value ("Z:16384", "z:3 v:2,1 …"); null if corrupt at the end. */
    public static String decodeSparse(byte[] v) {
        StringBuilder sb = new StringBuilder();
        int p = HDR_SIZE;
        while (p < v.length) {
            byte b = v[p];
            if (isZero(b)) {
                sb.append("z:").append(zeroLen(b)).append(' ');
                p++;
            } else if (isXzero(b)) {
                int b1 = p + 1 < v.length ? v[p + 1] : 0;
                sb.append("Z:").append(xzeroLen(b, (byte) b1)).append(' ');
                p += 2;
            } else {
                sb.append("v:").append(valValue(b)).append(',').append(valLen(b)).append(' ');
                p++;
            }
        }
        return sb.toString().trim();
    }
}
