package io.strata.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Connection;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.commands.ProtocolCommand;
import redis.clients.jedis.exceptions.JedisConnectionException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SCRIPT DEBUG and the Lua debugger (LDB) over real sockets: whole sessions compared byte for
 * byte with redis-server 7.0 (stops, every debugger command, the logs of redis.call, errors, the
 * final reply and the closed connection), the server blocked during a SYNC session, a YES session's
 * changes rolled back, and {@code redis-cli --ldb} / {@code --ldb-sync-mode} driven through stdin.
 */
class ScriptDebugTest {
    private static TestServer server;
    private static RedisServerProcess redis;

    @BeforeAll
    static void start() {
        server = TestServer.start();
    }

    @AfterAll
    static void stop() throws IOException {
        server.close();
        if (redis != null) {
            redis.close();
        }
    }

    private static int redisPort() throws Exception {
        Assumptions.assumeTrue(RedisServerProcess.available(), "redis-server not installed");
        if (redis == null) {
            redis = RedisServerProcess.start();
        }
        return redis.port();
    }

    /** A raw connection that reads whatever arrives until the peer is quiet for a moment, or closes. */
    static final class Line implements AutoCloseable {
        final Socket s;
        final InputStream in;
        final OutputStream out;

        Line(int port) throws IOException {
            s = new Socket("127.0.0.1", port);
            s.setSoTimeout(300);
            in = s.getInputStream();
            out = s.getOutputStream();
        }

        void send(String... args) throws IOException {
            StringBuilder sb = new StringBuilder("*").append(args.length).append("\r\n");
            for (String a : args) {
                byte[] b = a.getBytes(StandardCharsets.ISO_8859_1);
                sb.append('$').append(b.length).append("\r\n").append(a).append("\r\n");
            }
            out.write(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }

        /** What the peer sent until 300 ms of quiet (at least one byte waited for up to 10 s); "&lt;closed&gt;" ends it. */
        String drain() throws IOException {
            ByteArrayOutputStream acc = new ByteArrayOutputStream();
            long deadline = System.currentTimeMillis() + 10_000;
            while (true) {
                try {
                    int b = in.read();
                    if (b < 0) {
                        return acc.toString(StandardCharsets.ISO_8859_1) + "<closed>";
                    }
                    acc.write(b);
                    byte[] more = new byte[in.available()];
                    int n = in.read(more, 0, more.length);
                    acc.write(more, 0, Math.max(n, 0));
                } catch (SocketTimeoutException e) {
                    if (acc.size() > 0 || System.currentTimeMillis() > deadline) {
                        return acc.toString(StandardCharsets.ISO_8859_1);
                    }
                } catch (java.net.SocketException e) {
                    return acc.toString(StandardCharsets.ISO_8859_1) + "<closed>";
                }
            }
        }

        @Override
        public void close() throws IOException {
            s.close();
        }
    }

    /** SCRIPT DEBUG mode, EVAL script with the keys and args, then each step (split on spaces); every answer. */
    static List<String> session(int port, String mode, String script, String[] keysAndArgs, int numkeys,
                                String... steps) throws IOException {
        List<String> out = new ArrayList<>();
        try (Line l = new Line(port)) {
            l.send("SCRIPT", "DEBUG", mode);
            out.add(l.drain());
            List<String> eval = new ArrayList<>(List.of("EVAL", script, Integer.toString(numkeys)));
            eval.addAll(List.of(keysAndArgs));
            l.send(eval.toArray(new String[0]));
            out.add(l.drain());
            for (String st : steps) {
                if (out.get(out.size() - 1).endsWith("<closed>")) {
                    break;
                }
                l.send(st.split(" "));
                out.add(st + " => " + l.drain());
            }
        }
        return out;
    }

    static final String SCRIPT = "local a = 1\n"
        + "redis.call('set', KEYS[1], ARGV[1])\n"
        + "local t = {1,2,'x', {k='v'}}\n"
        + "redis.debug('hi', a, t, nil, true)\n"
        + "local function f(x)\n"
        + "  local y = x * 2\n"
        + "  return y\n"
        + "end\n"
        + "local r = f(21)\n"
        + "return redis.call('get', KEYS[1])\n";

