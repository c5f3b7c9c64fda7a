package io.strata.server;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import redis.clients.jedis.Jedis;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Commands on cold keys with {@code tier-async-reads yes}: the command waits while another
 * thread reads its key in, and the client's later commands wait behind it, so replies keep
 * the order of the requests; other clients are not held up.
 */
class TieringAsyncReadTest {
    @ParameterizedTest(name = "tier-async-reads {0}")
    @ValueSource(strings = {"yes", "no"})
    @DisplayName("Pipelined commands mixing cold and hot keys answer in order, in MULTI too")
    void pipelinedRepliesKeepTheirOrder(String async) throws Exception {
        try (TestServer s = TestServer.start("--enable-debug-command", "yes", "--tier-spill", "yes", "--save", "",
                 "--tier-async-reads", async);
             Jedis j = new Jedis("127.0.0.1", s.port());
             RawClient raw = new RawClient(s.port())) {
            for (int i = 0; i < 200; i++) {
                j.set("k" + i, "v" + i);
                j.rpush("l" + i, "a" + i, "b" + i);
            }
            for (int i = 0; i < 200; i += 2) {
                Tiering.spill(j, "k" + i);
                Tiering.spill(j, "l" + i);
            }
            StringBuilder req = new StringBuilder();
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                req.append("GET k").append(i).append("\r\n");
                expected.add("$" + ("v" + i).length() + "\r\nv" + i + "\r\n");
                req.append("LINDEX l").append(i).append(" 1\r\n");
                expected.add("$" + ("b" + i).length() + "\r\nb" + i + "\r\n");
                req.append("INCR n\r\n");
                expected.add(":" + (i + 1) + "\r\n");
            }
            raw.send(req.toString());
            for (String e : expected) {
                assertEquals(e, raw.readReply());
            }
            // a transaction runs its queued commands at once, cold keys included
            Tiering.spill(j, "k1");
            raw.send("MULTI\r\nGET k1\r\nINCR n\r\nEXEC\r\nGET k1\r\n");
            assertEquals("+OK\r\n", raw.readReply());
            assertEquals("+QUEUED\r\n", raw.readReply());
            assertEquals("+QUEUED\r\n", raw.readReply());
            assertEquals("*2\r\n$2\r\nv1\r\n:201\r\n", raw.readReply());
            assertEquals("$2\r\nv1\r\n", raw.readReply());
            long parked = Tiering.info(j, "tier_async_reads");
            if (async.equals("yes")) {
                assertTrue(parked >= 200, "commands that waited for a read-ahead: " + parked);
            } else {
                assertEquals(0, parked);
            }
            assertEquals(400, j.dbSize() - 1);
        }
    }
}
