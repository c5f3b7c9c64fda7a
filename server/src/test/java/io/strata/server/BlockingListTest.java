package io.strata.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Blocking list commands over several real connections: FIFO service, timeouts, wake-ups from
 * any client, from MULTI/EXEC and from another blocked client's BLMOVE, and the MULTI rule.
 * Replies were checked against redis-server 7.0.15. A waiter is known to be parked when
 * CLIENT LIST shows it with flag b; no test depends on timing beyond "null after its timeout".
 */
class BlockingListTest {
    private static final Pattern FLAGS = Pattern.compile("id=(\\d+) .*? flags=(\\S+)");
    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @BeforeEach
    void flush() throws Exception {
        try (Jedis j = server.jedis()) {
            j.flushAll();
        }
        awaitBlocked(0);
    }

    private static RawClient client() throws Exception {
        return new RawClient(server.port());
    }

    /** Waits until exactly {@code n} connections are parked in a blocking command. */
    private static void awaitBlocked(int n) throws Exception {
        long until = System.currentTimeMillis() + 10_000;
        int seen = -1;
        try (Jedis j = server.jedis()) {
            while (System.currentTimeMillis() < until) {
                seen = 0;
                for (String line : j.clientList().split("\n")) {
                    Matcher m = FLAGS.matcher(line);
                    if (m.find() && m.group(2).contains("b")) {
                        seen++;
                    }
                }
                if (seen == n) {
                    return;
                }
                Thread.sleep(5);
            }
        }
        throw new AssertionError("expected " + n + " blocked clients, saw " + seen);
    }

    private static String pair(String key, String value) {
        return "*2\r\n$" + key.length() + "\r\n" + key + "\r\n$" + value.length() + "\r\n" + value + "\r\n";
    }

    @Test
    @Covers({"blpop", "rpush"})
    @DisplayName("Two clients blocked on one key are served first come, first served, one element each")
    void fifo() throws Exception {
        try (RawClient first = client(); RawClient second = client(); RawClient pusher = client()) {
            first.command("BLPOP", "q", "0");
            awaitBlocked(1);
            second.command("BLPOP", "q", "0");
            awaitBlocked(2);
            assertEquals(":1\r\n", pusher.call("RPUSH", "q", "one"));
            assertEquals(pair("q", "one"), first.readReply());
            awaitBlocked(1);
            assertEquals(":1\r\n", pusher.call("RPUSH", "q", "two"));
            assertEquals(pair("q", "two"), second.readReply());
            awaitBlocked(0);
            assertEquals(":0\r\n", pusher.call("EXISTS", "q"));
        }
    }

    @Test
    @Covers({"blpop", "brpop", "rpush"})
    @DisplayName("One push of several elements serves every waiter in order; BRPOP takes from the tail")
    void onePushServesMany() throws Exception {
        try (RawClient a = client(); RawClient b = client(); RawClient pusher = client()) {
            a.command("BLPOP", "q", "0");
            awaitBlocked(1);
            b.command("BRPOP", "q", "0");
            awaitBlocked(2);
            assertEquals(":3\r\n", pusher.call("RPUSH", "q", "x", "y", "z"));
            assertEquals(pair("q", "x"), a.readReply());
            assertEquals(pair("q", "z"), b.readReply());
            assertEquals("*1\r\n$1\r\ny\r\n", pusher.call("LRANGE", "q", "0", "-1"));
        }
    }

    @Test
    @Covers({"blpop", "brpop", "blmove", "brpoplpush", "blmpop"})
    @DisplayName("Each blocking command answers a null array after its decimal timeout when nothing is pushed")
    void timeout() throws Exception {
        try (RawClient c = client()) {
            assertEquals("*-1\r\n", c.call("BLPOP", "none", "0.05"));
            assertEquals("*-1\r\n", c.call("BRPOP", "none", "other", "0.05"));
            assertEquals("*-1\r\n", c.call("BLMOVE", "none", "dst", "LEFT", "RIGHT", "0.05"));
            assertEquals("*-1\r\n", c.call("BRPOPLPUSH", "none", "dst", "0.05"));
            assertEquals("*-1\r\n", c.call("BLMPOP", "0.05", "2", "none", "other", "LEFT", "COUNT", "3"));
            assertEquals("*-1\r\n", c.call("BLPOP", "none", "0x0.1")); // a C hex float, as strtold reads it
            c.call("HELLO", "3");
            assertEquals("_\r\n", c.call("BLPOP", "none", "0.05"));
            assertEquals(":0\r\n", c.call("EXISTS", "dst"));
        }
        awaitBlocked(0);
    }

