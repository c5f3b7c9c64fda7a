package io.strata.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HashCommandsTest {
    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start("--notify-keyspace-events", "KEA");
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

    @Test
    @Covers({"hset", "hget", "hmset", "hmget", "hlen", "hexists", "hstrlen", "hsetnx", "hdel", "exists"})
    @DisplayName("HSET/HMSET store fields, HSETNX only adds, HDEL removes and the key goes with its last field")
    void setGetDelete() {
        try (Jedis j = server.jedis()) {
            assertEquals(2, j.hset("h", Map.of("a", "1", "b", "22")));
            assertEquals(0, j.hset("h", "a", "111"), "replacing a value creates no field");
            assertEquals("OK", j.hmset("h", Map.of("c", "3")));
            assertEquals("111", j.hget("h", "a"));
            assertNull(j.hget("h", "zz"));
            assertNull(j.hget("nokey", "a"));
            assertEquals(java.util.Arrays.asList("111", null, "3"), j.hmget("h", "a", "zz", "c"));
            assertEquals(java.util.Arrays.asList(null, null), j.hmget("nokey", "a", "b"));
            assertEquals(3, j.hlen("h"));
            assertEquals(0, j.hlen("nokey"));
            assertTrue(j.hexists("h", "b"));
            assertFalse(j.hexists("h", "zz"));
            assertEquals(2, j.hstrlen("h", "b"));
            assertEquals(0, j.hstrlen("h", "zz"));
            assertEquals(0, j.hsetnx("h", "a", "x"));
            assertEquals("111", j.hget("h", "a"));
            assertEquals(1, j.hsetnx("h", "d", "4"));
            assertEquals(1, j.hsetnx("fresh", "f", "v"));
            assertEquals(2, j.hdel("h", "a", "b", "zz"));
            assertEquals(0, j.hdel("nokey", "a"));
            assertEquals(2, j.hdel("h", "c", "d"));
            assertFalse(j.exists("h"), "an emptied hash is deleted");
            assertEquals(1, j.hset("empty-field", "", ""));
            assertEquals("", j.hget("empty-field", ""));
        }
    }

    @Test
    @Covers({"hgetall", "hkeys", "hvals", "hset", "hdel"})
    @DisplayName("A small hash answers HGETALL, HKEYS and HVALS in insertion order; a replaced value keeps its place")
    void insertionOrder() throws Exception {
        try (Jedis j = server.jedis(); RawClient c = new RawClient(server.port())) {
            c.call("HSET", "h", "c", "1", "a", "2", "b", "3");
            c.call("HSET", "h", "c", "9");
            c.call("HSET", "h", "z", "0");
            c.call("HDEL", "h", "a");
            assertEquals("*3\r\n$1\r\nc\r\n$1\r\nb\r\n$1\r\nz\r\n", c.call("HKEYS", "h"));
            assertEquals(List.of("9", "3", "0"), j.hvals("h"));
            assertEquals("*6\r\n$1\r\nc\r\n$1\r\n9\r\n$1\r\nb\r\n$1\r\n3\r\n$1\r\nz\r\n$1\r\n0\r\n", c.call("HGETALL", "h"));
            assertEquals("*0\r\n", c.call("HGETALL", "nokey"));
            assertEquals("*0\r\n", c.call("HKEYS", "nokey"));
            assertEquals("*0\r\n", c.call("HVALS", "nokey"));
        }
    }

    @Test
    @Covers({"hincrby", "hincrbyfloat"})
    @DisplayName("HINCRBY and HINCRBYFLOAT add to fields and refuse bad numbers with Redis' errors")
    void increments() throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            assertEquals(":5\r\n", c.call("HINCRBY", "h", "n", "5"));
            assertEquals(":-2\r\n", c.call("HINCRBY", "h", "n", "-7"));
            assertEquals("$3\r\n8.5\r\n", c.call("HINCRBYFLOAT", "h", "n", "10.5"));
            assertEquals("$4\r\n10.6\r\n", c.call("HINCRBYFLOAT", "h", "n", "2.1"));
            assertEquals("$4\r\n1501\r\n", c.call("HINCRBYFLOAT", "h", "sci", "1.501e3"));
            assertEquals("$3\r\n2.5\r\n", c.call("HINCRBYFLOAT", "new", "f", "2.5"));
            c.call("HSET", "h", "tenth", "0.1");
            assertEquals("$3\r\n0.3\r\n", c.call("HINCRBYFLOAT", "h", "tenth", "0.2"), "long double arithmetic, as Redis");
            c.call("HSET", "h", "s", "abc", "max", "9223372036854775807");
            assertEquals("-ERR hash value is not an integer\r\n", c.call("HINCRBY", "h", "s", "1"));
            assertEquals("-ERR hash value is not an integer\r\n", c.call("HINCRBY", "h", "n", "1"));
            assertEquals("-ERR hash value is not a float\r\n", c.call("HINCRBYFLOAT", "h", "s", "1"));
            assertEquals("-ERR value is not an integer or out of range\r\n", c.call("HINCRBY", "h", "n", "x"));
            assertEquals("-ERR increment or decrement would overflow\r\n", c.call("HINCRBY", "h", "max", "1"));
            assertEquals("-ERR value is not a valid float\r\n", c.call("HINCRBYFLOAT", "h", "n", "abc"));
            assertEquals("-ERR value is not a valid float\r\n", c.call("HINCRBYFLOAT", "h", "n", "nan"));
            assertEquals("-ERR value is NaN or Infinity\r\n", c.call("HINCRBYFLOAT", "h", "n", "inf"));
            c.call("HSET", "h", "big", "1e4932");
            assertEquals("-ERR increment would produce NaN or Infinity\r\n", c.call("HINCRBYFLOAT", "h", "big", "1e4932"));
            assertEquals("$3\r\nabc\r\n", c.call("HGET", "h", "s"), "a failed increment leaves the field alone");
        }
    }

    @Test
    @Covers({"hset", "hmset", "hget", "hgetall", "hdel", "hincrby", "hscan", "hrandfield", "set"})
    @DisplayName("Hash commands refuse other types with WRONGTYPE and odd field/value lists with an arity error")
    void errors() throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            String wrongType = "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
            c.call("SET", "str", "v");
            assertEquals(wrongType, c.call("HSET", "str", "a", "1"));
            assertEquals(wrongType, c.call("HGET", "str", "a"));
            assertEquals(wrongType, c.call("HGETALL", "str"));
            assertEquals(wrongType, c.call("HDEL", "str", "a"));
            assertEquals(wrongType, c.call("HINCRBY", "str", "a", "1"));
            assertEquals(wrongType, c.call("HSCAN", "str", "0"));
            assertEquals(wrongType, c.call("HRANDFIELD", "str"));
            assertEquals("-ERR wrong number of arguments for 'hset' command\r\n", c.call("HSET", "h", "a", "1", "b"));
            assertEquals("-ERR wrong number of arguments for 'hmset' command\r\n", c.call("HMSET", "h", "a"));
            assertEquals("-ERR wrong number of arguments for 'hget' command\r\n", c.call("HGET", "h"));
        }
    }

    @Test
    @Covers({"hrandfield"})
    @DisplayName("HRANDFIELD: distinct fields for positive counts, repeats for negative ones, WITHVALUES pairs in RESP3")
    void randomFields() throws Exception {
        try (Jedis j = server.jedis(); RawClient c = new RawClient(server.port())) {
            Map<String, String> h = new HashMap<>();
            for (int i = 0; i < 20; i++) {
                h.put("f" + i, "v" + i);
            }
            j.hset("h", h);
            assertTrue(h.containsKey(j.hrandfield("h")));
            assertNull(j.hrandfield("nokey"));
            List<String> five = j.hrandfield("h", 5);
            assertEquals(5, new HashSet<>(five).size());
            assertTrue(h.keySet().containsAll(five));
            assertEquals(h.keySet(), new HashSet<>(j.hrandfield("h", 100)), "a count past the size gives the whole hash");
            List<String> repeats = j.hrandfield("h", -50);
            assertEquals(50, repeats.size());
            assertTrue(h.keySet().containsAll(repeats));
            for (Map.Entry<String, String> e : j.hrandfieldWithValues("h", -30)) {
                assertEquals(h.get(e.getKey()), e.getValue());
            }
            assertEquals(0, j.hrandfield("nokey", 3).size());

            c.call("HSET", "one", "f", "v");
            assertEquals("*2\r\n$1\r\nf\r\n$1\r\nv\r\n", c.call("HRANDFIELD", "one", "1", "WITHVALUES"));
            assertEquals("*0\r\n", c.call("HRANDFIELD", "one", "0"));
            assertEquals("*0\r\n", c.call("HRANDFIELD", "nokey", "2", "WITHVALUES"));
            assertEquals("-ERR syntax error\r\n", c.call("HRANDFIELD", "one", "1", "WITHVALUE"));
            assertEquals("-ERR syntax error\r\n", c.call("HRANDFIELD", "one", "1", "WITHVALUES", "x"));
            assertEquals("-ERR value is not an integer or out of range\r\n", c.call("HRANDFIELD", "one", "x"));
            assertEquals("-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n",
                c.call("HRANDFIELD", "one", "-9223372036854775808"));
            assertEquals("-ERR value is out of range\r\n", c.call("HRANDFIELD", "one", "-4611686018427387904", "WITHVALUES"));

            c.call("HELLO", "3");
            assertEquals("*1\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n", c.call("HRANDFIELD", "one", "1", "WITHVALUES"));
            assertEquals("*2\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n",
                c.call("HRANDFIELD", "one", "-2", "WITHVALUES"));
            assertEquals("*2\r\n$1\r\nf\r\n$1\r\nf\r\n", c.call("HRANDFIELD", "one", "-2"));
            assertEquals("_\r\n", c.call("HRANDFIELD", "nokey"));
        }
    }

    @Test
    @Covers({"hscan"})
    @DisplayName("HSCAN returns a small hash in one call with cursor 0 and walks a 1000-field hash completely")
    void scan() throws Exception {
        try (Jedis j = server.jedis(); RawClient c = new RawClient(server.port())) {
            c.call("HSET", "small", "a1", "1", "b", "2", "a2", "3");
            assertEquals("*2\r\n$1\r\n0\r\n*6\r\n$2\r\na1\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$2\r\na2\r\n$1\r\n3\r\n",
                c.call("HSCAN", "small", "0", "COUNT", "1"));
            assertEquals("*2\r\n$1\r\n0\r\n*4\r\n$2\r\na1\r\n$1\r\n1\r\n$2\r\na2\r\n$1\r\n3\r\n",
                c.call("HSCAN", "small", "0", "MATCH", "a*"));
            assertEquals("*2\r\n$1\r\n0\r\n*0\r\n", c.call("HSCAN", "nokey", "0"));
            assertEquals("-ERR invalid cursor\r\n", c.call("HSCAN", "small", "x"));
            assertEquals("-ERR invalid cursor\r\n", c.call("HSCAN", "small", "18446744073709551616"));
            assertEquals("-ERR syntax error\r\n", c.call("HSCAN", "small", "0", "COUNT", "0"));
            assertEquals("-ERR syntax error\r\n", c.call("HSCAN", "small", "0", "TYPE", "string"));
            assertEquals("-ERR value is not an integer or out of range\r\n", c.call("HSCAN", "small", "0", "COUNT", "x"));

            Map<String, String> big = new HashMap<>();
            for (int i = 0; i < 1000; i++) {
                big.put("field:" + i, "value:" + i);
            }
            j.hset("big", big);
            Map<String, String> seen = new HashMap<>();
            String cursor = ScanParams.SCAN_POINTER_START;
            int calls = 0;
            do {
                ScanResult<Map.Entry<String, String>> res = j.hscan("big", cursor, new ScanParams().count(20));
                for (Map.Entry<String, String> e : res.getResult()) {
                    seen.put(e.getKey(), e.getValue());
                }
                cursor = res.getCursor();
                calls++;
            } while (!cursor.equals("0"));
            assertEquals(big, seen);
            assertTrue(calls > 1, "a big hash is iterated in several calls");

            Set<String> matched = new HashSet<>();
            cursor = "0";
            do {
                ScanResult<Map.Entry<String, String>> res = j.hscan("big", cursor, new ScanParams().match("field:99*"));
                res.getResult().forEach(e -> matched.add(e.getKey()));
                cursor = res.getCursor();
            } while (!cursor.equals("0"));
            assertEquals(Set.of("field:99", "field:990", "field:991", "field:992", "field:993", "field:994",
                "field:995", "field:996", "field:997", "field:998", "field:999"), matched);
        }
    }

    @Test
    @Covers({"hgetall", "hmget", "hkeys", "hset"})
    @DisplayName("Under RESP3 HGETALL is a map (empty map for a missing key) and HMGET's missing fields are nulls")
    void resp3() throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            c.call("HELLO", "3");
            c.call("HSET", "h", "a", "1", "b", "2");
            assertEquals("%2\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n", c.call("HGETALL", "h"));
            assertEquals("%0\r\n", c.call("HGETALL", "nokey"));
            assertEquals("*2\r\n$1\r\n2\r\n_\r\n", c.call("HMGET", "h", "b", "zz"));
            assertEquals("*0\r\n", c.call("HKEYS", "nokey"));
        }
    }

    @Test
    @Covers({"hset", "hsetnx", "hincrby", "hincrbyfloat", "hdel", "psubscribe"})
    @DisplayName("Hash writes publish hset, hincrby, hincrbyfloat and hdel events, and del when the last field goes")
    void notifications() throws Exception {
        try (RawClient sub = new RawClient(server.port()); RawClient c = new RawClient(server.port())) {
            sub.call("PSUBSCRIBE", "__keyevent@0__:*");
            c.call("HSET", "h", "a", "1");
            c.call("HSETNX", "h", "b", "2");
            c.call("HSETNX", "h", "b", "3"); // no change, no event
            c.call("HINCRBY", "h", "a", "1");
            c.call("HINCRBYFLOAT", "h", "a", "1.5");
            c.call("HDEL", "h", "zz"); // nothing deleted, no event
            c.call("HDEL", "h", "a", "b");
            List<String> events = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                String m = sub.readReply();
                String[] parts = m.split("\r\n");
                events.add(parts[6].substring("__keyevent@0__:".length()) + " " + parts[8]);
            }
            assertEquals(List.of("hset h", "hset h", "hincrby h", "hincrbyfloat h", "hdel h", "del h"), events);
        }
    }

    @Test
    @Covers({"hset", "hgetall", "hlen"})
    @DisplayName("A hash past hash-max-listpack-entries keeps every field")
    void conversion() {
        try (TestServer small = TestServer.start("--hash-max-listpack-entries", "4", "--hash-max-listpack-value", "8");
             Jedis j = small.jedis()) {
            Map<String, String> expected = new LinkedHashMap<>();
            for (int i = 0; i < 10; i++) {
                expected.put("f" + i, "v" + i);
                j.hset("h", "f" + i, "v" + i);
            }
            j.hset("long", "f", "a value longer than eight bytes");
            assertEquals(expected, j.hgetAll("h"));
            assertEquals(10, j.hlen("h"));
            assertEquals("a value longer than eight bytes", j.hget("long", "f"));
        }
    }
}
