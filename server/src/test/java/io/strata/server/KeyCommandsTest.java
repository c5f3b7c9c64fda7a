package io.strata.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.Transaction;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.params.SetParams;
import redis.clients.jedis.resps.ScanResult;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Behaviour of the generic key commands over real sockets; expected replies were checked
 * against redis-server 7.0.15.
 */
class KeyCommandsTest {
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
    void clean() {
        try (Jedis j = server.jedis()) {
            j.flushAll();
        }
    }

    private static RawClient raw() throws Exception {
        return new RawClient(server.port());
    }

    private static String err(String text) {
        return "-" + text + "\r\n";
    }

    private static String bulk(String s) {
        return "$" + s.getBytes(StandardCharsets.UTF_8).length + "\r\n" + s + "\r\n";
    }

    @Test
    @Covers({"del", "unlink", "exists"})
    @DisplayName("DEL and UNLINK count only keys that existed; EXISTS counts a repeated key each time")
    void delUnlinkExists() throws Exception {
        try (RawClient c = raw()) {
            c.call("set", "a", "1");
            c.call("set", "b", "2");
            c.call("set", "c", "3");
            assertEquals(":3\r\n", c.call("exists", "a", "a", "b"));
            assertEquals(":0\r\n", c.call("exists", "nope"));
            assertEquals(":2\r\n", c.call("del", "a", "b", "nope", "a"));
            assertEquals(":1\r\n", c.call("unlink", "c", "c"));
            assertEquals(":0\r\n", c.call("exists", "a", "b", "c"));
            assertEquals(err("ERR wrong number of arguments for 'del' command"), c.call("del"));
        }
    }

    @Test
    @Covers({"type"})
    @DisplayName("TYPE answers a status 'string' for a string and 'none' for a missing key")
    void type() throws Exception {
        try (RawClient c = raw()) {
            c.call("set", "s", "v");
            assertEquals("+string\r\n", c.call("type", "s"));
            assertEquals("+none\r\n", c.call("type", "missing"));
        }
    }

    @Test
    @Covers({"expire", "ttl"})
    @DisplayName("EXPIRE NX/XX/GT/LT follow Redis' matrix: no TTL counts as infinite for GT and LT")
    void expireOptionMatrix() throws Exception {
        try (RawClient c = raw()) {
            c.call("set", "k", "v");
            assertEquals(":0\r\n", c.call("expire", "k", "100", "xx"), "XX needs a TTL");
            assertEquals(":0\r\n", c.call("expire", "k", "100", "gt"), "GT never beats no TTL");
            assertEquals(":1\r\n", c.call("expire", "k", "100", "lt"), "LT always beats no TTL");
            assertEquals(":100\r\n", c.call("ttl", "k"));
            assertEquals(":0\r\n", c.call("expire", "k", "50", "gt"));
            assertEquals(":1\r\n", c.call("expire", "k", "200", "gt"));
            assertEquals(":0\r\n", c.call("expire", "k", "300", "lt"));
            assertEquals(":1\r\n", c.call("expire", "k", "10", "LT"));
            assertEquals(":10\r\n", c.call("ttl", "k"));
            assertEquals(":0\r\n", c.call("expire", "k", "100", "nx"), "NX needs no TTL");
            assertEquals(":1\r\n", c.call("expire", "k", "20", "xx"));
            assertEquals(":1\r\n", c.call("expire", "k", "30", "xx", "gt"));
            assertEquals(":0\r\n", c.call("expire", "k", "40", "xx", "lt"));
            assertEquals(":30\r\n", c.call("ttl", "k"));
            c.call("set", "fresh", "v");
            assertEquals(":1\r\n", c.call("expire", "fresh", "100", "nx"));
            assertEquals(":0\r\n", c.call("expire", "missing", "100", "gt"));

            String nxAnd = err("ERR NX and XX, GT or LT options at the same time are not compatible");
            assertEquals(nxAnd, c.call("expire", "k", "10", "nx", "xx"));
            assertEquals(nxAnd, c.call("expire", "k", "10", "gt", "nx"));
            assertEquals(nxAnd, c.call("expire", "k", "10", "nx", "lt"));
            assertEquals(err("ERR GT and LT options at the same time are not compatible"),
                c.call("expire", "k", "10", "gt", "lt"));
            assertEquals(err("ERR Unsupported option foo"), c.call("expire", "missing", "abc", "foo"));
            assertEquals(":0\r\n", c.call("expire", "k", "10", "nx", "nx"));
        }
    }

