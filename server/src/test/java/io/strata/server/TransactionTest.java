package io.strata.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Response;
import redis.clients.jedis.Transaction;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.SetParams;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * MULTI/EXEC/DISCARD/WATCH/UNWATCH against a real server with Jedis, and with a raw client
 * where the exact reply bytes matter. Expected replies were checked against redis-server 7.0.15.
 */
@Covers({"multi", "exec", "discard", "watch", "unwatch"})
class TransactionTest {
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
    @DisplayName("MULTI queues commands and EXEC runs them in order, returning every reply")
    void multiExec() {
        try (Jedis j = server.jedis()) {
            Transaction t = j.multi();
            Response<String> set = t.set("tx:a", "1");
            Response<String> get = t.get("tx:a");
            Response<String> set2 = t.set("tx:a", "2");
            Response<String> get2 = t.get("tx:a");
            List<Object> results = t.exec();
            assertEquals(4, results.size());
            assertEquals("OK", set.get());
            assertEquals("1", get.get());
            assertEquals("OK", set2.get());
            assertEquals("2", get2.get());
            assertEquals("2", j.get("tx:a"));
        }
    }

    @Test
    @DisplayName("Queued commands reply +QUEUED and nothing runs before EXEC; an empty MULTI/EXEC is an empty array")
    void queuedRepliesRaw() throws Exception {
        try (RawClient c = new RawClient(server.port()); RawClient other = new RawClient(server.port())) {
            assertEquals("+OK\r\n", c.call("MULTI"));
            assertEquals("+QUEUED\r\n", c.call("SET", "tx:raw", "v"));
            assertEquals("$-1\r\n", other.call("GET", "tx:raw"));
            assertEquals("*1\r\n+OK\r\n", c.call("EXEC"));
            assertEquals("$1\r\nv\r\n", other.call("GET", "tx:raw"));
            assertEquals("+OK\r\n", c.call("MULTI"));
            assertEquals("*0\r\n", c.call("EXEC"));
        }
    }

    @Test
    @DisplayName("DISCARD drops the queue and leaves the data untouched")
    void discard() {
        try (Jedis j = server.jedis()) {
            j.set("tx:d", "before");
            Transaction t = j.multi();
            t.set("tx:d", "after");
            assertEquals("OK", t.discard());
            assertEquals("before", j.get("tx:d"));
            assertEquals("PONG", j.ping());
        }
    }

