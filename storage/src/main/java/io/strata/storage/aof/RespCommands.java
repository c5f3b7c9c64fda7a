package io.strata.storage.aof;

import java.nio.charset.StandardCharsets;

/**
 * Parses the RESP commands an AOF holds — multibulk arrays of bulk strings, as Redis writes them
 * ({@code *<argc>\r\n} then {@code $<len>\r\n<bytes>\r\n} per argument) — and Redis' annotation
 * lines ({@code #TS:<unix seconds>\r\n} and other {@code #...} lines, which loaders skip). Used on
 * the payload of a Strata frame and on redis-server's plain incr files alike, so the server's AOF
 * loader and the tools share one parser.
 *
 * <p>{@link #next} parses in place and returns a status; arguments are positions in the caller's
 * buffer, so nothing is allocated per command. A buffer ending inside a command gives
 * {@link Status#INCOMPLETE} (the caller reads more, or at end of file has a torn tail).
 *
 * <p>Thread rule: an instance is used by one thread at a time.
 */
public final class RespCommands {
    /** What {@link #next} found. */
    public enum Status {
        /** A whole command: {@link #argc()} arguments, ending at {@link #end()}. */
        COMMAND,
        /** A {@code #...} annotation line ending at {@link #end()}; see {@link #annotationTimestamp}. */
        ANNOTATION,
        /** The buffer ends before the command does. */
        INCOMPLETE,
        /** Not RESP; {@link #problem()} says what was wrong. */
        CORRUPT
    }

    /** Largest argument count accepted (Redis: 1024*1024*1024 for multibulk length). */
    public static final int MAX_ARGS = 1024 * 1024 * 1024;
    /** Largest bulk accepted (Redis' proto-max-bulk-len default). */
    public static final long MAX_BULK = 512L * 1024 * 1024;

    private int argc;
    private int[] argOff = new int[16];
    private int[] argLen = new int[16];
    private int end;
    private int annotationStart;
    private String problem;
    /** Parse position; -1 after a number failed to parse. */
    private int p;

    /** Parses the command starting at {@code b[pos]}, looking no further than {@code limit}. */
    public Status next(byte[] b, int pos, int limit) {
        problem = null;
        argc = 0;
        if (pos >= limit) {
            return Status.INCOMPLETE;
        }
        if (b[pos] == '#') {
            for (int i = pos + 1; i + 1 < limit; i++) {
                if (b[i] == '\r' && b[i + 1] == '\n') {
                    annotationStart = pos + 1;
                    end = i + 2;
                    return Status.ANNOTATION;
                }
                if (b[i] == '\n') {
                    return corrupt("annotation line not terminated by CRLF");
                }
            }
            return Status.INCOMPLETE;
        }
        if (b[pos] != '*') {
            return corrupt("expected '*', got " + describe(b[pos]));
        }
        p = pos + 1;
        long n = number(b, limit);
        if (p < 0) {
            return problem == null ? Status.INCOMPLETE : Status.CORRUPT;
        }
        if (n < 1 || n > MAX_ARGS) {
            return corrupt("invalid multibulk length " + n);
        }
        int count = (int) n;
        if (argOff.length < count) {
            int cap = Math.min(count, Math.max(argOff.length * 2, 16));
            argOff = java.util.Arrays.copyOf(argOff, cap);
            argLen = java.util.Arrays.copyOf(argLen, cap);
        }
        for (int i = 0; i < count; i++) {
            if (p >= limit) {
                return Status.INCOMPLETE;
            }
            if (b[p] != '$') {
                return corrupt("expected '$', got " + describe(b[p]));
            }
            p++;
            long len = number(b, limit);
            if (p < 0) {
                return problem == null ? Status.INCOMPLETE : Status.CORRUPT;
            }
            if (len < 0 || len > MAX_BULK) {
                return corrupt("invalid bulk length " + len);
            }
            if ((long) p + len + 2 > limit) {
                return Status.INCOMPLETE;
            }
            if (i >= argOff.length) {
                argOff = java.util.Arrays.copyOf(argOff, Math.min(count, argOff.length * 2));
                argLen = java.util.Arrays.copyOf(argLen, argOff.length);
            }
            argOff[i] = p;
            argLen[i] = (int) len;
            p += (int) len;
            if (b[p] != '\r' || b[p + 1] != '\n') {
                return corrupt("bulk string not terminated by CRLF");
            }
            p += 2;
        }
        argc = count;
        end = p;
        return Status.COMMAND;
    }

