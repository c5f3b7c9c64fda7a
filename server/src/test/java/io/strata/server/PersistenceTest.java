package io.strata.server;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** RDB persistence through a real server and real files: SAVE, BGSAVE, restarts, DUMP/RESTORE. */
class PersistenceTest {

    static Map<String, String> info(Jedis j) {
        return AdminCommandsTest.parseInfo(j.info("persistence"));
    }

    /** Waits (bounded) until no BGSAVE runs and returns INFO persistence. */
    static Map<String, String> awaitBgsave(Jedis j) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            Map<String, String> f = info(j);
            if (f.get("rdb_bgsave_in_progress").equals("0")) {
                return f;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("BGSAVE did not finish");
    }

    @Test
    @Covers({"save", "lastsave", "bgsave"})
    @DisplayName("SAVE and BGSAVE write every type, encoding and TTL, and a restart from the same dir loads them back")
    void roundTripWithRestart(@TempDir Path dir) throws Exception {
        Map<String, String> before;
        try (TestServer s = TestServer.start("--dir", dir.toString(), "--save", "", "--enable-debug-command", "yes");
             Jedis j = s.jedis()) {
            Datasets.populate(j, 1, 120);
            // an expired key nobody touched is still in memory, so the files hold it
            try (RawClient raw = new RawClient(s.port())) {
                assertEquals("+OK\r\n", raw.call("debug", "set-active-expire", "0"));
            }
            j.set("expired-soon", "x", redis.clients.jedis.params.SetParams.setParams().px(100));
            Thread.sleep(150);
            long last = j.lastsave();
            assertEquals("OK", j.save());
            assertTrue(j.lastsave() >= last);
            assertEquals("0", info(j).get("rdb_changes_since_last_save"));
            assertTrue(Files.exists(dir.resolve("dump.rdb")));
            // BGSAVE overwrites it with later changes
            j.set("after-save", "1");
            j.del("k:0:0");
            assertEquals("Background saving started", j.bgsave());
            Map<String, String> f = awaitBgsave(j);
            assertEquals("ok", f.get("rdb_last_bgsave_status"));
            assertEquals("2", f.get("rdb_saves"));
            assertEquals("0", f.get("rdb_changes_since_last_save"));
            j.del("expired-soon");
            before = Datasets.capture(j, 3, true);
        }
        try (TestServer s = TestServer.start("--dir", dir.toString(), "--save", "");
             Jedis j = s.jedis()) {
            assertEquals(before, Datasets.capture(j, 3, true));
            Map<String, String> f = info(j);
            assertEquals("1", f.get("rdb_last_load_keys_expired"));
            assertEquals(Integer.toString(before.size()), f.get("rdb_last_load_keys_loaded"));
            assertNull(j.get("expired-soon"));
            assertEquals("1", j.get("after-save"));
        }
    }

    @Test
    @DisplayName("A corrupt RDB is refused at start-up with the file offset and what was wrong; a valid prefix is no excuse")
    void corruptRdbRefused(@TempDir Path dir) throws Exception {
        try (TestServer s = TestServer.start("--dir", dir.toString(), "--save", "");
             Jedis j = s.jedis()) {
            Datasets.populate(j, 2, 30);
            j.save();
        }
        Path file = dir.resolve("dump.rdb");
        byte[] good = Files.readAllBytes(file);
        // one flipped byte in the middle: either a structure error or the CRC64 trailer catches it
        byte[] bad = good.clone();
        bad[good.length / 2] ^= 0x5a;
        Files.write(file, bad);
        IllegalStateException e = assertThrows(IllegalStateException.class,
            () -> TestServer.start("--dir", dir.toString(), "--save", ""));
        String msg = e.getCause().getMessage();
        assertTrue(msg.contains("offset="), msg);
        assertTrue(msg.startsWith("Fatal error loading the DB"), msg);
        // truncated file
        Files.write(file, java.util.Arrays.copyOf(good, good.length - 20));
        e = assertThrows(IllegalStateException.class, () -> TestServer.start("--dir", dir.toString(), "--save", ""));
        assertTrue(e.getCause().getMessage().contains("code=TRUNCATED"), e.getCause().getMessage());
        // not an RDB at all
        Files.writeString(file, "hello world, not redis");
        e = assertThrows(IllegalStateException.class, () -> TestServer.start("--dir", dir.toString(), "--save", ""));
        assertTrue(e.getCause().getMessage().contains("wrong signature") && e.getCause().getMessage().contains("offset=0"));
        // a wrong checksum names the trailer's offset
        bad = good.clone();
        bad[good.length - 1] ^= 1;
        Files.write(file, bad);
        e = assertThrows(IllegalStateException.class, () -> TestServer.start("--dir", dir.toString(), "--save", ""));
        assertTrue(e.getCause().getMessage().contains("offset=" + (good.length - 8)), e.getCause().getMessage());
    }

