package io.strata.engine.util;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Small byte-array helpers used on the command path.
 *
 * <p>Any thread: stateless.
 */
public final class Bytes {
    public static final byte[] EMPTY = new byte[0];

    /** Four bytes as one little-endian int: one load where the JIT would otherwise make four. */
    private static final VarHandle INT_LE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    private Bytes() {
    }

    /** A 32-bit hash for in-segment tables (murmur3 finaliser over a polynomial hash). */
    public static int hash(byte[] b, int off, int len) {
        int h = 0x9747b28c ^ len;
        int end = off + len;
        int i = off;
        for (; i + 4 <= end; i += 4) {
            int k = (int) INT_LE.get(b, i);
            k *= 0xcc9e2d51;
            k = Integer.rotateLeft(k, 15);
            k *= 0x1b873593;
            h ^= k;
            h = Integer.rotateLeft(h, 13);
            h = h * 5 + 0xe6546b64;
        }
        int k = 0;
        switch (end - i) {
            case 3: k ^= (b[i + 2] & 0xff) << 16; // fall through
            case 2: k ^= (b[i + 1] & 0xff) << 8; // fall through
            case 1: k ^= b[i] & 0xff;
                k *= 0xcc9e2d51;
                k = Integer.rotateLeft(k, 15);
                k *= 0x1b873593;
                h ^= k;
                break;
            default:
        }
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return h;
    }

    public static boolean equals(byte[] a, byte[] b, int off, int len) {
        return a.length == len && Arrays.equals(a, 0, len, b, off, off + len); // vectorised mismatch
    }

    /** ASCII case-insensitive compare of {@code b[off..off+len)} with a lower-case constant. */
    public static boolean equalsIgnoreCase(byte[] lower, byte[] b, int off, int len) {
        if (lower.length != len) {
            return false;
        }
        for (int i = 0; i < len; i++) {
            int c = b[off + i];
            if (c >= 'A' && c <= 'Z') {
                c += 32;
            }
            if (c != lower[i]) {
                return false;
            }
        }
        return true;
    }

    public static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    public static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    public static String str(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    public static String str(byte[] b, int off, int len) {
        return new String(b, off, len, StandardCharsets.UTF_8);
    }

    public static int compare(byte[] a, byte[] b) {
        return java.util.Arrays.compareUnsigned(a, b);
    }

    /** Quotes bytes as Redis' sdscatrepr does (MONITOR, redis-cli): "a\\nb\\x00". */
    public static String repr(byte[] b, int off, int len) {
        StringBuilder sb = new StringBuilder(len + 2).append('"');
        for (int i = off; i < off + len; i++) {
            int c = b[i] & 0xff;
            switch (c) {
                case '\\': sb.append("\\\\"); break;
                case '"': sb.append("\\\""); break;
                case '\n': sb.append("\\n"); break;
                case '\r': sb.append("\\r"); break;
                case '\t': sb.append("\\t"); break;
                case 7: sb.append("\\a"); break;
                case '\b': sb.append("\\b"); break;
                default:
                    if (c >= 32 && c < 127) {
                        sb.append((char) c);
                    } else {
                        sb.append(String.format("\\x%02x", c));
                    }
            }
        }
        return sb.append('"').toString();
    }
}
