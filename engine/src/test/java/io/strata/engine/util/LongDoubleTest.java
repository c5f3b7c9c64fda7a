package io.strata.engine.util;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class LongDoubleTest {
    private static BigDecimal p(String s) {
        byte[] b = Bytes.ascii(s);
        return LongDouble.parse(b, 0, b.length);
    }

    private static String sum(String a, String b) {
        return LongDouble.formatHuman(LongDouble.add(p(a), p(b)));
    }

    @Test
    void shouldAddLikeRedisLongDouble() {
        // each expected value is what redis-server 7.0 answers on x86-64
        assertEquals("0.3", sum("0.1", "0.2"));
        assertEquals("10.6", sum("10.5", "0.1"));
        assertEquals("1.23456789012345678", sum("1.23456789012345678", "1e-20"));
        assertEquals("0", sum("3000", "-3.0e3"));
        assertEquals("9007199254740993.5", sum("9007199254740993", "0.5"));
        assertEquals("1100000000000000000031679530732795138591532332325862506718383847413637247277123812426882416762248657849988461241352992611336706554823545160973174225130610215620027094046395127399610417538983706465906638682164129361456386852562032955198318116281073243798236543816165261761777879190685034590410989633536",
            sum("1.1e300", "0"));
    }

    @Test
    void shouldRefuseInfinityAndOutOfRange() {
        assertNull(p("inf"));
        assertNull(p("abc"));
        assertNull(p("1.5e4932"));
        assertNull(LongDouble.add(p("1e4932"), p("1e4932")));
    }
}
