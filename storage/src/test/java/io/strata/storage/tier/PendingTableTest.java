package io.strata.storage.tier;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PendingTableTest {
    private static SpillWriter.Op op(String key, long hash) {
        return new SpillWriter.Op(null, null, null, 0, hash, key.getBytes(StandardCharsets.UTF_8), null);
    }

    @Test
    void shouldAgreeWithAMapUnderPutsReplacementsAndRemovals() {
        Random rnd = new Random(11);
        PendingTable t = new PendingTable();
        Map<String, SpillWriter.Op> model = new HashMap<>();
        List<SpillWriter.Op> retired = new ArrayList<>();
        for (int i = 0; i < 200_000; i++) {
            String k = "k" + rnd.nextInt(5_000);
            // few distinct hashes, so that probe chains collide, wrap and shift back on removal
            long h = k.hashCode() % 37 * 0x9E3779B97F4A7C15L;
            int what = rnd.nextInt(10);
            if (what < 5) {
                SpillWriter.Op o = op(k, h);
                SpillWriter.Op old = model.put(k, o);
                if (old != null) {
                    retired.add(old);
                }
                t.put(o);
            } else if (what < 8 && !model.isEmpty()) {
                SpillWriter.Op o = model.remove(k);
                if (o != null) {
                    t.remove(o);
                }
            } else if (!retired.isEmpty()) {
                // forgetting a replaced op leaves the newer one of its key in place
                t.remove(retired.remove(retired.size() - 1));
            }
            assertEquals(model.size(), t.size());
            if (i % 1000 == 0) {
                for (Map.Entry<String, SpillWriter.Op> e : model.entrySet()) {
                    assertSame(e.getValue(), t.get(e.getKey().getBytes(StandardCharsets.UTF_8), e.getValue().hash), e.getKey());
                }
            }
        }
        assertNull(t.get("absent".getBytes(StandardCharsets.UTF_8), 5));
        t.clear();
        assertTrue(t.isEmpty());
        assertNull(t.get("k1".getBytes(StandardCharsets.UTF_8), "k1".hashCode() % 37 * 0x9E3779B97F4A7C15L));
    }
}
