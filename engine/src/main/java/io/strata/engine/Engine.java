package io.strata.engine;

import io.strata.engine.command.Args;
import io.strata.engine.command.CommandFlag;
import io.strata.engine.command.CommandSpec;
import io.strata.engine.command.CommandTable;
import io.strata.engine.command.ReplySink;
import io.strata.engine.commands.AdminCommands;
import io.strata.engine.commands.BitmapCommands;
import io.strata.engine.commands.ConnectionCommands;
import io.strata.engine.commands.HyperLogLogCommands;
import io.strata.engine.commands.HashCommands;
import io.strata.engine.commands.GeoCommands;
import io.strata.engine.commands.KeyCommands;
import io.strata.engine.commands.ListCommands;
import io.strata.engine.commands.PersistenceCommands;
import io.strata.engine.commands.PubSubCommands;
import io.strata.engine.commands.ServerCommands;
import io.strata.engine.commands.SetCommands;
import io.strata.engine.commands.SortCommands;
import io.strata.engine.commands.StringCommands;
import io.strata.engine.commands.TransactionCommands;
import io.strata.engine.commands.ZSetCommands;
import io.strata.engine.config.Config;
import io.strata.engine.keyspace.Keyspace;
import io.strata.engine.persist.Persistence;
import io.strata.engine.util.Bytes;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The command engine: the command table, the dispatcher that alone checks arity, flags,
 * authentication, transactions and pauses, the keyspace, the client registry and the cron.
 *
 * <p>Thread rule: keyspace thread only, except {@link #nextClientId()} and the immutable
 * {@link #commands} table, which any thread may use.
 */
public final class Engine {
    /** The Redis version whose behaviour Strata matches; clients gate features on it. */
    public static final String REDIS_VERSION = "7.0.15";
    public static final String STRATA_VERSION = version();

    public final Config config;
    public final Keyspace keyspace;
    /** RDB load, SAVE/BGSAVE, save points, MISCONF state. */
    public final Persistence persistence;
    public final CommandTable commands = new CommandTable();
    public final Stats stats = new Stats();
    public final SlowLog slowLog = new SlowLog();
    public final LatencyMonitor latency = new LatencyMonitor();
    public final PubSub pubsub = new PubSub(this);
    public final Eviction eviction;
    public final Notifier notifier = new Notifier(this);
    public final String runId;
    public final long startMs = System.currentTimeMillis();
    /**
     * The fixed part of INFO used_memory: the empty databases' slot arrays and the command table
     * (an estimate of the engine's own structures, like Redis' used_memory_startup).
     */
    public final long startupMemory;
    /** {@link #heapDerivedMaxmemory} of this JVM's maximum heap. */
    public final long derivedMaxmemory;
    /** {@link #heapGuardFor} of this JVM's maximum heap (0: none). */
    public final long heapGuard;
    /**
     * Any thread writes, keyspace thread reads: set by the server's heap watch when a collection
     * left the heap nearly full, cleared when one leaves room again. While set, DENYOOM commands
     * get -OOM.
     */
    public volatile boolean heapPressure;
    private final AtomicLong clientIds = new AtomicLong();
    private final Map<Long, Client> clients = new LinkedHashMap<>();
    private final List<Client> monitors = new ArrayList<>();
    private final List<Client> postponing = new ArrayList<>();
    private ServerControl control;
    public boolean activeExpireEnabled = true;
    public volatile boolean loading;
    /**
     * The AOF recorder while {@code appendonly yes} and loaded, else null: the dispatcher's only
     * cost with the AOF off is this null check.
     */
    public io.strata.engine.persist.AofRecorder aof;
    /** The append-only file (manager, start-up loader, rewrite, INFO). */
    public final io.strata.engine.persist.Aof appendOnly;

    // CLIENT PAUSE state
    private long pauseEndMs;
    private boolean pauseAll;

    public Engine(Config config) {
        this.config = config;
        this.keyspace = new Keyspace(config.databases);
        this.startupMemory = config.databases * (16L + 16384L * 4) + 256 * 1024;
        long maxHeap = Runtime.getRuntime().maxMemory();
        this.derivedMaxmemory = heapDerivedMaxmemory(maxHeap);
        this.heapGuard = heapGuardFor(maxHeap);
        this.eviction = new Eviction(this);
        this.persistence = new Persistence(this);
        byte[] id = new byte[20];
        new SecureRandom().nextBytes(id);
        this.runId = HexFormat.of().formatHex(id);
        notifier.setFlags(Math.max(0, Notifier.parse(config.notifyKeyspaceEvents)));
        applyMemoryPolicy();
        if (config.tierSpill) {
            java.nio.file.Path root = config.tierSpillDir.isEmpty()
                ? java.nio.file.Path.of(config.dir).resolve("spill") : java.nio.file.Path.of(config.tierSpillDir);
            keyspace.enableTiering(root, new io.strata.engine.persist.TierCodec(config), config.tierSpillMaxSize);
            keyspace.loadPressure = eviction::demoteWhileLoading;
            keyspace.loadHotLimit = Math.max(1, maxmemory() - startupMemory);
            config.onChange("maxmemory", v -> {
                keyspace.loadHotLimit = Math.max(1, maxmemory() - startupMemory);
                return null;
            });
            config.onChange("tier-spill-max-size", v -> {
                keyspace.setSpillMaxBytes(config.tierSpillMaxSize);
                return null;
            });
        }
        config.onChange("maxmemory-policy", v -> {
            applyMemoryPolicy();
            return null;
        });
        config.onChange("lfu-log-factor", v -> {
            applyMemoryPolicy();
            return null;
        });
        config.onChange("lfu-decay-time", v -> {
            applyMemoryPolicy();
            return null;
        });
        config.onChange("notify-keyspace-events", v -> {
            notifier.setFlags(Math.max(0, Notifier.parse(v)));
            return null;
        });
        keyspace.addListener(new Keyspace.Listener() {
            @Override
            public void keyChanged(io.strata.engine.keyspace.Database db, byte[] key) {
                if (aof != null) {
                    aof.keyChanged(key);
                }
            }

            @Override
            public void keyExpired(io.strata.engine.keyspace.Database db, byte[] key) {
                if (aof != null) {
                    aof.expired(db, key); // Redis propagates an expiry as DEL
                }
                notifier.notify(Notifier.EXPIRED, "expired", db, key);
            }

            @Override
            public void keyAdded(io.strata.engine.keyspace.Database db, byte[] key) {
                notifier.notify(Notifier.NEW, "new", db, key);
            }
        });
        new ConnectionCommands(this).register(commands);
        new ServerCommands(this).register(commands);
        new AdminCommands(this).register(commands);
        new StringCommands(this).register(commands);
        new KeyCommands(this).register(commands);
        new ListCommands(this).register(commands);
        new TransactionCommands(this).register(commands);
        new PubSubCommands(this).register(commands);
        new io.strata.engine.commands.MemoryCommands(this).register(commands);
        new BitmapCommands(this).register(commands);
        new HyperLogLogCommands(this).register(commands);
        new HashCommands(this).register(commands);
        new SetCommands(this).register(commands);
        new ZSetCommands(this).register(commands);
        new GeoCommands(this).register(commands);
        new SortCommands(this).register(commands);
        new io.strata.engine.commands.StreamCommands(this).register(commands);
        new PersistenceCommands(this).register(commands);
        new io.strata.engine.scripting.ScriptingCommands(this).register(commands);
        appendOnly = new io.strata.engine.persist.Aof(this);
        io.strata.engine.persist.RdbAofBase rdbBase = new io.strata.engine.persist.RdbAofBase(this);
        appendOnly.setBaseFormat(rdbBase, rdbBase);
        config.onChange("appendonly", v -> {
            if (v.equals("yes")) {
                return appendOnly.enabled() ? null : appendOnly.enableAtRuntime();
            }
            appendOnly.stop();
            return null;
        });
        config.onChange("appendfsync", v -> {
            appendOnly.configChanged();
            return null;
        });
        config.onChange("aof-compression", v -> {
            appendOnly.configChanged();
            return null;
        });
    }

    private static String version() {
        String v = Engine.class.getPackage().getImplementationVersion();
        return v != null ? v : "0.1.0";
    }

    private final Map<Class<?>, Object> attachments = new java.util.HashMap<>();

    /** Lets a command group find its own state from a static helper. */
    public void attach(Class<?> key, Object value) {
        attachments.put(key, value);
    }

    public Object attachment(Class<?> key) {
        return attachments.get(key);
    }

    public void setControl(ServerControl control) {
        this.control = control;
    }

    public ServerControl control() {
        return control;
    }

    // ---- clients ----

    public long nextClientId() {
        return clientIds.incrementAndGet();
    }

    /** Registers a new connection; the caller has already checked maxclients. */
    public Client connect(long id, ClientChannel ch) {
        Client c = new Client(id, ch, keyspace.db(0), System.currentTimeMillis());
        c.authenticated = config.requirepass.isEmpty();
        clients.put(id, c);
        return c;
    }

    public void disconnect(Client c) {
        c.closed = true;
        clients.remove(c.id);
        if (c.monitor) {
            monitors.remove(c);
        }
        postponing.remove(c);
        c.postponed.clear();
        TransactionCommands.clientGone(this, c);
        pubsub.forget(c);
        if (c.isBlocked()) {
            removeBlocked(c);
        }
    }

    public int clientCount() {
        return clients.size();
    }

    public Collection<Client> clients() {
        return Collections.unmodifiableCollection(clients.values());
    }

    public Client client(long id) {
        return clients.get(id);
    }

    public void addMonitor(Client c) {
        if (!c.monitor) {
            c.monitor = true;
            monitors.add(c);
        }
    }

    public void removeMonitor(Client c) {
        c.monitor = false;
        monitors.remove(c);
    }

    public int monitorCount() {
        return monitors.size();
    }

    // ---- dispatch ----

    /** The look-ahead batch of the keyspace thread (see {@link io.strata.engine.keyspace.Keyspace.Prefetch}). */
    public final io.strata.engine.keyspace.Keyspace.Prefetch prefetch = new io.strata.engine.keyspace.Keyspace.Prefetch();

    /** Whether commands may be looked ahead at (not while a dataset loads). */
    public boolean prefetching() {
        return !loading;
    }

    /**
     * Runs one command from a client, replying through its sink. The only place that checks
     * arity, authentication, NO_MULTI, transaction queuing and client pauses.
     */
    public void execute(Client c, Args a) {
        if (halted) {
            return;
        }
        c.lastInteractionMs = keyspace.now(); // the clock of the last command or cron tick, as Redis' cached unixtime
        if (c.isPostponing() || c.isBlocked()) {
            c.postponed.add(a.copy());
            return;
        }
        ReplySink r = c.reply();
        boolean muted = applyReplyMode(c);
        try {
            dispatch(c, a, r);
        } finally {
            if (muted) {
                c.channel.mute(c.replyMode == Client.ReplyMode.OFF);
            }
        }
        if (!readyKeys.isEmpty()) {
            serveBlockedClients();
        }
    }

    /**
     * SHUTDOWN NOSAVE stopped a busy script: from then on no command runs (Redis exits from inside
     * the script, so nothing after it sees its partial effects). Any thread writes it.
     */
    public volatile boolean halted;

    /** The -BUSY error while {@link #executeWhileBusy} runs a command, else null. Keyspace thread. */
    private String busyError;

    /** True while {@link #executeWhileBusy} runs a command: handlers must then leave the keyspace alone. */
    public boolean servingWhileBusy() {
        return busyError != null;
    }

    /** The -BUSY error other clients get while a script is busy (SHUTDOWN without NOSAVE gets it too). */
    public String busyError() {
        return busyError;
    }

    /**
     * Runs one command from another client while a script has run past busy-reply-threshold,
     * between two of the script's steps (Redis' processCommand under isInsideYieldingLongCommand):
     * the dispatcher's checks up to LOADING, then {@code busy} for every command without
     * {@link CommandFlag#ALLOW_BUSY}. Those with it touch only the client's own state (AUTH, HELLO,
     * QUIT, RESET, MULTI, DISCARD, WATCH, UNWATCH), the running script (SCRIPT KILL, FUNCTION KILL,
     * FUNCTION STATS) or end the process (SHUTDOWN NOSAVE), so the script's view of the keyspace
     * does not change. No eviction runs (as Redis skips it while busy), CLIENT PAUSE is not applied,
     * nothing is recorded in the AOF. Keyspace thread; precondition: {@code c} is neither the
     * script's caller, nor blocked, nor postponed.
     */
    public void executeWhileBusy(Client c, Args a, String busy) {
        if (halted) {
            return;
        }
        c.lastInteractionMs = keyspace.now();
        ReplySink r = c.reply();
        boolean muted = applyReplyMode(c);
        busyError = busy;
        try {
            dispatchWhileBusy(c, a, r, busy);
        } finally {
            busyError = null;
            if (muted) {
                c.channel.mute(c.replyMode == Client.ReplyMode.OFF);
            }
        }
    }

    private void dispatchWhileBusy(Client c, Args a, ReplySink r, String busy) {
        CommandSpec spec = admitOrReply(c, a, r);
        if (spec == null) {
            return;
        }
        if (!spec.has(CommandFlag.ALLOW_BUSY)) {
            reject(c, r, spec, busy); // inside MULTI this also aborts the transaction, as Redis' rejectCommand
            return;
        }
        if (c.inMulti && spec.has(CommandFlag.NO_MULTI)) {
            reject(c, r, spec, Errors.NOT_IN_MULTI);
            return;
        }
        if (c.inMulti && !TransactionCommands.runsImmediately(spec)) {
            c.multiQueue.add(a.copy());
            r.simple("QUEUED");
            return;
        }
        c.lastCommand = spec.fullName();
        long errorsBefore = r.errors();
        spec.handler.execute(c, a, r);
        spec.calls++;
        long errs = r.errors() - errorsBefore;
        if (errs > 0) {
            spec.failedCalls++;
            stats.errorReplies += errs;
        }
        stats.commandsProcessed++;
    }

    private boolean applyReplyMode(Client c) {
        if (c.skipNext) {
            c.skipNext = false;
            c.channel.mute(true);
            return true;
        }
        return c.replyMode == Client.ReplyMode.OFF;
    }

    private void dispatch(Client c, Args a, ReplySink r) {
        CommandSpec spec = admitOrReply(c, a, r);
        if (spec == null) {
            return;
        }
        if (!loading) {
            // as Redis' processCommand: free memory before any command; refuse only those that may grow it.
            // Past the heap guard (or when the collector reports the heap nearly full) they are refused
            // whatever maxmemory says: an -OOM reply instead of an OutOfMemoryError
            boolean oom = !eviction.performEvictions();
            if ((oom || heapPressure || (heapGuard > 0 && spec.has(CommandFlag.DENYOOM) && usedMemory() > heapGuard))
                && (spec.has(CommandFlag.DENYOOM)
                || (TransactionCommands.isExec(spec) && TransactionCommands.queueDenyOom(this, c)))) {
                reject(c, r, spec, Errors.OOM);
                return;
            }
        }
        if (c.inMulti && spec.has(CommandFlag.NO_MULTI)) {
            reject(c, r, spec, Errors.NOT_IN_MULTI);
            return;
        }
        if (pauseApplies(c, spec)) {
            c.postponed.add(a.copy());
            postponing.add(c);
            return;
        }
        if (c.inMulti && !TransactionCommands.runsImmediately(spec)) {
            c.multiQueue.add(a.copy());
            r.simple("QUEUED");
            return;
        }
        if (parkForColdRead(c, spec, a)) {
            return;
        }
        call(c, spec, a, r);
    }

    /**
     * The checks every command passes first, in Redis' processCommand order: the command exists,
     * arity, authentication, the RESP2 pub/sub context, MISCONF, LOADING. Returns the command
     * (the subcommand for a container), or null after writing the error.
     */
    private CommandSpec admitOrReply(Client c, Args a, ReplySink r) {
        CommandSpec spec = commands.lookup(a.buf(), a.off(0), a.len(0));
        if (spec == null) {
            reject(c, r, null, Errors.unknownCommand(trim128(a.str(0)), argsPreview(a, 1)));
            return null;
        }
        if (spec.isContainer() && a.argc() >= 2) {
            CommandSpec sub = spec.subcommand(a.buf(), a.off(1), a.len(1));
            if (sub == null) {
                reject(c, r, spec, Errors.unknownSubcommand(trim128(a.str(1)), spec.upperName()));
                return null;
            }
            spec = sub;
        }
        if (!spec.arityOk(a.argc())) {
            reject(c, r, spec, Errors.wrongArity(spec.fullName()));
            return null;
        }
        if (!c.authenticated && !spec.has(CommandFlag.NO_AUTH)) {
            if (config.requirepass.isEmpty()) {
                c.authenticated = true; // password removed at runtime
            } else {
                reject(c, r, spec, Errors.NOAUTH);
                return null;
            }
        }
        if (c.protocol == 2 && c.inPubSubMode() && !allowedWhileSubscribed(spec)) {
            reject(c, r, spec, "ERR Can't execute '" + spec.fullName()
                + "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context");
            return null;
        }
        String diskError = persistence.diskErrorForWrites();
        if (diskError != null && (spec.has(CommandFlag.WRITE) || spec.name.equals("ping"))) {
            // Redis' writeCommandsDeniedByDiskError: PING too, so monitoring notices
            reject(c, r, spec, diskError);
            return null;
        }
        if (loading && !spec.has(CommandFlag.LOADING) && c.id != io.strata.engine.persist.AofLoader.REPLAY_CLIENT_ID) {
            reject(c, r, spec, Errors.LOADING);
            return null;
        }
        return spec;
    }

    // ---- spill-tier reads off the keyspace thread ----

    /** Reads spill records ahead of the commands that need them (page faults happen here). */
    private java.util.concurrent.ExecutorService spillReader;
    /** Commands that waited for a read-ahead of their key (INFO tier_async_reads). */
    public long asyncColdReads;

    /**
     * A command whose first key is not in RAM but may be in the spill tier waits (its client's
     * later commands queue behind it, so order holds) while another thread reads the record,
     * faulting its pages in; then it runs on this thread and finds them in memory. Other clients
     * go on meanwhile. True when the command was parked.
     */
    private boolean parkForColdRead(Client c, CommandSpec spec, Args a) {
        int i = spec.firstKey;
        if (!config.tierAsyncReads || !keyspace.tiering() || loading || inExec || i <= 0 || i >= a.argc()) {
            return false;
        }
        if (c.readAheadKey != null) {
            boolean same = io.strata.engine.util.Bytes.equals(c.readAheadKey, a.buf(), a.off(i), a.len(i));
            c.readAheadKey = null;
            if (same) {
                return false; // its read-ahead is done: run it now
            }
        }
        io.strata.storage.tier.SpillStore store = c.db.cold();
        if (store == null || c.db.findRaw(a.buf(), a.off(i), a.len(i)) != null || !store.mightContain(a.buf(), a.off(i), a.len(i))) {
            return false;
        }
        byte[] key = a.bytes(i);
        c.postponed.add(a.copy());
        asyncColdReads++;
        if (spillReader == null) {
            spillReader = java.util.concurrent.Executors.newSingleThreadExecutor(rn -> {
                Thread t = new Thread(rn, "strata-spill-read");
                t.setDaemon(true);
                return t;
            });
        }
        spillReader.execute(() -> {
            store.prefetch(key);
            try {
                control().runOnKeyspaceThread(() -> resumeAfterColdRead(c, key));
            } catch (RuntimeException stopping) {
                // the server is shutting down
            }
        });
        return true;
    }

    /** Runs a client's postponed commands in order until one blocks, parks or pauses it again; the rest wait, in order. */
    private void replayPostponed(Client c) {
        List<Args> rest = new ArrayList<>(c.postponed);
        c.postponed.clear();
        for (int k = 0; k < rest.size(); k++) {
            if (c.isBlocked() || c.isPostponing()) {
                c.postponed.addAll(rest.subList(k, rest.size()));
                return;
            }
            execute(c, rest.get(k));
        }
    }

    /** Keyspace thread: the read-ahead for {@code c}'s parked command is done; run what it queued. */
    private void resumeAfterColdRead(Client c, byte[] key) {
        if (c.closed || c.postponed.isEmpty()) {
            return;
        }
        c.readAheadKey = key;
        replayPostponed(c);
        c.readAheadKey = null;
        c.channel.flush();
        if (c.closeAfterReply && c.postponed.isEmpty()) {
            c.channel.close();
        }
    }

    private static boolean allowedWhileSubscribed(CommandSpec spec) {
        switch (spec.name) {
            case "ping": case "subscribe": case "ssubscribe": case "unsubscribe": case "sunsubscribe":
            case "psubscribe": case "punsubscribe": case "quit": case "reset":
                return true;
            default:
                return false;
        }
    }

    private void reject(Client c, ReplySink r, CommandSpec spec, String error) {
        if (spec != null) {
            spec.rejectedCalls++;
        }
        if (c.inMulti) {
            c.multiDirty = true;
        }
        stats.errorReplies++;
        r.error(error);
    }

    private void applyMemoryPolicy() {
        keyspace.lfuMode = config.maxmemoryPolicy.endsWith("-lfu");
        keyspace.lfuLogFactor = config.lfuLogFactor;
        keyspace.lfuDecayTime = config.lfuDecayTime;
    }

    /** Estimated memory of the data and the server's start-up footprint: what INFO reports as used_memory. */
    public long usedMemory() {
        return startupMemory + keyspace.usedMemory();
    }

    /** What {@code maxmemory} bounds: used memory less the spill tier's key filters (the hot tier). */
    public long hotMemory() {
        return startupMemory + keyspace.hotMemory();
    }

    /**
     * The {@code maxmemory} in force: the configured value, or with the spill tier on and none
     * configured, the one derived from the JVM's heap ({@link #heapDerivedMaxmemory}).
     */
    public long maxmemory() {
        long m = config.maxmemory;
        return m > 0 || !config.tierSpill ? m : derivedMaxmemory;
    }

    /** Where {@link #maxmemory()} comes from, for INFO: config, heap, or none (unbounded, as Redis' 0). */
    public String maxmemorySource() {
        return config.maxmemory > 0 ? "config" : config.tierSpill ? "heap" : "none";
    }

    /**
     * What the hot tier may hold now: {@link #maxmemory()}, and with the spill tier on never so
     * much that the hot tier and the cold keys' filters together pass the heap guard (the hot tier
     * gives way to the filters as cold keys accumulate).
     */
    public long hotLimit() {
        long m = maxmemory();
        if (heapGuard > 0 && keyspace.tiering()) {
            long room = heapGuard - startupMemory - keyspace.filterMemory();
            if (m <= 0 || room < m) {
                m = Math.max(1, room);
            }
        }
        return m;
    }

    /**
     * The hot-tier bound derived from a maximum heap of {@code maxHeap} bytes when the user sets no
     * {@code maxmemory}: the heap less 256 MB for the server itself (buffers, key filters, the
     * collector's headroom), at most two thirds of it, at least a quarter. The launcher's heap
     * rule, {@code -Xmx = max(maxmemory + 256 MB, 1.5 × maxmemory)}, is its inverse.
     */
    public static long heapDerivedMaxmemory(long maxHeap) {
        return Math.max(maxHeap / 4, Math.min(maxHeap - (256L << 20), maxHeap / 3 * 2));
    }

    /**
     * Used memory past which writes get -OOM whatever {@code maxmemory} is, so that the data never
     * fills the heap: 75% of it, leaving the collector room and what the estimates do not see
     * (client buffers, replies in flight). 0 when the heap is unbounded.
     */
    public static long heapGuardFor(long maxHeap) {
        return maxHeap == Long.MAX_VALUE ? 0 : maxHeap / 4 * 3;
    }

    /** Runs a command already checked by the dispatcher (also used by EXEC). */
    public void call(Client c, CommandSpec spec, Args a, ReplySink r) {
        long start = System.nanoTime();
        keyspace.tickAt(start);
        long errorsBefore = r.errors();
        c.lastCommand = spec.fullName();
        currentArgs = a;
        io.strata.engine.persist.AofRecorder rec = aof;
        long dirtyBefore = keyspace.dirty;
        boolean exec = false;
        boolean script = false;
        if (rec != null) {
            // a script's effects are recorded as the commands it ran, in MULTI/EXEC (Redis 7), never the script itself
            script = io.strata.engine.scripting.ScriptingCommands.isScriptRun(spec);
            rec.beforeCommand();
            exec = (TransactionCommands.isExec(spec) || script) && !rec.inTransaction();
            if (exec) {
                rec.beginExec();
            }
        }
        try {
            spec.handler.execute(c, a, r);
            if (rec != null && rec == aof) {
                if (exec) {
                    rec.endExec();
                } else if (!script && keyspace.dirty != dirtyBefore
                    && (spec.has(CommandFlag.WRITE) || spec.has(CommandFlag.MAY_REPLICATE))) {
                    rec.record(c, spec, a);
                }
            }
        } catch (RuntimeException e) {
            if (exec) {
                rec.endExec();
            }
            // a bug in a handler must not take the server down or leave the client waiting
            stats.unexpectedErrorReplies++;
            System.err.println("Unexpected error in '" + spec.fullName() + "': " + e);
            e.printStackTrace();
            r.error("ERR internal error in '" + spec.fullName() + "': " + e.getClass().getSimpleName());
        }
        long us = (System.nanoTime() - start) / 1000;
        keyspace.settleMemory();
        spec.calls++;
        spec.usec += us;
        long errs = r.errors() - errorsBefore;
        if (errs > 0) {
            spec.failedCalls++;
            stats.errorReplies += errs;
        }
        stats.commandsProcessed++;
        if (!spec.has(CommandFlag.SKIP_SLOWLOG) && config.slowlogLogSlowerThan >= 0
            && us >= config.slowlogLogSlowerThan) {
            slowLog.record(a, us, c, config.slowlogMaxLen);
        }
        if (config.latencyMonitorThreshold > 0) {
            latency.maybeRecord(spec.has(CommandFlag.FAST) ? "fast-command" : "command", us / 1000,
                config.latencyMonitorThreshold);
        }
        if (!monitors.isEmpty() && !spec.has(CommandFlag.SKIP_MONITOR) && !spec.has(CommandFlag.ADMIN)) {
            feedMonitors(c, a);
        }
    }

    private void feedMonitors(Client c, Args a) {
        long now = System.currentTimeMillis();
        StringBuilder sb = new StringBuilder(64);
        sb.append(now / 1000).append('.').append(String.format("%06d", (now % 1000) * 1000))
            .append(" [").append(c.db.index).append(' ').append(c.channel.addr()).append(']');
        for (int i = 0; i < a.argc(); i++) {
            sb.append(' ').append(Bytes.repr(a.buf(), a.off(i), a.len(i)));
        }
        String line = sb.toString();
        for (Client m : monitors) {
            if (!m.closed) {
                m.reply().simple(line);
                m.channel.flush();
            }
        }
    }

    private static String trim128(String s) {
        return s.length() > 128 ? s.substring(0, 128) : s;
    }

    /** Redis' "with args beginning with:" list: each arg quoted and followed by a space, ~128 chars. */
    private static String argsPreview(Args a, int from) {
        StringBuilder sb = new StringBuilder();
        for (int i = from; i < a.argc() && sb.length() < 128; i++) {
            String s = a.str(i);
            int room = 128 - sb.length();
            sb.append('\'').append(s.length() > room ? s.substring(0, room) : s).append("' ");
        }
        return sb.toString().replace('\r', ' ').replace('\n', ' ');
    }

    // ---- blocking commands ----

    /** Clients waiting per database and key, first come first served. */
    private final Map<io.strata.engine.keyspace.Database, Map<java.nio.ByteBuffer, java.util.ArrayDeque<Client>>> blocking =
        new java.util.IdentityHashMap<>();
    /** Keys that got data since the last time blocked clients were served, in signal order. */
    private final java.util.LinkedHashSet<ReadyKey> readyKeys = new java.util.LinkedHashSet<>();
    private final java.util.PriorityQueue<Client> blockTimeouts =
        new java.util.PriorityQueue<>(java.util.Comparator.comparingLong(x -> x.blockDeadline));
    private Args currentArgs;
    private int blockedCount;

    private static final class ReadyKey {
        final io.strata.engine.keyspace.Database db;
        final java.nio.ByteBuffer key;

        ReadyKey(io.strata.engine.keyspace.Database db, java.nio.ByteBuffer key) {
            this.db = db;
            this.key = key;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ReadyKey && ((ReadyKey) o).db == db && ((ReadyKey) o).key.equals(key);
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(db) * 31 + key.hashCode();
        }
    }

    /** False inside MULTI/EXEC (and scripts): a blocking command then answers as on timeout. */
    public boolean canBlock(Client c) {
        return !c.inMulti && !inExec;
    }

    /** Set by EXEC while it runs queued commands. */
    public boolean inExec;

    /**
     * Parks the client on {@code keys} until one gets data or {@code deadlineMs} passes (0 =
     * forever). The handler writes no reply; the command is re-run when a key is signalled.
     * Called again while being re-run, the client keeps its place and deadline.
     */
    public void block(Client c, List<byte[]> keys, long deadlineMs) {
        block(c, keys, deadlineMs, null);
    }

    /**
     * As {@link #block(Client, List, long)}, re-running {@code rerun} instead of the command as
     * sent (XREAD resolves {@code $} to the id it had when it blocked, as Redis does).
     */
    public void block(Client c, List<byte[]> keys, long deadlineMs, Args rerun) {
        if (c.isBlocked()) {
            c.reblocked = true;
            return;
        }
        c.blockedArgs = rerun != null ? rerun : currentArgs.copy();
        c.blockedDb = c.db;
        c.blockDeadline = deadlineMs;
        Map<java.nio.ByteBuffer, java.util.ArrayDeque<Client>> m = blocking.computeIfAbsent(c.db, k -> new java.util.HashMap<>());
        for (byte[] k : keys) {
            java.nio.ByteBuffer key = java.nio.ByteBuffer.wrap(k);
            if (c.blockedKeys.contains(key)) {
                continue;
            }
            c.blockedKeys.add(key);
            m.computeIfAbsent(key, x -> new java.util.ArrayDeque<>()).add(c);
        }
        if (deadlineMs > 0) {
            blockTimeouts.add(c);
        }
        blockedCount++;
    }

    /** Tells blocked clients that {@code key} may now have data (a push, an add, a rename…). */
    public void signalKeyAsReady(io.strata.engine.keyspace.Database db, byte[] key) {
        Map<java.nio.ByteBuffer, java.util.ArrayDeque<Client>> m = blocking.get(db);
        if (m == null) {
            return;
        }
        java.nio.ByteBuffer k = java.nio.ByteBuffer.wrap(key);
        if (m.containsKey(k)) {
            readyKeys.add(new ReadyKey(db, k));
        }
    }

    /**
     * While a blocked client's command is re-run: the ready key that woke it, else null. Redis
     * 7.0 serves a waiter from that key, not from the first of its keys that has data.
     */
    public byte[] wokenBy() {
        return wokenBy;
    }

    private byte[] wokenBy;

    public int blockedClients() {
        return blockedCount;
    }

    private void removeBlocked(Client c) {
        Map<java.nio.ByteBuffer, java.util.ArrayDeque<Client>> m = blocking.get(c.blockedDb);
        if (m != null) {
            for (java.nio.ByteBuffer k : c.blockedKeys) {
                java.util.ArrayDeque<Client> q = m.get(k);
                if (q != null) {
                    q.remove(c);
                    if (q.isEmpty()) {
                        m.remove(k);
                    }
                }
            }
            if (m.isEmpty()) {
                blocking.remove(c.blockedDb);
            }
        }
        blockTimeouts.remove(c);
        c.blockedKeys.clear();
        c.blockedArgs = null;
        c.blockedDb = null;
        c.blockDeadline = 0;
        blockedCount--;
    }

    /** Re-runs blocked commands whose keys got data, first come first served, until none is ready. */
    private void serveBlockedClients() {
        while (!readyKeys.isEmpty()) {
            java.util.Iterator<ReadyKey> it = readyKeys.iterator();
            ReadyKey rk = it.next();
            it.remove();
            Map<java.nio.ByteBuffer, java.util.ArrayDeque<Client>> m = blocking.get(rk.db);
            java.util.ArrayDeque<Client> q = m == null ? null : m.get(rk.key);
            if (q == null) {
                continue;
            }
            for (Client c : new ArrayList<>(q)) {
                if (!c.isBlocked()) {
                    continue;
                }
                Args a = c.blockedArgs;
                CommandSpec spec = commands.lookup(a.buf(), a.off(0), a.len(0));
                io.strata.engine.keyspace.Database saved = c.db;
                c.db = c.blockedDb;
                c.reblocked = false;
                wokenBy = rk.key.array();
                try {
                    call(c, spec, a, c.reply());
                } finally {
                    wokenBy = null;
                }
                if (c.db == c.blockedDb) {
                    c.db = saved;
                }
                if (c.reblocked) {
                    c.reblocked = false;
                    continue; // nothing for this one after all: it keeps its place
                }
                removeBlocked(c);
                afterUnblock(c);
            }
        }
    }

    private void afterUnblock(Client c) {
        c.channel.flush();
        if (!c.postponed.isEmpty() && !postponing.contains(c)) {
            replayPostponed(c);
            c.channel.flush();
        }
    }

    /**
     * Unblocks a client as if its timeout had passed ({@code error} null) or with an error
     * (CLIENT UNBLOCK … ERROR). Returns false when it was not blocked.
     */
    public boolean unblock(Client c, String error) {
        if (!c.isBlocked()) {
            return false;
        }
        removeBlocked(c);
        if (error != null) {
            c.reply().error(error);
        } else {
            c.reply().nullArray();
        }
        afterUnblock(c);
        return true;
    }

    /** Times out blocked clients whose deadline passed; the server calls it every few ms. */
    public void timers() {
        if (blockTimeouts.isEmpty()) {
            return;
        }
        long now = System.currentTimeMillis();
        while (!blockTimeouts.isEmpty() && blockTimeouts.peek().blockDeadline <= now) {
            unblock(blockTimeouts.peek(), null);
        }
    }

    // ---- pub/sub output limit ----

    /** Closes a subscriber whose unsent output passed {@code client-output-buffer-limit pubsub}. */
    void enforcePubSubOutputLimit(Client c) {
        long[] lim = config.outputLimitPubsub;
        long used = c.channel.outputBufferLength();
        long now = System.currentTimeMillis();
        boolean over = lim[0] > 0 && used >= lim[0];
        if (!over && lim[1] > 0 && used >= lim[1]) {
            if (c.softLimitSinceMs == 0) {
                c.softLimitSinceMs = now;
            } else if (now - c.softLimitSinceMs >= lim[2] * 1000) {
                over = true;
            }
        } else if (!over) {
            c.softLimitSinceMs = 0;
        }
        if (over && !c.closed) {
            System.err.println("Client id=" + c.id + " addr=" + c.channel.addr()
                + " scheduled to be closed ASAP for overcoming of output buffer limits.");
            c.closed = true;
            c.channel.closeNow();
        }
    }

    // ---- CLIENT PAUSE ----

    public void pause(long untilMs, boolean all) {
        // a second pause extends the end and may widen WRITE to ALL, never narrows
        if (untilMs > pauseEndMs) {
            pauseEndMs = untilMs;
        }
        pauseAll = pauseAll && isPaused() || all;
    }

    public boolean isPaused() {
        return pauseEndMs > System.currentTimeMillis();
    }

    public void unpause() {
        pauseEndMs = 0;
        pauseAll = false;
        resumePostponed();
    }

    private boolean pauseApplies(Client c, CommandSpec spec) {
        if (pauseEndMs == 0 || !isPaused()) {
            return false;
        }
        if (pauseAll) {
            return true;
        }
        if (spec.has(CommandFlag.WRITE) || spec.has(CommandFlag.MAY_REPLICATE)) {
            return true;
        }
        return TransactionCommands.isExec(spec) && TransactionCommands.queueWrites(this, c);
    }

    private void resumePostponed() {
        List<Client> ready = new ArrayList<>(postponing);
        postponing.clear();
        for (Client c : ready) {
            if (c.closed) {
                continue;
            }
            while (!c.postponed.isEmpty() && !isPaused()) {
                Args next = c.postponed.poll();
                execute(c, next);
                if (c.isPostponing()) {
                    break; // paused again by a command it just ran
                }
            }
            c.channel.flush();
            if (c.closeAfterReply) {
                c.channel.close();
            }
        }
    }

    // ---- cron ----

    /** Periodic work, {@code hz} times a second on the keyspace thread. */
    public void cron() {
        keyspace.tick();
        long now = keyspace.now();
        stats.sample(now);
        if (pauseEndMs != 0 && pauseEndMs <= now) {
            unpause();
        }
        if (!loading) {
            appendOnly.cron();
        }
        if (activeExpireEnabled && !loading) {
            // Redis' slow cycle: 25% of each cron period, scaled by active-expire-effort
            long budget = 1_000_000_000L / Math.max(1, config.hz) / 4 * (3 + config.activeExpireEffort) / 4;
            keyspace.activeExpireCycle(budget);
        }
        if (!loading) {
            persistence.cron();
            keyspace.tierHousekeeping();
        }
        int timeout = config.timeout;
        if (timeout > 0) {
            List<Client> idle = new ArrayList<>();
            for (Client c : clients.values()) {
                if (!c.monitor && now - c.lastInteractionMs > timeout * 1000L) {
                    idle.add(c);
                }
            }
            for (Client c : idle) {
                c.channel.close();
            }
        }
    }
}
