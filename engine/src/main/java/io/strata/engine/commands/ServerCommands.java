package io.strata.engine.commands;

import io.strata.engine.Client;
import io.strata.engine.Engine;
import io.strata.engine.Errors;
import io.strata.engine.command.Args;
import io.strata.engine.command.CommandFlag;
import io.strata.engine.command.CommandSpec;
import io.strata.engine.command.CommandTable;
import io.strata.engine.command.ReplySink;
import io.strata.engine.util.Bytes;
import io.strata.engine.util.Glob;

import java.util.ArrayList;
import java.util.List;

import static io.strata.engine.command.CommandFlag.ADMIN;
import static io.strata.engine.command.CommandFlag.ALLOW_BUSY;
import static io.strata.engine.command.CommandFlag.FAST;
import static io.strata.engine.command.CommandFlag.LOADING;
import static io.strata.engine.command.CommandFlag.NOSCRIPT;
import static io.strata.engine.command.CommandFlag.NO_MULTI;
import static io.strata.engine.command.CommandFlag.STALE;

/**
 * Server commands: COMMAND (generated from the table), SHUTDOWN (saving first as Redis does), TIME, MONITOR.
 *
 * <p>Thread rule: keyspace thread only.
 */
public final class ServerCommands extends CommandGroup {
    private static final byte[] NOSAVE = Bytes.ascii("nosave");
    private static final byte[] SAVE = Bytes.ascii("save");
    private static final byte[] NOW = Bytes.ascii("now");
    private static final byte[] FORCE = Bytes.ascii("force");
    private static final byte[] ABORT = Bytes.ascii("abort");

    private CommandTable table;

    public ServerCommands(Engine engine) {
        super(engine);
    }

    @Override
    public void register(CommandTable t) {
        this.table = t;
        String g = "server";
        t.add(cmd("command", -1, this::commandAll).flags(LOADING, STALE)
            .doc(g, "2.8.13", "Returns detailed information about all commands.")
            .sub(cmd("count", 2, (c, a, r) -> r.integer(table.size())).flags(LOADING, STALE)
                .doc(g, "2.8.13", "Returns a count of commands."))
            .sub(cmd("info", -2, this::commandInfo).flags(LOADING, STALE)
                .doc(g, "2.8.13", "Returns information about one, multiple or all commands."))
            .sub(cmd("docs", -2, this::commandDocs).flags(LOADING, STALE)
                .doc(g, "7.0.0", "Returns documentary information about one, multiple or all commands."))
            .sub(cmd("list", -2, this::commandList).flags(LOADING, STALE)
                .doc(g, "7.0.0", "Returns a list of command names."))
            .sub(cmd("getkeys", -3, this::commandGetKeys).flags(LOADING, STALE)
                .doc(g, "2.8.13", "Extracts the key names from an arbitrary command."))
            .sub(cmd("help", 2, this::commandHelp).flags(LOADING, STALE)
                .doc(g, "5.0.0", "Returns helpful text about the different subcommands.")));
        t.add(cmd("shutdown", -1, this::shutdown).flags(ADMIN, NOSCRIPT, LOADING, STALE, NO_MULTI, ALLOW_BUSY)
            .doc(g, "1.0.0", "Synchronously saves the database(s) to disk and shuts down the Redis server."));
        t.add(cmd("role", 1, (c, a, r) -> {
            // a master without replicas: ["master", replication offset, replicas]
            r.array(3);
            r.bulk("master");
            r.integer(0);
            r.array(0);
        }).flags(NOSCRIPT, LOADING, STALE, FAST).acl("@admin", "@dangerous")
            .doc(g, "2.8.12", "Returns the replication role."));
        t.add(cmd("time", 1, this::time).flags(LOADING, STALE, FAST)
            .doc(g, "2.6.0", "Returns the server time."));
        t.add(cmd("monitor", 1, this::monitor).flags(ADMIN, NOSCRIPT, LOADING, STALE)
            .doc(g, "1.0.0", "Listens for all requests received by the server in real-time."));
    }

    // ---- COMMAND ----

    private void commandAll(Client c, Args a, ReplySink r) {
        if (a.argc() != 1) {
            r.error(Errors.unknownSubcommand(a.str(1), "COMMAND"));
            return;
        }
        r.array(table.size());
        for (CommandSpec s : table.all()) {
            writeInfo(s, r);
        }
    }

