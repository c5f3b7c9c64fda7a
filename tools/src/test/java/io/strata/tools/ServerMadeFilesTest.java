package io.strata.tools;

import io.strata.server.ConfigLoader;
import io.strata.server.StrataServer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The tools on files a real Strata server wrote: an AOF made with appendfsync always (one frame
 * per command) gets a flipped byte in a middle frame; aof-repair finds it, --fix drops only that
 * frame, and the server then starts on the result with every other write. rdb-inspect lists a
 * server-made dump.
 */
class ServerMadeFilesTest {
    @TempDir
    Path dir;

    private static StrataServer start(Path dir, String... extra) throws Exception {
        String[] base = {"--port", "0", "--bind", "127.0.0.1", "--dir", dir.toString(), "--save", ""};
        String[] all = Stream.concat(Stream.of(base), Stream.of(extra)).toArray(String[]::new);
        StrataServer s = new StrataServer(ConfigLoader.load(all));
        s.start();
        return s;
    }

    private static void stop(StrataServer s) throws InterruptedException {
        s.shutdown();
        assertTrue(s.awaitShutdown(10, TimeUnit.SECONDS));
    }

    /** Sends commands and returns the last reply line. */
    private static String call(int port, String... cmds) throws Exception {
        try (Socket so = new Socket("127.0.0.1", port)) {
            OutputStream out = so.getOutputStream();
            InputStream in = new BufferedInputStream(so.getInputStream());
            String last = null;
            for (String c : cmds) {
                String[] parts = c.split(" ");
                StringBuilder sb = new StringBuilder("*").append(parts.length).append("\r\n");
                for (String p : parts) {
                    sb.append('$').append(p.length()).append("\r\n").append(p).append("\r\n");
                }
                out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
                out.flush();
                StringBuilder line = new StringBuilder();
                int ch;
                while ((ch = in.read()) != '\n') {
                    line.append((char) ch);
                }
                last = line.toString().trim();
            }
            return last;
        }
    }

    @Test
    @DisplayName("A flipped byte in a server-made AOF is found, --fix drops one frame, and the server starts on the result")
    void repairServerMadeAof() throws Exception {
        StrataServer s = start(dir, "--appendonly", "yes", "--appendfsync", "always");
        String[] sets = new String[300];
        for (int i = 0; i < sets.length; i++) {
            sets[i] = "SET key" + i + " value-" + i;
        }
        call(s.port(), sets);
        stop(s);
        Path aofDir = dir.resolve("appendonlydir");
        assertEquals(0, ToolRun.aofRepair(aofDir.toString()).status(), "a clean AOF checks clean");
        Path incr;
        try (Stream<Path> files = Files.list(aofDir)) {
            incr = files.filter(f -> f.getFileName().toString().endsWith(".incr.aof")).findFirst().orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(incr);
        bytes[bytes.length / 2] ^= 0x40;
        Files.write(incr, bytes);

        ToolRun check = ToolRun.aofRepair(aofDir.toString());
        assertEquals(1, check.status(), check.toString());
        ToolRun fix = ToolRun.aofRepair("--fix", aofDir.toString());
        assertEquals(0, fix.status(), fix.toString());
        assertEquals(0, ToolRun.aofRepair(aofDir.toString()).status(), "repaired AOF checks clean");

        StrataServer again = start(dir, "--appendonly", "yes");
        try {
            long keys = Long.parseLong(call(again.port(), "DBSIZE").substring(1));
            assertEquals(299, keys, "exactly the one damaged SET was dropped");
            assertEquals("$7", call(again.port(), "GET key0"));
            assertEquals("$9", call(again.port(), "GET key299"));
        } finally {
            stop(again);
        }
    }

    @Test
    @DisplayName("rdb-inspect lists every key of a dump.rdb written by a Strata SAVE")
    void inspectServerMadeRdb() throws Exception {
        StrataServer s = start(dir);
        call(s.port(), "SET s 1", "RPUSH l a b c", "HSET h f v", "SADD t x", "ZADD z 1 m", "SAVE");
        stop(s);
        ToolRun r = ToolRun.rdbInspect("--json", dir.resolve("dump.rdb").toString());
        assertEquals(0, r.status(), r.toString());
        for (String t : new String[] {"\"type\":\"string\"", "\"type\":\"list\"", "\"type\":\"hash\"", "\"type\":\"set\"",
            "\"type\":\"zset\""}) {
            assertTrue(r.out().contains(t), t + " in " + r.out());
        }
        assertEquals(0, ToolRun.rdbInspect("--check", dir.resolve("dump.rdb").toString()).status());
    }
}
