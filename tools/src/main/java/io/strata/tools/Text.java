package io.strata.tools;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Output formatting shared by the tools: redis-cli's quoting of binary strings, JSON strings,
 * human-readable sizes.
 *
 * <p>Any thread: stateless.
 */
final class Text {
    private Text() {
    }

    /**
     * Appends {@code b[off, off+len)} quoted as redis-cli prints strings (Redis' sdscatrepr):
     * double quotes, {@code \\ \" \n \r \t \a \b} escaped, other non-printable bytes as
     * {@code \xhh}. redis-cli reads such a line back unchanged.
     */
    static void quote(StringBuilder sb, byte[] b, int off, int len) {
        sb.append('"');
        for (int i = off; i < off + len; i++) {
            int c = b[i] & 0xff;
            switch (c) {
                case '\\': sb.append("\\\\"); break;
                case '"': sb.append("\\\""); break;
                case '\n': sb.append("\\n"); break;
                case '\r': sb.append("\\r"); break;
                case '\t': sb.append("\\t"); break;
                case 7: sb.append("\\a"); break;
                case 8: sb.append("\\b"); break;
                default:
                    if (c >= 0x20 && c < 0x7f) {
                        sb.append((char) c);
                    } else {
                        sb.append("\\x").append(HEX[c >> 4]).append(HEX[c & 15]);
                    }
            }
        }
        sb.append('"');
    }

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    /**
     * Appends bytes as a JSON string: decoded as UTF-8 when valid, otherwise each byte as the
     * code point of the same value (ISO-8859-1), so binary keys stay distinguishable.
     */
    static void json(StringBuilder sb, byte[] b) {
        String s;
        try {
            s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            s = new String(b, StandardCharsets.ISO_8859_1);
        }
        json(sb, s);
    }

    static void json(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"': sb.append("\\\""); break;
                case '\\': sb.append("\\\\"); break;
                case '\n': sb.append("\\n"); break;
                case '\r': sb.append("\\r"); break;
                case '\t': sb.append("\\t"); break;
                default:
                    if (c < 0x20 || c == 0x7f) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
            }
        }
        sb.append('"');
    }

    /** A JSON number for a score: inf and nan are not JSON numbers, so they become strings. */
    static void jsonScore(StringBuilder sb, double d) {
        if (Double.isNaN(d)) {
            sb.append("\"nan\"");
        } else if (Double.isInfinite(d)) {
            sb.append(d > 0 ? "\"inf\"" : "\"-inf\"");
        } else if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            sb.append((long) d);
        } else {
            sb.append(d);
        }
    }

    /** Printable form of a key for summaries: redis-cli quoting. */
    static String show(byte[] b) {
        StringBuilder sb = new StringBuilder();
        quote(sb, b, 0, b.length);
        return sb.toString();
    }

    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] u = {"KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int i = -1;
        while (v >= 1024 && i < u.length - 1) {
            v /= 1024;
            i++;
        }
        return String.format("%.1f %s", v, u[i]);
    }
}
