package io.strata.engine.util;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BytesTest {
    /** The hash assembled byte by byte, as the segment tables and spill partitions first used it. */
    private static int hashReference(byte[] b, int off, int len) {
        int h = 0x9747b28c ^ len;
        int i = off;
        int end = off + len;
        for (; i + 4 <= end; i += 4) {
            int k = (b[i] & 0xff) | (b[i + 1] & 0xff) << 8 | (b[i + 2] & 0xff) << 16 | (b[i + 3] & 0xff) << 24;
            k *= 0xcc9e2d51;
            k = Integer.rotateLeft(k, 15);
            k *= 0x1b873593;
            h ^= k;
            h = Integer.rotateLeft(h, 13);
            h = h * 5 + 0xe6546b64;
        }
        int k = 0;
        for (int j = end - i - 1; j >= 0; j--) {
            k ^= (b[i + j] & 0xff) << (8 * j);
        }
        if (end > i) {
            k *= 0xcc9e2d51;
            k = Integer.rotateLeft(k, 15);
            k *= 0x1b873593;
            h ^= k;
        }
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return h;
    }

    @Test
    void hashShouldNotDependOnHowTheBytesAreLoaded() {
        Random rnd = new Random(7);
        byte[] b = new byte[100];
        for (int round = 0; round < 200; round++) {
            rnd.nextBytes(b);
            for (int len = 0; len <= 40; len++) {
                int off = rnd.nextInt(b.length - len + 1);
                assertEquals(hashReference(b, off, len), Bytes.hash(b, off, len), "len " + len + " off " + off);
            }
        }
    }

    @Test
    void equalsShouldCompareTheSliceWithTheWholeArray() {
        byte[] buf = "xxkey:1yy".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        assertTrue(Bytes.equals("key:1".getBytes(java.nio.charset.StandardCharsets.US_ASCII), buf, 2, 5));
        assertFalse(Bytes.equals("key:2".getBytes(java.nio.charset.StandardCharsets.US_ASCII), buf, 2, 5));
        assertFalse(Bytes.equals("key:".getBytes(java.nio.charset.StandardCharsets.US_ASCII), buf, 2, 5));
        assertTrue(Bytes.equals(new byte[0], buf, 9, 0));
    }
}
