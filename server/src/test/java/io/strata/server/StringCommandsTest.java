package io.strata.server;

import io.strata.engine.Engine;
import io.strata.engine.command.CommandSpec;
import io.strata.engine.config.Config;
import io.strata.engine.keyspace.Entry;
import io.strata.engine.keyspace.Keyspace;
import io.strata.engine.types.Value;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.strata.engine.command.CommandFlag.DENYOOM;
import static io.strata.engine.command.CommandFlag.FAST;
import static io.strata.engine.command.CommandFlag.READONLY;
import static io.strata.engine.command.CommandFlag.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Behaviour of the string commands over real sockets, with Redis 7.0's exact replies.
 *
 * <p>The server here gets two test-only commands before it starts (the table is read-only once
 * it serves): {@code strata-test.mkother key} stores a value of another type, so WRONGTYPE paths
 * can be tested before any collection type exists, and {@code strata-test.pttl key} reports the
 * remaining time to live in ms (-1 none, -2 no key) without depending on the keys group.
 */
class StringCommandsTest {
    static StrataServer server;
    RawClient c;

    @BeforeAll
    static void start() throws Exception {
        server = startWithTestCommands();
    }

    @AfterAll
    static void stop() throws InterruptedException {
        stopServer(server);
    }

    @BeforeEach
    void connect() throws Exception {
        c = new RawClient(server.port());
        assertEquals("+OK\r\n", c.call("FLUSHALL"));
    }

    @AfterEach
    void disconnect() throws Exception {
        c.close();
    }

    // ---- harness ----

    /** A value of some type other than string, for WRONGTYPE paths. */
    private static final class OtherValue implements Value {
        @Override
        public String typeName() {
            return "list";
        }

        @Override
        public String encoding() {
            return "listpack";
        }

        @Override
        public long size() {
            return 1;
        }

        @Override
        public Value copy() {
            return this;
        }

        @Override
        public long memoryUsage() {
            return 16;
        }
    }

