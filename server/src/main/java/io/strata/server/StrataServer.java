package io.strata.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.strata.engine.Client;
import io.strata.engine.Engine;
import io.strata.engine.Fatal;
import io.strata.engine.ServerControl;
import io.strata.engine.config.Config;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The network server: binds the configured addresses, accepts clients and wires the thread
 * model of DESIGN.md. With {@code io-threads 1} one Netty event loop accepts, decodes, runs
 * every command and encodes replies: it is the keyspace thread. With {@code io-threads N}, N
 * loops do the I/O and a {@link KeyspaceLoop} runs the commands.
 *
 * <p>Thread rule: {@link #start} and {@link #awaitShutdown} on the main thread; {@link #shutdown}
 * from any thread; {@link #admit} and {@link #connectionClosed} from I/O threads;
 * {@link #processEventsWhileBlocked} and the busy-script state on the keyspace thread.
 */
public final class StrataServer implements ServerControl {
    static final String DENIED = "-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Redis you may adopt one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the protected mode option to 'no', and then restarting the server. 3) If you started the server manually just for testing, restart it with the '--protected-mode no' option. 4) Set up an authentication password for the default user. NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside.\r\n";

    private final Config config;
    private final Engine engine;
    private final int ioThreads;
    private final AtomicInteger connected = new AtomicInteger();
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final List<Channel> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** Every accepted client connection; a closed channel leaves the group by itself. */
    private final io.netty.channel.group.ChannelGroup clientChannels =
        new io.netty.channel.group.DefaultChannelGroup(io.netty.util.concurrent.GlobalEventExecutor.INSTANCE);
    private ServerBootstrap bootstrap;
    /** The bind addresses the listeners use; CONFIG SET bind may not change them at runtime. */
    private volatile String boundBind;
    private EventLoopGroup group;
    private KeyspaceLoop keyspaceLoop;
    private volatile int boundPort;
    /** io-threads 1: the event loop's I/O handler, which a busy script has process events; else null. */
    private volatile KeyspaceIoHandler keyspaceIo;

    public StrataServer(Config config) {
        this.config = config;
        this.engine = new Engine(config);
        this.engine.setControl(this);
        this.engine.keyspace.warmUpSpillTier();
        this.ioThreads = Math.max(1, config.ioThreads);
        config.onChange("port", v -> rebind(config.port));
        config.onChange("bind", v -> boundBind == null || config.bind.equals(boundBind) ? null
            : "changing bind at runtime is not supported: use CONFIG REWRITE and restart");
    }

    public Engine engine() {
        return engine;
    }

    KeyspaceLoop keyspaceLoop() {
        return keyspaceLoop;
    }

    /**
     * Loads the dataset, binds and starts serving; throws if the dataset cannot be loaded (as
     * Redis exits on a bad RDB) or no address could be bound.
     */
    public void start() throws Exception {
        loadDataset();
        IoHandlerFactory factory = Epoll.isAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        if (ioThreads == 1) {
            factory = KeyspaceIoHandler.capturing(factory, h -> keyspaceIo = h);
        }
        Class<? extends ServerChannel> channelClass = Epoll.isAvailable()
            ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        group = new MultiThreadIoEventLoopGroup(ioThreads, new DefaultThreadFactory(ioThreads == 1 ? "strata-main" : "strata-io"), factory);
        boolean inline = ioThreads == 1;
        if (!inline) {
            keyspaceLoop = new KeyspaceLoop(engine);
            keyspaceLoop.start();
        }
        ServerBootstrap b = new ServerBootstrap()
            .group(group)
            .channel(channelClass)
            .option(ChannelOption.SO_BACKLOG, config.tcpBacklog)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childOption(ChannelOption.SO_KEEPALIVE, config.tcpKeepalive > 0)
            .childHandler(new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(SocketChannel ch) {
                    clientChannels.add(ch);
                    ch.pipeline().addLast(new Connection(StrataServer.this, inline));
                }
            });
        bootstrap = b;
        boundBind = config.bind;
        int port = config.port;
        List<String> failures = new ArrayList<>();
        for (String addr : config.bind.trim().split("\\s+")) {
            boolean optional = addr.startsWith("-");
            String host = optional ? addr.substring(1) : addr;
            try {
                InetAddress ia = host.equals("*") ? null : InetAddress.getByName(host);
                SocketAddress sa = ia == null ? new InetSocketAddress(port) : new InetSocketAddress(ia, port);
                Channel ch = b.bind(sa).sync().channel();
                listeners.add(ch);
                if (port == 0) {
                    port = ((InetSocketAddress) ch.localAddress()).getPort();
                }
            } catch (Exception e) {
                if (!optional) {
                    failures.add(host + ":" + port + ": " + e.getMessage());
                }
            }
        }
        if (!failures.isEmpty() || listeners.isEmpty()) {
            for (Channel ch : listeners) {
                ch.close();
            }
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            if (keyspaceLoop != null) {
                keyspaceLoop.stop();
            }
            throw new IllegalStateException("Failed listening on port " + config.port + " (tcp), aborting: " + failures);
        }
        boundPort = port;
        if (inline) {
            scheduleCron(group.next());
        }
        HeapGovernor heap = HeapGovernor.create(() -> engine.loading);
        if (heap != null) {
            group.next().scheduleAtFixedRate(io.strata.engine.Fatal.guarded(heap::tick), 1, 1, TimeUnit.SECONDS);
        }
        HeapWatch.install(engine);
        try {
            if (config.appendonly.equals("yes")) {
                loadAof();
            } else {
                loadRdb();
            }
        } catch (IllegalStateException e) {
            stopping.set(true);
            for (Channel ch : listeners) {
                ch.close();
            }
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            if (keyspaceLoop != null) {
                keyspaceLoop.stop();
            }
            throw e;
        }
    }

    /**
     * Replays the AOF on the keyspace thread in steps of a few milliseconds, so clients that
     * connect meanwhile get -LOADING, then starts recording. Waits until done; throws
     * IllegalStateException naming the file and offset when the AOF cannot be loaded.
     */
    private void loadAof() {
        io.strata.engine.persist.Aof aof = engine.appendOnly;
        engine.loading = true;
        long startNanos = System.nanoTime();
        java.util.concurrent.CompletableFuture<io.strata.engine.persist.AofLoader> done = new java.util.concurrent.CompletableFuture<>();
        runOnKeyspaceThread(new Runnable() {
            private io.strata.engine.persist.AofLoader loader;
            private boolean opened;

            @Override
            public void run() {
                try {
                    if (!opened) {
                        opened = true;
                        loader = aof.openForLoad();
                    }
                    boolean finished = loader == null || loader.step(10_000_000L) == io.strata.engine.persist.AofLoader.Status.DONE;
                    engine.eviction.demoteWhileLoading();
                    if (finished) {
                        aof.start();
                        engine.loading = false;
                        done.complete(loader);
                    } else {
                        nextLoadStep(this);
                    }
                } catch (Throwable e) {
                    // any error, not only exceptions: a step that dies without completing
                    // 'done' would leave the server loading forever
                    Fatal.exitIfFatal(e);
                    done.completeExceptionally(e);
                }
            }
        });
        io.strata.engine.persist.AofLoader loader;
        try {
            loader = done.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while loading the AOF");
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(String.valueOf(e.getCause().getMessage()), e.getCause());
        }
        if (loader == null) {
            Log.notice("Creating AOF incr file " + config.appendfilename + ".1.incr.aof on server start");
            return;
        }
        if (loader.truncationMessage() != null) {
            Log.warning(loader.truncationMessage());
        }
        Log.notice(String.format(java.util.Locale.ROOT, "DB loaded from append only file: %.3f seconds (%d commands)",
            (System.nanoTime() - startNanos) / 1e9, loader.commands()));
    }

    /** Before binding: only the persistence log; the dataset loads after binding, in steps. */
    private void loadDataset() {
        engine.persistence.setLog(Log::notice);
    }

    /**
     * Loads {@code dir/dbfilename} (when AOF is off; with it on the AOF is the dataset, as in
     * Redis) on the keyspace thread in steps of a few milliseconds, so clients that connect
     * meanwhile get -LOADING. Waits until done; throws IllegalStateException with the offset at
     * fault for a file that cannot be loaded (the server then exits, as Redis does).
     */
    private void loadRdb() {
        java.util.concurrent.CompletableFuture<Void> done = new java.util.concurrent.CompletableFuture<>();
        runOnKeyspaceThread(new Runnable() {
            private io.strata.engine.persist.RdbStepLoader loader;
            private boolean opened;

            @Override
            public void run() {
                try {
                    if (!opened) {
                        opened = true;
                        loader = engine.persistence.beginLoad();
                        if (loader == null) {
                            done.complete(null);
                            return;
                        }
                        engine.loading = true;
                    }
                    if (engine.persistence.stepLoad(loader, 10_000_000L)) {
                        engine.loading = false;
                        done.complete(null);
                    } else {
                        nextLoadStep(this);
                    }
                } catch (Throwable e) {
                    Fatal.exitIfFatal(e);
                    done.completeExceptionally(e);
                }
            }
        });
        try {
            done.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while loading the RDB");
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("Fatal error loading the DB: " + e.getCause().getMessage() + ". Exiting.",
                e.getCause());
        }
    }

    /**
     * SIGTERM: saves as SHUTDOWN without arguments would (when save points are configured), on
     * the keyspace thread, waiting for it up to {@code timeoutSeconds}; then shuts down. Any thread.
     */
    public void shutdownOnSignal(long timeoutSeconds) {
        if (stopping.get() || listeners.isEmpty()) {
            shutdown();
            return;
        }
        CountDownLatch saved = new CountDownLatch(1);
        try {
            runOnKeyspaceThread(() -> {
                try {
                    engine.persistence.prepareForShutdown(engine.persistence.hasSavePoints(), true);
                } finally {
                    saved.countDown();
                }
            });
            saved.await(timeoutSeconds, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            Log.warning("could not save before exiting: " + e);
        }
        shutdown();
    }

    private void scheduleCron(io.netty.channel.EventLoop loop) {
        // every command runs on this loop, so the cron must too
        Channel first = listeners.get(0);
        io.netty.channel.EventLoop keyspace = first.eventLoop();
        // Netty logs a task's exception and carries on: the guard makes an OutOfMemoryError end the process
        keyspace.schedule(new Runnable() {
            private final Runnable guarded = io.strata.engine.Fatal.guarded(this::tick);

            @Override
            public void run() {
                guarded.run();
            }

            private void tick() {
                if (stopping.get()) {
                    return;
                }
                try {
                    engine.cron();
                } catch (RuntimeException e) {
                    Log.warning("cron failed: " + e);
                }
                keyspace.schedule(this, 1000 / Math.max(1, config.hz), TimeUnit.MILLISECONDS);
            }
        }, 1000 / Math.max(1, config.hz), TimeUnit.MILLISECONDS);
        // blocked-client timeouts need finer steps than the cron
        keyspace.scheduleAtFixedRate(io.strata.engine.Fatal.guarded(() -> {
            if (!stopping.get()) {
                engine.timers();
            }
        }), 5, 5, TimeUnit.MILLISECONDS);
    }

    /**
     * CONFIG SET port: listens on the new port on every bind address and closes the old
     * listeners, as Redis' changeListenPort. Keyspace thread. Each address is first probed with a
     * plain socket so a busy port is refused synchronously (the event loop cannot wait for its own
     * bind); the Netty listeners then come up asynchronously, before the loop reads again.
     * Returns null or the reason the change was refused.
     */
    private String rebind(int port) {
        if (bootstrap == null || stopping.get() || port == boundPort && port != 0) {
            return null;
        }
        List<InetSocketAddress> addrs = new ArrayList<>();
        for (String addr : boundBind.trim().split("\\s+")) {
            boolean optional = addr.startsWith("-");
            String host = optional ? addr.substring(1) : addr;
            try (java.net.ServerSocket probe = new java.net.ServerSocket()) {
                InetSocketAddress sa = host.equals("*") ? new InetSocketAddress(port)
                    : new InetSocketAddress(InetAddress.getByName(host), port);
                probe.setReuseAddress(true);
                if (port != 0) {
                    probe.bind(sa);
                }
                addrs.add(sa);
            } catch (java.io.IOException e) {
                if (!optional) {
                    return "Unable to listen on this port";
                }
            }
        }
        if (addrs.isEmpty()) {
            return "Unable to listen on this port";
        }
        List<Channel> old = new ArrayList<>(listeners);
        boundPort = port;
        for (InetSocketAddress sa : addrs) {
            io.netty.channel.ChannelFuture f = bootstrap.bind(sa);
            f.addListener(done -> {
                if (done.isSuccess()) {
                    listeners.add(f.channel());
                    if (port == 0) {
                        boundPort = ((InetSocketAddress) f.channel().localAddress()).getPort();
                    }
                } else {
                    Log.warning("Could not listen on " + sa + ": " + done.cause());
                }
            });
        }
        for (Channel ch : old) {
            listeners.remove(ch);
            ch.close();
        }
        Log.notice("Listening on port " + port + " (CONFIG SET port)");
        return null;
    }

    /** Null when a new connection may proceed, else the raw reply to send before closing it. */
    String admit(SocketAddress remote) {
        if (config.protectedMode && config.requirepass.isEmpty() && remote instanceof InetSocketAddress) {
            InetAddress a = ((InetSocketAddress) remote).getAddress();
            if (a != null && !a.isLoopbackAddress()) {
                return DENIED;
            }
        }
        if (connected.incrementAndGet() > config.maxclients) {
            connected.decrementAndGet();
            return "-ERR max number of clients reached\r\n";
        }
        return null;
    }

    /**
     * io-threads 1: the connections read in this event-loop round. Their commands run once every
     * ready channel has been read — in groups whose keys the keyspace fetches into the cache
     * together first, so single commands from many clients overlap their cache misses as a
     * pipeline's do — and then their replies go out together, as Redis writes its replies in
     * beforeSleep: a client is woken once per round rather than once per connection.
     * Keyspace thread only.
     */
    private final ArrayList<Connection> round = new ArrayList<>();
    private final Runnable roundTask = io.strata.engine.Fatal.guarded(this::runRound);

    /** Queues {@code c}'s commands for the end of this event-loop round; keyspace thread (io-threads 1). */
    void runAfterRound(Connection c, io.netty.channel.EventLoop loop) {
        if (round.isEmpty()) {
            loop.execute(roundTask); // tasks run after the round's I/O events
        }
        round.add(c);
    }

    private void runRound() {
        io.strata.engine.keyspace.Keyspace.Prefetch ahead = engine.prefetch;
        int n = round.size();
        for (int i = 0; i < n; ) {
            int j = i;
            if (engine.prefetching()) {
                while (j < n && ahead.room() > 0) {
                    round.get(j++).lookAhead(ahead);
                }
                ahead.run();
            } else {
                j = n;
            }
            for (int k = i; k < j; k++) {
                round.get(k).runQueued();
            }
            i = j;
        }
        for (int i = 0; i < n; i++) {
            round.get(i).flush();
        }
        if (round.size() > n) {
            // read while this round ran (the Lua debugger handles I/O while it waits): the next round's
            java.util.List<Connection> later = new ArrayList<>(round.subList(n, round.size()));
            round.clear();
            round.addAll(later);
            group.next().execute(roundTask);
        } else {
            round.clear();
        }
    }

    void connectionClosed() {
        connected.decrementAndGet();
    }

    // ---- a busy script (io-threads 1) ----

    /** While {@link #processEventsWhileBlocked} runs: the -BUSY error for other clients, else null. */
    private String busyError;
    /** While {@link #processEventsWhileBlocked} runs: the script's caller, else null. */
    private Client busyCaller;
    /** Connections whose input waits for the end of the busy script (its caller, blocked clients). */
    private final ArrayList<Connection> afterBusy = new ArrayList<>();
    private boolean afterBusyScheduled;
    private final Runnable afterBusyTask = io.strata.engine.Fatal.guarded(this::resumeAfterBusy);

    /**
     * io-threads 1, from the hook of a script past busy-reply-threshold: handles the I/O ready now
     * without waiting, up to four times while there is some (Redis' processEventsWhileBlocked).
     * Other clients' commands meet {@link Engine#executeWhileBusy}: -BUSY, or one of the few
     * commands allowed then; connections are accepted; the caller's reads pause until the script
     * ends (Redis' protectClient). No task or timer runs meanwhile, so a closing connection is
     * cleaned up, and input that must wait is run, by tasks that come after the script.
     * Keyspace thread; a no-op elsewhere, with io-threads N (the I/O threads answer -BUSY there)
     * and when re-entered.
     */
    @Override
    public void processEventsWhileBlocked(Client caller) {
        KeyspaceIoHandler handler = keyspaceIo;
        if (handler == null || busyError != null || !handler.canProcessNow()) {
            return;
        }
        io.strata.engine.scripting.ScriptingCommands sc = io.strata.engine.scripting.ScriptingCommands.of(engine);
        String busy = sc == null ? null : sc.busyFor();
        if (busy == null) {
            return;
        }
        if (caller != null && caller.channel instanceof Connection) {
            ((Connection) caller.channel).pauseWhileBusy();
        }
        busyError = busy;
        busyCaller = caller;
        try {
            // what came before the script goes to the AOF (appendfsync always releases replies on it)
            engine.appendOnly.serveWhileBusy();
            // this round's replies so far and its commands queued behind the script would wait for it
            for (int i = 0; i < round.size(); i++) {
                round.get(i).catchUpWhileBusy(busy);
            }
            // after a kill, stop: the script ends at its next step, and later commands may then run
            for (int i = 0; i < 4 && !engine.halted && !sc.killRequested(); i++) {
                if (handler.processNow() == 0) {
                    break;
                }
            }
        } finally {
            busyError = null;
            busyCaller = null;
            if (!afterBusy.isEmpty() && !afterBusyScheduled) {
                afterBusyScheduled = true;
                group.next().execute(afterBusyTask); // tasks run only once the script has returned
            }
        }
    }

    /**
     * io-threads 1, for the Lua debugger waiting for its client: handles the event loop's I/O,
     * waiting up to {@code ms} for some. False when that cannot be done from here.
     */
    boolean processIoWaiting(long ms) {
        KeyspaceIoHandler handler = keyspaceIo;
        if (handler == null || !handler.canProcessNow()) {
            return false;
        }
        handler.processWaiting(ms * 1_000_000L);
        return true;
    }

    /** The -BUSY error while {@link #processEventsWhileBlocked} handles I/O, else null; keyspace thread. */
    String busyError() {
        return busyError;
    }

    /** The busy script's caller while {@link #processEventsWhileBlocked} handles I/O, else null; keyspace thread. */
    Client busyCaller() {
        return busyCaller;
    }

    /** Runs {@code c}'s waiting input once the busy script has ended; keyspace thread. */
    void afterBusy(Connection c) {
        if (!afterBusy.contains(c)) {
            afterBusy.add(c);
        }
    }

    private void resumeAfterBusy() {
        afterBusyScheduled = false;
        Connection[] waiting = afterBusy.toArray(new Connection[0]);
        afterBusy.clear();
        for (Connection c : waiting) {
            c.resumeAfterBusy();
        }
    }

    /**
     * Queues the next step of a start-up load behind pending I/O: with io-threads 1 it is
     * scheduled 1 ms later, because a task that re-submits itself would keep Netty's task queue
     * non-empty and starve I/O (Netty checks its time budget only every 64 tasks), so clients
     * would wait instead of getting -LOADING.
     */
    private void nextLoadStep(Runnable step) {
        if (keyspaceLoop != null) {
            keyspaceLoop.submit(step);
        } else {
            listeners.get(0).eventLoop().schedule(step, 1, TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void runOnKeyspaceThread(Runnable task) {
        if (keyspaceLoop != null) {
            keyspaceLoop.submit(task);
        } else {
            listeners.get(0).eventLoop().execute(task);
        }
    }

    @Override
    public int port() {
        return boundPort;
    }

    @Override
    public String multiplexingApi() {
        return Epoll.isAvailable() ? "epoll" : "nio";
    }

    @Override
    public int ioThreads() {
        return ioThreads;
    }

    @Override
    public String executable() {
        return ProcessHandle.current().info().command().orElse("");
    }

    /** Stops listening, closes every client and the event loops; idempotent. */
    @Override
    public void shutdown() {
        if (!stopping.compareAndSet(false, true)) {
            return;
        }
        Log.warning("User requested shutdown...");
        Thread t = new Thread(() -> {
            for (Channel ch : listeners) {
                ch.close().awaitUninterruptibly();
            }
            // close every client explicitly (replies already queued are flushed first)
            clientChannels.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
            if (keyspaceLoop != null) {
                keyspaceLoop.stop();
                try {
                    keyspaceLoop.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            // the keyspace thread has ended: this thread may now close the AOF (written and fsynced)
            if (engine.appendOnly.enabled()) {
                Log.notice("Calling fsync() on the AOF file.");
                engine.appendOnly.stop();
            }
            // spill files are never reused: RDB and AOF are the durable copy
            engine.keyspace.closeTiering();
            Log.warning("Strata is now ready to exit, bye bye...");
            stopped.countDown();
        }, "strata-shutdown");
        t.start();
    }

    public boolean isStopping() {
        return stopping.get();
    }

    public void awaitShutdown() throws InterruptedException {
        stopped.await();
    }

    public boolean awaitShutdown(long timeout, TimeUnit unit) throws InterruptedException {
        return stopped.await(timeout, unit);
    }
}