    @Test
    @Covers({"expire", "pexpire", "expireat", "pexpireat", "exists"})
    @DisplayName("A time in the past deletes the key at once; overflowing times get 'invalid expire time'")
    void pastTimesAndOverflow() throws Exception {
        try (RawClient c = raw()) {
            c.call("set", "k", "v");
            assertEquals(":1\r\n", c.call("expire", "k", "-1"));
            assertEquals(":0\r\n", c.call("exists", "k"));
            c.call("set", "k", "v");
            assertEquals(":1\r\n", c.call("pexpire", "k", "0"));
            assertEquals(":0\r\n", c.call("exists", "k"));
            c.call("set", "k", "v");
            assertEquals(":1\r\n", c.call("expireat", "k", "1000"));
            assertEquals(":0\r\n", c.call("exists", "k"));
            c.call("set", "k", "v");
            assertEquals(":0\r\n", c.call("expire", "k", "-1", "gt"), "GT against no TTL refuses even a past time");
            assertEquals(":1\r\n", c.call("pexpireat", "k", "-9223372036854775808"));
            assertEquals(":0\r\n", c.call("exists", "k"));
            c.call("set", "k", "v");
            assertEquals(":1\r\n", c.call("expire", "k", "0", "lt"));
            assertEquals(":0\r\n", c.call("exists", "k"));

            c.call("set", "k", "v");
            assertEquals(err("ERR invalid expire time in 'expire' command"), c.call("expire", "k", "9223372036854775807"));
            assertEquals(err("ERR invalid expire time in 'expire' command"), c.call("expire", "k", "-9223372036854775808"));
            assertEquals(err("ERR invalid expire time in 'pexpire' command"), c.call("pexpire", "k", "9223372036854775807"));
            assertEquals(err("ERR invalid expire time in 'expireat' command"), c.call("expireat", "k", "9223372036854775807"));
            assertEquals(err("ERR value is not an integer or out of range"), c.call("expire", "k", "abc"));
            assertEquals(":1\r\n", c.call("pexpireat", "k", "9223372036854775807"));
            assertEquals(":9223372036854775807\r\n", c.call("pexpiretime", "k"));
            assertEquals(":9223372036854776\r\n", c.call("expiretime", "k"));
        }
    }

    @Test
    @Covers({"ttl", "pttl", "expiretime", "pexpiretime", "persist", "pexpireat"})
    @DisplayName("TTL family answers -2 for missing, -1 for no TTL, rounds seconds; PERSIST removes a TTL once")
    void ttlFamilyAndPersist() throws Exception {
        try (RawClient c = raw()) {
            assertEquals(":-2\r\n", c.call("ttl", "missing"));
            assertEquals(":-2\r\n", c.call("pttl", "missing"));
            assertEquals(":-2\r\n", c.call("expiretime", "missing"));
            assertEquals(":-2\r\n", c.call("pexpiretime", "missing"));
            c.call("set", "k", "v");
            assertEquals(":-1\r\n", c.call("ttl", "k"));
            assertEquals(":-1\r\n", c.call("pexpiretime", "k"));
            long at = System.currentTimeMillis() + 100_000_400L;
            assertEquals(":1\r\n", c.call("pexpireat", "k", Long.toString(at)));
            assertEquals(":" + at + "\r\n", c.call("pexpiretime", "k"));
            assertEquals(":" + (at + 500) / 1000 + "\r\n", c.call("expiretime", "k"));
            long pttl = Long.parseLong(c.call("pttl", "k").trim().substring(1));
            assertTrue(pttl > 100_000_000L && pttl <= 100_000_400L, "pttl=" + pttl);
            assertEquals(":100000\r\n", c.call("ttl", "k"));
            assertEquals(":1\r\n", c.call("persist", "k"));
            assertEquals(":0\r\n", c.call("persist", "k"));
            assertEquals(":0\r\n", c.call("persist", "missing"));
            assertEquals(":-1\r\n", c.call("ttl", "k"));
        }
    }

