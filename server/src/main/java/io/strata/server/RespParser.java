package io.strata.server;

import io.strata.engine.command.Args;

import java.nio.charset.StandardCharsets;

/**
 * Incremental RESP request decoder: multibulk ({@code *N\r\n$len\r\n…}) and inline commands,
 * written as a state machine over the connection's query buffer, one short method per state.
 * A decoded command's arguments are slices of the buffer ({@link Args}), so decoding allocates
 * nothing per command. Limits are checked before anything is allocated for a length.
 *
 * <p>Thread rule: owned by one connection's I/O thread.
 */
public final class RespParser {
    /** {@link #next()} result: a command is in {@link #args()}. */
    public static final int COMMAND = 1;
    /** {@link #next()} result: the buffer holds no complete command yet. */
    public static final int NEED_MORE = 0;
    /** {@link #next()} result: protocol error, see {@link #error()}; close after replying. */
    public static final int ERROR = -1;

    /** Longest header or inline line Redis accepts (PROTO_INLINE_MAX_SIZE). */
    static final int MAX_LINE = 64 * 1024;
    /** Most arguments Redis decodes for a client that must still authenticate. */
    static final int UNAUTHENTICATED_MAX_ARGS = 10;
    /** Longest bulk Redis decodes for a client that must still authenticate. */
    static final int UNAUTHENTICATED_MAX_BULK = 16384;
    private static final int INITIAL = 16 * 1024;

    private enum State { START, BULK_HEADER, BULK_DATA }

    private byte[] buf = new byte[INITIAL];
    private int rpos;
    private int wpos;
    private State state = State.START;
    private long remaining;
    private int bulkLen;
    /** Where the command being decoded starts, so compaction keeps it. */
    private int cmdStart;
    /**
     * Bytes after {@link #rpos} already searched for the end of the current line, so a client
     * trickling a long header one byte per read costs linear, not quadratic, scanning.
     */
    private int scanned;
    private final Args args = new Args(8);
    private final Args inlineArgs = new Args(8);
    private Args current = args;
    private String error;
    private long maxBulkLen;
    /** Redis' authRequired(): the small limits above apply to the next command decoded. */
    private boolean unauthenticated;

    public RespParser(long maxBulkLen) {
        this.maxBulkLen = maxBulkLen;
    }

    public void setMaxBulkLen(long maxBulkLen) {
        this.maxBulkLen = maxBulkLen;
    }

    /** True while the client must still authenticate: multibulks over 10 arguments or 16 KB bulks are errors. */
    public void setUnauthenticated(boolean unauthenticated) {
        this.unauthenticated = unauthenticated;
    }

    public Args args() {
        return current;
    }

    public String error() {
        return error;
    }

    /** Bytes received and not yet consumed (CLIENT LIST qbuf). */
    public int pending() {
        return wpos - cmdStart;
    }

    public int capacity() {
        return buf.length;
    }

    /** Makes room for {@code n} more bytes at the write position and returns the buffer. */
    public byte[] reserve(int n) {
        if (wpos + n > buf.length) {
            int live = wpos - cmdStart;
            if (cmdStart > 0 && live + n <= buf.length) {
                System.arraycopy(buf, cmdStart, buf, 0, live);
            } else {
                long need = (long) live + n;
                if (need > Integer.MAX_VALUE - 8) {
                    throw new IllegalStateException("query buffer cannot grow: need=" + need);
                }
                int size = buf.length;
                while (size < need) {
                    // doubling past 512 MB would ask for a 2 GB array for one maximal bulk
                    size = size < (1 << 29) ? size * 2 : (int) Math.min(Integer.MAX_VALUE - 8, size + (size >> 1));
                }
                byte[] nb = new byte[size];
                System.arraycopy(buf, cmdStart, nb, 0, live);
                buf = nb;
                args.setBuffer(nb);
            }
            args.shift(cmdStart);
            rpos -= cmdStart;
            wpos -= cmdStart;
            cmdStart = 0;
        }
        return buf;
    }

