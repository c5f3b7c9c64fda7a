package io.strata.engine.commands;

import io.strata.engine.Client;
import io.strata.engine.Engine;
import io.strata.engine.Errors;
import io.strata.engine.command.Args;
import io.strata.engine.command.CommandFlag;
import io.strata.engine.command.CommandSpec;
import io.strata.engine.command.CommandTable;
import io.strata.engine.command.ReplySink;
import io.strata.engine.keyspace.Database;
import io.strata.engine.keyspace.Entry;
import io.strata.engine.keyspace.Keyspace;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.strata.engine.command.CommandFlag.ALLOW_BUSY;
import static io.strata.engine.command.CommandFlag.FAST;
import static io.strata.engine.command.CommandFlag.LOADING;
import static io.strata.engine.command.CommandFlag.NOSCRIPT;
import static io.strata.engine.command.CommandFlag.SKIP_MONITOR;
import static io.strata.engine.command.CommandFlag.SKIP_SLOWLOG;
import static io.strata.engine.command.CommandFlag.STALE;

/**
 * MULTI, EXEC, DISCARD, WATCH, UNWATCH. A watched key is "touched" by any write, delete,
 * expiry, FLUSHDB/FLUSHALL or SWAPDB of its database, which makes the next EXEC fail.
 *
 * <p>Thread rule: keyspace thread only.
 */
public final class TransactionCommands extends CommandGroup implements Keyspace.Listener {
    /** Watchers per database per key. */
    private final Map<Database, Map<ByteBuffer, List<Client>>> watched = new IdentityHashMap<>();
    /** Keys each client watches, to unwatch quickly. */
    private final Map<Client, List<Watch>> byClient = new IdentityHashMap<>();
    /** Clients whose watched keys were touched. */
    private final Set<Client> dirty = java.util.Collections.newSetFromMap(new IdentityHashMap<>());

    private static TransactionCommands instance(Engine e) {
        return (TransactionCommands) e.attachment(TransactionCommands.class);
    }

    private static final class Watch {
        final Database db;
        final ByteBuffer key;
        /** The key existed with an expiry when watched: if it is expired at EXEC, abort. */
        final boolean volatileAtWatch;

        Watch(Database db, ByteBuffer key, boolean volatileAtWatch) {
            this.db = db;
            this.key = key;
            this.volatileAtWatch = volatileAtWatch;
        }
    }

    public TransactionCommands(Engine engine) {
        super(engine);
        engine.attach(TransactionCommands.class, this);
        ks.addListener(this);
    }

    @Override
    public void register(CommandTable t) {
        String g = "transactions";
        t.add(cmd("multi", 1, this::multi).flags(NOSCRIPT, LOADING, STALE, FAST, ALLOW_BUSY)
            .doc(g, "1.2.0", "Starts a transaction."));
        t.add(cmd("exec", 1, this::exec).flags(NOSCRIPT, LOADING, STALE, SKIP_SLOWLOG)
            .doc(g, "1.2.0", "Executes all commands in a transaction."));
        t.add(cmd("discard", 1, this::discard).flags(NOSCRIPT, LOADING, STALE, FAST, ALLOW_BUSY)
            .doc(g, "2.0.0", "Discards a transaction."));
        t.add(cmd("watch", -2, this::watch).flags(NOSCRIPT, LOADING, STALE, FAST, ALLOW_BUSY).keys(1, -1, 1)
            .doc(g, "2.2.0", "Monitors changes to keys to determine the execution of a transaction."));
        t.add(cmd("unwatch", 1, (c, a, r) -> {
            unwatch(c);
            r.ok();
        }).flags(NOSCRIPT, LOADING, STALE, FAST, ALLOW_BUSY)
            .doc(g, "2.2.0", "Forgets about watched keys of a transaction."));
    }

    /** Commands that run at once inside MULTI instead of being queued. */
    public static boolean runsImmediately(CommandSpec spec) {
        switch (spec.name) {
            case "exec": case "discard": case "multi": case "watch": case "quit": case "reset":
                return true;
            default:
                return false;
        }
    }

    public static boolean isExec(CommandSpec spec) {
        return spec.name.equals("exec");
    }

    /** True when the client's queued transaction holds a write (CLIENT PAUSE WRITE holds EXEC back). */
    public static boolean queueWrites(Engine e, Client c) {
        for (Args q : c.multiQueue) {
            CommandSpec s = resolve(e, q);
            if (s != null && (s.has(CommandFlag.WRITE) || s.has(CommandFlag.MAY_REPLICATE))) {
                return true;
            }
        }
        return false;
    }

    /** True when the queued transaction holds a command that may grow memory (EXEC under OOM). */
    public static boolean queueDenyOom(Engine e, Client c) {
        for (Args q : c.multiQueue) {
            CommandSpec s = resolve(e, q);
            if (s != null && s.has(CommandFlag.DENYOOM)) {
                return true;
            }
        }
        return false;
    }