    @Test
    @Covers({"set", "get", "exists", "dbsize"})
    @DisplayName("Keys set with PX 50 vanish on access, and the active cycle removes untouched ones so DBSIZE drops")
    void expiryHappens() throws Exception {
        try (Jedis j = server.jedis(); RawClient c = raw()) {
            c.call("set", "lazy", "v", "px", "50");
            Pipeline p = j.pipelined();
            for (int i = 0; i < 200; i++) {
                p.set("active:" + i, "v", SetParams.setParams().px(50));
            }
            p.set("stays", "v");
            p.sync();
            Thread.sleep(120);
            assertEquals("$-1\r\n", c.call("get", "lazy"));
            assertEquals(":0\r\n", c.call("exists", "lazy"));
            long deadline = System.currentTimeMillis() + 5000;
            long size;
            do {
                Thread.sleep(50);
                size = j.dbSize();
            } while (size > 1 && System.currentTimeMillis() < deadline);
            assertEquals(1, size, "active expiry should leave only the key without TTL");
            assertEquals("v", j.get("stays"));
        }
    }

    @Test
    @Covers({"rename", "renamenx", "pttl"})
    @DisplayName("RENAME onto itself is OK (RENAMENX 0), a missing source errors, the TTL moves with the value")
    void renameRules() throws Exception {
        try (RawClient c = raw()) {
            assertEquals(err("ERR no such key"), c.call("rename", "missing", "x"));
            assertEquals(err("ERR no such key"), c.call("renamenx", "missing", "x"));
            assertEquals(err("ERR no such key"), c.call("rename", "missing", "missing"));
            c.call("set", "k", "v");
            assertEquals("+OK\r\n", c.call("rename", "k", "k"));
            assertEquals(":0\r\n", c.call("renamenx", "k", "k"));
            assertEquals(bulk("v"), c.call("get", "k"));

            c.call("pexpire", "k", "100000");
            assertEquals("+OK\r\n", c.call("rename", "k", "k2"));
            assertEquals(":0\r\n", c.call("exists", "k"));
            assertEquals(bulk("v"), c.call("get", "k2"));
            long pttl = Long.parseLong(c.call("pttl", "k2").trim().substring(1));
            assertTrue(pttl > 90_000 && pttl <= 100_000, "pttl=" + pttl);

            c.call("set", "other", "o");
            assertEquals(":0\r\n", c.call("renamenx", "k2", "other"));
            assertEquals(bulk("o"), c.call("get", "other"));
            assertEquals("+OK\r\n", c.call("rename", "k2", "other"));
            assertEquals(bulk("v"), c.call("get", "other"));
            assertEquals(":1\r\n", c.call("renamenx", "other", "fresh"));
            assertEquals(bulk("v"), c.call("get", "fresh"));

            c.call("set", "old", "x");
            c.call("set", "dst", "y", "ex", "100");
            assertEquals("+OK\r\n", c.call("rename", "old", "dst"));
            assertEquals(":-1\r\n", c.call("pttl", "dst"), "the overwritten key's TTL does not survive");
        }
    }

