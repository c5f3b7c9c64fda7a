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

    @Test
    void shouldWidenIntsetMembersAndKeepThemSorted() {
        SetValue s = SetValue.createIntset();
        s.add(b("7"), 512);
        s.add(b("-2"), 512);
        long before = s.memoryUsage();
        s.add(b("100000"), 512); // needs 4 bytes: every member widens
        s.add(b("-5000000000"), 512); // needs 8
        assertEquals("intset", s.encoding());
        assertEquals(List.of("-5000000000", "-2", "7", "100000"), members(s));
        assertTrue(s.contains(b("-2")) && s.contains(b("100000")) && !s.contains(b("8")));
        assertTrue(s.memoryUsage() > before);
        assertTrue(s.remove(b("7")));
        assertFalse(s.remove(b("7")));
        assertEquals(List.of("-5000000000", "-2", "100000"), members(s));
        assertEquals(3, s.size());
    }

    @Test
    void shouldPackSmallStringSetsButReportHashtableAsRedis70() {
        SetValue s = SetValue.createFor(b("m1"));
        for (String m : new String[] {"m1", "m2", "m3", "", "m2"}) {
            s.add(b(m), 512);
        }
        assertEquals("hashtable", s.encoding());
        assertEquals(4, s.size());
        assertEquals(List.of("m1", "m2", "m3", ""), members(s), "insertion order while packed");
        assertTrue(s.contains(b("")) && s.contains(b("m3")) && !s.contains(b("m4")));
        List<String> seen = new ArrayList<>();
        assertEquals(0, s.scan(0, 1, m -> seen.add(Bytes.str(m))), "a packed set is scanned in one call");
        assertEquals(4, seen.size());
        assertTrue(s.remove(b("m2")));
        assertEquals(List.of("m1", "m3", ""), members(s));
        // 5 members of 2 bytes: one 32-byte array (16 header, count, 5 x {len, 2 bytes}) and this
        // standalone object (a key's entry keeps the array alone)
        SetValue five = SetValue.createFor(b("m1"));
        for (int i = 1; i <= 5; i++) {
            five.add(b("m" + i), 512);
        }
        assertEquals(24 + 32, five.memoryUsage());
    }

    @Test
    void shouldLeaveThePackedFormPastItsLimits() {
        SetValue s = SetValue.createFor(b("a"));
        for (int i = 0; i < SetValue.SMALL_ENTRIES; i++) {
            s.add(b("m" + i), 512);
        }
        long packed = s.memoryUsage();
        s.add(b("one more"), 512);
        assertEquals(SetValue.SMALL_ENTRIES + 1, s.size());
        assertTrue(s.memoryUsage() > packed + 56L * SetValue.SMALL_ENTRIES, "a ByteTable now");
        for (int i = 0; i < SetValue.SMALL_ENTRIES; i++) {
            assertTrue(s.contains(b("m" + i)));
        }

        SetValue longMember = SetValue.createFor(b("a"));
        longMember.add(b("a"), 512);
        String big = "x".repeat(SetValue.SMALL_VALUE + 1);
        longMember.add(b(big), 512);
        assertTrue(longMember.contains(b(big)) && longMember.contains(b("a")));
        assertEquals(2, longMember.size());
        assertEquals("hashtable", SetValue.createFor(b(big)).encoding());
    }

    @Test
    void shouldMoveAnIntsetToThePackedFormOrTheTableOnAString() {
        SetValue small = SetValue.createIntset();
        small.add(b("3"), 512);
        small.add(b("1"), 512);
        small.add(b("x"), 512);
        assertEquals("hashtable", small.encoding());
        assertEquals(List.of("1", "3", "x"), members(small));
        assertTrue(small.contains(b("1")) && small.contains(b("x")));

        SetValue large = SetValue.createIntset();
        for (int i = 0; i < 300; i++) {
            large.add(b(Integer.toString(i)), 512);
        }
        assertEquals("intset", large.encoding());
        large.add(b("y"), 512);
        assertEquals(301, large.size());
        assertTrue(large.contains(b("299")) && large.contains(b("y")));
    }

    @Test
    void shouldCopyIndependentlyAndPickRandomMembersOfEveryForm() {
        java.util.Random rnd = new java.util.Random(1);
        for (String first : new String[] {"1", "a"}) {
            SetValue s = SetValue.createFor(b(first));
            for (int i = 0; i < 10; i++) {
                s.add(b(first.equals("1") ? Integer.toString(i) : "m" + i), 512);
            }
            SetValue c = (SetValue) s.copy();
            c.remove(c.random(rnd));
            assertEquals(10, s.size());
            assertEquals(9, c.size());
            assertTrue(s.contains(s.random(rnd)));
            Set<String> picked = new HashSet<>();
            for (byte[] m : s.randomDistinct(6, rnd)) {
                assertTrue(s.contains(m));
                picked.add(Bytes.str(m));
            }
            assertEquals(6, picked.size());
        }
    }
}
