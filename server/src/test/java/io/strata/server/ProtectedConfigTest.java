package io.strata.server;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ProtectedConfigTest {
    @Test
    @Covers({"config|set", "config|get"})
    @DisplayName("dir and dbfilename are protected configs as in Redis 7: refused unless enable-protected-configs allows them")
    void protectedConfigs() throws Exception {
        try (TestServer s = TestServer.start(); RawClient c = new RawClient(s.port())) {
            assertEquals("-ERR CONFIG SET failed (possibly related to argument 'dir') - can't set protected config\r\n",
                c.call("CONFIG", "SET", "dir", "/tmp"));
            assertEquals("-ERR CONFIG SET failed (possibly related to argument 'dbfilename') - can't set protected config\r\n",
                c.call("CONFIG", "SET", "dbfilename", "x.rdb"));
            assertEquals("-ERR CONFIG SET failed (possibly related to argument 'enable-protected-configs') - can't set immutable config\r\n",
                c.call("CONFIG", "SET", "enable-protected-configs", "yes"));
            assertEquals("*2\r\n$24\r\nenable-protected-configs\r\n$2\r\nno\r\n", c.call("CONFIG", "GET", "enable-protected-configs"));
        }
        try (TestServer s = TestServer.start("--enable-protected-configs", "local"); RawClient c = new RawClient(s.port())) {
            assertEquals("+OK\r\n", c.call("CONFIG", "SET", "dbfilename", "x.rdb"));
        }
    }
}
