package io.strata.server;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Redis' BUSY behaviour with the default io-threads 1, where the keyspace thread that runs the
 * script is also the event loop: past busy-reply-threshold the script's hook has the server
 * process pending I/O (processEventsWhileBlocked), so other clients get -BUSY or run the few
 * commands allowed then, while the script's own client waits for its reply. Real sockets, real
 * clients; waits poll, nothing asserts a duration.
 */
class ScriptBusyTest {
    private static final String BUSY_EVAL =
        "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.";
    private static final String BUSY_FUNCTION =
        "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.";
    private static final String UNKILLABLE = "UNKILLABLE Sorry the script already executed write commands against "
        + "the dataset. You can either wait the script termination or kill the server in a hard way using the "
        + "SHUTDOWN NOSAVE command.";
    private static final String NOTBUSY = "NOTBUSY No scripts in execution right now.";
    private static final String SPIN = "while true do end";

    /** The reply of a Jedis call as text: the value, or the error message. */
    private static String reply(Supplier<Object> call) {
        try {
            return String.valueOf(call.get());
        } catch (JedisDataException e) {
            return e.getMessage();
        }
    }

    /** Runs {@code call} on another thread: a client that waits for its script's reply. */
    private static CompletableFuture<String> async(Supplier<Object> call) {
        return CompletableFuture.supplyAsync(() -> reply(call));
    }

