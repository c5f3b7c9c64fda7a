package io.strata.server;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * busy-reply-threshold (lua-time-limit): past it, other clients get -BUSY and SCRIPT KILL /
 * FUNCTION KILL stop a script that has not written. The I/O threads answer them while the keyspace
 * thread runs the script, so this needs io-threads above 1.
 */
class ScriptTimeLimitTest {
    private static final String SPIN = "local n = 0 while true do n = n + 1 end";

    /**
     * Waits past the threshold first: a command handed to the keyspace thread before it waits behind
     * the script (its reply must keep its place), so only commands sent later are answered BUSY.
     */
    private static void awaitBusy(RawClient c) throws Exception {
        Thread.sleep(400);
        for (int i = 0; i < 300; i++) {
            String r = ScriptingTest.call(c, "PING");
            if (r.startsWith("-BUSY")) {
                assertEquals("-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.", r);
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("never busy");
    }

    @Test
    @Covers({"script|kill", "eval"})
    @DisplayName("A looping script makes other clients get BUSY after busy-reply-threshold; SCRIPT KILL stops it and its caller gets Redis' error")
    void scriptKillStopsALoop() throws Exception {
        try (TestServer s = TestServer.start("--io-threads", "2", "--busy-reply-threshold", "100");
             RawClient runner = new RawClient(s.port()); RawClient other = new RawClient(s.port())) {
            assertEquals(":1", ScriptingTest.call(runner, "EVAL", "return 1", "0")); // the Lua state exists
            CompletableFuture<String> reply = CompletableFuture.supplyAsync(() -> {
                try {
                    return ScriptingTest.call(runner, "EVAL", SPIN, "0");
                } catch (Exception e) {
                    return e.toString();
                }
            });
            awaitBusy(other);
            assertEquals("-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.",
                ScriptingTest.call(other, "FUNCTION", "KILL"));
            assertEquals("+OK", ScriptingTest.call(other, "SCRIPT", "KILL"));
            String r = reply.get(10, TimeUnit.SECONDS);
            assertTrue(r.startsWith("-ERR Script killed by user with SCRIPT KILL... script: "), r);
            assertTrue(r.endsWith(", on @user_script:1."), r);
            assertEquals("+PONG", ScriptingTest.call(other, "PING"));
            assertEquals("-NOTBUSY No scripts in execution right now.", ScriptingTest.call(other, "SCRIPT", "KILL"));
        }
    }

    @Test
    @Covers({"shutdown"})
    @DisplayName("SHUTDOWN NOSAVE ends the server under a busy script that wrote; the write is not in the AOF after a restart")
    void shutdownNosaveUnderABusyScript(@TempDir Path dir) throws Exception {
        String[] args = {"--io-threads", "2", "--dir", dir.toString(), "--appendonly", "yes", "--busy-reply-threshold", "100"};
        TestServer s = TestServer.start(args);
        try (RawClient runner = new RawClient(s.port()); RawClient other = new RawClient(s.port())) {
            assertEquals("+OK", ScriptingTest.call(other, "SET", "before", "1"));
            runner.command("EVAL", "redis.call('set', 'x', '1') " + SPIN, "0");
            awaitBusy(other);
            other.command("SHUTDOWN", "NOSAVE");
            assertTrue(s.server().awaitShutdown(10, TimeUnit.SECONDS), "SHUTDOWN NOSAVE did not end the server");
            assertTrue(runner.isClosedByServer(), "the script's caller gets no reply");
        } finally {
            s.close();
        }
        try (TestServer again = TestServer.start(args); RawClient c = new RawClient(again.port())) {
            assertEquals("$1\r\n1", ScriptingTest.call(c, "GET", "before"));
            assertEquals("$-1", ScriptingTest.call(c, "GET", "x"));
        }
    }

    @Test
    @Covers({"script|kill", "function|kill", "fcall"})
    @DisplayName("SCRIPT KILL refuses a script that wrote (UNKILLABLE); FUNCTION KILL stops a looping function")
    void unkillableAndFunctionKill() throws Exception {
        try (TestServer s = TestServer.start("--io-threads", "2", "--lua-time-limit", "100");
             RawClient runner = new RawClient(s.port()); RawClient other = new RawClient(s.port())) {
            // writes, then spins for about a second by the server clock
            String wrote = "redis.call('set', 'w', '1') local t0 = redis.call('time')[1] "
                + "while tonumber(redis.call('time')[1]) < tonumber(t0) + 2 do end return 'done'";
            CompletableFuture<String> reply = CompletableFuture.supplyAsync(() -> {
                try {
                    return ScriptingTest.call(runner, "EVAL", wrote, "0");
                } catch (Exception e) {
                    return e.toString();
                }
            });
            awaitBusy(other);
            assertEquals("-UNKILLABLE Sorry the script already executed write commands against the dataset. You can "
                + "either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.",
                ScriptingTest.call(other, "SCRIPT", "KILL"));
            assertEquals("$4\r\ndone", reply.get(10, TimeUnit.SECONDS));

            ScriptingTest.call(other, "FUNCTION", "LOAD", "#!lua name=spin\nredis.register_function('spin', function() " + SPIN + " end)");
            CompletableFuture<String> fn = CompletableFuture.supplyAsync(() -> {
                try {
                    return ScriptingTest.call(runner, "FCALL", "spin", "0");
                } catch (Exception e) {
                    return e.toString();
                }
            });
            Thread.sleep(400);
            String busy = ScriptingTest.call(other, "PING");
            assertEquals("-BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.", busy);
            assertEquals("-BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.",
                ScriptingTest.call(other, "SCRIPT", "KILL"));
            assertEquals("+OK", ScriptingTest.call(other, "FUNCTION", "KILL"));
            String r = fn.get(10, TimeUnit.SECONDS);
            assertTrue(r.startsWith("-ERR Script killed by user with SCRIPT KILL... script: spin, on @user_function:2."), r);
        }
    }
}