    @Test
    @Covers({"blpop", "blmpop", "blmove", "brpoplpush"})
    @DisplayName("Bad timeouts get Redis' errors: not a float, negative, or too large to be a time")
    void timeoutErrors() throws Exception {
        try (RawClient c = client()) {
            assertEquals("-ERR timeout is not a float or out of range\r\n", c.call("BLPOP", "k", "abc"));
            assertEquals("-ERR timeout is not a float or out of range\r\n", c.call("BLPOP", "k", "nan"));
            assertEquals("-ERR timeout is not a float or out of range\r\n", c.call("BLPOP", "k", " 1"));
            assertEquals("-ERR timeout is negative\r\n", c.call("BLPOP", "k", "-1"));
            assertEquals("-ERR timeout is negative\r\n", c.call("BLPOP", "k", "-0.5"));
            assertEquals("-ERR timeout is negative\r\n", c.call("BLPOP", "k", "inf"));
            assertEquals("-ERR timeout is negative\r\n", c.call("BLPOP", "k", "99999999999999999"));
            assertEquals("-ERR timeout is not a float or out of range\r\n", c.call("BLMPOP", "x", "1", "k", "LEFT"));
            assertEquals("-ERR numkeys should be greater than 0\r\n", c.call("BLMPOP", "0", "0", "k", "LEFT"));
            assertEquals("-ERR syntax error\r\n", c.call("BLMOVE", "a", "b", "UP", "LEFT", "x"));
            assertEquals("-ERR timeout is not a float or out of range\r\n", c.call("BLMOVE", "a", "b", "LEFT", "LEFT", "x"));
            assertEquals("-ERR timeout is not a float or out of range\r\n", c.call("BRPOPLPUSH", "a", "b", "x"));
        }
    }