    /** Pings until the answer is -BUSY (the script has passed the threshold), then checks its text. */
    private static void awaitBusy(Jedis j, String expected) throws InterruptedException {
        for (int i = 0; i < 500; i++) {
            String r = reply(j::ping);
            if (r.startsWith("BUSY")) {
                assertEquals(expected, r);
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("never busy");
    }

    @Test
    @Covers({"script|kill", "eval", "multi", "discard", "function|stats"})
    @DisplayName("A looping EVAL makes other clients get BUSY, new ones too, MULTI still opens; SCRIPT KILL stops it, "
        + "its caller gets Redis' error and then its own pipelined commands' replies")
    void busyEvalAnswersOthersAndScriptKillStopsIt() throws Exception {
        try (TestServer s = TestServer.start(); Jedis a = s.jedis(); Jedis b = s.jedis();
             RawClient caller = new RawClient(s.port()); RawClient leaving = new RawClient(s.port())) {
            assertEquals("OK", b.configSet("busy-reply-threshold", "100"));
            assertEquals("+PONG", ScriptingTest.call(leaving, "PING"));
            String sha = reply(() -> a.scriptLoad(SPIN));
            CompletableFuture<String> killed = async(() -> a.evalsha(sha, 0));
            awaitBusy(b, BUSY_EVAL);
            assertEquals(BUSY_EVAL, reply(() -> b.get("x")));
            assertEquals(BUSY_EVAL, reply(() -> b.set("x", "1")));
            assertEquals(BUSY_EVAL, reply(b::functionStats));
            assertEquals(BUSY_EVAL, reply(b::functionKill));

            // a connection accepted while the script runs is answered too
            try (RawClient late = new RawClient(s.port())) {
                assertEquals("-" + BUSY_EVAL, ScriptingTest.call(late, "PING"));
                assertEquals("+OK", ScriptingTest.call(late, "MULTI"));
                assertEquals("-" + BUSY_EVAL, ScriptingTest.call(late, "INCR", "x"));
                assertEquals("+OK", ScriptingTest.call(late, "DISCARD"));
            }
            leaving.close(); // cleaned up after the script, as Redis frees no client meanwhile
            assertTrue(killed.getNow("running").equals("running"), "the script's caller waits");

            assertEquals("OK", reply(b::scriptKill));
            assertEquals("ERR Script killed by user with SCRIPT KILL... script: " + sha + ", on @user_script:1.",
                killed.get(10, TimeUnit.SECONDS));
            assertEquals("PONG", b.ping());
            assertNull(b.get("x"));
            assertEquals(NOTBUSY, reply(b::scriptKill));
            assertEquals(NOTBUSY, reply(b::functionKill));

            // the caller's own commands sent after its EVAL wait for it and run once it ends
            caller.command("EVAL", SPIN, "0");
            awaitBusy(b, BUSY_EVAL);
            caller.command("SET", "after", "1");
            caller.command("GET", "after");
            assertEquals("OK", reply(b::scriptKill));
            assertTrue(caller.readReply().startsWith("-ERR Script killed by user with SCRIPT KILL..."));
            assertEquals("+OK\r\n", caller.readReply());
            assertEquals("$1\r\n1\r\n", caller.readReply());
            assertEquals("1", b.get("after"));
            awaitClients(b, 3);
        }
    }

    /** Polls INFO clients until connected_clients is {@code n}. */
    private static void awaitClients(Jedis j, int n) throws InterruptedException {
        String last = null;
        for (int i = 0; i < 500; i++) {
            last = AdminCommandsTest.parseInfo(j.info("clients")).get("connected_clients");
            if (String.valueOf(n).equals(last)) {
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("connected_clients stayed " + last + ", expected " + n);
    }

    @Test
    @Covers({"fcall", "function|kill", "function|stats"})
    @DisplayName("A looping FCALL makes other clients get the FUNCTION KILL BUSY text; FUNCTION STATS shows it running; "
        + "SCRIPT KILL refuses it, FUNCTION KILL stops it")
    void busyFunctionAndFunctionKill() throws Exception {
        try (TestServer s = TestServer.start(); Jedis a = s.jedis(); Jedis b = s.jedis();
             RawClient raw = new RawClient(s.port())) {
            assertEquals("OK", b.configSet("lua-time-limit", "100"));
            b.functionLoad("#!lua name=spinlib\nredis.register_function('spin', function() " + SPIN + " end)");
            CompletableFuture<String> killed = async(() -> a.fcall("spin", List.of(), List.of()));
            awaitBusy(b, BUSY_FUNCTION);
            assertEquals(BUSY_FUNCTION, reply(() -> b.get("x")));
            String stats = raw.call("FUNCTION", "STATS");
            assertTrue(stats.startsWith("*4\r\n$14\r\nrunning_script\r\n*6\r\n$4\r\nname\r\n$4\r\nspin\r\n$7\r\ncommand\r\n"
                + "*3\r\n$5\r\nFCALL\r\n$4\r\nspin\r\n$1\r\n0\r\n$11\r\nduration_ms\r\n:"), stats);
            assertTrue(stats.contains("\r\n$7\r\nengines\r\n"), stats);
            assertEquals(BUSY_FUNCTION, reply(b::scriptKill));
            assertEquals("OK", reply(b::functionKill));
            assertEquals("ERR Script killed by user with SCRIPT KILL... script: spin, on @user_function:2.",
                killed.get(10, TimeUnit.SECONDS));
            assertEquals("PONG", b.ping());
            assertTrue(raw.call("FUNCTION", "STATS").startsWith("*4\r\n$14\r\nrunning_script\r\n$-1\r\n"));
            assertEquals(NOTBUSY, reply(b::functionKill));
        }
    }

    @Test
    @Covers({"shutdown", "script|kill"})
    @DisplayName("A script that wrote is UNKILLABLE; SHUTDOWN without NOSAVE gets BUSY; SHUTDOWN NOSAVE ends the server "
        + "and the script's write is not in the AOF (appendfsync always) after a restart")
    void unkillableScriptAndShutdownNosave(@TempDir Path dir) throws Exception {
        String[] args = {"--dir", dir.toString(), "--appendonly", "yes", "--appendfsync", "always",
            "--busy-reply-threshold", "100"};
        TestServer s = TestServer.start(args);
        try (Jedis b = s.jedis(); RawClient caller = new RawClient(s.port()); RawClient admin = new RawClient(s.port())) {
            assertEquals("OK", b.set("before", "1"));
            caller.command("EVAL", "redis.call('set', 'x', '1') " + SPIN, "0");
            awaitBusy(b, BUSY_EVAL);
            assertEquals(UNKILLABLE, reply(b::scriptKill));
            assertEquals("-" + BUSY_EVAL, ScriptingTest.call(admin, "SHUTDOWN"));
            assertEquals("-" + BUSY_EVAL, ScriptingTest.call(admin, "SHUTDOWN", "SAVE"));
            admin.command("SHUTDOWN", "NOSAVE");
            assertTrue(s.server().awaitShutdown(10, TimeUnit.SECONDS), "SHUTDOWN NOSAVE did not end the server");
            assertTrue(caller.isClosedByServer(), "the script's caller gets no reply");
            assertTrue(admin.isClosedByServer());
        } finally {
            s.close();
        }
        try (TestServer again = TestServer.start(args); Jedis j = again.jedis()) {
            assertEquals("1", j.get("before"));
            assertNull(j.get("x"));
        }
    }

    @Test
    @Covers({"eval", "client|list"})
    @DisplayName("The script's caller disconnecting while it is busy: the client is freed once SCRIPT KILL stopped the script")
    void callerDisconnectsWhileBusy() throws Exception {
        try (TestServer s = TestServer.start("--busy-reply-threshold", "100"); Jedis b = s.jedis()) {
            RawClient caller = new RawClient(s.port());
            caller.command("EVAL", SPIN, "0");
            awaitBusy(b, BUSY_EVAL);
            caller.close();
            // the disconnect is seen while the script runs; the client stays until it ends
            try (RawClient other = new RawClient(s.port())) {
                assertEquals("-" + BUSY_EVAL, ScriptingTest.call(other, "PING"));
            }
            assertEquals("OK", reply(b::scriptKill));
            assertEquals("PONG", b.ping());
            awaitClients(b, 1);
        }
    }

    @Test
    @Covers({"script|kill"})
    @DisplayName("With Netty's NIO transport instead of epoll (a child server), a busy script gets BUSY and SCRIPT KILL too")
    void busyWithNioTransport(@TempDir Path dir) throws Exception {
        int port;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of("-Xmx256m", "-XX:TieredStopAtLevel=1", "-Dio.netty.transport.noNative=true"));
        cmd.addAll(ChildServer.moduleFlags());
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.strata.server.Main",
            "--port", Integer.toString(port), "--bind", "127.0.0.1", "--dir", dir.toString(),
            "--save", "", "--busy-reply-threshold", "100"));
        Path log = dir.resolve("server.log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        try {
            ChildServer.awaitLoaded(p, port, log, 30_000);
            try (Jedis a = new Jedis("127.0.0.1", port, 10_000); Jedis b = new Jedis("127.0.0.1", port, 10_000)) {
                assertEquals("nio", AdminCommandsTest.parseInfo(b.info("server")).get("multiplexing_api"));
                CompletableFuture<String> killed = async(() -> a.eval(SPIN, 0));
                awaitBusy(b, BUSY_EVAL);
                assertEquals("OK", reply(b::scriptKill));
                assertTrue(killed.get(10, TimeUnit.SECONDS).startsWith("ERR Script killed by user with SCRIPT KILL..."));
                assertEquals("PONG", b.ping());
            }
            try (RawClient admin = new RawClient(port)) {
                admin.command("SHUTDOWN", "NOSAVE");
                assertTrue(admin.isClosedByServer());
            }
            assertTrue(p.waitFor(10, TimeUnit.SECONDS), "the child did not exit");
        } finally {
            p.destroyForcibly();
        }
    }
}
