package io.strata.storage.rdb;

import io.strata.storage.StorageException;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Decoders and an encoder for the packed blobs Redis stores inside RDB strings: listpack,
 * ziplist, intset and zipmap. Integers come out as their decimal ASCII, as Redis returns them.
 *
 * <p>Layouts (all little endian unless noted):
 * <pre>
 * listpack := total(u32) count(u16) entry* 0xFF ; entry := encoding data backlen(1..5)
 * ziplist  := zlbytes(u32) zltail(u32) zllen(u16) entry* 0xFF ; entry := prevlen(1|5) encoding data
 * intset   := encoding(u32: 2|4|8) length(u32) int*
 * zipmap   := zmlen(u8) (len key len free value pad)* 0xFF ; len := u8 &lt; 254 | 254 u32
 * </pre>
 *
 * <p>Any thread: stateless. {@code base} is the blob's file offset, for error messages.
 */
public final class Packed {
    private Packed() {
    }

    private static StorageException corrupt(long base, int at, String what) {
        return new StorageException(StorageException.Code.CORRUPT, base + at, what);
    }

    private static long le(byte[] b, int at, int n) {
        long v = 0;
        for (int i = 0; i < n; i++) {
            v |= (long) (b[at + i] & 0xff) << (8 * i);
        }
        return v;
    }

    private static byte[] ascii(long v) {
        return Long.toString(v).getBytes(StandardCharsets.US_ASCII);
    }

    private static void need(byte[] b, int at, int n, long base, String what) {
        if (at < 0 || n < 0 || at + n > b.length) {
            throw corrupt(base, at, what + " runs past the end of its blob");
        }
    }

    // ---- listpack ----

    public static List<byte[]> listpack(byte[] b, long base) {
        need(b, 0, 7, base, "listpack header");
        long total = le(b, 0, 4);
        if (total != b.length) {
            throw corrupt(base, 0, "listpack total bytes " + total + " != blob length " + b.length);
        }
        List<byte[]> out = new ArrayList<>((int) le(b, 4, 2));
        int p = 6;
        while (true) {
            need(b, p, 1, base, "listpack entry");
            int e = b[p] & 0xff;
            if (e == 0xFF) {
                break;
            }
            int start = p;
            byte[] item;
            if ((e & 0x80) == 0) {
                item = ascii(e & 0x7f);
                p += 1;
            } else if ((e & 0xC0) == 0x80) {
                int len = e & 0x3f;
                need(b, p + 1, len, base, "listpack string");
                item = java.util.Arrays.copyOfRange(b, p + 1, p + 1 + len);
                p += 1 + len;
            } else if ((e & 0xE0) == 0xC0) {
                need(b, p, 2, base, "listpack int13");
                int v = ((e & 0x1f) << 8) | (b[p + 1] & 0xff);
                if (v >= 1 << 12) {
                    v -= 1 << 13;
                }
                item = ascii(v);
                p += 2;
            } else if ((e & 0xF0) == 0xE0) {
                need(b, p, 2, base, "listpack str12");
                int len = ((e & 0x0f) << 8) | (b[p + 1] & 0xff);
                need(b, p + 2, len, base, "listpack string");
                item = java.util.Arrays.copyOfRange(b, p + 2, p + 2 + len);
                p += 2 + len;
            } else if (e == 0xF0) {
                need(b, p, 5, base, "listpack str32");
                long len = le(b, p + 1, 4);
                need(b, p + 5, (int) len, base, "listpack string");
                item = java.util.Arrays.copyOfRange(b, p + 5, p + 5 + (int) len);
                p += 5 + (int) len;
            } else if (e == 0xF1 || e == 0xF2 || e == 0xF3 || e == 0xF4) {
                int n = e == 0xF1 ? 2 : e == 0xF2 ? 3 : e == 0xF3 ? 4 : 8;
                need(b, p + 1, n, base, "listpack int");
                long v = le(b, p + 1, n);
                int shift = 64 - 8 * n;
                v = (v << shift) >> shift; // sign-extend
                item = ascii(v);
                p += 1 + n;
            } else {
                throw corrupt(base, p, "bad listpack entry encoding 0x" + Integer.toHexString(e));
            }
            int entryLen = p - start;
            p += backlenSize(entryLen);
            out.add(item);
        }
        return out;
    }

    private static int backlenSize(int l) {
        if (l <= 127) {
            return 1;
        } else if (l < 16383) {
            return 2;
        } else if (l < 2097151) {
            return 3;
        } else if (l < 268435455) {
            return 4;
        }
        return 5;
    }