    private void writeInfo(CommandSpec s, ReplySink r) {
        r.array(10);
        r.bulk(s.name);
        r.integer(s.arity);
        r.set(s.flags.size());
        for (CommandFlag f : s.flags) {
            r.simple(f.wireName);
        }
        r.integer(s.firstKey);
        r.integer(s.lastKey);
        r.integer(s.keyStep);
        r.set(s.aclCategories().size());
        for (String cat : s.aclCategories()) {
            r.simple(cat);
        }
        r.set(0); // tips
        if (s.firstKey > 0) {
            r.set(1);
            r.map(3);
            r.bulk("flags");
            if (s.has(CommandFlag.WRITE)) {
                r.set(3);
                r.simple("RW");
                r.simple("access");
                r.simple("update");
            } else {
                r.set(2);
                r.simple("RO");
                r.simple("access");
            }
            r.bulk("begin_search");
            r.map(2);
            r.bulk("type");
            r.bulk("index");
            r.bulk("spec");
            r.map(1);
            r.bulk("index");
            r.integer(s.firstKey);
            r.bulk("find_keys");
            r.map(2);
            r.bulk("type");
            r.bulk("range");
            r.bulk("spec");
            r.map(3);
            r.bulk("lastkey");
            r.integer(s.lastKey < 0 ? s.lastKey : s.lastKey - s.firstKey);
            r.bulk("keystep");
            r.integer(s.keyStep);
            r.bulk("limit");
            r.integer(0);
        } else {
            r.set(0);
        }
        r.set(s.subcommands().size());
        for (CommandSpec sub : s.subcommands().values()) {
            writeInfo(sub, r);
        }
    }

    private CommandSpec find(String name) {
        int bar = name.indexOf('|');
        if (bar < 0) {
            return table.get(name);
        }
        CommandSpec parent = table.get(name.substring(0, bar));
        if (parent == null) {
            return null;
        }
        return parent.subcommands().get(name.substring(bar + 1).toLowerCase());
    }

    private void commandInfo(Client c, Args a, ReplySink r) {
        if (a.argc() == 2) {
            commandAll(c, Args.of("command"), r);
            return;
        }
        r.array(a.argc() - 2);
        for (int i = 2; i < a.argc(); i++) {
            CommandSpec s = find(a.str(i));
            if (s == null) {
                r.nullArray();
            } else {
                writeInfo(s, r);
            }
        }
    }

    private void commandDocs(Client c, Args a, ReplySink r) {
        List<CommandSpec> specs = new ArrayList<>();
        if (a.argc() == 2) {
            specs.addAll(table.all());
        } else {
            for (int i = 2; i < a.argc(); i++) {
                CommandSpec s = find(a.str(i));
                if (s != null) {
                    specs.add(s);
                }
            }
        }
        r.map(specs.size());
        for (CommandSpec s : specs) {
            r.bulk(s.name);
            writeDoc(s, r);
        }
    }

    private void writeDoc(CommandSpec s, ReplySink r) {
        boolean hasSubs = s.isContainer();
        boolean hasComplexity = !s.complexity.isEmpty();
        r.map(3 + (hasComplexity ? 1 : 0) + (hasSubs ? 1 : 0));
        r.bulk("summary");
        r.bulk(s.summary);
        r.bulk("since");
        r.bulk(s.since);
        r.bulk("group");
        r.bulk(s.group);
        if (hasComplexity) {
            r.bulk("complexity");
            r.bulk(s.complexity);
        }
        if (hasSubs) {
            r.bulk("subcommands");
            r.map(s.subcommands().size());
            for (CommandSpec sub : s.subcommands().values()) {
                r.bulk(sub.name);
                writeDoc(sub, r);
            }
        }
    }

    private void commandList(Client c, Args a, ReplySink r) {
        String cat = null;
        String pattern = null;
        if (a.argc() == 5 && a.str(2).equalsIgnoreCase("filterby")) {
            String kind = a.str(3).toLowerCase();
            if (kind.equals("aclcat")) {
                cat = "@" + a.str(4).toLowerCase();
            } else if (kind.equals("pattern")) {
                pattern = a.str(4);
            } else if (kind.equals("module")) {
                r.array(0); // no modules are loaded
                return;
            } else {
                r.error(Errors.SYNTAX);
                return;
            }
        } else if (a.argc() != 2) {
            r.error(Errors.SYNTAX);
            return;
        }
        List<String> names = new ArrayList<>();
        for (CommandSpec s : table.allWithSubcommands()) {
            if (cat != null && !s.aclCategories().contains(cat)) {
                continue;
            }
            if (pattern != null && !Glob.match(pattern, s.name, true)) {
                continue;
            }
            names.add(s.name);
        }
        r.array(names.size());
        for (String n : names) {
            r.bulk(n);
        }
    }

