package io.strata.bench.load;

import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;

/**
 * Finds where one complete RESP2/RESP3 reply ends in a buffer without building anything: the
 * load generator only needs to know that a reply arrived and whether it was an error.
 *
 * <p>Thread rule: static, any thread.
 */
final class Replies {
    /** {@link #end} result: the buffer does not hold the whole reply yet. */
    static final int INCOMPLETE = -1;
    /** Deepest aggregate nesting accepted; a reply nested deeper is treated as garbage. */
    private static final int MAX_DEPTH = 64;

    private Replies() {
    }

    /**
     * Index just after the reply starting at {@code i}, or {@link #INCOMPLETE}.
     *
     * @throws IllegalStateException when the bytes are not RESP
     */
    static int end(ByteBuf b, int i, int limit) {
        return end(b, i, limit, 0);
    }

    private static int end(ByteBuf b, int i, int limit, int depth) {
        if (i >= limit) {
            return INCOMPLETE;
        }
        byte type = b.getByte(i);
        int lf = b.indexOf(i + 1, limit, (byte) '\n');
        if (lf < 0) {
            return INCOMPLETE;
        }
        int next = lf + 1;
        switch (type) {
            case '+': case '-': case ':': case ',': case '#': case '_': case '(':
                return next;
            case '$': case '=': case '!': {
                long n = number(b, i + 1, lf - 1);
                if (n < 0) {
                    return next; // null bulk
                }
                long after = next + n + 2;
                return after <= limit ? (int) after : INCOMPLETE;
            }
            case '*': case '~': case '>': case '%': case '|': {
                long n = number(b, i + 1, lf - 1);
                if (type == '%' || type == '|') {
                    n *= 2;
                }
                if (depth >= MAX_DEPTH) {
                    throw new IllegalStateException("reply nested deeper than " + MAX_DEPTH);
                }
                int p = next;
                for (long k = 0; k < n; k++) {
                    p = end(b, p, limit, depth + 1);
                    if (p == INCOMPLETE) {
                        return INCOMPLETE;
                    }
                }
                return p;
            }
            default:
                throw new IllegalStateException("not a RESP reply: type byte=0x" + Integer.toHexString(type & 0xff)
                    + " text=" + b.toString(i, Math.min(40, limit - i), StandardCharsets.US_ASCII));
        }
    }

    /** Parses the decimal in {@code [from, to)} (the CR is at {@code to}). */
    private static long number(ByteBuf b, int from, int to) {
        boolean neg = false;
        long v = 0;
        for (int i = from; i < to; i++) {
            byte c = b.getByte(i);
            if (c == '-' && i == from) {
                neg = true;
            } else if (c >= '0' && c <= '9') {
                v = v * 10 + (c - '0');
            } else {
                throw new IllegalStateException("bad length in reply at offset=" + i);
            }
        }
        return neg ? -v : v;
    }
}
