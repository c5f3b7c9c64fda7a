package io.strata.bench.load;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Drives a RESP server with {@link LoadSpec#connections} connections: connect all, run the
 * setup commands, warm up (unmeasured), then measure for a duration or a request count while
 * printing a progress line, and drain what is in flight.
 *
 * <p>Thread rule: {@link #run} on one caller thread, which also prints progress; the connections
 * run on the client's event loops and report back through {@link Run}.
 */
public final class LoadGenerator {
    /** Longest latency the histograms track: 60 s. */
    static final long HIGHEST_NS = TimeUnit.SECONDS.toNanos(60);
    /** How long to wait for in-flight replies after the end, or for any progress at all. */
    private static final long STALL_MS = 10_000;

    private final PrintStream err;

    public LoadGenerator(PrintStream progressOut) {
        this.err = progressOut;
    }

    /** State shared by the connections of one run. */
    static final class Run {
        final LoadSpec spec;
        final KeyChooser keys;
        private volatile boolean stop;
        private volatile boolean limited;
        private final AtomicLong remaining = new AtomicLong();
        private final CountDownLatch ready;
        private final CountDownLatch done;
        private final AtomicReference<String> problem = new AtomicReference<>();
        private final AtomicLong lost = new AtomicLong();

        Run(LoadSpec spec, KeyChooser keys) {
            this.spec = spec;
            this.keys = keys;
            this.ready = new CountDownLatch(spec.connections);
            this.done = new CountDownLatch(spec.connections);
        }

        /** Commands the calling connection may send now: 0 once the run is over. */
        int claim() {
            if (stop) {
                return 0;
            }
            if (!limited) {
                return spec.pipeline;
            }
            long r = remaining.getAndAdd(-spec.pipeline);
            return r <= 0 ? 0 : (int) Math.min(spec.pipeline, r);
        }

        void connectionReady(String failure) {
            if (failure != null) {
                problem.compareAndSet(null, failure);
            }
            ready.countDown();
        }

        /** A connection stopped; {@code unanswered} requests were in flight if it was lost. */
        void connectionDone(int unanswered) {
            if (unanswered > 0 || !stop && (!limited || remaining.get() > 0)) {
                lost.addAndGet(Math.max(unanswered, 0));
                problem.compareAndSet(null, "connection closed by the server");
            }
            done.countDown();
        }

        void protocolProblem(String what) {
            problem.compareAndSet(null, what);
        }
    }

    public LoadResult run(LoadSpec spec) throws IOException, InterruptedException {
        if (spec.connections < 1 || spec.pipeline < 1 || spec.keys < 1 || spec.valueSize < 0
            || spec.readRatio < 0 || spec.readRatio > 1 || spec.incrRatio < 0 || spec.hsetRatio < 0
            || spec.incrRatio + spec.hsetRatio > 1 || spec.intervalMs < 1) {
            throw new IllegalArgumentException("bad load spec: " + spec.describe());
        }
        if (spec.keys >= 1_000_000_000_000L) {
            throw new IllegalArgumentException("keys must fit in " + LoadConnection.KEY_DIGITS + " digits: keys=" + spec.keys);
        }
        KeyChooser keys = spec.distribution == LoadSpec.Distribution.ZIPF ? KeyChooser.zipf(spec.keys, spec.zipfTheta)
            : spec.distribution == LoadSpec.Distribution.SEQUENTIAL ? KeyChooser.sequential(spec.keys)
            : KeyChooser.uniform(spec.keys);
        Run run = new Run(spec, keys);
        List<String> setupCommands = new ArrayList<>();
        if (spec.password != null && !spec.password.isEmpty()) {
            setupCommands.add(resp("AUTH", spec.password));
        }
        if (spec.db != 0) {
            setupCommands.add(resp("SELECT", Integer.toString(spec.db)));
        }
        byte[] setup = String.join("", setupCommands).getBytes(StandardCharsets.UTF_8);

        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory factory = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(spec.threads, new DefaultThreadFactory("load"), factory);
        List<LoadConnection> conns = new ArrayList<>();
        List<Channel> channels = new ArrayList<>();
        try {
            for (int i = 0; i < spec.connections; i++) {
                LoadConnection c = new LoadConnection(run, 0x9E3779B97F4A7C15L * (i + 1) + System.nanoTime(), setup,
                    setupCommands.size());
                Bootstrap b = new Bootstrap().group(group)
                    .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(c);
                        }
                    });
                try {
                    channels.add(b.connect(spec.host, spec.port).sync().channel());
                } catch (Exception e) {
                    throw new IOException("cannot connect to " + spec.host + ":" + spec.port + ": " + e.getMessage(), e);
                }
                conns.add(c);
            }
            if (!run.ready.await(STALL_MS, TimeUnit.MILLISECONDS) || run.problem.get() != null) {
                throw new IOException("connections not ready: " + (run.problem.get() == null ? "setup timed out" : run.problem.get()));
            }
            return measure(spec, run, conns, channels);
        } finally {
            for (Channel ch : channels) {
                ch.close();
            }
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
        }
    }

    private LoadResult measure(LoadSpec spec, Run run, List<LoadConnection> conns, List<Channel> channels)
        throws InterruptedException {
        Histogram total = new Histogram(HIGHEST_NS, 3);
        Histogram interval = new Histogram(HIGHEST_NS, 3);
        Histogram[] recycled = new Histogram[conns.size()];
        if (spec.requests > 0 && spec.warmupMs == 0) {
            run.remaining.set(spec.requests); // before the first claim, so exactly this many are sent
            run.limited = true;
        }
        for (int i = 0; i < conns.size(); i++) {
            LoadConnection c = conns.get(i);
            channels.get(i).eventLoop().execute(c::start);
        }
        if (spec.warmupMs > 0) {
            Thread.sleep(spec.warmupMs);
        }
        // the measured window starts here: what was recorded so far is warm-up
        for (LoadConnection c : conns) {
            c.recorder.getIntervalHistogram();
        }
        long startCount = completed(conns);
        long startErrors = errors(conns);
        if (spec.requests > 0 && !run.limited) {
            run.remaining.set(spec.requests);
            run.limited = true;
        }
        long t0 = System.nanoTime();
        long end = spec.requests > 0 ? Long.MAX_VALUE : t0 + TimeUnit.MILLISECONDS.toNanos(spec.durationMs);
        long lastCount = startCount;
        long lastProgressAt = t0;
        long windowEnd = 0;
        long windowCount = 0;
        boolean tty = System.console() != null;
        while (true) {
            long now = System.nanoTime();
            long wait = Math.min(TimeUnit.MILLISECONDS.toNanos(spec.intervalMs), end - now);
            if (spec.requests > 0 || wait > 0) {
                if (run.done.await(Math.max(1, wait), TimeUnit.NANOSECONDS)) {
                    break; // request count reached (or every connection gone)
                }
            }
            now = System.nanoTime();
            interval.reset();
            for (int i = 0; i < conns.size(); i++) {
                recycled[i] = conns.get(i).recorder.getIntervalHistogram(recycled[i]);
                interval.add(recycled[i]);
            }
            total.add(interval);
            if (spec.intervalSink != null) {
                spec.intervalSink.accept(now, interval.copy());
            }
            long count = completed(conns);
            if (spec.progress) {
                double secs = (now - lastProgressAt) / 1e9;
                err.printf("%s[%5.1fs] %,10.0f ops/s  done %,d  p50 %.3f ms  p99 %.3f ms  errors %,d%s",
                    tty ? "\r" : "", (now - t0) / 1e9, secs > 0 ? (count - lastCount) / secs : 0.0, count - startCount,
                    interval.getValueAtPercentile(50) / 1e6, interval.getValueAtPercentile(99) / 1e6,
                    errors(conns) - startErrors, tty ? "   " : "\n");
            }
            if (count == lastCount && now - lastProgressAt > TimeUnit.MILLISECONDS.toNanos(STALL_MS)) {
                run.protocolProblem("no reply for " + STALL_MS / 1000 + " s");
                break;
            }
            if (count != lastCount) {
                lastCount = count;
                lastProgressAt = now;
            }
            if (spec.requests == 0 && (now >= end || spec.stopWhen != null && spec.stopWhen.getAsBoolean())) {
                windowEnd = now;
                windowCount = count - startCount;
                break;
            }
        }
        run.stop = true;
        if (!run.done.await(STALL_MS, TimeUnit.MILLISECONDS)) {
            run.protocolProblem("requests still unanswered " + STALL_MS / 1000 + " s after the end");
        }
        long doneAt = System.nanoTime();
        if (windowEnd == 0) {
            windowEnd = doneAt;
            windowCount = completed(conns) - startCount;
        }
        for (LoadConnection c : conns) {
            total.add(c.recorder.getIntervalHistogram());
        }
        if (spec.progress && System.console() != null) {
            err.println();
        }
        String firstError = null;
        for (LoadConnection c : conns) {
            if (c.firstError != null) {
                firstError = c.firstError;
                break;
            }
        }
        String problem = run.problem.get();
        if (run.lost.get() > 0) {
            problem = problem + " (" + run.lost.get() + " requests unanswered)";
        }
        return new LoadResult(spec.describe(), windowCount, (windowEnd - t0) / 1e9, total, errors(conns) - startErrors,
            firstError, problem);
    }

    private static long completed(List<LoadConnection> conns) {
        long n = 0;
        for (LoadConnection c : conns) {
            n += c.completed.get();
        }
        return n;
    }

    private static long errors(List<LoadConnection> conns) {
        long n = 0;
        for (LoadConnection c : conns) {
            n += c.errors.get();
        }
        return n;
    }

    static String resp(String... parts) {
        StringBuilder sb = new StringBuilder().append('*').append(parts.length).append("\r\n");
        for (String p : parts) {
            sb.append('$').append(p.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(p).append("\r\n");
        }
        return sb.toString();
    }
}