    @Test
    @Covers({"keys"})
    @DisplayName("KEYS matches glob patterns and hides expired keys")
    void keysPattern() throws Exception {
        try (Jedis j = server.jedis()) {
            j.set("user:1", "a");
            j.set("user:2", "b");
            j.set("user:10", "c");
            j.set("other", "d");
            j.set("user:gone", "e", SetParams.setParams().px(1));
            Thread.sleep(10);
            assertEquals(Set.of("user:1", "user:2", "user:10"), j.keys("user:*"));
            assertEquals(Set.of("user:1", "user:2"), j.keys("user:?"));
            assertEquals(Set.of("user:1", "user:10"), j.keys("user:1*"));
            assertEquals(Set.of("user:1", "user:2", "user:10", "other"), j.keys("*"));
            assertEquals(Set.of(), j.keys("nomatch*"));
        }
    }

    @Test
    @Covers({"scan"})
    @DisplayName("SCAN over 1500 keys returns every key at least once, with MATCH, COUNT and TYPE filters")
    void scanCoversEveryKey() {
        try (Jedis j = server.jedis()) {
            Pipeline p = j.pipelined();
            Set<String> all = new HashSet<>();
            for (int i = 0; i < 1500; i++) {
                String k = (i % 3 == 0 ? "even:" : "odd:") + i;
                all.add(k);
                p.set(k, "v");
            }
            p.sync();

            Set<String> seen = new HashSet<>();
            String cursor = ScanParams.SCAN_POINTER_START;
            int calls = 0;
            do {
                ScanResult<String> res = j.scan(cursor, new ScanParams().count(100));
                seen.addAll(res.getResult());
                cursor = res.getCursor();
                calls++;
            } while (!cursor.equals("0"));
            assertEquals(all, seen);
            assertTrue(calls > 1, "COUNT 100 over 1500 keys should take several calls");

            Set<String> matched = new HashSet<>();
            cursor = "0";
            do {
                ScanResult<String> res = j.scan(cursor, new ScanParams().match("even:*").count(50));
                for (String k : res.getResult()) {
                    assertTrue(k.startsWith("even:"), k);
                }
                matched.addAll(res.getResult());
                cursor = res.getCursor();
            } while (!cursor.equals("0"));
            assertEquals(500, matched.size());

            Set<String> strings = new HashSet<>();
            cursor = "0";
            do {
                ScanResult<String> res = j.scan(cursor, new ScanParams().count(1000), "STRING");
                strings.addAll(res.getResult());
                cursor = res.getCursor();
            } while (!cursor.equals("0"));
            assertEquals(all, strings, "TYPE is case-insensitive");

            cursor = "0";
            do {
                ScanResult<String> res = j.scan(cursor, new ScanParams().count(1000), "list");
                assertTrue(res.getResult().isEmpty());
                cursor = res.getCursor();
            } while (!cursor.equals("0"));
        }
    }

    @Test
    @Covers({"scan"})
    @DisplayName("SCAN rejects bad cursors and options with Redis' texts and skips expired keys")
    void scanErrors() throws Exception {
        try (RawClient c = raw()) {
            assertEquals(err("ERR invalid cursor"), c.call("scan", "x"));
            assertEquals(err("ERR invalid cursor"), c.call("scan", " 1"));
            assertEquals(err("ERR invalid cursor"), c.call("scan", "18446744073709551616"));
            assertEquals(err("ERR syntax error"), c.call("scan", "0", "count", "0"));
            assertEquals(err("ERR value is not an integer or out of range"), c.call("scan", "0", "count", "x"));
            assertEquals(err("ERR syntax error"), c.call("scan", "0", "match"));
            assertEquals(err("ERR syntax error"), c.call("scan", "0", "foo", "1"));
            assertEquals("*2\r\n$1\r\n0\r\n*0\r\n", c.call("scan", "0"));
            c.call("set", "live", "v");
            c.call("set", "dying", "v", "px", "1");
            Thread.sleep(10);
            assertEquals("*2\r\n$1\r\n0\r\n*1\r\n$4\r\nlive\r\n", c.call("scan", "+0", "type", "string"));
            assertEquals("*2\r\n$1\r\n0\r\n*0\r\n", c.call("scan", "0", "type", "nosuchtype"));
        }
    }

