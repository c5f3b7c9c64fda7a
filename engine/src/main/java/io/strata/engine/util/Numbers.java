package io.strata.engine.util;

import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * Strict number parsing and formatting with Redis' rules ({@code string2ll}, {@code strtold},
 * {@code %.17Lg}-style output).
 *
 * <p>Any thread: stateless.
 */
public final class Numbers {
    /** Returned by {@link #parseLong} callers as "not a number"; check {@link #isLong} first. */
    private Numbers() {
    }

    /** True when {@code b[off..off+len)} is a canonical signed 64-bit integer as Redis' string2ll accepts it. */
    public static boolean isLong(byte[] b, int off, int len) {
        if (len == 0 || len > 20) {
            return false;
        }
        int i = off;
        int end = off + len;
        boolean neg = false;
        if (b[i] == '-') {
            neg = true;
            i++;
            if (i == end) {
                return false;
            }
        }
        if (b[i] == '0') {
            return i + 1 == end && !neg;
        }
        long v = 0;
        for (; i < end; i++) {
            int d = b[i] - '0';
            if (d < 0 || d > 9) {
                return false;
            }
            // accumulate negatively so Long.MIN_VALUE fits
            if (v < (Long.MIN_VALUE + d) / 10) {
                return false;
            }
            v = v * 10 - d;
        }
        return neg || v != Long.MIN_VALUE;
    }

    /** Precondition: {@link #isLong} returned true for the same range. */
    public static long parseLong(byte[] b, int off, int len) {
        int i = off;
        int end = off + len;
        boolean neg = b[i] == '-';
        if (neg) {
            i++;
        }
        long v = 0;
        for (; i < end; i++) {
            v = v * 10 - (b[i] - '0');
        }
        return neg ? v : -v;
    }

