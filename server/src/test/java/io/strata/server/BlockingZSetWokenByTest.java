package io.strata.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Blocked zset pops are served from the key that was signalled first, as Redis 7.0 does. */
class BlockingZSetWokenByTest {
    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String bulk(String s) {
        return "$" + s.length() + "\r\n" + s + "\r\n";
    }

    private static void awaitBlocked(int n) throws InterruptedException {
        long end = System.currentTimeMillis() + 5000;
        while (server.server().engine().blockedClients() != n && System.currentTimeMillis() < end) {
            Thread.sleep(5);
        }
        assertEquals(n, server.server().engine().blockedClients());
    }

    /** Fills {@code second} then {@code first} in one transaction, so {@code second} is signalled first. */
    private static void fillInOrder(RawClient w, String[] firstAdd, String[] secondAdd) throws Exception {
        assertEquals("+OK\r\n", w.call("MULTI"));
        w.call(firstAdd);
        w.call(secondAdd);
        w.call("EXEC");
    }

    @Test
    @Covers({"bzpopmin", "bzpopmax", "multi", "exec"})
    @DisplayName("BZPOPMIN/BZPOPMAX blocked on k1 k2 pop from k2 when k2 got data before k1 in the same transaction")
    void bzpopServesSignalledKey() throws Exception {
        try (RawClient a = new RawClient(server.port()); RawClient w = new RawClient(server.port())) {
            w.call("DEL", "k1", "k2", "k7");
            a.command("BZPOPMIN", "k1", "k2", "0");
            awaitBlocked(1);
            fillInOrder(w, new String[]{"ZADD", "k2", "1", "x"}, new String[]{"ZADD", "k1", "1", "y"});
            assertEquals("*3\r\n" + bulk("k2") + bulk("x") + bulk("1"), a.readReply());
            a.command("BZPOPMAX", "k7", "k1", "0");
            awaitBlocked(0); // k1 still holds y
            assertEquals("*3\r\n" + bulk("k1") + bulk("y") + bulk("1"), a.readReply());
        }
    }

    @Test
    @Covers({"bzmpop", "multi", "exec"})
    @DisplayName("BZMPOP blocked on k3 k4 pops COUNT members from k4 when k4 was signalled first")
    void bzmpopServesSignalledKey() throws Exception {
        try (RawClient a = new RawClient(server.port()); RawClient w = new RawClient(server.port())) {
            w.call("DEL", "k3", "k4");
            a.command("BZMPOP", "0", "2", "k3", "k4", "MAX", "COUNT", "2");
            awaitBlocked(1);
            fillInOrder(w, new String[]{"ZADD", "k4", "1", "x", "2", "z"}, new String[]{"ZADD", "k3", "1", "y"});
            assertEquals("*2\r\n" + bulk("k4") + "*2\r\n*2\r\n" + bulk("z") + bulk("2") + "*2\r\n" + bulk("x") + bulk("1"),
                a.readReply());
        }
    }

    @Test
    @Covers({"bzpopmin", "set", "zadd"})
    @DisplayName("A blocked BZPOPMIN stays blocked when a key it waits on becomes another type, and is served by a later ZADD")
    void wrongTypeWhileBlocked() throws Exception {
        try (RawClient a = new RawClient(server.port()); RawClient w = new RawClient(server.port())) {
            w.call("DEL", "k5", "k6");
            a.command("BZPOPMIN", "k5", "k6", "0");
            awaitBlocked(1);
            w.call("RPUSH", "k5", "v");
            awaitBlocked(1);
            w.call("ZADD", "k6", "3", "m");
            assertEquals("*3\r\n" + bulk("k6") + bulk("m") + bulk("3"), a.readReply());
        }
    }
}
