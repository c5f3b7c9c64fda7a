package io.strata.server;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * stream-node-max-bytes and stream-node-max-entries: CONFIG GET/SET with redis-server 7.0's
 * error texts, the command line and the config file, and the node layout they produce. Against
 * the Debian redis-server configured the same way (skipped when it is not installed), the same
 * XADD/XDEL/XTRIM sequence must give the same radix-tree-keys, the same XINFO STREAM FULL and
 * byte-identical DUMP payloads (so the RDB listpacks match), before and after DEBUG RELOAD, and
 * a dump.rdb saved by Strata must load in redis-server with the same nodes.
 */
class StreamNodeConfigTest {
    @TempDir
    Path dir;

    private static String configError(String name, String reason) {
        return "ERR CONFIG SET failed (possibly related to argument '" + name + "') - " + reason;
    }

    @Test
    @DisplayName("CONFIG GET shows the defaults 4096 and 100; CONFIG SET takes memory units for the bytes, plain integers for the entries, and refuses the rest word for word as redis-server 7.0")
    void configGetSet() {
        try (TestServer s = TestServer.start("--save", ""); Jedis j = s.jedis()) {
            assertEquals(Map.of("stream-node-max-bytes", "4096", "stream-node-max-entries", "100"), j.configGet("stream-node-*"));
            assertEquals("OK", j.configSet("stream-node-max-bytes", "1kb"));
            assertEquals("OK", j.configSet("stream-node-max-entries", "7"));
            assertEquals(Map.of("stream-node-max-bytes", "1024", "stream-node-max-entries", "7"), j.configGet("stream-node-*"));
            assertEquals("OK", j.configSet("stream-node-max-bytes", "0"));
            assertEquals("OK", j.configSet("stream-node-max-entries", "9223372036854775807"));
            String bytes = "stream-node-max-bytes";
            String entries = "stream-node-max-entries";
            String[][] refused = {
                {bytes, "-1", "argument must be a memory value"},
                {bytes, "abc", "argument must be a memory value"},
                {bytes, "+5", "argument must be a memory value"},
                {bytes, "9223372036854775808", "argument must be between 0 and 9223372036854775807 inclusive"},
                {entries, "-1", "argument must be between 0 and 9223372036854775807 inclusive"},
                {entries, "abc", "argument couldn't be parsed into an integer"},
                {entries, "1k", "argument couldn't be parsed into an integer"},
                {entries, "05", "argument couldn't be parsed into an integer"},
                {entries, "+5", "argument couldn't be parsed into an integer"},
                {entries, "9223372036854775808", "argument couldn't be parsed into an integer"},
            };
            for (String[] r : refused) {
                JedisDataException e = assertThrows(JedisDataException.class, () -> j.configSet(r[0], r[1]), r[0] + " " + r[1]);
                assertEquals(configError(r[0], r[2]), e.getMessage(), r[0] + " " + r[1]);
            }
            assertEquals(Map.of("stream-node-max-bytes", "0", "stream-node-max-entries", "9223372036854775807"),
                j.configGet("stream-node-*"));
        }
    }

    @Test
    @DisplayName("Set on the command line or in the config file, the limits cut XADD's nodes: 10 entries with stream-node-max-entries 3 make 4 nodes, and a node stops short of stream-node-max-bytes")
    void commandLineAndConfigFile() throws Exception {
        try (TestServer s = TestServer.start("--save", "", "--stream-node-max-entries", "3"); Jedis j = s.jedis()) {
            assertEquals("3", j.configGet("stream-node-max-entries").get("stream-node-max-entries"));
            for (int i = 1; i <= 10; i++) {
                j.sendCommand(() -> "XADD".getBytes(), "s", i + "-0", "f", "v");
            }
            assertEquals(4L, radixTreeKeys(j, "s"));
        }
        Path conf = dir.resolve("strata.conf");
        int port = RedisServerProcess.freePort();
        Files.writeString(conf, "port " + port + "\nbind 127.0.0.1\nsave \"\"\ndir " + dir + "\n"
            + "stream-node-max-bytes 200\nstream-node-max-entries 0\n");
        try (TestServer s = TestServer.startFromFile(conf); Jedis j = new Jedis("127.0.0.1", port, 10_000)) {
            assertEquals(Map.of("stream-node-max-bytes", "200", "stream-node-max-entries", "0"), j.configGet("stream-node-*"));
            // a node's listpack: 17 bytes with the master entry, then 2 + 2 + 2 + (1 + 20 + 1) + 2 = 30 per entry
            for (int i = 1; i <= 12; i++) {
                j.sendCommand(() -> "XADD".getBytes(), "s", i + "-0", "f", "x".repeat(20));
            }
            // 17 + 30 * k plus the next entry's 21 field and value bytes reaches 200 at k = 6: two nodes of 6
            assertEquals(2L, radixTreeKeys(j, "s"));
        }
    }

