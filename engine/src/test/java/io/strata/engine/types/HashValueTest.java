package io.strata.engine.types;

import io.strata.engine.util.Bytes;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HashValueTest {
    private static byte[] b(String s) {
        return Bytes.utf8(s);
    }

    private static List<String> fields(HashValue h) {
        List<String> out = new ArrayList<>();
        h.forEach((f, v) -> out.add(Bytes.str(f)));
        return out;
    }

    @Test
    void shouldKeepInsertionOrderWhileListpack() {
        HashValue h = new HashValue();
        h.set(b("c"), b("1"), 512, 64);
        h.set(b("a"), b("2"), 512, 64);
        h.set(b("b"), b("3"), 512, 64);
        assertFalse(h.set(b("c"), b("9"), 512, 64), "replacing is not a new field");
        assertEquals(List.of("c", "a", "b"), fields(h));
        assertTrue(h.delete(b("a"), 0, 1));
        assertEquals(List.of("c", "b"), fields(h));
        assertEquals("9", Bytes.str(h.get(b("c"))));
        assertEquals("listpack", h.encoding());
        assertEquals("hash", h.typeName());
    }

    @Test
    void shouldConvertToHashtableWhenEntriesExceedLimitAndNeverBack() {
        HashValue h = new HashValue();
        h.set(b("a"), b("1"), 2, 64);
        h.set(b("b"), b("2"), 2, 64);
        assertEquals("listpack", h.encoding());
        h.set(b("c"), b("3"), 2, 64);
        assertEquals("hashtable", h.encoding());
        h.delete(b("c"), 0, 1);
        h.delete(b("b"), 0, 1);
        assertEquals("hashtable", h.encoding(), "Redis never converts back");
        assertEquals("1", Bytes.str(h.get(b("a"))));
    }

    @Test
    void shouldConvertWhenFieldOrValueIsLongerThanLimit() {
        HashValue h = new HashValue();
        h.set(b("a"), b("x".repeat(64)), 512, 64);
        assertEquals("listpack", h.encoding(), "64 bytes is still within hash-max-listpack-value 64");
        h.set(b("b"), b("x".repeat(65)), 512, 64);
        assertEquals("hashtable", h.encoding());
        HashValue f = new HashValue();
        f.set(b("f".repeat(65)), b("1"), 512, 64);
        assertEquals("hashtable", f.encoding());
    }

    @Test
    void shouldScanListpackInOneCallAndHashtableWithCursor() {
        HashValue small = new HashValue();
        small.set(b("a"), b("1"), 512, 64);
        List<String> seen = new ArrayList<>();
        assertEquals(0, small.scan(0, 1, (f, v) -> seen.add(Bytes.str(f))));
        assertEquals(List.of("a"), seen);

        HashValue big = new HashValue();
        for (int i = 0; i < 1000; i++) {
            big.set(b("f" + i), b("v" + i), 512, 64);
        }
        assertEquals("hashtable", big.encoding());
        Set<String> all = new HashSet<>();
        long cursor = 0;
        int calls = 0;
        do {
            cursor = big.scan(cursor, 10, (f, v) -> all.add(Bytes.str(f)));
            calls++;
        } while (cursor != 0);
        assertEquals(1000, all.size());
        assertTrue(calls > 10, "a hashtable is scanned in steps");
    }

    @Test
    void shouldCopyDeeplyAndSampleDistinctFields() {
        HashValue h = new HashValue();
        for (int i = 0; i < 10; i++) {
            h.set(b("f" + i), b("v" + i), 512, 64);
        }
        HashValue copy = (HashValue) h.copy();
        h.delete(b("f0"), 0, 2);
        assertEquals(10, copy.size());
        assertNull(h.get(b("f0")));
        Set<String> picked = new HashSet<>();
        for (byte[][] p : h.randomDistinct(5, new Random(1))) {
            picked.add(Bytes.str(p[0]));
        }
        assertEquals(5, picked.size());
    }
}