    private void commandGetKeys(Client c, Args a, ReplySink r) {
        Args sub = a.tail(2);
        CommandSpec s = table.lookup(sub.buf(), sub.off(0), sub.len(0));
        if (s != null && s.isContainer() && sub.argc() >= 2) {
            s = s.subcommand(sub.buf(), sub.off(1), sub.len(1));
        }
        if (s == null) {
            r.error("ERR Invalid command specified");
            return;
        }
        if (!s.arityOk(sub.argc())) {
            r.error("ERR Invalid number of arguments specified for command");
            return;
        }
        List<Integer> keys = s.keySpec.keys(sub);
        if (keys.isEmpty()) {
            r.error("ERR The command has no key arguments");
            return;
        }
        r.array(keys.size());
        for (int k : keys) {
            r.bulk(sub.buf(), sub.off(k), sub.len(k));
        }
    }

    private void commandHelp(Client c, Args a, ReplySink r) {
        String[] lines = {
            "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "(no subcommand)", "    Return details about all Redis commands.",
            "COUNT", "    Return the total number of commands in this Redis server.",
            "LIST", "    Return a list of all commands in this Redis server.",
            "INFO [<command-name> ...]",
            "    Return details about multiple Redis commands.",
            "    If no command names are given, documentation details for all",
            "    commands are returned.",
            "DOCS [<command-name> ...]",
            "    Return documentation details about multiple Redis commands.",
            "    If no command names are given, documentation details for all",
            "    commands are returned.",
            "GETKEYS <full-command>", "    Return the keys from a full Redis command.",
            "HELP", "    Prints this help."};
        r.array(lines.length);
        for (String l : lines) {
            r.simple(l);
        }
    }

    // ---- SHUTDOWN, TIME, MONITOR ----

    /** SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT], as Redis 7.0's shutdownCommand. */
    private void shutdown(Client c, Args a, ReplySink r) {
        boolean nosave = false;
        boolean save = false;
        boolean force = false;
        boolean other = false;
        boolean abort = false;
        for (int i = 1; i < a.argc(); i++) {
            if (a.is(i, NOSAVE)) {
                nosave = true;
            } else if (a.is(i, SAVE)) {
                save = true;
            } else if (a.is(i, NOW)) {
                other = true;
            } else if (a.is(i, FORCE)) {
                force = true;
                other = true;
            } else if (a.is(i, ABORT)) {
                abort = true;
            } else {
                r.error(Errors.SYNTAX);
                return;
            }
        }
        if (abort && (nosave || save || other) || nosave && save) {
            r.error(Errors.SYNTAX);
            return;
        }
        if (abort) {
            r.error("ERR No shutdown in progress.");
            return;
        }
        boolean busy = engine.servingWhileBusy();
        if (busy && !nosave) {
            // a script is busy: only SHUTDOWN NOSAVE may end the server, which then never saves its partial effects
            r.error(engine.busyError());
            return;
        }
        boolean doSave = save || !nosave && engine.persistence.hasSavePoints();
        if (!engine.persistence.prepareForShutdown(doSave, force)) {
            r.error(Errors.SHUTDOWN_FAILED);
            return;
        }
        if (busy) {
            engine.halted = true; // the script stops at its next step and nothing it did reaches the AOF
        }
        engine.control().shutdown();
    }

    private void time(Client c, Args a, ReplySink r) {
        java.time.Instant now = java.time.Instant.now();
        r.array(2);
        r.bulk(Long.toString(now.getEpochSecond()));
        r.bulk(Long.toString(now.getNano() / 1000));
    }

    private void monitor(Client c, Args a, ReplySink r) {
        if (!engine.canBlock(c)) {
            r.error("ERR MONITOR isn't allowed for DENY BLOCKING client");
            return;
        }
        engine.addMonitor(c);
        r.ok();
    }
}