    public int writePosition() {
        return wpos;
    }

    /** Marks {@code n} bytes written at {@link #writePosition()} (after {@link #reserve}). */
    public void advance(int n) {
        wpos += n;
    }

    /** Copies bytes in; convenience for tests and the decoder's byte-at-a-time checks. */
    public void feed(byte[] b, int off, int len) {
        reserve(len);
        System.arraycopy(b, off, buf, wpos, len);
        wpos += len;
    }

    /** Drops the buffer when idle and large, so a one-off big command does not pin memory. */
    public void shrinkIfIdle() {
        if (rpos == wpos && state == State.START && buf.length > INITIAL * 4) {
            buf = new byte[INITIAL];
            rpos = wpos = cmdStart = 0;
        } else if (rpos == wpos && state == State.START) {
            rpos = wpos = cmdStart = 0;
        }
    }

    /** Decodes the next command if complete. */
    public int next() {
        while (true) {
            switch (state) {
                case START: {
                    if (rpos == wpos) {
                        cmdStart = rpos;
                        return NEED_MORE;
                    }
                    cmdStart = rpos;
                    if (buf[rpos] == '*') {
                        int r = multibulkHeader();
                        if (r != COMMAND) {
                            return r;
                        }
                        if (remaining == 0) {
                            continue; // "*0" or "*-1": nothing to run
                        }
                    } else {
                        int r = inline();
                        if (r != COMMAND || current.argc() > 0) {
                            return r;
                        }
                    }
                    break;
                }
                case BULK_HEADER: {
                    int r = bulkHeader();
                    if (r != COMMAND) {
                        return r;
                    }
                    break;
                }
                case BULK_DATA: {
                    int r = bulkData();
                    if (r != COMMAND) {
                        return r;
                    }
                    if (remaining == 0) {
                        state = State.START;
                        current = args;
                        return COMMAND;
                    }
                    break;
                }
                default:
                    throw new IllegalStateException("state=" + state);
            }
        }
    }

    /**
     * Looks ahead, without decoding or changing any state, at the complete multibulk commands
     * waiting in the buffer and records where each one's first argument after the name (the
     * key of most commands) lies, so the keyspace can fetch their entries into the cache
     * together before the commands run one by one. Stops at the first command that is not a
     * plain multibulk of 2 to {@code maxArgs} arguments, is incomplete, or once {@code max} are
     * found; malformed input simply ends the scan (decoding reports it). Returns how many.
     */
    public int scanKeys(int max, int maxArgs, int[] keyOff, int[] keyLen) {
        if (state != State.START) {
            return 0;
        }
        int p = rpos;
        int n = 0;
        while (n < max && p < wpos && buf[p] == '*') {
            long argc = 0;
            int q = p + 1;
            while (q < wpos && buf[q] >= '0' && buf[q] <= '9' && argc <= maxArgs) {
                argc = argc * 10 + buf[q++] - '0';
            }
            if (argc < 2 || argc > maxArgs || q + 1 >= wpos || buf[q] != '\r') {
                return n;
            }
            q += 2;
            for (int i = 0; i < argc; i++) {
                if (q >= wpos || buf[q] != '$') {
                    return n;
                }
                long len = 0;
                q++;
                while (q < wpos && buf[q] >= '0' && buf[q] <= '9' && len <= wpos) {
                    len = len * 10 + buf[q++] - '0';
                }
                if (q + 1 >= wpos || buf[q] != '\r' || q + 2 + len + 2 > wpos) {
                    return n;
                }
                q += 2;
                if (i == 1) {
                    keyOff[n] = q;
                    keyLen[n] = (int) len;
                }
                q += (int) len + 2;
            }
            n++;
            p = q;
        }
        return n;
    }

    /** Whether bytes past the last decoded command are waiting. */
    public boolean hasMore() {
        return rpos < wpos;
    }

    /** The query buffer (for {@link #scanKeys}' offsets); valid until the next {@link #reserve}. */
    public byte[] buffer() {
        return buf;
    }

