package io.strata.engine;

import io.strata.engine.command.Args;
import io.strata.engine.command.CommandFlag;
import io.strata.engine.command.CommandSpec;
import io.strata.engine.command.CommandTable;
import io.strata.engine.command.ReplySink;
import io.strata.engine.commands.ConnectionCommands;
import io.strata.engine.commands.KeyCommands;
import io.strata.engine.commands.ServerCommands;
import io.strata.engine.commands.StringCommands;
import io.strata.engine.commands.TransactionCommands;
import io.strata.engine.config.Config;
import io.strata.engine.keyspace.Keyspace;
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
    public final CommandTable commands = new CommandTable();
    public final Stats stats = new Stats();
    public final SlowLog slowLog = new SlowLog();
    public final LatencyMonitor latency = new LatencyMonitor();
    public final String runId;
    public final long startMs = System.currentTimeMillis();
    private final AtomicLong clientIds = new AtomicLong();
    private final Map<Long, Client> clients = new LinkedHashMap<>();
    private final List<Client> monitors = new ArrayList<>();
    private final List<Client> postponing = new ArrayList<>();
    private ServerControl control;
    public boolean activeExpireEnabled = true;
    public volatile boolean loading;

    // CLIENT PAUSE state
    private long pauseEndMs;
    private boolean pauseAll;

    public Engine(Config config) {
        this.config = config;
        this.keyspace = new Keyspace(config.databases);
        byte[] id = new byte[20];
        new SecureRandom().nextBytes(id);
        this.runId = HexFormat.of().formatHex(id);
        new ConnectionCommands(this).register(commands);
        new ServerCommands(this).register(commands);
        new StringCommands(this).register(commands);
        new KeyCommands(this).register(commands);
        new TransactionCommands(this).register(commands);
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

    /**
     * Runs one command from a client, replying through its sink. The only place that checks
     * arity, authentication, NO_MULTI, transaction queuing and client pauses.
     */
    public void execute(Client c, Args a) {
        c.lastInteractionMs = System.currentTimeMillis();
        if (c.isPostponing()) {
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
        CommandSpec spec = commands.lookup(a.buf(), a.off(0), a.len(0));
        if (spec == null) {
            reject(c, r, null, Errors.unknownCommand(trim128(a.str(0)), argsPreview(a, 1)));
            return;
        }
        if (spec.isContainer() && a.argc() >= 2) {
            CommandSpec sub = spec.subcommand(a.buf(), a.off(1), a.len(1));
            if (sub == null) {
                reject(c, r, spec, Errors.unknownSubcommand(trim128(a.str(1)), spec.upperName()));
                return;
            }
            spec = sub;
        }
        if (!spec.arityOk(a.argc())) {
            reject(c, r, spec, Errors.wrongArity(spec.fullName()));
            return;
        }
        if (!c.authenticated && !spec.has(CommandFlag.NO_AUTH)) {
            if (config.requirepass.isEmpty()) {
                c.authenticated = true; // password removed at runtime
            } else {
                reject(c, r, spec, Errors.NOAUTH);
                return;
            }
        }
        if (loading && !spec.has(CommandFlag.LOADING)) {
            reject(c, r, spec, Errors.LOADING);
            return;
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
        call(c, spec, a, r);
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

    /** Runs a command already checked by the dispatcher (also used by EXEC). */
    public void call(Client c, CommandSpec spec, Args a, ReplySink r) {
        keyspace.tick();
        long errorsBefore = r.errors();
        c.lastCommand = spec.fullName();
        long start = System.nanoTime();
        try {
            spec.handler.execute(c, a, r);
        } catch (RuntimeException e) {
            // a bug in a handler must not take the server down or leave the client waiting
            stats.unexpectedErrorReplies++;
            System.err.println("Unexpected error in '" + spec.fullName() + "': " + e);
            e.printStackTrace();
            r.error("ERR internal error in '" + spec.fullName() + "': " + e.getClass().getSimpleName());
        }
        long us = (System.nanoTime() - start) / 1000;
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
        long now = System.currentTimeMillis();
        stats.sample(now);
        if (pauseEndMs != 0 && pauseEndMs <= now) {
            unpause();
        }
        if (activeExpireEnabled && !loading) {
            // Redis' slow cycle: 25% of each cron period, scaled by active-expire-effort
            long budget = 1_000_000_000L / Math.max(1, config.hz) / 4 * (3 + config.activeExpireEffort) / 4;
            keyspace.activeExpireCycle(budget);
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
