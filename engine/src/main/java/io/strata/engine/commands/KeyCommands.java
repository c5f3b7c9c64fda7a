package io.strata.engine.commands;

import io.strata.engine.Client;
import io.strata.engine.Engine;
import io.strata.engine.Errors;
import io.strata.engine.command.Args;
import io.strata.engine.command.CommandTable;
import io.strata.engine.command.ReplySink;
import io.strata.engine.util.Bytes;

import static io.strata.engine.command.CommandFlag.FAST;
import static io.strata.engine.command.CommandFlag.READONLY;
import static io.strata.engine.command.CommandFlag.WRITE;

/**
 * Generic keyspace commands (Redis' db.c and expire.c).
 *
 * <p>Thread rule: keyspace thread only.
 */
public final class KeyCommands extends CommandGroup {
    private static final byte[] ASYNC = Bytes.ascii("async");
    private static final byte[] SYNC = Bytes.ascii("sync");

    public KeyCommands(Engine engine) {
        super(engine);
    }

    @Override
    public void register(CommandTable t) {
        String g = "generic";
        t.add(cmd("del", -2, this::del).flags(WRITE).keys(1, -1, 1)
            .doc(g, "1.0.0", "Deletes one or more keys."));
        t.add(cmd("exists", -2, this::exists).flags(READONLY, FAST).keys(1, -1, 1)
            .doc(g, "1.0.0", "Determines whether one or more keys exist."));
        t.add(cmd("dbsize", 1, (c, a, r) -> r.integer(c.db.size())).flags(READONLY, FAST)
            .doc("server", "1.0.0", "Returns the number of keys in the database."));
        t.add(cmd("flushdb", -1, this::flushdb).flags(WRITE)
            .doc("server", "1.0.0", "Removes all keys from the current database."));
        t.add(cmd("flushall", -1, this::flushall).flags(WRITE)
            .doc("server", "1.0.0", "Removes all keys from all databases."));
    }

    private void del(Client c, Args a, ReplySink r) {
        long n = 0;
        for (int i = 1; i < a.argc(); i++) {
            if (ks.delete(c.db, a.buf(), a.off(i), a.len(i))) {
                n++;
            }
        }
        r.integer(n);
    }

    private void exists(Client c, Args a, ReplySink r) {
        long n = 0;
        for (int i = 1; i < a.argc(); i++) {
            if (read(c, a, i) != null) {
                n++;
            }
        }
        r.integer(n);
    }

    /** Parses the optional ASYNC|SYNC of FLUSHDB/FLUSHALL; false (after replying) when invalid. */
    private static boolean flushModeOk(Args a, ReplySink r) {
        if (a.argc() > 2 || (a.argc() == 2 && !a.is(1, ASYNC) && !a.is(1, SYNC))) {
            r.error(Errors.SYNTAX);
            return false;
        }
        return true;
    }

    private void flushdb(Client c, Args a, ReplySink r) {
        if (flushModeOk(a, r)) {
            ks.flush(c.db);
            r.ok();
        }
    }

    private void flushall(Client c, Args a, ReplySink r) {
        if (flushModeOk(a, r)) {
            ks.flushAll();
            r.ok();
        }
    }
}