    /** Precondition: {@code from == rpos} (a line always starts at the read position). */
    private int findCrlf(int from) {
        int limit = Math.min(wpos, from + MAX_LINE + 2);
        for (int i = from + Math.max(0, scanned - 1); i < limit - 1; i++) {
            if (buf[i] == '\r' && buf[i + 1] == '\n') {
                scanned = 0;
                return i;
            }
        }
        scanned = limit - from;
        return -1;
    }

    private int protocolError(String msg) {
        error = "Protocol error: " + msg;
        return ERROR;
    }

    /**
     * Parses a decimal in buf[from, to) as Redis' string2ll does: no sign but '-', no leading
     * zeros, no "-0". Long.MIN_VALUE when not a valid number.
     */
    private long parseNumber(int from, int to) {
        if (from >= to || to - from > 20) {
            return Long.MIN_VALUE;
        }
        if (to - from == 1 && buf[from] == '0') {
            return 0;
        }
        boolean neg = buf[from] == '-';
        int i = neg ? from + 1 : from;
        if (i == to || buf[i] < '1' || buf[i] > '9') {
            return Long.MIN_VALUE;
        }
        long v = 0;
        for (; i < to; i++) {
            int d = buf[i] - '0';
            if (d < 0 || d > 9 || v > (Long.MAX_VALUE - d) / 10) {
                return Long.MIN_VALUE;
            }
            v = v * 10 + d;
        }
        return neg ? -v : v;
    }

    private int multibulkHeader() {
        int cr = findCrlf(rpos);
        if (cr < 0) {
            if (wpos - rpos > MAX_LINE) {
                return protocolError("too big mbulk count string");
            }
            return NEED_MORE;
        }
        long n = parseNumber(rpos + 1, cr);
        if (n == Long.MIN_VALUE || n > Integer.MAX_VALUE) {
            return protocolError("invalid multibulk length");
        }
        if (unauthenticated && n > UNAUTHENTICATED_MAX_ARGS) {
            return protocolError("unauthenticated multibulk length");
        }
        rpos = cr + 2;
        args.reset(buf);
        current = args;
        remaining = Math.max(n, 0);
        if (remaining > 0) {
            state = State.BULK_HEADER;
        }
        return COMMAND;
    }

    private int bulkHeader() {
        if (rpos == wpos) {
            return NEED_MORE;
        }
        if (buf[rpos] != '$') {
            return protocolError("expected '$', got '" + (char) (buf[rpos] & 0xff) + "'");
        }
        int cr = findCrlf(rpos);
        if (cr < 0) {
            if (wpos - rpos > MAX_LINE) {
                return protocolError("too big bulk count string");
            }
            return NEED_MORE;
        }
        long len = parseNumber(rpos + 1, cr);
        if (len < 0 || len > maxBulkLen || len > Integer.MAX_VALUE - 16) {
            return protocolError("invalid bulk length");
        }
        if (unauthenticated && len > UNAUTHENTICATED_MAX_BULK) {
            return protocolError("unauthenticated bulk length");
        }
        rpos = cr + 2;
        bulkLen = (int) len;
        state = State.BULK_DATA;
        return COMMAND;
    }

    private int bulkData() {
        if (wpos - rpos < (long) bulkLen + 2) {
            return NEED_MORE;
        }
        args.add(rpos, bulkLen);
        rpos += bulkLen + 2; // Redis does not check the CRLF after the data either
        remaining--;
        state = remaining == 0 ? State.BULK_DATA : State.BULK_HEADER;
        return COMMAND;
    }

