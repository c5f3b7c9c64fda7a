package io.strata.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** BZPOPMIN, BZPOPMAX and BZMPOP with several real connections. */
class BlockingZSetTest {
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

    /** Waits until the server reports {@code n} blocked clients. */
    private static void awaitBlocked(int n) throws InterruptedException {
        long end = System.currentTimeMillis() + 5000;
        while (server.server().engine().blockedClients() != n && System.currentTimeMillis() < end) {
            Thread.sleep(5);
        }
        assertEquals(n, server.server().engine().blockedClients());
    }

    @Test
    @Covers({"bzpopmin", "bzpopmax", "zadd"})
    @DisplayName("BZPOPMIN/BZPOPMAX return at once when data exists, else block until a ZADD from another connection, first come first served")
    void blockAndServeInOrder() throws Exception {
        try (RawClient a = new RawClient(server.port()); RawClient b = new RawClient(server.port());
             RawClient w = new RawClient(server.port())) {
            w.call("ZADD", "ready", "1", "x", "2", "y");
            assertEquals("*3\r\n" + bulk("ready") + bulk("x") + bulk("1"), w.call("BZPOPMIN", "nokey", "ready", "0"));
            assertEquals("*3\r\n" + bulk("ready") + bulk("y") + bulk("2"), w.call("BZPOPMAX", "ready", "0"));
            assertEquals(":0\r\n", w.call("EXISTS", "ready"));

            a.command("BZPOPMIN", "q1", "q2", "0");
            awaitBlocked(1);
            b.command("BZPOPMAX", "q2", "0");
            awaitBlocked(2);
            assertEquals(":1\r\n", w.call("ZADD", "q2", "5", "m"));
            assertEquals("*3\r\n" + bulk("q2") + bulk("m") + bulk("5"), a.readReply());
            awaitBlocked(1);
            assertEquals(":2\r\n", w.call("ZADD", "q2", "6", "n", "7", "o"));
            assertEquals("*3\r\n" + bulk("q2") + bulk("o") + bulk("7"), b.readReply());
            awaitBlocked(0);
            assertEquals("*2\r\n" + bulk("n") + bulk("6"), w.call("ZRANGE", "q2", "0", "-1", "WITHSCORES"));
        }
    }

    @Test
    @Covers({"bzpopmin", "bzmpop"})
    @DisplayName("Blocking pops time out with a null array after a decimal timeout and never block inside MULTI")
    void timeoutsAndMulti() throws Exception {
        try (RawClient a = new RawClient(server.port())) {
            long t0 = System.currentTimeMillis();
            assertEquals("*-1\r\n", a.call("BZPOPMIN", "empty", "0.2"));
            long took = System.currentTimeMillis() - t0;
            assertTrue(took >= 150 && took < 3000, "took " + took);
            assertEquals("*-1\r\n", a.call("BZMPOP", "0.1", "1", "empty", "MIN"));
            assertEquals("-ERR timeout is not a float or out of range\r\n", a.call("BZPOPMIN", "empty", "abc"));
            assertEquals("-ERR timeout is negative\r\n", a.call("BZPOPMIN", "empty", "-1"));
            assertEquals("+OK\r\n", a.call("MULTI"));
            assertEquals("+QUEUED\r\n", a.call("BZPOPMIN", "empty", "0"));
            assertEquals("+QUEUED\r\n", a.call("BZMPOP", "0", "1", "empty", "MAX"));
            assertEquals("*2\r\n*-1\r\n*-1\r\n", a.call("EXEC"));
            a.call("HELLO", "3");
            assertEquals("_\r\n", a.call("BZPOPMIN", "empty", "0.05"));
        }
    }

    @Test
    @Covers({"bzmpop", "zadd"})
    @DisplayName("BZMPOP blocks on several keys and pops COUNT members from the key that got data")
    void bzmpop() throws Exception {
        try (RawClient a = new RawClient(server.port()); RawClient w = new RawClient(server.port())) {
            a.command("BZMPOP", "0", "2", "k1", "k2", "MIN", "COUNT", "2");
            awaitBlocked(1);
            assertEquals(":3\r\n", w.call("ZADD", "k2", "1", "a", "2", "b", "3", "c"));
            assertEquals("*2\r\n" + bulk("k2") + "*2\r\n*2\r\n" + bulk("a") + bulk("1") + "*2\r\n" + bulk("b") + bulk("2"), a.readReply());
            assertEquals("-ERR numkeys should be greater than 0\r\n", a.call("BZMPOP", "0", "0", "k1", "MIN"));
        }
    }
}
