package io.strata.server;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.Transaction;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.RestoreParams;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;

import static io.strata.server.Tiering.canonical;
import static io.strata.server.Tiering.spill;
import static io.strata.server.Tiering.spillAll;
import static io.strata.server.Tiering.tier;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The disk spill tier seen from a client: every type spills and comes back byte-exact, keyspace
 * commands answer on cold keys without promoting them, memory pressure demotes instead of evicting,
 * cold keys expire, a full spill tier falls back to maxmemory-policy, and snapshots, AOF rewrites,
 * SWAPDB, MOVE and WATCH see one keyspace over both tiers.
 */
class TieringTest {
    private static final String OOM = "OOM command not allowed when used memory > 'maxmemory'.";

    /** A server with the spill tier and DEBUG on, persistence off unless {@code extra} sets --save. */
    private static TestServer start(String... extra) {
        List<String> args = new ArrayList<>(List.of("--enable-debug-command", "yes", "--tier-spill", "yes"));
        if (!Arrays.asList(extra).contains("--save")) {
            args.addAll(List.of("--save", ""));
        }
        args.addAll(Arrays.asList(extra));
        return TestServer.start(args.toArray(new String[0]));
    }

    // ---------------------------------------------------------------- (a) every type

    /** One kind of value: how to build it, its type and encoding, and a read command that needs the value. */
    private record TypeCase(String name, String type, String encoding, BiConsumer<Jedis, String> create,
                            BiFunction<Jedis, String, Object> read) {
    }

    private static List<TypeCase> typeCases() {
        List<TypeCase> c = new ArrayList<>();
        BiFunction<Jedis, String, Object> get = (j, k) -> j.get(k.getBytes(StandardCharsets.UTF_8));
        c.add(new TypeCase("str-int", "string", "int", (j, k) -> j.set(k, "-1234567890123"), get));
        c.add(new TypeCase("str-short", "string", "embstr", (j, k) -> j.set(k, "héllo"), get));
        c.add(new TypeCase("str-100b", "string", "raw",
            (j, k) -> j.set(k.getBytes(StandardCharsets.UTF_8), Tiering.noise(1, 100)), get));
        c.add(new TypeCase("str-100kb-random", "string", "raw", (j, k) -> {
            byte[] v = new byte[100 * 1024];
            new Random(2).nextBytes(v); // binary, incompressible
            j.set(k.getBytes(StandardCharsets.UTF_8), v);
        }, get));
        c.add(new TypeCase("str-100kb-repetitive", "string", "raw", (j, k) -> j.set(k, "abcdefgh".repeat(12_800)), get));
        BiFunction<Jedis, String, Object> lrange = (j, k) -> j.lrange(k, 0, -1);
        c.add(new TypeCase("list-small", "list", "quicklist", (j, k) -> j.rpush(k, "a", "b", "12", "-7", "é"), lrange));
        c.add(new TypeCase("list-large", "list", "quicklist", (j, k) -> {
            String[] els = new String[3000];
            for (int i = 0; i < els.length; i++) {
                els[i] = i % 5 == 0 ? Integer.toString(i * 7919) : "element-" + i + "-" + "z".repeat(i % 40);
            }
            j.rpush(k, els);
            j.rpush(k, "L".repeat(20_000)); // one element larger than a quicklist node
        }, lrange));
        BiFunction<Jedis, String, Object> hgetall = (j, k) -> canonical(j.hgetAll(k));
        c.add(new TypeCase("hash-small", "hash", "listpack", (j, k) -> {
            for (int i = 0; i < 8; i++) {
                j.hset(k, "f" + i, i % 2 == 0 ? Integer.toString(i * 100) : "value-" + i);
            }
        }, hgetall));
        c.add(new TypeCase("hash-large", "hash", "hashtable", (j, k) -> {
            Map<String, String> m = new LinkedHashMap<>();
            for (int i = 0; i < 1000; i++) {
                m.put("field-" + i, i % 3 == 0 ? Integer.toString(i) : "v" + i + "x".repeat(i % 50));
            }
            j.hset(k, m);
        }, hgetall));
        BiFunction<Jedis, String, Object> smembers = (j, k) -> canonical(j.smembers(k));
        c.add(new TypeCase("set-intset", "set", "intset", (j, k) -> j.sadd(k, "1", "-5", "300000", "9223372036854775807"),
            smembers));
        c.add(new TypeCase("set-intset-large", "set", "intset", (j, k) -> {
            String[] m = new String[500];
            for (int i = 0; i < m.length; i++) {
                m[i] = Integer.toString(i * 31 - 4000);
            }
            j.sadd(k, m);
        }, smembers));
        c.add(new TypeCase("set-hashtable", "set", "hashtable", (j, k) -> {
            String[] m = new String[1000];
            for (int i = 0; i < m.length; i++) {
                m[i] = i % 4 == 0 ? Integer.toString(i) : "member-" + i;
            }
            j.sadd(k, m);
        }, smembers));
        BiFunction<Jedis, String, Object> zrange = (j, k) -> canonical(j.zrangeWithScores(k, 0, -1));
        c.add(new TypeCase("zset-listpack", "zset", "listpack", (j, k) -> {
            for (int i = 0; i < 10; i++) {
                j.zadd(k, i * 1.5 - 3, "m" + i);
            }
            j.zadd(k, Double.POSITIVE_INFINITY, "inf");
        }, zrange));
        c.add(new TypeCase("zset-skiplist", "zset", "skiplist", (j, k) -> {
            Map<String, Double> m = new LinkedHashMap<>();
            Random r = new Random(3);
            for (int i = 0; i < 300; i++) {
                m.put("member-" + i, r.nextGaussian() * 1e6);
            }
            m.put("ninf", Double.NEGATIVE_INFINITY);
            j.zadd(k, m);
        }, zrange));
        BiFunction<Jedis, String, Object> bitcount = (j, k) -> j.bitcount(k) + "/" + canonical(j.get(k.getBytes()));
        c.add(new TypeCase("bitmap-small", "string", "raw", (j, k) -> {
            j.setbit(k, 7, true);
            j.setbit(k, 100, true);
        }, bitcount));
        c.add(new TypeCase("bitmap-large", "string", "raw", (j, k) -> {
            Random r = new Random(4);
            for (int i = 0; i < 2000; i++) {
                j.setbit(k, r.nextInt(800_000), true);
            }
            j.setbit(k, 800_000, true); // 100 001 bytes, mostly zero
        }, bitcount));
        // PFCOUNT may write the cached cardinality into the header: the first read (before DUMP)
        // does that, so the value is stable from then on
        BiFunction<Jedis, String, Object> pfcount = (j, k) -> j.pfcount(k);
        c.add(new TypeCase("hll-sparse", "string", "raw", (j, k) -> j.pfadd(k, "a", "b", "c", "d", "e"), pfcount));
        c.add(new TypeCase("hll-dense", "string", "raw", (j, k) -> {
            String[] els = new String[5000];
            for (int i = 0; i < els.length; i++) {
                els[i] = "element-" + i;
            }
            j.pfadd(k, els);
        }, pfcount));
        return c;
    }

