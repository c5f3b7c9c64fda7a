package io.strata.engine.commands;

import io.strata.engine.Client;
import io.strata.engine.Engine;
import io.strata.engine.Errors;
import io.strata.engine.command.Args;
import io.strata.engine.command.CommandHandler;
import io.strata.engine.command.CommandSpec;
import io.strata.engine.command.CommandTable;
import io.strata.engine.command.ReplySink;
import io.strata.engine.keyspace.Database;
import io.strata.engine.keyspace.Entry;
import io.strata.engine.keyspace.Keyspace;

/**
 * Base of the handler groups (one per data type or area, as Redis' t_string.c, db.c…).
 * Holds the shared {@code …OrReply} helpers: they write the error and return a failure value,
 * so handlers read as early returns.
 *
 * <p>Thread rule: keyspace thread only.
 */
public abstract class CommandGroup {
    protected final Engine engine;
    protected final Keyspace ks;

    protected CommandGroup(Engine engine) {
        this.engine = engine;
        this.ks = engine.keyspace;
    }

    /** Adds this group's commands to the table. */
    public abstract void register(CommandTable t);

    protected static CommandSpec.Builder cmd(String name, int arity, CommandHandler h) {
        return CommandSpec.builder(name, arity, h);
    }

    /** A container command (CLIENT, CONFIG…): arity -2, the dispatcher resolves subcommands. */
    protected static CommandSpec.Builder container(String name) {
        return CommandSpec.builder(name, -2, (c, a, r) -> r.error(Errors.SYNTAX));
    }

    /** Parses argument {@code i} as a long; on failure writes the error and returns {@code null}. */
    protected static Long longOrReply(Args a, int i, ReplySink r) {
        if (!a.isLong(i)) {
            r.error(Errors.NOT_INTEGER);
            return null;
        }
        return a.longAt(i);
    }

    /** Parses argument {@code i} as a float; on failure writes the error and returns NaN. */
    protected static double doubleOrReply(Args a, int i, ReplySink r) {
        double d = a.doubleAt(i);
        if (Double.isNaN(d)) {
            r.error(Errors.NOT_FLOAT);
        }
        return d;
    }

    /** The live entry at key argument {@code i} for reading (counts hits/misses). */
    protected Entry read(Client c, Args a, int i) {
        return ks.lookupRead(c.db, a.buf(), a.off(i), a.len(i));
    }

    /** The live entry at key argument {@code i} for writing. */
    protected Entry write(Client c, Args a, int i) {
        return ks.lookupWrite(c.db, a.buf(), a.off(i), a.len(i));
    }

    /** True when {@code e} holds a string; otherwise writes WRONGTYPE and returns false. */
    protected static boolean isStringOrReply(Entry e, ReplySink r) {
        if (e.value() instanceof byte[]) {
            return true;
        }
        r.error(Errors.WRONGTYPE);
        return false;
    }

    protected static Database db(Client c) {
        return c.db;
    }
}
