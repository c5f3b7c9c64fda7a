package io.strata.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.commands.ProtocolCommand;
import redis.clients.jedis.exceptions.JedisDataException;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BitmapCommandsTest {
    static TestServer server;

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

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String hex(byte[] b) {
        return b == null ? "nil" : HexFormat.of().formatHex(b);
    }

    @Test
    @Covers({"setbit", "getbit"})
    @DisplayName("SETBIT returns the old bit, zero-pads the string as it grows, and GETBIT reads past the end as 0")
    void setbitGetbit() throws Exception {
        try (RawClient c = new RawClient(server.port()); Jedis j = server.jedis()) {
            assertEquals(":0\r\n", c.call("SETBIT", "k", "7", "1"));
            assertEquals("01", hex(j.get(bytes("k"))));
            assertEquals(":1\r\n", c.call("SETBIT", "k", "7", "1"));
            assertEquals(":0\r\n", c.call("SETBIT", "k", "25", "1"));
            assertEquals("01000040", hex(j.get(bytes("k"))));
            assertEquals(":1\r\n", c.call("SETBIT", "k", "25", "0"));
            assertEquals("01000000", hex(j.get(bytes("k"))));
            assertEquals(":1\r\n", c.call("GETBIT", "k", "7"));
            assertEquals(":0\r\n", c.call("GETBIT", "k", "6"));
            assertEquals(":0\r\n", c.call("GETBIT", "k", "100000"));
            assertEquals(":0\r\n", c.call("GETBIT", "missing", "3"));
            c.call("SET", "s", "`");
            assertEquals(":1\r\n", c.call("GETBIT", "s", "1"));
            assertEquals(":1\r\n", c.call("SETBIT", "s", "2", "0"));
            assertEquals("@", j.get("s"));

            String offsetErr = "-ERR bit offset is not an integer or out of range\r\n";
            assertEquals(offsetErr, c.call("SETBIT", "k", "-1", "1"));
            assertEquals(offsetErr, c.call("SETBIT", "k", "4294967296", "1"));
            assertEquals(offsetErr, c.call("SETBIT", "k", "abc", "1"));
            assertEquals(offsetErr, c.call("GETBIT", "k", "-1"));
            assertEquals(offsetErr, c.call("GETBIT", "missing", "x"));
            String bitErr = "-ERR bit is not an integer or out of range\r\n";
            assertEquals(bitErr, c.call("SETBIT", "k", "1", "2"));
            assertEquals(bitErr, c.call("SETBIT", "k", "1", "-1"));
            assertEquals(bitErr, c.call("SETBIT", "k", "1", "x"));
            assertEquals("-ERR wrong number of arguments for 'setbit' command\r\n", c.call("SETBIT", "k", "1"));
        }
    }

    @Test
    @Covers({"setbit", "bitfield"})
    @DisplayName("Bit offsets are limited by proto-max-bulk-len: the last byte it allows can be set, the next cannot")
    void offsetLimit() throws Exception {
        try (TestServer small = TestServer.start("--proto-max-bulk-len", "1mb");
             RawClient c = new RawClient(small.port()); Jedis j = small.jedis()) {
            long limitBits = 1024L * 1024 * 8;
            assertEquals("-ERR bit offset is not an integer or out of range\r\n",
                c.call("SETBIT", "k", Long.toString(limitBits), "1"));
            assertEquals(":0\r\n", c.call("SETBIT", "k", Long.toString(limitBits - 1), "1"));
            byte[] v = j.get(bytes("k"));
            assertEquals(1024 * 1024, v.length);
            assertEquals(1, v[v.length - 1]);
            assertEquals(0, v[0]);
            assertEquals("-ERR bit offset is not an integer or out of range\r\n",
                c.call("BITFIELD", "k", "SET", "u8", "#" + (1024 * 1024), "1"));
            assertEquals("*1\r\n:1\r\n", c.call("BITFIELD", "k", "GET", "u8", "#" + (1024 * 1024 - 1)));
        }
    }

    @Test
    @Covers({"setbit", "bitfield", "bitop", "copy", "ttl"})
    @DisplayName("SETBIT and BITFIELD keep the key's TTL while growing it, BITOP drops it, and a COPY is changed independently")
    void ttlAndCopies() throws Exception {
        try (RawClient c = new RawClient(server.port()); Jedis j = server.jedis()) {
            c.call("SET", "k", "a", "EX", "1000");
            c.call("SETBIT", "k", "100", "1");
            c.call("SETBIT", "k", "0", "1");
            c.call("BITFIELD", "k", "SET", "u8", "#40", "7");
            assertEquals(41, j.get(bytes("k")).length);
            assertTrue(j.ttl("k") > 0);
            assertEquals(":1\r\n", c.call("COPY", "k", "k2"));
            c.call("SETBIT", "k2", "1", "1");
            c.call("BITFIELD", "k2", "SET", "u8", "#1", "255");
            assertEquals("e1", hex(java.util.Arrays.copyOf(j.get(bytes("k")), 1)));
            assertEquals("00", hex(java.util.Arrays.copyOfRange(j.get(bytes("k")), 1, 2)));
            assertEquals("e1ff", hex(java.util.Arrays.copyOf(j.get(bytes("k2")), 2)));
            assertEquals(":41\r\n", c.call("BITOP", "NOT", "k", "k"));
            assertEquals(-1, j.ttl("k"));
        }
    }

    @Test
    @Covers({"bitcount"})
    @DisplayName("BITCOUNT counts bits in byte or bit ranges with negative indexes, as Redis 7.0")
    void bitcount() throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            c.call("SET", "s", "foobar");
            assertEquals(":26\r\n", c.call("BITCOUNT", "s"));
            assertEquals(":4\r\n", c.call("BITCOUNT", "s", "0", "0"));
            assertEquals(":6\r\n", c.call("BITCOUNT", "s", "1", "1"));
            assertEquals(":6\r\n", c.call("BITCOUNT", "s", "1", "1", "BYTE"));
            assertEquals(":17\r\n", c.call("BITCOUNT", "s", "5", "30", "bit"));
            assertEquals(":7\r\n", c.call("BITCOUNT", "s", "-2", "-1"));
            assertEquals(":0\r\n", c.call("BITCOUNT", "s", "-1", "-2"));
            assertEquals(":26\r\n", c.call("BITCOUNT", "s", "-100", "100"));
            assertEquals(":0\r\n", c.call("BITCOUNT", "s", "-1", "-1", "BIT"));
            assertEquals(":1\r\n", c.call("BITCOUNT", "s", "-2", "-2", "BIT"));
            assertEquals(":0\r\n", c.call("BITCOUNT", "missing"));
            // as Redis 7.0: a missing key answers 0 before the arguments are looked at
            assertEquals(":0\r\n", c.call("BITCOUNT", "missing", "0", "1", "foo"));
            assertEquals("-ERR syntax error\r\n", c.call("BITCOUNT", "s", "0"));
            assertEquals("-ERR syntax error\r\n", c.call("BITCOUNT", "s", "0", "1", "foo"));
            assertEquals("-ERR syntax error\r\n", c.call("BITCOUNT", "s", "0", "1", "bit", "x"));
            assertEquals("-ERR value is not an integer or out of range\r\n", c.call("BITCOUNT", "s", "a", "1"));
        }
    }

    @Test
    @Covers({"bitpos"})
    @DisplayName("BITPOS finds the first set or clear bit, treating the right of an open range as zero padding")
    void bitpos() throws Exception {
        try (RawClient c = new RawClient(server.port()); Jedis j = server.jedis()) {
            j.set(bytes("k"), new byte[] {(byte) 0xff, (byte) 0xf0, 0});
            assertEquals(":12\r\n", c.call("BITPOS", "k", "0"));
            assertEquals(":8\r\n", c.call("BITPOS", "k", "1", "1"));
            assertEquals(":16\r\n", c.call("BITPOS", "k", "0", "2"));
            assertEquals(":-1\r\n", c.call("BITPOS", "k", "1", "2"));
            assertEquals(":12\r\n", c.call("BITPOS", "k", "0", "0", "-1"));
            assertEquals(":7\r\n", c.call("BITPOS", "k", "1", "7", "15", "BIT"));
            assertEquals(":12\r\n", c.call("BITPOS", "k", "0", "7", "15", "bit"));
            assertEquals(":-1\r\n", c.call("BITPOS", "k", "0", "0", "11", "BIT"));
            assertEquals(":-1\r\n", c.call("BITPOS", "k", "1", "2", "1"));
            j.set(bytes("ones"), new byte[] {(byte) 0xff, (byte) 0xff});
            assertEquals(":16\r\n", c.call("BITPOS", "ones", "0"));
            assertEquals(":16\r\n", c.call("BITPOS", "ones", "0", "0"));
            assertEquals(":-1\r\n", c.call("BITPOS", "ones", "0", "0", "-1"));
            assertEquals(":0\r\n", c.call("BITPOS", "missing", "0"));
            assertEquals(":-1\r\n", c.call("BITPOS", "missing", "1"));
            assertEquals(":-1\r\n", c.call("BITPOS", "missing", "1", "x"));
            assertEquals("-ERR The bit argument must be 1 or 0.\r\n", c.call("BITPOS", "k", "2"));
            assertEquals("-ERR value is not an integer or out of range\r\n", c.call("BITPOS", "k", "x"));
            assertEquals("-ERR value is not an integer or out of range\r\n", c.call("BITPOS", "k", "1", "2", "foo"));
            assertEquals("-ERR syntax error\r\n", c.call("BITPOS", "k", "1", "0", "1", "foo"));
            assertEquals("-ERR syntax error\r\n", c.call("BITPOS", "k", "1", "0", "1", "bit", "x"));
        }
    }

    @Test
    @Covers({"bitop"})
    @DisplayName("BITOP pads shorter sources with zeroes, stores the result without TTL, and deletes the target when all sources are empty")
    void bitop() throws Exception {
        try (RawClient c = new RawClient(server.port()); Jedis j = server.jedis()) {
            j.set(bytes("a"), new byte[] {(byte) 0xf0, 0x0f, (byte) 0xaa});
            j.set(bytes("b"), new byte[] {(byte) 0x3c});
            assertEquals(":3\r\n", c.call("BITOP", "AND", "d", "a", "b"));
            assertEquals("300000", hex(j.get(bytes("d"))));
            assertEquals(":3\r\n", c.call("BITOP", "or", "d", "a", "b", "missing"));
            assertEquals("fc0faa", hex(j.get(bytes("d"))));
            assertEquals(":3\r\n", c.call("BITOP", "Xor", "d", "a", "b"));
            assertEquals("cc0faa", hex(j.get(bytes("d"))));
            assertEquals(":3\r\n", c.call("BITOP", "NOT", "d", "a"));
            assertEquals("0ff055", hex(j.get(bytes("d"))));
            assertEquals(":3\r\n", c.call("BITOP", "AND", "d", "a", "missing"));
            assertEquals("000000", hex(j.get(bytes("d"))));
            assertEquals(":0\r\n", c.call("BITOP", "OR", "d", "missing", "missing2"));
            assertFalse(j.exists("d"));
            assertEquals("-ERR BITOP NOT must be called with a single source key.\r\n",
                c.call("BITOP", "NOT", "d", "a", "b"));
            assertEquals("-ERR syntax error\r\n", c.call("BITOP", "NAND", "d", "a"));
            assertEquals("-ERR wrong number of arguments for 'bitop' command\r\n", c.call("BITOP", "AND", "d"));
            // the destination keeps no expiry and may be a source
            c.call("SET", "e", "x", "EX", "1000");
            assertEquals(":3\r\n", c.call("BITOP", "OR", "e", "a", "e"));
            assertEquals(-1, j.ttl("e"));
            assertEquals("f80faa", hex(j.get(bytes("e"))));
        }
    }

    @Test
    @Covers({"bitfield", "bitfield_ro"})
    @DisplayName("BITFIELD GET/SET/INCRBY with WRAP, SAT and FAIL gives the values redis-server 7.0 gives")
    void bitfield() throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            assertEquals("*4\r\n:0\r\n$-1\r\n:9223372036854775807\r\n:9223372036854775806\r\n",
                c.call("BITFIELD", "i", "SET", "i64", "0", "9223372036854775807", "OVERFLOW", "FAIL",
                    "INCRBY", "i64", "0", "1", "OVERFLOW", "SAT", "INCRBY", "i64", "0", "1", "INCRBY", "i64", "0", "-1"));
            assertEquals("*3\r\n:9223372036854775806\r\n$-1\r\n:9223372036854775807\r\n",
                c.call("BITFIELD", "i", "set", "i64", "0", "-9223372036854775808", "overflow", "fail",
                    "incrby", "i64", "0", "-1", "overflow", "wrap", "incrby", "i64", "0", "-1"));
            assertEquals("*6\r\n:0\r\n:44\r\n:255\r\n$-1\r\n$-1\r\n:211\r\n",
                c.call("BITFIELD", "u", "SET", "u8", "0", "300", "OVERFLOW", "SAT", "SET", "u8", "0", "300",
                    "SET", "u8", "0", "-1", "OVERFLOW", "FAIL", "SET", "u8", "0", "256", "INCRBY", "u8", "0", "-300",
                    "OVERFLOW", "WRAP", "INCRBY", "u8", "0", "-300"));
            assertEquals("*5\r\n:7602076171001397248\r\n:9223372036854775807\r\n:-1\r\n:4\r\n:1\r\n",
                c.call("BITFIELD", "u", "SET", "u63", "0", "-1", "GET", "u63", "0", "SET", "i5", "3", "100",
                    "GET", "i5", "3", "GET", "u3", "#1"));
            assertEquals("*2\r\n:0\r\n:0\r\n", c.call("BITFIELD_RO", "missing", "GET", "u8", "0", "GET", "i64", "#3"));
            assertEquals("*1\r\n:100\r\n", c.call("BITFIELD", "n", "INCRBY", "i8", "#1", "100"));
            assertEquals("*1\r\n:100\r\n", c.call("BITFIELD_RO", "n", "GET", "i8", "8"));
            assertEquals("*0\r\n", c.call("BITFIELD", "n"));
            assertEquals("*0\r\n", c.call("BITFIELD_RO", "n"));

            String typeErr = "-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.\r\n";
            assertEquals(typeErr, c.call("BITFIELD", "n", "GET", "u64", "0"));
            assertEquals(typeErr, c.call("BITFIELD", "n", "GET", "i65", "0"));
            assertEquals(typeErr, c.call("BITFIELD", "n", "GET", "i0", "0"));
            assertEquals(typeErr, c.call("BITFIELD", "n", "GET", "x8", "0"));
            String offsetErr = "-ERR bit offset is not an integer or out of range\r\n";
            assertEquals(offsetErr, c.call("BITFIELD", "n", "GET", "i8", "-1"));
            assertEquals(offsetErr, c.call("BITFIELD", "n", "GET", "i8", "#-1"));
            assertEquals(offsetErr, c.call("BITFIELD", "n", "GET", "u8", "#536870912"));
            assertEquals("-ERR Invalid OVERFLOW type specified\r\n", c.call("BITFIELD", "n", "OVERFLOW", "foo"));
            assertEquals("-ERR syntax error\r\n", c.call("BITFIELD", "n", "INCRBY"));
            assertEquals("-ERR syntax error\r\n", c.call("BITFIELD", "n", "GET", "u8"));
            assertEquals("-ERR value is not an integer or out of range\r\n", c.call("BITFIELD", "n", "SET", "u8", "0", "x"));
            assertEquals("-ERR BITFIELD_RO only supports the GET subcommand\r\n",
                c.call("BITFIELD_RO", "n", "SET", "u8", "0", "1"));
            assertEquals("-ERR BITFIELD_RO only supports the GET subcommand\r\n",
                c.call("BITFIELD_RO", "missing", "INCRBY", "u8", "0", "1"));
            assertEquals(":0\r\n", c.call("EXISTS", "missing"));
        }
    }

    @Test
    @Covers({"setbit", "getbit", "bitcount", "bitpos", "bitop", "bitfield", "bitfield_ro"})
    @DisplayName("Bit commands work on any string value, such as text written by SET")
    void textStrings() throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            c.call("SET", "s", "a");
            assertEquals(":3\r\n", c.call("BITCOUNT", "s"));
            assertEquals(":1\r\n", c.call("BITPOS", "s", "1"));
            assertEquals(":1\r\n", c.call("GETBIT", "s", "1"));
            assertEquals(":0\r\n", c.call("SETBIT", "s", "6", "1"));
            assertEquals("*1\r\n:99\r\n", c.call("BITFIELD_RO", "s", "GET", "u8", "0"));
            assertEquals("*1\r\n:100\r\n", c.call("BITFIELD", "s", "INCRBY", "u8", "0", "1"));
            assertEquals(":1\r\n", c.call("BITOP", "NOT", "s", "s"));
        }
    }

    @Test
    @Covers({"setbit", "bitfield", "bitop"})
    @DisplayName("Bit writes publish setbit and set keyspace events only when something changed, and BITOP of nothing publishes del")
    void notifications() throws Exception {
        try (TestServer ns = TestServer.start("--notify-keyspace-events", "KEA");
             RawClient sub = new RawClient(ns.port()); RawClient c = new RawClient(ns.port())) {
            sub.call("SUBSCRIBE", "__keyevent@0__:setbit", "__keyevent@0__:set", "__keyevent@0__:del");
            sub.readReply();
            sub.readReply();
            c.call("SETBIT", "k", "1", "1");
            assertEquals(event("setbit", "k"), sub.readReply());
            c.call("SETBIT", "k", "1", "1"); // no change: no event
            c.call("BITFIELD", "k", "SET", "u2", "0", "1"); // no change either
            c.call("BITFIELD", "k", "INCRBY", "u2", "0", "1");
            assertEquals(event("setbit", "k"), sub.readReply());
            c.call("BITOP", "NOT", "d", "k");
            assertEquals(event("set", "d"), sub.readReply());
            c.call("BITOP", "AND", "d", "missing");
            assertEquals(event("del", "d"), sub.readReply());
        }
    }

    private static String event(String name, String key) {
        String ch = "__keyevent@0__:" + name;
        return "*3\r\n$7\r\nmessage\r\n$" + ch.length() + "\r\n" + ch + "\r\n$" + key.length() + "\r\n" + key + "\r\n";
    }

    // ---- differential test against redis-server ----

    /** A reply as text: integers, hex bulk strings, nested arrays, errors. */
    private static String render(Object reply) {
        if (reply == null) {
            return "nil";
        }
        if (reply instanceof byte[]) {
            return "$" + hex((byte[]) reply);
        }
        if (reply instanceof List) {
            StringBuilder sb = new StringBuilder("[");
            for (Object o : (List<?>) reply) {
                sb.append(render(o)).append(' ');
            }
            return sb.append(']').toString();
        }
        return String.valueOf(reply);
    }

    private static String call(Jedis j, String... args) {
        ProtocolCommand cmd = () -> bytes(args[0]);
        String[] rest = java.util.Arrays.copyOfRange(args, 1, args.length);
        try {
            return render(j.sendCommand(cmd, rest));
        } catch (JedisDataException e) {
            return "-" + e.getMessage();
        }
    }

    private static final String[] TYPES = {"u1", "u3", "u8", "u13", "u31", "u63", "i1", "i2", "i8", "i17", "i32", "i63", "i64"};
    private static final String[] UNITS = {"", "BYTE", "BIT"};

    private static List<String> randomTranscript(Jedis j, long seed) {
        List<String> out = new ArrayList<>();
        j.flushAll();
        Random rnd = new Random(seed);
        String[] keys = {"a", "b", "c"};
        for (int step = 0; step < 1500; step++) {
            String k = keys[rnd.nextInt(keys.length)];
            String[] cmd;
            switch (rnd.nextInt(8)) {
                case 0:
                    cmd = new String[] {"SETBIT", k, Integer.toString(rnd.nextInt(600)), Integer.toString(rnd.nextInt(2))};
                    break;
                case 1:
                    cmd = new String[] {"GETBIT", k, Integer.toString(rnd.nextInt(700))};
                    break;
                case 2: {
                    String unit = UNITS[rnd.nextInt(3)];
                    int s = rnd.nextInt(200) - 100;
                    int e = rnd.nextInt(200) - 100;
                    cmd = unit.isEmpty() ? new String[] {"BITCOUNT", k, Integer.toString(s), Integer.toString(e)}
                        : new String[] {"BITCOUNT", k, Integer.toString(s), Integer.toString(e), unit};
                    break;
                }
                case 3: {
                    String bit = Integer.toString(rnd.nextInt(2));
                    int s = rnd.nextInt(200) - 100;
                    int e = rnd.nextInt(200) - 100;
                    switch (rnd.nextInt(4)) {
                        case 0: cmd = new String[] {"BITPOS", k, bit}; break;
                        case 1: cmd = new String[] {"BITPOS", k, bit, Integer.toString(s)}; break;
                        case 2: cmd = new String[] {"BITPOS", k, bit, Integer.toString(s), Integer.toString(e)}; break;
                        default:
                            cmd = new String[] {"BITPOS", k, bit, Integer.toString(s), Integer.toString(e),
                                rnd.nextBoolean() ? "BIT" : "BYTE"};
                    }
                    break;
                }
                case 4: {
                    String[] ops = {"AND", "OR", "XOR", "NOT"};
                    String op = ops[rnd.nextInt(4)];
                    cmd = op.equals("NOT") ? new String[] {"BITOP", op, keys[rnd.nextInt(3)], k}
                        : new String[] {"BITOP", op, keys[rnd.nextInt(3)], k, keys[rnd.nextInt(3)], "missing"};
                    break;
                }
                case 5:
                case 6: {
                    List<String> args = new ArrayList<>(List.of(rnd.nextBoolean() ? "BITFIELD" : "BITFIELD_RO", k));
                    int n = 1 + rnd.nextInt(4);
                    for (int i = 0; i < n; i++) {
                        String type = TYPES[rnd.nextInt(TYPES.length)];
                        String off = rnd.nextInt(4) == 0 ? "#" + rnd.nextInt(20) : Integer.toString(rnd.nextInt(300));
                        switch (rnd.nextInt(4)) {
                            case 0:
                                args.addAll(List.of("GET", type, off));
                                break;
                            case 1:
                                args.addAll(List.of("SET", type, off, Long.toString(randomValue(rnd))));
                                break;
                            case 2:
                                args.addAll(List.of("INCRBY", type, off, Long.toString(randomValue(rnd))));
                                break;
                            default:
                                args.addAll(List.of("OVERFLOW", new String[] {"WRAP", "SAT", "FAIL"}[rnd.nextInt(3)]));
                        }
                    }
                    cmd = args.toArray(new String[0]);
                    break;
                }
                default:
                    cmd = new String[] {"GET", k};
            }
            out.add(String.join(" ", cmd) + " -> " + call(j, cmd));
        }
        for (String k : keys) {
            out.add("GET " + k + " -> " + call(j, "GET", k));
        }
        return out;
    }

    private static long randomValue(Random rnd) {
        switch (rnd.nextInt(5)) {
            case 0: return rnd.nextLong();
            case 1: return rnd.nextInt(512) - 256;
            case 2: return rnd.nextBoolean() ? Long.MAX_VALUE - rnd.nextInt(3) : Long.MIN_VALUE + rnd.nextInt(3);
            case 3: return (1L << rnd.nextInt(63)) - rnd.nextInt(2);
            default: return rnd.nextInt(3) - 1;
        }
    }

    @Test
    @Covers({"setbit", "getbit", "bitcount", "bitpos", "bitop", "bitfield", "bitfield_ro"})
    @DisplayName("Random seeded bit commands give the same replies and values on Strata and redis-server")
    void sameAsRedis() throws Exception {
        Assumptions.assumeTrue(RedisServerProcess.available(), "no /usr/bin/redis-server");
        for (long seed : new long[] {1, 2, 3}) {
            List<String> expected;
            try (RedisServerProcess redis = RedisServerProcess.start();
                 Jedis rj = new Jedis("127.0.0.1", redis.port(), 10_000)) {
                expected = randomTranscript(rj, seed);
            }
            List<String> actual;
            try (Jedis j = server.jedis()) {
                actual = randomTranscript(j, seed);
            }
            assertEquals(expected.size(), actual.size());
            for (int i = 0; i < expected.size(); i++) {
                assertEquals(expected.get(i), actual.get(i), "seed " + seed + " step " + i);
            }
        }
    }

    /** COMMAND INFO's name, arity, flags, key positions and ACL categories (sets compared unordered). */
    static List<String> commandInfo(Jedis j, String... names) {
        List<String> out = new ArrayList<>();
        String[] args = new String[names.length + 1];
        args[0] = "INFO";
        System.arraycopy(names, 0, args, 1, names.length);
        List<?> infos = (List<?>) j.sendCommand(() -> bytes("COMMAND"), args);
        for (Object o : infos) {
            List<?> info = (List<?>) o;
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < 7; i++) {
                Object f = info.get(i);
                if (f instanceof List) {
                    java.util.TreeSet<String> set = new java.util.TreeSet<>();
                    for (Object x : (List<?>) f) {
                        set.add(x instanceof byte[] ? new String((byte[]) x, StandardCharsets.UTF_8) : String.valueOf(x));
                    }
                    sb.append(set);
                } else {
                    sb.append(f instanceof byte[] ? new String((byte[]) f, StandardCharsets.UTF_8) : f);
                }
                sb.append(' ');
            }
            out.add(sb.toString().trim());
        }
        return out;
    }

    @Test
    @Covers({"setbit", "getbit", "bitcount", "bitpos", "bitop", "bitfield", "bitfield_ro"})
    @DisplayName("COMMAND INFO gives the bit commands Redis 7.0's arity, flags, key positions and ACL categories")
    void commandInfoAsRedis() throws Exception {
        String[] names = {"setbit", "getbit", "bitcount", "bitpos", "bitop", "bitfield", "bitfield_ro",
            "pfadd", "pfcount", "pfmerge", "pfdebug", "pfselftest"};
        List<String> expected = List.of(
            "setbit 4 [denyoom, write] 1 1 1 [@bitmap, @slow, @write]",
            "getbit 3 [fast, readonly] 1 1 1 [@bitmap, @fast, @read]",
            "bitcount -2 [readonly] 1 1 1 [@bitmap, @read, @slow]",
            "bitpos -3 [readonly] 1 1 1 [@bitmap, @read, @slow]",
            "bitop -4 [denyoom, write] 2 -1 1 [@bitmap, @slow, @write]",
            "bitfield -2 [denyoom, write] 1 1 1 [@bitmap, @slow, @write]",
            "bitfield_ro -2 [fast, readonly] 1 1 1 [@bitmap, @fast, @read]",
            "pfadd -2 [denyoom, fast, write] 1 1 1 [@fast, @hyperloglog, @write]",
            "pfcount -2 [readonly] 1 -1 1 [@hyperloglog, @read, @slow]",
            "pfmerge -2 [denyoom, write] 1 -1 1 [@hyperloglog, @slow, @write]",
            "pfdebug 3 [admin, denyoom, write] 2 2 1 [@admin, @dangerous, @hyperloglog, @slow, @write]",
            "pfselftest 1 [admin] 0 0 0 [@admin, @dangerous, @hyperloglog, @slow]");
        try (Jedis j = server.jedis()) {
            assertEquals(expected, commandInfo(j, names));
        }
        if (RedisServerProcess.available()) {
            try (RedisServerProcess redis = RedisServerProcess.start();
                 Jedis rj = new Jedis("127.0.0.1", redis.port(), 10_000)) {
                assertEquals(expected, commandInfo(rj, names), "the expectation itself, checked on redis-server");
            }
        }
    }

    @Test
    @Covers({"getbit"})
    @DisplayName("GETBIT on a missing key is 0 and creates nothing")
    void getbitMissing() {
        try (Jedis j = server.jedis()) {
            assertFalse(j.getbit("nokey", 10));
            assertNull(j.get("nokey"));
        }
    }
}
