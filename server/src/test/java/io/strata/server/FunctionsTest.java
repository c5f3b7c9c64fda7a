package io.strata.server;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * FUNCTION and FCALL as Redis 7.0: libraries, registration forms and flags, errors word for word
 * (compared with a real redis-server where installed), DUMP/RESTORE payloads both ways, libraries in
 * RDB files both ways and in the AOF, script effects in the AOF as MULTI/EXEC.
 */
class FunctionsTest {
    private static final String LIB1 = "#!lua name=lib1\n"
        + "redis.register_function('f1', function(keys, args) return {keys[1], args[1]} end)\n"
        + "redis.register_function{function_name='f2', callback=function(keys) return redis.call('set', keys[1], 'x') end, "
        + "flags={'no-writes'}, description='d'}\n"
        + "redis.register_function{function_name='f3', callback=function(keys, args) return redis.call('set', keys[1], args[1]) end}";

    /** Command sequences whose replies must match redis-server byte for byte. */
    static final String[][] CASES = {
        {"FUNCTION", "FLUSH"},
        {"FUNCTION", "LOAD", "return 1"},
        {"FUNCTION", "LOAD", "#!lua\nreturn 1"},
        {"FUNCTION", "LOAD", "#!lua name=lib1\nreturn 1"},
        {"FUNCTION", "LOAD", "#!lua name=lib1 foo=bar\nreturn 1"},
        {"FUNCTION", "LOAD", "#!py name=lib1\nreturn 1"},
        {"FUNCTION", "LOAD", "#!lua name=l-1\nredis.register_function('f', function() return 1 end)"},
        {"FUNCTION", "LOAD", "#!lua name=lib9\nreturn foo("},
        {"FUNCTION", "LOAD", "#!lua name=lib3\nreturn redis.call('ping')"},
        {"FUNCTION", "LOAD", "#!lua name=lib3\nredis.register_function('f9', function() return 1 end, 'x')"},
        {"FUNCTION", "LOAD", "#!lua name=lib3\nredis.register_function{function_name='f9', callback=function() return 1 end, flags={'bogus'}}"},
        {"FUNCTION", "LOAD", "#!lua name=lib3\nx = 1"},
        {"FUNCTION", "LOAD", "#!lua name=lib3\nlocal a = b"},
        {"FUNCTION", "LOAD", "#!lua name=lib8\nredis.register_function{function_name='g', callback=1}"},
        {"FUNCTION", "LOAD", "#!lua name=lib8\nredis.register_function{function_name='g', callback=function() end, foo=1}"},
        {"FUNCTION", "LOAD", "#!lua name=lib8\nredis.register_function('g', 5)"},
        {"FUNCTION", "LOAD", LIB1},
        {"FUNCTION", "LOAD", LIB1},
        {"FUNCTION", "LOAD", "REPLACE", LIB1},
        {"FUNCTION", "LOAD", "#!lua name=lib2\nredis.register_function('f1', function() return 1 end)"},
        {"FCALL", "f1", "1", "kk", "aa"},
        {"FCALL", "f2", "1", "k"},
        {"FCALL", "f3", "1", "k", "v"},
        {"GET", "k"},
        {"FCALL", "nope", "0"},
        {"FCALL_RO", "f1", "0"},
        {"FCALL_RO", "f2", "1", "k"},
        {"FCALL", "f1", "-1"},
        {"FCALL", "f1", "5"},
        // one function per listed library: Redis lists a library's functions in its dict's order
        {"FUNCTION", "LOAD", "#!lua name=one\nredis.register_function{function_name='o1', callback=function() return 1 end, flags={'no-writes', 'allow-oom'}, description='one'}"},
        {"FUNCTION", "LIST", "LIBRARYNAME", "on*"},
        {"FUNCTION", "LIST", "WITHCODE", "LIBRARYNAME", "one"},
        {"FUNCTION", "LIST", "LIBRARYNAME", "nomatch*"},
        {"FUNCTION", "LIST", "bad"},
        {"FUNCTION", "LIST", "LIBRARYNAME"},
        {"FUNCTION", "STATS"},
        {"FUNCTION", "DELETE", "nope"},
        {"FUNCTION", "FLUSH", "bad"},
        {"FUNCTION", "RESTORE", "garbage"},
        {"FUNCTION", "RESTORE", "garbage", "bogus"},
        {"FUNCTION", "KILL"},
        {"FUNCTION", "HELP"},
        {"FUNCTION", "DELETE", "lib1"},
        {"FCALL", "f1", "0"},
        {"FUNCTION", "FLUSH", "SYNC"},
    };