    @Test
    @Covers({"dump", "restore"})
    @DisplayName("DUMP and RESTORE round-trip every type, with REPLACE, ABSTTL, IDLETIME, FREQ and Redis' errors")
    void dumpRestore() throws Exception {
        try (TestServer s = TestServer.start("--save", "");
             Jedis j = s.jedis(); RawClient raw = new RawClient(s.port())) {
            Datasets.populate(j, 3, 24);
            Map<String, String> before = Datasets.capture(j, 1, true);
            for (String k : j.keys("k:0:*")) {
                byte[] payload = j.dump(k);
                long pttl = j.pttl(k);
                j.del(k);
                assertEquals("OK", j.restore(k, Math.max(pttl, 0), payload));
            }
            assertEquals(before, Datasets.capture(j, 1, true));
            assertNull(j.dump("missing"));

            byte[] payload = j.dump("k:0:0");
            JedisDataException busy = assertThrows(JedisDataException.class, () -> j.restore("k:0:0", 0, payload));
            assertEquals("BUSYKEY Target key name already exists.", busy.getMessage());
            assertEquals("-ERR Invalid TTL value, must be >= 0\r\n", raw.call("restore", "new", "-1", "x"));
            assertEquals("-ERR value is not an integer or out of range\r\n", raw.call("restore", "new", "abc", "x"));
            assertEquals("-ERR DUMP payload version or checksum are wrong\r\n", raw.call("restore", "new", "0", "short"));
            byte[] flipped = payload.clone();
            flipped[flipped.length - 1] ^= 1;
            assertEquals("ERR DUMP payload version or checksum are wrong",
                assertThrows(JedisDataException.class, () -> j.restore("new", 0, flipped)).getMessage());
            // a payload of RDB 11 (Redis 7.2+) is refused as redis-server 7.0 refuses it
            byte[] v11 = withFooter(new byte[] {0, 1, 'a'});
            v11[v11.length - 10] = 11;
            long crc = crc64(v11, v11.length - 8);
            for (int i = 0; i < 8; i++) {
                v11[v11.length - 8 + i] = (byte) (crc >>> (8 * i));
            }
            assertEquals("ERR DUMP payload version or checksum are wrong",
                assertThrows(JedisDataException.class, () -> j.restore("new", 0, v11)).getMessage());
            assertEquals("OK", j.restore("new", 0, withFooter(new byte[] {0, 1, 'a'})));
            assertEquals("a", j.get("new"));
            assertEquals("-ERR syntax error\r\n", raw.call("restore", "new", "0", "x", "bogus"));
            assertEquals("-ERR Invalid IDLETIME value, must be >= 0\r\n", raw.call("restore", "new", "0", "x", "idletime", "-1"));
            assertEquals("-ERR Invalid FREQ value, must be >= 0 and <= 255\r\n", raw.call("restore", "new", "0", "x", "freq", "256"));
            assertEquals("-ERR syntax error\r\n", raw.call("restore", "new", "0", "x", "idletime", "1", "freq", "1"));
            // the key check comes before the TTL check, as in Redis
            assertEquals("-BUSYKEY Target key name already exists.\r\n", raw.call("restore", "k:0:0", "-1", "x"));

            String v = j.get("k:0:0");
            j.set("other", "something else");
            assertEquals("OK", j.restore("other", 0, payload, redis.clients.jedis.params.RestoreParams.restoreParams().replace()));
            assertEquals(v, j.get("other"));
            assertEquals(-1, j.pttl("other"));
            // relative TTL, absolute TTL in the future, absolute TTL in the past (key not created)
            assertEquals("OK", j.restore("ttl", 5000, payload));
            assertTrue(j.pttl("ttl") > 0 && j.pttl("ttl") <= 5000);
            long at = System.currentTimeMillis() + 100_000;
            assertEquals("OK", j.restore("abs", at, payload, redis.clients.jedis.params.RestoreParams.restoreParams().absTtl()));
            assertTrue(j.pttl("abs") > 90_000);
            assertEquals("OK", j.restore("other", 1, payload,
                redis.clients.jedis.params.RestoreParams.restoreParams().replace().absTtl()));
            assertFalse(j.exists("other"));
            assertEquals("OK", j.restore("idle", 0, payload, redis.clients.jedis.params.RestoreParams.restoreParams().idleTime(1000)));
            assertTrue(j.objectIdletime("idle") >= 1000);
            // a payload with a valid checksum but a bad body is "Bad data format"
            byte[] body = {0, 5, 'a', 'b'}; // string of 5 bytes with only 2 present
            assertEquals("ERR Bad data format",
                assertThrows(JedisDataException.class, () -> j.restore("bad", 0, withFooter(body))).getMessage());
            assertArrayEquals(payload, j.dump("k:0:0"));
        }
    }