    public static void unwatchAll(Engine e, Client c) {
        TransactionCommands t = instance(e);
        if (t != null) {
            t.unwatch(c);
        }
    }

    private static CommandSpec resolve(Engine e, Args q) {
        CommandSpec s = e.commands.lookup(q.buf(), q.off(0), q.len(0));
        if (s != null && s.isContainer() && q.argc() >= 2) {
            s = s.subcommand(q.buf(), q.off(1), q.len(1));
        }
        return s;
    }

    private void multi(Client c, Args a, ReplySink r) {
        if (c.inMulti) {
            r.error(Errors.MULTI_NESTED);
            return;
        }
        c.inMulti = true;
        c.multiDirty = false;
        c.multiQueue.clear();
        r.ok();
    }

    private void discard(Client c, Args a, ReplySink r) {
        if (!c.inMulti) {
            r.error(Errors.DISCARD_WITHOUT_MULTI);
            return;
        }
        endMulti(c);
        r.ok();
    }

    private void endMulti(Client c) {
        c.inMulti = false;
        c.multiDirty = false;
        c.multiQueue.clear();
        unwatch(c);
    }

    private void exec(Client c, Args a, ReplySink r) {
        if (!c.inMulti) {
            r.error(Errors.EXEC_WITHOUT_MULTI);
            return;
        }
        if (c.multiDirty) {
            endMulti(c);
            r.error(Errors.EXECABORT);
            return;
        }
        if (dirty.contains(c) || watchedKeyExpired(c)) {
            endMulti(c);
            r.nullArray();
            return;
        }
        List<Args> queue = new ArrayList<>(c.multiQueue);
        c.inMulti = false;
        c.multiQueue.clear();
        unwatch(c);
        r.array(queue.size());
        engine.inExec = true;
        try {
            for (Args q : queue) {
                CommandSpec s = resolve(engine, q);
                engine.call(c, s, q, r);
            }
        } finally {
            engine.inExec = false;
        }
    }

    private boolean watchedKeyExpired(Client c) {
        for (Watch w : byClient.getOrDefault(c, List.of())) {
            if (w.volatileAtWatch) {
                // either tier: a key moved to the spill tier has not changed
                long at = ks.peekExpireAt(w.db, w.key.array());
                if (at == Long.MIN_VALUE || (at >= 0 && at <= ks.now())) {
                    return true;
                }
            }
        }
        return false;
    }

    private void watch(Client c, Args a, ReplySink r) {
        if (c.inMulti) {
            r.error(Errors.WATCH_IN_MULTI);
            return;
        }
        List<Watch> mine = byClient.computeIfAbsent(c, k -> new ArrayList<>());
        for (int i = 1; i < a.argc(); i++) {
            ByteBuffer key = ByteBuffer.wrap(a.bytes(i));
            boolean already = false;
            for (Watch w : mine) {
                if (w.db == c.db && w.key.equals(key)) {
                    already = true;
                    break;
                }
            }
            if (already) {
                continue;
            }
            boolean volatileNow;
            if (engine.servingWhileBusy()) {
                // between two steps of a busy script: read the expiry without removing or promoting the key
                long at = ks.peekExpireAt(c.db, key.array());
                volatileNow = at >= 0 && at > ks.now();
            } else {
                Entry e = ks.lookup(c.db, key.array());
                volatileNow = e != null && e.hasExpire();
            }
            mine.add(new Watch(c.db, key, volatileNow));
            watched.computeIfAbsent(c.db, k -> new HashMap<>()).computeIfAbsent(key, k -> new ArrayList<>()).add(c);
        }
        r.ok();
    }

    private void unwatch(Client c) {
        List<Watch> mine = byClient.remove(c);
        dirty.remove(c);
        if (mine == null) {
            return;
        }
        for (Watch w : mine) {
            Map<ByteBuffer, List<Client>> m = watched.get(w.db);
            if (m == null) {
                continue;
            }
            List<Client> l = m.get(w.key);
            if (l != null) {
                l.remove(c);
                if (l.isEmpty()) {
                    m.remove(w.key);
                }
            }
            if (m.isEmpty()) {
                watched.remove(w.db);
            }
        }
    }

    @Override
    public void keyChanged(Database db, byte[] key) {
        if (watched.isEmpty()) {
            return;
        }
        Map<ByteBuffer, List<Client>> m = watched.get(db);
        if (m == null) {
            return;
        }
        List<Client> l = m.get(ByteBuffer.wrap(key));
        if (l != null) {
            dirty.addAll(l);
        }
    }

    @Override
    public void databaseChanged(Database db) {
        Map<ByteBuffer, List<Client>> m = watched.get(db);
        if (m != null) {
            for (Map.Entry<ByteBuffer, List<Client>> w : m.entrySet()) {
                if (ks.peekExpireAt(db, w.getKey().array()) != Long.MIN_VALUE) {
                    dirty.addAll(w.getValue());
                }
            }
        }
    }

    /** Forgets a disconnected client. */
    public static void clientGone(Engine e, Client c) {
        unwatchAll(e, c);
    }
}
