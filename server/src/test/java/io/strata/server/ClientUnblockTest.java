package io.strata.server;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ClientUnblockTest {
    private static long clientId(RawClient c) throws Exception {
        String r = c.call("CLIENT", "ID");
        return Long.parseLong(r.substring(1, r.length() - 2));
    }

    @Test
    @Covers({"client|unblock", "blpop"})
    @DisplayName("CLIENT UNBLOCK ends a BLPOP as a timeout (null) or with the UNBLOCKED error, and answers 0 for a client that is not blocked")
    void unblock() throws Exception {
        try (TestServer s = TestServer.start();
             RawClient blocked = new RawClient(s.port()); RawClient admin = new RawClient(s.port())) {
            long id = clientId(blocked);
            assertEquals(":0\r\n", admin.call("CLIENT", "UNBLOCK", Long.toString(id)));
            blocked.command("BLPOP", "nothing", "0");
            waitBlocked(admin);
            assertEquals(":1\r\n", admin.call("CLIENT", "UNBLOCK", Long.toString(id)));
            assertEquals("*-1\r\n", blocked.readReply());
            blocked.command("BLPOP", "nothing", "0");
            waitBlocked(admin);
            assertEquals(":1\r\n", admin.call("CLIENT", "UNBLOCK", Long.toString(id), "ERROR"));
            assertEquals("-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n", blocked.readReply());
            assertEquals("-ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR\r\n",
                admin.call("CLIENT", "UNBLOCK", Long.toString(id), "MAYBE"));
            assertEquals("+PONG\r\n", blocked.call("PING"));
        }
    }

    private static void waitBlocked(RawClient admin) throws Exception {
        for (int i = 0; i < 500; i++) {
            if (admin.call("INFO", "clients").contains("blocked_clients:1")) {
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("client never blocked");
    }
}
