package io.strata.engine.types;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Random;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * StreamValue's nodes against a plain sorted map of the live entries: random appends under
 * small node limits, deletions, exact and approximate trims and copies must leave lookups,
 * ranges both ways, counts, first and last ids exactly as the map has them.
 */
class StreamValueTest {

    private static byte[] b(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    private static List<String> walk(StreamValue s, StreamId from, StreamId to, boolean rev) {
        List<String> out = new ArrayList<>();
        StreamValue.Cursor c = s.range(from, to, rev);
        while (c.next()) {
            out.add(c.id() + "=" + new String(c.fieldsAndValues()[1]));
        }
        return out;
    }

    private static List<String> walk(NavigableMap<StreamId, byte[][]> m) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<StreamId, byte[][]> e : m.entrySet()) {
            out.add(e.getKey() + "=" + new String(e.getValue()[1]));
        }
        return out;
    }

    private static void check(StreamValue s, TreeMap<StreamId, byte[][]> model, Random rnd, List<StreamId> ids) {
        assertEquals(model.size(), s.length());
        assertEquals(model.isEmpty() ? null : model.firstKey(), s.firstEntryId());
        assertEquals(model.isEmpty() ? null : model.lastKey(), s.lastEntryId());
        assertEquals(walk(model), walk(s, StreamId.ZERO, StreamId.MAX, false));
        for (int k = 0; k < 5 && !ids.isEmpty(); k++) {
            StreamId a = ids.get(rnd.nextInt(ids.size()));
            StreamId z = ids.get(rnd.nextInt(ids.size()));
            if (a.compareTo(z) > 0) {
                StreamId t = a;
                a = z;
                z = t;
            }
            assertEquals(walk(model.subMap(a, true, z, true)), walk(s, a, z, false), a + ".." + z);
            assertEquals(walk(model.subMap(a, true, z, true).descendingMap()), walk(s, a, z, true), "rev " + a + ".." + z);
            assertEquals(Math.min(3, model.subMap(a, true, z, true).size()), s.count(a, z, false, 3));
            StreamId probe = ids.get(rnd.nextInt(ids.size()));
            assertSame(model.get(probe), s.get(probe), "get " + probe);
        }
    }

    @Test
    @DisplayName("Random appends, XDELs, exact and approximate trims and copies under small node limits leave the same entries as a sorted map")
    void shouldMatchSortedMapModel() {
        for (long seed = 0; seed < 40; seed++) {
            Random rnd = new Random(seed);
            long maxEntries = rnd.nextInt(4) == 0 ? 0 : 1 + rnd.nextInt(8);
            long maxBytes = rnd.nextInt(3) == 0 ? 0 : 40 + rnd.nextInt(400);
            StreamValue s = new StreamValue();
            TreeMap<StreamId, byte[][]> model = new TreeMap<>();
            List<StreamId> ids = new ArrayList<>();
            long ms = 0;
            for (int op = 0; op < 600; op++) {
                int what = rnd.nextInt(20);
                if (what < 14) {
                    ms += rnd.nextInt(3);
                    StreamId id = new StreamId(ms, op);
                    byte[][] fv = rnd.nextInt(5) == 0 ? new byte[][] {b("g"), b("v" + op), b("h"), b("1")}
                        : new byte[][] {b("f"), b("v" + op)};
                    s.append(id, fv, maxBytes, maxEntries);
                    model.put(id, fv);
                    ids.add(id);
                } else if (what < 18 && !ids.isEmpty()) {
                    StreamId id = ids.get(rnd.nextInt(ids.size()));
                    assertEquals(model.remove(id) != null, s.delete(id), "delete " + id);
                } else if (what == 18) {
                    long maxlen = rnd.nextInt(Math.max(1, model.size() + 1));
                    boolean approx = rnd.nextBoolean();
                    long deleted = s.trim(true, maxlen, null, approx, 0);
                    // the model follows what was trimmed: from the head
                    for (long d = 0; d < deleted; d++) {
                        model.pollFirstEntry();
                    }
                    if (!approx) {
                        assertEquals(Math.min(model.size(), maxlen), s.length());
                    }
                } else if (!ids.isEmpty()) {
                    s = s.copy();
                }
                check(s, model, rnd, ids);
            }
        }
    }

    @Test
    @DisplayName("An entry with the master's fields is cut into a new node when the listpack would reach stream-node-max-bytes, as Redis' streamAppendItem")
    void shouldCutNodesAtTheListpackSize() {
        StreamValue s = new StreamValue();
        // header 6, count 2, deleted 2, field count 2, "f" 2, terminator 2, end 1: 17 bytes;
        // each entry: flags 2, ms diff 2, seq diff 2, a 20-byte value 22, lp-count 2: 30 bytes
        for (int i = 0; i < 12; i++) {
            s.append(new StreamId(1, i), new byte[][] {b("f"), b("x".repeat(20))}, 200, 0);
        }
        // 17 + 30 * 6 = 197; 197 + 21 >= 200 cuts before the 7th entry
        assertEquals(2, s.nodeCount());
        assertEquals(new StreamId(1, 6), s.nodes.lastKey());
        assertNull(s.get(new StreamId(1, 12)));
    }
}
