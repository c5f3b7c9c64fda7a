package io.strata.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SORT and SORT_RO, against Redis 7.0's sort.c behaviour. */
class SortCommandTest {
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

    private static String array(String... bulks) {
        StringBuilder sb = new StringBuilder("*").append(bulks.length).append("\r\n");
        for (String b : bulks) {
            sb.append(b == null ? "$-1\r\n" : bulk(b));
        }
        return sb.toString();
    }

    @Test
    @Covers({"sort", "rpush"})
    @DisplayName("SORT sorts numerically by default, equal scores by the elements' bytes, ALPHA by bytes, DESC reversed")
    void numericAndAlpha() throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            c.call("DEL", "n", "w");
            c.call("RPUSH", "n", "3", "1", "10", "-0", "0", "2.5", "-inf");
            assertEquals(array("-inf", "-0", "0", "1", "2.5", "3", "10"), c.call("SORT", "n"));
            assertEquals(array("10", "3", "2.5", "1", "0", "-0", "-inf"), c.call("SORT", "n", "DESC"));
            assertEquals(array("-0", "-inf", "0", "1", "10", "2.5", "3"), c.call("SORT", "n", "ALPHA"));
            c.call("RPUSH", "w", "b", "a");
            assertEquals("-ERR One or more scores can't be converted into double\r\n", c.call("SORT", "w"));
            assertEquals(array("b", "a"), c.call("SORT", "w", "ALPHA", "DESC"));
        }
    }

    @Test
    @Covers({"sort", "hset", "set"})
    @DisplayName("SORT BY reads string keys and hash fields, GET # and GET patterns fetch per element, missing ones are nil")
    void byAndGet() throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            c.call("DEL", "ids");
            c.call("RPUSH", "ids", "1", "2", "3");
            c.call("MSET", "w_1", "30", "w_2", "10");
            c.call("HSET", "obj_1", "name", "ann");
            c.call("HSET", "obj_3", "name", "cy");
            assertEquals(array("3", "2", "1"), c.call("SORT", "ids", "BY", "w_*"));
            assertEquals(array(null, "ann", "cy"), c.call("SORT", "ids", "BY", "obj_*->name", "ALPHA", "GET", "obj_*->name"));
            assertEquals(array(null, "2", "ann", "1", "cy", "3"),
                c.call("SORT", "ids", "BY", "obj_*->name", "ALPHA", "GET", "obj_*->name", "GET", "#"));
            assertEquals(array(null, null, null), c.call("SORT", "ids", "GET", "constant"));
            assertEquals(array("1", "2", "3"), c.call("SORT", "ids", "BY", "constant"));
            assertEquals(array("2", "1"), c.call("SORT", "ids", "BY", "constant", "DESC", "LIMIT", "1", "2"));
        }
    }

    @Test
    @Covers({"sort", "zadd", "object|encoding"})
    @DisplayName("SORT BY a constant keeps a zset's rank order, with LIMIT as a rank range, and leaves the zset skiplist-encoded")
    void zsetDontSort() throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            c.call("DEL", "z");
            c.call("ZADD", "z", "3", "c", "1", "a", "2", "b", "4", "d");
            assertEquals(array("b", "c"), c.call("SORT", "z", "BY", "nosort", "LIMIT", "1", "2"));
            assertEquals(array("c", "b"), c.call("SORT", "z", "BY", "nosort", "DESC", "LIMIT", "1", "2"));
            assertEquals(bulk("skiplist"), c.call("OBJECT", "ENCODING", "z"));
        }
    }

    @Test
    @Covers({"sort", "lrange", "ttl", "exists"})
    @DisplayName("SORT STORE writes a list (nil as empty string), drops the TTL, and deletes the destination on an empty result")
    void store() throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            c.call("DEL", "src", "dst");
            c.call("RPUSH", "src", "2", "1");
            c.call("SET", "dst", "old", "EX", "100");
            assertEquals(":4\r\n", c.call("SORT", "src", "GET", "#", "GET", "nothing_*", "STORE", "dst"));
            assertEquals(array("1", "", "2", ""), c.call("LRANGE", "dst", "0", "-1"));
            assertEquals(":-1\r\n", c.call("TTL", "dst"));
            assertEquals(":0\r\n", c.call("SORT", "missing", "STORE", "dst"));
            assertEquals(":0\r\n", c.call("EXISTS", "dst"));
        }
    }

    @Test
    @Covers({"sort", "sort_ro", "command|getkeys", "command|info"})
    @DisplayName("SORT_RO refuses STORE with a syntax error; WRONGTYPE on other types; COMMAND GETKEYS finds the last STORE key")
    void errorsAndKeys() throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            c.call("SET", "str", "x");
            c.call("DEL", "l");
            c.call("RPUSH", "l", "2", "1");
            assertEquals("-ERR syntax error\r\n", c.call("SORT_RO", "l", "STORE", "x"));
            assertEquals(array("1", "2"), c.call("SORT_RO", "l"));
            assertEquals("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", c.call("SORT", "str"));
            assertEquals("-ERR syntax error\r\n", c.call("SORT", "str", "LIMIT", "1"));
            assertEquals("-ERR value is not an integer or out of range\r\n", c.call("SORT", "l", "LIMIT", "x", "1"));
            assertEquals(array("a", "d"), c.call("COMMAND", "GETKEYS", "SORT", "a", "STORE", "b", "LIMIT", "0", "1", "STORE", "d"));
            assertEquals(array("a"), c.call("COMMAND", "GETKEYS", "SORT", "a", "GET", "store", "x"));
            String info = c.call("COMMAND", "INFO", "sort");
            assertTrue(info.contains(":-2\r\n") && info.contains("+movablekeys\r\n") && info.contains("+denyoom\r\n"), info);
        }
    }

    @Test
    @Covers({"sort", "blpop"})
    @DisplayName("SORT STORE publishes 'sortstore' and wakes a client blocked on the destination")
    void storeEventAndWake() throws Exception {
        try (Jedis j = server.jedis(); Jedis sub = server.jedis(); RawClient blocked = new RawClient(server.port())) {
            j.configSet("notify-keyspace-events", "KEA");
            j.del("ev_src", "ev_dst");
            j.rpush("ev_src", "b", "a");
            List<String> events = new CopyOnWriteArrayList<>();
            CountDownLatch subscribed = new CountDownLatch(1);
            CountDownLatch got = new CountDownLatch(2);
            JedisPubSub listener = new JedisPubSub() {
                @Override
                public void onPSubscribe(String pattern, int count) {
                    subscribed.countDown();
                }

                @Override
                public void onPMessage(String pattern, String channel, String message) {
                    events.add(channel + "=" + message);
                    got.countDown();
                }
            };
            Thread t = new Thread(() -> sub.psubscribe(listener, "__keyspace@0__:ev_dst"));
            t.start();
            assertTrue(subscribed.await(5, TimeUnit.SECONDS));
            blocked.command("BLPOP", "ev_dst", "0");
            long end = System.currentTimeMillis() + 5000;
            while (server.server().engine().blockedClients() == 0 && System.currentTimeMillis() < end) {
                Thread.sleep(5);
            }
            assertEquals(2L, j.sort("ev_src", new redis.clients.jedis.params.SortingParams().alpha(), "ev_dst"));
            assertEquals(array("ev_dst", "a"), blocked.readReply());
            assertEquals(":0\r\n", blocked.call("SORT", "nothing", "STORE", "ev_dst"));
            assertTrue(got.await(5, TimeUnit.SECONDS));
            listener.punsubscribe();
            t.join(5000);
            j.configSet("notify-keyspace-events", "");
            assertEquals("__keyspace@0__:ev_dst=sortstore", events.get(0));
            assertTrue(events.contains("__keyspace@0__:ev_dst=del"), events.toString());
        }
    }

    /** Data both servers get before the script: lists, an intset, a hashtable set, zsets, weights, hashes. */
    private static final String[][] SETUP = {
        {"RPUSH", "nums", "3", "1", "2", "10", "-5", "1.5", "inf", "-inf", "0", "-0", "1e3", "0x10", " 7"},
        {"RPUSH", "words", "banana", "apple", "cherry", "Apple", "", "zeta", "apple"},
        {"RPUSH", "users", "1", "2", "3", "4", "5"},
        {"MSET", "weight_1", "30", "weight_2", "10", "weight_3", "20", "weight_5", "7.5", "badw_1", "zz"},
        {"HSET", "user:1", "name", "alice", "age", "30"},
        {"HSET", "user:2", "name", "bob", "age", "25"},
        {"HSET", "user:3", "name", "carol"},
        {"HSET", "user:5", "name", "eve", "age", "41"},
        {"SADD", "iset", "5", "3", "9", "1", "-2"},
        {"SADD", "sset", "pear", "fig", "kiwi", "apple"},
        {"ZADD", "zs", "3", "c", "1", "a", "2", "b", "5", "e", "4", "d"},
        {"ZADD", "zbig", "1", "x", "2", "y", "0", "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy"},
        {"RPUSH", "bad", "1", "2", "3x"},
        {"SET", "str", "v"},
        {"HSET", "h", "f", "v"},
    };

    /** SORT variants whose replies must equal Redis 7.0's byte for byte. */
    private static final String[][] SCRIPT = {
        {"SORT", "nums"}, {"SORT", "nums", "DESC"}, {"SORT", "nums", "ASC"}, {"SORT", "nums", "ALPHA"},
        {"SORT", "nums", "LIMIT", "2", "3"}, {"SORT", "nums", "LIMIT", "-1", "2"}, {"SORT", "nums", "LIMIT", "5", "-3"},
        {"SORT", "nums", "LIMIT", "100", "2"}, {"SORT", "nums", "LIMIT", "0", "0"}, {"SORT", "nums", "DESC", "LIMIT", "1", "4"},
        {"SORT", "words"}, {"SORT", "words", "ALPHA"}, {"SORT", "words", "ALPHA", "DESC", "LIMIT", "1", "2"},
        {"SORT", "words", "BY", "nosort"}, {"SORT", "words", "BY", "nosort", "DESC"}, {"SORT", "words", "BY", "nosort", "ALPHA"},
        {"SORT", "words", "GET", "#", "LIMIT", "1", "1"},
        {"SORT", "users", "BY", "weight_*"}, {"SORT", "users", "BY", "weight_*", "DESC"},
        {"SORT", "users", "BY", "weight_*", "ALPHA"}, {"SORT", "users", "BY", "weight_*", "LIMIT", "1", "2"},
        {"SORT", "users", "BY", "user:*->age"}, {"SORT", "users", "BY", "user:*->age", "DESC", "GET", "user:*->age"},
        {"SORT", "users", "BY", "user:*->name", "ALPHA"}, {"SORT", "users", "BY", "user:*->name", "ALPHA", "DESC"},
        {"SORT", "users", "GET", "user:*->name", "GET", "#", "GET", "weight_*"},
        {"SORT", "users", "GET", "nokey"}, {"SORT", "users", "GET", "user:*->"}, {"SORT", "users", "GET", "user:*->nofield"},
        {"SORT", "users", "BY", "nosort"}, {"SORT", "users", "BY", "nosort", "DESC"},
        {"SORT", "users", "BY", "nosort", "LIMIT", "1", "2"}, {"SORT", "users", "BY", "nosort", "DESC", "LIMIT", "1", "2"},
        {"SORT", "users", "BY", "nosort", "GET", "user:*->name"}, {"SORT", "users", "BY", "h*->f"}, {"SORT", "users", "BY", "badw_*"}, {"SORT", "users", "BY", "user:*"},
        {"SORT", "iset"}, {"SORT", "iset", "DESC"}, {"SORT", "iset", "BY", "nosort"}, {"SORT", "iset", "ALPHA", "LIMIT", "1", "2"},
        {"SORT", "sset", "ALPHA"}, {"SORT", "sset", "ALPHA", "DESC"}, {"SORT", "sset"},
        {"SORT", "sset", "BY", "nosort", "STORE", "dst"}, {"LRANGE", "dst", "0", "-1"},
        {"SORT", "sset", "BY", "nosort", "DESC", "STORE", "dst"}, {"LRANGE", "dst", "0", "-1"},
        {"SORT", "zs"}, {"SORT", "zs", "ALPHA", "DESC"}, {"SORT", "zs", "BY", "nosort"}, {"SORT", "zs", "BY", "nosort", "DESC"},
        {"SORT", "zs", "BY", "nosort", "LIMIT", "1", "2"}, {"SORT", "zs", "BY", "nosort", "DESC", "LIMIT", "1", "3"},
        {"SORT", "zs", "BY", "nosort", "LIMIT", "9", "3"}, {"OBJECT", "ENCODING", "zs"},
        {"SORT", "zbig", "ALPHA"}, {"SORT", "zbig", "BY", "nosort", "DESC"},
        {"SORT", "nums", "STORE", "out"}, {"LRANGE", "out", "0", "-1"}, {"TYPE", "out"}, {"OBJECT", "ENCODING", "out"},
        {"SORT", "users", "GET", "user:*->name", "STORE", "out2"}, {"LRANGE", "out2", "0", "-1"},
        {"SET", "ttl", "x", "EX", "100"}, {"SORT", "users", "STORE", "ttl"}, {"TTL", "ttl"},
        {"SORT", "missing"}, {"SORT", "missing", "STORE", "out"}, {"EXISTS", "out"},
        {"SORT", "missing", "BY", "nosort", "LIMIT", "1", "1"},
        {"SORT", "users", "LIMIT", "0", "0", "STORE", "out2"}, {"EXISTS", "out2"},
        {"SORT", "bad"}, {"SORT", "bad", "ALPHA"}, {"SORT", "bad", "BY", "nosort"},
        {"SORT", "str"}, {"SORT", "h"}, {"SORT", "nums", "LIMIT", "a", "1"}, {"SORT", "nums", "LIMIT", "1"},
        {"SORT", "nums", "FOO"}, {"SORT", "nums", "BY"}, {"SORT", "nums", "GET"}, {"SORT", "nums", "STORE"},
        {"SORT_RO", "nums", "STORE", "x"}, {"SORT_RO", "users", "BY", "weight_*", "GET", "#", "GET", "user:*->name"},
        {"SORT_RO", "str"}, {"SORT"},
        {"COMMAND", "GETKEYS", "SORT", "a", "STORE", "b", "BY", "c", "LIMIT", "0", "1", "STORE", "d"},
        {"COMMAND", "GETKEYS", "SORT", "a", "LIMIT", "store", "x", "y"},
        {"COMMAND", "GETKEYS", "SORT_RO", "a", "BY", "x"},
        {"RPUSH", "self", "3", "1", "2"}, {"SORT", "self", "STORE", "self"}, {"LRANGE", "self", "0", "-1"},
    };

    @Test
    @Covers({"sort", "sort_ro"})
    @DisplayName("A fixed script of SORT variants on lists, sets and zsets with BY/GET/LIMIT/ALPHA/DESC/STORE answers as redis-server 7.0")
    void matchesRedis() throws Exception {
        Assumptions.assumeTrue(RedisServerProcess.available(), "no /usr/bin/redis-server");
        try (RedisServerProcess redis = RedisServerProcess.start();
             RawClient ref = new RawClient(redis.port()); RawClient us = new RawClient(server.port())) {
            ref.call("SELECT", "5");
            us.call("SELECT", "5");
            ref.call("FLUSHDB");
            us.call("FLUSHDB");
            for (String[] cmd : SETUP) {
                assertEquals(ref.callBinary(cmd), us.callBinary(cmd), String.join(" ", cmd));
            }
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