    @Test
    @DisplayName("A queued unknown command aborts EXEC with EXECABORT and runs nothing")
    void execAbortAfterUnknownCommand() throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            assertEquals("+OK\r\n", c.call("MULTI"));
            assertEquals("+QUEUED\r\n", c.call("SET", "tx:abort1", "x"));
            assertEquals("-ERR unknown command 'nosuchcommand', with args beginning with: 'a' \r\n",
                c.call("nosuchcommand", "a"));
            assertEquals("-EXECABORT Transaction discarded because of previous errors.\r\n", c.call("EXEC"));
            assertEquals("$-1\r\n", c.call("GET", "tx:abort1"));
            // the transaction is over
            assertEquals("-ERR EXEC without MULTI\r\n", c.call("EXEC"));
        }
    }

    @Test
    @DisplayName("A queued command of the wrong arity aborts EXEC with EXECABORT")
    void execAbortAfterWrongArity() throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            assertEquals("+OK\r\n", c.call("MULTI"));
            assertEquals("+QUEUED\r\n", c.call("SET", "tx:abort2", "x"));
            assertEquals("-ERR wrong number of arguments for 'get' command\r\n", c.call("GET"));
            assertEquals("+QUEUED\r\n", c.call("SET", "tx:abort2", "y"));
            assertEquals("-EXECABORT Transaction discarded because of previous errors.\r\n", c.call("EXEC"));
            assertEquals("$-1\r\n", c.call("GET", "tx:abort2"));
        }
        try (Jedis j = server.jedis()) {
            Transaction t = j.multi();
            t.set("tx:abort3", "x");
            t.sendCommand(() -> "GET".getBytes(), new String[0]);
            JedisDataException e = org.junit.jupiter.api.Assertions.assertThrows(JedisDataException.class, t::exec);
            assertTrue(e.getMessage().startsWith("EXECABORT Transaction discarded because of previous errors."),
                e.getMessage());
            assertNull(j.get("tx:abort3"));
        }
    }

    @Test
    @DisplayName("An error raised while EXEC runs belongs to that command alone; the others still run")
    void errorsInsideExecArePerCommand() throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            assertEquals("+OK\r\n", c.call("MULTI"));
            assertEquals("+QUEUED\r\n", c.call("SET", "tx:per", "1"));
            assertEquals("+QUEUED\r\n", c.call("SET", "tx:per", "2", "EX", "notanumber"));
            assertEquals("+QUEUED\r\n", c.call("SET", "tx:per", "3", "BADOPTION"));
            assertEquals("+QUEUED\r\n", c.call("GET", "tx:per"));
            assertEquals("*4\r\n+OK\r\n-ERR value is not an integer or out of range\r\n-ERR syntax error\r\n$1\r\n1\r\n",
                c.call("EXEC"));
        }
        try (Jedis j = server.jedis()) {
            Transaction t = j.multi();
            t.set("tx:per2", "a");
            t.set("tx:per2", "b", SetParams.setParams().ex(-5));
            t.get("tx:per2");
            List<Object> results = t.exec();
            assertEquals(3, results.size());
            assertEquals("OK", results.get(0));
            assertInstanceOf(JedisDataException.class, results.get(1));
            assertEquals("a", results.get(2));
        }
    }

    @Test
    @DisplayName("WATCH: another client's write to a watched key makes EXEC return null and run nothing")
    void watchBrokenByAnotherClient() {
        try (Jedis j = server.jedis(); Jedis other = server.jedis()) {
            j.set("tx:w1", "0");
            assertEquals("OK", j.watch("tx:w1"));
            other.set("tx:w1", "changed");
            Transaction t = j.multi();
            t.set("tx:w1", "mine");
            assertNull(t.exec());
            assertEquals("changed", j.get("tx:w1"));
            // EXEC forgot the watch: the next transaction runs
            Transaction t2 = j.multi();
            t2.set("tx:w1", "mine");
            assertEquals(List.of("OK"), t2.exec());
        }
    }

    @Test
    @Covers({"select", "del"})
    @DisplayName("WATCH: an untouched watched key lets EXEC run; a write in another database does not touch it")
    void watchNotBroken() {
        try (Jedis j = server.jedis(); Jedis other = server.jedis()) {
            j.set("tx:w2", "0");
            j.watch("tx:w2", "tx:w2-missing");
            other.select(1);
            other.set("tx:w2", "db1");
            other.set("tx:w2-unrelated", "x");
            Transaction t = j.multi();
            t.set("tx:w2", "1");
            assertEquals(List.of("OK"), t.exec());
            assertEquals("1", j.get("tx:w2"));
            other.del("tx:w2", "tx:w2-unrelated");
        }
    }

    @Test
    @Covers({"del"})
    @DisplayName("WATCH: creating or deleting a watched key, even by the same client, aborts EXEC")
    void watchBrokenByCreateAndDelete() {
        try (Jedis j = server.jedis(); Jedis other = server.jedis()) {
            j.del("tx:w3");
            j.watch("tx:w3");
            other.set("tx:w3", "created");
            Transaction t = j.multi();
            t.get("tx:w3");
            assertNull(t.exec());

            j.watch("tx:w3");
            j.del("tx:w3");
            Transaction t2 = j.multi();
            t2.get("tx:w3");
            assertNull(t2.exec());
        }
    }

    @Test
    @DisplayName("WATCH: a watched key that expires before EXEC aborts it")
    void watchBrokenByExpiry() throws Exception {
        try (Jedis j = server.jedis()) {
            j.set("tx:exp", "v", SetParams.setParams().px(100));
            j.watch("tx:exp");
            Thread.sleep(300);
            Transaction t = j.multi();
            t.set("tx:exp-other", "x");
            assertNull(t.exec());
            assertNull(j.get("tx:exp-other"));
        }
    }

    @Test
    @DisplayName("WATCH: a key already expired when watched does not abort EXEC")
    void watchOfStaleKeyDoesNotAbort() throws Exception {
        try (Jedis j = server.jedis()) {
            j.set("tx:stale", "v", SetParams.setParams().px(1));
            Thread.sleep(20);
            j.watch("tx:stale");
            Transaction t = j.multi();
            t.set("tx:stale-ran", "1");
            assertEquals(List.of("OK"), t.exec());
        }
    }

    @Test
    @Covers({"flushall"})
    @DisplayName("WATCH: FLUSHALL touches watched keys that existed, not the ones that did not")
    void watchBrokenByFlushAll() {
        try (Jedis j = server.jedis(); Jedis other = server.jedis()) {
            j.set("tx:fa", "v");
            j.watch("tx:fa");
            other.flushAll();
            Transaction t = j.multi();
            t.set("tx:fa-ran", "1");
            assertNull(t.exec());

            j.del("tx:fa-missing");
            j.watch("tx:fa-missing");
            other.flushAll();
            Transaction t2 = j.multi();
            t2.set("tx:fa-ran", "1");
            assertEquals(List.of("OK"), t2.exec());
        }
    }

    @Test
    @DisplayName("UNWATCH forgets every watched key; DISCARD does too")
    void unwatch() {
        try (Jedis j = server.jedis(); Jedis other = server.jedis()) {
            j.set("tx:u", "0");
            j.watch("tx:u");
            assertEquals("OK", j.unwatch());
            other.set("tx:u", "1");
            Transaction t = j.multi();
            t.get("tx:u");
            assertEquals(List.of("1"), t.exec());

            j.watch("tx:u");
            Transaction d = j.multi();
            d.discard();
            other.set("tx:u", "2");
            Transaction t2 = j.multi();
            t2.get("tx:u");
            assertEquals(List.of("2"), t2.exec());
        }
    }

    @Test
    @DisplayName("Misuse errors: nested MULTI, EXEC or DISCARD without MULTI, WATCH inside MULTI (the last two do not abort)")
    void misuseErrors() throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            assertEquals("-ERR EXEC without MULTI\r\n", c.call("EXEC"));
            assertEquals("-ERR DISCARD without MULTI\r\n", c.call("DISCARD"));
            assertEquals("+OK\r\n", c.call("MULTI"));
            assertEquals("-ERR MULTI calls can not be nested\r\n", c.call("MULTI"));
            assertEquals("-ERR WATCH inside MULTI is not allowed\r\n", c.call("WATCH", "tx:m"));
            assertEquals("+QUEUED\r\n", c.call("PING"));
            assertEquals("*1\r\n+PONG\r\n", c.call("EXEC"));
            assertEquals("+OK\r\n", c.call("MULTI"));
            assertEquals("+OK\r\n", c.call("DISCARD"));
            assertEquals("-ERR DISCARD without MULTI\r\n", c.call("DISCARD"));
            assertEquals("-ERR wrong number of arguments for 'watch' command\r\n", c.call("WATCH"));
            assertEquals("-ERR wrong number of arguments for 'multi' command\r\n", c.call("MULTI", "x"));
        }
    }

    @Test
    @DisplayName("A client that disconnects mid-transaction leaves no state behind for others")
    void disconnectMidTransaction() throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            c.call("WATCH", "tx:gone");
            c.call("MULTI");
            c.call("SET", "tx:gone", "never");
        }
        try (Jedis j = server.jedis()) {
            j.set("tx:gone", "x");
            assertEquals("x", j.get("tx:gone"));
            j.watch("tx:gone");
            Transaction t = j.multi();
            t.get("tx:gone");
            assertEquals(List.of("x"), t.exec());
        }
    }
}
