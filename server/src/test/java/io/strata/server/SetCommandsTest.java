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
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SetCommandsTest {
    static TestServer server;
    static final String WRONGTYPE = "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";

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
    @Covers({"sadd", "srem", "scard", "sismember", "smismember", "smembers", "exists"})
    @DisplayName("SADD/SREM count what changed, membership answers per member, and the key goes with its last member")
    void addRemove() throws Exception {
        try (Jedis j = server.jedis(); RawClient c = new RawClient(server.port())) {
            assertEquals(3, j.sadd("s", "a", "b", "c"));
            assertEquals(1, j.sadd("s", "a", "d"));
            assertEquals(4, j.scard("s"));
            assertEquals(0, j.scard("nokey"));
            assertTrue(j.sismember("s", "a"));
            assertFalse(j.sismember("s", "z"));
            assertFalse(j.sismember("nokey", "z"));
            assertEquals(List.of(true, false, true), j.smismember("s", "a", "z", "d"));
            assertEquals("*2\r\n:0\r\n:0\r\n", c.call("SMISMEMBER", "nokey", "a", "b"));
            assertEquals(Set.of("a", "b", "c", "d"), j.smembers("s"));
            assertEquals(2, j.srem("s", "a", "b", "z"));
            assertEquals(0, j.srem("nokey", "a"));
            assertEquals(2, j.srem("s", "c", "d"));
            assertFalse(j.exists("s"), "an emptied set is deleted");
            assertEquals("*0\r\n", c.call("SMEMBERS", "nokey"));
            assertEquals("-ERR wrong number of arguments for 'sadd' command\r\n", c.call("SADD", "s"));
        }
    }

    @Test
    @Covers({"sadd", "smembers", "sismember", "srem"})
    @DisplayName("An all-integer set lists its members in ascending numeric order, as Redis' intset does")
    void intsetOrder() throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            c.call("SADD", "s", "10", "-3", "5", "1", "9223372036854775807", "-9223372036854775808");
            assertEquals("*6\r\n$20\r\n-9223372036854775808\r\n$2\r\n-3\r\n$1\r\n1\r\n$1\r\n5\r\n$2\r\n10\r\n"
                + "$19\r\n9223372036854775807\r\n", c.call("SMEMBERS", "s"));
            assertEquals(":0\r\n", c.call("SISMEMBER", "s", "010"), "only canonical integers are members");
            assertEquals(":1\r\n", c.call("SREM", "s", "5"));
            assertEquals(":1\r\n", c.call("SADD", "s", "05"));
            assertEquals(":1\r\n", c.call("SISMEMBER", "s", "05"));
        }
    }

    @Test
    @Covers({"spop", "srandmember", "exists"})
    @DisplayName("SPOP removes distinct random members; SRANDMEMBER repeats only for negative counts")
    void random() throws Exception {
        try (Jedis j = server.jedis(); RawClient c = new RawClient(server.port())) {
            Set<String> all = new HashSet<>();
            for (int i = 0; i < 30; i++) {
                all.add("m" + i);
            }
            j.sadd("s", all.toArray(new String[0]));
            assertTrue(all.contains(j.srandmember("s")));
            List<String> five = j.srandmember("s", 5);
            assertEquals(5, new HashSet<>(five).size());
            assertTrue(all.containsAll(five));
            assertEquals(all, new HashSet<>(j.srandmember("s", 100)));
            List<String> repeats = j.srandmember("s", -100);
            assertEquals(100, repeats.size());
            assertTrue(all.containsAll(repeats));
            assertNull(j.srandmember("nokey"));
            assertEquals("*0\r\n", c.call("SRANDMEMBER", "nokey", "5"));
            assertEquals("*0\r\n", c.call("SRANDMEMBER", "s", "0"));

            String one = j.spop("s");
            assertTrue(all.contains(one));
            assertFalse(j.sismember("s", one));
            Set<String> popped = j.spop("s", 10);
            assertEquals(10, popped.size());
            assertEquals(19, j.scard("s"));
            for (String m : popped) {
                assertFalse(j.sismember("s", m));
            }
            assertEquals(19, j.spop("s", 50).size());
            assertFalse(j.exists("s"));
            assertNull(j.spop("nokey"));
            assertEquals("*0\r\n", c.call("SPOP", "nokey", "3"));

            c.call("SADD", "t", "x");
            assertEquals("*0\r\n", c.call("SPOP", "t", "0"));
            assertEquals("-ERR value is out of range, must be positive\r\n", c.call("SPOP", "t", "-1"));
            assertEquals("-ERR value is out of range, must be positive\r\n", c.call("SPOP", "t", "x"));
            assertEquals("-ERR syntax error\r\n", c.call("SPOP", "t", "1", "2"));
            assertEquals("-ERR syntax error\r\n", c.call("SRANDMEMBER", "t", "1", "2"));
            assertEquals("-ERR value is not an integer or out of range\r\n", c.call("SRANDMEMBER", "t", "x"));
            assertEquals("-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n",
                c.call("SRANDMEMBER", "t", "-9223372036854775808"));
            assertEquals("*3\r\n$1\r\nx\r\n$1\r\nx\r\n$1\r\nx\r\n", c.call("SRANDMEMBER", "t", "-3"));
        }
    }

    @Test
    @Covers({"smove", "sadd", "smembers", "exists", "set"})
    @DisplayName("SMOVE moves a member, creates the destination, deletes an emptied source and checks both types")
    void move() throws Exception {
        try (Jedis j = server.jedis(); RawClient c = new RawClient(server.port())) {
            j.sadd("src", "a", "b");
            assertEquals(1, j.smove("src", "dst", "a"));
            assertEquals(Set.of("a"), j.smembers("dst"));
            assertEquals(0, j.smove("src", "dst", "zz"));
            assertEquals(1, j.smove("src", "src", "b"), "same key: answers membership");
            assertEquals(0, j.smove("src", "src", "zz"));
            assertEquals(1, j.smove("src", "dst", "b"));
            assertFalse(j.exists("src"));
            assertEquals(Set.of("a", "b"), j.smembers("dst"));
            assertEquals(0, j.smove("nokey", "dst", "a"));
            j.set("str", "v");
            assertEquals(":0\r\n", c.call("SMOVE", "nokey", "str", "a"));
            assertEquals(WRONGTYPE, c.call("SMOVE", "dst", "str", "a"));
            assertEquals(WRONGTYPE, c.call("SMOVE", "str", "dst", "a"));
            assertEquals(Set.of("a", "b"), j.smembers("dst"));
        }
    }

    @Test
    @Covers({"sinter", "sunion", "sdiff", "sinterstore", "sunionstore", "sdiffstore", "smembers", "exists", "set"})
    @DisplayName("SINTER/SUNION/SDIFF and their STORE forms; an empty result deletes the destination")
    void algebra() throws Exception {
        try (Jedis j = server.jedis(); RawClient c = new RawClient(server.port())) {
            j.sadd("a", "1", "2", "3", "x");
            j.sadd("b", "2", "3", "4");
            j.sadd("c", "3", "x");
            assertEquals(Set.of("3"), j.sinter("a", "b", "c"));
            assertEquals(Set.of(), j.sinter("a", "nokey"));
            assertEquals(Set.of("1", "2", "3", "4", "x"), j.sunion("a", "b", "nokey"));
            assertEquals(Set.of("1", "x"), j.sdiff("a", "b"));
            assertEquals(Set.of("1"), j.sdiff("a", "b", "c"));
            assertEquals(Set.of(), j.sdiff("nokey", "a"));
            assertEquals("*3\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n", c.call("SUNION", "b"), "an intset result is sorted");

            assertEquals(2, j.sinterstore("d", "a", "b"));
            assertEquals(Set.of("2", "3"), j.smembers("d"));
            assertEquals(5, j.sunionstore("d", "a", "b"));
            assertEquals(2, j.sdiffstore("d", "a", "b"));
            assertEquals(Set.of("1", "x"), j.smembers("d"));
            assertEquals(0, j.sdiffstore("d", "a", "a"));
            assertFalse(j.exists("d"), "an empty result deletes the destination");
            j.set("d", "string");
            assertEquals(0, j.sinterstore("d", "a", "nokey"));
            assertFalse(j.exists("d"));
            j.set("d", "string");
            assertEquals(3, j.sunionstore("d", "b"), "the destination may hold any type");
            assertEquals(Set.of("2", "3", "4"), j.smembers("d"));
            assertEquals(1, j.sinterstore("a", "a", "b", "c"), "a source may be the destination");
            assertEquals(Set.of("3"), j.smembers("a"));

            j.set("str", "v");
            assertEquals(WRONGTYPE, c.call("SINTER", "nokey", "str"));
            assertEquals(WRONGTYPE, c.call("SUNION", "a", "str"));
            assertEquals(WRONGTYPE, c.call("SDIFF", "str", "a"));
            assertEquals(WRONGTYPE, c.call("SINTERSTORE", "d", "nokey", "str"));
            assertEquals("-ERR wrong number of arguments for 'sinterstore' command\r\n", c.call("SINTERSTORE", "d"));
        }
    }

    @Test
    @Covers({"sintercard", "command"})
    @DisplayName("SINTERCARD counts the intersection, stops at LIMIT and checks numkeys and LIMIT like Redis")
    void intercard() throws Exception {
        try (Jedis j = server.jedis(); RawClient c = new RawClient(server.port())) {
            j.sadd("a", "1", "2", "3", "4");
            j.sadd("b", "2", "3", "4", "5");
            assertEquals(3, j.sintercard("a", "b"));
            assertEquals(2, j.sintercard(2, "a", "b"));
            assertEquals(":3\r\n", c.call("SINTERCARD", "2", "a", "b", "LIMIT", "0"));
            assertEquals(":0\r\n", c.call("SINTERCARD", "2", "a", "nokey"));
            assertEquals("-ERR numkeys should be greater than 0\r\n", c.call("SINTERCARD", "0", "a"));
            assertEquals("-ERR numkeys should be greater than 0\r\n", c.call("SINTERCARD", "x", "a"));
            assertEquals("-ERR Number of keys can't be greater than number of args\r\n", c.call("SINTERCARD", "3", "a", "b"));
            assertEquals("-ERR LIMIT can't be negative\r\n", c.call("SINTERCARD", "1", "a", "LIMIT", "-1"));
            assertEquals("-ERR syntax error\r\n", c.call("SINTERCARD", "1", "a", "LIMIT"));
            assertEquals("-ERR syntax error\r\n", c.call("SINTERCARD", "1", "a", "FOO", "1"));
            c.call("SET", "str", "v");
            assertEquals(WRONGTYPE, c.call("SINTERCARD", "2", "nokey", "str"));
            assertEquals("*2\r\n$1\r\na\r\n$1\r\nb\r\n", c.call("COMMAND", "GETKEYS", "SINTERCARD", "2", "a", "b", "LIMIT", "1"));
        }
    }

    @Test
    @Covers({"sscan"})
    @DisplayName("SSCAN returns an intset in one call with cursor 0 and walks a 1000-member set completely")
    void scan() throws Exception {
        try (Jedis j = server.jedis(); RawClient c = new RawClient(server.port())) {
            c.call("SADD", "ints", "3", "1", "2", "11");
            assertEquals("*2\r\n$1\r\n0\r\n*4\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$2\r\n11\r\n",
                c.call("SSCAN", "ints", "0", "COUNT", "1"));
            assertEquals("*2\r\n$1\r\n0\r\n*2\r\n$1\r\n1\r\n$2\r\n11\r\n", c.call("SSCAN", "ints", "0", "MATCH", "1*"));
            assertEquals("*2\r\n$1\r\n0\r\n*0\r\n", c.call("SSCAN", "nokey", "0"));
            assertEquals("-ERR invalid cursor\r\n", c.call("SSCAN", "ints", "abc"));
            assertEquals("-ERR syntax error\r\n", c.call("SSCAN", "ints", "0", "COUNT", "0"));

            Set<String> expected = new HashSet<>();
            for (int i = 0; i < 1000; i++) {
                expected.add("member:" + i);
            }
            j.sadd("big", expected.toArray(new String[0]));
            Set<String> seen = new HashSet<>();
            List<String> cursors = new ArrayList<>();
            String cursor = ScanParams.SCAN_POINTER_START;
            do {
                ScanResult<String> res = j.sscan("big", cursor, new ScanParams().count(25));
                seen.addAll(res.getResult());
                cursor = res.getCursor();
                cursors.add(cursor);
            } while (!cursor.equals("0"));
            assertEquals(expected, seen);
            assertTrue(cursors.size() > 1);
        }
    }

    @Test
    @Covers({"smembers", "sinter", "sunion", "sdiff", "spop", "srandmember", "smismember", "hello"})
    @DisplayName("Under RESP3 SMEMBERS, SINTER, SUNION, SDIFF and SPOP with a count answer sets; SRANDMEMBER an array")
    void resp3() throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            c.call("HELLO", "3");
            c.call("SADD", "s", "3", "1", "2");
            assertEquals("~3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n", c.call("SMEMBERS", "s"));
            assertEquals("~0\r\n", c.call("SMEMBERS", "nokey"));
            assertEquals("~3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n", c.call("SINTER", "s", "s"));
            assertEquals("~0\r\n", c.call("SINTER", "s", "nokey"));
            assertEquals("~3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n", c.call("SUNION", "s", "nokey"));
            assertEquals("~0\r\n", c.call("SDIFF", "s", "s"));
            assertEquals("*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n", c.call("SRANDMEMBER", "s", "10"));
            assertEquals("*2\r\n:1\r\n:0\r\n", c.call("SMISMEMBER", "s", "1", "9"));
            assertEquals("~0\r\n", c.call("SPOP", "nokey", "2"));
            assertEquals("~3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n", c.call("SPOP", "s", "3"));
            assertEquals("_\r\n", c.call("SPOP", "s"));
        }
    }

    @Test
    @Covers({"sadd", "srem", "spop", "smove", "sinterstore", "sunionstore", "sdiffstore", "psubscribe"})
    @DisplayName("Set writes publish sadd, srem, spop, srem+sadd for SMOVE, *store events, and del for emptied keys")
    void notifications() throws Exception {
        try (RawClient sub = new RawClient(server.port()); RawClient c = new RawClient(server.port())) {
            sub.call("PSUBSCRIBE", "__keyevent@0__:*");
            c.call("SADD", "s", "a", "b", "c");
            c.call("SADD", "s", "a"); // nothing added, no event
            c.call("SREM", "s", "a");
            c.call("SMOVE", "s", "d", "b");
            c.call("SPOP", "s");
            c.call("SUNIONSTORE", "u", "d");
            c.call("SINTERSTORE", "i", "d", "u");
            c.call("SDIFFSTORE", "i", "d", "u");
            List<String> events = new ArrayList<>();
            for (int i = 0; i < 9; i++) {
                String[] parts = sub.readReply().split("\r\n");
                events.add(parts[6].substring("__keyevent@0__:".length()) + " " + parts[8]);
            }
            assertEquals(List.of("sadd s", "srem s", "srem s", "sadd d", "spop s", "del s",
                "sunionstore u", "sinterstore i", "del i"), events);
        }
    }

    @Test
    @Covers({"sadd", "smembers", "scard"})
    @DisplayName("A set past set-max-intset-entries keeps every member")
    void conversion() {
        try (TestServer small = TestServer.start("--set-max-intset-entries", "4"); Jedis j = small.jedis()) {
            Set<String> expected = new HashSet<>();
            for (int i = 0; i < 10; i++) {
                expected.add(Integer.toString(i));
                j.sadd("s", Integer.toString(i));
            }
            assertEquals(expected, j.smembers("s"));
            assertEquals(10, j.scard("s"));
        }
    }
}
