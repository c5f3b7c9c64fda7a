package io.strata.engine.util;

/**
 * CRC16-CCITT (XMODEM) as Redis Cluster uses it to map keys to hash slots.
 *
 * <p>Any thread: stateless.
 */
public final class Crc16 {
    /** Number of hash slots; a key's slot is {@code crc16(tagged part) & (SLOTS - 1)}. */
    public static final int SLOTS = 16384;

    private static final int[] TABLE = new int[256];

    static {
        for (int i = 0; i < 256; i++) {
            int crc = i << 8;
            for (int j = 0; j < 8; j++) {
                crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
            }
            TABLE[i] = crc & 0xffff;
        }
    }

    private Crc16() {
    }

    public static int crc16(byte[] b, int off, int len) {
        // bits above 16 are garbage until the final mask: the index only reads bits 8..15
        int crc = 0;
        for (int i = off, end = off + len; i < end; i++) {
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