    @Test
    @Covers({"randomkey"})
    @DisplayName("RANDOMKEY answers nil on an empty database and otherwise a live key, never an expired one")
    void randomKey() throws Exception {
        try (Jedis j = server.jedis()) {
            assertNull(j.randomKey());
            for (int i = 0; i < 20; i++) {
                j.set("gone:" + i, "v", SetParams.setParams().px(1));
            }
            j.set("live", "v");
            Thread.sleep(10);
            for (int i = 0; i < 10; i++) {
                assertEquals("live", j.randomKey());
            }
        }
    }

    @Test
    @Covers({"flushdb", "flushall", "dbsize", "select"})
    @DisplayName("FLUSHDB clears only the selected database; FLUSHALL ASYNC clears all; bad modes are syntax errors")
    void flushes() throws Exception {
        try (RawClient c = raw()) {
            c.call("set", "a", "1");
            c.call("select", "1");
            c.call("set", "b", "1");
            c.call("set", "c", "1");
            assertEquals(":2\r\n", c.call("dbsize"));
            assertEquals(err("ERR syntax error"), c.call("flushdb", "x"));
            assertEquals(err("ERR syntax error"), c.call("flushall", "async", "sync"));
            assertEquals("+OK\r\n", c.call("flushdb", "sync"));
            assertEquals(":0\r\n", c.call("dbsize"));
            c.call("set", "b", "1");
            c.call("select", "0");
            assertEquals(":1\r\n", c.call("dbsize"));
            assertEquals("+OK\r\n", c.call("flushall", "ASYNC"));
            assertEquals(":0\r\n", c.call("dbsize"));
            c.call("select", "1");
            assertEquals(":0\r\n", c.call("dbsize"));
            assertEquals("+OK\r\n", c.call("flushdb", "async"));
            assertEquals("+OK\r\n", c.call("flushall"));
        }
    }

    @Test
    @Covers({"copy", "pttl"})
    @DisplayName("COPY copies value and TTL, within a database or to another with DB, and overwrites only with REPLACE")
    void copy() throws Exception {
        try (RawClient c = raw()) {
            c.call("set", "src", "value", "px", "100000");
            assertEquals(":1\r\n", c.call("copy", "src", "dst"));
            assertEquals(bulk("value"), c.call("get", "dst"));
            long pttl = Long.parseLong(c.call("pttl", "dst").trim().substring(1));
            assertTrue(pttl > 90_000, "pttl=" + pttl);
            c.call("set", "src", "changed");
            assertEquals(bulk("value"), c.call("get", "dst"), "the copy is independent of the source");

            assertEquals(":0\r\n", c.call("copy", "src", "dst"));
            assertEquals(bulk("value"), c.call("get", "dst"));
            assertEquals(":1\r\n", c.call("copy", "src", "dst", "replace"));
            assertEquals(bulk("changed"), c.call("get", "dst"));
            assertEquals(":-1\r\n", c.call("pttl", "dst"));
            assertEquals(":0\r\n", c.call("copy", "missing", "dst", "replace"));

            assertEquals(":1\r\n", c.call("copy", "src", "src", "db", "2"));
            assertEquals(":0\r\n", c.call("copy", "src", "src", "DB", "2"));
            assertEquals(":1\r\n", c.call("copy", "src", "src", "replace", "db", "2"));
            c.call("select", "2");
            assertEquals(bulk("changed"), c.call("get", "src"));
            c.call("select", "0");

            assertEquals(err("ERR source and destination objects are the same"), c.call("copy", "src", "src"));
            assertEquals(err("ERR source and destination objects are the same"), c.call("copy", "src", "src", "db", "0"));
            assertEquals(err("ERR value is not an integer or out of range"), c.call("copy", "src", "x", "db", "x"));
            assertEquals(err("ERR DB index is out of range"), c.call("copy", "src", "x", "db", "99"));
            assertEquals(err("ERR value is out of range, value must between -2147483648 and 2147483647"),
                c.call("copy", "src", "x", "db", "3000000000"));
            assertEquals(err("ERR syntax error"), c.call("copy", "src", "x", "foo"));
            assertEquals(err("ERR syntax error"), c.call("copy", "src", "x", "db"));
        }
    }

