package io.strata.engine.types;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ListValueTest {
    private static byte[] b(String s) {
        return s.getBytes();
    }

    private static List<String> contents(ListValue l) {
        List<String> out = new ArrayList<>();
        l.range(0, l.size(), v -> out.add(new String(v)));
        return out;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 128, -1, -2, -5})
    @DisplayName("Random pushes, pops, inserts, removes, sets and trims match an ArrayList and keep the node invariants")
    void shouldMatchArrayListUnderRandomEdits(int fill) {
        Random rnd = new Random(fill * 31L + 7);
        ListValue l = new ListValue(fill);
        List<String> model = new ArrayList<>();
        for (int step = 0; step < 5000; step++) {
            String v = "e" + rnd.nextInt(30) + (rnd.nextInt(20) == 0 ? "x".repeat(rnd.nextInt(5000)) : "");
            switch (rnd.nextInt(9)) {
                case 0 -> { l.addFirst(b(v)); model.add(0, v); }
                case 1, 2 -> { l.addLast(b(v)); model.add(v); }
                case 3 -> {
                    if (!model.isEmpty()) {
                        assertEquals(model.remove(0), new String(l.pollFirst()));
                    }
                }
                case 4 -> {
                    if (!model.isEmpty()) {
                        assertEquals(model.remove(model.size() - 1), new String(l.pollLast()));
                    }
                }
                case 5 -> {
                    if (!model.isEmpty()) {
                        int i = rnd.nextInt(model.size());
                        boolean after = rnd.nextBoolean();
                        ListValue.Cursor c = l.cursor(i, true);
                        c.next();
                        c.insert(b(v), after);
                        model.add(after ? i + 1 : i, v);
                    }
                }
                case 6 -> {
                    // remove every match of a value walking one way, as LREM does
                    String target = model.isEmpty() ? v : model.get(rnd.nextInt(model.size()));
                    boolean forward = rnd.nextBoolean();
                    ListValue.Cursor c = l.cursor(forward ? 0 : l.size() - 1, forward);
                    while (c.hasNext()) {
                        if (new String(c.next()).equals(target)) {
                            c.remove();
                        }
                    }
                    l.compact();
                    model.removeIf(target::equals);
                }
                case 7 -> {
                    if (!model.isEmpty()) {
                        int i = rnd.nextInt(model.size());
                        l.set(i, b(v));
                        model.set(i, v);
                    }
                }
                default -> {
                    if (model.size() > 40) {
                        int left = rnd.nextInt(5);
                        int right = rnd.nextInt(5);
                        l.removeFirst(left);
                        l.removeLast(right);
                        model.subList(0, left).clear();
                        model.subList(model.size() - right, model.size()).clear();
                    }
                }
            }
            assertTrue(l.checkInvariants(), "invariants at step " + step);
            assertEquals(model.size(), l.size());
            if (step % 250 == 0) {
                assertEquals(model, contents(l));
                for (int k = 0; k < Math.min(20, model.size()); k++) {
                    int i = rnd.nextInt(model.size());
                    assertArrayEquals(b(model.get(i)), l.get(i));
                }
            }
        }
        assertEquals(model, contents(l));
        assertEquals(model, contents(l.copy()));
    }

    @ParameterizedTest
    @ValueSource(ints = {4, -1})
    @DisplayName("Nodes stay bounded by list-max-listpack-size, so a long list is many small nodes")
    void shouldSplitIntoBoundedNodes(int fill) {
        ListValue l = new ListValue(fill);
        for (int i = 0; i < 10_000; i++) {
            l.addLast(b("element-" + i));
        }
        int expectedMin = fill > 0 ? 10_000 / fill : 10_000 * 18 / 4096;
        assertTrue(l.nodeCount() >= expectedMin, "nodes=" + l.nodeCount());
        ListValue.Cursor c = l.cursor(5_000, true);
        c.next();
        c.insert(b("mid"), false);
        assertArrayEquals(b("mid"), l.get(5_000));
        assertArrayEquals(b("element-5000"), l.get(5_001));
        l.removeFirst(9_000);
        assertEquals(1_001, l.size());
        assertTrue(l.checkInvariants());
        assertEquals("quicklist", l.encoding());
        assertEquals("list", l.typeName());
    }

    @ParameterizedTest
    @ValueSource(ints = {-2, -1, 5, 128})
    @DisplayName("Small lists stay in the packed form under random edits (one node), match an ArrayList, and leave it past its limits")
    void shouldKeepSmallListsPacked(int fill) {
        Random rnd = new Random(fill * 17L + 3);
        ListValue l = new ListValue(fill);
        List<String> model = new ArrayList<>();
        for (int step = 0; step < 4000; step++) {
            String v = "v" + rnd.nextInt(40);
            switch (rnd.nextInt(10)) {
                case 0 -> { l.addFirst(b(v)); model.add(0, v); }
                case 1 -> { l.addLast(b(v)); model.add(v); }
                case 2 -> {
                    if (!model.isEmpty()) {
                        assertEquals(model.remove(0), new String(l.pollFirst()));
                    }
                }
                case 3 -> {
                    if (!model.isEmpty()) {
                        assertEquals(model.remove(model.size() - 1), new String(l.pollLast()));
                    }
                }
                case 4 -> {
                    if (!model.isEmpty()) {
                        int i = rnd.nextInt(model.size());
                        boolean after = rnd.nextBoolean();
                        ListValue.Cursor c = l.cursor(i, true);
                        c.next();
                        c.insert(b(v), after);
                        model.add(after ? i + 1 : i, v);
                    }
                }
                case 5 -> {
                    // one walk either way removing every match and renaming some others, as LREM
                    // and LSET-like edits do; the model is what the walk left, in list order
                    String target = model.isEmpty() ? v : model.get(rnd.nextInt(model.size()));
                    boolean forward = rnd.nextBoolean();
                    ListValue.Cursor c = l.cursor(forward ? 0 : l.size() - 1, forward);
                    List<String> left = new ArrayList<>();
                    while (c.hasNext()) {
                        String x = new String(c.next());
                        if (x.equals(target)) {
                            c.remove();
                        } else if (rnd.nextInt(8) == 0) {
                            c.set(b(x + "s"));
                            left.add(x + "s");
                        } else {
                            left.add(x);
                        }
                    }
                    l.compact();
                    if (!forward) {
                        java.util.Collections.reverse(left);
                    }
                    model.clear();
                    model.addAll(left);
                }
                case 6 -> {
                    if (!model.isEmpty()) {
                        int i = rnd.nextInt(model.size());
                        l.set(i, b(v));
                        model.set(i, v);
                    }
                }
                default -> {
                    if (model.size() > 60) {
                        int left = rnd.nextInt(20);
                        int right = rnd.nextInt(20);
                        l.removeFirst(left);
                        l.removeLast(right);
                        model.subList(0, left).clear();
                        model.subList(model.size() - right, model.size()).clear();
                    }
                }
            }
            assertTrue(l.checkInvariants(), "invariants at step " + step);
            assertEquals(model, contents(l), "step " + step);
            for (int k = 0; k < Math.min(3, model.size()); k++) {
                int i = rnd.nextInt(model.size());
                assertArrayEquals(b(model.get(i)), l.get(i));
            }
        }
        if (fill == -2 || fill == 128) {
            assertTrue(l.nodeCount() <= 1, "still packed: nodes=" + l.nodeCount());
        }
        ListValue copy = l.copy();
        for (int i = 0; i < 200; i++) {
            l.addLast(b("more" + i));
        }
        assertTrue(l.nodeCount() >= 1 && l.checkInvariants());
        assertEquals(model, contents(copy), "the copy is independent");
        ListValue big = new ListValue(-2);
        big.addLast(b("x".repeat(ListValue.SMALL_VALUE + 1)));
        big.addFirst(b("a"));
        assertEquals(List.of("a", "x".repeat(ListValue.SMALL_VALUE + 1)), contents(big));
        assertTrue(big.checkInvariants());
    }

    @org.junit.jupiter.api.Test
    @DisplayName("A list of 5 short elements is one 40-byte array and this object")
    void shouldPackFiveShortElements() {
        ListValue l = new ListValue(-2);
        for (int i = 1; i <= 5; i++) {
            l.addLast(b("e" + i));
        }
        // count, fill, 5 x {len, 2 bytes, len}: 22 bytes in an array of 40
        assertEquals(16 + 40, l.memoryUsage());
        assertEquals(1, l.nodeCount());
    }
}
