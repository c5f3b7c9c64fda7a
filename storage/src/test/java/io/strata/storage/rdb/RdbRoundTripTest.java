package io.strata.storage.rdb;

import io.strata.storage.StorageException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RdbRoundTripTest {
    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void shouldComputeRedisCrc64CheckValue() {
        assertEquals(0xe9c6d914c4b8d9caL, Crc64.update(0, b("123456789"), 0, 9));
    }

    @Test
    void shouldRoundTripLzfOnRepetitiveAndRandomData() {
        Random r = new Random(42);
        for (int i = 0; i < 200; i++) {
            byte[] in = new byte[r.nextInt(5000) + 4];
            int alphabet = 1 + r.nextInt(i % 2 == 0 ? 4 : 256);
            for (int k = 0; k < in.length; k++) {
                in[k] = (byte) r.nextInt(alphabet);
            }
            byte[] c = Lzf.compress(in, in.length - 1);
            if (c != null) {
                assertArrayEquals(in, Lzf.decompress(c, 0, c.length, in.length), "case " + i);
            }
        }
        byte[] rep = b("abcabcabcabcabcabcabcabcabcabcabcabcabcabcabcabcabcabc");
        assertNotNull(Lzf.compress(rep, rep.length - 4), "repetitive data must compress");
    }

    private static byte[] sampleFile(boolean compress) {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        RdbWriter w = new RdbWriter(bos, compress, true);
        w.header();
        w.aux("redis-ver", "7.0.15");
        w.selectDb(0);
        w.resizeDb(5, 1);
        w.entry(b("str"), RdbValue.string(b("hello world, hello world, hello world, hello world")), -1);
        w.entry(b("int"), RdbValue.string(b("-123456")), 1_900_000_000_000L);
        RdbValue list = RdbValue.list(RdbFormat.TYPE_LIST_QUICKLIST_2, 300);
        for (int i = 0; i < 300; i++) {
            list.add(b("item" + i));
        }
        w.entry(b("list"), list, -1);
        RdbValue hash = RdbValue.hash(RdbFormat.TYPE_HASH, 2);
        hash.put(b("f1"), b("v1"));
        hash.put(b("f2"), b("12"));
        w.entry(b("hash"), hash, -1);
        RdbValue zset = RdbValue.zset(RdbFormat.TYPE_ZSET_2, 3);
        zset.add(b("a"), 1.5);
        zset.add(b("b"), Double.POSITIVE_INFINITY);
        zset.add(b("c"), -0.25);
        w.entry(b("zset"), zset, -1);
        w.selectDb(3);
        RdbValue set = RdbValue.set(RdbFormat.TYPE_SET, 2);
        set.add(b("x"));
        set.add(b("7"));
        w.entry(b("set"), set, -1);
        w.end();
        return bos.toByteArray();
    }

    private static List<String> readAll(byte[] file) {
        List<String> out = new ArrayList<>();
        new RdbReader(new ByteArrayInputStream(file)).read(new RdbVisitor() {
            @Override
            public void entry(int db, byte[] key, RdbValue v, long exp, long idle, int freq, long off, long size) {
                StringBuilder sb = new StringBuilder().append(db).append(':').append(new String(key)).append('=')
                    .append(v.typeName());
                if (v.kind == RdbValue.Kind.STRING) {
                    sb.append(' ').append(new String(v.string));
                }
                for (int i = 0; i < v.items.size(); i++) {
                    sb.append(' ').append(new String(v.items.get(i)));
                    if (v.kind == RdbValue.Kind.HASH) {
                        sb.append('=').append(new String(v.values.get(i)));
                    } else if (v.kind == RdbValue.Kind.ZSET) {
                        sb.append('=').append(v.scores[i]);
                    }
                }
                if (exp >= 0) {
                    sb.append(" exp=").append(exp);
                }
                out.add(sb.toString());
            }
        });
        return out;
    }

    @Test
    @DisplayName("Every kind of value written by the RDB writer reads back identically, compressed or not")
    void shouldReadBackWhatWasWritten() {
        for (boolean compress : new boolean[] {false, true}) {
            List<String> all = readAll(sampleFile(compress));
            assertEquals(6, all.size());
            assertEquals("0:str=string hello world, hello world, hello world, hello world", all.get(0));
            assertEquals("0:int=string -123456 exp=1900000000000", all.get(1));
            assertTrue(all.get(2).startsWith("0:list=list item0 item1 "));
            assertTrue(all.get(2).endsWith(" item299"));
            assertEquals("0:hash=hash f1=v1 f2=12", all.get(3));
            assertEquals("0:zset=zset a=1.5 b=Infinity c=-0.25", all.get(4));
            assertEquals("3:set=set x 7", all.get(5));
        }
    }

    @Test
    void shouldRejectFlippedByteWithChecksumError() {
        byte[] f = sampleFile(false);
        f[40] ^= 0x01;
        StorageException e = assertThrows(StorageException.class, () -> readAll(f));
        assertTrue(e.code() == StorageException.Code.BAD_CHECKSUM || e.code() == StorageException.Code.CORRUPT,
            e.getMessage());
    }

    @Test
    void shouldReportTruncationWithOffset() {
        byte[] f = sampleFile(false);
        byte[] cut = java.util.Arrays.copyOf(f, f.length / 2);
        StorageException e = assertThrows(StorageException.class, () -> readAll(cut));
        assertEquals(StorageException.Code.TRUNCATED, e.code());
        assertEquals(cut.length, e.offset());
    }

    @Test
    void shouldRoundTripDumpPayloadsAndRejectBadChecksum() {
        RdbValue zset = RdbValue.zset(RdbFormat.TYPE_ZSET_2, 2);
        zset.add(b("m"), 3.25);
        zset.add(b("n"), -1);
        byte[] p = Dump.serialize(zset);
        RdbValue back = Dump.deserialize(p);
        assertEquals(2, back.size());
        assertEquals(3.25, back.scores[0]);
        p[p.length - 1] ^= 1;
        assertThrows(StorageException.class, () -> Dump.deserialize(p));
    }

    @Test
    void shouldDecodeListpackIntegersAndStrings() {
        List<byte[]> items = List.of(b("a"), b("x".repeat(100)), b("y".repeat(5000)));
        List<byte[]> back = Packed.listpack(Packed.toListpack(items), 0);
        assertEquals(3, back.size());
        assertArrayEquals(items.get(2), back.get(2));
    }
}
