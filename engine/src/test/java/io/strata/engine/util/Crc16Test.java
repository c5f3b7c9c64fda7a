package io.strata.engine.util;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

class Crc16Test {
    private static int slot(String k) {
        return Crc16.slot(k.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void shouldMatchRedisClusterKeySlots() {
        // values from redis-cli CLUSTER KEYSLOT / the Redis Cluster specification
        assertEquals(0x31C3, Crc16.crc16("123456789".getBytes(StandardCharsets.US_ASCII), 0, 9));
        assertEquals(12182, slot("foo"));
        assertEquals(5061, slot("bar"));
        assertEquals(slot("bar"), slot("{bar}.baz"));
        assertEquals(slot("{}bar"), Crc16.crc16("{}bar".getBytes(StandardCharsets.US_ASCII), 0, 5) & 16383);
        assertEquals(slot("user1000"), slot("{user1000}.following"));
    }

    /** Redis' keyHashSlot, a byte at a time. */
    private static int slotReference(byte[] b) {
        int s = -1;
        for (int i = 0; i < b.length; i++) {
            if (b[i] == '{') {
                s = i;
                break;
            }
        }
        if (s >= 0) {
            for (int e = s + 1; e < b.length; e++) {
                if (b[e] == '}') {
                    if (e > s + 1) {
                        return crc16Reference(b, s + 1, e - s - 1) & 16383;
                    }
                    break;
                }
            }
        }
        return crc16Reference(b, 0, b.length) & 16383;
    }

    @Test
    void hashTagsAreFoundAtEveryPositionAsRedisFindsThem() {
        java.util.Random rnd = new java.util.Random(7);
        byte[] alphabet = "ab{}xyz\u00ff\u007f".getBytes(StandardCharsets.ISO_8859_1);
        for (int round = 0; round < 20_000; round++) {
            byte[] k = new byte[rnd.nextInt(40)];
            for (int i = 0; i < k.length; i++) {
                // mostly plain bytes, braces now and then, and bytes next to '{' in value (0x7a, 0x7c, 0xfb)
                int r = rnd.nextInt(20);
                k[i] = r == 0 ? (byte) '{' : r == 1 ? (byte) '}' : r == 2 ? (byte) 0x7a : r == 3 ? (byte) 0xfb
                    : alphabet[rnd.nextInt(alphabet.length)];
            }
            assertEquals(slotReference(k), Crc16.slot(k), () -> java.util.Arrays.toString(k));
            int at = -1;
            for (int i = 0; i < k.length; i++) {
                if (k[i] == '{') {
                    at = i;
                    break;
                }
            }
            assertEquals(at, Crc16.indexOfBrace(k, 0, k.length));
        }
    }

    /** The bit-by-bit definition (polynomial 0x1021, initial value 0), one byte at a time. */
    private static int crc16Reference(byte[] b, int off, int len) {
        int crc = 0;
        for (int i = off; i < off + len; i++) {
            crc ^= (b[i] & 0xff) << 8;
            for (int j = 0; j < 8; j++) {
                crc = (crc & 0x8000) != 0 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
            }
        }
        return crc;
    }

    @Test
    void shouldMatchTheBitwiseDefinitionAtEveryLengthAndOffset() {
        java.util.Random rnd = new java.util.Random(42);
        byte[] b = new byte[80];
        for (int round = 0; round < 200; round++) {
            rnd.nextBytes(b);
            for (int len = 0; len <= 40; len++) {
                int off = rnd.nextInt(b.length - len + 1);
                assertEquals(crc16Reference(b, off, len), Crc16.crc16(b, off, len), "len " + len + " off " + off);
            }
        }
    }
}