    @Test
    @Covers({"function|load", "function|delete", "function|flush", "function|list", "function|stats", "function|kill",
        "function|help", "fcall", "fcall_ro"})
    @DisplayName("FUNCTION and FCALL answer byte for byte as redis-server 7.0 (loading, registration errors, flags, LIST, STATS)")
    void repliesMatchRedis() throws Exception {
        assumeTrue(RedisServerProcess.available(), "redis-server not installed");
        try (TestServer s = TestServer.start(); RedisServerProcess redis = RedisServerProcess.start();
             RawClient ours = new RawClient(s.port()); RawClient theirs = new RawClient(redis.port())) {
            for (String[] c : CASES) {
                assertEquals(theirs.callBinary(c), ours.callBinary(c), String.join(" ", c));
            }
        }
    }

    @Test
    @Covers({"fcall", "fcall_ro", "function|load", "function|delete", "function|list"})
    @DisplayName("A library's functions get keys and args; FCALL_RO runs no-writes functions and refuses the others")
    void callsFunctions() throws Exception {
        try (TestServer s = TestServer.start(); RawClient c = new RawClient(s.port())) {
            assertEquals("$4\r\nlib1", ScriptingTest.call(c, "FUNCTION", "LOAD", LIB1));
            assertEquals("*2\r\n$2\r\nkk\r\n$2\r\naa", ScriptingTest.call(c, "FCALL", "f1", "1", "kk", "aa"));
            // f1 has no no-writes flag: FCALL_RO refuses it before it runs
            assertEquals("-ERR Can not execute a script with write flag using *_ro command.",
                ScriptingTest.call(c, "FCALL_RO", "f1", "0"));
            assertEquals("-ERR Write commands are not allowed from read-only scripts. script: f2, on @user_function:3.",
                ScriptingTest.call(c, "FCALL_RO", "f2", "1", "k"));
            assertEquals("+OK", ScriptingTest.call(c, "FCALL", "f3", "1", "k", "v"));
            assertEquals("$1\r\nv", ScriptingTest.call(c, "GET", "k"));
            assertEquals("+OK", ScriptingTest.call(c, "FUNCTION", "DELETE", "lib1"));
            assertEquals("-ERR Function not found", ScriptingTest.call(c, "FCALL", "f1", "0"));
            assertEquals("*0", ScriptingTest.call(c, "FUNCTION", "LIST"));
        }
    }

    @Test
    @Covers({"function|dump", "function|restore"})
    @DisplayName("FUNCTION DUMP from redis-server restores in Strata and Strata's in redis-server; APPEND refuses an existing library, FLUSH and REPLACE do not")
    void dumpRestoreBothWays() throws Exception {
        try (TestServer s = TestServer.start(); Jedis sj = s.jedis()) {
            sj.functionLoad(LIB1);
            byte[] ours = sj.functionDump();
            assertEquals("ERR Library 'lib1' already exists", assertError(() -> sj.functionRestore(ours)));
            assertEquals("OK", sj.functionRestore(ours, redis.clients.jedis.args.FunctionRestorePolicy.REPLACE));
            assertEquals("OK", sj.functionFlush());
            assertEquals("OK", sj.functionRestore(ours));
            assertEquals("x", sj.fcall("f1", java.util.List.of("x"), java.util.List.of("y")).toString().substring(1, 2));
            if (!RedisServerProcess.available()) {
                return;
            }
            try (RedisServerProcess r = RedisServerProcess.start(); Jedis rj = new Jedis("127.0.0.1", r.port())) {
                assertEquals("OK", rj.functionRestore(ours));
                assertEquals("[x, y]", rj.fcall("f1", java.util.List.of("x"), java.util.List.of("y")).toString());
                rj.functionLoad("#!lua name=theirs\nredis.register_function('t1', function() return 'from redis' end)");
                byte[] theirs = rj.functionDump(); // LZF-compresses the code
                assertEquals("OK", sj.functionRestore(theirs, redis.clients.jedis.args.FunctionRestorePolicy.FLUSH));
                assertEquals("from redis", sj.fcall("t1", java.util.List.of(), java.util.List.of()));
            }
        }
    }

