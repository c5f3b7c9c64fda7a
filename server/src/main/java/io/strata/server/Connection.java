package io.strata.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.strata.engine.Client;
import io.strata.engine.ClientChannel;
import io.strata.engine.Engine;
import io.strata.engine.command.Args;
import io.strata.engine.command.ReplySink;
import io.strata.engine.persist.Aof;

import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * One client connection: decodes requests with {@link RespParser} on its I/O thread and either
 * runs them right there (io-threads 1: the event loop is the keyspace thread) or hands each
 * decoded command to the {@link KeyspaceLoop} (io-threads N). Replies go through a
 * {@link RespWriter} and are flushed once per event-loop round (io-threads 1: the commands run
 * after every ready connection was read, see {@link StrataServer#runAfterRound}), so pipelines
 * cost one write.
 *
 * <p>Under {@code appendfsync always} a flushed reply is held back, tagged with the AOF sequence
 * number it depends on (the batch holding every write recorded so far, this client's and
 * others'), and leaves when the AOF thread reports that sequence fsynced: a reply never shows
 * data a crash could lose, and replies keep their order because tags only grow.
 *
 * <p>Thread rule: Netty callbacks run on the channel's event loop; {@link ClientChannel}
 * methods and the writer run on the keyspace thread (the same thread when io-threads is 1).
 */
final class Connection extends ChannelInboundHandlerAdapter implements ClientChannel, Aof.Waiter {
    private final StrataServer server;
    private final Engine engine;
    private final RespParser parser;
    private final boolean inline;
    private ChannelHandlerContext ctx;
    private RespWriter writer;
    private String addr = "?";
    private String laddr = "?";
    /** Set on the keyspace thread once registered with the engine. */
    Client client;
    private boolean rejected;
    private volatile boolean closing;
    /** client.authenticated as last seen on the keyspace thread, for the decoder on the I/O thread. */
    private volatile boolean authenticated;
    /**
     * AUTH/HELLO commands handed off and not yet run (io-threads N): until they have run the I/O
     * thread cannot know whether the client is authenticated, so it does not apply the limits.
     */
    private final java.util.concurrent.atomic.AtomicInteger authInFlight = new java.util.concurrent.atomic.AtomicInteger();
    /** Replies waiting for an fsync, oldest first, with the sequence each needs; keyspace thread. */
    private ByteBuf[] held = new ByteBuf[4];
    private long[] heldSeq = new long[4];
    private int heldHead;
    private int heldCount;
    /** close() came while replies were held: close once they are released. */
    private boolean closeWhenReleased;
    /**
     * Commands handed off and not yet run (io-threads N). While a script is busy, a connection with
     * none in flight is answered by its I/O thread (BUSY, SCRIPT/FUNCTION KILL) without breaking the
     * order of its replies.
     */
    private final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
    private static final byte[] SCRIPT = {'s', 'c', 'r', 'i', 'p', 't'};
    private static final byte[] FUNCTION = {'f', 'u', 'n', 'c', 't', 'i', 'o', 'n'};
    private static final byte[] KILL = {'k', 'i', 'l', 'l'};
    private static final byte[] AUTH = {'a', 'u', 't', 'h'};
    private static final byte[] HELLO = {'h', 'e', 'l', 'l', 'o'};
    private static final byte[] SHUTDOWN = {'s', 'h', 'u', 't', 'd', 'o', 'w', 'n'};
    private static final byte[] NOSAVE = {'n', 'o', 's', 'a', 'v', 'e'};
    private static final byte[] NOW = {'n', 'o', 'w'};
    private static final byte[] FORCE = {'f', 'o', 'r', 'c', 'e'};

    Connection(StrataServer server, boolean inline) {
        this.server = server;
        this.engine = server.engine();
        this.inline = inline;
        this.parser = new RespParser(engine.config.protoMaxBulkLen);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.writer = new RespWriter(ctx.alloc());
        this.writer.errorListener = engine.stats::countError;
        addr = format(ctx.channel().remoteAddress());
        laddr = format(ctx.channel().localAddress());
        engine.stats.connectionsReceived.increment();
        String refusal = server.admit(ctx.channel().remoteAddress());
        if (refusal != null) {
            rejected = true;
            engine.stats.rejectedConnections.increment();
            ctx.writeAndFlush(Unpooled.copiedBuffer(refusal, java.nio.charset.StandardCharsets.UTF_8))
                .addListener(ChannelFutureListener.CLOSE);
            return;
        }
        long id = engine.nextClientId();
        if (inline) {
            client = engine.connect(id, this);
        } else {
            server.keyspaceLoop().submit(() -> {
                client = engine.connect(id, this);
                authenticated = client.authenticated;
            });
        }
        ctx.fireChannelActive();
    }

    private static String format(SocketAddress a) {
        if (a instanceof InetSocketAddress) {
            InetSocketAddress i = (InetSocketAddress) a;
            String host = i.getAddress() != null ? i.getAddress().getHostAddress() : i.getHostString();
            int pct = host.indexOf('%');
            if (pct >= 0) {
                host = host.substring(0, pct);
            }
            return host + ":" + i.getPort();
        }
        return String.valueOf(a);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf in = (ByteBuf) msg;
        String busy = inline ? server.busyError() : null;
        try {
            if (rejected || closing) {
                return;
            }
            engine.stats.netInputBytes.add(in.readableBytes());
            DebugInput dbg = debugIn;
            if (dbg != null) {
                // a Lua debugger session: the input is the debugger's, not the command decoder's
                synchronized (dbg) {
                    byte[] b = new byte[in.readableBytes()];
                    in.readBytes(b);
                    dbg.bytes.writeBytes(b);
                    dbg.notifyAll();
                }
                return;
            }
            if (busy != null && client != null && client == server.busyCaller()) {
                // the busy script's own client: its next commands wait until the script ends, and its
                // query buffer stays as it is (the running command's arguments point into it)
                if (busyInput == null) {
                    busyInput = Unpooled.buffer(in.readableBytes());
                }
                busyInput.writeBytes(in);
                return;
            }
            append(in);
        } finally {
            in.release();
        }
        if (closedOverQueryLimit()) {
            return;
        }
        if (busy != null) {
            drainWhileBusy(busy);
        } else if (inline) {
            if (!queued) {
                queued = true;
                server.runAfterRound(this, ctx.channel().eventLoop());
            }
        } else {
            drain();
        }
    }

    /** Copies what {@code in} holds to the end of the query buffer. */
    private void append(ByteBuf in) {
        int n = in.readableBytes();
        parser.setMaxBulkLen(engine.config.protoMaxBulkLen); // CONFIG SET applies to open connections too
        byte[] b = parser.reserve(n);
        in.readBytes(b, parser.writePosition(), n);
        parser.advance(n);
    }

    /** Closes the connection when its query buffer passed client-query-buffer-limit; true then. */
    private boolean closedOverQueryLimit() {
        if (parser.pending() <= engine.config.clientQueryBufferLimit) {
            return false;
        }
        Log.warning("Closing client that reached max query buffer length: addr=" + addr
            + " qbuf=" + parser.pending());
        if (inline) {
            closeNow();
        } else {
            // the writer belongs to the keyspace thread: channelInactive hands its release there
            closing = true;
            ctx.close();
        }
        return true;
    }

    // ---- while a script is busy (io-threads 1, see StrataServer#processEventsWhileBlocked) ----

    /** The busy script's caller: what it sent meanwhile, appended to the query buffer when the script ends. */
    private ByteBuf busyInput;
    /** Reads are paused (autoRead off) until the busy script of this client ends. */
    private boolean pausedWhileBusy;

    /** This client runs the busy script: stops reading from it until the script ends; keyspace thread. */
    void pauseWhileBusy() {
        if (!pausedWhileBusy && !closing) {
            pausedWhileBusy = true;
            ctx.channel().config().setAutoRead(false);
            server.afterBusy(this);
        }
    }

    /**
     * A script of this round is busy: the replies this connection got earlier in the round are
     * sent now rather than after the script (Redis writes pending replies from
     * processEventsWhileBlocked too), and commands it read this round, still queued behind the
     * script, are answered now as if read while it runs. Not for the script's caller, whose
     * replies wait for the script's (Redis' protectClient). Keyspace thread.
     */
    void catchUpWhileBusy(String busy) {
        if (client == null || closing || client == server.busyCaller()) {
            return;
        }
        flush();
        if (queued) {
            drainWhileBusy(busy);
        }
    }

    /**
     * Runs the complete commands in the query buffer through {@link Engine#executeWhileBusy} and
     * sends the replies. A blocked or postponed client keeps its input until the script has ended,
     * as Redis leaves a blocked client's query buffer alone.
     */
    private void drainWhileBusy(String busy) {
        if (client == null || closing) {
            return;
        }
        if (client.isBlocked() || client.isPostponing()) {
            server.afterBusy(this);
            return;
        }
        boolean ran = false;
        while (!closing && !engine.halted) {
            parser.setUnauthenticated(authRequired());
            int r = parser.next();
            if (r == RespParser.NEED_MORE) {
                break;
            }
            if (r == RespParser.ERROR) {
                protocolError(parser.error());
                return;
            }
            engine.executeWhileBusy(client, parser.args(), busy);
            ran = true;
            if (client.closeAfterReply) {
                close();
                return;
            }
        }
        if (ran && !closing) {
            flush();
        }
    }

    /**
     * The busy script has ended: reads resume, what the caller sent meanwhile joins its query
     * buffer and the waiting commands run in the next round. Keyspace thread, from a task.
     */
    void resumeAfterBusy() {
        ByteBuf b = busyInput;
        busyInput = null;
        if (closing) {
            if (b != null) {
                b.release();
            }
            return;
        }
        if (pausedWhileBusy) {
            pausedWhileBusy = false;
            ctx.channel().config().setAutoRead(true);
        }
        if (b != null) {
            try {
                append(b);
            } finally {
                b.release();
            }
            if (closedOverQueryLimit()) {
                return;
            }
        }
        if (client != null && parser.pending() > 0 && !queued) {
            queued = true;
            server.runAfterRound(this, ctx.channel().eventLoop());
        }
    }

    /** Read this round, its commands not yet run (io-threads 1); keyspace thread. */
    private boolean queued;

    /** The end of the event-loop round: runs the commands this round's reads completed. */
    void runQueued() {
        queued = false;
        drain();
    }

    /** Commands with more arguments than this are not looked at ahead (MSET, big HSETs …). */
    private static final int AHEAD_MAX_ARGS = 8;
    private static final int[] NO_OFFSETS = new int[0];
    /** Where the keys of the commands waiting in the buffer lie (io-threads 1 look-ahead). */
    private int[] aheadOff = NO_OFFSETS;
    private int[] aheadLen = NO_OFFSETS;
    /** Commands still to run whose keys were looked ahead at; drainCommands looks again at 0. */
    private int aheadLeft;

    /** Decodes and runs (or hands off) every complete command in the buffer. */
    private void drain() {
        try {
            drainCommands();
        } finally {
            if (batch != null) {
                // every command this read decoded goes to the keyspace thread as one element
                server.keyspaceLoop().submitBatch(batch);
                batch = null;
            }
        }
    }

    /**
     * Adds the keys of up to {@code ahead.room()} complete commands waiting in the query buffer
     * to the look-ahead batch ({@link io.strata.engine.keyspace.Keyspace.Prefetch}); keyspace
     * thread, io-threads 1.
     */
    void lookAhead(io.strata.engine.keyspace.Keyspace.Prefetch ahead) {
        if (client == null || closing || ahead.room() == 0) {
            aheadLeft = 0;
            return;
        }
        if (aheadOff.length < ahead.room()) {
            aheadOff = new int[io.strata.engine.keyspace.Keyspace.Prefetch.MAX];
            aheadLen = new int[aheadOff.length];
        }
        int n = parser.scanKeys(ahead.room(), AHEAD_MAX_ARGS, aheadOff, aheadLen);
        byte[] buf = parser.buffer();
        for (int i = 0; i < n; i++) {
            ahead.add(client.db, buf, aheadOff[i], aheadLen[i]);
        }
        aheadLeft = n;
    }

    /** io-threads N: the commands of the current read, handed over together. */
    private HandOffBatch batch;

    private void drainCommands() {
        while (!closing) {
            parser.setUnauthenticated(authRequired());
            int r = parser.next();
            if (r == RespParser.NEED_MORE) {
                parser.shrinkIfIdle();
                return;
            }
            if (r == RespParser.ERROR) {
                if (batch != null) {
                    server.keyspaceLoop().submitBatch(batch); // the commands before the bad frame run first
                    batch = null;
                }
                protocolError(parser.error());
                return;
            }
            Args a = parser.args();
            if (inline) {
                // a long pipeline: look ahead at the next commands once those looked at have run.
                // Also when none were: a read that ended inside a command leaves the decoder there,
                // so the round's look-ahead found nothing (measured: 2k of 300k piped SETs were
                // looked at before this)
                if (aheadLeft > 0) {
                    aheadLeft--;
                }
                if (aheadLeft == 0 && parser.hasMore() && engine.prefetching()) {
                    lookAhead(engine.prefetch);
                    engine.prefetch.run();
                }
                engine.execute(client, a);
                if (client.closeAfterReply) {
                    close();
                    return;
                }
            } else {
                if (inFlight.get() == 0 && batch == null && answeredWhileBusy(a)) {
                    continue;
                }
                if (a.is(0, AUTH) || a.is(0, HELLO)) {
                    authInFlight.incrementAndGet();
                }
                inFlight.incrementAndGet();
                if (batch == null) {
                    batch = new HandOffBatch(this, parser.pending());
                }
                batch.add(a);
            }
        }
    }

    /**
     * Redis' authRequired(): a password is set and this client has not authenticated, so the
     * decoder refuses big multibulks and bulks before anything is buffered for them.
     */
    private boolean authRequired() {
        if (engine.config.requirepass.isEmpty()) {
            return false;
        }
        if (inline) {
            return !client.authenticated;
        }
        return !authenticated && authInFlight.get() == 0;
    }

    private void protocolError(String error) {
        Log.verbose("Protocol error (" + error + ") from client: addr=" + addr);
        closing = true;
        if (inline) {
            writer.error("ERR " + error);
            close();
        } else {
            server.keyspaceLoop().submit(() -> {
                writer.error("ERR " + error);
                close();
            });
        }
    }

    /**
     * io-threads N, on the I/O thread: while the keyspace thread runs a script past
     * busy-reply-threshold, answers SCRIPT KILL / FUNCTION KILL (they only raise the script's kill
     * flag), ends the server on SHUTDOWN NOSAVE and refuses every other command with -BUSY, as
     * Redis does from processEventsWhileBlocked.
     * Precondition: nothing of this connection is in flight, so the reply keeps its place.
     */
    private boolean answeredWhileBusy(Args a) {
        io.strata.engine.scripting.ScriptingCommands sc = io.strata.engine.scripting.ScriptingCommands.of(engine);
        String busy = sc == null ? null : sc.busyFor();
        if (busy == null) {
            return false;
        }
        String reply;
        if (a.argc() == 2 && (a.is(0, SCRIPT) || a.is(0, FUNCTION)) && a.is(1, KILL)) {
            String err = sc.killRequest(a.is(0, FUNCTION));
            reply = err == null ? "+OK\r\n" : "-" + err + "\r\n";
        } else if (isShutdownNosave(a)) {
            // the script stops at its next step, its writes never reach the AOF; no reply, as Redis exits
            engine.halted = true;
            server.shutdown();
            return true;
        } else {
            reply = "-" + busy + "\r\n";
        }
        ctx.writeAndFlush(io.netty.buffer.Unpooled.copiedBuffer(reply, java.nio.charset.StandardCharsets.US_ASCII));
        return true;
    }

    /** SHUTDOWN NOSAVE [NOW] [FORCE]: the one SHUTDOWN a busy script allows. */
    private static boolean isShutdownNosave(Args a) {
        if (!a.is(0, SHUTDOWN)) {
            return false;
        }
        boolean nosave = false;
        for (int i = 1; i < a.argc(); i++) {
            if (a.is(i, NOSAVE)) {
                nosave = true;
            } else if (!a.is(i, NOW) && !a.is(i, FORCE)) {
                return false;
            }
        }
        return nosave;
    }

    /** Runs one handed-off command; keyspace thread only. */
    void runHandedOff(Args a) {
        // commands the I/O thread queued behind a QUIT (or after CLIENT KILL) never run, as in Redis
        inFlight.decrementAndGet();
        if (client == null || client.closed || client.closeAfterReply) {
            return;
        }
        engine.execute(client, a);
        authenticated = client.authenticated;
        if (a.is(0, AUTH) || a.is(0, HELLO)) {
            authInFlight.decrementAndGet();
        }
        if (client.closeAfterReply) {
            close();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        // io-threads 1: StrataServer.runAfterRound runs the commands and flushes the replies
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closing = true;
        if (rejected) {
            return;
        }
        DebugInput dbg = debugIn;
        if (dbg != null) {
            synchronized (dbg) {
                dbg.closed = true;
                dbg.notifyAll();
            }
            if (inline) {
                // the debugged script is on the stack: the client is cleaned up after it
                ctx.channel().eventLoop().execute(() -> channelInactive(ctx));
                return;
            }
        }
        if (inline && server.busyError() != null) {
            // between two steps of a busy script: the client is cleaned up after it, as Redis frees none then
            ctx.channel().eventLoop().execute(() -> channelInactive(ctx));
            return;
        }
        server.connectionClosed();
        if (inline) {
            if (client != null) {
                engine.disconnect(client);
            }
            writer.release();
            dropHeld();
            if (busyInput != null) {
                busyInput.release();
                busyInput = null;
            }
        } else {
            server.keyspaceLoop().submit(() -> {
                if (client != null) {
                    engine.disconnect(client);
                }
                writer.release();
                dropHeld();
            });
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        io.strata.engine.Fatal.exitIfFatal(cause);
        if (!(cause instanceof java.io.IOException)) {
            Log.warning("Connection error addr=" + addr + ": " + cause);
        }
        ctx.close();
    }

    @Override
    public void closeNow() {
        closing = true;
        writer.release();
        dropHeld();
        ctx.close();
    }

    // ---- the Lua debugger's line (SCRIPT DEBUG) ----

    /** What the client sent during a debugger session, for the debugger; guarded by itself. */
    private static final class DebugInput {
        final java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        boolean closed;
    }

    /** Set while a debugger session runs on this connection (read by the I/O thread). */
    private volatile DebugInput debugIn;

    /**
     * The debugger reads this connection itself while the script is stopped, as Redis' LDB does with
     * the client's socket. io-threads 1: the keyspace thread is the event loop, so while it waits it
     * handles the loop's I/O (accepting and reading, never running commands: other clients' input
     * waits in their buffers, as the whole server is blocked in Redis' SYNC session). io-threads N:
     * this connection's I/O thread hands the input over.
     */
    @Override
    public io.strata.engine.DebugLine debugLine() {
        return new io.strata.engine.DebugLine() {
            @Override
            public void begin() {
                debugIn = new DebugInput();
            }

            @Override
            public void send(byte[] b) {
                engine.stats.netOutputBytes.add(b.length);
                ctx.writeAndFlush(Unpooled.wrappedBuffer(b), ctx.voidPromise());
            }

            @Override
            public int read(byte[] buf) {
                DebugInput dbg = debugIn;
                if (dbg == null) {
                    return -1;
                }
                while (true) {
                    synchronized (dbg) {
                        if (dbg.bytes.size() > 0) {
                            byte[] all = dbg.bytes.toByteArray();
                            int n = Math.min(buf.length, all.length);
                            System.arraycopy(all, 0, buf, 0, n);
                            dbg.bytes.reset();
                            dbg.bytes.write(all, n, all.length - n);
                            return n;
                        }
                        if (dbg.closed || engine.halted || !ctx.channel().isActive()) {
                            return -1;
                        }
                        if (!inline) {
                            try {
                                dbg.wait(100);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                                return -1;
                            }
                            continue;
                        }
                    }
                    if (!server.processIoWaiting(50)) {
                        return -1;
                    }
                }
            }

            @Override
            public void end() {
                debugIn = null;
            }
        };
    }

    // ---- ClientChannel (keyspace thread) ----

    @Override
    public ReplySink sink() {
        writer.protocol = client == null ? 2 : client.protocol;
        return writer;
    }

    @Override
    public void flush() {
        ByteBuf b = writer.take();
        if (b != null) {
            engine.stats.netOutputBytes.add(b.readableBytes());
            if (heldCount > 0 || engine.aof != null && mustHold()) {
                hold(b);
                return;
            }
            ctx.writeAndFlush(b, ctx.voidPromise());
        }
    }

    /** appendfsync always and the AOF is not yet durable up to what a reply sent now depends on. */
    private boolean mustHold() {
        Aof aof = engine.appendOnly;
        return aof.repliesWait() && requiredSeq(aof) > aof.ackSeq();
    }

    /**
     * What a reply sent now depends on. While a script is busy, that is everything recorded before
     * it: this connection is not the script's caller, so no reply it has shows the script's effects.
     */
    private long requiredSeq(Aof aof) {
        return inline && server.busyError() != null ? aof.requiredSeqWhileBusy() : aof.requiredSeq();
    }

    private void hold(ByteBuf b) {
        Aof aof = engine.appendOnly;
        long seq = requiredSeq(aof);
        if (heldCount == held.length) {
            ByteBuf[] nb = new ByteBuf[held.length * 2];
            long[] ns = new long[held.length * 2];
            for (int i = 0; i < heldCount; i++) {
                nb[i] = held[(heldHead + i) % held.length];
                ns[i] = heldSeq[(heldHead + i) % held.length];
            }
            held = nb;
            heldSeq = ns;
            heldHead = 0;
        }
        int tail = (heldHead + heldCount) % held.length;
        held[tail] = b;
        heldSeq[tail] = seq;
        if (heldCount++ == 0) {
            aof.addWaiter(this, seq);
        }
    }

    /** The AOF is durable up to {@code ackSeq}: sends the replies that waited for it, in order. */
    @Override
    public boolean release(long ackSeq) {
        boolean wrote = false;
        while (heldCount > 0 && heldSeq[heldHead] <= ackSeq) {
            ctx.write(held[heldHead], ctx.voidPromise());
            held[heldHead] = null;
            heldHead = (heldHead + 1) % held.length;
            heldCount--;
            wrote = true;
        }
        if (wrote) {
            ctx.flush();
        }
        if (heldCount == 0 && closeWhenReleased) {
            closeWhenReleased = false;
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
        return heldCount == 0;
    }

    private void dropHeld() {
        while (heldCount > 0) {
            held[heldHead].release();
            held[heldHead] = null;
            heldHead = (heldHead + 1) % held.length;
            heldCount--;
        }
        closeWhenReleased = false;
    }

    @Override
    public void close() {
        closing = true;
        ByteBuf b = writer.take();
        if (b == null) {
            b = Unpooled.EMPTY_BUFFER;
        } else {
            engine.stats.netOutputBytes.add(b.readableBytes());
        }
        if (heldCount > 0 || engine.aof != null && mustHold()) {
            hold(b);
            closeWhenReleased = true;
            return;
        }
        ctx.writeAndFlush(b).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void mute(boolean muted) {
        writer.setMuted(muted);
    }

    @Override
    public String addr() {
        return addr;
    }

    @Override
    public String laddr() {
        return laddr;
    }

    @Override
    public long queryBufferLength() {
        return parser.pending();
    }

    @Override
    public long queryBufferFree() {
        return Math.max(0, parser.capacity() - parser.pending());
    }

    @Override
    public long outputBufferLength() {
        io.netty.channel.ChannelOutboundBuffer ob = ctx.channel().unsafe().outboundBuffer();
        return writer.pendingBytes() + (ob == null ? 0 : ob.totalPendingWriteBytes());
    }
}
