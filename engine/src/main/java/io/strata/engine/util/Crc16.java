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
        for (int s = off; s < end; s++) {
            if (b[s] == '{') {
                for (int e = s + 1; e < end; e++) {
                    if (b[e] == '}') {
                        if (e == s + 1) {
                            break; // "{}" : hash the whole key
                        }
                        return crc16(b, s + 1, e - s - 1) & (SLOTS - 1);
                    }
                }
                break;
            }
        }
        return crc16(b, off, len) & (SLOTS - 1);
    }

    public static int slot(byte[] key) {
        return slot(key, 0, key.length);
    }
}