    @Test
    @DisplayName("Every type and encoding, small and large, with and without TTL, demoted by DEBUG SPILL: TYPE, EXISTS, PTTL and OBJECT answer while it stays cold, a read promotes it and DUMP and PEXPIRETIME are byte-exact")
    void everyTypeRoundTripsThroughTheSpillTier() throws Exception {
        try (TestServer s = start(); Jedis j = s.jedis(); RawClient raw = new RawClient(s.port())) {
            List<TypeCase> cases = typeCases();
            Map<String, TypeCase> byKey = new LinkedHashMap<>();
            long ttlBase = 3_600_000;
            int n = 0;
            for (TypeCase tc : cases) {
                for (boolean ttl : new boolean[] {false, true}) {
                    String k = tc.name + (ttl ? ":ttl" : "");
                    tc.create.accept(j, k);
                    if (ttl) {
                        assertEquals(1L, j.pexpire(k, ttlBase + 1000L * n++));
                    }
                    byKey.put(k, tc);
                }
            }
            Map<String, Object> reads = new LinkedHashMap<>();
            Map<String, byte[]> dumps = new LinkedHashMap<>();
            Map<String, Long> pttls = new LinkedHashMap<>();
            Map<String, Long> expireAt = new LinkedHashMap<>();
            Map<String, String> encodings = new LinkedHashMap<>();
            for (var e : byKey.entrySet()) {
                String k = e.getKey();
                TypeCase tc = e.getValue();
                reads.put(k, canonical(tc.read.apply(j, k)));
                assertEquals(tc.type, j.type(k), k);
                assertEquals(tc.encoding, j.objectEncoding(k), "the case builds the encoding it names: " + k);
                // a short string written as raw (SETBIT, PFADD) is checked by shortRawStringKeepsItsEncoding
                encodings.put(k, tc.encoding.equals("raw") && j.strlen(k) <= 44 ? "raw or embstr" : tc.encoding);
                dumps.put(k, j.dump(k));
                pttls.put(k, j.pttl(k));
                expireAt.put(k, j.pexpireTime(k));
                assertEquals("hot", tier(j, k), k);
            }

            assertEquals("-ERR no such key\r\n", raw.call("debug", "spill", "no-such-key"));
            assertEquals("+none\r\n", raw.call("debug", "tier", "no-such-key"));
            long demotionsBefore = Tiering.info(j, "tier_demotions");
            for (String k : byKey.keySet()) {
                assertEquals("+OK\r\n", raw.call("debug", "spill", k), k);
                assertEquals("+cold\r\n", raw.call("debug", "tier", k), k);
            }
            int total = byKey.size();
            Map<String, String> f = Tiering.info(j);
            assertEquals("1", f.get("tier_spill"));
            assertEquals(Integer.toString(total), f.get("tier_cold_keys"));
            assertEquals("0", f.get("tier_hot_keys"));
            assertTrue(Long.parseLong(f.get("tier_demotions")) >= demotionsBefore + total, "tier_demotions " + f);
            assertTrue(Long.parseLong(f.get("tier_spill_stored_bytes")) > 300_000, "the 100 KB values are on disk: " + f);
            long promotions = Long.parseLong(f.get("tier_promotions"));

            // keyspace commands answer from the cold tier and leave the keys there
            for (String k : byKey.keySet()) {
                TypeCase tc = byKey.get(k);
                assertTrue(j.exists(k), k);
                assertEquals(tc.type, j.type(k), k);
                assertEncoding(encodings.get(k), j.objectEncoding(k), "OBJECT ENCODING of cold " + k);
                assertTrue(j.objectIdletime(k) >= 0, k);
                assertEquals(expireAt.get(k), j.pexpireTime(k), "PEXPIRETIME of cold " + k);
                long pttl = j.pttl(k);
                if (pttls.get(k) < 0) {
                    assertEquals(-1L, pttl, k);
                    assertEquals(-1L, j.ttl(k), k);
                    assertEquals(-1L, j.expireTime(k), k);
                } else {
                    assertTrue(pttl <= pttls.get(k) && pttl > pttls.get(k) - 60_000, k + " pttl " + pttl + " was " + pttls.get(k));
                    assertEquals((expireAt.get(k) + 500) / 1000, j.expireTime(k), k);
                }
                assertEquals("cold", tier(j, k), "still cold after TYPE/EXISTS/PTTL/OBJECT: " + k);
            }
            assertEquals(total, j.dbSize());
            assertEquals(byKey.keySet(), j.keys("*"));
            assertEquals(Set.of("zset-listpack", "zset-listpack:ttl", "zset-skiplist", "zset-skiplist:ttl"),
                scanAll(j, new ScanParams().count(7), "zset"));
            assertEquals(Set.of("list-small", "list-small:ttl"), scanAll(j, new ScanParams().match("list-s*"), null));
            for (int i = 0; i < 20; i++) {
                assertTrue(byKey.containsKey(j.randomKey()));
            }
            assertEquals(total, Tiering.info(j, "tier_cold_keys"), "no key was promoted by the keyspace commands");
            assertEquals(promotions, Tiering.info(j, "tier_promotions"));

            // a read that needs the value promotes; the value is the same to the byte
            List<String> dumpDiffers = new ArrayList<>();
            for (var e : byKey.entrySet()) {
                String k = e.getKey();
                assertEquals(reads.get(k), canonical(e.getValue().read.apply(j, k)), "read of promoted " + k);
                assertEquals("hot", tier(j, k), "promoted by the read: " + k);
                byte[] dump = j.dump(k);
                if (e.getValue().encoding.equals("hashtable")) {
                    // a hashtable's iteration order is not part of the value: Redis' own DUMP of a
                    // hashtable set or hash changes across DEBUG RELOAD; the read above compared the content
                    assertEquals(dumps.get(k).length, dump.length, "DUMP length of " + k);
                } else if (!Arrays.equals(dumps.get(k), dump)) {
                    dumpDiffers.add(k);
                }
                assertEquals(expireAt.get(k), j.pexpireTime(k), k);
                assertEncoding(encodings.get(k), j.objectEncoding(k), "OBJECT ENCODING of promoted " + k);
            }
            assertEquals(List.of(), dumpDiffers, "keys whose DUMP changed after a round trip through the spill tier");
            f = Tiering.info(j);
            assertEquals("0", f.get("tier_cold_keys"));
            assertEquals(Integer.toString(total), f.get("tier_hot_keys"));
            assertTrue(Long.parseLong(f.get("tier_promotions")) >= promotions + total, f.toString());
            assertTrue(Long.parseLong(f.get("tier_cold_reads")) >= total, f.toString());
        }
    }

    private static void assertEncoding(String expected, String actual, String what) {
        if (expected.equals("raw or embstr")) {
            assertTrue(actual.equals("raw") || actual.equals("embstr"), what + ": " + actual);
        } else {
            assertEquals(expected, actual, what);
        }
    }