    @Test
    @Covers({"script|debug", "eval"})
    @DisplayName("A SYNC session answers every debugger command as redis-server 7.0 does, byte for byte, and ends with <endsession>, the reply and a closed connection")
    void syncSessionMatchesRedis() throws Exception {
        int theirs = redisPort();
        String[] steps = {"s", "p", "p a", "p KEYS", "p ARGV", "p nosuch", "l", "l 3 1", "l 0 0", "w", "b 6", "b", "b 99",
            "b -6", "b -6", "b x", "b 7", "b 0", "e a+1", "e 1+1", "e x=", "e {1,2}",
            "r ping", "r get dbg:k", "r lrange nolist 0 -1", "m", "m 10", "m 0", "m 256", "t", "zzz", "h", "s", "s",
            "b 7", "c", "t", "p", "p x", "s", "s", "s", "s"};
        String[] ka = {"dbg:k", "v1"};
        List<String> expected = session(theirs, "sync", SCRIPT, ka, 1, steps);
        List<String> actual = session(server.port(), "sync", SCRIPT, ka, 1, steps);
        assertEquals(expected, actual);
        assertTrue(actual.get(actual.size() - 1).endsWith("+<endsession>\r\n$2\r\nv1\r\n<closed>"), actual.toString());
        try (Jedis j = server.jedis()) {
            assertEquals("v1", j.get("dbg:k"), "a SYNC session keeps its changes");
        }
    }

    @Test
    @Covers({"script|debug", "eval"})
    @DisplayName("Errors, abort, redis.breakpoint(), replies in RESP2 and RESP3 and trimmed logs read as in redis-server 7.0")
    void errorsAndRepliesMatchRedis() throws Exception {
        int theirs = redisPort();
        String[][] cases = {
            {"local a = 1\nredis.breakpoint()\nlocal b = 2\nerror('boom')", "c", "c"},
            {"redis.call('incr', 'dbg:cnt')\nreturn 1", "a"},
            {"return redis.call('nosuchcmd')", "s"},
            {"return redis.pcall('nosuchcmd')", "s"},
            {"local x = \n"},
            {"redis.call('set', 'dbg:str', 'x')\nredis.pcall('lpush', 'dbg:str', 1)\nlocal r = redis.pcall('lpush', 'dbg:str', 1)\nreturn 5",
                "s", "s", "s", "p", "s"},
            {"redis.pcall('set')\n"
                + "redis.call('del', 'dbg:L', 'dbg:H')\n"
                + "redis.call('rpush', 'dbg:L', 1,2,3,4,5,6,7,8,9,10,11,12)\n"
                + "redis.call('lrange', 'dbg:L', 0, -1)\n"
                + "redis.call('hset', 'dbg:H', 'f', 'v')\n"
                + "redis.call('hgetall', 'dbg:H')\n"
                + "redis.setresp(3)\n"
                + "redis.call('hgetall', 'dbg:H')\n"
                + "redis.call('smembers', 'dbg:nosuch')\n"
                + "redis.call('get', 'dbg:nokey')\n"
                + "redis.call('set', 'dbg:big', string.rep('x', 300))\n"
                + "redis.call('get', 'dbg:big')\n"
                + "redis.call('get', 'dbg:big')\n"
                + "redis.call('set', 'dbg:bin', 'a\\0b\\n\"\\\\\\200')\n"
                + "redis.call('get', 'dbg:bin')\n"
                + "return redis.call('set', KEYS[1])",
                "s", "s", "s", "s", "s", "s", "s", "s", "s", "s", "s", "s", "m 0", "s", "s", "s", "s", "s"},
            {"return 1", "FOO"},
        };
        for (String[] c : cases) {
            String[] steps = java.util.Arrays.copyOfRange(c, 1, c.length);
            String[] ka = {"dbg:k1"};
            List<String> expected = session(theirs, "sync", c[0], ka, 1, steps);
            List<String> actual = session(server.port(), "sync", c[0], ka, 1, steps);
            assertEquals(expected, actual, c[0]);
        }
    }

