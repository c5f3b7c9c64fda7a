package io.strata.server;

import io.strata.storage.aof.AofFormat;
import io.strata.storage.aof.AofFrames;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Transaction;
import redis.clients.jedis.params.SetParams;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The AOF round trip in one JVM: what was acknowledged is there after a restart, damage is handled as Redis does. */
class AofTest {
    @TempDir
    Path dir;

    private TestServer start(String... extra) {
        List<String> args = new ArrayList<>(List.of("--dir", dir.toString(), "--appendonly", "yes"));
        args.addAll(List.of(extra));
        return TestServer.start(args.toArray(new String[0]));
    }

    private Path incr(int seq) {
        return dir.resolve("appendonlydir").resolve("appendonly.aof." + seq + ".incr.aof");
    }

    private Path manifest() {
        return dir.resolve("appendonlydir").resolve("appendonly.aof.manifest");
    }

    /** Offsets of the frames of an incr file. */
    private static List<Long> frameOffsets(Path file) throws Exception {
        List<Long> out = new ArrayList<>();
        AofFrames frames = new AofFrames();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long off = 0;
            while (true) {
                AofFrames.Result r = frames.read(ch, off);
                if (r.status != AofFrames.Status.FRAME) {
                    break;
                }
                out.add(off);
                off += r.frameLength;
            }
        }
        return out;
    }

    /** n SETs, one frame each: with appendfsync always every acknowledged command is its own group commit. */
    private void writeSome(int n) {
        try (TestServer s = start("--appendfsync", "always"); Jedis j = s.jedis()) {
            for (int i = 0; i < n; i++) {
                j.set("k" + i, "v" + i);
            }
        }
    }

    @Test
    @Covers({"set", "setex", "expire", "incr", "select", "spop", "blpop", "multi", "exec", "getex"})
    @DisplayName("after a clean shutdown with appendfsync everysec every write is replayed: SELECT, MULTI/EXEC, absolute expiries, SPOP, a served BLPOP")
    void shouldReplayEverythingAfterCleanShutdown() throws Exception {
        long ttlAt;
        try (TestServer s = start("--appendfsync", "everysec"); Jedis j = s.jedis(); Jedis k = s.jedis()) {
            j.set("a", "1");
            j.incr("n");
            j.incr("n");
            j.setex("tmp", 1000, "x");
            j.set("px", "y", SetParams.setParams().ex(500));
            j.set("e", "z");
            j.expire("e", 700);
            j.getEx("a", redis.clients.jedis.params.GetExParams.getExParams().ex(900));
            j.sadd("s", "m1", "m2", "m3");
            String popped = j.spop("s");
            j.select(3);
            j.set("in3", "three");
            Transaction t = j.multi();
            t.set("tx1", "a");
            t.incr("tx2");
            t.exec();
            j.select(0);
            // a BLPOP served by a later push is recorded as the LPOP it amounted to
            Thread waiter = new Thread(() -> k.blpop(5, "q1", "q2"));
            waiter.start();
            Thread.sleep(200);
            j.rpush("q2", "first", "second");
            waiter.join();
            ttlAt = j.pexpireTime("tmp");
            assertEquals(Set.of("m1", "m2", "m3").size() - 1, j.scard("s"));
            assertTrue(Set.of("m1", "m2", "m3").contains(popped));
            j.set("popped", popped);
        }
        try (TestServer s = start("--appendfsync", "everysec"); Jedis j = s.jedis()) {
            assertEquals("1", j.get("a"));
            assertEquals("2", j.get("n"));
            assertEquals(ttlAt, j.pexpireTime("tmp"), "expiry replayed as the same absolute time");
            assertTrue(j.ttl("px") > 400 && j.ttl("px") <= 500);
            assertTrue(j.ttl("e") > 600);
            assertTrue(j.ttl("a") > 800);
            String popped = j.get("popped");
            assertEquals(2, j.scard("s"));
            assertTrue(!j.sismember("s", popped), "SPOP replayed as SREM of the member it popped");
            assertEquals(List.of("second"), j.lrange("q2", 0, -1));
            j.select(3);
            assertEquals("three", j.get("in3"));
            assertEquals("a", j.get("tx1"));
            assertEquals("1", j.get("tx2"));
            assertTrue(j.info("persistence").contains("aof_enabled:1"));
        }
    }

    @Test
    @DisplayName("a torn tail is truncated, the server starts and the log says how many bytes were dropped")
    void shouldTruncateTornTail() throws Exception {
        writeSome(5);
        long good = Files.size(incr(1));
        // half a frame: a header that promises more bytes than follow
        byte[] torn = new byte[AofFormat.HEADER_LENGTH + 7];
        java.nio.ByteBuffer.wrap(torn).putInt(AofFormat.MAGIC).putInt(100);
        Files.write(incr(1), torn, StandardOpenOption.APPEND);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream old = Log.redirect(new PrintStream(log, true, StandardCharsets.UTF_8));
        try (TestServer s = start(); Jedis j = s.jedis()) {
            assertEquals("v4", j.get("k4"));
        } finally {
            Log.redirect(old);
        }
        String text = log.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("truncated " + torn.length + " bytes"), text);
        assertTrue(Files.size(incr(1)) >= good);
    }

    @Test
    @DisplayName("a torn tail refuses to start when aof-load-truncated is no")
    void shouldRefuseTornTailWithoutLoadTruncated() throws Exception {
        writeSome(2);
        Files.write(incr(1), new byte[] {0x53, 0x41}, StandardOpenOption.APPEND);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> start("--aof-load-truncated", "no"));
        assertTrue(e.getCause().getMessage().contains("aof-load-truncated"), e.getCause().getMessage());
    }

    @Test
    @DisplayName("a flipped byte in a middle frame refuses to start, naming the file, the offset and aof-repair")
    void shouldRefuseCorruptMiddleFrame() throws Exception {
        writeSome(6);
        List<Long> offsets = frameOffsets(incr(1));
        assertTrue(offsets.size() >= 3, "frames: " + offsets);
        long victim = offsets.get(1) + AofFormat.HEADER_LENGTH + 2;
        try (FileChannel ch = FileChannel.open(incr(1), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(1);
            ch.read(b, victim);
            b.put(0, (byte) (b.get(0) ^ 0x40)).rewind();
            ch.write(b, victim);
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> start());
        String m = e.getCause().getMessage();
        assertTrue(m.contains("appendonly.aof.1.incr.aof") && m.contains("offset " + offsets.get(1)) && m.contains("aof-repair"), m);
    }

    @Test
    @DisplayName("an empty incr file loads as nothing and is appended to")
    void shouldLoadEmptyIncr() throws Exception {
        Files.createDirectories(dir.resolve("appendonlydir"));
        Files.writeString(manifest(), "file appendonly.aof.1.incr.aof seq 1 type i\n");
        Files.createFile(incr(1));
        try (TestServer s = start(); Jedis j = s.jedis()) {
            assertEquals(0, j.dbSize());
            j.set("x", "1");
        }
        try (TestServer s = start(); Jedis j = s.jedis()) {
            assertEquals("1", j.get("x"));
        }
    }

    @Test
    @DisplayName("with no AOF directory a fresh manifest and first incr file are created")
    void shouldCreateFreshAof() throws Exception {
        try (TestServer s = start("--appendfsync", "always"); Jedis j = s.jedis()) {
            j.set("x", "1");
        }
        assertTrue(Files.exists(manifest()));
        assertEquals("file appendonly.aof.1.incr.aof seq 1 type i\n", Files.readString(manifest()));
        assertTrue(Files.size(incr(1)) > 0);
    }

    @Test
    @DisplayName("a manifest naming a missing incr file refuses to start")
    void shouldRefuseMissingFile() throws Exception {
        writeSome(1);
        Files.writeString(manifest(), "file appendonly.aof.1.incr.aof seq 1 type i\nfile appendonly.aof.2.incr.aof seq 2 type i\n");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> start());
        assertTrue(e.getCause().getMessage().contains("appendonly.aof.2.incr.aof doesn't exist"), e.getCause().getMessage());
    }

    @Test
    @DisplayName("a manifest naming a base file refuses to start while no RDB loader is present, rather than serve part of the data")
    void shouldRefuseBaseWithoutLoader() throws Exception {
        writeSome(1);
        Files.writeString(dir.resolve("appendonlydir").resolve("appendonly.aof.1.base.rdb"), "REDIS0010");
        Files.writeString(manifest(), "file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> start());
        assertTrue(e.getCause().getMessage().contains("base file"), e.getCause().getMessage());
    }

    @Test
    @Covers({"bgrewriteaof"})
    @DisplayName("BGREWRITEAOF writes an RDB base from a snapshot while several clients write; a restart loads base + incr with nothing lost")
    void shouldRewriteUnderWritesAndReloadBasePlusIncr() throws Exception {
        // rdb-key-save-delay (Redis' test knob) slows the base so the writes really overlap it
        try (TestServer s = start("--rdb-key-save-delay", "300"); Jedis j = s.jedis()) {
            for (int i = 0; i < 2000; i++) {
                j.set("before" + i, "v" + i);
            }
            j.hset("h", "f", "1");
            assertEquals("Background append only file rewriting started", j.bgrewriteaof());
            // several clients write while the base is being written
            Thread[] writers = new Thread[3];
            for (int w = 0; w < writers.length; w++) {
                int id = w;
                writers[w] = new Thread(() -> {
                    try (Jedis wj = s.jedis()) {
                        for (int i = id; i < 2000; i += writers.length) {
                            wj.set("during" + i, "v" + i);
                            wj.incr("counter");
                        }
                    }
                });
                writers[w].start();
            }
            for (Thread w : writers) {
                w.join();
            }
            assertTrue(j.info("persistence").contains("aof_rewrite_in_progress:1"), "writes overlapped the rewrite");
            for (int t = 0; t < 500 && !j.info("persistence").contains("aof_rewrite_in_progress:0"); t++) {
                Thread.sleep(10);
            }
            String info = j.info("persistence");
            assertTrue(info.contains("aof_rewrite_in_progress:0") && info.contains("aof_last_bgrewrite_status:ok"), info);
            j.set("after", "x");
        }
        try (var files = java.nio.file.Files.list(dir.resolve("appendonlydir"))) {
            assertTrue(files.anyMatch(f -> f.getFileName().toString().endsWith(".base.rdb")), "a base file exists");
        }
        try (TestServer s = start(); Jedis j = s.jedis()) {
            assertEquals(4003, j.dbSize());
            assertEquals("2000", j.get("counter"), "every INCR acknowledged during the rewrite survived");
            assertEquals("v1999", j.get("before1999"));
            assertEquals("v1999", j.get("during1999"));
            assertEquals("1", j.hget("h", "f"));
            assertEquals("x", j.get("after"));
        }
    }

    @Test
    @DisplayName("CONFIG SET appendonly yes starts the AOF (rewriting first over existing data); appendonly no stops it")
    void shouldToggleAppendonlyAtRuntime() throws Exception {
        try (TestServer s = TestServer.start("--dir", dir.toString()); Jedis j = s.jedis()) {
            assertTrue(j.info("persistence").contains("aof_enabled:0"));
            assertEquals("OK", j.configSet("appendonly", "yes"));
            j.set("x", "1");
            assertTrue(j.info("persistence").contains("aof_enabled:1"));
            assertEquals("OK", j.configSet("appendonly", "no"));
            j.set("y", "2");
            assertEquals("OK", j.configSet("appendonly", "yes"));
            for (int t = 0; t < 500 && !j.info("persistence").contains("aof_rewrite_in_progress:0"); t++) {
                Thread.sleep(10);
            }
            j.set("z", "3");
        }
        try (TestServer s = start(); Jedis j = s.jedis()) {
            assertEquals("1", j.get("x"));
            assertEquals("2", j.get("y"), "written while the AOF was off: in the base the rewrite made");
            assertEquals("3", j.get("z"));
        }
    }
}