    /** Encodes elements as a listpack (strings only, plus small ints as Redis would store them). */
    public static byte[] toListpack(List<byte[]> items) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.write(0);
        out.write(0);
        out.write(0);
        out.write(0);
        int n = Math.min(items.size(), 65535);
        out.write(n & 0xff);
        out.write((n >>> 8) & 0xff);
        for (byte[] it : items) {
            java.io.ByteArrayOutputStream e = new java.io.ByteArrayOutputStream();
            int len = it.length;
            if (len < 64) {
                e.write(0x80 | len);
            } else if (len < 4096) {
                e.write(0xE0 | (len >>> 8));
                e.write(len & 0xff);
            } else {
                e.write(0xF0);
                for (int i = 0; i < 4; i++) {
                    e.write((len >>> (8 * i)) & 0xff);
                }
            }
            e.write(it, 0, len);
            int entryLen = e.size();
            byte[] enc = e.toByteArray();
            out.write(enc, 0, enc.length);
            writeBacklen(out, entryLen);
        }
        out.write(0xFF);
        byte[] b = out.toByteArray();
        int total = b.length;
        b[0] = (byte) total;
        b[1] = (byte) (total >>> 8);
        b[2] = (byte) (total >>> 16);
        b[3] = (byte) (total >>> 24);
        return b;
    }

    /**
     * Encodes elements as a listpack the way Redis' lpAppend does: an element that is a canonical
     * 64-bit decimal integer takes the smallest integer encoding, anything else a string.
     */
    public static byte[] toListpackInts(List<byte[]> items) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < 6; i++) {
            out.write(0);
        }
        java.io.ByteArrayOutputStream e = new java.io.ByteArrayOutputStream();
        for (byte[] it : items) {
            e.reset();
            Long v = canonicalLong(it);
            if (v != null) {
                long x = v;
                if (x >= 0 && x <= 127) {
                    e.write((int) x);
                } else if (x >= -4096 && x <= 4095) {
                    int u = (int) x & 0x1fff;
                    e.write(0xC0 | (u >>> 8));
                    e.write(u & 0xff);
                } else {
                    int n = x >= -32768 && x <= 32767 ? 2 : x >= -8388608 && x <= 8388607 ? 3
                        : x >= Integer.MIN_VALUE && x <= Integer.MAX_VALUE ? 4 : 8;
                    e.write(n == 2 ? 0xF1 : n == 3 ? 0xF2 : n == 4 ? 0xF3 : 0xF4);
                    for (int k = 0; k < n; k++) {
                        e.write((int) (x >>> (8 * k)) & 0xff);
                    }
                }
            } else {
                int len = it.length;
                if (len < 64) {
                    e.write(0x80 | len);
                } else if (len < 4096) {
                    e.write(0xE0 | (len >>> 8));
                    e.write(len & 0xff);
                } else {
                    e.write(0xF0);
                    for (int k = 0; k < 4; k++) {
                        e.write((len >>> (8 * k)) & 0xff);
                    }
                }
                e.write(it, 0, len);
            }
            int entryLen = e.size();
            out.write(e.toByteArray(), 0, entryLen);
            writeBacklen(out, entryLen);
        }
        out.write(0xFF);
        byte[] b = out.toByteArray();
        int total = b.length;
        int n = Math.min(items.size(), 65535);
        b[0] = (byte) total;
        b[1] = (byte) (total >>> 8);
        b[2] = (byte) (total >>> 16);
        b[3] = (byte) (total >>> 24);
        b[4] = (byte) n;
        b[5] = (byte) (n >>> 8);
        return b;
    }

    private static Long canonicalLong(byte[] b) {
        if (b.length == 0 || b.length > 20) {
            return null;
        }
        String s = new String(b, StandardCharsets.US_ASCII);
        try {
            long v = Long.parseLong(s);
            return Long.toString(v).equals(s) ? v : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static void writeBacklen(java.io.ByteArrayOutputStream out, int l) {
        if (l <= 127) {
            out.write(l);
        } else if (l < 16383) {
            out.write(l >>> 7);
            out.write((l & 127) | 128);
        } else if (l < 2097151) {
            out.write(l >>> 14);
            out.write(((l >>> 7) & 127) | 128);
            out.write((l & 127) | 128);
        } else if (l < 268435455) {
            out.write(l >>> 21);
            out.write(((l >>> 14) & 127) | 128);
            out.write(((l >>> 7) & 127) | 128);
            out.write((l & 127) | 128);
        } else {
            out.write(l >>> 28);
            out.write(((l >>> 21) & 127) | 128);
            out.write(((l >>> 14) & 127) | 128);
            out.write(((l >>> 7) & 127) | 128);
            out.write((l & 127) | 128);
        }
    }

    // ---- ziplist ----

    public static List<byte[]> ziplist(byte[] b, long base) {
        need(b, 0, 11, base, "ziplist header");
        long total = le(b, 0, 4);
        if (total != b.length) {
            throw corrupt(base, 0, "ziplist total bytes " + total + " != blob length " + b.length);
        }
        List<byte[]> out = new ArrayList<>();
        int p = 10;
        while (true) {
            need(b, p, 1, base, "ziplist entry");
            if ((b[p] & 0xff) == 0xFF) {
                break;
            }
            p += (b[p] & 0xff) < 254 ? 1 : 5; // prevlen
            need(b, p, 1, base, "ziplist encoding");
            int e = b[p] & 0xff;
            switch (e >>> 6) {
                case 0: {
                    int len = e & 0x3f;
                    need(b, p + 1, len, base, "ziplist string");
                    out.add(java.util.Arrays.copyOfRange(b, p + 1, p + 1 + len));
                    p += 1 + len;
                    continue;
                }
                case 1: {
                    need(b, p, 2, base, "ziplist str14");
                    int len = ((e & 0x3f) << 8) | (b[p + 1] & 0xff);
                    need(b, p + 2, len, base, "ziplist string");
                    out.add(java.util.Arrays.copyOfRange(b, p + 2, p + 2 + len));
                    p += 2 + len;
                    continue;
                }
                case 2: {
                    need(b, p, 5, base, "ziplist str32");
                    long len = ((b[p + 1] & 0xffL) << 24) | ((b[p + 2] & 0xffL) << 16) | ((b[p + 3] & 0xffL) << 8) | (b[p + 4] & 0xffL);
                    need(b, p + 5, (int) len, base, "ziplist string");
                    out.add(java.util.Arrays.copyOfRange(b, p + 5, p + 5 + (int) len));
                    p += 5 + (int) len;
                    continue;
                }
                default:
            }
            int n;
            switch (e) {
                case 0xC0: n = 2; break;
                case 0xD0: n = 4; break;
                case 0xE0: n = 8; break;
                case 0xF0: n = 3; break;
                case 0xFE: n = 1; break;
                default:
                    if (e >= 0xF1 && e <= 0xFD) {
                        out.add(ascii((e & 0x0f) - 1));
                        p += 1;
                        continue;
                    }
                    throw corrupt(base, p, "bad ziplist entry encoding 0x" + Integer.toHexString(e));
            }
            need(b, p + 1, n, base, "ziplist int");
            long v = le(b, p + 1, n);
            int shift = 64 - 8 * n;
            out.add(ascii((v << shift) >> shift));
            p += 1 + n;
        }
        return out;
    }

    // ---- intset ----

    public static List<byte[]> intset(byte[] b, long base) {
        need(b, 0, 8, base, "intset header");
        int enc = (int) le(b, 0, 4);
        long len = le(b, 4, 4);
        if (enc != 2 && enc != 4 && enc != 8) {
            throw corrupt(base, 0, "bad intset encoding " + enc);
        }
        need(b, 8, (int) (len * enc), base, "intset contents");
        List<byte[]> out = new ArrayList<>((int) len);
        for (int i = 0; i < len; i++) {
            long v = le(b, 8 + i * enc, enc);
            int shift = 64 - 8 * enc;
            out.add(ascii((v << shift) >> shift));
        }
        return out;
    }

    // ---- zipmap ----

    /** Field/value pairs of a zipmap, flattened: f1 v1 f2 v2 … */
    public static List<byte[]> zipmap(byte[] b, long base) {
        List<byte[]> out = new ArrayList<>();
        int p = 1;
        while (true) {
            need(b, p, 1, base, "zipmap entry");
            if ((b[p] & 0xff) == 0xFF) {
                break;
            }
            int[] lenAt = zipmapLen(b, p, base);
            int klen = lenAt[0];
            p = lenAt[1];
            need(b, p, klen, base, "zipmap key");
            out.add(java.util.Arrays.copyOfRange(b, p, p + klen));
            p += klen;
            lenAt = zipmapLen(b, p, base);
            int vlen = lenAt[0];
            p = lenAt[1];
            need(b, p, 1, base, "zipmap free");
            int free = b[p] & 0xff;
            p++;
            need(b, p, vlen, base, "zipmap value");
            out.add(java.util.Arrays.copyOfRange(b, p, p + vlen));
            p += vlen + free;
        }
        return out;
    }

    private static int[] zipmapLen(byte[] b, int p, long base) {
        int l = b[p] & 0xff;
        if (l < 254) {
            return new int[] {l, p + 1};
        }
        if (l == 254) {
            need(b, p + 1, 4, base, "zipmap length");
            return new int[] {(int) le(b, p + 1, 4), p + 5};
        }
        throw corrupt(base, p, "bad zipmap length byte 0x" + Integer.toHexString(l));
    }
}