    @Test
    @Covers({"move", "ttl"})
    @DisplayName("MOVE takes a key with its TTL to another database unless the target already has it")
    void move() throws Exception {
        try (RawClient c = raw()) {
            c.call("set", "k", "v", "ex", "1000");
            assertEquals(":1\r\n", c.call("move", "k", "3"));
            assertEquals(":0\r\n", c.call("exists", "k"));
            assertEquals(":0\r\n", c.call("move", "k", "3"), "a missing key is not moved");
            c.call("select", "3");
            assertEquals(bulk("v"), c.call("get", "k"));
            assertEquals(":1000\r\n", c.call("ttl", "k"));
            c.call("select", "0");
            c.call("set", "k", "here");
            assertEquals(":0\r\n", c.call("move", "k", "3"), "the target database already has the key");
            assertEquals(bulk("here"), c.call("get", "k"));

            assertEquals(err("ERR source and destination objects are the same"), c.call("move", "k", "0"));
            assertEquals(err("ERR DB index is out of range"), c.call("move", "k", "99"));
            assertEquals(err("ERR DB index is out of range"), c.call("move", "k", "-1"));
            assertEquals(err("ERR value is not an integer or out of range"), c.call("move", "k", "abc"));
            assertEquals(err("ERR value is out of range, value must between -2147483648 and 2147483647"),
                c.call("move", "k", "3000000000"));
        }
    }

    @Test
    @Covers({"swapdb", "watch", "multi", "exec"})
    @DisplayName("SWAPDB exchanges two databases for every client and aborts a transaction watching a key in either")
    void swapdb() throws Exception {
        try (Jedis a = server.jedis(); Jedis b = server.jedis(); RawClient c = raw()) {
            a.set("k", "db0");
            a.select(1);
            a.set("k", "db1");
            a.set("only1", "x");
            a.select(0);

            b.watch("k");
            Transaction t = b.multi();
            t.get("k");
            assertEquals("OK", a.swapDB(0, 1));
            assertNull(t.exec(), "WATCH must see SWAPDB");

            assertEquals("db1", a.get("k"));
            assertEquals("x", b.get("only1"), "other connections see the swap too");
            a.select(1);
            assertEquals("db0", a.get("k"));
            assertEquals(1, a.dbSize());

            assertEquals("+OK\r\n", c.call("swapdb", "2", "2"));
            assertEquals(err("ERR invalid first DB index"), c.call("swapdb", "a", "1"));
            assertEquals(err("ERR invalid second DB index"), c.call("swapdb", "1", "b"));
            assertEquals(err("ERR invalid first DB index"), c.call("swapdb", "3000000000", "1"));
            assertEquals(err("ERR DB index is out of range"), c.call("swapdb", "1", "99"));
            assertEquals(err("ERR DB index is out of range"), c.call("swapdb", "-1", "1"));
        }
    }

    @Test
    @Covers({"touch", "object|idletime"})
    @DisplayName("TOUCH counts existing keys and resets the idle time OBJECT IDLETIME reports; OBJECT itself does not")
    void touchAndIdletime() throws Exception {
        try (RawClient c = raw()) {
            c.call("set", "a", "1");
            c.call("set", "b", "2");
            assertEquals(":2\r\n", c.call("touch", "a", "b", "missing"));
            Thread.sleep(2100);
            String idle = c.call("object", "idletime", "a");
            assertTrue(idle.equals(":2\r\n") || idle.equals(":3\r\n"), idle);
            assertEquals(idle, c.call("object", "idletime", "a"), "OBJECT must not touch the key");
            assertEquals(":1\r\n", c.call("touch", "a"));
            assertEquals(":0\r\n", c.call("object", "idletime", "a"));
            assertEquals("$-1\r\n", c.call("object", "idletime", "missing"));
        }
    }

