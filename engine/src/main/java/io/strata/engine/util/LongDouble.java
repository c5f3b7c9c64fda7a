package io.strata.engine.util;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;

/**
 * Redis' {@code long double} arithmetic for INCRBYFLOAT/HINCRBYFLOAT, emulated exactly: on x86-64
 * Redis parses with {@code strtold} into an 80-bit extended float (64-bit mantissa), adds, and
 * prints with {@code "%.17Lf"} minus trailing zeros (ld2string's LD_STR_HUMAN). With plain doubles
 * "0.1 + 0.2" would print 0.30000000000000004 where Redis answers 0.3, so values are kept as exact
 * {@link BigDecimal}s rounded to a 64-bit binary mantissa after every step.
 *
 * <p>Any thread: stateless.
 */
public final class LongDouble {
    private static final BigDecimal TWO_63 = new BigDecimal(BigInteger.ONE.shiftLeft(63));
    private static final BigDecimal TWO_64 = new BigDecimal(BigInteger.ONE.shiftLeft(64));
    /** LDBL_MAX; anything larger is infinite. */
    private static final BigDecimal MAX = new BigDecimal("1.18973149535723176502e4932");
    private static final double LOG2_10 = Math.log(10) / Math.log(2);

    private LongDouble() {
    }

    /**
     * The long double nearest to the decimal text, or null when it is not a finite number Redis
     * accepts (invalid text, "inf", NaN, or beyond the long double range).
     */
    public static BigDecimal parse(byte[] b, int off, int len) {
        double d = Numbers.parseDouble(b, off, len);
        if (Double.isNaN(d)) {
            return null;
        }
        BigDecimal exact;
        try {
            exact = new BigDecimal(new String(b, off, len, StandardCharsets.ISO_8859_1));
        } catch (NumberFormatException e) {
            // "inf" and friends, which Numbers accepts and BigDecimal does not
            return null;
        }
        long exp10 = (long) exact.precision() - exact.scale() - 1;
        if (exact.signum() != 0 && (exp10 > 4932 || exp10 < -4951)) {
            return null; // strtold: ERANGE (or beyond what we emulate: subnormals)
        }
        return round(exact);
    }

    /** {@code a + b} in long double; null when the result overflows to infinity. */
    public static BigDecimal add(BigDecimal a, BigDecimal b) {
        return round(a.add(b));
    }

    /** Rounds an exact value to the nearest long double (ties to even); null past LDBL_MAX. */
    static BigDecimal round(BigDecimal x) {
        if (x.signum() == 0) {
            return BigDecimal.ZERO;
        }
        BigDecimal a = x.abs();
        int e = (int) Math.floor(a.unscaledValue().bitLength() - 1 - a.scale() * LOG2_10) - 63;
        while (true) {
            BigDecimal s = times2(a, -e);
            if (s.compareTo(TWO_64) >= 0) {
                e++;
            } else if (s.compareTo(TWO_63) < 0) {
                e--;
            } else {
                BigDecimal r = times2(new BigDecimal(s.setScale(0, RoundingMode.HALF_EVEN).toBigIntegerExact()), e);
                if (r.compareTo(MAX) > 0) {
                    return null;
                }
                return x.signum() < 0 ? r.negate() : r;
            }
        }
    }

    /** {@code a * 2^k}, exactly. */
    private static BigDecimal times2(BigDecimal a, int k) {
        if (k >= 0) {
            return a.multiply(new BigDecimal(BigInteger.ONE.shiftLeft(k)));
        }
        // a / 2^n = a * 5^n / 10^n
        return a.multiply(new BigDecimal(BigInteger.valueOf(5).pow(-k))).scaleByPowerOfTen(k);
    }

    /** {@code "%.17Lf"} without trailing zeros (and "-0" as "0"), as Redis prints INCRBYFLOAT results. */
    public static String formatHuman(BigDecimal v) {
        String s = v.setScale(17, RoundingMode.HALF_EVEN).toPlainString();
        int end = s.length();
        while (s.charAt(end - 1) == '0') {
            end--;
        }
        if (s.charAt(end - 1) == '.') {
            end--;
        }
        s = s.substring(0, end);
        return s.equals("-0") ? "0" : s;
    }
}