    /** A line of space-separated words with redis-cli style quoting, as Redis' inline protocol. */
    private int inline() {
        int nl = -1;
        int limit = Math.min(wpos, rpos + MAX_LINE + 1);
        for (int i = rpos + scanned; i < limit; i++) {
            if (buf[i] == '\n') {
                nl = i;
                break;
            }
        }
        scanned = nl < 0 ? limit - rpos : 0;
        if (nl < 0) {
            if (wpos - rpos > MAX_LINE) {
                return protocolError("too big inline request");
            }
            return NEED_MORE;
        }
        int end = nl > rpos && buf[nl - 1] == '\r' ? nl - 1 : nl;
        String line = new String(buf, rpos, end - rpos, StandardCharsets.ISO_8859_1);
        rpos = nl + 1;
        byte[][] parts = splitArgs(line);
        if (parts == null) {
            return protocolError("unbalanced quotes in request");
        }
        int total = 0;
        for (byte[] p : parts) {
            total += p.length;
        }
        byte[] scratch = new byte[total];
        inlineArgs.reset(scratch);
        int pos = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, scratch, pos, p.length);
            inlineArgs.add(pos, p.length);
            pos += p.length;
        }
        current = inlineArgs;
        return COMMAND;
    }

    /**
     * Splits a line as Redis' sdssplitargs: spaces separate words, "double quotes" with
     * backslash escapes (\n \r \t \b \a \\ \" \xHH) and 'single quotes' (only \' escaped).
     * Returns null on unbalanced quotes or a closing quote not followed by a space.
     */
    static byte[][] splitArgs(String line) {
        java.util.List<byte[]> out = new java.util.ArrayList<>();
        int i = 0;
        int n = line.length();
        while (true) {
            while (i < n && isSpace(line.charAt(i))) {
                i++;
            }
            if (i >= n) {
                break;
            }
            java.io.ByteArrayOutputStream cur = new java.io.ByteArrayOutputStream();
            boolean inDq = false;
            boolean inSq = false;
            boolean done = false;
            while (!done) {
                if (inDq) {
                    if (i >= n) {
                        return null;
                    }
                    char ch = line.charAt(i);
                    if (ch == '\\' && i + 3 < n && line.charAt(i + 1) == 'x' && isHex(line.charAt(i + 2)) && isHex(line.charAt(i + 3))) {
                        cur.write(Integer.parseInt(line.substring(i + 2, i + 4), 16));
                        i += 3;
                    } else if (ch == '\\' && i + 1 < n) {
                        i++;
                        char e = line.charAt(i);
                        switch (e) {
                            case 'n': cur.write('\n'); break;
                            case 'r': cur.write('\r'); break;
                            case 't': cur.write('\t'); break;
                            case 'b': cur.write('\b'); break;
                            case 'a': cur.write(7); break;
                            default: cur.write(e);
                        }
                    } else if (ch == '"') {
                        if (i + 1 < n && !isSpace(line.charAt(i + 1))) {
                            return null;
                        }
                        done = true;
                    } else {
                        cur.write(ch);
                    }
                } else if (inSq) {
                    if (i >= n) {
                        return null;
                    }
                    char ch = line.charAt(i);
                    if (ch == '\\' && i + 1 < n && line.charAt(i + 1) == '\'') {
                        i++;
                        cur.write('\'');
                    } else if (ch == '\'') {
                        if (i + 1 < n && !isSpace(line.charAt(i + 1))) {
                            return null;
                        }
                        done = true;
                    } else {
                        cur.write(ch);
                    }
                } else {
                    if (i >= n) {
                        done = true;
                        break;
                    }
                    char ch = line.charAt(i);
                    if (ch == ' ' || ch == '\n' || ch == '\r' || ch == '\t' || ch == 0) {
                        done = true;
                    } else if (ch == '"') {
                        inDq = true;
                    } else if (ch == '\'') {
                        inSq = true;
                    } else {
                        cur.write(ch);
                    }
                }
                if (i < n) {
                    i++;
                }
            }
            out.add(cur.toByteArray());
        }
        return out.toArray(new byte[0][]);
    }

    /** C's isspace() in the "C" locale, as sdssplitargs uses (Java's isWhitespace also takes 0x1C-0x1F). */
    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r';
    }

    private static boolean isHex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }
}