    /**
     * Parses a double as Redis' strtold-based helpers do: no leading/trailing space, "inf"/"-inf"
     * accepted, NaN refused. Returns NaN when the text is not a valid float.
     */
    public static double parseDouble(byte[] b, int off, int len) {
        if (len == 0 || len > 5000) {
            return Double.NaN;
        }
        if (Character.isWhitespace(b[off]) || Character.isWhitespace(b[off + len - 1])) {
            return Double.NaN;
        }
        String s = new String(b, off, len, java.nio.charset.StandardCharsets.ISO_8859_1);
        String l = s.toLowerCase();
        switch (l) {
            case "inf": case "+inf": case "infinity": case "+infinity":
                return Double.POSITIVE_INFINITY;
            case "-inf": case "-infinity":
                return Double.NEGATIVE_INFINITY;
            default:
        }
        for (int i = 0; i < l.length(); i++) {
            char c = l.charAt(i);
            if (!((c >= '0' && c <= '9') || c == '.' || c == 'e' || c == '-' || c == '+')) {
                return Double.NaN;
            }
        }
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    /** Formats like Redis' INCRBYFLOAT / HINCRBYFLOAT: plain decimal, no exponent, no trailing zeros. */
    public static String formatHumanDouble(double d) {
        if (Double.isInfinite(d)) {
            return d > 0 ? "inf" : "-inf";
        }
        if (d == 0) {
            return "0";
        }
        String plain = new BigDecimal(Double.toString(d)).stripTrailingZeros().toPlainString();
        return plain;
    }

    /** Formats a double reply the way Redis 7.0 prints scores ({@code %.17g}, shortest round trip). */
    public static String formatDouble(double d) {
        if (Double.isInfinite(d)) {
            return d > 0 ? "inf" : "-inf";
        }
        if (Double.isNaN(d)) {
            return "nan";
        }
        if (d == Math.rint(d) && Math.abs(d) < 1e17) {
            return Long.toString((long) d);
        }
        String s = Double.toString(d);
        int e = s.indexOf('E');
        if (e < 0) {
            return s;
        }
        String mant = s.substring(0, e);
        int exp = Integer.parseInt(s.substring(e + 1));
        if (mant.endsWith(".0")) {
            mant = mant.substring(0, mant.length() - 2);
        }
        return mant + "e" + (exp < 0 ? "-" : "+") + (Math.abs(exp) < 10 ? "0" : "") + Math.abs(exp);
    }

    /** Digits of {@code v} in ASCII. */
    public static byte[] longBytes(long v) {
        return Bytes.ascii(Long.toString(v));
    }

    /** Parses a memory size like redis.conf does: "1gb", "512mb", "100k", plain bytes. -1 when invalid. */
    public static long parseMemory(String s) {
        String l = s.trim().toLowerCase();
        long mul = 1;
        String[][] units = {{"gb", "1073741824"}, {"mb", "1048576"}, {"kb", "1024"}, {"g", "1000000000"},
            {"m", "1000000"}, {"k", "1000"}, {"b", "1"}};
        for (String[] u : units) {
            if (l.endsWith(u[0])) {
                mul = Long.parseLong(u[1]);
                l = l.substring(0, l.length() - u[0].length());
                break;
            }
        }
        try {
            long v = Long.parseLong(l);
            return v < 0 ? -1 : Math.multiplyExact(v, mul);
        } catch (NumberFormatException | ArithmeticException e) {
            return -1;
        }
    }

    /**
     * A value of the x87 80-bit extended type ("long double" on x86-64 Linux), which Redis'
     * INCRBYFLOAT parses ({@code strtold}), adds and prints ({@code %.17Lf}). Emulated exactly with
     * BigDecimal, because a Java double gives other answers: in Redis 0.1 + 0.2 is "0.3", not
     * "0.30000000000000004", and 1.7976931348623157e308 keeps its extra digits.
     *
     * <p>Any thread: immutable.
     */
    public static final class LongDouble {
        /** Bits of the significand (explicit integer bit included). */
        private static final int MANT_BITS = 64;
        /** Binary exponent of the lowest significand bit of the smallest (subnormal) values. */
        private static final int MIN_EXP = -16445;
        /** Every finite value is below 2^MAX_EXP. */
        private static final int MAX_EXP = 16384;
        /** Redis' MAX_LONG_DOUBLE_CHARS: longer input is refused. */
        private static final int MAX_CHARS = 5 * 1024;

        public static final LongDouble ZERO = new LongDouble(BigDecimal.ZERO, 0);
        public static final LongDouble POSITIVE_INFINITY = new LongDouble(null, 1);
        public static final LongDouble NEGATIVE_INFINITY = new LongDouble(null, -1);

        /** Exact value when finite; null for an infinity. */
        private final BigDecimal value;
        /** +1 or -1 for an infinity, 0 when finite. */
        private final int inf;

        private LongDouble(BigDecimal value, int inf) {
            this.value = value;
            this.inf = inf;
        }

        public boolean isInfinite() {
            return inf != 0;
        }

        /**
         * Parses text as Redis' {@code string2ld} does: the whole text must be one strtold number
         * (decimal, hex such as "0x1p-2", "inf"/"infinity"), no leading space, NaN refused, and
         * overflow or underflow to zero refused. Returns null when the text is not accepted.
         */
        public static LongDouble parse(byte[] b, int off, int len) {
            if (len == 0 || len >= MAX_CHARS || isCSpace(b[off])) {
                return null;
            }
            int i = off;
            int end = off + len;
            boolean neg = false;
            if (b[i] == '+' || b[i] == '-') {
                neg = b[i] == '-';
                i++;
            }
            if (i == end) {
                return null;
            }
            String rest = new String(b, i, end - i, java.nio.charset.StandardCharsets.ISO_8859_1).toLowerCase();
            if (rest.equals("inf") || rest.equals("infinity")) {
                return neg ? NEGATIVE_INFINITY : POSITIVE_INFINITY;
            }
            LongDouble v = rest.startsWith("0x") ? parseHex(rest) : parseDecimal(rest);
            if (v == null || v.isInfinite()) {
                return null; // invalid, or strtold's ERANGE overflow to HUGE_VALL
            }
            return neg ? v.negate() : v;
        }

        private static boolean isDigit(char c) {
            return c >= '0' && c <= '9';
        }

        private static boolean isCSpace(byte c) {
            return c == ' ' || (c >= '\t' && c <= '\r');
        }

        /** [digits][.digits][e[+-]digits], at least one digit in the significand. */
        private static LongDouble parseDecimal(String s) {
            int i = 0;
            int n = s.length();
            StringBuilder digits = new StringBuilder();
            int fraction = 0;
            while (i < n && isDigit(s.charAt(i))) {
                digits.append(s.charAt(i++));
            }
            if (i < n && s.charAt(i) == '.') {
                i++;
                while (i < n && isDigit(s.charAt(i))) {
                    digits.append(s.charAt(i++));
                    fraction++;
                }
            }
            if (digits.length() == 0) {
                return null;
            }
            long exp = parseExponent(s, i, 'e');
            if (exp == Long.MIN_VALUE) {
                return null;
            }
            BigInteger m = new BigInteger(digits.toString());
            if (m.signum() == 0) {
                return ZERO;
            }
            // decimal exponent of the leading digit, to settle far overflow/underflow cheaply
            long lead = exp - fraction + m.toString().length() - 1;
            if (lead > 4933) {
                return POSITIVE_INFINITY;
            }
            if (lead < -4952) {
                return null; // underflows to zero: strtold sets ERANGE
            }
            return roundOrUnderflow(new BigDecimal(m, (int) (fraction - exp)));
        }

        /** 0x[hexdigits][.hexdigits][p[+-]digits], at least one hex digit. */
        private static LongDouble parseHex(String s) {
            int i = 2;
            int n = s.length();
            StringBuilder digits = new StringBuilder();
            int fraction = 0;
            while (i < n && Character.digit(s.charAt(i), 16) >= 0) {
                digits.append(s.charAt(i++));
            }
            if (i < n && s.charAt(i) == '.') {
                i++;
                while (i < n && Character.digit(s.charAt(i), 16) >= 0) {
                    digits.append(s.charAt(i++));
                    fraction++;
                }
            }
            if (digits.length() == 0) {
                return null;
            }
            long exp = parseExponent(s, i, 'p');
            if (exp == Long.MIN_VALUE) {
                return null;
            }
            BigInteger m = new BigInteger(digits.toString(), 16);
            if (m.signum() == 0) {
                return ZERO;
            }
            long e2 = exp - 4L * fraction;
            long top = e2 + m.bitLength();
            if (top > MAX_EXP + 1) {
                return POSITIVE_INFINITY;
            }
            if (top < MIN_EXP - 1) {
                return null;
            }
            BigDecimal v = e2 >= 0 ? new BigDecimal(m.shiftLeft((int) e2)) : exactPow2(m, (int) e2);
            return roundOrUnderflow(v);
        }

        /**
         * Parses an optional exponent at {@code i} that must run to the end of {@code s}; 0 when
         * absent, clamped to +-10^9, {@code Long.MIN_VALUE} when malformed or followed by junk.
         */
        private static long parseExponent(String s, int i, char marker) {
            int n = s.length();
            if (i == n) {
                return 0;
            }
            if (s.charAt(i) != marker) {
                return Long.MIN_VALUE;
            }
            i++;
            boolean neg = false;
            if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
                neg = s.charAt(i) == '-';
                i++;
            }
            if (i == n) {
                return Long.MIN_VALUE;
            }
            long e = 0;
            for (; i < n; i++) {
                char c = s.charAt(i);
                if (c < '0' || c > '9') {
                    return Long.MIN_VALUE;
                }
                e = Math.min(1_000_000_000L, e * 10 + (c - '0'));
            }
            return neg ? -e : e;
        }

        private static LongDouble roundOrUnderflow(BigDecimal exact) {
            LongDouble v = round(exact);
            return v.inf == 0 && v.value.signum() == 0 ? null : v;
        }

        /** {@code m * 2^e} exactly, for e < 0: m * 5^-e / 10^-e. */
        private static BigDecimal exactPow2(BigInteger m, int e) {
            return new BigDecimal(m.multiply(BigInteger.valueOf(5).pow(-e)), -e);
        }

        /** Rounds an exact value to the nearest long double (ties to even), as the FPU does. */
        static LongDouble round(BigDecimal x) {
            if (x.signum() == 0) {
                return ZERO;
            }
            boolean neg = x.signum() < 0;
            BigDecimal ax = x.abs();
            BigInteger p;
            BigInteger q;
            if (ax.scale() <= 0) {
                p = ax.unscaledValue().multiply(BigInteger.TEN.pow(-ax.scale()));
                q = BigInteger.ONE;
            } else {
                p = ax.unscaledValue();
                q = BigInteger.TEN.pow(ax.scale());
            }
            // find e with 2^63 <= p / (q * 2^e) < 2^64, then clamp e for subnormals
            int e = p.bitLength() - q.bitLength() - MANT_BITS;
            BigInteger[] qr;
            while (true) {
                qr = divPow2(p, q, e);
                int bits = qr[0].bitLength();
                if (bits > MANT_BITS) {
                    e++;
                } else if (bits < MANT_BITS && e > MIN_EXP) {
                    e--;
                } else {
                    break;
                }
            }
            if (e < MIN_EXP) {
                e = MIN_EXP;
                qr = divPow2(p, q, e);
            }
            BigInteger n = qr[0];
            BigInteger den = e >= 0 ? q.shiftLeft(e) : q;
            int cmp = qr[1].shiftLeft(1).compareTo(den);
            if (cmp > 0 || (cmp == 0 && n.testBit(0))) {
                n = n.add(BigInteger.ONE);
                if (n.bitLength() > MANT_BITS) {
                    n = n.shiftRight(1);
                    e++;
                }
            }
            if (n.signum() == 0) {
                return ZERO;
            }
            if ((long) e + n.bitLength() > MAX_EXP) {
                return neg ? NEGATIVE_INFINITY : POSITIVE_INFINITY;
            }
            BigDecimal v = e >= 0 ? new BigDecimal(n.shiftLeft(e)) : exactPow2(n, e);
            return new LongDouble(neg ? v.negate() : v, 0);
        }

        /** Quotient and remainder of {@code p / (q * 2^e)}. */
        private static BigInteger[] divPow2(BigInteger p, BigInteger q, int e) {
            return e >= 0 ? p.divideAndRemainder(q.shiftLeft(e)) : p.shiftLeft(-e).divideAndRemainder(q);
        }

        public LongDouble negate() {
            return inf != 0 ? (inf > 0 ? NEGATIVE_INFINITY : POSITIVE_INFINITY) : new LongDouble(value.negate(), 0);
        }

        /** The rounded sum; null when it is NaN (infinities of opposite signs). */
        public LongDouble add(LongDouble o) {
            if (inf != 0 || o.inf != 0) {
                if (inf != 0 && o.inf != 0 && inf != o.inf) {
                    return null;
                }
                return inf != 0 ? this : o;
            }
            return round(value.add(o.value));
        }

        /**
         * Text as Redis' {@code ld2string(..., LD_STR_HUMAN)}: {@code %.17Lf}, trailing zeros and
         * a trailing '.' removed, "-0" written "0", infinities as "inf"/"-inf".
         */
        public String toHumanString() {
            if (inf != 0) {
                return inf > 0 ? "inf" : "-inf";
            }
            String s = value.setScale(17, java.math.RoundingMode.HALF_EVEN).toPlainString();
            int l = s.length();
            while (s.charAt(l - 1) == '0') {
                l--;
            }
            if (s.charAt(l - 1) == '.') {
                l--;
            }
            s = s.substring(0, l);
            return s.equals("-0") ? "0" : s;
        }
    }
}