    @Test
    @DisplayName("A short string written as raw (SETBIT, APPEND, PFADD) keeps OBJECT ENCODING raw while cold and after promotion, as it has while hot")
    void shortRawStringKeepsItsEncoding() throws Exception {
        try (TestServer s = start(); Jedis j = s.jedis()) {
            j.setbit("bits", 7, true);
            j.set("appended", "a");
            j.append("appended", "b");
            j.pfadd("hll", "a", "b");
            for (String k : List.of("bits", "appended", "hll")) {
                assertEquals("raw", j.objectEncoding(k), k);
                spill(j, k);
                assertEquals("raw", j.objectEncoding(k), "OBJECT ENCODING of cold " + k);
                j.get(k);
                assertEquals("hot", tier(j, k));
                assertEquals("raw", j.objectEncoding(k), "OBJECT ENCODING of promoted " + k);
            }
        }
    }

    private static Set<String> scanAll(Jedis j, ScanParams params, String type) {
        Set<String> seen = new HashSet<>();
        String cursor = ScanParams.SCAN_POINTER_START;
        int rounds = 0;
        do {
            ScanResult<String> r = type == null ? j.scan(cursor, params) : j.scan(cursor, params, type);
            seen.addAll(r.getResult());
            cursor = r.getCursor();
            assertTrue(++rounds < 1_000_000, "SCAN does not end");
        } while (!cursor.equals("0"));
        return seen;
    }

    @Test
    @DisplayName("OBJECT FREQ (LFU) and OBJECT IDLETIME (LRU) of a cold key answer the counters it had, without promoting it")
    void objectCountersOfColdKeys() throws Exception {
        try (TestServer s = start("--maxmemory-policy", "allkeys-lfu"); Jedis j = s.jedis()) {
            j.set("lfu", "v");
            for (int i = 0; i < 300; i++) {
                j.get("lfu");
            }
            long before = j.objectFreq("lfu");
            assertTrue(before > 5, "freq " + before);
            spill(j, "lfu");
            long freq = j.objectFreq("lfu");
            assertTrue(freq <= before && freq >= before - 1, "OBJECT FREQ of the cold key " + freq + ", was " + before);
            assertEquals("cold", tier(j, "lfu"));
        }
        try (TestServer s = start("--maxmemory-policy", "allkeys-lru"); Jedis j = s.jedis()) {
            j.set("f", "v");
            byte[] payload = j.dump("f");
            assertEquals("OK", j.restore("lru", 0, payload, RestoreParams.restoreParams().idleTime(1000)));
            spill(j, "lru");
            long idle = j.objectIdletime("lru");
            assertTrue(idle >= 1000 && idle < 1100, "OBJECT IDLETIME of the cold key " + idle);
            assertEquals("cold", tier(j, "lru"));
            assertEquals("v", j.get("lru"));
            assertEquals("hot", tier(j, "lru"));
        }
    }

    @Test
    @DisplayName("Writes to cold keys see the cold value: INCR, APPEND, pushes, SET NX, RENAME, DEL, EXPIRE, PERSIST, GETDEL and overwrites never resurrect the old record")
    void writesToColdKeys() throws Exception {
        try (TestServer s = start(); Jedis j = s.jedis()) {
            j.set("int", "10");
            j.set("str", "abc");
            j.rpush("list", "a", "b");
            j.hset("hash", "f", "1");
            j.sadd("set", "x");
            j.zadd("zset", 1, "m");
            j.setbit("bits", 3, true);
            j.pfadd("hll", "a");
            j.set("over", "old");
            j.set("nx", "old");
            j.set("src", "moved");
            j.set("dst", "stale");
            j.set("del", "x");
            j.set("unlink", "x");
            j.set("exp", "x");
            j.set("pers", "x");
            j.pexpire("pers", 1_000_000);
            j.set("getdel", "gd");
            j.rpush("drain", "only");
            List<String> all = new ArrayList<>(j.keys("*"));
            spillAll(j, all);
            assertEquals(all.size(), Tiering.info(j, "tier_cold_keys"));

            assertEquals(11L, j.incr("int"));
            assertEquals(6L, j.append("str", "def"));
            assertEquals("abcdef", j.get("str"));
            assertEquals(3L, j.rpush("list", "c"));
            assertEquals(List.of("a", "b", "c"), j.lrange("list", 0, -1));
            assertEquals(1L, j.hset("hash", "g", "2"));
            assertEquals(Map.of("f", "1", "g", "2"), j.hgetAll("hash"));
            assertEquals(1L, j.sadd("set", "y"));
            assertEquals(Set.of("x", "y"), j.smembers("set"));
            assertEquals(0L, j.zadd("zset", 2, "m"));
            assertEquals(2.0, j.zscore("zset", "m"));
            assertFalse(j.setbit("bits", 4, true));
            assertEquals(2L, j.bitcount("bits"));
            assertEquals(0L, j.pfadd("hll", "a"));
            assertEquals(1L, j.pfcount("hll"));
            assertEquals("OK", j.set("over", "new"));
            assertEquals("hot", tier(j, "over"));
            assertEquals(0L, j.setnx("nx", "new"), "SETNX sees the cold key");
            assertEquals(0L, j.msetnx("nx", "new", "fresh", "1"), "MSETNX sees the cold key");
            assertEquals("old", j.get("nx"));
            assertFalse(j.exists("fresh"));
            assertEquals("OK", j.rename("src", "dst"));
            assertFalse(j.exists("src"));
            assertEquals("none", tier(j, "src"));
            assertEquals("moved", j.get("dst"));
            assertEquals(1L, j.del("del"));
            assertEquals(1L, j.unlink("unlink"));
            assertFalse(j.exists("del"));
            assertFalse(j.exists("unlink"));
            assertEquals(1L, j.pexpire("exp", 500_000));
            assertTrue(j.pttl("exp") > 400_000);
            assertEquals(1L, j.persist("pers"));
            assertEquals(-1L, j.pttl("pers"));
            assertEquals("gd", j.getDel("getdel"));
            assertNull(j.get("getdel"));
            assertEquals("only", j.lpop("drain"));
            assertFalse(j.exists("drain"), "popping the last element of a promoted list deletes the key");

            // the overwritten and deleted keys' old records stay dead, even after everything is demoted again
            List<String> left = new ArrayList<>(j.keys("*"));
            spillAll(j, left);
            Map<String, String> f = Tiering.info(j);
            assertEquals(Integer.toString(left.size()), f.get("tier_cold_keys"));
            assertEquals("0", f.get("tier_hot_keys"));
            assertEquals(left.size(), j.dbSize());
            assertEquals("new", j.get("over"));
            assertEquals("moved", j.get("dst"));
            assertEquals("11", j.get("int"));
            assertFalse(j.exists("del"));
            assertFalse(j.exists("src"));
            assertEquals(-1L, j.pttl("pers"));
            assertTrue(j.pttl("exp") > 400_000);
        }
    }

    // ---------------------------------------------------------------- (b) memory pressure

    private static String value(int i) {
        String seed = "value-" + i + "-";
        StringBuilder sb = new StringBuilder(200);
        while (sb.length() < 200) {
            sb.append(seed);
        }
        return sb.substring(0, 200);
    }