    static StrataServer startWithTestCommands(String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("--port", "0", "--bind", "127.0.0.1"));
        args.addAll(List.of(extra));
        Config config = ConfigLoader.load(args.toArray(new String[0]));
        StrataServer s = new StrataServer(config);
        Engine engine = s.engine();
        Keyspace ks = engine.keyspace;
        engine.commands.add(CommandSpec.builder("strata-test.mkother", 2, (cl, a, r) -> {
            Entry e = ks.lookup(cl.db, a.bytes(1));
            if (e != null) {
                ks.delete(cl.db, e);
            }
            ks.add(cl.db, a.bytes(1), new OtherValue());
            r.ok();
        }).flags(WRITE).keys(1, 1, 1));
        engine.commands.add(CommandSpec.builder("strata-test.pttl", 2, (cl, a, r) -> {
            Entry e = ks.lookup(cl.db, a.bytes(1));
            r.integer(e == null ? -2 : e.hasExpire() ? e.expireAt() - System.currentTimeMillis() : -1);
        }).flags(READONLY).keys(1, 1, 1));
        s.start();
        return s;
    }

    static void stopServer(StrataServer s) throws InterruptedException {
        s.shutdown();
        s.awaitShutdown(10, TimeUnit.SECONDS);
    }

    private String call(String... args) throws Exception {
        return c.call(args);
    }

    private static String bulk(String s) {
        return "$" + s.length() + "\r\n" + s + "\r\n";
    }

    private static String err(String s) {
        return "-" + s + "\r\n";
    }

    private static String integer(long v) {
        return ":" + v + "\r\n";
    }

    private static final String OK = "+OK\r\n";
    private static final String NIL = "$-1\r\n";
    private static final String EMPTY = "$0\r\n\r\n";
    private static final String WRONGTYPE = err("WRONGTYPE Operation against a key holding the wrong kind of value");
    private static final String NOT_INT = err("ERR value is not an integer or out of range");
    private static final String NOT_FLOAT = err("ERR value is not a valid float");
    private static final String SYNTAX = err("ERR syntax error");

    private long pttl(String key) throws Exception {
        String r = call("strata-test.pttl", key);
        return Long.parseLong(r.substring(1, r.length() - 2));
    }

    private void assertTtlAbout(long expectedMs, String key) throws Exception {
        long t = pttl(key);
        assertTrue(t > expectedMs - 5000 && t <= expectedMs, "pttl " + t + " not about " + expectedMs);
    }

    // ---- GET / SET ----

    @Test
    @Covers({"get", "set"})
    @DisplayName("GET answers nil for a missing key, the value after SET, and WRONGTYPE for another type")
    void getAndSet() throws Exception {
        assertEquals(NIL, call("GET", "k"));
        assertEquals(OK, call("SET", "k", "v1"));
        assertEquals(bulk("v1"), call("GET", "k"));
        assertEquals(OK, call("set", "k", ""));
        assertEquals(EMPTY, call("GET", "k"));
        assertEquals(OK, call("strata-test.mkother", "l"));
        assertEquals(WRONGTYPE, call("GET", "l"));
        assertEquals(OK, call("SET", "l", "now a string"), "plain SET replaces any type");
        assertEquals(bulk("now a string"), call("GET", "l"));
        try (Jedis j = new Jedis("127.0.0.1", server.port())) {
            assertEquals("OK", j.set("binary\u00e9", "\u00e9t\u00e9"));
            assertEquals("\u00e9t\u00e9", j.get("binary\u00e9"));
        }
    }

    @Test
    @Covers({"set"})
    @DisplayName("SET NX only creates, SET XX only replaces, and each refusal answers nil")
    void setNxXx() throws Exception {
        assertEquals(NIL, call("SET", "k", "a", "XX"));
        assertEquals(NIL, call("GET", "k"));
        assertEquals(OK, call("SET", "k", "a", "NX"));
        assertEquals(NIL, call("SET", "k", "b", "nx"));
        assertEquals(bulk("a"), call("GET", "k"));
        assertEquals(OK, call("SET", "k", "c", "xx"));
        assertEquals(bulk("c"), call("GET", "k"));
        assertEquals(NIL, call("SET", "k", "d", "NX", "NX"), "a repeated NX is accepted and still refuses");
        assertEquals(bulk("c"), call("GET", "k"));
        assertEquals(SYNTAX, call("SET", "k", "a", "NX", "XX"));
        assertEquals(SYNTAX, call("SET", "k", "a", "XX", "NX"));
    }

    @Test
    @Covers({"set"})
    @DisplayName("SET GET answers the old value (nil on a missing key), works with NX/XX, and refuses another type")
    void setGet() throws Exception {
        assertEquals(NIL, call("SET", "k", "v1", "GET"));
        assertEquals(bulk("v1"), call("GET", "k"), "SET GET on a missing key still sets it");
        assertEquals(bulk("v1"), call("SET", "k", "v2", "GET"));
        assertEquals(bulk("v2"), call("SET", "k", "v3", "NX", "GET"), "refused NX still answers the old value");
        assertEquals(bulk("v2"), call("GET", "k"));
        assertEquals(NIL, call("SET", "m", "x", "XX", "GET"));
        assertEquals(NIL, call("GET", "m"));
        assertEquals(bulk("v2"), call("SET", "k", "v4", "GET", "GET"));
        assertEquals(OK, call("strata-test.mkother", "l"));
        assertEquals(WRONGTYPE, call("SET", "l", "x", "GET"));
        assertEquals(WRONGTYPE, call("GET", "l"), "a refused SET GET leaves the value alone");
    }

    @Test
    @Covers({"set"})
    @DisplayName("SET EX/PX/EXAT/PXAT set the expiry, a plain SET clears it and KEEPTTL keeps it")
    void setExpiry() throws Exception {
        assertEquals(OK, call("SET", "k", "v", "EX", "100"));
        assertTtlAbout(100_000, "k");
        assertEquals(OK, call("SET", "k", "v", "PX", "50000"));
        assertTtlAbout(50_000, "k");
        long nowS = System.currentTimeMillis() / 1000;
        assertEquals(OK, call("SET", "k", "v", "EXAT", Long.toString(nowS + 200)));
        assertTtlAbout(200_000, "k");
        assertEquals(OK, call("SET", "k", "v", "PXAT", Long.toString(System.currentTimeMillis() + 300_000)));
        assertTtlAbout(300_000, "k");
        assertEquals(OK, call("SET", "k", "v2", "KEEPTTL"));
        assertTtlAbout(300_000, "k");
        assertEquals(bulk("v2"), call("GET", "k"));
        assertEquals(OK, call("SET", "k", "v3"));
        assertEquals(-1, pttl("k"), "plain SET drops the TTL");
        assertEquals(OK, call("SET", "k", "v", "EX", "10", "EX", "20"));
        assertTtlAbout(20_000, "k");
        assertEquals(OK, call("SET", "gone", "v", "PXAT", "1"));
        assertEquals(NIL, call("GET", "gone"), "an absolute time in the past leaves no visible key");
    }

    @Test
    @Covers({"set"})
    @DisplayName("SET expires the key for real once its PX time has passed")
    void setPxExpires() throws Exception {
        assertEquals(OK, call("SET", "k", "v", "PX", "100"));
        assertEquals(bulk("v"), call("GET", "k"));
        Thread.sleep(250);
        assertEquals(NIL, call("GET", "k"));
    }

    @Test
    @Covers({"set"})
    @DisplayName("SET refuses bad or conflicting options with Redis' exact errors, syntax checked before the time")
    void setOptionErrors() throws Exception {
        String invalid = err("ERR invalid expire time in 'set' command");
        assertEquals(invalid, call("SET", "k", "v", "EX", "0"));
        assertEquals(invalid, call("SET", "k", "v", "PX", "-5"));
        assertEquals(invalid, call("SET", "k", "v", "EXAT", "0"));
        assertEquals(invalid, call("SET", "k", "v", "EX", "9223372036854775807"));
        assertEquals(invalid, call("SET", "k", "v", "PX", "9223372036854775807"));
        assertEquals(NOT_INT, call("SET", "k", "v", "EX", "ten"));
        assertEquals(NOT_INT, call("SET", "k", "v", "PX", "1.5"));
        assertEquals(NOT_INT, call("SET", "k", "v", "EX", "99999999999999999999"));
        assertEquals(SYNTAX, call("SET", "k", "v", "EX"));
        assertEquals(SYNTAX, call("SET", "k", "v", "EX", "10", "PX", "100"));
        assertEquals(SYNTAX, call("SET", "k", "v", "KEEPTTL", "EX", "10"));
        assertEquals(SYNTAX, call("SET", "k", "v", "PXAT", "10", "KEEPTTL"));
        assertEquals(SYNTAX, call("SET", "k", "v", "PERSIST"));
        assertEquals(SYNTAX, call("SET", "k", "v", "EX", "0", "BOGUS"), "parsing finishes before the time is checked");
        assertEquals(err("ERR wrong number of arguments for 'set' command"), call("SET", "k"));
        assertEquals(NIL, call("GET", "k"), "nothing was set by any refused SET");
        assertEquals(OK, call("strata-test.mkother", "l"));
        assertEquals(invalid, call("SET", "l", "v", "GET", "EX", "0"), "the time is checked before the type");
    }

    @Test
    @Covers({"setnx", "setex", "psetex"})
    @DisplayName("SETNX answers 1/0; SETEX and PSETEX set value and TTL and name themselves in expiry errors")
    void setnxSetexPsetex() throws Exception {
        assertEquals(integer(1), call("SETNX", "k", "a"));
        assertEquals(integer(0), call("SETNX", "k", "b"));
        assertEquals(bulk("a"), call("GET", "k"));
        assertEquals(OK, call("strata-test.mkother", "l"));
        assertEquals(integer(0), call("SETNX", "l", "b"), "SETNX sees any existing key");
        assertEquals(OK, call("SETEX", "k", "100", "b"));
        assertEquals(bulk("b"), call("GET", "k"));
        assertTtlAbout(100_000, "k");
        assertEquals(OK, call("PSETEX", "k", "40000", "c"));
        assertEquals(bulk("c"), call("GET", "k"));
        assertTtlAbout(40_000, "k");
        assertEquals(err("ERR invalid expire time in 'setex' command"), call("SETEX", "k", "0", "x"));
        assertEquals(err("ERR invalid expire time in 'setex' command"), call("SETEX", "k", "-1", "x"));
        assertEquals(err("ERR invalid expire time in 'psetex' command"), call("PSETEX", "k", "0", "x"));
        assertEquals(NOT_INT, call("SETEX", "k", "1.5", "x"));
        assertEquals(bulk("c"), call("GET", "k"));
        assertEquals(OK, call("SETEX", "l", "100", "s"), "SETEX replaces any type");
        assertEquals(err("ERR wrong number of arguments for 'setex' command"), call("SETEX", "k", "10"));
    }

    @Test
    @Covers({"getset", "getdel"})
    @DisplayName("GETSET answers the old value and drops the TTL; GETDEL answers the value and deletes the key")
    void getsetGetdel() throws Exception {
        assertEquals(NIL, call("GETSET", "k", "a"));
        assertEquals(bulk("a"), call("GET", "k"));
        assertEquals(OK, call("SET", "k", "b", "EX", "100"));
        assertEquals(bulk("b"), call("GETSET", "k", "c"));
        assertEquals(-1, pttl("k"));
        assertEquals(bulk("c"), call("GETDEL", "k"));
        assertEquals(NIL, call("GETDEL", "k"));
        assertEquals(integer(0), call("EXISTS", "k"));
        assertEquals(OK, call("strata-test.mkother", "l"));
        assertEquals(WRONGTYPE, call("GETSET", "l", "x"));
        assertEquals(WRONGTYPE, call("GETDEL", "l"));
        assertEquals(integer(1), call("EXISTS", "l"));
    }

    @Test
    @Covers({"getex"})
    @DisplayName("GETEX sets, keeps or PERSISTs the expiry, deletes on a past EXAT/PXAT, and checks options like Redis")
    void getex() throws Exception {
        assertEquals(NIL, call("GETEX", "missing"));
        assertEquals(NIL, call("GETEX", "missing", "EX", "0"), "a missing key answers nil before the time is checked");
        assertEquals(OK, call("SET", "k", "v"));
        assertEquals(bulk("v"), call("GETEX", "k"));
        assertEquals(-1, pttl("k"));
        assertEquals(bulk("v"), call("GETEX", "k", "EX", "100"));
        assertTtlAbout(100_000, "k");
        assertEquals(bulk("v"), call("GETEX", "k"), "no option leaves the TTL alone");
        assertTtlAbout(100_000, "k");
        assertEquals(bulk("v"), call("GETEX", "k", "PX", "50000"));
        assertTtlAbout(50_000, "k");
        assertEquals(bulk("v"), call("GETEX", "k", "EXAT", Long.toString(System.currentTimeMillis() / 1000 + 70)));
        assertTtlAbout(70_000, "k");
        assertEquals(bulk("v"), call("GETEX", "k", "PERSIST"));
        assertEquals(-1, pttl("k"));
        assertEquals(bulk("v"), call("GETEX", "k", "PXAT", "1"));
        assertEquals(integer(0), call("EXISTS", "k"), "a past PXAT deletes the key");
        assertEquals(OK, call("SET", "k", "v"));
        assertEquals(err("ERR invalid expire time in 'getex' command"), call("GETEX", "k", "EX", "0"));
        assertEquals(NOT_INT, call("GETEX", "k", "PX", "soon"));
        assertEquals(SYNTAX, call("GETEX", "k", "PERSIST", "EX", "10"));
        assertEquals(SYNTAX, call("GETEX", "k", "EX", "10", "PERSIST"));
        assertEquals(SYNTAX, call("GETEX", "k", "NX"));
        assertEquals(SYNTAX, call("GETEX", "k", "KEEPTTL"));
        assertEquals(SYNTAX, call("GETEX", "k", "GET"));
        assertEquals(OK, call("strata-test.mkother", "l"));
        assertEquals(WRONGTYPE, call("GETEX", "l", "PERSIST"));
    }

    @Test
    @Covers({"getex"})
    @DisplayName("GETEX PERSIST keeps a key alive past the expiry it had")
    void getexPersistKeepsKey() throws Exception {
        assertEquals(OK, call("SET", "k", "v", "PX", "150"));
        assertEquals(bulk("v"), call("GETEX", "k", "PERSIST"));
        Thread.sleep(300);
        assertEquals(bulk("v"), call("GET", "k"));
    }

    // ---- multi-key ----

    @Test
    @Covers({"mget", "mset"})
    @DisplayName("MSET sets every pair (last wins) and drops TTLs; MGET answers nil for missing and non-string keys")
    void msetMget() throws Exception {
        assertEquals(OK, call("SET", "a", "old", "EX", "100"));
        assertEquals(OK, call("MSET", "a", "1", "b", "2", "a", "3"));
        assertEquals(-1, pttl("a"));
        assertEquals(OK, call("strata-test.mkother", "l"));
        assertEquals("*4\r\n" + bulk("3") + bulk("2") + NIL + NIL, call("MGET", "a", "b", "missing", "l"));
        assertEquals(err("ERR wrong number of arguments for 'mset' command"), call("MSET", "a", "1", "b"));
        assertEquals(err("ERR wrong number of arguments for 'mset' command"), call("MSET", "a"));
        assertEquals(bulk("2"), call("GET", "b"));
    }

    @Test
    @Covers({"msetnx"})
    @DisplayName("MSETNX sets all keys or, when any exists, none of them")
    void msetnxAllOrNothing() throws Exception {
        assertEquals(integer(1), call("MSETNX", "a", "1", "b", "2"));
        assertEquals(integer(0), call("MSETNX", "c", "3", "b", "x", "d", "4"));
        assertEquals("*4\r\n" + bulk("1") + bulk("2") + NIL + NIL, call("MGET", "a", "b", "c", "d"));
        assertEquals(integer(1), call("MSETNX", "e", "1", "e", "2"), "a key repeated in one MSETNX: last wins");
        assertEquals(bulk("2"), call("GET", "e"));
        assertEquals(err("ERR wrong number of arguments for 'msetnx' command"), call("MSETNX", "a", "1", "b"));
        assertEquals(OK, call("strata-test.mkother", "l"));
        assertEquals(integer(0), call("MSETNX", "l", "1", "z", "2"));
        assertEquals(integer(0), call("EXISTS", "z"));
    }

    // ---- APPEND / STRLEN / ranges ----

    @Test
    @Covers({"append", "strlen"})
    @DisplayName("APPEND creates or extends a string, keeps its TTL and answers the new length; STRLEN answers it too")
    void appendStrlen() throws Exception {
        assertEquals(integer(0), call("STRLEN", "k"));
        assertEquals(integer(5), call("APPEND", "k", "hello"));
        assertEquals(OK, call("SET", "k", "hello", "EX", "100"));
        assertEquals(integer(11), call("APPEND", "k", " world"));
        assertEquals(bulk("hello world"), call("GET", "k"));
        assertTtlAbout(100_000, "k");
        assertEquals(integer(11), call("APPEND", "k", ""));
        assertEquals(integer(11), call("STRLEN", "k"));
        assertEquals(OK, call("SET", "n", "12"));
        assertEquals(integer(3), call("APPEND", "n", "3"));
        assertEquals(integer(124), call("INCRBY", "n", "1"));
        assertEquals(OK, call("strata-test.mkother", "l"));
        assertEquals(WRONGTYPE, call("APPEND", "l", "x"));
        assertEquals(WRONGTYPE, call("STRLEN", "l"));
    }

    @Test
    @Covers({"getrange", "substr"})
    @DisplayName("GETRANGE and SUBSTR take inclusive ranges with negative indexes counted from the end, clamped")
    void getrange() throws Exception {
        assertEquals(OK, call("SET", "k", "This is a string"));
        for (String cmd : new String[] {"GETRANGE", "SUBSTR"}) {
            assertEquals(bulk("This"), call(cmd, "k", "0", "3"));
            assertEquals(bulk("ing"), call(cmd, "k", "-3", "-1"));
            assertEquals(bulk("This is a string"), call(cmd, "k", "0", "-1"));
            assertEquals(bulk("string"), call(cmd, "k", "10", "100"));
            assertEquals(bulk("This is a string"), call(cmd, "k", "-100", "100"));
            assertEquals(bulk("T"), call(cmd, "k", "-100", "-100"), "both clamp to 0");
            assertEquals(EMPTY, call(cmd, "k", "-1", "-3"), "negative start after negative end");
            assertEquals(EMPTY, call(cmd, "k", "5", "2"));
            assertEquals(EMPTY, call(cmd, "k", "100", "200"));
            assertEquals(bulk("g"), call(cmd, "k", "-1", "9223372036854775807"));
            assertEquals(bulk("T"), call(cmd, "k", "-9223372036854775808", "0"));
            assertEquals(EMPTY, call(cmd, "missing", "0", "-1"));
            assertEquals(NOT_INT, call(cmd, "k", "a", "1"));
            assertEquals(NOT_INT, call(cmd, "missing", "0", "1.0"), "arguments are checked before the key");
        }
        assertEquals(OK, call("SET", "e", ""));
        assertEquals(EMPTY, call("GETRANGE", "e", "0", "-1"));
        assertEquals(OK, call("SET", "n", "12345"));
        assertEquals(bulk("234"), call("GETRANGE", "n", "1", "3"));
        assertEquals(OK, call("strata-test.mkother", "l"));
        assertEquals(WRONGTYPE, call("GETRANGE", "l", "0", "1"));
    }

    @Test
    @Covers({"setrange"})
    @DisplayName("SETRANGE overwrites at an offset, pads with zero bytes, keeps the TTL and refuses negative offsets")
    void setrange() throws Exception {
        assertEquals(OK, call("SET", "k", "Hello World", "EX", "100"));
        assertEquals(integer(11), call("SETRANGE", "k", "6", "Redis"));
        assertEquals(bulk("Hello Redis"), call("GET", "k"));
        assertTtlAbout(100_000, "k");
        assertEquals(integer(11), call("SETRANGE", "k", "0", "J"));
        assertEquals(bulk("Jello Redis"), call("GET", "k"));
        assertEquals(integer(8), call("SETRANGE", "p", "5", "abc"));
        assertEquals(bulk("\0\0\0\0\0abc"), call("GET", "p"));
        assertEquals(integer(10), call("SETRANGE", "p", "9", "z"));
        assertEquals(bulk("\0\0\0\0\0abc\0z"), call("GET", "p"));
        assertEquals(integer(0), call("SETRANGE", "none", "100", ""), "setting nothing on a missing key creates nothing");
        assertEquals(integer(0), call("EXISTS", "none"));
        assertEquals(integer(10), call("SETRANGE", "p", "1000", ""), "setting nothing answers the current length");
        assertEquals(err("ERR offset is out of range"), call("SETRANGE", "k", "-1", "x"));
        assertEquals(NOT_INT, call("SETRANGE", "k", "x", "x"));
        assertEquals(OK, call("strata-test.mkother", "l"));
        assertEquals(WRONGTYPE, call("SETRANGE", "l", "0", "x"));
        assertEquals(err("ERR offset is out of range"), call("SETRANGE", "l", "-1", "x"), "offset is checked before type");
    }

    @Test
    @Covers({"append", "setrange"})
    @DisplayName("APPEND and SETRANGE refuse to grow a string past proto-max-bulk-len")
    void protoMaxBulkLen() throws Exception {
        StrataServer small = startWithTestCommands("--proto-max-bulk-len", "1mb");
        try (RawClient s = new RawClient(small.port())) {
            String tooLong = err("ERR string exceeds maximum allowed size (proto-max-bulk-len)");
            assertEquals(tooLong, s.call("SETRANGE", "k", "1048576", "x"));
            assertEquals(integer(1048576), s.call("SETRANGE", "k", "1048575", "x"), "exactly the limit is fine");
            assertEquals(tooLong, s.call("APPEND", "k", "y"));
            assertEquals(integer(1048576), s.call("STRLEN", "k"));
            assertEquals(tooLong, s.call("SETRANGE", "k", "9223372036854775807", "x"));
            assertEquals(integer(1048576), s.call("SETRANGE", "k", "9223372036854775807", ""));
        } finally {
            stopServer(small);
        }
    }

    // ---- counters ----

    @Test
    @Covers({"incr", "decr", "incrby", "decrby"})
    @DisplayName("INCR/DECR/INCRBY/DECRBY count from 0, keep the TTL and answer the new value")
    void counters() throws Exception {
        assertEquals(integer(1), call("INCR", "n"));
        assertEquals(integer(0), call("DECR", "n"));
        assertEquals(integer(-1), call("DECR", "n"));
        assertEquals(integer(9), call("INCRBY", "n", "10"));
        assertEquals(integer(-91), call("DECRBY", "n", "100"));
        assertEquals(integer(-81), call("DECRBY", "n", "-10"));
        assertEquals(bulk("-81"), call("GET", "n"));
        assertEquals(integer(-5), call("DECRBY", "m", "5"));
        assertEquals(OK, call("SET", "t", "5", "EX", "100"));
        assertEquals(integer(6), call("INCR", "t"));
        assertTtlAbout(100_000, "t");
    }

    @Test
    @Covers({"incr", "decr", "incrby", "decrby"})
    @DisplayName("Counters refuse non-integer values and arguments, overflow, and the DECRBY of LLONG_MIN")
    void counterErrors() throws Exception {
        for (String bad : new String[] {"abc", " 1", "1 ", "1.5", "01", "+1", "-0", "", "99999999999999999999"}) {
            assertEquals(OK, call("SET", "s", bad));
            assertEquals(NOT_INT, call("INCR", "s"), "value '" + bad + "'");
            assertEquals(bulk(bad), call("GET", "s"));
        }
        assertEquals(NOT_INT, call("INCRBY", "n", "1.0"));
        assertEquals(NOT_INT, call("DECRBY", "n", "x"));
        assertEquals(NOT_INT, call("INCRBY", "n", "9223372036854775808"));
        assertEquals(integer(0), call("EXISTS", "n"));
        String overflow = err("ERR increment or decrement would overflow");
        assertEquals(OK, call("SET", "max", "9223372036854775807"));
        assertEquals(overflow, call("INCR", "max"));
        assertEquals(overflow, call("INCRBY", "max", "1"));
        assertEquals(integer(9223372036854775806L), call("DECR", "max"));
        assertEquals(OK, call("SET", "min", "-9223372036854775808"));
        assertEquals(overflow, call("DECR", "min"));
        assertEquals(overflow, call("DECRBY", "min", "1"));
        assertEquals(overflow, call("INCRBY", "min", "-1"));
        assertEquals(integer(9223372036854775807L), call("INCRBY", "zero", "9223372036854775807"));
        assertEquals(integer(-1), call("INCRBY", "min", "9223372036854775807"));
        assertEquals(err("ERR decrement would overflow"), call("DECRBY", "zero", "-9223372036854775808"));
        assertEquals(integer(-9223372036854775808L), call("INCRBY", "m2", "-9223372036854775808"));
        assertEquals(OK, call("strata-test.mkother", "l"));
        assertEquals(WRONGTYPE, call("INCR", "l"));
        assertEquals(WRONGTYPE, call("DECRBY", "l", "1"));
        assertEquals(NOT_INT, call("INCRBY", "l", "x"), "the argument is checked before the key");
    }

    @Test
    @Covers({"incrbyfloat"})
    @DisplayName("INCRBYFLOAT adds in long double and prints like Redis: 10.5+0.1=10.6, 5.0e3=5000, 0.1+0.2=0.3")
    void incrbyfloat() throws Exception {
        assertEquals(bulk("10.5"), call("INCRBYFLOAT", "f", "10.5"));
        assertEquals(bulk("10.6"), call("INCRBYFLOAT", "f", "0.1"));
        assertEquals(bulk("5000"), call("INCRBYFLOAT", "g", "5.0e3"));
        assertEquals(bulk("5200"), call("INCRBYFLOAT", "g", "2.0e2"));
        assertEquals(bulk("0.1"), call("INCRBYFLOAT", "h", "0.1"));
        assertEquals(bulk("0.3"), call("INCRBYFLOAT", "h", "0.2"));
        assertEquals(bulk("0"), call("INCRBYFLOAT", "h", "-0.3"));
        assertEquals(bulk("3"), call("INCRBYFLOAT", "i", "3"));
        assertEquals(bulk("-1.5"), call("INCRBYFLOAT", "i", "-4.5"));
        assertEquals(bulk("0.5"), call("INCRBYFLOAT", "y", ".5"));
        assertEquals(bulk("0"), call("INCRBYFLOAT", "z", "-0.0000000000000000001"), "-0.00… prints as 0");
        assertEquals(bulk("179769313486231569995921046774104434048386446944329178485314420765176628523124396354701"
                + "868608387085564428793419425520689308708363451136055357897278026477617073498977686288394835618163294"
                + "045594434929537447290627480669417384648879122776218333598953852832103282504751611691208117720159985"
                + "926376802466863339536384"),
            call("INCRBYFLOAT", "big", "1.7976931348623157e308"), "long double keeps digits a double would not");
        assertEquals(OK, call("SET", "s", "1e"));
        assertEquals(NOT_FLOAT, call("INCRBYFLOAT", "s", "1"), "a stored value that is not a float");
        assertEquals(OK, call("SET", "t", "1.5", "PX", "100000"));
        assertEquals(bulk("2"), call("INCRBYFLOAT", "t", "0.5"));
        assertTtlAbout(100_000, "t");
    }

    @Test
    @Covers({"incrbyfloat"})
    @DisplayName("INCRBYFLOAT refuses non-floats, spaces, NaN and results that are infinite")
    void incrbyfloatErrors() throws Exception {
        for (String bad : new String[] {"abc", " 1", "1 ", "", "nan", "1e", "0x", "1e5000", "1e-5000", "1\u00002"}) {
            assertEquals(NOT_FLOAT, call("INCRBYFLOAT", "f", bad), "increment '" + bad + "'");
        }
        assertEquals(integer(0), call("EXISTS", "f"));
        String nanInf = err("ERR increment would produce NaN or Infinity");
        assertEquals(nanInf, call("INCRBYFLOAT", "f", "inf"));
        assertEquals(nanInf, call("INCRBYFLOAT", "f", "-Infinity"));
        assertEquals(OK, call("SET", "m", "1e4932"));
        assertEquals(nanInf, call("INCRBYFLOAT", "m", "1e4932"), "overflow of the long double range");
        assertEquals(OK, call("SET", "w", "1.5 "));
        assertEquals(NOT_FLOAT, call("INCRBYFLOAT", "w", "1"));
        assertEquals(OK, call("strata-test.mkother", "l"));
        assertEquals(WRONGTYPE, call("INCRBYFLOAT", "l", "1"));
        assertEquals(WRONGTYPE, call("INCRBYFLOAT", "l", "x"), "the type is checked before the increment");
    }

    // ---- LCS ----

    @Test
    @Covers({"lcs"})
    @DisplayName("LCS answers the common subsequence, its LEN, or IDX ranges with MINMATCHLEN and WITHMATCHLEN")
    void lcs() throws Exception {
        assertEquals(OK, call("MSET", "key1", "ohmytext", "key2", "mynewtext"));
        assertEquals(bulk("mytext"), call("LCS", "key1", "key2"));
        assertEquals(integer(6), call("LCS", "key1", "key2", "LEN"));
        assertEquals("*4\r\n" + bulk("matches") + "*2\r\n"
                + "*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n"
                + "*2\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n"
                + bulk("len") + ":6\r\n",
            call("LCS", "key1", "key2", "IDX"));
        assertEquals("*4\r\n" + bulk("matches") + "*1\r\n"
                + "*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n"
                + bulk("len") + ":6\r\n",
            call("LCS", "key1", "key2", "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN"));
        assertEquals(EMPTY, call("LCS", "key1", "missing"));
        assertEquals(integer(0), call("LCS", "missing", "missing2", "LEN"));
        assertEquals("*4\r\n" + bulk("matches") + "*0\r\n" + bulk("len") + ":0\r\n", call("LCS", "a", "b", "IDX"));
        assertEquals(err("ERR If you want both the length and indexes, please just use IDX."),
            call("LCS", "key1", "key2", "IDX", "LEN"));
        assertEquals(SYNTAX, call("LCS", "key1", "key2", "MINMATCHLEN"));
        assertEquals(SYNTAX, call("LCS", "key1", "key2", "BOGUS"));
        assertEquals(NOT_INT, call("LCS", "key1", "key2", "MINMATCHLEN", "x"));
        assertEquals(OK, call("strata-test.mkother", "l"));
        assertEquals(err("ERR The specified keys must contain string values"), call("LCS", "key1", "l", "BOGUS"));
    }

    @Test
    @Covers({"lcs"})
    @DisplayName("LCS IDX answers a map in RESP3")
    void lcsResp3() throws Exception {
        assertEquals(OK, call("MSET", "key1", "ohmytext", "key2", "mynewtext"));
        c.call("HELLO", "3");
        assertEquals("%2\r\n" + bulk("matches") + "*1\r\n"
                + "*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n"
                + bulk("len") + ":6\r\n",
            call("LCS", "key1", "key2", "IDX", "MINMATCHLEN", "3"));
    }

    // ---- keyspace notifications ----

    @Test
    @Covers({"set", "setnx", "setex", "psetex", "getset", "getdel", "getex", "mset", "msetnx", "append", "setrange",
        "incr", "decrby", "incrbyfloat"})
    @DisplayName("String writes publish the keyspace events Redis 7.0 publishes, in the same order, and refusals none")
    void keyspaceEvents() throws Exception {
        StrataServer notifying = startWithTestCommands("--notify-keyspace-events", "E$g");
        try (RawClient sub = new RawClient(notifying.port()); RawClient w = new RawClient(notifying.port())) {
            sub.call("PSUBSCRIBE", "__keyevent@0__:*");
            String[][] script = {
                {"SET", "k", "v"}, {"SET", "k", "v", "EX", "100"}, {"SETNX", "k", "v"}, {"INCR", "n"},
                {"INCRBYFLOAT", "n", "1.5"}, {"APPEND", "k", "x"}, {"SETRANGE", "k", "0", "y"}, {"SETRANGE", "k", "0", ""},
                {"GETEX", "k", "PERSIST"}, {"GETEX", "k", "EX", "100"}, {"GETEX", "k", "PXAT", "1"},
                {"MSET", "a", "1", "b", "2"}, {"GETDEL", "a"}, {"GETSET", "b", "3"}, {"DECRBY", "n", "2"},
                {"SETEX", "s", "10", "v"}, {"PSETEX", "s", "10000", "v"}, {"MSETNX", "c", "1", "d", "2"},
                {"SET", "k2", "v", "KEEPTTL", "GET"},
            };
            for (String[] cmd : script) {
                w.call(cmd);
            }
            String[] expected = {"set", "set", "expire", "incrby", "incrbyfloat", "append", "setrange", "persist",
                "expire", "del", "set", "set", "del", "set", "set", "expire", "set", "expire", "set", "set", "set"};
            for (String event : expected) {
                String msg = sub.readReply();
                assertTrue(msg.contains("__keyevent@0__:" + event + "\r\n"), "expected '" + event + "' in " + msg);
            }
            w.call("SET", "last", "marker");
            assertTrue(sub.readReply().contains("__keyevent@0__:set\r\n$4\r\nlast\r\n"), "no extra event before the marker");
        } finally {
            stopServer(notifying);
        }
    }

    // ---- the table ----

    @Test
    @Covers({"get", "set", "setnx", "setex", "psetex", "getset", "getdel", "getex", "mget", "mset", "msetnx",
        "append", "strlen", "getrange", "setrange", "substr", "incr", "decr", "incrby", "decrby", "incrbyfloat", "lcs"})
    @DisplayName("Arity, flags and key positions of every string command are those of Redis 7.0's COMMAND INFO")
    void commandTable() {
        Object[][] expected = {
            {"get", 2, EnumSet.of(READONLY, FAST), 1, 1, 1},
            {"set", -3, EnumSet.of(WRITE, DENYOOM), 1, 1, 1},
            {"setnx", 3, EnumSet.of(WRITE, DENYOOM, FAST), 1, 1, 1},
            {"setex", 4, EnumSet.of(WRITE, DENYOOM), 1, 1, 1},
            {"psetex", 4, EnumSet.of(WRITE, DENYOOM), 1, 1, 1},
            {"getset", 3, EnumSet.of(WRITE, DENYOOM, FAST), 1, 1, 1},
            {"getdel", 2, EnumSet.of(WRITE, FAST), 1, 1, 1},
            {"getex", -2, EnumSet.of(WRITE, FAST), 1, 1, 1},
            {"mget", -2, EnumSet.of(READONLY, FAST), 1, -1, 1},
            {"mset", -3, EnumSet.of(WRITE, DENYOOM), 1, -1, 2},
            {"msetnx", -3, EnumSet.of(WRITE, DENYOOM), 1, -1, 2},
            {"append", 3, EnumSet.of(WRITE, DENYOOM, FAST), 1, 1, 1},
            {"strlen", 2, EnumSet.of(READONLY, FAST), 1, 1, 1},
            {"getrange", 4, EnumSet.of(READONLY), 1, 1, 1},
            {"setrange", 4, EnumSet.of(WRITE, DENYOOM), 1, 1, 1},
            {"substr", 4, EnumSet.of(READONLY), 1, 1, 1},
            {"incr", 2, EnumSet.of(WRITE, DENYOOM, FAST), 1, 1, 1},
            {"decr", 2, EnumSet.of(WRITE, DENYOOM, FAST), 1, 1, 1},
            {"incrby", 3, EnumSet.of(WRITE, DENYOOM, FAST), 1, 1, 1},
            {"decrby", 3, EnumSet.of(WRITE, DENYOOM, FAST), 1, 1, 1},
            {"incrbyfloat", 3, EnumSet.of(WRITE, DENYOOM, FAST), 1, 1, 1},
            {"lcs", -3, EnumSet.of(READONLY), 1, 2, 1},
        };
        for (Object[] row : expected) {
            String name = (String) row[0];
            CommandSpec spec = server.engine().commands.get(name);
            assertNotNull(spec, name);
            assertEquals(row[1], spec.arity, name + " arity");
            assertEquals(row[2], spec.flags, name + " flags");
            assertEquals(row[3], spec.firstKey, name + " first key");
            assertEquals(row[4], spec.lastKey, name + " last key");
            assertEquals(row[5], spec.keyStep, name + " key step");
            assertEquals("string", spec.group, name + " group");
            assertTrue(spec.aclCategories().contains("@string"), name + " acl");
        }
    }

    // ---- against the reference ----

    @Test
    @Covers({"get", "set", "setnx", "getset", "getdel", "getex", "mget", "mset", "msetnx", "append", "strlen",
        "getrange", "setrange", "substr", "incr", "decr", "incrby", "decrby", "incrbyfloat", "lcs"})
    @DisplayName("A fixed script of string edge cases gets byte-identical replies from Strata and redis-server 7.0")
    void sameRepliesAsRedis() throws Exception {
        Assumptions.assumeTrue(RedisServerProcess.available(), "redis-server is not installed");
        String[][] script = {
            {"SET", "s", "hello"}, {"SET", "s", "x", "NX", "GET"}, {"SET", "s", "y", "XX", "GET", "KEEPTTL"},
            {"SET", "s", "v", "nx", "xx"}, {"SET", "s", "v", "ex", "1", "px", "1"}, {"SET", "s", "v", "EX", "-1"},
            {"SET", "s", "v", "EXAT", "abc"}, {"SET", "s", "v", "KEEPTTL", "KEEPTTL"}, {"SET", "s", "v", "GET", "EX", "0"},
            {"SETNX", "s", "z"}, {"SETNX", "t", "z"}, {"GETSET", "t", "w"}, {"GETSET", "nope", "w"},
            {"GETDEL", "t"}, {"GETDEL", "t"}, {"GETEX", "s", "PERSIST"}, {"GETEX", "s", "persist", "persist"},
            {"GETEX", "s", "EX"}, {"GETEX", "s", "EX", "1", "PX", "1"}, {"GETEX", "s", "PX", "0"},
            {"MSET", "a", "1", "b", "2"}, {"MSET", "a"}, {"MGET", "a", "b", "c"}, {"MSETNX", "a", "1", "q", "2"},
            {"MSETNX", "q", "1", "r", "2"}, {"MGET", "q", "r"},
            {"APPEND", "a", "23"}, {"APPEND", "new", ""}, {"STRLEN", "new"}, {"EXISTS", "new"},
            {"GETRANGE", "s", "1", "-2"}, {"GETRANGE", "s", "-2", "-5"}, {"SUBSTR", "s", "0", "0"},
            {"GETRANGE", "nokey", "0", "-1"}, {"GETRANGE", "s", "0", "x"},
            {"SETRANGE", "s", "10", "!"}, {"GET", "s"}, {"SETRANGE", "u", "0", ""}, {"SETRANGE", "u", "-1", "a"},
            {"INCR", "a"}, {"INCRBY", "a", "-200"}, {"DECRBY", "a", "-9223372036854775808"},
            {"INCRBY", "a", "9223372036854775807"}, {"DECR", "s"}, {"SET", "i", "9223372036854775807"},
            {"INCR", "i"}, {"INCRBY", "i", "-9223372036854775808"}, {"SET", "i", "007"}, {"INCR", "i"},
            {"INCRBYFLOAT", "fl", "10.5"}, {"INCRBYFLOAT", "fl", "0.1"}, {"INCRBYFLOAT", "fl", "-10.6"},
            {"INCRBYFLOAT", "fl", "1.1e-3"}, {"INCRBYFLOAT", "fl", "3.0e2"}, {"INCRBYFLOAT", "fl", "1e20"},
            {"INCRBYFLOAT", "fl", "-1e20"}, {"INCRBYFLOAT", "fl", "0.000000000000000001"},
            {"INCRBYFLOAT", "fl", "123456789.987654321"}, {"INCRBYFLOAT", "fl", "-inf"},
            {"INCRBYFLOAT", "fl", "1E+2"}, {"INCRBYFLOAT", "fl", "-.25"},
            {"INCRBYFLOAT", "fl", "5."}, {"INCRBYFLOAT", "fl", "+3"}, {"INCRBYFLOAT", "s", "1"},
            {"SET", "l1", "GTCGTTCGGAATGCCGTTGCTCTGTAAA"}, {"SET", "l2", "ACCGGTCGAGTGCGCGGAAGCCGGCCGAA"},
            {"LCS", "l1", "l2"}, {"LCS", "l1", "l2", "LEN"}, {"LCS", "l1", "l2", "IDX"},
            {"LCS", "l1", "l2", "IDX", "WITHMATCHLEN"}, {"LCS", "l1", "l2", "IDX", "MINMATCHLEN", "3", "WITHMATCHLEN"},
            {"LCS", "l1", "l2", "IDX", "MINMATCHLEN", "-3"}, {"LCS", "l2", "l1", "IDX", "WITHMATCHLEN"},
            {"LCS", "l1", "l1", "IDX"}, {"LCS", "l1", "nokey", "IDX"}, {"LCS", "l1", "l2", "len", "len"},
            {"SET", "e1", "abc"}, {"APPEND", "e1", "d"}, {"OBJECT", "ENCODING", "e1"}, {"APPEND", "e4", "12"},
            {"OBJECT", "ENCODING", "e4"}, {"SETRANGE", "e2", "0", "12"}, {"OBJECT", "ENCODING", "e2"},
            {"INCR", "e2"}, {"OBJECT", "ENCODING", "e2"}, {"SETRANGE", "e1", "0", "x"}, {"OBJECT", "ENCODING", "e1"},
            {"SET", "e1", "abc"}, {"OBJECT", "ENCODING", "e1"}, {"MSET", "e5", "123", "e6", "x"},
            {"OBJECT", "ENCODING", "e5"}, {"OBJECT", "ENCODING", "e6"},
        };
        try (RedisServerProcess redis = RedisServerProcess.start(); RawClient r = new RawClient(redis.port())) {
            for (String[] cmd : script) {
                String expected = r.call(cmd);
                String actual = c.call(cmd);
                if (!expected.equals(actual)) {
                    fail(String.join(" ", cmd) + "\nredis-server: " + expected.replace("\r\n", "\\r\\n")
                        + "\nstrata:       " + actual.replace("\r\n", "\\r\\n"));
                }
            }
        }
    }
}
