package io.strata.engine.keyspace;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SnapshotTest {
    private static String s(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    /** The whole dataset as text: "db/key" → "value|expireAt". */
    private static Map<String, String> model(Keyspace ks) {
        Map<String, String> m = new TreeMap<>();
        for (int d = 0; d < ks.databases(); d++) {
            int db = d;
            ks.db(d).forEach(e -> m.put(db + "/" + s(e.key), s((byte[]) e.value()) + "|" + e.expireAt()));
        }
        return m;
    }

    @Test
    @DisplayName("A snapshot taken under random writes, deletes, expiries, FLUSHDB and SWAPDB equals the dataset at its epoch")
    void pointInTimeUnderConcurrentMutation() throws Exception {
        for (int round = 0; round < 20; round++) {
            long seed = 1000 + round;
            Random rnd = new Random(seed);
            Keyspace ks = new Keyspace(4);
            for (int i = 0; i < 5000; i++) {
                Database db = ks.db(rnd.nextInt(4));
                byte[] k = ("k" + rnd.nextInt(3000)).getBytes(StandardCharsets.UTF_8);
                Entry e = ks.set(db, k, ("v" + i).getBytes(StandardCharsets.UTF_8), false);
                if (rnd.nextInt(5) == 0) {
                    ks.setExpire(db, e, System.currentTimeMillis() + 100_000);
                }
            }
            Map<String, String> expected = model(ks);
            Snapshot snap = ks.beginSnapshot();
            Map<String, String> seen = new ConcurrentHashMap<>();
            Thread t = new Thread(() -> snap.run(new Snapshot.Visitor() {
                @Override
                public void database(int index, long keys, long expires) {
                }

                @Override
                public void item(int db, Snapshot.Item it) {
                    String prev = seen.put(db + "/" + s(it.key), s((byte[]) it.value) + "|" + it.expireAt);
                    assertTrue(prev == null, "key seen twice: " + s(it.key));
                }
            }));
            t.start();
            // the keyspace thread keeps mutating while the snapshot thread reads
            for (int i = 0; i < 20000 && t.isAlive() || i < 2000; i++) {
                Database db = ks.db(rnd.nextInt(4));
                byte[] k = ("k" + rnd.nextInt(3000)).getBytes(StandardCharsets.UTF_8);
                int op = rnd.nextInt(100);
                if (op < 50) {
                    ks.set(db, k, ("w" + i).getBytes(StandardCharsets.UTF_8), rnd.nextBoolean());
                } else if (op < 75) {
                    ks.delete(db, k, 0, k.length);
                } else if (op < 90) {
                    Entry e = ks.lookupWrite(db, k, 0, k.length);
                    if (e != null) {
                        ((byte[]) e.value())[0] = 'X'; // in-place change after a write lookup
                        ks.setExpire(db, e, rnd.nextBoolean() ? -1 : System.currentTimeMillis() + 5);
                    }
                } else if (op < 95) {
                    ks.db(rnd.nextInt(4)).swapContents(ks.db(rnd.nextInt(4)));
                } else if (op < 97) {
                    ks.flush(db);
                } else {
                    ks.activeExpireCycle(1_000_000);
                }
            }
            t.join();
            snap.assertInvariants();
            assertEquals(0, snap.preservedBytes(), "pre-images are released as they are written");
            ks.endSnapshot(snap);
            assertEquals(expected, new TreeMap<>(seen), "seed=" + seed);
        }
    }
}