    @SuppressWarnings("unchecked")
    private static long radixTreeKeys(Jedis j, String key) {
        List<Object> info = (List<Object>) j.sendCommand(() -> "XINFO".getBytes(), "STREAM", key);
        for (int i = 0; i < info.size(); i += 2) {
            if (new String((byte[]) info.get(i)).equals("radix-tree-keys")) {
                return (Long) info.get(i + 1);
            }
        }
        throw new AssertionError("no radix-tree-keys in XINFO STREAM");
    }

    /** The node limits the differential cases run with: {bytes, entries}. */
    private static final String[][] LIMITS = {{"4096", "100"}, {"4096", "3"}, {"300", "0"}, {"1kb", "7"}, {"0", "0"}, {"0", "2"}};

    /**
     * One deterministic sequence for a stream: entries with the master's fields and with others,
     * numbers (which listpacks store as integers), values of 1, 70 and 5000 bytes (the three
     * string header widths), ids far apart (wide ms deltas), deletions that empty a node or leave
     * tombstones, an exact and an approximate trim.
     */
    private static List<String[]> sequence(String key, long seed) {
        Random rnd = new Random(seed);
        List<String[]> cmds = new ArrayList<>();
        long ms = 1;
        for (int i = 0; i < 400; i++) {
            ms += rnd.nextInt(10) == 0 ? 1L << (10 + rnd.nextInt(30)) : rnd.nextInt(3);
            String id = ms + "-" + i;
            int shape = rnd.nextInt(10);
            String value = shape == 0 ? "y".repeat(70) : shape == 1 ? "z".repeat(5000) : shape < 4 ? Integer.toString(rnd.nextInt() >> rnd.nextInt(31))
                : "v" + i;
            if (shape == 9) {
                cmds.add(new String[] {"XADD", key, id, "other", value, "n", Integer.toString(i)});
            } else {
                cmds.add(new String[] {"XADD", key, id, "f", value, "n", Integer.toString(i)});
            }
            if (rnd.nextInt(8) == 0) {
                cmds.add(new String[] {"XDEL", key, cmds.get(rnd.nextInt(cmds.size()))[2]});
            }
        }
        cmds.add(new String[] {"XTRIM", key, "MAXLEN", "350"});
        cmds.add(new String[] {"XTRIM", key, "MAXLEN", "~", "200"});
        cmds.add(new String[] {"XADD", key, "MAXLEN", "~", "150", (ms + 1) + "-0", "f", "last"});
        return cmds;
    }

    /**
     * What must be identical: the rax key count, XINFO STREAM FULL (entries and metadata; the rax's
     * inner node count is Redis' own business) and the DUMP payload.
     */
    private static List<Object> capture(Jedis j, int port, String key) throws Exception {
        List<Object> out = new ArrayList<>();
        out.add(radixTreeKeys(j, key));
        try (RawClient c = new RawClient(port)) {
            String full = c.call("XINFO", "STREAM", key, "FULL", "COUNT", "0");
            out.add(StreamCommandsTest.flat(full).replaceAll("radix-tree-nodes,\\d+,", ""));
        }
        out.add(Arrays.toString(j.dump(key)));
        return out;
    }

