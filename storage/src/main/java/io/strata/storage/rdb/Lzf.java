package io.strata.storage.rdb;

/**
 * LZF compression as Redis' lzf_c.c / lzf_d.c (liblzf 3.6 format), used for RDB strings when
 * {@code rdbcompression yes}.
 *
 * <p>Any thread: stateless.
 */
public final class Lzf {
    private static final int HLOG = 16;
    private static final int MAX_OFF = 1 << 13;
    private static final int MAX_REF = (1 << 8) + (1 << 3);
    private static final int MAX_LIT = 1 << 5;
    /** Hash table reused per thread (the snapshot thread compresses many strings). */
    private static final ThreadLocal<int[]> TABLE = ThreadLocal.withInitial(() -> new int[1 << HLOG]);

    private Lzf() {
    }

    /**
     * Decompresses {@code in[off..off+len)} into exactly {@code outLen} bytes.
     * Returns null when the data is malformed.
     */
    public static byte[] decompress(byte[] in, int off, int len, int outLen) {
        byte[] out = new byte[outLen];
        int ip = off;
        int end = off + len;
        int op = 0;
        while (ip < end) {
            int ctrl = in[ip++] & 0xff;
            if (ctrl < 32) {
                int n = ctrl + 1;
                if (op + n > outLen || ip + n > end) {
                    return null;
                }
                System.arraycopy(in, ip, out, op, n);
                op += n;
                ip += n;
            } else {
                int n = ctrl >> 5;
                int ref = op - ((ctrl & 0x1f) << 8) - 1;
                if (n == 7) {
                    if (ip >= end) {
                        return null;
                    }
                    n += in[ip++] & 0xff;
                }
                if (ip >= end) {
                    return null;
                }
                ref -= in[ip++] & 0xff;
                n += 2;
                if (op + n > outLen || ref < 0) {
                    return null;
                }
                for (int i = 0; i < n; i++) {
                    out[op++] = out[ref++];
                }
            }
        }
        return op == outLen ? out : null;
    }

    /**
     * Compresses {@code in}; returns the compressed bytes, or null when they would not be
     * smaller than {@code maxOut} (Redis then stores the string plain).
     */
    public static byte[] compress(byte[] in, int maxOut) {
        int inLen = in.length;
        if (inLen < 4) {
            return null;
        }
        byte[] out = new byte[Math.max(maxOut, 0) + 16];
        // a table no larger than the input (capped at liblzf's 2^16): clearing it costs O(n)
        int hlog = Math.max(8, Math.min(HLOG, 32 - Integer.numberOfLeadingZeros(inLen - 1)));
        int[] htab = TABLE.get();
        java.util.Arrays.fill(htab, 0, 1 << hlog, -1);
        int ip = 0;
        int op = 0;
        int lit = 0;
        op++; // start run
        while (ip < inLen - 2) {
            int hval = ((in[ip] & 0xff) << 16) | ((in[ip + 1] & 0xff) << 8) | (in[ip + 2] & 0xff);
            int hslot = ((hval >>> (3 * 8 - hlog)) - hval * 5) & ((1 << hlog) - 1);
            int ref = htab[hslot];
            htab[hslot] = ip;
            int off;
            if (ref >= 0 && (off = ip - ref - 1) < MAX_OFF && ref > 0 - 1
                && in[ref] == in[ip] && in[ref + 1] == in[ip + 1] && in[ref + 2] == in[ip + 2]) {
                int len = 2;
                int maxlen = inLen - ip - len;
                maxlen = Math.min(maxlen, MAX_REF);
                if (op + 3 + 1 >= maxOut) {
                    return null;
                }
                out[op - lit - 1] = (byte) (lit - 1);
                op -= lit == 0 ? 1 : 0;
                do {
                    len++;
                } while (len < maxlen && in[ref + len] == in[ip + len]);
                len -= 2;
                ip++;
                if (len < 7) {
                    out[op++] = (byte) ((off >> 8) + (len << 5));
                } else {
                    out[op++] = (byte) ((off >> 8) + (7 << 5));
                    out[op++] = (byte) (len - 7);
                }
                out[op++] = (byte) off;
                lit = 0;
                op++; // start run
                ip += len + 1;
                if (ip >= inLen - 2) {
                    break;
                }
                --ip;
                --ip;
                for (int k = 0; k < 2; k++) {
                    int hv = ((in[ip] & 0xff) << 16) | ((in[ip + 1] & 0xff) << 8) | (in[ip + 2] & 0xff);
                    htab[((hv >>> (3 * 8 - hlog)) - hv * 5) & ((1 << hlog) - 1)] = ip;
                    ip++;
                }
            } else {
                if (op >= maxOut) {
                    return null;
                }
                lit++;
                out[op++] = in[ip++];
                if (lit == MAX_LIT) {
                    out[op - lit - 1] = (byte) (lit - 1);
                    lit = 0;
                    op++;
                }
            }
        }
        if (op + 3 > maxOut) {
            return null;
        }
        while (ip < inLen) {
            lit++;
            out[op++] = in[ip++];
            if (lit == MAX_LIT) {
                out[op - lit - 1] = (byte) (lit - 1);
                lit = 0;
                op++;
            }
        }
        out[op - lit - 1] = (byte) (lit - 1);
        op -= lit == 0 ? 1 : 0;
        if (op >= maxOut) {
            return null;
        }
        return java.util.Arrays.copyOf(out, op);
    }
}
