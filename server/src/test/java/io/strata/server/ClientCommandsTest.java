package io.strata.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClientCommandsTest {
    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static long id(RawClient c) throws Exception {
        String r = c.call("client", "id");
        return Long.parseLong(r.substring(1, r.length() - 2));
    }

    /** The ip:port this client connects from, as the server prints it. */
    private static String addr(RawClient c) throws Exception {
        String info = c.call("client", "info");
        int at = info.indexOf(" addr=") + 6;
        return info.substring(at, info.indexOf(' ', at));
    }

    @Test
    @Covers({"client", "client|id", "client|setname", "client|getname", "client|info", "client|list", "client|setinfo"})
    @DisplayName("CLIENT ID, SETNAME, GETNAME, SETINFO, INFO and LIST (all, TYPE, ID) show Redis' fields")
    void identity() throws Exception {
        try (RawClient a = new RawClient(server.port()); RawClient b = new RawClient(server.port())) {
            long ida = id(a);
            assertTrue(id(b) > ida);
            assertEquals("$-1\r\n", a.call("client", "getname"));
            assertEquals("+OK\r\n", a.call("client", "setname", "alpha"));
            assertEquals("$5\r\nalpha\r\n", a.call("client", "getname"));
            assertEquals("-ERR Client names cannot contain spaces, newlines or special characters.\r\n",
                a.call("client", "setname", "a b"));
            assertEquals("+OK\r\n", a.call("client", "setinfo", "lib-name", "strata-test"));
            assertEquals("-ERR Unrecognized option 'foo'\r\n", a.call("client", "setinfo", "foo", "bar"));
            String info = a.call("client", "info");
            assertTrue(info.matches("\\$\\d+\\r\\nid=" + ida + " addr=127\\.0\\.0\\.1:\\d+ laddr=127\\.0\\.0\\.1:" + server.port()
                + " fd=\\d+ name=alpha age=\\d+ idle=\\d+ flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 .* cmd=client\\|info "
                + "user=default redir=-1 resp=2.*\\n\\r\\n"), info);
            String list = b.call("client", "list");
            assertTrue(list.contains("id=" + ida + " ") && list.contains("name=alpha") && list.contains("cmd=client|list"), list);
            String one = b.call("client", "list", "id", String.valueOf(ida));
            assertEquals(1, one.split("id=", -1).length - 1, one);
            assertTrue(b.call("client", "list", "type", "normal").contains("id=" + ida + " "));
            assertFalse(b.call("client", "list", "type", "pubsub").contains("id=" + ida + " "));
            assertEquals("-ERR Unknown client type 'foo'\r\n", b.call("client", "list", "type", "foo"));
            assertEquals("-ERR Invalid client ID\r\n", b.call("client", "list", "id", "x"));
            assertEquals("-ERR syntax error\r\n", b.call("client", "list", "foo"));
        }
    }

    @Test
    @Covers({"client|kill"})
    @DisplayName("CLIENT KILL by address (old form) and by ID, ADDR, SKIPME (new form), with Redis' errors")
    void kill() throws Exception {
        try (RawClient admin = new RawClient(server.port()); RawClient v1 = new RawClient(server.port());
             RawClient v2 = new RawClient(server.port())) {
            assertEquals("+OK\r\n", admin.call("client", "kill", addr(v1)));
            assertTrue(v1.isClosedByServer());
            assertEquals("-ERR No such client\r\n", admin.call("client", "kill", "1.2.3.4:5"));
            assertEquals(":1\r\n", admin.call("client", "kill", "id", String.valueOf(id(v2))));
            assertTrue(v2.isClosedByServer());
            assertEquals(":0\r\n", admin.call("client", "kill", "id", "999999"));
            assertEquals("-ERR client-id should be greater than 0\r\n", admin.call("client", "kill", "id", "0"));
            assertEquals("-ERR Unknown client type 'foo'\r\n", admin.call("client", "kill", "type", "foo"));
            assertEquals("-ERR syntax error\r\n", admin.call("client", "kill", "id", "1", "skipme"));
            assertEquals("-ERR syntax error\r\n", admin.call("client", "kill", "skipme", "maybe"));
            String self = addr(admin);
            assertEquals(":0\r\n", admin.call("client", "kill", "addr", self), "SKIPME yes is the default");
            assertEquals(":1\r\n", admin.call("client", "kill", "addr", self, "skipme", "no"));
            assertTrue(admin.isClosedByServer());
        }
    }

    @Test
    @Covers({"client|pause", "client|unpause"})
    @DisplayName("CLIENT PAUSE WRITE holds writes until the pause ends while reads go on; ALL holds everything; UNPAUSE releases")
    void pause() throws Exception {
        try (RawClient admin = new RawClient(server.port()); RawClient w = new RawClient(server.port())) {
            assertEquals("+OK\r\n", admin.call("client", "pause", "300", "write"));
            long t0 = System.nanoTime();
            w.command("set", "pause:k", "v");
            assertEquals("$-1\r\n", admin.call("get", "pause:other"), "reads are not paused");
            assertEquals("+OK\r\n", w.readReply());
            assertTrue(System.nanoTime() - t0 >= 250_000_000L, "write answered before the pause ended");

            assertEquals("+OK\r\n", admin.call("client", "pause", "200", "ALL"));
            t0 = System.nanoTime();
            assertEquals("$1\r\nv\r\n", w.call("get", "pause:k"));
            assertTrue(System.nanoTime() - t0 >= 150_000_000L, "ALL pauses reads too");

            assertEquals("+OK\r\n", admin.call("client", "pause", "100000", "write"));
            CompletableFuture<String> held = CompletableFuture.supplyAsync(() -> {
                try {
                    return w.call("set", "pause:k", "v2");
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            Thread.sleep(100);
            assertFalse(held.isDone());
            assertEquals("+OK\r\n", admin.call("client", "unpause"));
            assertEquals("+OK\r\n", held.get(5, TimeUnit.SECONDS));

            assertEquals("-ERR timeout is not an integer or out of range\r\n", admin.call("client", "pause", "x"));
            assertEquals("-ERR timeout is negative\r\n", admin.call("client", "pause", "-1"));
            assertEquals("-ERR CLIENT PAUSE mode must be WRITE or ALL\r\n", admin.call("client", "pause", "10", "foo"));
        }
    }

    @Test
    @Covers({"client|reply", "client|no-evict", "client|help"})
    @DisplayName("CLIENT REPLY OFF mutes, SKIP drops one reply, ON restores; NO-EVICT sets flag e; CLIENT HELP as Redis")
    void replyNoEvictHelp() throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            c.command("client", "reply", "off");
            c.command("set", "reply:k", "1");
            c.command("client", "reply", "skip"); // ignored while OFF
            assertEquals("+OK\r\n", c.call("client", "reply", "on"));
            c.command("client", "reply", "skip");
            c.command("set", "reply:k", "2");
            assertEquals("$1\r\n2\r\n", c.call("get", "reply:k"), "SETs ran silently, SKIP dropped only the next reply");
            assertEquals("-ERR syntax error\r\n", c.call("client", "reply", "maybe"));

            assertEquals("+OK\r\n", c.call("client", "no-evict", "on"));
            assertTrue(c.call("client", "info").contains(" flags=e "));
            assertEquals("+OK\r\n", c.call("client", "no-evict", "OFF"));
            assertTrue(c.call("client", "info").contains(" flags=N "));
            assertEquals("-ERR syntax error\r\n", c.call("client", "no-evict", "maybe"));

            String help = c.call("client", "help");
            assertTrue(help.startsWith("*"), help);
            assertTrue(help.contains("\r\n+CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+GETNAME\r\n"), help);
            assertTrue(help.endsWith("+NO-EVICT (ON|OFF)\r\n+    Protect current client connection from eviction.\r\n+HELP\r\n+    Prints this help.\r\n"), help);
            assertEquals("-ERR unknown subcommand 'foo'. Try CLIENT HELP.\r\n", c.call("client", "foo"));
        }
    }
}