    @Test
    @Covers({"object|encoding", "object|refcount", "object|freq", "object|help"})
    @DisplayName("OBJECT reports Redis 7.0 string encodings and shared refcounts, refuses FREQ without LFU, and has HELP")
    void object() throws Exception {
        try (RawClient c = raw()) {
            String[][] cases = {
                {"100", "int"}, {"-1", "int"}, {"9223372036854775807", "int"}, {"9223372036854775808", "embstr"},
                {"01", "embstr"}, {"-0", "embstr"}, {"hello", "embstr"},
                {"12345678901234567890123456789012345678901234", "embstr"},
                {"123456789012345678901234567890123456789012345", "raw"}};
            for (String[] tc : cases) {
                c.call("set", "e", tc[0]);
                assertEquals(bulk(tc[1]), c.call("object", "encoding", "e"), tc[0]);
            }
            c.call("set", "n", "100");
            assertEquals(":2147483647\r\n", c.call("object", "refcount", "n"));
            c.call("set", "n", "10000");
            assertEquals(":1\r\n", c.call("object", "refcount", "n"));
            c.call("set", "n", "text");
            assertEquals(":1\r\n", c.call("object", "refcount", "n"));
            assertEquals("$-1\r\n", c.call("object", "encoding", "missing"));
            assertEquals("$-1\r\n", c.call("object", "refcount", "missing"));
            assertEquals("$-1\r\n", c.call("object", "freq", "missing"));
            assertEquals(err("ERR An LFU maxmemory policy is not selected, access frequency not tracked. "
                + "Please note that when switching between policies at runtime LRU and LFU data will take "
                + "some time to adjust."), c.call("object", "freq", "n"));
            assertEquals(err("ERR unknown subcommand 'foo'. Try OBJECT HELP."), c.call("object", "foo", "n"));
            assertEquals(err("ERR wrong number of arguments for 'object|encoding' command"), c.call("object", "encoding"));
            String help = c.call("object", "help");
            assertTrue(help.startsWith("*15\r\n+OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n"), help);
            assertTrue(help.endsWith("+HELP\r\n+    Prints this help.\r\n"), help);
        }
    }

