package io.strata.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * EVAL scripts on the embedded Lua 5.1: conversions both ways, redis.* API, errors word for word,
 * the sandbox, shebang flags, the script cache. The raw RESP of every reply is compared with a real
 * redis-server 7.0 where one is installed; the replies that matter most are also pinned here.
 */
class ScriptingTest {
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** Scripts whose replies must match redis-server's byte for byte (each: args after EVAL). */
    static final String[][] CASES = {
        {"return 1", "0"},
        {"return 3.99", "0"},
        {"return -2.5", "0"},
        {"return 'hello'", "0"},
        {"return true", "0"},
        {"return false", "0"},
        {"return nil", "0"},
        {"return {1, 2, 3.7, 'x', nil, 5}", "0"},
        {"return {1, {2, {3, 'deep'}}, {}}", "0"},
        {"return {ok='fine'}", "0"},
        {"return {err='bad thing'}", "0"},
        {"return redis.error_reply('My Error')", "0"},
        {"return redis.error_reply('bad')", "0"},
        {"return redis.status_reply('FINE')", "0"},
        {"return {KEYS[1], KEYS[2], ARGV[1], ARGV[2], #KEYS, #ARGV}", "2", "k1", "k2", "a1", "a2"},
        {"return redis.call('set', KEYS[1], ARGV[1])", "1", "sk", "v\u00e9\u0000x"},
        {"return redis.call('get', KEYS[1])", "1", "sk"},
        {"return #redis.call('get', KEYS[1])", "1", "sk"},
        {"return redis.call('get', 'missing')", "0"},
        {"return type(redis.call('get', 'missing'))", "0"},
        {"redis.call('del', 'l') redis.call('rpush', 'l', 'a', 'b', 'c') return redis.call('lrange', 'l', 0, -1)", "0"},
        {"return redis.call('incrby', 'n', 5) + 1", "0"},
        {"return redis.call('ping')", "0"},
        {"return redis.call('ping')['ok']", "0"},
        {"local t = redis.pcall('nosuch') return t.err", "0"},
        {"return redis.pcall('nosuch')", "0"},
        {"return redis.call('nosuch')", "0"},
        {"return redis.call('get')", "0"},
        {"return redis.call()", "0"},
        {"return redis.call('set', {})", "0"},
        {"return redis.call('eval', 'return 1', 0)", "0"},
        {"redis.call('set', 'str', '1') return redis.call('lpush', 'str', 'b')", "0"},
        {"redis.call('set', 'str', '1') return redis.pcall('lpush', 'str', 'b')", "0"},
        {"return x", "0"},
        {"x = 1", "0"},
        {"string.x = 1", "0"},
        {"return os", "0"},
        {"return loadfile", "0"},
        {"return dofile", "0"},
        {"error('boom')", "0"},
        {"local a = nil\nreturn a.b", "0"},
        {"return foo(", "0"},
        {"return redis.sha1hex('')", "0"},
        {"return redis.sha1hex('abc')", "0"},
        {"return {type(cjson), type(bit), redis.REDIS_VERSION, redis.LOG_WARNING}", "0"},
        {"return tostring(3)", "0"},
        {"return tostring(1e15)", "0"},
        {"return tostring(10/3)", "0"},
        {"return table.getn({1, 2, 3})", "0"},
        {"return {unpack({1, 2, 3})}", "0"},
        {"return string.format('%d %5.2f %s', 3, 1.5, 'x')", "0"},
        {"return cjson.encode({1, 2, 'three', {a = 1}})", "0"},
        {"return cjson.encode({})", "0"},
        {"return cjson.encode('a/b\"c')", "0"},
        {"local t = cjson.decode('{\"a\":[1,2,{\"b\":true}],\"c\":\"d\"}') return {t.a[1], t.a[2], t.a[3].b, t.c}", "0"},
        {"return {bit.band(0xff, 0x0f), bit.bor(1, 2, 4), bit.bxor(5, 3), bit.lshift(1, 31), bit.rshift(-1, 28), bit.tohex(255), bit.tobit(2^32 + 5), bit.bnot(0)}", "0"},
        {"redis.log(redis.LOG_DEBUG, 'quiet') return 1", "0"},
        {"return {struct.pack('>I2', 258), struct.pack('<i4', -2), struct.pack('BhHlLs', 255, -3, 65535, -5, 7, 'str')}", "0"},
        {"return {struct.unpack('>I2', struct.pack('>I2', 258))}", "0"},
        {"return {struct.unpack('bhHlLsc3', struct.pack('bhHlLsc3', -1, -300, 65000, -9, 12, 'zs', 'abc'))}", "0"},
        {"return {struct.size('>iIhd'), struct.unpack('>d', struct.pack('>d', 2.5)) * 2}", "0"},
        {"return struct.pack('i')", "0"},
        {"return cmsgpack.pack({1, -1, 200, -200, 70000, -70000, 2^40, 1.5, 0.1, 'short', string.rep('x', 40), true, false, {}, {a = 1}})", "0"},
        {"return {cmsgpack.unpack(cmsgpack.pack({1, 'two', {3, {4}}, -5, 2^33, 0.25, true}, 'second'))}", "0"},
        {"local t = cmsgpack.unpack(cmsgpack.pack({k = 'v'})) return t.k", "0"},
        {"#!lua flags=no-writes\nreturn redis.call('set', 'a', 'b')", "0"},
        {"#!lua flags=no-writes\nreturn redis.call('get', 'sk')", "0"},
        {"#!lua flags=bogus\nreturn 1", "0"},
        {"#!lua foo=bar\nreturn 1", "0"},
        {"#!py\nreturn 1", "0"},
        {"#!lua\nreturn 2", "0"},
        {"return 1", "-1"},
        {"return 1", "2", "a"},
        {"return 1", "x"},
        {"redis.setresp(3) return redis.call('hgetall', 'nohash')", "0"},
        {"redis.call('hset', 'h', 'f', 'v') redis.setresp(3) local t = redis.call('hgetall', 'h') return t.map.f", "0"},
        {"redis.setresp(3) return {double = 3.5}", "0"},
        {"redis.setresp(4)", "0"},
        {"return redis.call('select', 1)", "0"},
        {"redis.call('select', 1) return redis.call('set', 'indb1', 'x')", "0"},
        {"return redis.call('exists', 'indb1')", "0"},
        {"return redis.call('blpop', 'nolist', 0)", "0"},
    };