    @Test
    @Covers({"script|debug"})
    @DisplayName("SCRIPT DEBUG refuses a bad mode, MULTI and EVALSHA with Redis 7.0's errors; NO turns debugging off")
    void scriptDebugErrors() throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            assertEquals("-ERR Use SCRIPT DEBUG YES/SYNC/NO", ScriptingTest.call(c, "SCRIPT", "DEBUG", "foo"));
            assertEquals("-ERR wrong number of arguments for 'script|debug' command", ScriptingTest.call(c, "SCRIPT", "DEBUG"));
            assertEquals("+OK", ScriptingTest.call(c, "MULTI"));
            assertEquals("+QUEUED", ScriptingTest.call(c, "SCRIPT", "DEBUG", "YES"));
            assertEquals("*1\r\n-ERR SCRIPT DEBUG must be called outside a pipeline", ScriptingTest.call(c, "EXEC"));
            assertEquals("+OK", ScriptingTest.call(c, "SCRIPT", "DEBUG", "yes"));
            assertEquals("-ERR Please use EVAL instead of EVALSHA for debugging",
                ScriptingTest.call(c, "EVALSHA", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "0"));
            assertEquals("-NOSCRIPT No matching script. Please use EVAL.", ScriptingTest.call(c, "EVALSHA", "a", "0"));
            assertEquals("+PONG", ScriptingTest.call(c, "PING"));
            assertEquals("+OK", ScriptingTest.call(c, "SCRIPT", "DEBUG", "no"));
            assertEquals(":1", ScriptingTest.call(c, "EVAL", "return 1", "0"), "no session after SCRIPT DEBUG NO");
        }
    }

    @Test
    @Covers({"script|debug"})
    @DisplayName("The same error replies as redis-server 7.0 for SCRIPT DEBUG's misuse")
    void scriptDebugErrorsMatchRedis() throws Exception {
        int theirs = redisPort();
        String[][] cmds = {{"SCRIPT", "DEBUG", "foo"}, {"SCRIPT", "DEBUG"}, {"MULTI"}, {"SCRIPT", "DEBUG", "YES"}, {"EXEC"},
            {"SCRIPT", "DEBUG", "sync"}, {"EVALSHA", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "0"}, {"EVALSHA", "a", "0"},
            {"SCRIPT", "DEBUG", "no"}, {"EVAL", "return 1", "0"}};
        try (RawClient ours = new RawClient(server.port()); RawClient ref = new RawClient(theirs)) {
            for (String[] c : cmds) {
                assertEquals(ref.callBinary(c), ours.callBinary(c), String.join(" ", c));
            }
        }
        try (Line ours = new Line(server.port()); Line ref = new Line(theirs)) {
            String pipeline = "*1\r\n$4\r\nPING\r\n*3\r\n$6\r\nSCRIPT\r\n$5\r\nDEBUG\r\n$3\r\nYES\r\n*1\r\n$4\r\nPING\r\n";
            ours.out.write(pipeline.getBytes(StandardCharsets.US_ASCII));
            ref.out.write(pipeline.getBytes(StandardCharsets.US_ASCII));
            String expected = ref.drain();
            assertEquals("+PONG\r\n-ERR SCRIPT DEBUG must be called outside a pipeline\r\n+PONG\r\n", expected);
            assertEquals(expected, ours.drain());
        }
    }

    @Test
    @Covers({"script|debug", "eval"})
    @DisplayName("While a SYNC session is stopped the server is blocked: another client waits and is answered once the session ends")
    void syncSessionBlocksOtherClients() throws Exception {
        try (Line dbg = new Line(server.port()); RawClient other = new RawClient(server.port())) {
            dbg.send("SCRIPT", "DEBUG", "SYNC");
            assertEquals("+OK\r\n", dbg.drain());
            dbg.send("EVAL", "redis.call('set', 'dbg:blk', '1')\nreturn 2", "0");
            assertTrue(dbg.drain().startsWith("*2\r\n+* Stopped at 1"));
            other.command("GET", "dbg:blk");
            Thread.sleep(500);
            assertFalse(other.hasInput(), "the other client is not answered while the script is stopped");
            dbg.send("c");
            assertEquals("*1\r\n+<endsession>\r\n:2\r\n<closed>", dbg.drain());
            assertEquals("$1\r\n1\r\n", other.readReply(), "then it is, after the script's write");
        }
    }

    @Test
    @Covers({"script|debug", "eval"})
    @DisplayName("A YES session's writes are rolled back at its end: new keys deleted, changed keys restored with their TTL, other databases too")
    void yesSessionRollsBack() throws Exception {
        try (Jedis j = server.jedis()) {
            j.flushAll();
            j.set("dbg:keep", "old");
            j.pexpire("dbg:keep", 100_000);
            j.rpush("dbg:list", "a", "b");
            j.select(3);
            j.set("dbg:other", "db3");
            j.select(0);
        }
        String script = "redis.call('set', 'dbg:keep', 'new')\n"
            + "redis.call('persist', 'dbg:keep')\n"
            + "redis.call('set', 'dbg:fresh', 'x')\n"
            + "redis.call('rpush', 'dbg:list', 'c')\n"
            + "redis.call('move', 'dbg:fresh', 3)\n"
            + "redis.call('sort', 'dbg:list', 'ALPHA', 'STORE', 'dbg:sorted')\n"
            + "redis.call('select', 3)\n"
            + "redis.call('del', 'dbg:other')\n"
            + "return redis.call('flushall')\n";
        List<String> t = session(server.port(), "yes", script, new String[0], 0, "c");
        assertEquals("*1\r\n+<endsession>\r\n-ERR " + "This command is not allowed in a SCRIPT DEBUG YES session, whose changes are "
            + "rolled back: use SCRIPT DEBUG SYNC script: 4e1bb1e1fda2d4ba3b25ff6b0049ce8da0cb8787, on @user_script:9.\r\n<closed>",
            t.get(2).substring("c => ".length()).replaceAll("script: [0-9a-f]{40}", "script: 4e1bb1e1fda2d4ba3b25ff6b0049ce8da0cb8787"));
        try (Jedis j = server.jedis()) {
            assertEquals("old", j.get("dbg:keep"));
            long pttl = j.pttl("dbg:keep");
            assertTrue(pttl > 90_000 && pttl <= 100_000, "pttl=" + pttl);
            assertNull(j.get("dbg:fresh"));
            assertFalse(j.exists("dbg:sorted"), "SORT ... STORE's destination is rolled back too");
            assertEquals(List.of("a", "b"), j.lrange("dbg:list", 0, -1));
            j.select(3);
            assertEquals("db3", j.get("dbg:other"));
            assertFalse(j.exists("dbg:fresh"));
        }
        // a YES session that ends normally is rolled back too
        session(server.port(), "yes", "redis.call('set', 'dbg:keep', 'again')\nreturn redis.call('get', 'dbg:keep')",
            new String[0], 0, "c");
        try (Jedis j = server.jedis()) {
            assertEquals("old", j.get("dbg:keep"));
        }
    }

    @Test
    @Covers({"script|debug", "eval"})
    @DisplayName("A script running busy-reply-threshold without a stop is stopped with 'timeout reached, infinite loop?', as in redis-server 7.0")
    void timeoutStopMatchesRedis() throws Exception {
        int theirs = redisPort();
        String script = "local i = 0\nwhile true do i = i + 1 end";
        try (Jedis ours = server.jedis(); Jedis ref = new Jedis("127.0.0.1", theirs)) {
            ours.configSet("lua-time-limit", "200");
            ref.configSet("lua-time-limit", "200");
            try {
                List<String> expected = session(theirs, "sync", script, new String[0], 0, "c", "a");
                List<String> actual = session(server.port(), "sync", script, new String[0], 0, "c", "a");
                assertEquals(expected, actual);
                assertTrue(actual.get(2).contains("stop reason = timeout reached, infinite loop?"), actual.toString());
            } finally {
                ours.configSet("lua-time-limit", "5000");
                ref.configSet("lua-time-limit", "5000");
            }
        }
    }

    @Test
    @Covers({"script|debug", "eval"})
    @DisplayName("When the debugging client goes away the script runs on without stops and the server serves others again")
    void clientGoneEndsTheStops() throws Exception {
        try (Line dbg = new Line(server.port())) {
            dbg.send("SCRIPT", "DEBUG", "SYNC");
            assertEquals("+OK\r\n", dbg.drain());
            dbg.send("EVAL", "redis.call('set', 'dbg:gone', '1')\nredis.call('set', 'dbg:gone2', '2')\nreturn 'x'", "0");
            assertTrue(dbg.drain().startsWith("*2\r\n+* Stopped at 1"));
        }
        try (Jedis j = server.jedis()) {
            long deadline = System.currentTimeMillis() + 5000;
            while (j.get("dbg:gone2") == null && System.currentTimeMillis() < deadline) {
                Thread.sleep(20);
            }
            assertEquals("1", j.get("dbg:gone"));
            assertEquals("2", j.get("dbg:gone2"), "the rest of the script ran");
            assertEquals("PONG", j.ping());
        }
    }

    @Test
    @Covers({"script|debug", "eval"})
    @DisplayName("With io-threads 4 a session reads the same as with one thread, and other clients wait for its end")
    void ioThreadsSession() throws Exception {
        try (TestServer threaded = TestServer.start("--io-threads", "4")) {
            List<String> one = session(server.port(), "sync", SCRIPT, new String[] {"dbg:io", "v"}, 1,
                "s", "p", "b 7", "c", "t", "s", "s", "s");
            List<String> four = session(threaded.port(), "sync", SCRIPT, new String[] {"dbg:io", "v"}, 1,
                "s", "p", "b 7", "c", "t", "s", "s", "s");
            assertEquals(one, four);
            try (Line dbg = new Line(threaded.port()); RawClient other = new RawClient(threaded.port())) {
                dbg.send("SCRIPT", "DEBUG", "YES");
                assertEquals("+OK\r\n", dbg.drain());
                dbg.send("EVAL", "redis.call('set', 'dbg:io2', '1')\nreturn 2", "0");
                assertTrue(dbg.drain().startsWith("*2\r\n+* Stopped at 1"));
                other.command("PING");
                Thread.sleep(500);
                assertFalse(other.hasInput(), "no -BUSY nor anything else while the session is stopped");
                dbg.send("s");
                dbg.drain();
                dbg.send("c");
                assertEquals("*1\r\n+<endsession>\r\n:2\r\n<closed>", dbg.drain());
                assertEquals("+PONG\r\n", other.readReply());
            }
            try (Jedis j = threaded.jedis()) {
                assertFalse(j.exists("dbg:io2"), "YES rolled back");
            }
        }
    }

    @Test
    @Covers({"script|debug", "eval"})
    @DisplayName("Jedis drives a session: SCRIPT DEBUG SYNC, EVAL answers the first stop, print and continue, then the reply and a closed connection")
    void jedisSession() throws Exception {
        ProtocolCommand p = () -> "p".getBytes(StandardCharsets.US_ASCII);
        ProtocolCommand c = () -> "c".getBytes(StandardCharsets.US_ASCII);
        try (Connection conn = new Connection("127.0.0.1", server.port())) {
            conn.sendCommand(Protocol.Command.SCRIPT, "DEBUG", "SYNC");
            assertEquals("OK", conn.getStatusCodeReply());
            conn.sendCommand(Protocol.Command.EVAL, "local n = 41\nreturn n + 1", "0");
            assertEquals(List.of("* Stopped at 1, stop reason = step over", "-> 1   local n = 41"), strings(conn.getOne()));
            conn.sendCommand(p);
            assertEquals(List.of("No local variables in the current context."), strings(conn.getOne()));
            conn.sendCommand(c);
            assertEquals(List.of("<endsession>"), strings(conn.getOne()));
            assertEquals(42L, conn.getOne());
            assertTrue(isClosed(conn), "the session's connection is closed after the reply");
        }
    }

    private static List<String> strings(Object reply) {
        List<String> out = new ArrayList<>();
        for (Object o : (List<?>) reply) {
            out.add(new String((byte[]) o, StandardCharsets.ISO_8859_1));
        }
        return out;
    }

    private static boolean isClosed(Connection conn) {
        try {
            conn.sendCommand(Protocol.Command.PING);
            conn.getOne();
            return false;
        } catch (JedisConnectionException e) {
            return true;
        }
    }

    // ---- redis-cli ----

    private static String cli(int port, String stdin, String... args) throws Exception {
        String bin = RedisCliInteropTest.which("redis-cli");
        Assumptions.assumeTrue(bin != null, "redis-cli is not installed");
        Path in = Files.createTempFile("ldb-stdin", ".txt");
        try {
            Files.writeString(in, stdin);
            List<String> cmd = new ArrayList<>(List.of(bin, "-h", "127.0.0.1", "-p", Integer.toString(port)));
            cmd.addAll(List.of(args));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectInput(in.toFile()).start();
            byte[] out;
            try {
                out = p.getInputStream().readAllBytes();
                assertTrue(p.waitFor(60, TimeUnit.SECONDS), "redis-cli finished");
            } finally {
                p.destroyForcibly();
            }
            return new String(out, StandardCharsets.UTF_8);
        } finally {
            Files.deleteIfExists(in);
        }
    }

    @Test
    @Covers({"script|debug", "eval"})
    @DisplayName("redis-cli --ldb-sync-mode and --ldb --eval drive a session as against redis-server 7.0; --ldb rolls the changes back")
    void redisCliLdb() throws Exception {
        int theirs = redisPort();
        Path file = Files.createTempFile("ldb", ".lua");
        try {
            Files.writeString(file, "local a = 1\nredis.call('set', KEYS[1], ARGV[1])\nreturn redis.call('get', KEYS[1])\n");
            String stdin = "s\np\ns\nr get dbg:cli\nc\n";
            String ours = cli(server.port(), stdin, "--ldb-sync-mode", "--eval", file.toString(), "dbg:cli", ",", "v");
            assertEquals(cli(theirs, stdin, "--ldb-sync-mode", "--eval", file.toString(), "dbg:cli", ",", "v"), ours);
            assertTrue(ours.contains("<redis> set dbg:cli v"), ours);
            assertTrue(ours.contains("(Lua debugging session ended)"), ours);
            try (Jedis j = server.jedis()) {
                assertEquals("v", j.get("dbg:cli"));
                j.del("dbg:cli");
            }
            String ours2 = cli(server.port(), "s\nc\n", "--ldb", "--eval", file.toString(), "dbg:cli", ",", "v");
            assertEquals(cli(theirs, "s\nc\n", "--ldb", "--eval", file.toString(), "dbg:cli", ",", "v"), ours2);
            assertTrue(ours2.contains("(Lua debugging session ended -- dataset changes rolled back)"), ours2);
            try (Jedis j = server.jedis()) {
                assertFalse(j.exists("dbg:cli"), "--ldb (SCRIPT DEBUG YES) leaves the dataset as it was");
            }
            // redis-cli's own commands: restart runs the session again, quit ends it
            String stdin3 = "s\nrestart\ns\nb 3\nc\nquit\n";
            String ours3 = cli(server.port(), stdin3, "--ldb", "--eval", file.toString(), "dbg:cli", ",", "v");
            assertEquals(cli(theirs, stdin3, "--ldb", "--eval", file.toString(), "dbg:cli", ",", "v"), ours3);
            assertTrue(ours3.contains("stop reason = break point"), ours3);
            try (Jedis j = server.jedis()) {
                assertFalse(j.exists("dbg:cli"));
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