    /** SETs key:from..key:to-1 with {@link #value}, pipelined; every reply must be OK. */
    private static void load(Jedis j, int from, int to) {
        for (int base = from; base < to; base += 1000) {
            Pipeline p = j.pipelined();
            for (int i = base; i < Math.min(to, base + 1000); i++) {
                p.set("key:" + i, value(i));
            }
            for (Object r : p.syncAndReturnAll()) {
                assertEquals("OK", r instanceof Throwable t ? t.getMessage() : r);
            }
        }
    }

    @Test
    @DisplayName("Past maxmemory with allkeys-lru the coldest keys are demoted, not evicted: DBSIZE, INFO keyspace, KEYS, SCAN and RANDOMKEY cover both tiers without promoting, every value reads back, FLUSHALL empties both tiers")
    void memoryPressureDemotesInsteadOfEvicting() throws Exception {
        int n = 60_000;
        try (TestServer s = start("--maxmemory", "8mb", "--maxmemory-policy", "allkeys-lru"); Jedis j = s.jedis()) {
            long t0 = System.nanoTime();
            load(j, 0, n);
            long loadMs = (System.nanoTime() - t0) / 1_000_000;
            j.hset("h:0", "f", "v");
            spill(j, "h:0");
            n++;
            String infoText = j.info("tiering");
            assertTrue(infoText.startsWith("# Tiering\r\n"), infoText);
            Map<String, String> f = Tiering.info(j);
            long cold = Long.parseLong(f.get("tier_cold_keys"));
            long hot = Long.parseLong(f.get("tier_hot_keys"));
            assertTrue(cold > 0, "keys were demoted: " + f);
            assertEquals(n, cold + hot, "hot + cold keys: " + f);
            assertEquals(n, j.dbSize());
            assertEquals(n, Tiering.keyspaceKeys(j, 0));
            assertEquals(0L, Tiering.infoField(j, "stats", "evicted_keys"), "nothing is evicted while the spill tier has room");
            // maxmemory bounds the hot tier; used_memory also counts the cold keys' filters
            long used = Tiering.infoField(j, "memory", "used_memory");
            // (and the records on their way to the spill files, at most 4 MB)
            long filters = Long.parseLong(f.get("tier_filter_bytes"));
            long pending = Long.parseLong(f.get("tier_spill_pending_bytes"));
            assertTrue(pending >= 0 && pending <= 4L << 20, "pending " + pending);
            assertTrue(used - filters - pending <= 8L * 1024 * 1024,
                "used_memory " + used + " less filters " + filters + " and pending " + pending + " within maxmemory");
            assertEquals(8L * 1024 * 1024, Tiering.infoField(j, "memory", "maxmemory"));
            System.out.printf("TieringTest memory pressure: %d keys in %d ms, %d cold, %d hot, used_memory %d, spill file %s B, stored %s B%n",
                n, loadMs, cold, hot, used, f.get("tier_spill_file_bytes"), f.get("tier_spill_stored_bytes"));

            // keyspace-wide commands see every key once and promote nothing
            long promotions = Long.parseLong(f.get("tier_promotions"));
            Set<String> expected = new HashSet<>();
            for (int i = 0; i < n - 1; i++) {
                expected.add("key:" + i);
            }
            expected.add("h:0");
            long returned = 0;
            Set<String> seen = new HashSet<>();
            String cursor = ScanParams.SCAN_POINTER_START;
            do {
                ScanResult<String> r = j.scan(cursor, new ScanParams().count(1000));
                returned += r.getResult().size();
                seen.addAll(r.getResult());
                cursor = r.getCursor();
            } while (!cursor.equals("0"));
            assertEquals(expected, seen, "SCAN returns every key of both tiers");
            assertTrue(returned >= n);
            Set<String> matched = scanAll(j, new ScanParams().match("key:1234*").count(500), null);
            Set<String> wanted = new HashSet<>();
            for (String k : expected) {
                if (k.startsWith("key:1234")) {
                    wanted.add(k);
                }
            }
            assertEquals(wanted, matched);
            assertEquals(Set.of("h:0"), scanAll(j, new ScanParams().count(1000), "hash"));
            Set<String> keys = j.keys("*");
            assertEquals(n, keys.size());
            assertEquals(expected, keys);
            int coldRandom = 0;
            for (int i = 0; i < 200; i++) {
                String k = j.randomKey();
                assertTrue(expected.contains(k), "RANDOMKEY " + k);
                if (tier(j, k).equals("cold")) {
                    coldRandom++;
                }
            }
            assertTrue(coldRandom > 0, "RANDOMKEY also returns cold keys");
            assertEquals(promotions, Tiering.info(j, "tier_promotions"), "SCAN/KEYS/RANDOMKEY/DBSIZE promoted nothing");

            // every key reads back; values of a spread of keys are checked
            long coldReads = Tiering.info(j, "tier_cold_reads");
            for (int base = 0; base < n - 1; base += 5000) {
                Pipeline p = j.pipelined();
                List<Response<String>> got = new ArrayList<>();
                for (int i = base; i < Math.min(n - 1, base + 5000); i++) {
                    got.add(p.get("key:" + i));
                }
                p.sync();
                for (int i = 0; i < got.size(); i++) {
                    assertEquals(value(base + i), got.get(i).get(), "key:" + (base + i));
                }
            }
            f = Tiering.info(j);
            assertTrue(Long.parseLong(f.get("tier_promotions")) > promotions, f.toString());
            assertTrue(Long.parseLong(f.get("tier_cold_reads")) > coldReads, f.toString());
            assertEquals(n, j.dbSize());
            assertEquals(0L, Tiering.infoField(j, "stats", "evicted_keys"));

            assertEquals("OK", j.flushAll());
            assertEquals(0L, j.dbSize());
            f = Tiering.info(j);
            assertEquals("0", f.get("tier_cold_keys"));
            assertEquals("0", f.get("tier_hot_keys"));
            assertNull(j.get("key:1"));
            assertFalse(j.exists("h:0"));
            assertEquals(Set.of(), j.keys("*"));
            assertNull(j.randomKey());
            // the tier works again after the flush
            load(j, 0, 30_000);
            assertEquals(30_000L, j.dbSize());
            assertTrue(Tiering.info(j, "tier_cold_keys") > 0);
            assertEquals(value(17), j.get("key:17"));
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"allkeys-lru", "allkeys-lfu"})
    @DisplayName("The keys demoted under memory pressure are the cold ones: keys in use stay hot")
    void demotesTheColdestKeys(String policy) throws Exception {
        try (TestServer s = start("--maxmemory", "8mb", "--maxmemory-policy", policy); Jedis j = s.jedis()) {
            load(j, 0, 30_000);
            Thread.sleep(1100); // the LRU clock may have a resolution of a second, as Redis'
            List<String> used = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                used.add("key:" + (i * 7));
            }
            for (int round = 0; round < 20; round++) {
                Pipeline p = j.pipelined();
                for (String k : used) {
                    p.get(k);
                }
                p.sync();
                load(j, 30_000 + round * 1000, 31_000 + round * 1000);
            }
            int hot = 0;
            for (String k : used) {
                if (tier(j, k).equals("hot")) {
                    hot++;
                }
            }
            assertTrue(Tiering.info(j, "tier_cold_keys") > 10_000);
            // approximate, as Redis': the LRU clock counts seconds, so keys read this second tie
            // with keys written this second, and a sample of 5 sometimes holds only those
            assertTrue(hot >= 90, "of 100 keys in use, " + hot + " are hot");
            assertEquals(50_000, j.dbSize());
        }
    }

    @Test
    @DisplayName("A GET of a key that exists nowhere is answered by the in-RAM filter, not by a read of the spill tier")
    void missesDoNotReadTheSpillTier() throws Exception {
        try (TestServer s = start(); Jedis j = s.jedis()) {
            load(j, 0, 20_000);
            List<String> keys = new ArrayList<>();
            for (int i = 0; i < 20_000; i++) {
                keys.add("key:" + i);
            }
            spillAll(j, keys);
            Map<String, String> before = Tiering.info(j);
            Pipeline p = j.pipelined();
            List<Response<String>> got = new ArrayList<>();
            for (int i = 0; i < 2000; i++) {
                got.add(p.get("missing:" + i));
            }
            p.sync();
            for (Response<String> r : got) {
                assertNull(r.get());
            }
            Map<String, String> after = Tiering.info(j);
            long hits = Long.parseLong(after.get("tier_filter_hits")) - Long.parseLong(before.get("tier_filter_hits"));
            long fp = Long.parseLong(after.get("tier_filter_false_positives"))
                - Long.parseLong(before.get("tier_filter_false_positives"));
            long coldReads = Long.parseLong(after.get("tier_cold_reads")) - Long.parseLong(before.get("tier_cold_reads"));
            System.out.printf("TieringTest filter: 2000 misses over 20000 cold keys: %d filter hits, %d false positives, %d cold reads, filter %s B%n",
                hits, fp, coldReads, after.get("tier_filter_bytes"));
            assertTrue(fp <= 100, "false positives " + fp + " of 2000");
            assertTrue(hits >= 1900, "filter hits " + hits + " of 2000");
            assertTrue(coldReads <= fp, "cold reads " + coldReads);
            assertEquals(before.get("tier_promotions"), after.get("tier_promotions"));
            long filterBytes = Long.parseLong(after.get("tier_filter_bytes"));
            assertTrue(filterBytes > 0 && filterBytes < 20_000 * 24, "filter " + filterBytes + " B for 20000 keys");
        }
    }

    // ---------------------------------------------------------------- (c) expiry

    @Test
    @DisplayName("Expired cold keys are never returned, and the active expire cycle reclaims the ones nobody touches")
    void coldKeysExpire() throws Exception {
        try (TestServer s = start(); Jedis j = s.jedis()) {
            int perDb = 1500;
            for (int db = 0; db < 2; db++) {
                j.select(db);
                Pipeline p = j.pipelined();
                for (int i = 0; i < perDb; i++) {
                    p.set("t:" + i, "x" + i);
                    p.pexpire("t:" + i, 4000);
                }
                for (int i = 0; i < 100; i++) {
                    p.set("keep:" + i, "k" + i);
                }
                p.sync();
                spillAll(j, j.keys("*"));
            }
            long t0 = System.nanoTime();
            assertEquals(2 * (perDb + 100), Tiering.info(j, "tier_cold_keys"));
            long setAt = System.currentTimeMillis();
            // db 1 is left alone: only the active cycle can reclaim its expired keys. db 0 is read.
            j.select(0);
            assertEquals("x5", j.get("t:5"), "not expired yet");
            while (System.currentTimeMillis() < setAt + 4200) {
                Thread.sleep(50);
            }
            for (int i = 0; i < 200; i++) {
                assertNull(j.get("t:" + i), "expired cold key t:" + i);
                assertFalse(j.exists("t:" + (i + 200)));
                assertEquals(-2L, j.pttl("t:" + (i + 400)));
                assertEquals("none", j.type("t:" + (i + 600)));
            }
            for (String k : j.keys("*")) {
                assertTrue(k.startsWith("keep:"), "KEYS returned expired " + k);
            }
            for (String k : scanAll(j, new ScanParams().count(100), null)) {
                assertTrue(k.startsWith("keep:"), "SCAN returned expired " + k);
            }
            for (int i = 0; i < 50; i++) {
                assertTrue(j.randomKey().startsWith("keep:"));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            Map<String, String> f;
            while (true) {
                f = Tiering.info(j);
                if (f.get("tier_cold_keys").equals("200")) {
                    break;
                }
                assertTrue(System.nanoTime() < deadline, "the active cycle did not reclaim the expired cold keys: " + f);
                Thread.sleep(100);
            }
            long reclaimMs = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(Long.parseLong(f.get("tier_cold_expired")) > 0, f.toString());
            assertEquals(100L, Tiering.keyspaceKeys(j, 1));
            j.select(1);
            assertEquals(100L, j.dbSize());
            assertEquals("k7", j.get("keep:7"));
            System.out.println("TieringTest cold expiry: " + (2 * perDb) + " cold keys expired and reclaimed "
                + reclaimMs + " ms after demotion; tier_cold_expired " + f.get("tier_cold_expired"));
        }
    }

    // ---------------------------------------------------------------- (d) spill tier full

    @Test
    @DisplayName("Spill tier full with noeviction: DENYOOM commands get Redis' OOM error, reads and DEL keep working, nothing acknowledged is lost")
    void spillFullNoeviction(@TempDir Path spillDir) throws Exception {
        try (TestServer s = start("--maxmemory", "4mb", "--maxmemory-policy", "noeviction",
                "--tier-spill-max-size", "2mb", "--tier-compression", "none", "--tier-spill-dir", spillDir.toString());
             Jedis j = s.jedis()) {
            Map<String, byte[]> acked = new LinkedHashMap<>();
            JedisDataException oom = null;
            for (int i = 0; i < 100_000 && oom == null; i++) {
                String k = "full:" + i;
                byte[] v = Tiering.noise(i, 1000);
                try {
                    j.set(k.getBytes(StandardCharsets.UTF_8), v);
                    acked.put(k, v);
                } catch (JedisDataException e) {
                    oom = e;
                }
            }
            assertNotNull(oom, "SET got OOM once both tiers were full");
            assertEquals(OOM, oom.getMessage());
            Map<String, String> f = Tiering.info(j);
            System.out.printf("TieringTest spill full: %d keys acknowledged, %s cold, stored %s B, file %s B%n",
                acked.size(), f.get("tier_cold_keys"), f.get("tier_spill_stored_bytes"), f.get("tier_spill_file_bytes"));
            assertTrue(Long.parseLong(f.get("tier_cold_keys")) > 0, f.toString());
            assertTrue(Long.parseLong(f.get("tier_spill_stored_bytes")) <= 2L * 1024 * 1024, "within the disk budget: " + f);
            try (var files = Files.list(spillDir)) {
                assertTrue(files.findAny().isPresent(), "spill files are in tier-spill-dir");
            }
            assertEquals(acked.size(), j.dbSize());
            // other DENYOOM commands are refused too, reads of both tiers keep working
            assertEquals(OOM, assertThrows(JedisDataException.class, () -> j.lpush("newlist", "x")).getMessage());
            assertEquals(OOM, assertThrows(JedisDataException.class, () -> j.set("new", "x")).getMessage());
            for (var e : acked.entrySet()) {
                assertArrayEquals(e.getValue(), j.get(e.getKey().getBytes(StandardCharsets.UTF_8)), e.getKey());
            }
            assertEquals(acked.size(), j.dbSize());
            assertEquals(0L, Tiering.infoField(j, "stats", "evicted_keys"));
            assertEquals(1L, j.del("full:0"));
            assertEquals(acked.size() - 1, j.dbSize());
        }
    }

    @Test
    @DisplayName("Spill tier full with allkeys-lru: keys are evicted as in Redis and writes go on")
    void spillFullEvicts() throws Exception {
        try (TestServer s = start("--maxmemory", "4mb", "--maxmemory-policy", "allkeys-lru",
                "--tier-spill-max-size", "2mb", "--tier-compression", "none");
             Jedis j = s.jedis()) {
            int n = 20_000;
            for (int base = 0; base < n; base += 500) {
                Pipeline p = j.pipelined();
                for (int i = base; i < base + 500; i++) {
                    p.set(("full:" + i).getBytes(StandardCharsets.UTF_8), Tiering.noise(i, 1000));
                }
                for (Object r : p.syncAndReturnAll()) {
                    assertEquals("OK", r instanceof Throwable t ? t.getMessage() : r);
                }
            }
            long evicted = Tiering.infoField(j, "stats", "evicted_keys");
            assertTrue(evicted > 0, "keys were evicted once the spill tier was full");
            assertEquals(n - evicted, j.dbSize());
            assertTrue(Tiering.info(j, "tier_cold_keys") > 0);
            assertArrayEquals(Tiering.noise(n - 1, 1000), j.get(("full:" + (n - 1)).getBytes(StandardCharsets.UTF_8)));
        }
    }

    @Test
    @DisplayName("tier-* settings: CONFIG GET answers them, tier-spill cannot change at runtime, INFO says tier_spill:0 when off")
    void settings(@TempDir Path dir) throws Exception {
        try (TestServer s = start("--dir", dir.toString(), "--tier-spill-max-size", "64mb"); Jedis j = s.jedis();
             RawClient raw = new RawClient(s.port())) {
            assertEquals("yes", j.configGet("tier-spill").get("tier-spill"));
            assertEquals(Long.toString(64L * 1024 * 1024), j.configGet("tier-spill-max-size").get("tier-spill-max-size"));
            assertEquals("lz4", j.configGet("tier-compression").get("tier-compression"));
            String spillDir = j.configGet("tier-spill-dir").get("tier-spill-dir");
            assertTrue(spillDir.isEmpty() || spillDir.equals(dir.resolve("spill").toString()),
                "tier-spill-dir is empty (meaning <dir>/spill) or <dir>/spill: " + spillDir);
            assertEquals("-ERR CONFIG SET failed (possibly related to argument 'tier-spill') - can't set immutable config\r\n",
                raw.call("config", "set", "tier-spill", "no"));
            j.set("k", "v");
            spill(j, "k");
            assertTrue(Files.isDirectory(dir.resolve("spill")), "the default spill dir is <dir>/spill");
        }
        try (TestServer s = TestServer.start("--enable-debug-command", "yes", "--save", ""); Jedis j = s.jedis()) {
            assertEquals("yes", j.configGet("tier-spill").get("tier-spill"), "the spill tier is on by default");
            assertEquals("heap", AdminCommandsTest.parseInfo(j.info("memory")).get("maxmemory_source"));
        }
        try (TestServer s = TestServer.start("--enable-debug-command", "yes", "--save", "", "--tier-spill", "no"); Jedis j = s.jedis()) {
            assertEquals("no", j.configGet("tier-spill").get("tier-spill"));
            assertEquals(0L, Tiering.infoField(j, "memory", "maxmemory"), "tier-spill no: maxmemory 0 as in Redis");
            assertEquals("0", Tiering.info(j).get("tier_spill"));
            j.set("k", "v");
            assertThrows(JedisDataException.class, () -> spill(j, "k"), "DEBUG SPILL without a spill tier is an error");
            assertEquals("hot", tier(j, "k"));
        }
    }

    @Test
    @DisplayName("tier-compression lz4 stores compressible values in far fewer spill bytes than none, and both read back the same")
    void compression() throws Exception {
        long[] stored = new long[2];
        String[] modes = {"lz4", "none"};
        for (int m = 0; m < 2; m++) {
            try (TestServer s = start("--tier-compression", modes[m]); Jedis j = s.jedis()) {
                List<String> keys = new ArrayList<>();
                for (int i = 0; i < 100; i++) {
                    j.set("c:" + i, ("compressible-" + i + "-").repeat(700));
                    keys.add("c:" + i);
                }
                spillAll(j, keys);
                stored[m] = Tiering.info(j, "tier_spill_stored_bytes");
                assertEquals(("compressible-" + 42 + "-").repeat(700), j.get("c:42"));
            }
        }
        System.out.println("TieringTest compression: 100 compressible values of ~11 KB stored in " + stored[0]
            + " B with lz4, " + stored[1] + " B with none");
        assertTrue(stored[1] > 1_000_000, "none stores the values as they are: " + stored[1]);
        assertTrue(stored[0] * 5 < stored[1], "lz4 " + stored[0] + " B vs none " + stored[1] + " B");
    }

    // ---------------------------------------------------------------- (e) persistence

    /** tier_hot_keys + tier_cold_keys of one INFO (two INFO calls may straddle a demotion). */
    private static long keysInBothTiers(Jedis j) {
        Map<String, String> f = Tiering.info(j);
        return Long.parseLong(f.get("tier_hot_keys")) + Long.parseLong(f.get("tier_cold_keys"));
    }

    /** "db0: hot=… cold=… none=…" per database, for failure messages. */
    private static String tierCounts(Jedis j, int dbs) {
        StringBuilder sb = new StringBuilder(Tiering.info(j).toString());
        for (int db = 0; db < dbs; db++) {
            j.select(db);
            Map<String, Integer> counts = new java.util.TreeMap<>();
            List<String> samples = new ArrayList<>();
            for (String k : j.keys("*")) {
                String t = tier(j, k);
                counts.merge(t, 1, Integer::sum);
                if (!t.equals("cold") && samples.size() < 5) {
                    samples.add(k + "=" + t);
                }
            }
            sb.append("\ndb").append(db).append(": dbsize=").append(j.dbSize()).append(' ').append(counts).append(' ').append(samples);
        }
        j.select(0);
        return sb.toString();
    }

    private static void spillEverything(Jedis j, int dbs) {
        for (int db = 0; db < dbs; db++) {
            j.select(db);
            List<String> hot = new ArrayList<>();
            for (String k : j.keys("*")) {
                hot.add(k);
            }
            Pipeline p = j.pipelined();
            List<Response<Object>> tiers = new ArrayList<>();
            for (String k : hot) {
                tiers.add(p.sendCommand(Tiering.DEBUG, "TIER", k));
            }
            p.sync();
            List<String> toSpill = new ArrayList<>();
            for (int i = 0; i < hot.size(); i++) {
                if (Tiering.text(tiers.get(i).get()).equals("hot")) {
                    toSpill.add(hot.get(i));
                }
            }
            spillAll(j, toSpill);
        }
        j.select(0);
    }

    @Test
    @DisplayName("BGSAVE and SAVE with most keys cold: a restart from the same dir (spill dir wiped and rebuilt) and DEBUG RELOAD have every key, value and expiry time")
    void snapshotsContainBothTiers(@TempDir Path dir) throws Exception {
        Map<String, String> before;
        long total;
        try (TestServer s = start("--dir", dir.toString(), "--maxmemory", "8mb", "--maxmemory-policy", "allkeys-lru");
             Jedis j = s.jedis()) {
            Datasets.populate(j, 7, 300);
            load(j, 0, 30_000);
            before = Tiering.capture(j, 3);
            total = before.size();
            spillEverything(j, 3);
            assertEquals(total, Tiering.info(j, "tier_cold_keys"), () -> tierCounts(j, 3));
            assertEquals("Background saving started", j.bgsave());
            assertEquals("ok", PersistenceTest.awaitBgsave(j).get("rdb_last_bgsave_status"));
        }
        Path junk = dir.resolve("spill").resolve("junk-from-a-crash.cm");
        Files.createDirectories(junk.getParent());
        Files.write(junk, new byte[] {1, 2, 3});
        try (TestServer s = start("--dir", dir.toString(), "--maxmemory", "8mb", "--maxmemory-policy", "allkeys-lru");
             Jedis j = s.jedis(); RawClient raw = new RawClient(s.port())) {
            assertFalse(Files.exists(junk), "the spill dir is wiped on start");
            Map<String, String> f = Tiering.info(j);
            assertTrue(Long.parseLong(f.get("tier_cold_keys")) > 0, "loading past maxmemory streams keys into the spill tier: " + f);
            assertEquals(total, keysInBothTiers(j));
            assertEquals(before, Tiering.capture(j, 3));

            spillEverything(j, 3);
            assertEquals("+OK\r\n", raw.call("debug", "reload"));
            assertEquals(total, keysInBothTiers(j), () -> tierCounts(j, 3));
            assertEquals(before, Tiering.capture(j, 3), "after DEBUG RELOAD");

            spillEverything(j, 3);
            assertEquals("OK", j.save());
            j.set("after-save", "1");
            assertEquals("+OK\r\n", raw.call("debug", "reload", "nosave"));
            assertNull(j.get("after-save"));
            assertEquals(before, Tiering.capture(j, 3), "SAVE with every key cold, loaded by DEBUG RELOAD NOSAVE");
        }
    }

    @Test
    @DisplayName("BGREWRITEAOF with most keys cold writes both tiers into the base; a restart replays base and increments")
    void aofRewriteContainsBothTiers(@TempDir Path dir) throws Exception {
        Map<String, String> before;
        try (TestServer s = start("--dir", dir.toString(), "--appendonly", "yes", "--maxmemory", "8mb",
                "--maxmemory-policy", "allkeys-lru"); Jedis j = s.jedis()) {
            Datasets.populate(j, 8, 200);
            load(j, 0, 20_000);
            spillEverything(j, 3);
            assertTrue(j.bgrewriteaof().contains("rewriting"));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!PersistenceTest.info(j).get("aof_rewrite_in_progress").equals("0")
                || !PersistenceTest.info(j).get("aof_rewrite_scheduled").equals("0")) {
                assertTrue(System.nanoTime() < deadline, "BGREWRITEAOF did not finish");
                Thread.sleep(20);
            }
            assertEquals("ok", PersistenceTest.info(j).get("aof_last_bgrewrite_status"));
            // after the rewrite: writes to cold keys go to the increment
            spillEverything(j, 3);
            j.incr("k:0:1"); // a small integer string, cold
            j.set("post-rewrite", "1");
            assertEquals(1L, j.del("key:5"));
            assertEquals(1L, j.pexpire("key:6", 5_000_000));
            before = Tiering.capture(j, 3);
        }
        try (TestServer s = start("--dir", dir.toString(), "--appendonly", "yes", "--maxmemory", "8mb",
                "--maxmemory-policy", "allkeys-lru"); Jedis j = s.jedis()) {
            assertEquals(before, Tiering.capture(j, 3));
        }
    }

    @Test
    @DisplayName("BGSAVE is point-in-time over both tiers while writers promote, demote, overwrite, expire, flush and swap databases during the save")
    void bgsaveIsPointInTimeOverBothTiers(@TempDir Path dir, @TempDir Path loadDir) throws Exception {
        Map<String, String> expected;
        long opsDuringSave;
        String[] opts = {"--maxmemory", "4mb", "--maxmemory-policy", "allkeys-lru"};
        try (TestServer s = start(concat(new String[] {"--dir", dir.toString()}, opts));
             Jedis j = s.jedis(); RawClient raw = new RawClient(s.port())) {
            Datasets.populate(j, 21, 2000);
            expected = Tiering.capture(j, 3);
            // half of every db cold, the other half hot as far as memory allows
            for (int db = 0; db < 3; db++) {
                j.select(db);
                List<String> half = new ArrayList<>();
                for (int i = 0; i < 2000; i += 2) {
                    half.add("k:" + db + ":" + i);
                }
                spillAll(j, half);
            }
            j.select(0);
            Map<String, String> f = Tiering.info(j);
            assertTrue(Long.parseLong(f.get("tier_cold_keys")) >= 3000, f.toString());
            assertEquals("OK", j.configSet("rdb-key-save-delay", "300"));

            Writers writers = Writers.start(s, 4, 2000, TieringTest::write);
            AtomicLong ops = writers.ops;
            long demotions = Tiering.info(j, "tier_demotions");
            long promotions = Tiering.info(j, "tier_promotions");
            // the epoch: nothing writes between the capture above and this command
            assertEquals("+Background saving started\r\n", raw.call("bgsave"));
            writers.go();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (true) {
                opsDuringSave = ops.get();
                if (PersistenceTest.info(j).get("rdb_bgsave_in_progress").equals("0")) {
                    break;
                }
                assertTrue(System.nanoTime() < deadline, "BGSAVE did not finish");
                Thread.sleep(10);
            }
            f = Tiering.info(j);
            writers.stop();
            assertEquals("ok", PersistenceTest.info(j).get("rdb_last_bgsave_status"));
            assertTrue(opsDuringSave > 100, "writers overlapped the save: " + opsDuringSave + " ops");
            long demotedDuring = Long.parseLong(f.get("tier_demotions")) - demotions;
            long promotedDuring = Long.parseLong(f.get("tier_promotions")) - promotions;
            assertTrue(demotedDuring > 0 && promotedDuring > 0,
                "keys moved between the tiers during the save: " + demotedDuring + " demotions, " + promotedDuring + " promotions");
            System.out.println("TieringTest point-in-time: " + opsDuringSave + " writes, " + demotedDuring + " demotions, "
                + promotedDuring + " promotions during the save");
        }
        Files.copy(dir.resolve("dump.rdb"), loadDir.resolve("dump.rdb"));
        try (TestServer s = start(concat(new String[] {"--dir", loadDir.toString()}, opts)); Jedis j = s.jedis()) {
            Map<String, String> loaded = Tiering.capture(j, 3);
            assertEquals(expected.size(), loaded.size());
            assertEquals(expected, loaded);
        }
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** Seeded random writes, promotions and demotions over the populated keys and new ones until {@code stop}. */
    private static void write(Jedis c, Random rnd, AtomicBoolean stop, AtomicLong ops) {
        byte[] big = Tiering.noise(rnd.nextLong(), 4000);
        Writers.mixedWrites(c, rnd, stop, ops, 3, (w, k, kind) -> {
            switch (kind) {
                case 0: w.dump(k); break; // promotes a cold key
                case 1: w.sendCommand(Tiering.DEBUG, "SPILL", k); break; // demotes a hot one
                default: w.set(("big:" + rnd.nextInt(5000)).getBytes(StandardCharsets.UTF_8), big); break; // memory pressure
            }
        });
    }

    // ---------------------------------------------------------------- (f) databases

    @Test
    @DisplayName("The spill tier keeps databases apart: the same key cold in two dbs, SWAPDB, MOVE, COPY … DB and FLUSHDB with cold keys")
    void databasesWithColdKeys() throws Exception {
        try (TestServer s = start(); Jedis j = s.jedis()) {
            j.select(0);
            j.set("a", "a0");
            j.set("same", "same-0");
            j.rpush("list", "l1", "l2");
            spillAll(j, List.of("a", "same", "list"));
            j.select(1);
            assertEquals("none", tier(j, "a"));
            assertFalse(j.exists("a"), "a cold key of db 0 is not in db 1");
            j.set("c", "c1");
            j.set("same", "same-1");
            spillAll(j, List.of("c", "same"));
            assertEquals("same-1", j.get("same"));
            spill(j, "same");
            j.select(0);
            assertEquals("cold", tier(j, "same"));
            assertEquals(3L, Tiering.keyspaceKeys(j, 0));
            assertEquals(2L, Tiering.keyspaceKeys(j, 1));

            assertEquals("OK", j.swapDB(0, 1));
            // connection still on db 0, which now holds the former db 1
            assertEquals(2L, j.dbSize());
            assertEquals("cold", tier(j, "c"));
            assertEquals("cold", tier(j, "same"));
            assertEquals("none", tier(j, "a"));
            assertFalse(j.exists("a"));
            assertEquals("same-1", j.get("same"));
            assertEquals("c1", j.get("c"));
            j.select(1);
            assertEquals(3L, j.dbSize());
            assertEquals("cold", tier(j, "a"));
            assertEquals("same-0", j.get("same"));
            assertEquals(List.of("l1", "l2"), j.lrange("list", 0, -1));
            assertEquals(2L, Tiering.keyspaceKeys(j, 0));
            assertEquals(3L, Tiering.keyspaceKeys(j, 1));

            // MOVE a cold key out of db 1; MOVE onto an existing cold key does nothing
            spillAll(j, List.of("same", "list"));
            assertEquals(1L, j.move("a", 0));
            assertFalse(j.exists("a"));
            assertEquals("none", tier(j, "a"));
            j.select(0);
            spill(j, "same");
            j.select(1);
            assertEquals(0L, j.move("same", 0));
            assertEquals("same-0", j.get("same"));
            j.select(0);
            assertEquals("a0", j.get("a"));
            assertEquals("same-1", j.get("same"));
            // COPY a cold list to another db
            j.select(1);
            assertEquals("cold", tier(j, "list"));
            assertTrue(j.copy("list", "list-copy", 0, false));
            assertEquals(List.of("l1", "l2"), j.lrange("list", 0, -1));
            j.select(0);
            assertEquals(List.of("l1", "l2"), j.lrange("list-copy", 0, -1));
            assertEquals(4L, j.dbSize()); // a, c, same, list-copy

            // FLUSHDB of a db with cold keys leaves the other db's cold keys alone
            spillAll(j, List.of("a", "c", "same", "list-copy"));
            j.select(1);
            spillAll(j, List.of("same", "list"));
            assertEquals(6L, Tiering.info(j, "tier_cold_keys"));
            assertEquals("OK", j.flushDB());
            assertEquals(0L, j.dbSize());
            assertFalse(j.exists("same"));
            assertEquals(4L, Tiering.info(j, "tier_cold_keys"));
            j.select(0);
            assertEquals(4L, j.dbSize());
            assertEquals("same-1", j.get("same"));
            assertEquals(0L, Tiering.keyspaceKeys(j, 1));
        }
    }

    // ---------------------------------------------------------------- (g) WATCH

    @Test
    @DisplayName("WATCH: a watched key demoted (by DEBUG SPILL or memory pressure) or promoted by a read does not abort EXEC; changing it does")
    void watchIgnoresTierMoves() throws Exception {
        try (TestServer s = start("--maxmemory", "4mb", "--maxmemory-policy", "allkeys-lru");
             Jedis a = s.jedis(); Jedis b = s.jedis()) {
            a.set("w", "1");
            a.watch("w");
            spill(b, "w");
            assertEquals("cold", tier(b, "w"));
            Transaction t = a.multi();
            t.set("x", "1");
            assertNotNull(t.exec(), "a demotion alone does not abort EXEC");

            a.watch("w");
            assertEquals("1", b.get("w"));
            assertEquals("hot", tier(b, "w"));
            t = a.multi();
            t.set("x", "2");
            assertNotNull(t.exec(), "a promotion by a read does not abort EXEC");

            // demoted by memory pressure from another client's writes
            a.watch("w");
            int i = 0;
            while (!tier(b, "w").equals("cold")) {
                Pipeline p = b.pipelined();
                for (int n = 0; n < 1000; n++, i++) {
                    p.set("fill:" + i, value(i));
                }
                p.sync();
                assertTrue(i < 200_000, "w was never demoted");
            }
            t = a.multi();
            t.get("w");
            List<Object> r = t.exec();
            assertNotNull(r, "demotion under memory pressure does not abort EXEC");
            assertEquals("1", r.get(0));

            // a real change of a cold watched key does abort
            spill(b, "w");
            a.watch("w");
            b.set("w", "2");
            t = a.multi();
            t.set("x", "3");
            assertNull(t.exec());
            spill(b, "w");
            a.watch("w");
            assertEquals(1L, b.del("w"));
            t = a.multi();
            t.set("x", "4");
            assertNull(t.exec());
            assertEquals("2", a.get("x"));
        }
    }
}