    /** The raw reply without its final CRLF. */
    static String call(RawClient c, String... args) throws java.io.IOException {
        String r = c.call(args);
        return r.endsWith("\r\n") ? r.substring(0, r.length() - 2) : r;
    }

    private static String[] evalArgs(String[] c) {
        List<String> a = new ArrayList<>();
        a.add("EVAL");
        a.add(c[0]);
        for (int i = 1; i < c.length; i++) {
            a.add(c[i]);
        }
        return a.toArray(new String[0]);
    }

    @Test
    @Covers({"eval"})
    @DisplayName("Every scripted case answers byte for byte as redis-server 7.0 (conversions, redis.*, errors, sandbox, flags, libraries)")
    void repliesMatchRedis() throws Exception {
        assumeTrue(RedisServerProcess.available(), "redis-server not installed");
        try (RedisServerProcess redis = RedisServerProcess.start();
             RawClient ours = new RawClient(server.port()); RawClient theirs = new RawClient(redis.port())) {
            ours.call("FLUSHALL");
            ours.call("SELECT", "0");
            for (String[] c : CASES) {
                String[] args = evalArgs(c);
                assertEquals(theirs.callBinary(args), ours.callBinary(args), "EVAL " + String.join(" ", c));
            }
        }
    }

    @Test
    @Covers({"eval"})
    @DisplayName("Error replies carry Redis 7's texts: nonexistent global, readonly table, unknown command, compile error, NOSCRIPT")
    void errorTexts() throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            assertEquals("-ERR user_script:1: Script attempted to access nonexistent global variable 'x' script: "
                + "03c387736bb5cc009ff35151572cee04677aa374, on @user_script:1.", call(c, "EVAL", "return x", "0"));
            assertEquals("-ERR user_script:1: Attempt to modify a readonly table script: "
                + "7caf6056913504f0508c65faf2dc3f94ff65bcfd, on @user_script:1.", call(c, "EVAL", "x=1", "0"));
            assertEquals("-ERR Unknown Redis command called from script script: "
                + "2218effcac8108416909801acfb39c080a85adfa, on @user_script:1.", call(c, "EVAL", "return redis.call(\"nosuch\")", "0"));
            assertEquals("-ERR Error compiling script (new function): user_script:1: unexpected symbol near '<eof>'",
                call(c, "EVAL", "return foo(", "0"));
            assertEquals("-NOSCRIPT No matching script. Please use EVAL.",
                call(c, "EVALSHA", "ffffffffffffffffffffffffffffffffffffffff", "0"));
            assertEquals(":3", call(c, "EVAL", "return table.getn({1,2,3})", "0"));
            assertEquals("$1\r\n3", call(c, "EVAL", "return tostring(3)", "0"));
        }
    }

    @Test
    @Covers({"evalsha", "script|load", "script|exists", "script|flush"})
    @DisplayName("SCRIPT LOAD caches by SHA1; EVALSHA runs it in either case; SCRIPT EXISTS and FLUSH [ASYNC|SYNC] as in Redis")
    void scriptCache() throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            String sha = "573cd020e2fc941d149285df8b681959190edd09";
            assertEquals("$40\r\n" + sha, call(c, "SCRIPT", "LOAD", "return 'x'"));
            assertEquals("$1\r\nx", call(c, "EVALSHA", sha, "0"));
            assertEquals("$1\r\nx", call(c, "EVALSHA", sha.toUpperCase(), "0"));
            assertEquals("*2\r\n:1\r\n:0", call(c, "SCRIPT", "EXISTS", sha, "ffff"));
            assertEquals("-ERR SCRIPT FLUSH only support SYNC|ASYNC option", call(c, "SCRIPT", "FLUSH", "foo"));
            assertEquals("+OK", call(c, "SCRIPT", "FLUSH", "ASYNC"));
            assertEquals("*1\r\n:0", call(c, "SCRIPT", "EXISTS", sha));
            assertEquals("-NOSCRIPT No matching script. Please use EVAL.", call(c, "EVALSHA", sha, "0"));
            assertEquals("$1\r\nx", call(c, "EVAL", "return 'x'", "0"));
            assertEquals("$1\r\nx", call(c, "EVALSHA", sha, "0"), "EVAL caches the script too");
            assertEquals("-ERR Error compiling script (new function): user_script:1: '=' expected near '<eof>'",
                call(c, "SCRIPT", "LOAD", "x"));
        }
    }

    @Test
    @Covers({"eval_ro", "evalsha_ro"})
    @DisplayName("EVAL_RO and EVALSHA_RO run reads and refuse writes with Redis' errors")
    void readOnlyVariants() throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            call(c, "SET", "ro", "v");
            assertEquals("$1\r\nv", call(c, "EVAL_RO", "return redis.call('get', KEYS[1])", "1", "ro"));
            assertEquals("-ERR Write commands are not allowed from read-only scripts. script: "
                + "554a95710d45ea243cdf37846a5028cfac292109, on @user_script:1.",
                call(c, "EVAL_RO", "return redis.call(\"set\",\"a\",\"b\")", "0"));
            assertEquals("-ERR Can not execute a script with write flag using *_ro command.",
                call(c, "EVAL_RO", "#!lua\nreturn 1", "0"));
            String sha = call(c, "SCRIPT", "LOAD", "return redis.call('get', KEYS[1])").substring(5);
            assertEquals("$1\r\nv", call(c, "EVALSHA_RO", sha, "1", "ro"));
            assertEquals("-NOSCRIPT No matching script. Please use EVAL.",
                call(c, "EVALSHA_RO", "ffffffffffffffffffffffffffffffffffffffff", "0"));
        }
    }

    @Test
    @Covers({"script|help", "script|kill"})
    @DisplayName("SCRIPT HELP lists the subcommands; SCRIPT KILL with nothing running answers NOTBUSY")
    void helpAndKill() throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            String help = call(c, "SCRIPT", "HELP");
            assertTrue(help.contains("Load a script into the scripts cache without executing it."), help);
            assertEquals("-NOTBUSY No scripts in execution right now.", call(c, "SCRIPT", "KILL"));
        }
    }

    @Test
    @Covers({"eval"})
    @DisplayName("COMMAND GETKEYS finds EVAL's keys from numkeys")
    void getKeys() throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            assertEquals("*2\r\n$1\r\na\r\n$1\r\nb", call(c, "COMMAND", "GETKEYS", "EVAL", "return 1", "2", "a", "b", "c"));
        }
    }
}