    /** A DUMP payload from a body: RDB version 10 and the CRC64 of both. */
    static byte[] withFooter(byte[] body) {
        byte[] out = java.util.Arrays.copyOf(body, body.length + 10);
        out[body.length] = 10;
        long crc = crc64(out, body.length + 2);
        for (int i = 0; i < 8; i++) {
            out[body.length + 2 + i] = (byte) (crc >>> (8 * i));
        }
        return out;
    }

    private static long crc64(byte[] b, int len) {
        return io.strata.storage.rdb.Crc64.update(0, b, 0, len);
    }

    @Test
    @DisplayName("BGSAVE syntax, BGSAVE inside MULTI is scheduled and run by the cron, DEBUG RELOAD keeps the data")
    void bgsaveVariantsAndDebugReload(@TempDir Path dir) throws Exception {
        try (TestServer s = TestServer.start("--dir", dir.toString(), "--save", "", "--enable-debug-command", "yes");
             Jedis j = s.jedis(); RawClient raw = new RawClient(s.port())) {
            Datasets.populate(j, 4, 24);
            assertEquals("-ERR syntax error\r\n", raw.call("bgsave", "foo"));
            assertEquals("-ERR syntax error\r\n", raw.call("bgsave", "schedule", "x"));
            raw.call("multi");
            assertEquals("+QUEUED\r\n", raw.call("bgsave"));
            assertEquals("*1\r\n+Background saving scheduled\r\n", raw.call("exec"));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!info(j).get("rdb_saves").equals("1") && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertEquals("1", awaitBgsave(j).get("rdb_saves"));
            assertEquals("+Background saving started\r\n", raw.call("bgsave", "schedule"));
            awaitBgsave(j);
            assertEquals("-ERR Command not allowed inside a transaction\r\n", multiSave(raw));

            Map<String, String> before = Datasets.capture(j, 3, true);
            j.set("x", "1");
            assertEquals("+OK\r\n", raw.call("debug", "reload"));
            assertEquals(before.size() + 1, Datasets.capture(j, 3, true).size());
            assertEquals("0", info(j).get("rdb_changes_since_last_save"));
            // NOSAVE reloads the file as it is: changes made since are gone
            j.set("y", "2");
            assertEquals("+OK\r\n", raw.call("debug", "reload", "nosave"));
            assertNull(j.get("y"));
            assertEquals("1", j.get("x"));
            assertTrue(raw.call("debug", "reload", "bogus").startsWith("-ERR DEBUG RELOAD only supports"));
        }
    }

    private static String multiSave(RawClient raw) throws Exception {
        raw.call("multi");
        String r = raw.call("save");
        raw.call("discard");
        return r;
    }

    @Test
    @DisplayName("A failed BGSAVE sets rdb_last_bgsave_status:err and, with save points, MISCONF refuses writes and PING until a save succeeds")
    void misconfAfterFailedBgsave(@TempDir Path dir) throws Exception {
        Path gone = Files.createDirectory(dir.resolve("gone"));
        // dir is a protected config in Redis 7: the test enables changing it
        try (TestServer s = TestServer.start("--dir", dir.toString(), "--save", "3600 1", "--enable-protected-configs", "yes");
             Jedis j = s.jedis(); RawClient raw = new RawClient(s.port())) {
            j.set("a", "1");
            assertEquals("OK", j.configSet("dir", gone.toString()));
            Files.delete(gone);
            assertEquals("Background saving started", j.bgsave());
            Map<String, String> f = awaitBgsave(j);
            assertEquals("err", f.get("rdb_last_bgsave_status"));
            String misconf = "-MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist "
                + "to disk. Commands that may modify the data set are disabled, because this instance is configured to "
                + "report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please "
                + "check the Redis logs for details about the RDB error.\r\n";
            assertEquals(misconf, raw.call("set", "b", "2"));
            assertEquals(misconf, raw.call("ping"));
            assertEquals("$1\r\n1\r\n", raw.call("get", "a"));
            assertEquals("-ERR\r\n", raw.call("save"));
            // without the option writes go through again
            assertEquals("+OK\r\n", raw.call("config", "set", "stop-writes-on-bgsave-error", "no"));
            assertEquals("+OK\r\n", raw.call("set", "b", "2"));
            assertEquals("+OK\r\n", raw.call("config", "set", "stop-writes-on-bgsave-error", "yes"));
            assertEquals(misconf, raw.call("set", "b", "3"));
            // a successful save clears the error
            assertEquals("+OK\r\n", raw.call("config", "set", "dir", dir.toString()));
            assertEquals("+OK\r\n", raw.call("save"));
            assertEquals("+OK\r\n", raw.call("set", "b", "3"));
            assertEquals("+PONG\r\n", raw.call("ping"));
            // no temp file left behind by the failed or the good saves
            try (var files = Files.list(dir)) {
                assertEquals(List.of("dump.rdb"), files.map(p -> p.getFileName().toString()).toList());
            }
        }
    }

