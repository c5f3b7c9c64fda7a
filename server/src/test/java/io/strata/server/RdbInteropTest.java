package io.strata.server;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.RestoreParams;
import redis.clients.jedis.params.SetParams;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * RDB files and DUMP payloads exchanged with the Debian redis-server 7.0 in both directions;
 * contents (type, encoding, values, TTL present) compared key by key with plain reads.
 * Skipped when redis-server is not installed.
 */
class RdbInteropTest {

    private static Jedis jedis(int port) {
        return new Jedis("127.0.0.1", port, 10_000);
    }

    @Test
    @DisplayName("A dump.rdb written by Strata (with and without compression/checksum) loads in redis-server 7.0 with identical content and encodings")
    void strataFileLoadsInRedis(@TempDir Path dir) throws Exception {
        assumeTrue(RedisServerProcess.available(), "redis-server not installed");
        for (String yesNo : new String[] {"yes", "no"}) {
            Map<String, String> strata;
            try (TestServer s = TestServer.start("--dir", dir.toString(), "--save", "",
                "--rdbcompression", yesNo, "--rdbchecksum", yesNo); Jedis j = s.jedis()) {
                Datasets.populate(j, 11, 96);
                assertEquals("OK", j.save());
                strata = Datasets.capture(j, 3, true);
            }
            try (RedisServerProcess r = RedisServerProcess.startIn(dir, "--save", "");
                 Jedis j = jedis(r.port())) {
                awaitLoaded(j);
                assertEquals(strata, Datasets.capture(j, 3, true));
            }
            Files.delete(dir.resolve("dump.rdb"));
        }
    }

    @Test
    @DisplayName("A dump.rdb written by redis-server 7.0 (listpack, intset, quicklist, hashtable, skiplist, expiries) loads in Strata identically")
    void redisFileLoadsInStrata(@TempDir Path dir) throws Exception {
        assumeTrue(RedisServerProcess.available(), "redis-server not installed");
        Map<String, String> redis;
        try (RedisServerProcess r = RedisServerProcess.startIn(dir, "--save", "");
             Jedis j = jedis(r.port())) {
            Datasets.populate(j, 12, 96);
            j.set("expired", "x", SetParams.setParams().px(400));
            assertEquals("OK", j.save());
            j.del("expired");
            redis = Datasets.capture(j, 3, true);
            // every encoding is really in the file
            String all = redis.values().toString();
            for (String enc : new String[] {"|listpack|", "|intset|", "|quicklist|", "|hashtable|", "|skiplist|",
                "|int|", "|embstr|", "|raw|"}) {
                assertTrue(all.contains(enc), enc);
            }
        }
        Thread.sleep(450); // "expired" is now past its expiry in the file
        try (TestServer s = TestServer.start("--dir", dir.toString(), "--save", ""); Jedis j = s.jedis()) {
            assertEquals(redis, Datasets.capture(j, 3, true));
            assertEquals("1", PersistenceTest.info(j).get("rdb_last_load_keys_expired"));
        }
    }

    @Test
    @DisplayName("DUMP payloads from Strata RESTORE in redis-server 7.0 and payloads from redis-server RESTORE in Strata")
    void dumpPayloadsBothWays() throws Exception {
        assumeTrue(RedisServerProcess.available(), "redis-server not installed");
        try (RedisServerProcess r = RedisServerProcess.start(); Jedis rj = jedis(r.port());
             TestServer s = TestServer.start("--save", ""); Jedis sj = s.jedis()) {
            Datasets.populate(sj, 13, 48);
            Datasets.populate(rj, 14, 48);
            Map<String, String> strata = Datasets.capture(sj, 3, true);
            Map<String, String> redis = Datasets.capture(rj, 3, true);
            for (int db = 0; db < 3; db++) {
                sj.select(db);
                rj.select(db);
                for (String k : sj.keys("*")) {
                    byte[] fromStrata = sj.dump(k);
                    long sttl = Math.max(0, sj.pttl(k));
                    byte[] fromRedis = rj.dump(k);
                    long rttl = Math.max(0, rj.pttl(k));
                    // swap the two servers' values through their payloads
                    assertEquals("OK", rj.restore(k, sttl, fromStrata, RestoreParams.restoreParams().replace()));
                    assertEquals("OK", sj.restore(k, rttl, fromRedis, RestoreParams.restoreParams().replace()));
                }
            }
            assertEquals(strata, Datasets.capture(rj, 3, true));
            assertEquals(redis, Datasets.capture(sj, 3, true));
        }
    }

    private static void awaitLoaded(Jedis j) throws InterruptedException {
        for (int i = 0; i < 500; i++) {
            try {
                j.ping();
                return;
            } catch (redis.clients.jedis.exceptions.JedisDataException e) {
                Thread.sleep(20); // -LOADING
            }
        }
    }
}