    @Test
    @DisplayName("With each node limit set alike on both, Strata and redis-server 7.0 give the same radix-tree-keys, XINFO STREAM FULL and DUMP bytes, before and after DEBUG RELOAD and after appending under other limits")
    void sameNodesAsRedis() throws Exception {
        assumeTrue(RedisServerProcess.available(), "redis-server not installed");
        try (RedisServerProcess r = RedisServerProcess.start("--enable-debug-command", "yes", "--rdbcompression", "no");
             Jedis rj = new Jedis("127.0.0.1", r.port(), 30_000);
             TestServer s = TestServer.start("--save", "", "--enable-debug-command", "yes"); Jedis sj = s.jedis()) {
            for (int c = 0; c < LIMITS.length; c++) {
                String key = "s" + c;
                for (Jedis j : List.of(rj, sj)) {
                    j.configSet("stream-node-max-bytes", LIMITS[c][0]);
                    j.configSet("stream-node-max-entries", LIMITS[c][1]);
                }
                for (String[] cmd : sequence(key, c)) {
                    String shown = String.join(" ", cmd);
                    assertEquals(reply(rj, cmd), reply(sj, cmd), shown.substring(0, Math.min(80, shown.length())));
                }
                assertEquals(capture(rj, r.port(), key), capture(sj, s.port(), key), "limits " + Arrays.toString(LIMITS[c]));
            }
            List<List<Object>> before = new ArrayList<>();
            for (int c = 0; c < LIMITS.length; c++) {
                before.add(capture(rj, r.port(), "s" + c));
            }
            assertEquals("OK", Tiering.debug(rj, "RELOAD"));
            assertEquals("OK", Tiering.debug(sj, "RELOAD"));
            for (int c = 0; c < LIMITS.length; c++) {
                assertEquals(before.get(c), capture(rj, r.port(), "s" + c), "redis-server after DEBUG RELOAD, limits " + Arrays.toString(LIMITS[c]));
                assertEquals(before.get(c), capture(sj, s.port(), "s" + c), "Strata after DEBUG RELOAD, limits " + Arrays.toString(LIMITS[c]));
            }
            // loaded nodes take appends under whatever limits are set now
            for (Jedis j : List.of(rj, sj)) {
                j.configSet("stream-node-max-bytes", "4096");
                j.configSet("stream-node-max-entries", "5");
                for (int c = 0; c < LIMITS.length; c++) {
                    for (int i = 0; i < 12; i++) {
                        j.sendCommand(() -> "XADD".getBytes(), "s" + c, "4611686018427387904-" + i, "f", "after" + i);
                    }
                }
            }
            for (int c = 0; c < LIMITS.length; c++) {
                assertEquals(capture(rj, r.port(), "s" + c), capture(sj, s.port(), "s" + c), "after reload and appends, limits " + Arrays.toString(LIMITS[c]));
            }
        }
    }

    @Test
    @DisplayName("With stream-node-max-entries 0 an approximate trim without LIMIT still stops at 10000 entries, as redis-server 7.0 caps it")
    void approximateTrimCapWithoutEntryLimit() throws Exception {
        assumeTrue(RedisServerProcess.available(), "redis-server not installed");
        try (RedisServerProcess r = RedisServerProcess.start(); Jedis rj = new Jedis("127.0.0.1", r.port(), 30_000);
             TestServer s = TestServer.start("--save", ""); Jedis sj = s.jedis()) {
            for (Jedis j : List.of(rj, sj)) {
                j.configSet("stream-node-max-entries", "0");
                j.configSet("stream-node-max-bytes", "0");
                redis.clients.jedis.Pipeline p = j.pipelined();
                for (int i = 1; i <= 10_001; i++) {
                    p.sendCommand(() -> "XADD".getBytes(), "big", i + "-0", "f", "v");
                }
                p.sync();
            }
            for (String[] cmd : new String[][] {{"XTRIM", "big", "MAXLEN", "~", "0"}, {"XINFO", "STREAM", "big"},
                {"XTRIM", "big", "MAXLEN", "~", "0", "LIMIT", "20000"}, {"XLEN", "big"}}) {
                try (RawClient rc = new RawClient(r.port()); RawClient sc = new RawClient(s.port())) {
                    String expected = StreamCommandsTest.flat(rc.call(cmd)).replaceAll("radix-tree-nodes,\\d+,", "");
                    assertEquals(expected, StreamCommandsTest.flat(sc.call(cmd)).replaceAll("radix-tree-nodes,\\d+,", ""),
                        String.join(" ", cmd));
                }
            }
        }
    }

    private static Object reply(Jedis j, String[] cmd) {
        try {
            Object o = j.sendCommand(() -> cmd[0].getBytes(), Arrays.copyOfRange(cmd, 1, cmd.length));
            return o instanceof byte[] ? new String((byte[]) o) : o;
        } catch (JedisDataException e) {
            return "!" + e.getMessage();
        }
    }

    @Test
    @DisplayName("A dump.rdb Strata saves with stream-node-max-entries 4 loads in redis-server 7.0 with the same nodes, entries and DUMP bytes, tombstones included")
    void rdbToRedis() throws Exception {
        assumeTrue(RedisServerProcess.available(), "redis-server not installed");
        List<Object> strata;
        try (TestServer s = TestServer.start("--dir", dir.toString(), "--save", "", "--stream-node-max-entries", "4");
             Jedis j = s.jedis()) {
            for (String[] cmd : sequence("s", 42)) {
                reply(j, cmd);
            }
            strata = capture(j, s.port(), "s");
            assertEquals("OK", j.save());
        }
        try (RedisServerProcess r = RedisServerProcess.startIn(dir, "--save", "", "--rdbcompression", "no");
             Jedis j = new Jedis("127.0.0.1", r.port(), 30_000)) {
            for (int i = 0; i < 500 && j.info("persistence").contains("loading:1"); i++) {
                Thread.sleep(10);
            }
            assertEquals(strata, capture(j, r.port(), "s"));
        }
    }
}
