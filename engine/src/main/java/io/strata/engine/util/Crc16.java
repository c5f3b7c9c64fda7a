package io.strata.engine.util;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * CRC16-CCITT (XMODEM) as Redis Cluster uses it to map keys to hash slots.
 *
 * <p>Any thread: stateless.
 */
public final class Crc16 {
    /** Number of hash slots; a key's slot is {@code crc16(tagged part) & (SLOTS - 1)}. */
    public static final int SLOTS = 16384;

    private static final int[] TABLE = new int[256];
    /**
     * Slicing-by-4: {@code T1..T3} are {@code TABLE} followed by one, two, three zero bytes, so
     * four input bytes cost four independent lookups instead of a chain of four.
     */
    private static final int[] T1 = new int[256];
    private static final int[] T2 = new int[256];
    private static final int[] T3 = new int[256];
    private static final VarHandle INT_BE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

    static {
        for (int i = 0; i < 256; i++) {
            int crc = i << 8;
            for (int j = 0; j < 8; j++) {
                crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
            }
            TABLE[i] = crc & 0xffff;
        }
        for (int i = 0; i < 256; i++) {
            T1[i] = ((TABLE[i] << 8) ^ TABLE[TABLE[i] >>> 8]) & 0xffff;
            T2[i] = ((T1[i] << 8) ^ TABLE[T1[i] >>> 8]) & 0xffff;
            T3[i] = ((T2[i] << 8) ^ TABLE[T2[i] >>> 8]) & 0xffff;
        }
    }

    private Crc16() {
    }

    public static int crc16(byte[] b, int off, int len) {
        // bits above 16 are garbage until the final mask: the index only reads bits 8..15
        int crc = 0;
        int i = off;
        int end = off + len;
        for (; i + 4 <= end; i += 4) {
            int x = (int) INT_BE.get(b, i) ^ (crc << 16);
            crc = T3[x >>> 24] ^ T2[(x >>> 16) & 0xff] ^ T1[(x >>> 8) & 0xff] ^ TABLE[x & 0xff];
        }
        for (; i < end; i++) {
            crc = (crc << 8) ^ TABLE[((crc >>> 8) ^ b[i]) & 0xff];
        }
        return crc & 0xffff;
    }

    /** Cluster slot of a key, honouring a non-empty {@code {hash tag}} as Redis does. */
    public static int slot(byte[] b, int off, int len) {
        int end = off + len;
        int s = indexOfBrace(b, off, end);
        if (s >= 0) {
            for (int e = s + 1; e < end; e++) {
                if (b[e] == '}') {
                    if (e > s + 1) {
                        return crc16(b, s + 1, e - s - 1) & (SLOTS - 1);
                    }
                    break; // "{}" : hash the whole key
                }
            }
        }
        return crc16(b, off, len) & (SLOTS - 1);
    }

    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long BRACES = 0x7B7B_7B7B_7B7B_7B7BL;
    private static final long LOW_BITS = 0x0101_0101_0101_0101L;
    private static final long HIGH_BITS = 0x8080_8080_8080_8080L;

    /**
     * The first '{' in [off, end), or -1: eight bytes per step (a byte at a time, this scan was
     * most of {@link #slot}'s cost, and the keyspace finds every key's segment by its slot).
     */
    static int indexOfBrace(byte[] b, int off, int end) {
        int i = off;
        for (; i + 8 <= end; i += 8) {
            long x = (long) LONG_LE.get(b, i) ^ BRACES;
            long found = (x - LOW_BITS) & ~x & HIGH_BITS; // a high bit for each zero byte (the lowest is exact)
            if (found != 0) {
                return i + (Long.numberOfTrailingZeros(found) >>> 3);
            }
        }
        for (; i < end; i++) {
            if (b[i] == '{') {
                return i;
            }
        }
        return -1;
    }

    public static int slot(byte[] key) {
        return slot(key, 0, key.length);
    }
}