    @Test
    @Covers({"shutdown"})
    @DisplayName("SHUTDOWN saves when save points are configured or with SAVE, not with NOSAVE; NOSAVE with SAVE is a syntax error")
    void shutdownSaves(@TempDir Path dir) throws Exception {
        try (TestServer s = TestServer.start("--dir", dir.toString(), "--save", "");
             RawClient raw = new RawClient(s.port())) {
            raw.call("set", "a", "1");
            assertEquals("-ERR syntax error\r\n", raw.call("shutdown", "nosave", "save"));
            assertEquals("-ERR syntax error\r\n", raw.call("shutdown", "abort", "save"));
            raw.command("shutdown", "save");
            assertTrue(s.server().awaitShutdown(10, TimeUnit.SECONDS));
        }
        try (TestServer s = TestServer.start("--dir", dir.toString(), "--save", "3600 1");
             RawClient raw = new RawClient(s.port())) {
            assertEquals("$1\r\n1\r\n", raw.call("get", "a"));
            raw.call("set", "b", "2");
            raw.command("shutdown");
            assertTrue(s.server().awaitShutdown(10, TimeUnit.SECONDS));
        }
        try (TestServer s = TestServer.start("--dir", dir.toString(), "--save", "3600 1");
             RawClient raw = new RawClient(s.port())) {
            assertEquals("$1\r\n2\r\n", raw.call("get", "b"));
            raw.call("set", "c", "3");
            raw.command("shutdown", "nosave");
            assertTrue(s.server().awaitShutdown(10, TimeUnit.SECONDS));
        }
        try (TestServer s = TestServer.start("--dir", dir.toString(), "--save", "");
             RawClient raw = new RawClient(s.port())) {
            assertEquals("$-1\r\n", raw.call("get", "c"));
            assertEquals("$1\r\n2\r\n", raw.call("get", "b"));
        }
    }

    @Test
    @DisplayName("The save config is Redis' default, validated as Redis does, and a save point starts a BGSAVE from the cron")
    void savePoints(@TempDir Path dir) throws Exception {
        try (TestServer s = TestServer.start("--dir", dir.toString(), "--enable-protected-configs", "yes");
             Jedis j = s.jedis(); RawClient raw = new RawClient(s.port())) {
            assertEquals("3600 1 300 100 60 10000", j.configGet("save").get("save"));
            assertEquals("-ERR CONFIG SET failed (possibly related to argument 'save') - Invalid save parameters\r\n",
                raw.call("config", "set", "save", "100"));
            assertEquals("-ERR CONFIG SET failed (possibly related to argument 'save') - Invalid save parameters\r\n",
                raw.call("config", "set", "save", "0 1"));
            assertEquals("-ERR CONFIG SET failed (possibly related to argument 'dbfilename') - dbfilename can't be a path, just a filename\r\n",
                raw.call("config", "set", "dbfilename", "a/b.rdb"));
            assertEquals("OK", j.configSet("save", "1 1"));
            j.set("a", "1");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!info(j).get("rdb_saves").equals("1") && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            Map<String, String> f = awaitBgsave(j);
            assertEquals("1", f.get("rdb_saves"));
            assertEquals("ok", f.get("rdb_last_bgsave_status"));
            assertTrue(Files.exists(dir.resolve("dump.rdb")));
            for (String field : List.of("loading", "rdb_changes_since_last_save", "rdb_bgsave_in_progress",
                "rdb_last_save_time", "rdb_last_bgsave_time_sec", "rdb_current_bgsave_time_sec",
                "rdb_snapshot_preserved_bytes", "rdb_last_load_keys_loaded")) {
                assertTrue(f.containsKey(field), field);
            }
            assertEquals("-1", f.get("rdb_current_bgsave_time_sec"));
            assertEquals("OK", j.configSet("save", ""));
            assertEquals("", j.configGet("save").get("save"));
        }
        // as redis.conf: the first save directive replaces the defaults, the next ones add points
        try (TestServer s = TestServer.start("--save", "900 1", "--save", "300 10"); Jedis j = s.jedis()) {
            assertEquals("900 1 300 10", j.configGet("save").get("save"));
            assertEquals("OK", j.configSet("save", "60 5"));
            assertEquals("60 5", j.configGet("save").get("save"));
        }
    }
}