    private static String assertError(Runnable r) {
        try {
            r.run();
        } catch (redis.clients.jedis.exceptions.JedisDataException e) {
            return e.getMessage();
        }
        throw new AssertionError("expected an error reply");
    }

    @Test
    @Covers({"function|load", "fcall"})
    @DisplayName("Libraries survive SAVE and restart; a Strata dump.rdb with functions loads in redis-server and redis-server's in Strata")
    void rdbBothWays(@TempDir Path dir) throws Exception {
        try (TestServer s = TestServer.start("--dir", dir.toString(), "--save", ""); Jedis j = s.jedis()) {
            j.functionLoad(LIB1);
            j.set("plain", "key");
            assertEquals("OK", j.save());
        }
        try (TestServer s = TestServer.start("--dir", dir.toString(), "--save", ""); Jedis j = s.jedis()) {
            assertEquals("[a, b]", j.fcall("f1", java.util.List.of("a"), java.util.List.of("b")).toString());
            assertEquals("key", j.get("plain"));
        }
        if (!RedisServerProcess.available()) {
            return;
        }
        try (RedisServerProcess r = RedisServerProcess.startIn(dir, "--save", "");
             Jedis j = new Jedis("127.0.0.1", r.port())) {
            assertEquals("[a, b]", j.fcall("f1", java.util.List.of("a"), java.util.List.of("b")).toString());
            assertEquals("key", j.get("plain"));
            j.functionLoad("#!lua name=theirs\nredis.register_function('t1', function() return 'from redis' end)");
            assertEquals("OK", j.save());
        }
        try (TestServer s = TestServer.start("--dir", dir.toString(), "--save", ""); Jedis j = s.jedis()) {
            assertEquals("from redis", j.fcall("t1", java.util.List.of(), java.util.List.of()));
            assertEquals("[a, b]", j.fcall("f1", java.util.List.of("a"), java.util.List.of("b")).toString());
        }
    }

    @Test
    @Covers({"eval", "fcall", "function|load", "function|delete", "function|flush", "function|restore"})
    @DisplayName("With appendonly, a script's writes are in the AOF as MULTI/SET…/EXEC (never EVAL), FUNCTION LOAD as itself; a restart rebuilds both")
    void aofEffects(@TempDir Path dir) throws Exception {
        String[] args = {"--dir", dir.toString(), "--save", "", "--appendonly", "yes", "--aof-compression", "none"};
        try (TestServer s = TestServer.start(args); Jedis j = s.jedis()) {
            j.eval("redis.call('set', KEYS[1], ARGV[1]) redis.call('incr', 'counter') return 1", 1, "sk", "sv");
            j.eval("return redis.call('get', 'sk')", 0); // a read-only run records nothing
            j.functionLoad(LIB1);
            j.fcall("f3", java.util.List.of("fk"), java.util.List.of("fv"));
            j.functionLoad("#!lua name=gone\nredis.register_function('g1', function() return 1 end)");
            j.functionDelete("gone");
            byte[] payload = j.functionDump();
            j.functionRestore(payload, redis.clients.jedis.args.FunctionRestorePolicy.REPLACE);
        }
        String aof;
        try (Stream<Path> files = Files.list(dir.resolve("appendonlydir"))) {
            StringBuilder sb = new StringBuilder();
            for (Path p : files.filter(p -> p.toString().contains(".incr.")).toList()) {
                sb.append(new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1));
            }
            aof = sb.toString();
        }
        assertFalse(aof.contains("EVAL") || aof.contains("FCALL"), aof);
        int multi = aof.indexOf("MULTI");
        int set = aof.indexOf("$3\r\nset\r\n$2\r\nsk\r\n$2\r\nsv");
        int incr = aof.indexOf("$4\r\nincr\r\n$7\r\ncounter");
        int exec = aof.indexOf("EXEC");
        assertTrue(multi >= 0 && multi < set && set < incr && incr < exec, aof);
        assertTrue(aof.contains("FUNCTION") && aof.contains("DELETE"), aof);
        try (TestServer s = TestServer.start(args); Jedis j = s.jedis()) {
            assertEquals("sv", j.get("sk"));
            assertEquals("1", j.get("counter"));
            assertEquals("fv", j.get("fk"));
            assertEquals("[a, b]", j.fcall("f1", java.util.List.of("a"), java.util.List.of("b")).toString());
            assertEquals(1, j.functionList().size(), "the deleted library stays deleted");
        }
    }
}
