package io.strata.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sorted-set commands against a real server over real sockets. Expected bytes were taken from
 * redis-server 7.0.15 for the same inputs.
 */
class ZSetCommandsTest {
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

    private static String bulk(String s) {
        return "$" + s.length() + "\r\n" + s + "\r\n";
    }

    @Test
    @Covers({"zadd", "zscore", "zincrby"})
    @DisplayName("Scores print as Redis 7.0's %.17g: 1.5, 0.1+0.2, 1e300, 1.1, inf, 1e17, and as RESP3 doubles")
    void scoreFormatting() throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            assertEquals(":6\r\n", c.call("ZADD", "z", "1.5", "a", "0.1", "b", "1e300", "c", "inf", "d", "1.1", "e", "100000000000000000", "f"));
            assertEquals(bulk("0.30000000000000004"), c.call("ZINCRBY", "z", "0.2", "b"));
            assertEquals(bulk("1.5"), c.call("ZSCORE", "z", "a"));
            assertEquals(bulk("0.30000000000000004"), c.call("ZSCORE", "z", "b"));
            assertEquals(bulk("1.0000000000000001e+300"), c.call("ZSCORE", "z", "c"));
            assertEquals(bulk("inf"), c.call("ZSCORE", "z", "d"));
            assertEquals(bulk("1.1000000000000001"), c.call("ZSCORE", "z", "e"));
            assertEquals(bulk("1e+17"), c.call("ZSCORE", "z", "f"));
            assertEquals("$-1\r\n", c.call("ZSCORE", "z", "nope"));
            c.call("HELLO", "3");
            assertEquals(",1.5\r\n", c.call("ZSCORE", "z", "a"));
            assertEquals(",inf\r\n", c.call("ZSCORE", "z", "d"));
            assertEquals("_\r\n", c.call("ZSCORE", "z", "nope"));
            assertEquals(",2.5\r\n", c.call("ZINCRBY", "z", "1", "a"));
        }
    }

    @Test
    @Covers({"zadd", "zrange"})
    @DisplayName("ZADD honours NX XX GT LT CH INCR and answers Redis' option-conflict errors word for word")
    void zaddOptions() throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            assertEquals("-ERR XX and NX options at the same time are not compatible\r\n", c.call("ZADD", "s", "XX", "NX", "1", "a"));
            assertEquals("-ERR GT, LT, and/or NX options at the same time are not compatible\r\n", c.call("ZADD", "s", "GT", "LT", "1", "a"));
            assertEquals("-ERR GT, LT, and/or NX options at the same time are not compatible\r\n", c.call("ZADD", "s", "GT", "NX", "1", "a"));
            assertEquals("-ERR INCR option supports a single increment-element pair\r\n", c.call("ZADD", "s", "INCR", "1", "a", "2", "b"));
            assertEquals("-ERR value is not a valid float\r\n", c.call("ZADD", "s", "nan", "a"));
            assertEquals("-ERR syntax error\r\n", c.call("ZADD", "s", "1", "a", "2"));
            assertEquals(":0\r\n", c.call("ZADD", "s", "XX", "1", "a"));
            assertEquals(":0\r\n", c.call("EXISTS", "s"));
            assertEquals(":3\r\n", c.call("ZADD", "s", "1", "a", "2", "b", "3", "c"));
            assertEquals(":2\r\n", c.call("ZADD", "s", "CH", "GT", "0", "a", "5", "b", "1", "d"));
            assertEquals("$-1\r\n", c.call("ZADD", "s", "LT", "INCR", "10", "a"));
            assertEquals(":0\r\n", c.call("ZADD", "s", "NX", "9", "a"));
            assertEquals(":1\r\n", c.call("ZADD", "s", "XX", "CH", "9", "c", "4", "zz"));
            assertEquals(bulk("2"), c.call("ZADD", "s", "INCR", "1", "a"));
            assertEquals(":1\r\n", c.call("ZADD", "inf", "inf", "a"));
            c.call("ZADD", "n", "inf", "a");
            assertEquals("-ERR resulting score is not a number (NaN)\r\n", c.call("ZADD", "n", "INCR", "-inf", "a"));
        }
        try (Jedis j = server.jedis()) {
            assertEquals(List.of("d", "a", "b", "c"), j.zrange("s", 0, -1));
        }
    }

    @Test
    @Covers({"zadd", "zrank", "zrevrank", "zcard", "zrange", "zrevrange", "zremrangebyrank"})
    @DisplayName("Ranks and rank ranges are right on a 10k-member sorted set, also after removals")
    void ranksOnLargeSet() {
        try (Jedis j = server.jedis()) {
            Pipeline p = j.pipelined();
            for (int i = 0; i < 10_000; i++) {
                p.zadd("big", i * 2, "m" + i);
            }
            p.sync();
            assertEquals(10_000, j.zcard("big"));
            for (int i = 0; i < 10_000; i += 137) {
                assertEquals(i, j.zrank("big", "m" + i));
                assertEquals(9_999 - i, j.zrevrank("big", "m" + i));
            }
            assertEquals(List.of("m5000", "m5001", "m5002"), j.zrange("big", 5000, 5002));
            assertEquals(List.of("m9999", "m9998"), j.zrevrange("big", 0, 1));
            assertEquals(List.of("m9998", "m9999"), j.zrange("big", -2, -1));
            assertEquals(List.of(), j.zrange("big", 20_000, 30_000));
            assertEquals(1000, j.zremrangeByRank("big", 0, 999));
            assertEquals(0, j.zrank("big", "m1000"));
            assertEquals(8999, j.zrank("big", "m9999"));
            assertEquals(null, j.zrank("big", "m0"));
            j.zadd("big", 3.0, "x"); // between m1 and m2's old scores: before everything left
            assertEquals(0, j.zrank("big", "x"));
        }
    }

    @Test
    @Covers({"zrangebyscore", "zrevrangebyscore", "zcount", "zremrangebyscore", "zrange"})
    @DisplayName("Score ranges support '(' exclusive bounds, -inf/+inf, LIMIT, REV, and reject bad floats")
    void scoreRanges() throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            c.call("ZADD", "r", "1", "a", "2", "b", "3", "c", "4", "d");
            assertEquals("*2\r\n" + bulk("b") + bulk("c"), c.call("ZRANGEBYSCORE", "r", "(1", "3"));
            assertEquals("*3\r\n" + bulk("d") + bulk("c") + bulk("b"), c.call("ZREVRANGEBYSCORE", "r", "+inf", "(1"));
            assertEquals("*4\r\n" + bulk("b") + bulk("2") + bulk("c") + bulk("3"),
                c.call("ZRANGEBYSCORE", "r", "-inf", "+inf", "WITHSCORES", "LIMIT", "1", "2"));
            assertEquals("*0\r\n", c.call("ZRANGEBYSCORE", "r", "-inf", "+inf", "LIMIT", "-1", "2"));
            assertEquals("*3\r\n" + bulk("b") + bulk("c") + bulk("d"), c.call("ZRANGEBYSCORE", "r", "-inf", "+inf", "LIMIT", "1", "-1"));
            assertEquals("*2\r\n" + bulk("c") + bulk("b"), c.call("ZRANGE", "r", "(4", "2", "BYSCORE", "REV"));
            assertEquals(":2\r\n", c.call("ZCOUNT", "r", "(1", "3"));
            assertEquals("-ERR min or max is not a float\r\n", c.call("ZCOUNT", "r", "a", "b"));
            assertEquals("-ERR min or max is not a float\r\n", c.call("ZRANGEBYSCORE", "r", "(1", "abc"));
            assertEquals("-ERR syntax error\r\n", c.call("ZRANGEBYSCORE", "r", "1", "2", "REV"));
            assertEquals("-ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX\r\n",
                c.call("ZRANGE", "r", "0", "-1", "LIMIT", "0", "1"));
            assertEquals(":2\r\n", c.call("ZREMRANGEBYSCORE", "r", "(2", "+inf"));
            assertEquals(":0\r\n", c.call("ZREMRANGEBYSCORE", "nokey", "0", "1"));
            assertEquals(":2\r\n", c.call("ZREMRANGEBYSCORE", "r", "-inf", "+inf"));
            assertEquals(":0\r\n", c.call("EXISTS", "r"));
        }
    }

    @Test
    @Covers({"zrangebylex", "zrevrangebylex", "zlexcount", "zremrangebylex", "zrange"})
    @DisplayName("Lex ranges support '[' '(' '-' '+', LIMIT, and reject invalid range items")
    void lexRanges() throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            c.call("ZADD", "l", "0", "a", "0", "b", "0", "c", "0", "d", "0", "e");
            assertEquals("*3\r\n" + bulk("b") + bulk("c") + bulk("d"), c.call("ZRANGEBYLEX", "l", "[b", "(e"));
            assertEquals("*2\r\n" + bulk("e") + bulk("d"), c.call("ZREVRANGEBYLEX", "l", "+", "(c"));
            assertEquals("*2\r\n" + bulk("d") + bulk("c"), c.call("ZREVRANGEBYLEX", "l", "+", "-", "LIMIT", "1", "2"));
            assertEquals("*2\r\n" + bulk("a") + bulk("b"), c.call("ZRANGE", "l", "-", "[b", "BYLEX"));
            assertEquals(":5\r\n", c.call("ZLEXCOUNT", "l", "-", "+"));
            assertEquals(":2\r\n", c.call("ZLEXCOUNT", "l", "(a", "[c"));
            assertEquals(":0\r\n", c.call("ZLEXCOUNT", "l", "+", "-"));
            assertEquals("-ERR min or max not valid string range item\r\n", c.call("ZRANGEBYLEX", "l", "a", "b"));
            assertEquals("-ERR min or max not valid string range item\r\n", c.call("ZLEXCOUNT", "l", "a", "b"));
            assertEquals("-ERR syntax error, WITHSCORES not supported in combination with BYLEX\r\n",
                c.call("ZRANGEBYLEX", "l", "-", "+", "WITHSCORES"));
            assertEquals(":2\r\n", c.call("ZREMRANGEBYLEX", "l", "[a", "(c"));
            assertEquals("*3\r\n" + bulk("c") + bulk("d") + bulk("e"), c.call("ZRANGE", "l", "0", "-1"));
        }
    }

    @Test
    @Covers({"zrange", "zrangestore", "zrandmember", "zpopmin"})
    @DisplayName("RESP3 replies: WITHSCORES gives [member, double] pairs; ZRANGESTORE stores or deletes the destination")
    void resp3ShapesAndRangestore() throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            c.call("HELLO", "3");
            c.call("ZADD", "z", "1", "a", "2.5", "b");
            assertEquals("*2\r\n*2\r\n$1\r\na\r\n,1\r\n*2\r\n$1\r\nb\r\n,2.5\r\n", c.call("ZRANGE", "z", "0", "-1", "WITHSCORES"));
            String pick = c.call("ZRANDMEMBER", "z", "-1", "WITHSCORES");
            assertTrue(pick.equals("*1\r\n*2\r\n$1\r\na\r\n,1\r\n") || pick.equals("*1\r\n*2\r\n$1\r\nb\r\n,2.5\r\n"), pick);
            assertEquals(":1\r\n", c.call("ZRANGESTORE", "dst", "z", "(1", "+inf", "BYSCORE"));
            assertEquals("*1\r\n*2\r\n$1\r\nb\r\n,2.5\r\n", c.call("ZRANGE", "dst", "0", "-1", "WITHSCORES"));
            assertEquals("-ERR syntax error\r\n", c.call("ZRANGESTORE", "dst", "z", "0", "-1", "WITHSCORES"));
            assertEquals(":0\r\n", c.call("ZRANGESTORE", "dst", "nokey", "0", "-1"));
            assertEquals(":0\r\n", c.call("EXISTS", "dst"));
            assertEquals("*2\r\n$1\r\na\r\n,1\r\n", c.call("ZPOPMIN", "z"));
            assertEquals("*1\r\n*2\r\n$1\r\nb\r\n,2.5\r\n", c.call("ZPOPMIN", "z", "2"));
            assertEquals("*0\r\n", c.call("ZPOPMIN", "z", "2"));
        }
    }

    @Test
    @Covers({"zunion", "zinter", "zdiff", "zunionstore", "zinterstore", "zdiffstore", "zintercard", "zrange"})
    @DisplayName("ZUNION/ZINTER/ZDIFF(+STORE) apply WEIGHTS and AGGREGATE like Redis; an empty result deletes the destination")
    void setAlgebra() throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            c.call("ZADD", "x1", "1", "a", "2", "b", "3", "c");
            c.call("ZADD", "x2", "10", "b", "20", "c", "30", "d");
            c.call("ZADD", "big", "1", "a");
            c.call("ZADD", "z", "1", "a", "2", "b", "3", "c");
            assertEquals("*6\r\n" + bulk("b") + bulk("4") + bulk("a") + bulk("5") + bulk("c") + bulk("6"),
                c.call("ZUNION", "2", "z", "big", "WEIGHTS", "2", "3", "AGGREGATE", "SUM", "WITHSCORES"));
            assertEquals(":2\r\n", c.call("ZINTERSTORE", "o", "2", "x1", "x2", "WEIGHTS", "2", "0.5", "AGGREGATE", "MAX"));
            assertEquals("*4\r\n" + bulk("b") + bulk("5") + bulk("c") + bulk("10"), c.call("ZRANGE", "o", "0", "-1", "WITHSCORES"));
            assertEquals(":4\r\n", c.call("ZUNIONSTORE", "o", "2", "x1", "x2", "AGGREGATE", "MIN"));
            assertEquals("*8\r\n" + bulk("a") + bulk("1") + bulk("b") + bulk("2") + bulk("c") + bulk("3") + bulk("d") + bulk("30"),
                c.call("ZRANGE", "o", "0", "-1", "WITHSCORES"));
            assertEquals("*2\r\n" + bulk("a") + bulk("1"), c.call("ZDIFF", "2", "x1", "x2", "WITHSCORES"));
            assertEquals("*2\r\n" + bulk("b") + bulk("c"), c.call("ZINTER", "2", "x1", "x2"));
            assertEquals(":1\r\n", c.call("ZDIFFSTORE", "o", "2", "x1", "x2"));
            assertEquals(":0\r\n", c.call("ZDIFFSTORE", "o", "2", "x1", "x1"));
            assertEquals(":0\r\n", c.call("EXISTS", "o"));
            assertEquals(":2\r\n", c.call("ZINTERCARD", "2", "x1", "x2"));
            assertEquals(":1\r\n", c.call("ZINTERCARD", "2", "x1", "x2", "LIMIT", "1"));
            assertEquals("-ERR weight value is not a float\r\n", c.call("ZUNIONSTORE", "o", "1", "x1", "WEIGHTS", "a"));
            assertEquals("-ERR syntax error\r\n", c.call("ZUNIONSTORE", "o", "1", "x1", "AGGREGATE", "foo"));
            assertEquals("-ERR at least 1 input key is needed for 'zunionstore' command\r\n", c.call("ZUNIONSTORE", "o", "0", "x1"));
            assertEquals("-ERR at least 1 input key is needed for 'zinter' command\r\n", c.call("ZINTER", "0", "x1"));
            assertEquals("-ERR syntax error\r\n", c.call("ZDIFF", "1", "x1", "WEIGHTS", "1"));
            assertEquals("-ERR LIMIT can't be negative\r\n", c.call("ZINTERCARD", "1", "x1", "LIMIT", "-1"));
            c.call("SET", "str", "x");
            assertEquals("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", c.call("ZUNION", "2", "x1", "str"));
        }
    }

    @Test
    @Covers({"zpopmin", "zpopmax", "zmpop", "zrem", "zmscore", "zcard"})
    @DisplayName("Pops and ZREM remove members, reply in Redis' shapes, and an emptied sorted set disappears")
    void popsAndRemoval() throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            c.call("ZADD", "p", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e");
            assertEquals("*2\r\n" + bulk("a") + bulk("1"), c.call("ZPOPMIN", "p"));
            assertEquals("*4\r\n" + bulk("e") + bulk("5") + bulk("d") + bulk("4"), c.call("ZPOPMAX", "p", "2"));
            assertEquals("-ERR value is out of range, must be positive\r\n", c.call("ZPOPMIN", "p", "-1"));
            assertEquals("*2\r\n" + bulk("p") + "*1\r\n*2\r\n" + bulk("c") + bulk("3"), c.call("ZMPOP", "2", "nokey", "p", "MAX"));
            assertEquals("*-1\r\n", c.call("ZMPOP", "1", "nokey", "MIN"));
            assertEquals("-ERR numkeys should be greater than 0\r\n", c.call("ZMPOP", "0", "p", "MIN"));
            assertEquals("-ERR count should be greater than 0\r\n", c.call("ZMPOP", "1", "p", "MIN", "COUNT", "0"));
            assertEquals("-ERR syntax error\r\n", c.call("ZMPOP", "1", "p", "foo"));
            assertEquals("*3\r\n" + bulk("2") + "$-1\r\n$-1\r\n", c.call("ZMSCORE", "p", "b", "x", "y"));
            assertEquals(":1\r\n", c.call("ZREM", "p", "b", "nope"));
            assertEquals(":0\r\n", c.call("EXISTS", "p"));
            assertEquals(":0\r\n", c.call("ZCARD", "p"));
            assertEquals("*0\r\n", c.call("ZPOPMIN", "p"));
        }
    }

    @Test
    @Covers({"zrandmember", "zscan"})
    @DisplayName("ZRANDMEMBER returns distinct or repeated members by count sign; ZSCAN iterates every member with its score")
    void randomAndScan() {
        try (Jedis j = server.jedis()) {
            for (int i = 0; i < 300; i++) {
                j.zadd("s", i + 0.5, "m" + i);
            }
            List<String> distinct = j.zrandmember("s", 50);
            assertEquals(50, distinct.size());
            assertEquals(50, new java.util.HashSet<>(distinct).size());
            assertEquals(600, j.zrandmember("s", -600).size());
            assertEquals(300, j.zrandmember("s", 1000).size());
            assertTrue(j.zrandmember("s").startsWith("m"));
            java.util.Map<String, Double> seen = new java.util.HashMap<>();
            String cursor = "0";
            do {
                var res = j.zscan("s", cursor);
                res.getResult().forEach(t -> seen.put(t.getElement(), t.getScore()));
                cursor = res.getCursor();
            } while (!cursor.equals("0"));
            assertEquals(300, seen.size());
            assertEquals(7.5, seen.get("m7"));
        }
    }

    @Test
    @Covers({"zscan", "zadd"})
    @DisplayName("ZSCAN of a small (listpack) set returns everything at once with listpack score text; bad cursors are refused")
    void zscanSmall() throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            c.call("ZADD", "z", "1e17", "a", "1.5", "b");
            assertEquals("*2\r\n" + bulk("0") + "*4\r\n" + bulk("b") + bulk("1.5") + bulk("a") + bulk("100000000000000000"),
                c.call("ZSCAN", "z", "0"));
            assertEquals("*2\r\n" + bulk("0") + "*2\r\n" + bulk("a") + bulk("100000000000000000"),
                c.call("ZSCAN", "z", "0", "MATCH", "a*"));
            assertEquals("-ERR invalid cursor\r\n", c.call("ZSCAN", "z", "abc"));
            assertEquals("-ERR syntax error\r\n", c.call("ZSCAN", "z", "0", "COUNT", "0"));
        }
    }

    @Test
    @Covers({"zadd", "zcard", "zrange", "zscore"})
    @DisplayName("Commands on a key holding a string answer WRONGTYPE")
    void wrongType() throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            c.call("SET", "str", "x");
            String wt = "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
            assertEquals(wt, c.call("ZADD", "str", "1", "a"));
            assertEquals(wt, c.call("ZCARD", "str"));
            assertEquals(wt, c.call("ZRANGE", "str", "0", "-1"));
            assertEquals(wt, c.call("ZSCORE", "str", "a"));
        }
    }
}
