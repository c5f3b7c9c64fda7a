package io.strata.server;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SCAN's guarantee while keys move between the tiers under it. */
class TieringScanTest {
    @Test
    @DisplayName("A full SCAN returns every key while reads promote and demotions move keys between calls")
    void scanSeesEveryKeyWhileKeysMoveBetweenTiers() throws Exception {
        try (TestServer s = TestServer.start("--enable-debug-command", "yes", "--tier-spill", "yes", "--save", "");
             Jedis j = new Jedis("127.0.0.1", s.port())) {
            int n = 3000;
            for (int i = 0; i < n; i++) {
                j.set("k" + i, "v" + i);
            }
            Random rnd = new Random(11);
            for (int i = 0; i < n; i += 2) {
                Tiering.spill(j, "k" + i);
            }
            Set<String> seen = new HashSet<>();
            String cursor = ScanParams.SCAN_POINTER_START;
            int calls = 0;
            long moved = 0;
            do {
                ScanResult<String> r = j.scan(cursor, new ScanParams().count(50));
                seen.addAll(r.getResult());
                cursor = r.getCursor();
                calls++;
                // between calls: promote some cold keys by reading them, demote some hot ones
                for (int m = 0; m < 40; m++) {
                    String k = "k" + rnd.nextInt(n);
                    if (rnd.nextBoolean()) {
                        j.get(k);
                    } else if (Tiering.tier(j, k).equals("hot")) {
                        Tiering.spill(j, k);
                    }
                    moved++;
                }
            } while (!cursor.equals(ScanParams.SCAN_POINTER_START) && calls < 10_000);
            for (int i = 0; i < n; i++) {
                assertTrue(seen.contains("k" + i), "SCAN missed k" + i + " (" + moved + " moves over " + calls + " calls)");
            }
            assertEquals(n, seen.size());
            assertTrue(Tiering.info(j, "tier_promotions") > 0 && Tiering.info(j, "tier_demotions") > n / 2);
        }
    }
}
