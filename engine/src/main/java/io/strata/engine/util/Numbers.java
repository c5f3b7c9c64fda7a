package io.strata.engine.util;

import java.math.BigDecimal;

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

    /**
     * Formats a double reply exactly as Redis 7.0's addReplyDouble does: C's {@code %.17g}
     * (17 significant digits, trailing zeros dropped, exponent form when the exponent is below -4
     * or at least 17), "inf"/"-inf", and "-0" for negative zero. So 1.1 prints as
     * "1.1000000000000001" and 1e17 as "1e+17", as redis-server 7.0.15 answers.
     */
    public static String formatDouble(double d) {
        if (Double.isInfinite(d)) {
            return d > 0 ? "inf" : "-inf";
        }
        if (Double.isNaN(d)) {
            return "nan";
        }
        if (d == 0) {
            return (Double.doubleToRawLongBits(d) < 0) ? "-0" : "0";
        }
        // exact decimal value of the double rounded to 17 significant digits, ties to even as glibc
        BigDecimal bd = new BigDecimal(d).round(new java.math.MathContext(17, java.math.RoundingMode.HALF_EVEN));
        int exp = bd.precision() - bd.scale() - 1; // decimal exponent of the first digit
        if (exp < -4 || exp >= 17) {
            String digits = bd.unscaledValue().abs().toString();
            // strip trailing zeros from the mantissa digits
            int end = digits.length();
            while (end > 1 && digits.charAt(end - 1) == '0') {
                end--;
            }
            StringBuilder sb = new StringBuilder(26);
            if (d < 0) {
                sb.append('-');
            }
            sb.append(digits.charAt(0));
            if (end > 1) {
                sb.append('.').append(digits, 1, end);
            }
            sb.append('e').append(exp < 0 ? '-' : '+');
            int ae = Math.abs(exp);
            if (ae < 10) {
                sb.append('0');
            }
            sb.append(ae);
            return sb.toString();
        }
        String plain = bd.toPlainString();
        if (plain.indexOf('.') >= 0) {
            int end = plain.length();
            while (plain.charAt(end - 1) == '0') {
                end--;
            }
            if (plain.charAt(end - 1) == '.') {
                end--;
            }
            plain = plain.substring(0, end);
        }
        return plain;
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
}
