package io.strata.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.commands.ProtocolCommand;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HyperLogLogTest {
    static TestServer server;

    /** PFADD g a b c on redis-server 7.0.15: sparse, cache marked stale. */
    static final String GOLDEN_ABC = "48594c4c01000000000000000000008060f38050b1844bfb80425a";
    /** The same after PFCOUNT g wrote the cardinality 3 into the cache. */
    static final String GOLDEN_ABC_COUNTED = "48594c4c01000000030000000000000060f38050b1844bfb80425a";
    /** An empty HyperLogLog (PFADD e, PFMERGE m): one XZERO of 16384, cache stale. */
    static final String GOLDEN_EMPTY = "48594c4c0100000000000000000000807fff";

    @BeforeAll
    static void start() {
        server = TestServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @BeforeEach
    void flush() {
        try (Jedis j = server.jedis()) {
            j.flushAll();
        }
    }

    private static final ProtocolCommand PFDEBUG = () -> "PFDEBUG".getBytes(StandardCharsets.US_ASCII);
    private static final ProtocolCommand PFSELFTEST = () -> "PFSELFTEST".getBytes(StandardCharsets.US_ASCII);

    private static String hex(byte[] b) {
        return b == null ? "nil" : HexFormat.of().formatHex(b);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    @Covers({"pfadd", "pfcount", "pfmerge"})
    @DisplayName("PFADD of a b c gives Redis' exact sparse bytes, and PFCOUNT writes the cached cardinality back")
    void goldenBytes() {
        try (Jedis j = server.jedis()) {
            assertEquals(1, j.pfadd("g", "a", "b", "c"));
            assertEquals(GOLDEN_ABC, hex(j.get(bytes("g"))));
            assertEquals(0, j.pfadd("g", "a", "c"));
            assertEquals(3, j.pfcount("g"));
            assertEquals(GOLDEN_ABC_COUNTED, hex(j.get(bytes("g"))));
            assertEquals(3, j.pfcount("g"));
            assertEquals(1, j.pfadd("e"));
            assertEquals(GOLDEN_EMPTY, hex(j.get(bytes("e"))));
            assertEquals(0, j.pfadd("e"));
            assertEquals("OK", j.pfmerge("m"));
            assertEquals(GOLDEN_EMPTY, hex(j.get(bytes("m"))));
            assertEquals(0, j.pfcount("m"));
            assertEquals(0, j.pfcount("missing"));
            assertEquals(3, j.pfcount("g", "missing", "e"));
        }
    }

    @Test
    @Covers({"pfadd", "pfcount", "pfmerge"})
    @DisplayName("Values that are not HyperLogLogs get Redis' WRONGTYPE text, corrupt sparse data INVALIDOBJ")
    void invalidValues() throws Exception {
        try (RawClient c = new RawClient(server.port()); Jedis j = server.jedis()) {
            c.call("SET", "s", "foobar");
            String notHll = "-WRONGTYPE Key is not a valid HyperLogLog string value.\r\n";
            assertEquals(notHll, c.call("PFADD", "s", "x"));
            assertEquals(notHll, c.call("PFCOUNT", "s"));
            assertEquals(notHll, c.call("PFCOUNT", "missing", "s"));
            assertEquals(notHll, c.call("PFMERGE", "d", "s"));
            assertEquals(notHll, c.call("PFMERGE", "s"));
            assertEquals(":0\r\n", c.call("EXISTS", "d"));
            // a dense header on a value of the wrong size is not a HyperLogLog either
            c.call("SET", "short", "HYLL\0\0\0\0\0\0\0\0\0\0\0\0");
            assertEquals(notHll, c.call("PFCOUNT", "short"));

            // sparse opcodes covering 16383 registers instead of 16384, cache stale
            byte[] corrupt = HexFormat.of().parseHex("48594c4c0100000000000000000000807ffe");
            j.set(bytes("bad"), corrupt);
            String invalid = "-INVALIDOBJ Corrupted HLL object detected\r\n";
            assertEquals(invalid, c.call("PFCOUNT", "bad"));
            assertEquals(invalid, c.call("PFCOUNT", "bad", "missing"));
            assertEquals(invalid, c.call("PFMERGE", "d", "bad"));
            assertEquals(":0\r\n", c.call("EXISTS", "d"));
            // a valid cache is trusted without decoding, as Redis does
            j.set(bytes("cached"), HexFormat.of().parseHex("48594c4c0100000005000000000000007ffe"));
            assertEquals(":5\r\n", c.call("PFCOUNT", "cached"));
        }
    }

    @Test
    @Covers({"pfadd", "pfdebug"})
    @DisplayName("A HyperLogLog turns dense past hll-sparse-max-bytes, and PFDEBUG reports and converts encodings")
    void promotionAndDebug() throws Exception {
        try (RawClient c = new RawClient(server.port()); Jedis j = server.jedis()) {
            assertEquals("-ERR The specified key does not exist\r\n", c.call("PFDEBUG", "encoding", "h"));
            c.call("PFADD", "h", "a", "b", "c");
            assertEquals("+sparse\r\n", c.call("PFDEBUG", "ENCODING", "h"));
            String decoded = (String) toString(j.sendCommand(PFDEBUG, "decode", "h"));
            assertEquals("Z:8436 v:1,1 Z:4274 v:2,1 Z:3068 v:1,1 Z:603", decoded);
            assertEquals("-ERR Unknown PFDEBUG subcommand 'foo'\r\n", c.call("PFDEBUG", "foo", "h"));
            assertEquals("-ERR wrong number of arguments for 'pfdebug' command\r\n", c.call("PFDEBUG", "encoding"));
            assertEquals(":1\r\n", c.call("PFDEBUG", "todense", "h"));
            assertEquals(":0\r\n", c.call("PFDEBUG", "todense", "h"));
            assertEquals("+dense\r\n", c.call("PFDEBUG", "encoding", "h"));
            assertEquals("-ERR HLL encoding is not sparse\r\n", c.call("PFDEBUG", "decode", "h"));
            assertEquals(12304, j.get(bytes("h")).length);
            assertEquals(3, j.pfcount("h"));

            j.pfadd("r", "x", "y");
            @SuppressWarnings("unchecked")
            List<Object> regs = (List<Object>) j.sendCommand(PFDEBUG, "getreg", "r");
            assertEquals(16384, regs.size());
            long nonZero = regs.stream().filter(v -> (Long) v != 0).count();
            assertEquals(2, nonZero);
            assertTrue(isDense(j, "r"), "GETREG converts to dense");
        }
    }

    @Test
    @Covers({"pfadd", "pfdebug"})
    @DisplayName("With hll-sparse-max-bytes 100 a sparse value never grows past 100 bytes before turning dense")
    void lowPromotionThreshold() {
        try (TestServer low = TestServer.start("--hll-sparse-max-bytes", "100"); Jedis j = low.jedis()) {
            j.pfadd("p");
            for (int i = 0; i < 100 && !isDense(j, "p"); i++) {
                j.pfadd("p", "e" + i);
                assertTrue(j.get(bytes("p")).length <= 100 || isDense(j, "p"), "sparse within the limit");
            }
            assertTrue(isDense(j, "p"));
            assertEquals(12304, j.get(bytes("p")).length);
        }
    }

    @Test
    @Covers({"pfadd", "pfmerge", "pfcount"})
    @DisplayName("PFADD and PFMERGE publish the pfadd keyspace event; a PFADD that changes nothing publishes none")
    void notifications() throws Exception {
        try (TestServer ns = TestServer.start("--notify-keyspace-events", "KEA");
             RawClient sub = new RawClient(ns.port()); RawClient c = new RawClient(ns.port())) {
            sub.call("SUBSCRIBE", "__keyevent@0__:pfadd");
            c.call("PFADD", "h", "a");
            assertEquals(pfaddEvent("h"), sub.readReply());
            c.call("PFADD", "h", "a"); // no change: no event
            c.call("PFCOUNT", "h");
            c.call("PFMERGE", "m", "h");
            assertEquals(pfaddEvent("m"), sub.readReply());
        }
    }

    private static String pfaddEvent(String key) {
        return "*3\r\n$7\r\nmessage\r\n$20\r\n__keyevent@0__:pfadd\r\n$" + key.length() + "\r\n" + key + "\r\n";
    }

    private static Object toString(Object reply) {
        return reply instanceof byte[] ? new String((byte[]) reply, StandardCharsets.UTF_8) : reply;
    }

    private static boolean isDense(Jedis j, String key) {
        return "dense".equals(toString(j.sendCommand(PFDEBUG, "encoding", key)));
    }

    @Test
    @Covers({"pfselftest"})
    @DisplayName("PFSELFTEST finds sparse and dense estimates in agreement and within error bounds")
    void selftest() {
        try (Jedis j = server.jedis()) {
            assertEquals("OK", toString(j.sendCommand(PFSELFTEST)));
        }
    }

    @Test
    @Covers({"pfadd", "pfcount", "pfmerge", "ttl"})
    @DisplayName("PFADD and PFMERGE keep the key's TTL, and PFCOUNT estimates large sets within a few percent")
    void ttlAndAccuracy() {
        try (Jedis j = server.jedis()) {
            j.set(bytes("t"), HexFormat.of().parseHex(GOLDEN_EMPTY), redis.clients.jedis.params.SetParams.setParams().ex(1000));
            Random rnd = new Random(7);
            for (int batch = 0; batch < 10; batch++) {
                String[] els = new String[1000];
                for (int i = 0; i < els.length; i++) {
                    els[i] = Long.toHexString(rnd.nextLong());
                }
                j.pfadd("t", els);
            }
            assertTrue(j.ttl("t") > 0, "TTL kept through PFADD and the sparse to dense promotion");
            long n = j.pfcount("t");
            assertTrue(Math.abs(n - 10_000) < 10_000 * 0.05, "estimate " + n);
            j.pfmerge("t", "t");
            assertEquals(n, j.pfcount("t"));
            assertTrue(j.ttl("t") > 0, "TTL kept through PFMERGE");
        }
    }

    // ---- byte identity with redis-server ----

    /** Runs one seeded sequence of HyperLogLog commands and records every reply and value. */
    private static List<String> transcript(Jedis j) {
        List<String> out = new ArrayList<>();
        j.flushAll();
        Random rnd = new Random(20240611L);
        // small: stays sparse
        for (int b = 0; b < 5; b++) {
            out.add("pfadd small " + j.pfadd(bytes("small"), elements(rnd, 10)));
            out.add("get small " + hex(j.get(bytes("small"))));
            out.add("pfcount small " + j.pfcount("small"));
            out.add("get small " + hex(j.get(bytes("small"))));
        }
        out.add("pfadd small again " + j.pfadd("small", "dup"));
        out.add("pfadd small dup " + j.pfadd("small", "dup"));
        // grow: crosses hll-sparse-max-bytes
        for (int b = 0; b < 30; b++) {
            out.add("pfadd grow " + j.pfadd(bytes("grow"), elements(rnd, 100)));
            out.add("get grow " + hex(j.get(bytes("grow"))));
            out.add("pfcount grow " + j.pfcount("grow"));
        }
        // big: dense
        for (int b = 0; b < 20; b++) {
            out.add("pfadd big " + j.pfadd(bytes("big"), elements(rnd, 1000)));
            out.add("pfcount big " + j.pfcount("big"));
        }
        out.add("get big " + hex(j.get(bytes("big"))));
        j.pfadd(bytes("s2"), elements(rnd, 200));
        out.add("pfmerge m1 " + j.pfmerge("m1", "small", "s2", "missing"));
        out.add("get m1 " + hex(j.get(bytes("m1"))));
        out.add("pfcount m1 " + j.pfcount("m1"));
        out.add("pfmerge m2 " + j.pfmerge("m2", "small", "big"));
        out.add("get m2 " + hex(j.get(bytes("m2"))));
        out.add("pfcount m2 " + j.pfcount("m2"));
        out.add("pfmerge s2 " + j.pfmerge("s2", "small"));
        out.add("get s2 " + hex(j.get(bytes("s2"))));
        out.add("pfmerge grow " + j.pfmerge("grow", "s2"));
        out.add("get grow " + hex(j.get(bytes("grow"))));
        out.add("pfcount multi " + j.pfcount("small", "s2", "big", "missing"));
        out.add("pfcount multi sparse " + j.pfcount("small", "s2"));
        out.add("get small " + hex(j.get(bytes("small"))));
        out.add("pfmerge empty " + j.pfmerge("empty", "missing1", "missing2"));
        out.add("get empty " + hex(j.get(bytes("empty"))));
        return out;
    }

    /** A sequence for servers started with {@code --hll-sparse-max-bytes 200}. */
    private static List<String> lowThresholdTranscript(Jedis j) {
        List<String> out = new ArrayList<>();
        j.flushAll();
        Random rnd = new Random(99L);
        byte[][] small = elements(rnd, 30);
        j.pfadd(bytes("small"), small);
        for (int b = 0; b < 10; b++) {
            out.add("pfadd low " + j.pfadd(bytes("low"), elements(rnd, 10)));
            out.add("get low " + hex(j.get(bytes("low"))));
        }
        j.pfadd(bytes("s3"), elements(rnd, 60));
        out.add("pfmerge low2 " + j.pfmerge("low2", "s3", "small"));
        out.add("get low2 " + hex(j.get(bytes("low2"))));
        out.add("pfcount low2 " + j.pfcount("low2"));
        return out;
    }

    /** {@code n} elements of 0 to 24 random bytes, mostly distinct, some repeated. */
    private static byte[][] elements(Random rnd, int n) {
        byte[][] els = new byte[n][];
        for (int i = 0; i < n; i++) {
            if (i > 0 && rnd.nextInt(20) == 0) {
                els[i] = els[rnd.nextInt(i)];
                continue;
            }
            els[i] = new byte[rnd.nextInt(25)];
            rnd.nextBytes(els[i]);
        }
        return els;
    }

    @Test
    @Covers({"pfadd", "pfcount", "pfmerge"})
    @DisplayName("Seeded PFADD, PFCOUNT and PFMERGE sequences leave byte-identical values on Strata and redis-server")
    void byteIdenticalWithRedis() throws Exception {
        Assumptions.assumeTrue(RedisServerProcess.available(), "no /usr/bin/redis-server");
        List<String> expected;
        try (RedisServerProcess redis = RedisServerProcess.start();
                 Jedis rj = new Jedis("127.0.0.1", redis.port(), 10_000)) {
            expected = transcript(rj);
        }
        try (RedisServerProcess redis = RedisServerProcess.start("--hll-sparse-max-bytes", "200");
                 Jedis rj = new Jedis("127.0.0.1", redis.port(), 10_000)) {
            expected.addAll(lowThresholdTranscript(rj));
        }
        List<String> actual;
        try (Jedis j = server.jedis()) {
            actual = transcript(j);
        }
        try (TestServer low = TestServer.start("--hll-sparse-max-bytes", "200"); Jedis j = low.jedis()) {
            actual.addAll(lowThresholdTranscript(j));
        }
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            String e = expected.get(i);
            String a = actual.get(i);
            if (!e.equals(a)) {
                // a short message: the values are up to 24 KB of hex
                assertEquals(abbreviate(e), abbreviate(a), "step " + i + " differs; first difference at char "
                    + firstDifference(e, a));
            }
        }
        assertFalse(expected.isEmpty());
    }

    private static String abbreviate(String s) {
        return s.length() <= 300 ? s : s.substring(0, 300) + "… (" + s.length() + " chars)";
    }

    private static int firstDifference(String a, String b) {
        int n = Math.min(a.length(), b.length());
        for (int i = 0; i < n; i++) {
            if (a.charAt(i) != b.charAt(i)) {
                return i;
            }
        }
        return n;
    }

    @Test
    @Covers({"pfadd", "pfcount"})
    @DisplayName("Elements of 0 to 17 bytes (every hash tail length) land in the registers Redis puts them in")
    void prefixElementsMatchGolden() {
        try (Jedis j = server.jedis()) {
            String s = "0123456789abcdefgh";
            String[] els = new String[18];
            for (int i = 0; i < els.length; i++) {
                els[i] = s.substring(0, i);
            }
            assertEquals(1, j.pfadd("bin", els));
            assertEquals(GOLDEN_PREFIXES, hex(j.get(bytes("bin"))));
            assertEquals(18, j.pfcount("bin"));
        }
    }

    /** PFADD bin "" 0 01 012 … 0123456789abcdefg on redis-server 7.0.15. */
    static final String GOLDEN_PREFIXES = "48594c4c01000000000000000000008042518441a984473b804bf684098046b48842ff"
        + "8040ba80464b8042ea8441338447898c410c802e80420084408a882c8445c88c4291";
}
