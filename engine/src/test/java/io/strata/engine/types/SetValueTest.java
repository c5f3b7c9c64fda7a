package io.strata.engine.types;

import io.strata.engine.util.Bytes;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SetValueTest {
    private static byte[] b(String s) {
        return Bytes.utf8(s);
    }

    private static List<String> members(SetValue s) {
        List<String> out = new ArrayList<>();
        s.forEach(m -> out.add(Bytes.str(m)));
        return out;
    }

    @Test
    void shouldKeepIntegersSortedInIntset() {
        SetValue s = SetValue.createFor(b("5"));
        for (String m : new String[] {"5", "-3", "10", "1", "9223372036854775807", "-9223372036854775808"}) {
            s.add(b(m), 512);
        }
        assertEquals("intset", s.encoding());
        assertEquals("set", s.typeName());
        assertEquals(List.of("-9223372036854775808", "-3", "1", "5", "10", "9223372036854775807"), members(s));
        assertTrue(s.contains(b("10")));
        assertFalse(s.contains(b("010")), "only canonical integers are intset members");
    }

    @Test
    void shouldConvertOnNonCanonicalIntegerAndNeverBack() {
        for (String m : new String[] {"01", "-0", "+1", "9223372036854775808", "a", ""}) {
            SetValue s = SetValue.createFor(b("1"));
            s.add(b("1"), 512);
            s.add(b(m), 512);
            assertEquals("hashtable", s.encoding(), m);
            s.remove(b(m));
            assertEquals("hashtable", s.encoding(), m);
            assertTrue(s.contains(b("1")));
        }
        assertEquals("hashtable", SetValue.createFor(b("x")).encoding());
    }

    @Test
    void shouldConvertWhenIntsetExceedsMaxEntries() {
        SetValue s = SetValue.createFor(b("1"));
        s.add(b("1"), 2);
        s.add(b("2"), 2);
        assertEquals("intset", s.encoding());
        s.add(b("3"), 2);
        assertEquals("hashtable", s.encoding());
        assertEquals(Set.of("1", "2", "3"), new HashSet<>(members(s)));
    }

    @Test
    void shouldScanIntsetInOneCallAndHashtableWithCursor() {
        SetValue ints = SetValue.createIntset();
        ints.add(b("2"), 512);
        ints.add(b("1"), 512);
        List<String> seen = new ArrayList<>();
        assertEquals(0, ints.scan(0, 1, m -> seen.add(Bytes.str(m))));
        assertEquals(List.of("1", "2"), seen);

        SetValue big = SetValue.createFor(b("m"));
        for (int i = 0; i < 1000; i++) {
            big.add(b("m" + i), 512);
        }
        Set<String> all = new HashSet<>();
        long cursor = 0;
        do {
            cursor = big.scan(cursor, 10, m -> all.add(Bytes.str(m)));
        } while (cursor != 0);
        assertEquals(1000, all.size());
        for (int i = 0; i < 995; i++) {
            big.remove(b("m" + i));
        }
        assertEquals(5, big.size());
        assertEquals(5, new HashSet<>(members(big)).size());
        assertEquals(3, big.randomDistinct(3, new java.util.Random(7)).size());
    }
}
