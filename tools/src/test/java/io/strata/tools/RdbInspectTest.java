package io.strata.tools;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** rdb-inspect on RDB files written by Strata's RdbWriter. */
class RdbInspectTest {
    @TempDir
    Path tmp;

    @Test
    @DisplayName("The summary shows version, aux fields, keys per db by type, expiries and the biggest keys")
    void summary() throws Exception {
        Path f = tmp.resolve("dump.rdb");
        StrataFiles.writeRdb(f, 10);
        ToolRun r = ToolRun.rdbInspect("--top", "2", f.toString());
        assertEquals(Exit.CLEAN, r.status(), r.toString());
        assertTrue(r.out().contains("rdb version: 10"), r.toString());
        assertTrue(r.out().contains("redis-ver = \"7.0.15\""), r.toString());
        assertTrue(r.out().contains("keys: 11 (4 with an expiry)"), r.toString());
        assertTrue(r.out().contains("db0: 11 keys, 4 expires; string=10 list=1"), r.toString());
        assertTrue(r.out().contains("biggest keys by element count:"), r.toString());
        assertTrue(r.out().contains("\"base:list\""), r.toString());
    }

    @Test
    @DisplayName("--json prints one object per key, filtered by --keys, --db and --type, with values on request")
    void json() throws Exception {
        Path f = tmp.resolve("dump.rdb");
        StrataFiles.writeRdb(f, 10);
        ToolRun r = ToolRun.rdbInspect("--json", f.toString());
        assertEquals(Exit.CLEAN, r.status(), r.toString());
        List<String> lines = r.out().lines().toList();
        assertEquals(11, lines.size());
        assertTrue(lines.get(0).startsWith("{\"db\":0,\"key\":\"base:0\",\"type\":\"string\",\"expire_at_ms\":"
            + (StrataFiles.T0 + 1_000_000_000L) + ",\"size\":"), lines.get(0));
        assertTrue(lines.get(1).contains("\"expire_at_ms\":null"), lines.get(1));
        ToolRun l = ToolRun.rdbInspect("--json", "--values", "--type", "list", f.toString());
        assertEquals(1, l.out().lines().count(), l.toString());
        assertTrue(l.out().contains("\"length\":2,\"encoding\":\"quicklist\",\"value\":[\"a\",\"b\"]}"), l.toString());
        assertEquals(2, ToolRun.rdbInspect("--json", "--keys", "base:[12]", f.toString()).out().lines().count());
        assertEquals(0, ToolRun.rdbInspect("--json", "--db", "3", f.toString()).out().lines().count());
        assertEquals(Exit.USAGE, ToolRun.rdbInspect("--type", "blob", f.toString()).status());
    }

    @Test
    @DisplayName("--check: 0 when clean, 1 with the offset when a byte is flipped or the file is cut, 2 when not an RDB")
    void check() throws Exception {
        Path f = tmp.resolve("dump.rdb");
        StrataFiles.writeRdb(f, 50);
        ToolRun ok = ToolRun.rdbInspect("--check", f.toString());
        assertEquals(Exit.CLEAN, ok.status(), ok.toString());
        assertTrue(ok.out().contains("51 keys, checksum verified"), ok.toString());

        byte[] b = Files.readAllBytes(f);
        java.util.Random rnd = new java.util.Random(3);
        for (int round = 0; round < 30; round++) {
            byte[] c = b.clone();
            int at = 9 + rnd.nextInt(c.length - 9);
            c[at] ^= (byte) (1 + rnd.nextInt(255));
            Files.write(f, c);
            ToolRun bad = ToolRun.rdbInspect("--check", f.toString());
            assertTrue(bad.status() == Exit.DAMAGED || bad.status() == Exit.UNUSABLE, "at=" + at + " " + bad);
            assertTrue(bad.err().contains("at offset "), bad.toString());
        }
        Files.write(f, java.util.Arrays.copyOf(b, b.length - 20));
        ToolRun cut = ToolRun.rdbInspect("--check", f.toString());
        assertEquals(Exit.DAMAGED, cut.status(), cut.toString());
        assertTrue(cut.err().contains("unexpected end of file"), cut.toString());

        Files.writeString(f, "hello world, not an rdb");
        assertEquals(Exit.UNUSABLE, ToolRun.rdbInspect("--check", f.toString()).status());
        assertEquals(Exit.UNUSABLE, ToolRun.rdbInspect("--check", tmp.resolve("missing.rdb").toString()).status());
    }

    @Test
    @DisplayName("An appendonlydir is inspected through its manifest's base file; a frame file is refused")
    void baseFile() throws Exception {
        Path dir = tmp.resolve("appendonlydir");
        StrataFiles.writeDir(dir, 3);
        ToolRun r = ToolRun.rdbInspect("--check", dir.toString());
        assertEquals(Exit.CLEAN, r.status(), r.toString());
        ToolRun frames = ToolRun.rdbInspect(dir.resolve("appendonly.aof.1.incr.aof").toString());
        assertEquals(Exit.UNUSABLE, frames.status(), frames.toString());
        assertTrue(frames.err().contains("use aof-repair"), frames.toString());
    }

    @Test
    void shouldMatchGlobsAsRedis() {
        assertTrue(new Glob("user:*").matches("user:1".getBytes()));
        assertTrue(new Glob("h?llo").matches("hallo".getBytes()));
        assertTrue(new Glob("h[^e]llo").matches("hallo".getBytes()));
        assertTrue(!new Glob("h[^e]llo").matches("hello".getBytes()));
        assertTrue(new Glob("h[a-c]llo").matches("hbllo".getBytes()));
        assertTrue(new Glob("a\\*b").matches("a*b".getBytes()));
        assertTrue(!new Glob("a\\*b").matches("axb".getBytes()));
        assertTrue(new Glob("*").matches(new byte[0]));
    }
}
