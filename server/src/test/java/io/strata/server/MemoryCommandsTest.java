package io.strata.server;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MemoryCommandsTest {
    @Test
    @Covers({"memory|usage", "memory|stats", "memory|doctor", "memory|malloc-stats", "memory|purge", "memory|help"})
    @DisplayName("MEMORY USAGE grows with the value, is nil for a missing key, checks SAMPLES; STATS, DOCTOR, PURGE and HELP answer as Redis")
    void memory() throws Exception {
        try (TestServer s = TestServer.start(); Jedis j = s.jedis(); RawClient c = new RawClient(s.port())) {
            j.set("small", "x");
            j.set("big", "y".repeat(10_000));
            long small = j.memoryUsage("small");
            long big = j.memoryUsage("big");
            assertTrue(small > 0 && big > small + 9_000, small + " / " + big);
            assertNull(j.memoryUsage("missing"));
            assertEquals("-ERR syntax error\r\n", c.call("MEMORY", "USAGE", "small", "SAMPLES"));
            assertEquals("-ERR value is not an integer or out of range\r\n", c.call("MEMORY", "USAGE", "small", "SAMPLES", "x"));
            String stats = c.call("MEMORY", "STATS");
            assertTrue(stats.contains("keys.count") && stats.contains("dataset.bytes") && stats.contains("db.0"), stats);
            assertTrue(c.call("MEMORY", "DOCTOR").contains("Hi Sam"));
            assertEquals("+OK\r\n", c.call("MEMORY", "PURGE"));
            assertTrue(c.call("MEMORY", "MALLOC-STATS").startsWith("$"));
            assertTrue(c.call("MEMORY", "HELP").contains("USAGE <key> [SAMPLES <count>]"));
        }
    }

    @Test
    @Covers({"role"})
    @DisplayName("ROLE answers a master without replicas exactly as redis-server 7.0")
    void role() throws Exception {
        try (TestServer s = TestServer.start(); RawClient c = new RawClient(s.port())) {
            assertEquals("*3\r\n$6\r\nmaster\r\n:0\r\n*0\r\n", c.call("ROLE"));
        }
    }
}
