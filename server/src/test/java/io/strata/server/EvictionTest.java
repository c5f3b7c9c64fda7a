package io.strata.server;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** maxmemory and the Redis eviction policies (without a spill tier). */
class EvictionTest {
    private static long info(Jedis j, String field) {
        for (String line : j.info().split("\r\n")) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.substring(field.length() + 1));
            }
        }
        throw new AssertionError("no INFO field " + field);
    }

    private static final String VALUE = "x".repeat(1000);

    @Test
    @Covers({"set", "get", "del"})
    @DisplayName("noeviction: past maxmemory, DENYOOM commands get Redis' OOM error while reads and DEL still work")
    void noeviction() {
        try (TestServer s = TestServer.start("--tier-spill", "no", "--maxmemory", "3mb"); Jedis j = new Jedis("127.0.0.1", s.port())) {
            JedisDataException oom = assertThrows(JedisDataException.class, () -> {
                for (int i = 0; i < 100_000; i++) {
                    j.set("k" + i, VALUE);
                }
            });
            assertEquals("OOM command not allowed when used memory > 'maxmemory'.", oom.getMessage());
            assertEquals(VALUE, j.get("k0"));
            assertEquals(1L, j.del("k0"));
            assertEquals(0L, info(j, "evicted_keys"));
            assertEquals("noeviction", j.configGet("maxmemory-policy").get("maxmemory-policy"));
        }
    }

    @Test
    @Covers({"set", "config|set"})
    @DisplayName("allkeys-lru keeps used_memory within maxmemory by evicting keys, and publishes 'evicted' events")
    void allkeysLru() throws Exception {
        try (TestServer s = TestServer.start("--tier-spill", "no", "--maxmemory", "3mb", "--maxmemory-policy", "allkeys-lru",
                "--notify-keyspace-events", "Ee");
             Jedis j = new Jedis("127.0.0.1", s.port()); RawClient sub = new RawClient(s.port())) {
            sub.command("SUBSCRIBE", "__keyevent@0__:evicted");
            sub.readReply();
            for (int i = 0; i < 10_000; i++) {
                j.set("k" + i, VALUE);
            }
            long max = 3L * 1024 * 1024;
            assertTrue(info(j, "used_memory") <= max, "used_memory " + info(j, "used_memory"));
            long evicted = info(j, "evicted_keys");
            assertTrue(evicted > 5000, "evicted " + evicted);
            assertEquals(10_000 - evicted, j.dbSize());
            assertTrue(sub.readReply().contains("$7\r\nmessage\r\n"), "an evicted event was published");
        }
    }

    @Test
    @Covers({"set", "expire"})
    @DisplayName("volatile-lru evicts only keys with a TTL and refuses writes with OOM when none is left")
    void volatileOnly() {
        try (TestServer s = TestServer.start("--tier-spill", "no", "--maxmemory", "3mb", "--maxmemory-policy", "volatile-lru");
             Jedis j = new Jedis("127.0.0.1", s.port())) {
            for (int i = 0; i < 1000; i++) {
                j.set("keep" + i, VALUE);
            }
            for (int i = 0; i < 1000; i++) {
                j.setex("tmp" + i, 1000, VALUE);
            }
            for (int i = 0; i < 1000; i++) {
                assertEquals(VALUE, j.get("keep" + i), "keys without TTL are never evicted");
            }
            assertTrue(info(j, "evicted_keys") > 0);
            JedisDataException oom = assertThrows(JedisDataException.class, () -> {
                for (int i = 0; i < 100_000; i++) {
                    j.set("more" + i, VALUE);
                }
            });
            assertTrue(oom.getMessage().startsWith("OOM"));
        }
    }

    @Test
    @Covers({"object|freq", "object|idletime"})
    @DisplayName("With an LFU policy OBJECT FREQ answers the counter and OBJECT IDLETIME refuses, as Redis")
    void lfuIntrospection() {
        try (TestServer s = TestServer.start("--tier-spill", "no", "--maxmemory-policy", "allkeys-lfu");
             Jedis j = new Jedis("127.0.0.1", s.port())) {
            j.set("f", "v");
            for (int i = 0; i < 200; i++) {
                j.get("f");
            }
            long freq = j.objectFreq("f");
            assertTrue(freq > 5 && freq <= 255, "freq " + freq);
            JedisDataException e = assertThrows(JedisDataException.class, () -> j.objectIdletime("f"));
            assertTrue(e.getMessage().startsWith("ERR An LFU maxmemory policy is selected, idle time not tracked."));
            // RESTORE FREQ sets the counter as of now: no decay from an epoch long gone (redis-server answers 100)
            j.restore("r", 0, j.dump("f"), redis.clients.jedis.params.RestoreParams.restoreParams().frequency(100));
            assertEquals(100L, j.objectFreq("r"));
        }
    }
}
