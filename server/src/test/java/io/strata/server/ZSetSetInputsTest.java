package io.strata.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The zset algebra (ZUNION, ZINTER, ZDIFF, ZINTERCARD and the *STORE forms) over plain sets, as Redis 7.0. */
class ZSetSetInputsTest {
    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String bulk(String s) {
        return "$" + s.length() + "\r\n" + s + "\r\n";
    }

    @Test
    @Covers({"zunion", "zinter", "zdiff", "zintercard", "zunionstore", "zinterstore", "zdiffstore", "sadd"})
    @DisplayName("Plain sets are zset algebra inputs whose members all score 1; strings and lists are still WRONGTYPE")
    void setsScoreOne() throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            c.call("DEL", "s", "z", "d", "str");
            c.call("SADD", "s", "a", "b", "c");
            c.call("ZADD", "z", "5", "b", "7", "x");
            assertEquals("*8\r\n" + bulk("a") + bulk("1") + bulk("c") + bulk("1") + bulk("b") + bulk("6") + bulk("x") + bulk("7"),
                c.call("ZUNION", "2", "s", "z", "WITHSCORES"));
            assertEquals("*2\r\n" + bulk("b") + bulk("11"), c.call("ZINTER", "2", "s", "z", "WEIGHTS", "1", "2", "WITHSCORES"));
            assertEquals("*2\r\n" + bulk("a") + bulk("c"), c.call("ZDIFF", "2", "s", "z"));
            assertEquals(":1\r\n", c.call("ZINTERCARD", "2", "s", "z"));
            assertEquals(":3\r\n", c.call("ZUNIONSTORE", "d", "1", "s"));
            assertEquals("+zset\r\n", c.call("TYPE", "d"));
            assertEquals(":1\r\n", c.call("ZINTERSTORE", "d", "2", "s", "z", "AGGREGATE", "MAX"));
            assertEquals(bulk("5"), c.call("ZSCORE", "d", "b"));
            assertEquals(":2\r\n", c.call("ZDIFFSTORE", "d", "2", "s", "z"));
            c.call("SET", "str", "v");
            assertEquals("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", c.call("ZUNION", "2", "s", "str"));
        }
    }

    private static final String[][] SCRIPT = {
        {"SADD", "is", "1", "2", "3", "10"}, {"SADD", "hs", "a", "b", "2", "zz"}, {"ZADD", "z1", "1.5", "2", "-3", "a", "4", "q"},
        {"ZUNION", "3", "is", "hs", "z1", "WITHSCORES"}, {"ZUNION", "2", "is", "hs", "WEIGHTS", "2", "3", "WITHSCORES"},
        {"ZUNION", "2", "is", "z1", "AGGREGATE", "MIN", "WITHSCORES"}, {"ZINTER", "2", "hs", "z1", "WITHSCORES"},
        {"ZINTER", "3", "is", "hs", "z1", "WITHSCORES"}, {"ZINTER", "2", "is", "missing", "WITHSCORES"},
        {"ZDIFF", "2", "hs", "is", "WITHSCORES"}, {"ZDIFF", "2", "z1", "hs", "WITHSCORES"}, {"ZINTERCARD", "2", "is", "hs"},
        {"ZINTERCARD", "3", "is", "hs", "z1", "LIMIT", "1"}, {"ZUNIONSTORE", "dst", "2", "is", "hs"},
        {"ZRANGE", "dst", "0", "-1", "WITHSCORES"}, {"OBJECT", "ENCODING", "dst"}, {"ZINTERSTORE", "dst", "2", "is", "hs"},
        {"ZRANGE", "dst", "0", "-1", "WITHSCORES"}, {"ZDIFFSTORE", "dst", "1", "is"}, {"ZRANGE", "dst", "0", "-1", "WITHSCORES"},
        {"ZINTERSTORE", "dst", "2", "is", "missing"}, {"EXISTS", "dst"},
        {"RPUSH", "l", "x"}, {"ZUNION", "2", "is", "l"}, {"ZINTERCARD", "2", "l", "is"}, {"ZDIFFSTORE", "dst", "2", "hs", "l"},
    };

    @Test
    @Covers({"zunion", "zinter", "zdiff", "zintercard", "zunionstore", "zinterstore", "zdiffstore"})
    @DisplayName("Zset algebra over intsets, hashtable sets and zsets answers as redis-server 7.0")
    void matchesRedis() throws Exception {
        Assumptions.assumeTrue(RedisServerProcess.available(), "no /usr/bin/redis-server");
        try (RedisServerProcess redis = RedisServerProcess.start();
             RawClient ref = new RawClient(redis.port()); RawClient us = new RawClient(server.port())) {
            ref.call("SELECT", "6");
            us.call("SELECT", "6");
            ref.call("FLUSHDB");
            us.call("FLUSHDB");
            List<String> diffs = new ArrayList<>();
            for (String[] cmd : SCRIPT) {
                String want = ref.callBinary(cmd);
                String got = us.callBinary(cmd);
                if (!want.equals(got)) {
                    diffs.add(String.join(" ", cmd) + "\n  redis:  " + want.replace("\r\n", "\\r\\n")
                        + "\n  strata: " + got.replace("\r\n", "\\r\\n"));
                }
            }
            assertTrue(diffs.isEmpty(), String.join("\n", diffs));
        }
    }
}
