package io.strata.server;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.strata.server.StreamCommandsTest.capture;
import static io.strata.server.StreamCommandsTest.populate;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Streams with groups, consumers and PELs exchanged with the Debian redis-server 7.0 as RDB files
 * and DUMP payloads, in both directions; XRANGE, XINFO STREAM FULL, XINFO GROUPS and XPENDING
 * must answer identically afterwards. Skipped when redis-server is not installed.
 */
class StreamRdbInteropTest {

    private static void awaitLoaded(RawClient c) throws Exception {
        for (int i = 0; i < 500 && c.call("INFO", "persistence").contains("loading:1"); i++) {
            Thread.sleep(10);
        }
    }

    @Test
    @DisplayName("A dump.rdb with streams written by redis-server 7.0 loads in Strata, and Strata's loads in redis-server, with identical XINFO/XPENDING answers")
    void rdbBothWays(@TempDir Path dir) throws Exception {
        assumeTrue(RedisServerProcess.available(), "redis-server not installed");
        List<String> redis;
        try (RedisServerProcess r = RedisServerProcess.startIn(dir, "--save", ""); RawClient c = new RawClient(r.port())) {
            populate(c);
            redis = capture(c);
            assertEquals("+OK\r\n", c.call("SAVE"));
        }
        try (TestServer s = TestServer.start("--dir", dir.toString(), "--save", ""); RawClient c = new RawClient(s.port())) {
            assertEquals(redis, capture(c));
            // now the other way: Strata writes the file, redis-server reads it
            c.call("XADD", "s", "*", "after", "load");
            c.call("XREADGROUP", "GROUP", "g1", "erin", "STREAMS", "s", ">");
            redis = capture(c);
            Files.delete(dir.resolve("dump.rdb"));
            assertEquals("+OK\r\n", c.call("SAVE"));
        }
        try (RedisServerProcess r = RedisServerProcess.startIn(dir, "--save", ""); RawClient c = new RawClient(r.port())) {
            awaitLoaded(c);
            assertEquals(redis, capture(c));
        }
    }

    @Test
    @DisplayName("DUMP payloads of streams RESTORE across Strata and redis-server 7.0 in both directions")
    void dumpBothWays() throws Exception {
        assumeTrue(RedisServerProcess.available(), "redis-server not installed");
        try (RedisServerProcess r = RedisServerProcess.start(); Jedis rj = new Jedis("127.0.0.1", r.port(), 10_000);
             RawClient rc = new RawClient(r.port());
             TestServer s = TestServer.start("--save", ""); Jedis sj = s.jedis(); RawClient sc = new RawClient(s.port())) {
            populate(rc);
            List<String> fromRedis = capture(rc);
            for (String k : new String[] {"s", "empty"}) {
                sj.restore(k, 0, rj.dump(k));
            }
            assertEquals(fromRedis, capture(sc));
            sc.call("XACK", "s", "g1", "5-2");
            List<String> fromStrata = capture(sc);
            for (String k : new String[] {"s", "empty"}) {
                rj.del(k);
                rj.restore(k, 0, sj.dump(k));
            }
            assertEquals(fromStrata, capture(rc));
        }
    }
}
