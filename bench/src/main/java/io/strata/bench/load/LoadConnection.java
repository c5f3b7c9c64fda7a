package io.strata.bench.load;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import org.HdrHistogram.SingleWriterRecorder;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One client connection of a load run. It sends a batch of {@code pipeline} commands in one
 * write, records each reply's latency from the moment the batch was written (as
 * redis-benchmark does), and sends the next batch when the last reply of the batch is in.
 * Setup commands (AUTH, SELECT) go first and must all succeed.
 *
 * <p>Thread rule: every method runs on the connection's event loop thread, except the counters
 * read by the generator's progress loop ({@link #completed}, {@link #errors}) and the
 * {@link #recorder}, which is single-writer / any-reader by design.
 */
final class LoadConnection extends ByteToMessageDecoder {
    private static final byte[] SET_HEAD = "*3\r\n$3\r\nSET\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] GET_HEAD = "*2\r\n$3\r\nGET\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] INCR_HEAD = "*2\r\n$4\r\nINCR\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HSET_HEAD = "*4\r\n$4\r\nHSET\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] KEY_PREFIX = "key:".getBytes(StandardCharsets.US_ASCII);
    /** Counters and hashes get their own keys (same length as "key:"), so INCR never meets a string value. */
    private static final byte[] CNT_PREFIX = "cnt:".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HSH_PREFIX = "hsh:".getBytes(StandardCharsets.US_ASCII);
    /** Keys are "key:" and 12 digits, as redis-benchmark's key:__rand_int__ with -r. */
    static final int KEY_DIGITS = 12;
    private static final byte[] KEY_HEAD = ("$" + (KEY_PREFIX.length + KEY_DIGITS) + "\r\n").getBytes(StandardCharsets.US_ASCII);

    private final LoadGenerator.Run run;
    private final SplittableRandom rnd;
    private final byte[] valueBlock;
    private final int setupCommands;
    private final byte[] setup;
    final SingleWriterRecorder recorder = new SingleWriterRecorder(LoadGenerator.HIGHEST_NS, 3);
    /** Replies received (setup replies excluded); written by the event loop only. */
    final AtomicLong completed = new AtomicLong();
    /** Error replies received; written by the event loop only. */
    final AtomicLong errors = new AtomicLong();
    volatile String firstError;
    private ChannelHandlerContext ctx;
    private int setupPending;
    private int outstanding;
    private long batchStart;
    private boolean finished;

    LoadConnection(LoadGenerator.Run run, long seed, byte[] setup, int setupCommands) {
        this.run = run;
        this.rnd = new SplittableRandom(seed);
        this.setup = setup;
        this.setupCommands = setupCommands;
        byte[] v = new byte[run.spec.valueSize];
        SplittableRandom vr = new SplittableRandom(seed ^ 0x5DEECE66DL);
        for (int i = 0; i < v.length; i++) {
            v[i] = run.spec.repetitiveValues ? (byte) 'x' : (byte) ('a' + vr.nextInt(26));
        }
        String head = "$" + v.length + "\r\n";
        valueBlock = new byte[head.length() + v.length + 2];
        System.arraycopy(head.getBytes(StandardCharsets.US_ASCII), 0, valueBlock, 0, head.length());
        System.arraycopy(v, 0, valueBlock, head.length(), v.length);
        valueBlock[valueBlock.length - 2] = '\r';
        valueBlock[valueBlock.length - 1] = '\n';
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        this.ctx = ctx;
        if (setupCommands > 0) {
            setupPending = setupCommands;
            ctx.writeAndFlush(ctx.alloc().buffer(setup.length).writeBytes(setup));
        } else {
            run.connectionReady(null);
        }
        super.channelActive(ctx);
    }

    /** Starts sending load; called on this connection's event loop. */
    void start() {
        sendBatch();
    }

    private void sendBatch() {
        int n = run.claim();
        if (n == 0) {
            finish();
            return;
        }
        int setBytes = SET_HEAD.length + KEY_HEAD.length + KEY_PREFIX.length + KEY_DIGITS + 2 + valueBlock.length;
        ByteBuf out = ctx.alloc().buffer(n * (setBytes + 16));
        double readRatio = run.spec.readRatio;
        double incrRatio = run.spec.incrRatio;
        double hsetRatio = run.spec.hsetRatio;
        for (int i = 0; i < n; i++) {
            if (incrRatio > 0 || hsetRatio > 0) {
                double x = rnd.nextDouble();
                if (x < incrRatio + hsetRatio) {
                    boolean incr = x < incrRatio;
                    out.writeBytes(incr ? INCR_HEAD : HSET_HEAD);
                    out.writeBytes(KEY_HEAD).writeBytes(incr ? CNT_PREFIX : HSH_PREFIX);
                    writeDigits(out, run.keys.next(rnd));
                    out.writeByte('\r').writeByte('\n');
                    if (!incr) {
                        int f = rnd.nextInt(100);
                        out.writeBytes(new byte[] {'$', '3', '\r', '\n', 'f', (byte) ('0' + f / 10), (byte) ('0' + f % 10), '\r', '\n'});
                        out.writeBytes(valueBlock);
                    }
                    continue;
                }
            }
            boolean read = readRatio >= 1 || (readRatio > 0 && rnd.nextDouble() < readRatio);
            out.writeBytes(read ? GET_HEAD : SET_HEAD);
            out.writeBytes(KEY_HEAD).writeBytes(KEY_PREFIX);
            writeDigits(out, run.keys.next(rnd));
            out.writeByte('\r').writeByte('\n');
            if (!read) {
                out.writeBytes(valueBlock);
            }
        }
        outstanding = n;
        batchStart = System.nanoTime();
        ctx.writeAndFlush(out);
    }

    private static void writeDigits(ByteBuf out, long v) {
        int at = out.writerIndex();
        out.writeZero(KEY_DIGITS);
        for (int i = KEY_DIGITS - 1; i >= 0; i--) {
            out.setByte(at + i, (int) ('0' + v % 10));
            v /= 10;
        }
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> unused) {
        int limit = in.writerIndex();
        long now = 0;
        while (true) {
            int start = in.readerIndex();
            int end = Replies.end(in, start, limit);
            if (end == Replies.INCOMPLETE) {
                return;
            }
            boolean error = in.getByte(start) == '-';
            String text = error ? in.toString(start + 1, Math.max(0, end - start - 3), StandardCharsets.UTF_8) : null;
            in.readerIndex(end);
            if (setupPending > 0) {
                if (error) {
                    run.connectionReady("setup command failed: " + text);
                    ctx.close();
                    return;
                }
                if (--setupPending == 0) {
                    run.connectionReady(null);
                }
                continue;
            }
            if (outstanding == 0) {
                run.protocolProblem("reply with no request outstanding");
                continue;
            }
            if (now == 0) {
                now = System.nanoTime();
            }
            recorder.recordValue(Math.min(LoadGenerator.HIGHEST_NS, now - batchStart));
            completed.lazySet(completed.get() + 1);
            if (error) {
                errors.lazySet(errors.get() + 1);
                if (firstError == null) {
                    firstError = text;
                }
            }
            if (--outstanding == 0) {
                sendBatch();
            }
        }
    }

    private void finish() {
        if (!finished) {
            finished = true;
            run.connectionDone(0);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (!finished) {
            finished = true;
            run.connectionDone(outstanding);
        }
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        run.protocolProblem(cause.toString());
        ctx.close();
    }
}
