package io.strata.engine.commands;

import io.strata.engine.Errors;
import io.strata.engine.command.Args;
import io.strata.engine.command.ReplySink;
import io.strata.engine.util.Bytes;
import io.strata.engine.util.Glob;

/**
 * The cursor and options of HSCAN/SSCAN (Redis' parseScanCursorOrReply and the option loop of
 * scanGenericCommand, without TYPE, which only SCAN takes).
 *
 * <p>Thread rule: keyspace thread only (a short-lived object per call).
 */
final class ScanArgs {
    private static final byte[] COUNT = Bytes.ascii("count");
    private static final byte[] MATCH = Bytes.ascii("match");

    /** The cursor as an unsigned 64-bit number in a long. */
    final long cursor;
    long count = 10;
    /** Null when every element matches (no MATCH, or MATCH "*"). */
    byte[] pattern;

    private ScanArgs(long cursor) {
        this.cursor = cursor;
    }

    /**
     * Parses the cursor as C's strtoul does (optional sign, digits, a negative number wraps,
     * empty means 0); null after replying "invalid cursor".
     */
    static ScanArgs cursorOrReply(Args a, int i, ReplySink r) {
        byte[] b = a.buf();
        int p = a.off(i);
        int end = p + a.len(i);
        boolean neg = false;
        if (p < end && (b[p] == '-' || b[p] == '+')) {
            neg = b[p] == '-';
            p++;
            if (p == end) {
                r.error(Errors.INVALID_CURSOR);
                return null;
            }
        }
        long v = 0;
        for (; p < end; p++) {
            int d = b[p] - '0';
            if (d < 0 || d > 9 || Long.compareUnsigned(v, Long.divideUnsigned(-1L - d, 10)) > 0) {
                r.error(Errors.INVALID_CURSOR);
                return null;
            }
            v = v * 10 + d;
        }
        return new ScanArgs(neg ? -v : v);
    }

    /** Parses COUNT and MATCH from argument {@code from} on; false after replying an error. */
    boolean optionsOrReply(Args a, int from, ReplySink r) {
        for (int i = from; i < a.argc(); i += 2) {
            boolean hasValue = i + 1 < a.argc();
            if (hasValue && a.is(i, COUNT)) {
                if (!a.isLong(i + 1)) {
                    r.error(Errors.NOT_INTEGER);
                    return false;
                }
                count = a.longAt(i + 1);
                if (count < 1) {
                    r.error(Errors.SYNTAX);
                    return false;
                }
            } else if (hasValue && a.is(i, MATCH)) {
                byte[] p = a.bytes(i + 1);
                pattern = p.length == 1 && p[0] == '*' ? null : p;
            } else {
                r.error(Errors.SYNTAX);
                return false;
            }
        }
        return true;
    }

    boolean matches(byte[] element) {
        return pattern == null || Glob.match(pattern, element, false);
    }

    /** The reply for a missing key: cursor 0 and no elements. */
    static void replyEmpty(ReplySink r) {
        r.array(2);
        r.bulk("0");
        r.array(0);
    }
}
