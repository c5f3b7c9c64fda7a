package io.strata.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConnectionCommandsTest {
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
    @Covers({"ping", "echo"})
    @DisplayName("PING and ECHO answer as Redis, including PING in RESP2 subscribed mode")
    void pingEcho() throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            assertEquals("+PONG\r\n", c.call("ping"));
            assertEquals("$5\r\nhello\r\n", c.call("ping", "hello"));
            assertEquals("-ERR wrong number of arguments for 'ping' command\r\n", c.call("ping", "a", "b"));
            assertEquals("$3\r\nabc\r\n", c.call("echo", "abc"));
            assertEquals("-ERR wrong number of arguments for 'echo' command\r\n", c.call("echo"));
            c.call("subscribe", "ch");
            assertEquals("*2\r\n$4\r\npong\r\n$0\r\n\r\n", c.call("ping"));
            assertEquals("*2\r\n$4\r\npong\r\n$2\r\nhi\r\n", c.call("ping", "hi"));
        }
    }

    @Test
    @Covers({"quit"})
    @DisplayName("QUIT answers +OK and the server closes the connection")
    void quit() throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            assertEquals("+OK\r\n", c.call("quit"));
            assertTrue(c.isClosedByServer());
        }
    }

    @Test
    @Covers({"select"})
    @DisplayName("SELECT switches databases and refuses bad indexes with Redis' texts")
    void select() throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            c.call("select", "3");
            c.call("set", "sel:k", "three");
            assertEquals("+OK\r\n", c.call("select", "0"));
            assertEquals("$-1\r\n", c.call("get", "sel:k"));
            c.call("select", "3");
            assertEquals("$5\r\nthree\r\n", c.call("get", "sel:k"));
            assertEquals("-ERR DB index is out of range\r\n", c.call("select", "16"));
            assertEquals("-ERR DB index is out of range\r\n", c.call("select", "-1"));
            assertEquals("-ERR value is not an integer or out of range\r\n", c.call("select", "x"));
        }
    }

    @Test
    @Covers({"hello"})
    @DisplayName("HELLO 3 switches to RESP3 with Redis' handshake map; HELLO 2 back; bad versions and options error")
    void hello() throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            String r = c.call("hello", "3", "setname", "conn1");
            assertTrue(r.matches("%7\\r\\n\\$6\\r\\nserver\\r\\n\\$5\\r\\nredis\\r\\n\\$7\\r\\nversion\\r\\n\\$6\\r\\n7\\.0\\.15\\r\\n"
                + "\\$5\\r\\nproto\\r\\n:3\\r\\n\\$2\\r\\nid\\r\\n:\\d+\\r\\n\\$4\\r\\nmode\\r\\n\\$10\\r\\nstandalone\\r\\n"
                + "\\$4\\r\\nrole\\r\\n\\$6\\r\\nmaster\\r\\n\\$7\\r\\nmodules\\r\\n\\*0\\r\\n"), r);
            assertEquals("$5\r\nconn1\r\n", c.call("client", "getname"));
            assertEquals("_\r\n", c.call("get", "hello:missing"));
            assertTrue(c.call("hello", "2").startsWith("*14\r\n"));
            assertEquals("$-1\r\n", c.call("get", "hello:missing"));
            assertTrue(c.call("hello").startsWith("*14\r\n"), "HELLO without version keeps the protocol");
            assertEquals("-NOPROTO unsupported protocol version\r\n", c.call("hello", "4"));
            assertEquals("-ERR Protocol version is not an integer or out of range\r\n", c.call("hello", "x"));
            assertEquals("-ERR Syntax error in HELLO option 'foo'\r\n", c.call("hello", "3", "foo"));
            assertEquals("-ERR Client names cannot contain spaces, newlines or special characters.\r\n",
                c.call("hello", "2", "setname", "a b"));
        }
    }

    @Test
    @Covers({"auth", "hello"})
    @DisplayName("With requirepass every command gets NOAUTH until AUTH or HELLO AUTH succeeds; wrong passwords get WRONGPASS")
    void auth() throws Exception {
        try (TestServer s = TestServer.start("--requirepass", "secret"); RawClient c = new RawClient(s.port())) {
            assertEquals("-NOAUTH Authentication required.\r\n", c.call("get", "k"));
            assertEquals("-NOAUTH Authentication required.\r\n", c.call("ping"));
            assertEquals("-NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH "
                + "<user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time\r\n",
                c.call("hello", "3"));
            assertEquals("-WRONGPASS invalid username-password pair or user is disabled.\r\n", c.call("auth", "nope"));
            assertEquals("-WRONGPASS invalid username-password pair or user is disabled.\r\n", c.call("auth", "bob", "secret"));
            assertEquals("-ERR syntax error\r\n", c.call("auth", "a", "b", "c"));
            assertEquals("+OK\r\n", c.call("auth", "secret"));
            assertEquals("+PONG\r\n", c.call("ping"));
            assertEquals("+OK\r\n", c.call("auth", "default", "secret"));
            try (RawClient h = new RawClient(s.port())) {
                assertEquals("-WRONGPASS invalid username-password pair or user is disabled.\r\n",
                    h.call("hello", "3", "auth", "default", "bad"));
                String r = h.call("hello", "3", "auth", "default", "secret", "setname", "authed");
                assertTrue(r.startsWith("%7\r\n"), r);
                assertEquals("$6\r\nauthed\r\n", h.call("client", "getname"));
                assertEquals("+RESET\r\n", h.call("reset"));
                assertEquals("-NOAUTH Authentication required.\r\n", h.call("get", "k"), "RESET drops authentication");
            }
        }
        try (RawClient c = new RawClient(server.port())) {
            assertEquals("-ERR AUTH <password> called without any password configured for the default user. "
                + "Are you sure your configuration is correct?\r\n", c.call("auth", "x"));
            assertEquals("+OK\r\n", c.call("auth", "default", "anything"));
        }
    }

    @Test
    @Covers({"reset"})
    @DisplayName("RESET returns to db 0, RESP2, no name, no transaction, no subscriptions, replies on; keeps CLIENT NO-EVICT")
    void reset() throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            c.call("hello", "3");
            c.call("select", "5");
            c.call("client", "setname", "before");
            c.call("client", "no-evict", "on");
            c.call("multi");
            assertEquals("+RESET\r\n", c.call("reset"));
            String info = c.call("client", "info");
            assertTrue(info.contains(" db=0 ") && info.contains(" name= ") && info.contains(" flags=e ")
                && info.contains(" multi=-1 ") && info.contains(" resp=2 "), info);
            c.call("subscribe", "ch");
            assertEquals("+RESET\r\n", c.call("reset"));
            assertEquals("+PONG\r\n", c.call("ping"), "no longer subscribed");
            assertTrue(c.call("client", "info").contains(" sub=0 "));
        }
    }
}
