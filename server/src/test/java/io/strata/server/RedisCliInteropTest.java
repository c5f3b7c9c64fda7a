package io.strata.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Interop with the real Redis tools: {@code redis-cli} (plain commands, -n, -3, --pipe) and
 * {@code redis-benchmark} against a Strata test server, and error-text parity with a real
 * {@code redis-server} started here on a free port. Each part is skipped when its binary is not
 * installed (CI installs Debian's redis-tools and redis-server).
 */
class RedisCliInteropTest {
    static TestServer server;
    static RedisServerProcess redis;
    static Path tmp;

    @BeforeAll
    static void start() throws IOException {
        // a fixed port, not --port 0, so CONFIG GET port has a real value to report
        server = TestServer.start("--port", String.valueOf(RedisServerProcess.freePort()));
        tmp = Files.createTempDirectory("strata-interop");
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
        if (redis != null) {
            redis.close();
            redis = null;
        }
        if (tmp != null) {
            try (Stream<Path> s = Files.walk(tmp)) {
                s.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
            }
        }
    }

    // ---- helpers ----

    /** The binary's path when it is on PATH (or in /usr/bin), else null. */
    static String which(String name) {
        List<String> dirs = new ArrayList<>(Arrays.asList(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)));
        dirs.add("/usr/bin");
        for (String d : dirs) {
            if (d.isEmpty()) {
                continue;
            }
            File f = new File(d, name);
            if (f.isFile() && f.canExecute()) {
                return f.getAbsolutePath();
            }
        }
        return null;
    }

    private static String requireBinary(String name) {
        String path = which(name);
        Assumptions.assumeTrue(path != null, name + " is not installed");
        return path;
    }

    /** Runs a program to completion (bounded) and returns stdout and stderr together. */
    private static String run(File stdin, String... command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.redirectInput(stdin != null ? ProcessBuilder.Redirect.from(stdin) : ProcessBuilder.Redirect.from(new File("/dev/null")));
        Process p = pb.start();
        byte[] out;
        try {
            out = p.getInputStream().readAllBytes();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                throw new AssertionError("timed out: " + String.join(" ", command));
            }
        } finally {
            p.destroyForcibly();
        }
        return new String(out, StandardCharsets.UTF_8);
    }

    private static String cli(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(requireBinary("redis-cli"), "-h", "127.0.0.1", "-p", String.valueOf(server.port())));
        cmd.addAll(Arrays.asList(args));
        return run(null, cmd.toArray(new String[0]));
    }

    /** Starts (once) the reference redis-server on a free loopback port, without persistence. */
    private static int realRedis() throws Exception {
        if (redis == null) {
            Assumptions.assumeTrue(RedisServerProcess.available(), "redis-server is not installed");
            redis = RedisServerProcess.start();
        }
        return redis.port();
    }

    // ---- redis-cli ----

    @Test
    @Covers({"ping", "set", "get"})
    @DisplayName("redis-cli: PING, SET and GET")
    void cliPingSetGet() throws Exception {
        assertEquals("PONG\n", cli("PING"));
        assertEquals("OK\n", cli("SET", "cli:k", "hello world"));
        assertEquals("hello world\n", cli("GET", "cli:k"));
        assertEquals("\n", cli("GET", "cli:missing"));
    }

    @Test
    @Covers({"incr"})
    @DisplayName("redis-cli: INCR")
    void cliIncr() throws Exception {
        assertEquals("1\n", cli("INCR", "cli:counter"));
        assertEquals("2\n", cli("INCR", "cli:counter"));
    }

    @Test
    @Covers({"ttl", "set"})
    @DisplayName("redis-cli: TTL after SET … EX")
    void cliTtl() throws Exception {
        assertEquals("OK\n", cli("SET", "cli:ttl", "v", "EX", "100"));
        String ttl = cli("TTL", "cli:ttl").trim();
        assertTrue(ttl.equals("100") || ttl.equals("99"), ttl);
        assertEquals("OK\n", cli("SET", "cli:no-ttl", "v"));
        assertEquals("-1\n", cli("TTL", "cli:no-ttl"));
        assertEquals("-2\n", cli("TTL", "cli:ttl-missing"));
    }

    @Test
    @Covers({"mset", "mget"})
    @DisplayName("redis-cli: MSET and MGET (a missing key prints an empty line)")
    void cliMsetMget() throws Exception {
        assertEquals("OK\n", cli("MSET", "cli:m1", "one", "cli:m2", "two"));
        assertEquals("one\ntwo\n\n", cli("MGET", "cli:m1", "cli:m2", "cli:m-missing"));
    }

    @Test
    @Covers({"select", "set", "get"})
    @DisplayName("redis-cli -n selects a database")
    void cliSelect() throws Exception {
        assertEquals("OK\n", cli("-n", "3", "SET", "cli:db3", "three"));
        assertEquals("three\n", cli("-n", "3", "GET", "cli:db3"));
        assertEquals("\n", cli("GET", "cli:db3"));
    }

    @Test
    @Covers({"scan"})
    @DisplayName("redis-cli: SCAN returns the cursor then the keys")
    void cliScan() throws Exception {
        cli("-n", "5", "SET", "cli:s1", "a");
        cli("-n", "5", "SET", "cli:s2", "b");
        String[] lines = cli("-n", "5", "SCAN", "0", "COUNT", "100").split("\n");
        assertEquals("0", lines[0]);
        assertEquals(Set.of("cli:s1", "cli:s2"), new HashSet<>(Arrays.asList(lines).subList(1, lines.length)));
    }

    @Test
    @Covers({"set", "get", "exists"})
    @DisplayName("redis-cli: a key set with PX is gone after it expires")
    void cliExpiry() throws Exception {
        assertEquals("OK\n", cli("SET", "cli:exp", "v", "PX", "100"));
        Thread.sleep(300);
        assertEquals("\n", cli("GET", "cli:exp"));
        assertEquals("0\n", cli("EXISTS", "cli:exp"));
    }

    @Test
    @Covers({"config|get"})
    @DisplayName("redis-cli: CONFIG GET port")
    void cliConfigGetPort() throws Exception {
        assertEquals("port\n" + server.port() + "\n", cli("CONFIG", "GET", "port"));
    }

    @Test
    @Covers({"hello"})
    @DisplayName("redis-cli -3 HELLO 3 prints the RESP3 map")
    void cliHello3() throws Exception {
        String out = cli("-3", "HELLO", "3");
        List<String> lines = Arrays.asList(out.split("\n"));
        assertTrue(lines.contains("server redis"), out);
        assertTrue(lines.contains("version 7.0.15"), out);
        assertTrue(lines.contains("proto 3"), out);
        assertTrue(lines.contains("mode standalone"), out);
        assertTrue(lines.contains("role master"), out);
    }

    @Test
    @DisplayName("redis-cli: an unknown command prints Redis' error text")
    void cliUnknownCommand() throws Exception {
        assertEquals("ERR unknown command 'nosuchcmd', with args beginning with: 'a' 'b' \n\n", cli("nosuchcmd", "a", "b"));
    }

    @Test
    @Covers({"set", "get", "echo", "dbsize"})
    @DisplayName("redis-cli --pipe mass insertion: every reply read, no errors")
    void cliPipe() throws Exception {
        int n = 5000;
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            String k = "pipe:" + i;
            String v = "value-" + i;
            sb.append("*3\r\n$3\r\nSET\r\n$").append(k.length()).append("\r\n").append(k)
                .append("\r\n$").append(v.length()).append("\r\n").append(v).append("\r\n");
        }
        File input = tmp.resolve("mass.txt").toFile();
        Files.writeString(input.toPath(), sb.toString(), StandardCharsets.US_ASCII);
        String out = run(input, requireBinary("redis-cli"), "-h", "127.0.0.1", "-p", String.valueOf(server.port()),
            "-n", "7", "--pipe");
        assertTrue(out.contains("errors: 0, replies: " + n), out);
        assertEquals("value-4999\n", cli("-n", "7", "GET", "pipe:4999"));
        assertEquals(n + "\n", cli("-n", "7", "DBSIZE"));
    }

    // ---- redis-benchmark ----

    @Test
    @DisplayName("redis-benchmark -t set,get -P 16 -c 20 completes without errors")
    void benchmark() throws Exception {
        String bin = which("redis-benchmark");
        Assumptions.assumeTrue(bin != null, "redis-benchmark is not installed");
        String out = run(null, bin, "-h", "127.0.0.1", "-p", String.valueOf(server.port()),
            "-q", "-t", "set,get", "-n", "20000", "-P", "16", "-c", "20");
        assertTrue(out.contains("SET: "), out);
        assertTrue(out.contains("GET: "), out);
        assertTrue(out.contains("requests per second"), out);
        assertFalse(out.toLowerCase().contains("error"), out);
        assertFalse(out.contains("WARNING"), out);
    }

    // ---- error-text parity with redis-server ----

    /** Commands whose replies (errors above all) must be byte-identical on Strata and Redis. */
    private static final String[][][] PARITY = {
        {{"nosuchcmd", "a", "b c", "d"}},
        {{"nosuchcmd"}},
        {{"GET"}},
        {{"GET", "a", "b"}},
        {{"SET", "k"}},
        {{"SET", "parity:s", "v"}, {"LPUSH", "parity:s", "x"}},
        {{"SET", "parity:i", "abc"}, {"INCR", "parity:i"}},
        {{"SET", "k", "v", "EX", "abc"}},
        {{"SET", "k", "v", "EX", "-1"}},
        {{"SET", "k", "v", "BADOPTION"}},
        {{"SET", "k", "v", "NX", "XX"}},
        {{"SELECT", "99"}},
        {{"SELECT", "abc"}},
        {{"CONFIG", "GET"}},
        {{"CONFIG"}},
        {{"CLIENT", "NOSUCHSUB"}},
        {{"HELLO", "4"}},
        {{"EXEC"}},
        {{"DISCARD"}},
        {{"MULTI"}, {"MULTI"}, {"GET"}, {"EXEC"}},
    };

    @TestFactory
    @DisplayName("Error replies are byte-identical to redis-server's")
    Stream<DynamicTest> errorParity() {
        return Arrays.stream(PARITY).map(commands -> DynamicTest.dynamicTest(describe(commands), () -> {
            int port = realRedis();
            if (Arrays.stream(commands).anyMatch(c -> c[0].equals("LPUSH"))) {
                Assumptions.assumeTrue(server.server().engine().commands.get("lpush") != null,
                    "WRONGTYPE needs a non-string type: no list commands yet");
            }
            try (RawClient strata = new RawClient(server.port()); RawClient real = new RawClient(port)) {
                for (String[] cmd : commands) {
                    String expected = real.call(cmd);
                    String actual = strata.call(cmd);
                    assertEquals(expected, actual, String.join(" ", cmd));
                }
                real.call("DEL", "parity:s", "parity:i", "k");
                strata.call("DEL", "parity:s", "parity:i", "k");
            }
        }));
    }

    private static String describe(String[][] commands) {
        StringBuilder sb = new StringBuilder();
        for (String[] c : commands) {
            if (sb.length() > 0) {
                sb.append("; ");
            }
            sb.append(String.join(" ", c));
        }
        return sb.toString();
    }
}
