package io.strata.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.strata.engine.command.ReplySink;
import io.strata.engine.util.Numbers;

import java.nio.charset.StandardCharsets;

/**
 * Encodes replies as RESP2 or RESP3 into one outbound buffer per connection; {@link #take()}
 * hands the accumulated bytes to the channel. Common replies are pre-encoded.
 *
 * <p>Thread rule: the keyspace thread only (the one that runs commands for this connection).
 */
final class RespWriter implements ReplySink {
    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] OK = "+OK\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NULL_BULK = "$-1\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NULL_ARRAY = "*-1\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NULL3 = "_\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TRUE3 = "#t\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] FALSE3 = "#f\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final int SHARED_INTS = 10000;
    /** ":n\r\n" for 0 <= n < SHARED_INTS. */
    private static final byte[][] INTS = new byte[SHARED_INTS][];
    /** "$n\r\n" (bulk headers) for 0 <= n < SHARED_INTS. */
    private static final byte[][] BULK_HEADERS = new byte[SHARED_INTS][];
    /** "*n\r\n" (array headers) for 0 <= n < SHARED_INTS. */
    private static final byte[][] ARRAY_HEADERS = new byte[SHARED_INTS][];

    static {
        for (int i = 0; i < SHARED_INTS; i++) {
            INTS[i] = (":" + i + "\r\n").getBytes(StandardCharsets.US_ASCII);
            BULK_HEADERS[i] = ("$" + i + "\r\n").getBytes(StandardCharsets.US_ASCII);
            ARRAY_HEADERS[i] = ("*" + i + "\r\n").getBytes(StandardCharsets.US_ASCII);
        }
    }

    private final ByteBufAllocator alloc;
    private ByteBuf out;
    private boolean muted;
    private long errors;
    /** Told of every error reply (INFO errorstats); keyspace thread. */
    java.util.function.Consumer<String> errorListener;
    int protocol = 2;

    RespWriter(ByteBufAllocator alloc) {
        this.alloc = alloc;
    }

    private ByteBuf buf() {
        ByteBuf b = out;
        if (b == null) {
            b = out = alloc.ioBuffer(512);
        }
        return b;
    }

    /** The bytes written since the last call, or null when none. */
    ByteBuf take() {
        ByteBuf b = out;
        out = null;
        return b;
    }

    long pendingBytes() {
        return out == null ? 0 : out.readableBytes();
    }

    void setMuted(boolean m) {
        muted = m;
    }

    void release() {
        if (out != null) {
            out.release();
            out = null;
        }
    }

    /** Writes raw pre-encoded bytes (used for errors before a client exists). */
    void raw(byte[] b) {
        buf().writeBytes(b);
    }

    @Override
    public int protocol() {
        return protocol;
    }

    @Override
    public long errors() {
        return errors;
    }

    @Override
    public void ok() {
        if (!muted) {
            buf().writeBytes(OK);
        }
    }

    @Override
    public void simple(String text) {
        if (muted) {
            return;
        }
        ByteBuf b = buf();
        b.writeByte('+');
        writeLine(b, text);
    }

    @Override
    public void error(String text) {
        errors++;
        if (errorListener != null) {
            errorListener.accept(text);
        }
        if (muted) {
            return;
        }
        ByteBuf b = buf();
        b.writeByte('-');
        writeLine(b, text);
    }

    private static void writeLine(ByteBuf b, String text) {
        // status and error lines may not contain CR or LF: Redis replaces them with spaces
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            if (ch == '\r' || ch == '\n') {
                text = text.replace('\r', ' ').replace('\n', ' ');
                break;
            }
        }
        b.writeCharSequence(text, StandardCharsets.UTF_8);
        b.writeBytes(CRLF);
    }

    private static void writeNumber(ByteBuf b, long v) {
        if (v < 0) {
            if (v == Long.MIN_VALUE) {
                b.writeCharSequence("-9223372036854775808", StandardCharsets.US_ASCII);
                return;
            }
            b.writeByte('-');
            v = -v;
        }
        if (v < 10) {
            b.writeByte((int) ('0' + v));
            return;
        }
        int digits = 1;
        for (long p = 10; p <= v && digits < 19; p *= 10) {
            digits++;
        }
        int at = b.writerIndex() + digits;
        b.ensureWritable(digits);
        for (int i = 1; i <= digits; i++) {
            b.setByte(at - i, (int) ('0' + v % 10));
            v /= 10;
        }
        b.writerIndex(at);
    }

    private void header(char type, long n, byte[][] shared) {
        ByteBuf b = buf();
        if (shared != null && n >= 0 && n < SHARED_INTS) {
            b.writeBytes(shared[(int) n]);
            return;
        }
        b.writeByte(type);
        writeNumber(b, n);
        b.writeBytes(CRLF);
    }

    @Override
    public void integer(long v) {
        if (!muted) {
            header(':', v, INTS);
        }
    }

    @Override
    public void bulk(byte[] v) {
        bulk(v, 0, v.length);
    }

    @Override
    public void bulk(byte[] v, int off, int len) {
        if (muted) {
            return;
        }
        header('$', len, BULK_HEADERS);
        ByteBuf b = out;
        b.writeBytes(v, off, len);
        b.writeBytes(CRLF);
    }

    @Override
    public void bulk(String s) {
        bulk(s.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void nullBulk() {
        if (!muted) {
            buf().writeBytes(protocol == 3 ? NULL3 : NULL_BULK);
        }
    }

    @Override
    public void nullArray() {
        if (!muted) {
            buf().writeBytes(protocol == 3 ? NULL3 : NULL_ARRAY);
        }
    }

    @Override
    public void array(int n) {
        if (!muted) {
            header('*', n, ARRAY_HEADERS);
        }
    }

    @Override
    public void map(int n) {
        if (muted) {
            return;
        }
        if (protocol == 3) {
            header('%', n, null);
        } else {
            header('*', 2L * n, ARRAY_HEADERS);
        }
    }

    @Override
    public void set(int n) {
        if (muted) {
            return;
        }
        if (protocol == 3) {
            header('~', n, null);
        } else {
            header('*', n, ARRAY_HEADERS);
        }
    }

    @Override
    public void push(int n) {
        if (muted) {
            return;
        }
        if (protocol == 3) {
            header('>', n, null);
        } else {
            header('*', n, ARRAY_HEADERS);
        }
    }

    @Override
    public void dbl(double d) {
        if (muted) {
            return;
        }
        String s = Numbers.formatDouble(d);
        if (protocol == 3) {
            ByteBuf b = buf();
            b.writeByte(',');
            b.writeCharSequence(s, StandardCharsets.US_ASCII);
            b.writeBytes(CRLF);
        } else {
            bulk(s);
        }
    }

    @Override
    public void dblText(String s) {
        if (muted) {
            return;
        }
        if (protocol == 3) {
            ByteBuf b = buf();
            b.writeByte(',');
            b.writeCharSequence(s, StandardCharsets.US_ASCII);
            b.writeBytes(CRLF);
        } else {
            bulk(s);
        }
    }

    @Override
    public void bool(boolean v) {
        if (muted) {
            return;
        }
        if (protocol == 3) {
            buf().writeBytes(v ? TRUE3 : FALSE3);
        } else {
            header(':', v ? 1 : 0, INTS);
        }
    }

    @Override
    public void verbatim(String text) {
        if (muted) {
            return;
        }
        if (protocol == 3) {
            byte[] t = text.getBytes(StandardCharsets.UTF_8);
            ByteBuf b = buf();
            b.writeByte('=');
            writeNumber(b, t.length + 4L);
            b.writeBytes(CRLF);
            b.writeCharSequence("txt:", StandardCharsets.US_ASCII);
            b.writeBytes(t);
            b.writeBytes(CRLF);
        } else {
            bulk(text);
        }
    }
}