    /** Reads digits up to CRLF at {@link #p}; on failure sets p to -1 (problem set if corrupt). */
    private long number(byte[] b, int limit) {
        long v = 0;
        boolean neg = false;
        int start = p;
        int i = p;
        if (i < limit && b[i] == '-') {
            neg = true;
            i++;
        }
        for (; i < limit; i++) {
            byte c = b[i];
            if (c == '\r') {
                if (i + 1 >= limit) {
                    p = -1;
                    return 0;
                }
                if (b[i + 1] != '\n' || i == start || (neg && i == start + 1)) {
                    corrupt("invalid length line");
                    p = -1;
                    return 0;
                }
                p = i + 2;
                return neg ? -v : v;
            }
            if (c < '0' || c > '9' || i - start > 18) {
                corrupt("invalid length line: " + describe(c));
                p = -1;
                return 0;
            }
            v = v * 10 + (c - '0');
        }
        p = -1;
        return 0;
    }

    private Status corrupt(String why) {
        problem = why;
        return Status.CORRUPT;
    }

    private static String describe(byte c) {
        return c >= 0x20 && c < 0x7f ? "'" + (char) c + "'" : String.format("0x%02x", c & 0xff);
    }

    /** Arguments of the last COMMAND. */
    public int argc() {
        return argc;
    }

    public int argOffset(int i) {
        return argOff[i];
    }

    public int argLength(int i) {
        return argLen[i];
    }

    /** Position just after the last COMMAND or ANNOTATION. */
    public int end() {
        return end;
    }

    /** What was wrong, after CORRUPT. */
    public String problem() {
        return problem;
    }

    /** A copy of argument {@code i} of the last COMMAND parsed from {@code b}. */
    public byte[] arg(byte[] b, int i) {
        return java.util.Arrays.copyOfRange(b, argOff[i], argOff[i] + argLen[i]);
    }

    /** Whether argument {@code i} equals {@code ascii}, ignoring ASCII case (command names). */
    public boolean argIs(byte[] b, int i, String ascii) {
        if (argLen[i] != ascii.length()) {
            return false;
        }
        for (int k = 0; k < argLen[i]; k++) {
            int c = b[argOff[i] + k];
            if (c >= 'a' && c <= 'z') {
                c -= 32;
            }
            int d = ascii.charAt(k);
            if (d >= 'a' && d <= 'z') {
                d -= 32;
            }
            if (c != d) {
                return false;
            }
        }
        return true;
    }

    /**
     * The timestamp of the last ANNOTATION when it is Redis' {@code #TS:<unix seconds>}, in
     * milliseconds; -1 for any other annotation.
     */
    public long annotationTimestamp(byte[] b) {
        String line = new String(b, annotationStart, end - 2 - annotationStart, StandardCharsets.US_ASCII);
        if (!line.startsWith("TS:")) {
            return -1;
        }
        try {
            return Long.parseLong(line.substring(3).trim()) * 1000;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Counts the whole commands in {@code b[off, off+len)}; -1 when it is not exactly that. */
    public long count(byte[] b, int off, int len) {
        long n = 0;
        int pos = off;
        int limit = off + len;
        while (pos < limit) {
            Status s = next(b, pos, limit);
            if (s == Status.COMMAND) {
                n++;
            } else if (s != Status.ANNOTATION) {
                return -1;
            }
            pos = end;
        }
        return n;
    }
}
