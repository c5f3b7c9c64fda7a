package io.strata.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SmokeTest {
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
    @Covers({"ping", "set", "get"})
    @DisplayName("Jedis can PING, SET and GET over a real socket")
    void pingSetGet() {
        try (Jedis j = server.jedis()) {
            assertEquals("PONG", j.ping());
            assertEquals("OK", j.set("smoke", "v"));
            assertEquals("v", j.get("smoke"));
            assertNull(j.get("smoke-missing"));
        }
    }

    @Test
    @DisplayName("An unknown command gets Redis' exact error text")
    void unknownCommand() throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            assertEquals("-ERR unknown command 'foo', with args beginning with: 'a' 'b' \r\n", c.call("foo", "a", "b"));
            assertEquals("+PONG\r\n", c.call("PING"));
        }
    }

    @Test
    @DisplayName("A malformed frame gets a protocol error and the connection is closed")
    void protocolError() throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            c.send("*1\r\n$x\r\n");
            assertEquals("-ERR Protocol error: invalid bulk length\r\n", c.readReply());
            assertTrue(c.isClosedByServer());
        }
        try (Jedis j = server.jedis()) {
            assertEquals("PONG", j.ping());
        }
    }
}