    @Test
    @Covers({"blpop", "lpush", "ping"})
    @DisplayName("Timeout 0 blocks until a push, however long that takes")
    void zeroBlocksUntilPush() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (Jedis waiter = server.jedis(); Jedis pusher = server.jedis()) {
            CompletableFuture<List<String>> got = CompletableFuture.supplyAsync(() -> waiter.blpop(0, "k"), pool);
            awaitBlocked(1);
            Thread.sleep(300); // longer than any timer step: still parked
            assertFalse(got.isDone());
            awaitBlocked(1);
            assertEquals("PONG", pusher.ping());
            pusher.lpush("k", "v");
            assertEquals(List.of("k", "v"), got.get(10, TimeUnit.SECONDS));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    @Covers({"blpop", "multi", "exec", "rpush"})
    @DisplayName("A push inside MULTI/EXEC wakes a waiter once EXEC has run, from the key signalled first")
    void pushInExecWakes() throws Exception {
        try (RawClient waiter = client(); RawClient tx = client()) {
            waiter.command("BLPOP", "k1", "k2", "0");
            awaitBlocked(1);
            assertEquals("+OK\r\n", tx.call("MULTI"));
            assertEquals("+QUEUED\r\n", tx.call("RPUSH", "k2", "x"));
            assertEquals("+QUEUED\r\n", tx.call("RPUSH", "k1", "y"));
            assertEquals("*2\r\n:1\r\n:1\r\n", tx.call("EXEC"));
            // Redis 7.0 serves from the key that was signalled first (k2), not the first key argument
            assertEquals(pair("k2", "x"), waiter.readReply());
            assertEquals("*1\r\n$1\r\ny\r\n", tx.call("LRANGE", "k1", "0", "-1"));
        }
    }

    @Test
    @Covers({"blmove", "brpoplpush", "blpop", "rpush", "exists"})
    @DisplayName("BLMOVE and BRPOPLPUSH results pushed to their destination wake a client blocked on it")
    void moveChainWakes() throws Exception {
        try (RawClient end = client(); RawClient mid = client(); RawClient mid2 = client(); RawClient pusher = client()) {
            end.command("BLPOP", "c", "0");
            awaitBlocked(1);
            mid.command("BLMOVE", "b", "c", "LEFT", "RIGHT", "0");
            awaitBlocked(2);
            mid2.command("BRPOPLPUSH", "a", "b", "0");
            awaitBlocked(3);
            assertEquals(":1\r\n", pusher.call("RPUSH", "a", "v"));
            assertEquals("$1\r\nv\r\n", mid2.readReply());
            assertEquals("$1\r\nv\r\n", mid.readReply());
            assertEquals(pair("c", "v"), end.readReply());
            assertEquals(":0\r\n", pusher.call("EXISTS", "a", "b", "c"));
        }
        awaitBlocked(0);
    }

    @Test
    @Covers({"blpop", "brpop", "blmove", "brpoplpush", "blmpop", "multi", "exec"})
    @DisplayName("Inside MULTI a blocking command never blocks: it answers at once as on timeout, even with timeout 0")
    void noBlockingInMulti() throws Exception {
        try (RawClient c = client()) {
            assertEquals("+OK\r\n", c.call("MULTI"));
            assertEquals("+QUEUED\r\n", c.call("BLPOP", "none", "0"));
            assertEquals("+QUEUED\r\n", c.call("BRPOP", "none", "0"));
            assertEquals("+QUEUED\r\n", c.call("BLMOVE", "none", "dst", "LEFT", "LEFT", "0"));
            assertEquals("+QUEUED\r\n", c.call("BRPOPLPUSH", "none", "dst", "0"));
            assertEquals("+QUEUED\r\n", c.call("BLMPOP", "0", "1", "none", "LEFT"));
            assertEquals("+QUEUED\r\n", c.call("RPUSH", "full", "x"));
            assertEquals("+QUEUED\r\n", c.call("BLPOP", "full", "0"));
            assertEquals("*7\r\n*-1\r\n*-1\r\n$-1\r\n$-1\r\n*-1\r\n:1\r\n" + pair("full", "x"), c.call("EXEC"));
        }
        awaitBlocked(0);
    }

    @Test
    @Covers({"blpop", "ping", "llen", "rpush"})
    @DisplayName("Commands pipelined behind a blocked command run only after it is served, in order")
    void pipelinedAfterBlock() throws Exception {
        try (RawClient waiter = client(); RawClient pusher = client()) {
            waiter.send("*3\r\n$5\r\nBLPOP\r\n$1\r\nk\r\n$1\r\n0\r\n"
                + "*1\r\n$4\r\nPING\r\n"
                + "*2\r\n$4\r\nLLEN\r\n$1\r\nk\r\n");
            awaitBlocked(1);
            assertEquals(":2\r\n", pusher.call("RPUSH", "k", "x", "y"));
            assertEquals(pair("k", "x"), waiter.readReply());
            assertEquals("+PONG\r\n", waiter.readReply());
            assertEquals(":1\r\n", waiter.readReply());
        }
    }

    @Test
    @Covers({"blmpop", "blpop", "rpush"})
    @DisplayName("BLMPOP with COUNT takes up to COUNT elements when served, and the next waiter gets the rest")
    void blmpopServed() throws Exception {
        try (RawClient a = client(); RawClient b = client(); RawClient pusher = client()) {
            a.command("BLMPOP", "0", "2", "x", "k", "LEFT", "COUNT", "2");
            awaitBlocked(1);
            b.command("BLPOP", "k", "0");
            awaitBlocked(2);
            pusher.call("RPUSH", "k", "1", "2", "3");
            assertEquals("*2\r\n$1\r\nk\r\n*2\r\n$1\r\n1\r\n$1\r\n2\r\n", a.readReply());
            assertEquals(pair("k", "3"), b.readReply());
        }
    }

    @Test
    @Covers({"blmove", "set", "rpush", "lrange"})
    @DisplayName("A waiting BLMOVE whose destination became another type gets WRONGTYPE and the element stays in the source")
    void servedMoveWrongType() throws Exception {
        try (RawClient waiter = client(); RawClient other = client()) {
            waiter.command("BLMOVE", "src", "dst", "LEFT", "LEFT", "0");
            awaitBlocked(1);
            other.call("SET", "dst", "string");
            other.call("RPUSH", "src", "v");
            assertEquals(ListCommandsTest.WRONGTYPE, waiter.readReply());
            assertEquals("*1\r\n$1\r\nv\r\n", other.call("LRANGE", "src", "0", "-1"));
        }
        awaitBlocked(0);
    }

    @Test
    @Covers({"blpop", "set", "del", "rpush"})
    @DisplayName("A waiter stays blocked while its key holds another type and is served once it is a list again")
    void keyOfOtherTypeKeepsWaiting() throws Exception {
        try (RawClient waiter = client(); RawClient other = client()) {
            waiter.command("BLPOP", "k", "0");
            awaitBlocked(1);
            assertEquals("+OK\r\n", other.call("SET", "k", "s"));
            assertEquals(":1\r\n", other.call("DEL", "k"));
            awaitBlocked(1);
            assertEquals(":1\r\n", other.call("RPUSH", "k", "v"));
            assertEquals(pair("k", "v"), waiter.readReply());
        }
    }

    @Test
    @Covers({"blpop", "rpush", "select"})
    @DisplayName("A waiter that disconnects gives its turn to the next one, and waiters are per database")
    void disconnectAndDatabases() throws Exception {
        try (RawClient gone = client(); RawClient next = client(); RawClient db1 = client(); RawClient pusher = client()) {
            assertEquals("+OK\r\n", db1.call("SELECT", "1"));
            db1.command("BLPOP", "k", "0");
            awaitBlocked(1);
            gone.command("BLPOP", "k", "0");
            awaitBlocked(2);
            next.command("BLPOP", "k", "0");
            awaitBlocked(3);
            gone.close();
            awaitBlocked(2);
            pusher.call("RPUSH", "k", "v");
            assertEquals(pair("k", "v"), next.readReply());
            assertEquals("+OK\r\n", pusher.call("SELECT", "1"));
            pusher.call("RPUSH", "k", "w");
            assertEquals(pair("k", "w"), db1.readReply());
        }
        awaitBlocked(0);
    }
}