    @Test
    @Covers({"command|info"})
    @DisplayName("COMMAND INFO gives the key commands Redis 7.0's arity, flags and key positions")
    void commandInfo() {
        // name, arity, flags, first, last, step — from redis-server 7.0.15
        Object[][] expected = {
            {"del", -2, "write", 1, -1, 1}, {"unlink", -2, "write fast", 1, -1, 1},
            {"exists", -2, "readonly fast", 1, -1, 1}, {"type", 2, "readonly fast", 1, 1, 1},
            {"expire", -3, "write fast", 1, 1, 1}, {"pexpire", -3, "write fast", 1, 1, 1},
            {"expireat", -3, "write fast", 1, 1, 1}, {"pexpireat", -3, "write fast", 1, 1, 1},
            {"ttl", 2, "readonly fast", 1, 1, 1}, {"pttl", 2, "readonly fast", 1, 1, 1},
            {"expiretime", 2, "readonly fast", 1, 1, 1}, {"pexpiretime", 2, "readonly fast", 1, 1, 1},
            {"persist", 2, "write fast", 1, 1, 1}, {"rename", 3, "write", 1, 2, 1},
            {"renamenx", 3, "write fast", 1, 2, 1}, {"keys", 2, "readonly", 0, 0, 0},
            {"scan", -2, "readonly", 0, 0, 0}, {"randomkey", 1, "readonly", 0, 0, 0},
            {"dbsize", 1, "readonly fast", 0, 0, 0}, {"flushdb", -1, "write", 0, 0, 0},
            {"flushall", -1, "write", 0, 0, 0}, {"copy", -3, "write denyoom", 1, 2, 1},
            {"move", 3, "write fast", 1, 1, 1}, {"swapdb", 3, "write fast", 0, 0, 0},
            {"touch", -2, "readonly fast", 1, -1, 1}, {"object", -2, "", 0, 0, 0},
            {"object|encoding", 3, "readonly", 2, 2, 1}, {"object|freq", 3, "readonly", 2, 2, 1},
            {"object|idletime", 3, "readonly", 2, 2, 1}, {"object|refcount", 3, "readonly", 2, 2, 1},
            {"object|help", 2, "loading stale", 0, 0, 0}};
        try (Jedis j = server.jedis()) {
            for (Object[] e : expected) {
                String name = (String) e[0];
                List<?> reply = (List<?>) j.sendCommand(Protocol.Command.COMMAND, "INFO", name);
                List<?> info = (List<?>) reply.get(0);
                assertEquals(name, str(info.get(0)), name);
                assertEquals(((Integer) e[1]).longValue(), info.get(1), name + " arity");
                Set<String> flags = new HashSet<>();
                for (Object f : (List<?>) info.get(2)) {
                    flags.add(str(f));
                }
                Set<String> want = new HashSet<>();
                for (String f : ((String) e[2]).split(" ")) {
                    if (!f.isEmpty()) {
                        want.add(f);
                    }
                }
                assertEquals(want, flags, name + " flags");
                assertEquals(((Integer) e[3]).longValue(), info.get(3), name + " first key");
                assertEquals(((Integer) e[4]).longValue(), info.get(4), name + " last key");
                assertEquals(((Integer) e[5]).longValue(), info.get(5), name + " step");
            }
            List<?> keys = (List<?>) ((List<?>) j.sendCommand(Protocol.Command.COMMAND, "INFO", "keys")).get(0);
            Set<String> acl = new HashSet<>();
            for (Object f : (List<?>) keys.get(6)) {
                acl.add(str(f));
            }
            assertEquals(Set.of("@keyspace", "@read", "@slow", "@dangerous"), acl);
            assertFalse(acl.contains("@fast"));
        }
    }

    @Test
    @Covers({"del", "expire", "persist", "rename", "copy", "move", "psubscribe"})
    @DisplayName("Generic commands publish Redis' keyevent notifications: expire, persist, rename_from/to, copy_to, move_from/to, del")
    void keyspaceEvents() throws Exception {
        try (TestServer s = TestServer.start("--notify-keyspace-events", "Eg");
             RawClient sub = new RawClient(s.port());
             RawClient c = new RawClient(s.port())) {
            assertTrue(sub.call("psubscribe", "__keyevent@*__:*").contains("psubscribe"));
            c.call("set", "a", "v");
            c.call("expire", "a", "100");
            c.call("persist", "a");
            c.call("rename", "a", "b");
            c.call("copy", "b", "c");
            c.call("move", "c", "1");
            c.call("del", "b", "missing");
            c.call("set", "d", "v");
            c.call("pexpire", "d", "-5");
            String[][] want = {{"0", "expire", "a"}, {"0", "persist", "a"}, {"0", "rename_from", "a"},
                {"0", "rename_to", "b"}, {"0", "copy_to", "c"}, {"0", "move_from", "c"}, {"1", "move_to", "c"},
                {"0", "del", "b"}, {"0", "del", "d"}};
            for (String[] w : want) {
                String channel = "__keyevent@" + w[0] + "__:" + w[1];
                String msg = sub.readReply();
                assertTrue(msg.endsWith(bulk(channel) + bulk(w[2])), "expected " + channel + " " + w[2] + " got " + msg);
            }
        }
    }

    private static String str(Object o) {
        return o instanceof byte[] ? new String((byte[]) o, StandardCharsets.UTF_8) : String.valueOf(o);
    }
}
