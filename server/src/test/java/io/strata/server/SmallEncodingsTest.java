package io.strata.server;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The compact in-memory forms of small hashes, sets, sorted sets and lists (one array kept by
 * the key's entry) behind Redis 7.0's OBJECT ENCODING: the encoding answers and conversions Redis
 * gives, and the packed values going through every path that moves a value — DUMP/RESTORE,
 * RENAME, MOVE, COPY, DEBUG RELOAD (RDB), the spill tier, MULTI — unchanged.
 */
class SmallEncodingsTest {
    /** Commands and the OBJECT ENCODING of key k after each, as redis-server 7.0 answers. */
    private static final List<Object[]> STEPS = new ArrayList<>();

    static {
        String v64 = "x".repeat(64);
        String v65 = "x".repeat(65);
        step("listpack", "HSET", "k", "f", "v");
        step("listpack", "HSET", "k", "f2", v64);
        step("hashtable", "HSET", "k", "f3", v65);
        step("hashtable", "HDEL", "k", "f3");
        step(null, "DEL", "k");
        step("intset", "SADD", "k", "1", "2", "-3");
        step("hashtable", "SADD", "k", "a");
        step("hashtable", "SREM", "k", "a");
        step(null, "DEL", "k");
        step("hashtable", "SADD", "k", "a", "b");
        step("hashtable", "SADD", "k", v65);
        step(null, "DEL", "k");
        step("listpack", "ZADD", "k", "1", "a", "2", "b");
        step("listpack", "ZINCRBY", "k", "5", "a");
        step("skiplist", "ZADD", "k", "3", v65);
        step("skiplist", "ZREM", "k", v65);
        step(null, "DEL", "k");
        step("quicklist", "RPUSH", "k", "a", "b");
        step("quicklist", "RPUSH", "k", v65);
        step(null, "DEL", "k");
        step(null, "ZADD", "src", "1", "a", "2", "b");
        step("listpack", "ZUNIONSTORE", "k", "1", "src");
        step(null, "DEL", "k");
    }

    private static void step(String encoding, String... command) {
        STEPS.add(new Object[] {encoding, command});
    }

    private static String encoding(Jedis j) {
        return j.exists("k") ? j.objectEncoding("k") : null;
    }

    @Test
    @DisplayName("OBJECT ENCODING of small and converted hashes, sets, zsets and lists answers as Redis 7.0, across the limits")
    void encodingsAsRedis() {
        try (TestServer s = TestServer.start(); Jedis j = s.jedis()) {
            for (Object[] st : STEPS) {
                String[] cmd = (String[]) st[1];
                j.sendCommand(() -> cmd[0].getBytes(), java.util.Arrays.copyOfRange(cmd, 1, cmd.length));
                assertEquals(st[0], encoding(j), String.join(" ", cmd));
            }
            // more entries than the limits (Redis 7.0's defaults: 512 hash fields, 512 intset
            // members, 128 zset members)
            for (int i = 0; i < 513; i++) {
                j.hset("h", "f" + i, "v");
                j.sadd("i", Integer.toString(i));
                if (i < 129) {
                    j.zadd("z", i, "m" + i);
                }
                if (i == 511) {
                    assertEquals(List.of("listpack", "intset"), List.of(j.objectEncoding("h"), j.objectEncoding("i")));
                }
            }
            assertEquals("hashtable", j.objectEncoding("h"));
            assertEquals("skiplist", j.objectEncoding("z"));
            assertEquals("hashtable", j.objectEncoding("i"));
            assertEquals(513, j.hlen("h"));
            assertEquals(513, j.scard("i"));
            // SORT turns a listpack zset into a skiplist for good, as Redis does
            j.zadd("zs", 1, "7");
            j.sort("zs");
            assertEquals("skiplist", j.objectEncoding("zs"));
        }
    }

    @Test
    @DisplayName("The same encoding steps give the same OBJECT ENCODING replies from redis-server 7.0")
    void sameAsRedisServer() throws Exception {
        Assumptions.assumeTrue(RedisServerProcess.available(), "needs redis-server");
        try (RedisServerProcess redis = RedisServerProcess.start(); Jedis j = new Jedis("127.0.0.1", redis.port())) {
            for (Object[] st : STEPS) {
                String[] cmd = (String[]) st[1];
                j.sendCommand(() -> cmd[0].getBytes(), java.util.Arrays.copyOfRange(cmd, 1, cmd.length));
                assertEquals(st[0], encoding(j), "redis-server after " + String.join(" ", cmd));
            }
        }
    }

    /** One small value of every type, under keys h, s, i, z, l. */
    private static void fill(Jedis j) {
        j.hset("h", "f1", "v1");
        j.hset("h", "f2", "v2");
        j.hset("h", "f3", "v3");
        j.sadd("s", "m1", "m2", "m3");
        j.sadd("i", "3", "-70000", "5000000000");
        j.zadd("z", Map.of("a", 1.0, "b", 2.5, "c", -1e10));
        j.rpush("l", "e1", "e2", "e3");
    }

    /** The contents of h, s, i, z, l in a comparable form. */
    private static String contents(Jedis j, String suffix) {
        return new java.util.TreeMap<>(j.hgetAll("h" + suffix)) + " " + new java.util.TreeSet<>(j.smembers("s" + suffix)) + " "
            + new java.util.TreeSet<>(j.smembers("i" + suffix)) + " " + j.zrangeWithScores("z" + suffix, 0, -1) + " "
            + j.lrange("l" + suffix, 0, -1);
    }

    private static final String EXPECTED = "{f1=v1, f2=v2, f3=v3} [m1, m2, m3] [-70000, 3, 5000000000] "
        + "[[c,-1.0E10], [a,1.0], [b,2.5]] [e1, e2, e3]";

    @Test
    @DisplayName("Packed values come back whole from DUMP/RESTORE, RENAME, MOVE, COPY, DEBUG RELOAD and a restart")
    void packedValuesMove() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("strata-small");
        try (TestServer s = TestServer.start("--dir", dir.toString(), "--enable-debug-command", "yes"); Jedis j = s.jedis()) {
            fill(j);
            assertEquals(EXPECTED, contents(j, ""));
            for (String k : List.of("h", "s", "i", "z", "l")) {
                byte[] dump = j.dump(k);
                j.restore(k + "R", 0, dump);
                j.copy(k, k + "C", false);
                j.rename(k, k + "N");
                j.rename(k + "N", k);
            }
            assertEquals(EXPECTED, contents(j, "R"));
            assertEquals(EXPECTED, contents(j, "C"));
            assertEquals(EXPECTED, contents(j, ""));
            // a copy is independent of its source
            j.hset("hC", "f1", "changed");
            j.sadd("sC", "m4");
            j.zadd("zC", 9, "a");
            assertEquals(EXPECTED, contents(j, ""));
            assertNotEquals(EXPECTED, contents(j, "C"));
            j.move("hR", 1);
            j.select(1);
            assertEquals(Map.of("f1", "v1", "f2", "v2", "f3", "v3"), j.hgetAll("hR"));
            assertEquals("listpack", j.objectEncoding("hR"));
            j.select(0);
            assertEquals("OK", Tiering.debug(j, "RELOAD"));
            assertEquals(EXPECTED, contents(j, ""));
            assertEquals(EXPECTED, contents(j, "R").replace("{}", "{f1=v1, f2=v2, f3=v3}"), "hR moved to db 1");
            assertEquals(List.of("listpack", "hashtable", "intset", "listpack", "quicklist"),
                List.of(j.objectEncoding("h"), j.objectEncoding("s"), j.objectEncoding("i"), j.objectEncoding("z"),
                    j.objectEncoding("l")));
            j.save();
        }
        try (TestServer s = TestServer.start("--dir", dir.toString()); Jedis j = s.jedis()) {
            assertEquals(EXPECTED, contents(j, ""), "after a restart from the RDB");
            assertEquals("intset", j.objectEncoding("i"));
        }
    }

    @Test
    @DisplayName("Packed values go to the spill tier and back unchanged, and take changes after their promotion")
    void packedValuesSpill() {
        try (TestServer s = TestServer.start("--enable-debug-command", "yes", "--tier-spill", "yes", "--save", "");
             Jedis j = s.jedis()) {
            fill(j);
            for (String k : List.of("h", "s", "i", "z", "l")) {
                Tiering.spill(j, k);
                assertEquals("cold", Tiering.tier(j, k));
            }
            assertEquals(EXPECTED, contents(j, ""));
            assertEquals("hot", Tiering.tier(j, "h"));
            j.hset("h", "f4", "v4");
            j.zadd("z", 0, "d");
            j.sadd("s", "m4");
            Tiering.spill(j, "h");
            Tiering.spill(j, "z");
            Tiering.spill(j, "s");
            assertEquals("v4", j.hget("h", "f4"));
            assertEquals(0.0, j.zscore("z", "d"));
            assertTrue(j.sismember("s", "m4"));
        }
    }

    @Test
    @DisplayName("Several commands on one packed key in MULTI, and a conversion among them, see each other's changes")
    void transactionOnPackedKeys() {
        try (TestServer s = TestServer.start(); Jedis j = s.jedis()) {
            var t = j.multi();
            t.hset("h", "a", "1");
            t.hset("h", "b", "2");
            t.hincrBy("h", "a", 5);
            t.hset("h", "big", "x".repeat(100));
            t.hdel("h", "b");
            t.zadd("z", 1, "m");
            t.zincrby("z", 2, "m");
            t.sadd("s", "1");
            t.sadd("s", "x");
            t.srem("s", "1");
            t.exec();
            assertEquals(Map.of("a", "6", "big", "x".repeat(100)), j.hgetAll("h"));
            assertEquals("hashtable", j.objectEncoding("h"));
            assertEquals(3.0, j.zscore("z", "m"));
            assertEquals(Set.of("x"), j.smembers("s"));
            // SMOVE and ZUNIONSTORE onto one of their own sources
            j.sadd("s2", "y");
            j.smove("s", "s2", "x");
            assertEquals(Set.of("x", "y"), j.smembers("s2"));
            assertTrue(!j.exists("s"));
            j.zadd("z2", 5, "n");
            j.zunionstore("z", "z", "z2");
            assertEquals(List.of("m", "n"), j.zrange("z", 0, -1));
        }
    }
}
