package io.strata.engine.commands;

import io.strata.engine.Client;
import io.strata.engine.Engine;
import io.strata.engine.Errors;
import io.strata.engine.command.Args;
import io.strata.engine.command.CommandTable;
import io.strata.engine.command.ReplySink;
import io.strata.engine.keyspace.Entry;
import io.strata.engine.keyspace.Memory;
import io.strata.engine.scripting.ScriptingCommands;

import static io.strata.engine.command.CommandFlag.READONLY;

/**
 * MEMORY USAGE / STATS / DOCTOR / MALLOC-STATS / PURGE / HELP, from the per-entry memory
 * estimate the keyspace keeps (the same numbers as INFO used_memory).
 *
 * <p>Thread rule: keyspace thread only.
 */
public final class MemoryCommands extends CommandGroup {
    public MemoryCommands(Engine engine) {
        super(engine);
    }

    @Override
    public void register(CommandTable t) {
        String g = "server";
        t.add(container("memory").doc(g, "4.0.0", "A container for memory diagnostics commands.")
            .sub(cmd("usage", -3, this::usage).flags(READONLY).keys(2, 2, 1)
                .doc(g, "4.0.0", "Estimates the memory usage of a key."))
            .sub(cmd("stats", 2, this::stats).doc(g, "4.0.0", "Returns details about memory usage."))
            .sub(cmd("doctor", 2, this::doctor).doc(g, "4.0.0", "Outputs a memory problems report."))
            .sub(cmd("malloc-stats", 2, (c, a, r) -> r.verbatim("Stats not supported for the current allocator"))
                .doc(g, "4.0.0", "Returns the allocator statistics."))
            .sub(cmd("purge", 2, (c, a, r) -> r.ok()).doc(g, "4.0.0", "Asks the allocator to release memory."))
            .sub(cmd("help", 2, this::help).doc(g, "4.0.0", "Returns helpful text about the different subcommands.")));
    }

    private void usage(Client c, Args a, ReplySink r) {
        // MEMORY USAGE key [SAMPLES count]: the estimate is exact, so the count is only validated
        if (a.argc() == 5 && a.str(3).equalsIgnoreCase("samples")) {
            if (!a.isLong(4)) {
                r.error(Errors.NOT_INTEGER);
                return;
            }
        } else if (a.argc() != 3) {
            r.error(Errors.SYNTAX);
            return;
        }
        Entry e = ks.lookupReadNoTouch(c.db, a.buf(), a.off(2), a.len(2));
        if (e == null) {
            r.nullBulk();
            return;
        }
        r.integer(Memory.keyBytes(e));
    }

    private void stats(Client c, Args a, ReplySink r) {
        long used = engine.usedMemory();
        long startup = engine.startupMemory;
        long dataset = ks.usedMemory();
        long keys = 0;
        int nonEmpty = 0;
        for (int i = 0; i < ks.databases(); i++) {
            keys += ks.db(i).size();
            if (ks.db(i).size() > 0) {
                nonEmpty++;
            }
        }
        Runtime rt = Runtime.getRuntime();
        long heap = rt.totalMemory() - rt.freeMemory();
        r.map(16 + nonEmpty);
        field(r, "peak.allocated", Math.max(used, heap));
        field(r, "total.allocated", used);
        field(r, "startup.allocated", startup);
        field(r, "replication.backlog", 0);
        field(r, "clients.slaves", 0);
        field(r, "clients.normal", 0);
        field(r, "cluster.links", 0);
        field(r, "aof.buffer", 0);
        // as Redis 7.0: the script cache (evalScriptsMemory) and the libraries (functionsMemoryOverhead)
        ScriptingCommands sc = ScriptingCommands.of(engine);
        field(r, "lua.caches", sc.evalScriptsMemory());
        field(r, "functions.caches", sc.functionsMemory());
        for (int i = 0; i < ks.databases(); i++) {
            if (ks.db(i).size() > 0) {
                r.bulk("db." + i);
                r.map(2);
                field(r, "overhead.hashtable.main", ks.db(i).size() * 10);
                field(r, "overhead.hashtable.expires", ks.db(i).expires() * 8);
            }
        }
        field(r, "overhead.total", startup);
        field(r, "keys.count", keys);
        field(r, "keys.bytes-per-key", keys == 0 ? 0 : dataset / keys);
        field(r, "dataset.bytes", dataset);
        r.bulk("dataset.percentage");
        r.dbl(used == 0 ? 0 : dataset * 100.0 / used);
        r.bulk("jvm.heap.used");
        r.integer(heap);
    }

    private static void field(ReplySink r, String name, long v) {
        r.bulk(name);
        r.integer(v);
    }

    private void doctor(Client c, Args a, ReplySink r) {
        if (engine.usedMemory() < 5L * 1024 * 1024) {
            r.verbatim("Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used in these conditions. Please, leave for your mission on Earth and fill it with some data. The new Sam and I will be back to our programming as soon as I finished rebooting.");
        } else {
            r.verbatim("Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.");
        }
    }

    private void help(Client c, Args a, ReplySink r) {
        String[] lines = {
            "MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "DOCTOR", "    Return memory problems reports.",
            "MALLOC-STATS", "    Return internal statistics report from the memory allocator.",
            "PURGE", "    Attempt to purge dirty pages for reclamation by the allocator.",
            "STATS", "    Return information about the memory usage of the server.",
            "USAGE <key> [SAMPLES <count>]",
            "    Return memory in bytes used by <key> and its value. Nested values are",
            "    sampled up to <count> times (default: 5, 0 means sample all).",
            "HELP", "    Prints this help."};
        r.array(lines.length);
        for (String l : lines) {
            r.simple(l);
        }
    }
}
