package io.strata.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ServerLimitsTest {
    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    @Covers({"config|set"})
    @DisplayName("Past maxclients a new connection gets 'ERR max number of clients reached' and is closed")
    void maxClients() throws Exception {
        try (TestServer s = TestServer.start("--maxclients", "2");
             RawClient a = new RawClient(s.port()); RawClient b = new RawClient(s.port());
             RawClient c = new RawClient(s.port())) {
            assertEquals("+PONG\r\n", a.call("ping"));
            assertEquals("+PONG\r\n", b.call("ping"));
            assertEquals("-ERR max number of clients reached\r\n", c.readReply());
            assertTrue(c.isClosedByServer());
        }
    }

    @Test
    @Covers({"config|set"})
    @DisplayName("A client idle longer than 'timeout' seconds is closed by the cron")
    void idleTimeout() throws Exception {
        try (TestServer s = TestServer.start("--timeout", "1", "--hz", "50"); RawClient c = new RawClient(s.port())) {
            assertEquals("+PONG\r\n", c.call("ping"));
            long t0 = System.nanoTime();
            assertTrue(c.isClosedByServer());
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms >= 900 && ms < 5000, "closed after " + ms + " ms");
        }
    }

    @Test
    @Covers({"config|set"})
    @DisplayName("A query buffer above client-query-buffer-limit closes the client")
    void queryBufferLimit() throws Exception {
        try (RawClient admin = new RawClient(server.port()); RawClient c = new RawClient(server.port())) {
            assertEquals("+OK\r\n", admin.call("config", "set", "client-query-buffer-limit", "1mb"));
            try {
                c.send("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2000000\r\n");
                byte[] chunk = new byte[64 * 1024];
                java.util.Arrays.fill(chunk, (byte) 'x');
                try {
                    for (int i = 0; i < 20; i++) {
                        c.send(chunk);
                    }
                } catch (java.io.IOException e) {
                    // the server may close while we are still writing
                }
                assertTrue(c.isClosedByServer());
                assertEquals("+PONG\r\n", admin.call("ping"));
            } finally {
                admin.call("config", "set", "client-query-buffer-limit", "1gb");
            }
        }
    }

    @Test
    @Covers({"config|set"})
    @DisplayName("A bulk longer than proto-max-bulk-len gets 'Protocol error: invalid bulk length', also after CONFIG SET")
    void protoMaxBulkLen() throws Exception {
        try (RawClient admin = new RawClient(server.port()); RawClient c = new RawClient(server.port())) {
            assertEquals("+OK\r\n", admin.call("config", "set", "proto-max-bulk-len", "1mb"));
            try {
                c.send("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1048577\r\n");
                assertEquals("-ERR Protocol error: invalid bulk length\r\n", c.readReply());
                assertTrue(c.isClosedByServer());
            } finally {
                admin.call("config", "set", "proto-max-bulk-len", "512mb");
            }
        }
    }

    @Test
    @Covers({"monitor"})
    @DisplayName("MONITOR shows other clients' commands in Redis' format: time [db addr] \"arg\" ...")
    void monitor() throws Exception {
        try (RawClient m = new RawClient(server.port()); RawClient c = new RawClient(server.port())) {
            assertEquals("+OK\r\n", m.call("monitor"));
            c.call("select", "2");
            c.call("set", "mon:k", "a b\n");
            String sel = m.readReply();
            assertTrue(sel.matches("\\+\\d{10}\\.\\d{6} \\[2 127\\.0\\.0\\.1:\\d+\\] \"select\" \"2\"\\r\\n"), sel);
            String set = m.readReply();
            assertTrue(set.matches("\\+\\d{10}\\.\\d{6} \\[2 127\\.0\\.0\\.1:\\d+\\] \"set\" \"mon:k\" \"a b\\\\n\"\\r\\n"), set);
            assertEquals("*1\r\n-ERR MONITOR isn't allowed for DENY BLOCKING client\r\n", multiMonitor(c));
        }
    }

    private static String multiMonitor(RawClient c) throws Exception {
        // as redis-server 7.0.15: MONITOR is queued, and refused when EXEC runs it
        c.call("multi");
        c.call("monitor");
        return c.call("exec");
    }

    @Test
    @Covers({"time"})
    @DisplayName("TIME answers seconds and microseconds as two bulk strings")
    void time() throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            String r = c.call("time");
            assertTrue(r.matches("\\*2\\r\\n\\$10\\r\\n\\d{10}\\r\\n\\$\\d\\r\\n\\d{1,6}\\r\\n"), r);
            long secs = Long.parseLong(r.split("\r\n")[2]);
            assertTrue(Math.abs(secs - System.currentTimeMillis() / 1000) <= 2);
            assertEquals("-ERR wrong number of arguments for 'time' command\r\n", c.call("time", "x"));
        }
    }

    @Test
    @Covers({"command", "command|count", "command|info", "command|docs", "command|list", "command|getkeys", "command|help"})
    @DisplayName("COMMAND and its subcommands describe the command table as Redis 7.0 does")
    void commandFamily() throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            String count = c.call("command", "count");
            int n = Integer.parseInt(count.substring(1, count.length() - 2));
            assertEquals(server.server().engine().commands.size(), n);
            assertTrue(c.call("command").startsWith("*" + n + "\r\n"));
            String get = c.call("command", "info", "get", "nosuch");
            assertTrue(get.startsWith("*2\r\n*10\r\n$3\r\nget\r\n:2\r\n"), get);
            assertTrue(get.endsWith("*-1\r\n"), get);
            String docs = c.call("command", "docs", "get");
            assertTrue(docs.contains("$7\r\nsummary\r\n") && docs.contains("$5\r\ngroup\r\n$6\r\nstring\r\n"), docs);
            String list = c.call("command", "list", "filterby", "pattern", "slowlog*");
            assertTrue(list.startsWith("*5\r\n") && list.contains("$11\r\nslowlog|get\r\n"), list);
            assertEquals("*1\r\n$1\r\nk\r\n", c.call("command", "getkeys", "set", "k", "v"));
            assertEquals("-ERR Invalid command specified\r\n", c.call("command", "getkeys", "nosuch", "k"));
            assertEquals("-ERR The command has no key arguments\r\n", c.call("command", "getkeys", "ping", "x"));
            String help = c.call("command", "help");
            assertTrue(help.startsWith("*") && help.contains("+COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n"));
            assertTrue(help.endsWith("+HELP\r\n+    Prints this help.\r\n"), help);
        }
    }

    @Test
    @Covers({"shutdown"})
    @DisplayName("SHUTDOWN NOSAVE closes clients and stops the server; SHUTDOWN ABORT without a shutdown errors")
    void shutdown() throws Exception {
        try (TestServer s = TestServer.start(); RawClient c = new RawClient(s.port())) {
            assertEquals("-ERR No shutdown in progress.\r\n", c.call("shutdown", "abort"));
            assertEquals("-ERR syntax error\r\n", c.call("shutdown", "foo"));
            c.command("shutdown", "nosave");
            assertTrue(c.isClosedByServer());
            assertTrue(s.server().awaitShutdown(10, TimeUnit.SECONDS));
        }
    }
}
