package io.strata.engine.scripting;

import io.strata.engine.Client;
import io.strata.engine.Engine;
import io.strata.engine.Errors;
import io.strata.engine.command.Args;
import io.strata.engine.command.CommandSpec;
import io.strata.engine.command.CommandTable;
import io.strata.engine.command.KeySpec;
import io.strata.engine.command.ReplySink;
import io.strata.engine.commands.CommandGroup;
import io.strata.engine.util.Glob;
import io.strata.storage.StorageException;
import io.strata.storage.rdb.Dump;
import party.iroiro.luajava.Lua;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static io.strata.engine.command.CommandFlag.ALLOW_BUSY;
import static io.strata.engine.command.CommandFlag.DENYOOM;
import static io.strata.engine.command.CommandFlag.LOADING;
import static io.strata.engine.command.CommandFlag.MAY_REPLICATE;
import static io.strata.engine.command.CommandFlag.NOSCRIPT;
import static io.strata.engine.command.CommandFlag.READONLY;
import static io.strata.engine.command.CommandFlag.SKIP_MONITOR;
import static io.strata.engine.command.CommandFlag.STALE;
import static io.strata.engine.command.CommandFlag.WRITE;

/**
 * EVAL, EVALSHA, EVAL_RO, EVALSHA_RO, SCRIPT, FUNCTION, FCALL, FCALL_RO as Redis 7.0 has them. EVAL
 * scripts are cached by SHA1 in one Lua state, function libraries live in another; a script's
 * writes reach the AOF as the commands it ran, inside MULTI/EXEC (the dispatcher wraps the run as
 * it wraps EXEC, see {@link #isScriptRun}); FUNCTION LOAD/DELETE/FLUSH/RESTORE are recorded as
 * themselves; libraries are saved in RDB files as function records.
 *
 * <p>Thread rule: keyspace thread only, except {@link #killRequest} and {@link #busyFor}.
 */
public final class ScriptingCommands extends CommandGroup {
    /** One cached EVAL script. */
    private static final class Script {
        final int ref;
        final int flags;
        /** Length of the script's body, for INFO's used_memory_scripts_eval. */
        final int bodyLength;

        Script(int ref, int flags, int bodyLength) {
            this.ref = ref;
            this.flags = flags;
            this.bodyLength = bodyLength;
        }
    }

    /** One library loaded by FUNCTION LOAD. */
    private static final class Library {
        final String name;
        final byte[] code;
        final Map<String, Function> functions = new LinkedHashMap<>();
        /** The library's compiled main chunk. */
        int ref;

        Library(String name, byte[] code) {
            this.name = name;
            this.code = code;
        }
    }

    /** One registered function. */
    private static final class Function {
        final String name;
        final int ref;
        final int flags;
        final String description;
        final Library library;

        Function(String name, int ref, int flags, String description, Library library) {
            this.name = name;
            this.ref = ref;
            this.flags = flags;
            this.description = description;
            this.library = library;
        }
    }

    private LuaRuntime evalRt;
    private final Map<String, Script> scripts = new HashMap<>();
    private LuaRuntime fnRt;
    private final Map<String, Library> libraries = new LinkedHashMap<>();
    private final Map<String, Function> functions = new HashMap<>();
    /** The runtime of the running script or function, null when none runs (read by other threads). */
    private volatile LuaRuntime running;
    private volatile boolean runningIsFunction;
    /** The FCALL that runs the running function (FUNCTION STATS shows it); keyspace thread. */
    private Args runningCall;

    public ScriptingCommands(Engine engine) {
        super(engine);
        engine.attach(ScriptingCommands.class, this);
    }

    public static ScriptingCommands of(Engine e) {
        return (ScriptingCommands) e.attachment(ScriptingCommands.class);
    }

    private LuaRuntime evalRuntime() {
        if (evalRt == null) {
            evalRt = new LuaRuntime(engine); // created on first use: a server without scripts loads no natives
            evalRt.installDebugApi();
        }
        return evalRt;
    }

    private LuaRuntime fnRuntime() {
        if (fnRt == null) {
            fnRt = new LuaRuntime(engine);
        }
        return fnRt;
    }

    // ---- INFO memory: Redis 7.0's figures, from our own structures ----

    /** Per cached script beyond its body: the SHA1 key (40 chars), the map node and the Script object. */
    private static final int SCRIPT_OVERHEAD = 40 + 48 + 32 + 24;
    /** Per function beyond its name and description: map nodes in both maps and the Function object. */
    private static final int FUNCTION_OVERHEAD = 2 * 48 + 40;
    /** Per library beyond its code and name: the map node, the Library object and its functions map. */
    private static final int LIBRARY_OVERHEAD = 48 + 32 + 64;

    /** used_memory_vm_eval: the EVAL Lua state's heap (lua_gc LUA_GCCOUNT in whole KB × 1024), 0 before one exists. */
    public long evalVmMemory() {
        return evalRt == null ? 0 : evalRt.memoryBytes();
    }

    /** used_memory_scripts_eval: the script cache's bodies, keys and entries. */
    public long evalScriptsMemory() {
        long n = 0;
        for (Script s : scripts.values()) {
            n += s.bodyLength + SCRIPT_OVERHEAD;
        }
        return n;
    }

    /** number_of_cached_scripts. */
    public int cachedScripts() {
        return scripts.size();
    }

    /** used_memory_vm_functions: the function libraries' Lua state heap, 0 before one exists. */
    public long functionsVmMemory() {
        return fnRt == null ? 0 : fnRt.memoryBytes();
    }

    /** used_memory_functions: the libraries' code, names and descriptions and their entries. */
    public long functionsMemory() {
        long n = 0;
        for (Library lib : libraries.values()) {
            n += lib.code.length + lib.name.length() + LIBRARY_OVERHEAD;
            for (Function f : lib.functions.values()) {
                n += f.name.length() + (f.description == null ? 0 : f.description.length()) + FUNCTION_OVERHEAD;
            }
        }
        return n;
    }

    /** number_of_functions. */
    public int functionCount() {
        return functions.size();
    }

    /** number_of_libraries. */
    public int libraryCount() {
        return libraries.size();
    }

    /** Commands whose run the AOF wraps in MULTI/EXEC as one transaction of the writes they did. */
    public static boolean isScriptRun(CommandSpec spec) {
        switch (spec.name) {
            case "eval": case "evalsha": case "eval_ro": case "evalsha_ro": case "fcall": case "fcall_ro":
                return true;
            default:
                return false;
        }
    }

    private static final KeySpec NUMKEYS = a -> {
        List<Integer> out = new ArrayList<>();
        if (a.argc() < 3 || !a.isLong(2)) {
            return out;
        }
        long n = a.longAt(2);
        for (int i = 0; i < n && 3 + i < a.argc(); i++) {
            out.add(3 + i);
        }
        return out;
    };

    @Override
    public void register(CommandTable t) {
        String g = "scripting";
        t.add(cmd("eval", -3, (c, a, r) -> eval(c, a, r, false, false))
            .flags(NOSCRIPT, SKIP_MONITOR, MAY_REPLICATE, STALE).movableKeys(NUMKEYS)
            .doc(g, "2.6.0", "Executes a server-side Lua script."));
        t.add(cmd("evalsha", -3, (c, a, r) -> eval(c, a, r, true, false))
            .flags(NOSCRIPT, SKIP_MONITOR, MAY_REPLICATE, STALE).movableKeys(NUMKEYS)
            .doc(g, "2.6.0", "Executes a server-side Lua script by SHA1 digest."));
        t.add(cmd("eval_ro", -3, (c, a, r) -> eval(c, a, r, false, true))
            .flags(NOSCRIPT, SKIP_MONITOR, STALE, READONLY).movableKeys(NUMKEYS)
            .doc(g, "7.0.0", "Executes a read-only server-side Lua script."));
        t.add(cmd("evalsha_ro", -3, (c, a, r) -> eval(c, a, r, true, true))
            .flags(NOSCRIPT, SKIP_MONITOR, STALE, READONLY).movableKeys(NUMKEYS)
            .doc(g, "7.0.0", "Executes a read-only server-side Lua script by SHA1 digest."));
        t.add(cmd("fcall", -3, (c, a, r) -> fcall(c, a, r, false))
            .flags(NOSCRIPT, SKIP_MONITOR, MAY_REPLICATE, STALE).movableKeys(NUMKEYS)
            .doc(g, "7.0.0", "Invokes a function."));
        t.add(cmd("fcall_ro", -3, (c, a, r) -> fcall(c, a, r, true))
            .flags(NOSCRIPT, SKIP_MONITOR, STALE, READONLY).movableKeys(NUMKEYS)
            .doc(g, "7.0.0", "Invokes a read-only function."));
        t.add(container("script").doc(g, "2.6.0", "A container for Lua scripts management commands.")
            .sub(cmd("load", 3, this::scriptLoad).flags(NOSCRIPT, STALE).doc(g, "2.6.0", "Loads a server-side Lua script to the script cache."))
            .sub(cmd("exists", -3, this::scriptExists).flags(NOSCRIPT).doc(g, "2.6.0", "Determines whether server-side Lua scripts exist in the script cache."))
            .sub(cmd("flush", -2, this::scriptFlush).flags(NOSCRIPT).doc(g, "2.6.0", "Removes all server-side Lua scripts from the script cache."))
            .sub(cmd("kill", 2, (c, a, r) -> kill(r, false)).flags(NOSCRIPT, ALLOW_BUSY).doc(g, "2.6.0", "Terminates a server-side Lua script during execution."))
            .sub(cmd("debug", 3, this::scriptDebug).flags(NOSCRIPT).doc(g, "3.2.0", "Sets the debug mode of server-side Lua scripts."))
            .sub(cmd("help", 2, (c, a, r) -> help(r, SCRIPT_HELP)).flags(LOADING, STALE).doc(g, "5.0.0", "Returns helpful text about the different subcommands.")));
        t.add(container("function").doc(g, "7.0.0", "A container for function commands.")
            .sub(cmd("load", -3, this::functionLoad).flags(WRITE, DENYOOM, NOSCRIPT).doc(g, "7.0.0", "Creates a library."))
            .sub(cmd("delete", 3, this::functionDelete).flags(WRITE, NOSCRIPT).doc(g, "7.0.0", "Deletes a library and its functions."))
            .sub(cmd("flush", -2, this::functionFlush).flags(WRITE, NOSCRIPT).doc(g, "7.0.0", "Deletes all libraries and functions."))
            .sub(cmd("list", -2, this::functionList).flags(NOSCRIPT).doc(g, "7.0.0", "Returns information about all libraries."))
            .sub(cmd("stats", 2, this::functionStats).flags(NOSCRIPT, ALLOW_BUSY).doc(g, "7.0.0", "Returns information about a function during execution."))
            .sub(cmd("dump", 2, this::functionDump).flags(NOSCRIPT).doc(g, "7.0.0", "Dumps all libraries into a serialized binary payload."))
            .sub(cmd("restore", -3, this::functionRestore).flags(WRITE, DENYOOM, NOSCRIPT).doc(g, "7.0.0", "Restores all libraries from a payload."))
            .sub(cmd("kill", 2, (c, a, r) -> kill(r, true)).flags(NOSCRIPT, ALLOW_BUSY).doc(g, "7.0.0", "Terminates a function during execution."))
            .sub(cmd("help", 2, (c, a, r) -> help(r, FUNCTION_HELP)).flags(LOADING, STALE).doc(g, "7.0.0", "Returns helpful text about the different subcommands.")));
    }

    private static void help(ReplySink r, String[] lines) {
        r.array(lines.length);
        for (String l : lines) {
            r.simple(l);
        }
    }

    // ---- EVAL ----

    /** numkeys of EVAL/FCALL; -1 after replying the error. */
    private static int numkeysOrReply(Args a, ReplySink r) {
        if (!a.isLong(2)) {
            r.error(Errors.NOT_INTEGER);
            return -1;
        }
        long n = a.longAt(2);
        if (n < 0) {
            r.error("ERR Number of keys can't be negative");
            return -1;
        }
        if (n > a.argc() - 3) {
            r.error("ERR Number of keys can't be greater than number of args");
            return -1;
        }
        return (int) n;
    }

    private void eval(Client c, Args a, ReplySink r, boolean bySha, boolean readOnly) {
        if (c.scriptDebug != 0) {
            if (bySha) {
                r.error(a.len(1) != 40 ? "NOSCRIPT No matching script. Please use EVAL."
                    : "ERR Please use EVAL instead of EVALSHA for debugging");
                return;
            }
            evalWithDebugging(c, a, r, readOnly);
            return;
        }
        evalGeneric(c, a, r, bySha, readOnly);
    }

    /**
     * evalGenericCommandWithDebugging: the script runs under the debugger, which talks to the client
     * directly (see {@link Ldb}); then "&lt;endsession&gt;", the script's reply, and the connection is
     * closed. A YES session's changes are rolled back at its end.
     */
    private void evalWithDebugging(Client c, Args a, ReplySink r, boolean readOnly) {
        io.strata.engine.DebugLine line = c.channel.debugLine();
        if (line == null) {
            r.error("ERR SCRIPT DEBUG is not available on this connection");
            return;
        }
        boolean sync = c.scriptDebug == Client.SCRIPT_DEBUG_SYNC;
        c.channel.flush(); // what was answered before goes out ahead of the session
        line.begin();
        LuaRuntime rt = evalRuntime();
        Ldb d = new Ldb(rt, line, sync, a.bytes(1));
        rt.ldbBegin(d);
        try {
            evalGeneric(c, a, r, false, readOnly);
        } finally {
            rt.ldbEnd();
            d.endSession();
            if (!sync) {
                d.rollBack(engine);
            }
            c.scriptDebug = 0;
            c.closeAfterReply = true;
            line.end();
        }
    }

    private void scriptDebug(Client c, Args a, ReplySink r) {
        if (c.inMulti || engine.inExec || c.channel.outputBufferLength() > 0) {
            // as redis-server 7.0's clientHasPendingReplies check: refused behind replies not yet
            // sent (a pipeline), and so by EXEC too (queued in MULTI, its replies are pending then)
            r.error("ERR SCRIPT DEBUG must be called outside a pipeline");
            return;
        }
        String mode = a.str(2).toLowerCase(Locale.ROOT);
        switch (mode) {
            case "no":
                c.scriptDebug = 0;
                r.ok();
                return;
            case "yes":
                c.scriptDebug = Client.SCRIPT_DEBUG_YES;
                r.ok();
                return;
            case "sync":
                c.scriptDebug = Client.SCRIPT_DEBUG_SYNC;
                r.ok();
                return;
            default:
                r.error("ERR Use SCRIPT DEBUG YES/SYNC/NO");
        }
    }

    private void evalGeneric(Client c, Args a, ReplySink r, boolean bySha, boolean readOnly) {
        int numkeys = numkeysOrReply(a, r);
        if (numkeys < 0) {
            return;
        }
        String sha;
        Script s;
        if (bySha) {
            sha = a.str(1).toLowerCase(Locale.ROOT);
            s = scripts.get(sha);
            if (s == null) {
                r.error("NOSCRIPT No matching script. Please use EVAL.");
                return;
            }
        } else {
            byte[] body = a.bytes(1);
            sha = LuaRuntime.sha1(body);
            s = scripts.get(sha);
            if (s == null) {
                s = compileOrReply(body, r);
                if (s == null) {
                    return;
                }
                scripts.put(sha, s);
            }
        }
        if (!mayRunOrReply(s.flags, readOnly, r)) {
            return;
        }
        LuaRuntime rt = evalRuntime();
        running = rt;
        runningIsFunction = false;
        try {
            rt.run(c, r, s.ref, sha, s.flags, readOnly, false, a, 3, numkeys);
        } finally {
            running = null;
        }
    }

    /** The checks Redis makes before a script with flags runs (scriptPrepareForRun). */
    private boolean mayRunOrReply(int flags, boolean readOnly, ReplySink r) {
        if ((flags & LuaRuntime.FLAG_EVAL_COMPAT) != 0) {
            return true;
        }
        boolean mayWrite = (flags & LuaRuntime.FLAG_NO_WRITES) == 0;
        if (readOnly && mayWrite) {
            r.error("ERR Can not execute a script with write flag using *_ro command.");
            return false;
        }
        if (mayWrite && (flags & LuaRuntime.FLAG_ALLOW_OOM) == 0 && engine.config.maxmemory > 0
            && !engine.eviction.performEvictions()) {
            r.error(Errors.OOM);
            return false;
        }
        if (mayWrite) {
            String disk = engine.persistence.diskErrorForWrites();
            if (disk != null) {
                r.error(disk);
                return false;
            }
        }
        return true;
    }

    private Script compileOrReply(byte[] body, ReplySink r) {
        int flags = LuaRuntime.FLAG_EVAL_COMPAT;
        int skip = 0;
        if (body.length >= 2 && body[0] == '#' && body[1] == '!') {
            int nl = indexOf(body, (byte) '\n');
            int end = nl < 0 ? body.length : nl;
            String shebang = new String(body, 0, end, StandardCharsets.UTF_8);
            String[] parts = shebang.split(" +");
            if (!parts[0].equals("#!lua")) {
                r.error("ERR Unexpected engine in script shebang: " + parts[0]);
                return null;
            }
            flags = 0;
            for (int i = 1; i < parts.length; i++) {
                if (!parts[i].startsWith("flags=")) {
                    r.error("ERR Unknown lua shebang option: " + parts[i]);
                    return null;
                }
                for (String f : parts[i].substring(6).split(",")) {
                    int bit = flagBit(f);
                    if (bit < 0) {
                        r.error("ERR Unexpected flag in script shebang: " + f);
                        return null;
                    }
                    flags |= bit;
                }
            }
            skip = end; // the newline stays, so line numbers stay those of the script
        }
        try {
            return new Script(evalRuntime().compile(body, skip, "user_script"), flags, body.length);
        } catch (LuaRuntime.CompileError e) {
            r.error("ERR Error compiling script (new function): " + e.getMessage());
            return null;
        }
    }

    private static int indexOf(byte[] b, byte x) {
        for (int i = 0; i < b.length; i++) {
            if (b[i] == x) {
                return i;
            }
        }
        return -1;
    }

    private static int flagBit(String f) {
        switch (f) {
            case "no-writes": return LuaRuntime.FLAG_NO_WRITES;
            case "allow-oom": return LuaRuntime.FLAG_ALLOW_OOM;
            case "allow-stale": return LuaRuntime.FLAG_ALLOW_STALE;
            case "no-cluster": return LuaRuntime.FLAG_NO_CLUSTER;
            case "allow-cross-slot-keys": return LuaRuntime.FLAG_ALLOW_CROSS_SLOT;
            case "": return 0;
            default: return -1;
        }
    }

    private static String flagName(int bit) {
        switch (bit) {
            case LuaRuntime.FLAG_NO_WRITES: return "no-writes";
            case LuaRuntime.FLAG_ALLOW_OOM: return "allow-oom";
            case LuaRuntime.FLAG_ALLOW_STALE: return "allow-stale";
            case LuaRuntime.FLAG_NO_CLUSTER: return "no-cluster";
            default: return "allow-cross-slot-keys";
        }
    }

    // ---- SCRIPT ----

    private void scriptLoad(Client c, Args a, ReplySink r) {
        byte[] body = a.bytes(2);
        String sha = LuaRuntime.sha1(body);
        if (!scripts.containsKey(sha)) {
            Script s = compileOrReply(body, r);
            if (s == null) {
                return;
            }
            scripts.put(sha, s);
        }
        r.bulk(sha);
    }

    private void scriptExists(Client c, Args a, ReplySink r) {
        r.array(a.argc() - 2);
        for (int i = 2; i < a.argc(); i++) {
            r.integer(scripts.containsKey(a.str(i).toLowerCase(Locale.ROOT)) ? 1 : 0);
        }
    }

    private void scriptFlush(Client c, Args a, ReplySink r) {
        if (!flushModeOrReply(a, r, "ERR SCRIPT FLUSH only support SYNC|ASYNC option")) {
            return;
        }
        scripts.clear();
        if (evalRt != null) {
            evalRt.close(); // a new state, as Redis: globals and compiled chunks all go
            evalRt = null;
        }
        r.ok();
    }

    private static boolean flushModeOrReply(Args a, ReplySink r, String error) {
        if (a.argc() > 3 || (a.argc() == 3 && !a.str(2).equalsIgnoreCase("sync") && !a.str(2).equalsIgnoreCase("async"))) {
            r.error(error);
            return false;
        }
        return true;
    }

    /** SCRIPT KILL / FUNCTION KILL, run on the keyspace thread when no script runs. */
    private void kill(ReplySink r, boolean function) {
        String err = killRequest(function);
        if (err == null) {
            r.ok();
        } else {
            r.error(err);
        }
    }

    /**
     * Asks the running script to stop; returns null when asked, else the error to reply. Any thread
     * (the server answers SCRIPT KILL while the keyspace thread runs the script).
     */
    public String killRequest(boolean function) {
        LuaRuntime rt = running;
        if (rt == null || !rt.running()) {
            return "NOTBUSY No scripts in execution right now.";
        }
        if (rt.wroteSomething()) {
            return "UNKILLABLE Sorry the script already executed write commands against the dataset. You can either "
                + "wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.";
        }
        if (function != runningIsFunction) {
            // as Redis' scriptKill: SCRIPT KILL does not stop a function, nor FUNCTION KILL an EVAL script
            return function ? "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE."
                : "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.";
        }
        rt.kill();
        return null;
    }

    /** True when the running script was asked to stop and ends at its next step. Any thread. */
    public boolean killRequested() {
        LuaRuntime rt = running;
        return rt != null && rt.killRequested();
    }

    /**
     * The BUSY error for other clients when a script has run longer than {@code busy-reply-threshold},
     * else null. Any thread.
     */
    public String busyFor() {
        LuaRuntime rt = running;
        if (rt == null || rt.runningForMs() <= engine.config.luaTimeLimit || rt.debugging()) {
            return null; // a debugged script blocks the server as Redis' SYNC session does: no BUSY
        }
        return runningIsFunction
            ? "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE."
            : "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.";
    }

    // ---- FUNCTION ----

    private void fcall(Client c, Args a, ReplySink r, boolean readOnly) {
        int numkeys = numkeysOrReply(a, r);
        if (numkeys < 0) {
            return;
        }
        Function f = functions.get(a.str(1));
        if (f == null) {
            r.error("ERR Function not found");
            return;
        }
        if (!mayRunOrReply(f.flags, readOnly, r)) {
            return;
        }
        LuaRuntime rt = fnRuntime();
        running = rt;
        runningIsFunction = true;
        runningCall = a;
        try {
            rt.run(c, r, f.ref, f.name, f.flags, readOnly, true, a, 3, numkeys);
        } finally {
            running = null;
            runningCall = null;
        }
    }

    private void functionLoad(Client c, Args a, ReplySink r) {
        boolean replace = false;
        int i = 2;
        if (a.argc() == 4) {
            if (!a.str(2).equalsIgnoreCase("replace")) {
                r.error("ERR Unknown option given: " + a.str(2));
                return;
            }
            replace = true;
            i = 3;
        } else if (a.argc() > 4) {
            r.error(Errors.SYNTAX);
            return;
        }
        String err = loadLibrary(a.bytes(i), replace);
        if (err != null) {
            r.error(err);
            return;
        }
        ks.dirty++;
        r.bulk(lastLoaded);
    }

    private String lastLoaded;

    /**
     * Loads one library from its code (FUNCTION LOAD, RESTORE, RDB and AOF loading); returns null
     * or the error text.
     */
    public String loadLibrary(byte[] code, boolean replace) {
        if (code.length < 2 || code[0] != '#' || code[1] != '!') {
            return "ERR Missing library metadata";
        }
        int nl = indexOf(code, (byte) '\n');
        int end = nl < 0 ? code.length : nl;
        String[] parts = new String(code, 2, end - 2, StandardCharsets.UTF_8).split(" +");
        if (!parts[0].equalsIgnoreCase("lua")) {
            return "ERR Engine '" + parts[0] + "' not found";
        }
        String name = null;
        for (int p = 1; p < parts.length; p++) {
            if (parts[p].startsWith("name=")) {
                name = parts[p].substring(5);
            } else {
                return "ERR Invalid metadata value given: " + parts[p];
            }
        }
        if (name == null) {
            return "ERR Library name was not given";
        }
        if (!validName(name)) {
            return "ERR " + NAME_RULE;
        }
        Library old = libraries.get(name);
        if (old != null && !replace) {
            return "ERR Library '" + name + "' already exists";
        }
        LuaRuntime rt = fnRuntime();
        Library lib = new Library(name, code);
        try {
            lib.ref = rt.compile(code, end, "user_function");
        } catch (LuaRuntime.CompileError e) {
            return "ERR Error compiling function: " + e.getMessage();
        }
        String runErr = rt.runLibrary(lib.ref, l -> register(rt, l, lib));
        if (runErr != null) {
            drop(rt, lib);
            return "ERR Error registering functions: " + runErr;
        }
        if (lib.functions.isEmpty()) {
            drop(rt, lib);
            return "ERR No functions registered";
        }
        for (Function f : lib.functions.values()) {
            Function other = functions.get(f.name);
            if (other != null && other.library != old) {
                drop(rt, lib);
                return "ERR Function " + f.name + " already exists";
            }
        }
        if (old != null) {
            removeLibrary(old);
        }
        libraries.put(name, lib);
        for (Function f : lib.functions.values()) {
            functions.put(f.name, f);
        }
        lastLoaded = name;
        return null;
    }

    private static final String NAME_RULE =
        "Library names can only contain letters, numbers, or underscores(_) and must be at least one character long";

    private static boolean validName(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (!(ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || ch == '_')) {
                return false;
            }
        }
        return true;
    }

    /** redis.register_function(name, callback) or redis.register_function{...}. */
    private static String register(LuaRuntime rt, Lua l, Library lib) {
        String name;
        int flags = 0;
        String desc = null;
        if (l.getTop() == 2) {
            if (!l.isString(1)) {
                return "first argument to redis.register_function must be a string";
            }
            if (!l.isFunction(2)) {
                return "second argument to redis.register_function must be a function";
            }
            name = rt.str(1);
            l.pushValue(2);
        } else if (l.getTop() == 1 && l.isTable(1)) {
            name = null;
            boolean haveCallback = false;
            l.pushNil();
            while (l.next(1) != 0) {
                String key = l.isString(-2) ? rt.str(-2) : "";
                switch (key) {
                    case "function_name":
                        if (!l.isString(-1)) {
                            return "function_name argument given to redis.register_function must be a string";
                        }
                        name = rt.str(-1);
                        break;
                    case "description":
                        if (!l.isString(-1)) {
                            return "description argument given to redis.register_function must be a string";
                        }
                        desc = rt.str(-1);
                        break;
                    case "callback":
                        if (!l.isFunction(-1)) {
                            return "callback argument given to redis.register_function must be a function";
                        }
                        haveCallback = true;
                        break;
                    case "flags":
                        if (!l.isTable(-1)) {
                            return "flags argument to redis.register_function must be a table representing function flags";
                        }
                        int ft = l.getTop();
                        for (int j = 1; ; j++) {
                            l.rawGetI(ft, j);
                            if (l.isNil(-1)) {
                                l.pop(1);
                                break;
                            }
                            int bit = l.isString(-1) ? flagBit(rt.str(-1)) : -1;
                            l.pop(1);
                            if (bit <= 0) {
                                return "unknown flag given";
                            }
                            flags |= bit;
                        }
                        break;
                    default:
                        return "unknown argument given to redis.register_function";
                }
                l.pop(1);
            }
            if (name == null) {
                return "redis.register_function must get a function name argument";
            }
            if (!haveCallback) {
                return "redis.register_function must get a callback argument";
            }
            l.getField(1, "callback");
        } else {
            return "wrong number of arguments to redis.register_function";
        }
        if (!validName(name)) {
            return NAME_RULE;
        }
        if (lib.functions.containsKey(name)) {
            return "Function already exists in the library";
        }
        int ref = l.ref();
        lib.functions.put(name, new Function(name, ref, flags, desc, lib));
        return null;
    }

    private static void drop(LuaRuntime rt, Library lib) {
        for (Function f : lib.functions.values()) {
            rt.unref(f.ref);
        }
        rt.unref(lib.ref);
    }

    private void removeLibrary(Library lib) {
        libraries.remove(lib.name);
        for (Function f : lib.functions.values()) {
            functions.remove(f.name);
        }
        drop(fnRt, lib);
    }

    private void functionDelete(Client c, Args a, ReplySink r) {
        Library lib = libraries.get(a.str(2));
        if (lib == null) {
            r.error("ERR Library not found");
            return;
        }
        removeLibrary(lib);
        ks.dirty++;
        r.ok();
    }

    private void functionFlush(Client c, Args a, ReplySink r) {
        if (!flushModeOrReply(a, r, "ERR FUNCTION FLUSH only supports SYNC|ASYNC option")) {
            return;
        }
        flushFunctions();
        ks.dirty++;
        r.ok();
    }

    /** Drops every library (FUNCTION FLUSH, FUNCTION RESTORE FLUSH, FLUSHALL does not). */
    public void flushFunctions() {
        libraries.clear();
        functions.clear();
        if (fnRt != null) {
            fnRt.close();
            fnRt = null;
        }
    }

    private void functionList(Client c, Args a, ReplySink r) {
        boolean withCode = false;
        String pattern = null;
        for (int i = 2; i < a.argc(); i++) {
            String opt = a.str(i);
            if (opt.equalsIgnoreCase("withcode")) {
                withCode = true;
            } else if (opt.equalsIgnoreCase("libraryname")) {
                if (i + 1 >= a.argc()) {
                    r.error("ERR library name argument was not given");
                    return;
                }
                pattern = a.str(++i);
            } else {
                r.error("ERR Unknown argument " + opt);
                return;
            }
        }
        List<Library> out = new ArrayList<>();
        for (Library lib : libraries.values()) {
            if (pattern == null || Glob.match(pattern, lib.name, false)) {
                out.add(lib);
            }
        }
        r.array(out.size());
        for (Library lib : out) {
            r.map(withCode ? 4 : 3);
            r.bulk("library_name");
            r.bulk(lib.name);
            r.bulk("engine");
            r.bulk("LUA");
            r.bulk("functions");
            r.array(lib.functions.size());
            for (Function f : lib.functions.values()) {
                r.map(3);
                r.bulk("name");
                r.bulk(f.name);
                r.bulk("description");
                if (f.description == null) {
                    r.nullBulk();
                } else {
                    r.bulk(f.description);
                }
                r.bulk("flags");
                r.set(Integer.bitCount(f.flags));
                for (int bit = 1; bit <= LuaRuntime.FLAG_ALLOW_CROSS_SLOT; bit <<= 1) {
                    if ((f.flags & bit) != 0) {
                        r.simple(flagName(bit));
                    }
                }
            }
            if (withCode) {
                r.bulk("library_code");
                r.bulk(lib.code);
            }
        }
    }

    /**
     * FUNCTION STATS, as Redis 7.0's functionStatsCommand: the running function with the command
     * that called it (answered between two steps of a busy function too); -BUSY while an EVAL
     * script runs.
     */
    private void functionStats(Client c, Args a, ReplySink r) {
        LuaRuntime rt = running;
        if (rt != null && rt.running() && !runningIsFunction) {
            r.error("BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.");
            return;
        }
        r.map(2);
        r.bulk("running_script");
        Args call = runningCall;
        if (rt != null && runningIsFunction && call != null) {
            r.map(3);
            r.bulk("name");
            r.bulk(rt.runningName());
            r.bulk("command");
            r.array(call.argc());
            for (int i = 0; i < call.argc(); i++) {
                r.bulk(call.buf(), call.off(i), call.len(i));
            }
            r.bulk("duration_ms");
            r.integer(rt.runningForMs());
        } else {
            r.nullBulk();
        }
        r.bulk("engines");
        r.map(1);
        r.bulk("LUA");
        r.map(2);
        r.bulk("libraries_count");
        r.integer(libraries.size());
        r.bulk("functions_count");
        r.integer(functions.size());
    }

    /** Every library's code, in load order (RDB save, FUNCTION DUMP). */
    public List<byte[]> libraryCodes() {
        List<byte[]> out = new ArrayList<>();
        for (Library lib : libraries.values()) {
            out.add(lib.code);
        }
        return out;
    }

    private void functionDump(Client c, Args a, ReplySink r) {
        r.bulk(Dump.serializeFunctions(libraryCodes()));
    }

    private void functionRestore(Client c, Args a, ReplySink r) {
        String policy = a.argc() > 3 ? a.str(3).toUpperCase(Locale.ROOT) : "APPEND";
        if (a.argc() > 4 || !(policy.equals("APPEND") || policy.equals("FLUSH") || policy.equals("REPLACE"))) {
            r.error("ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.");
            return;
        }
        List<byte[]> codes;
        try {
            codes = Dump.deserializeFunctions(a.bytes(2));
        } catch (StorageException e) {
            r.error("ERR DUMP payload version or checksum are wrong");
            return;
        }
        if (policy.equals("APPEND")) {
            // all or nothing: refuse before loading anything when a library already exists
            for (byte[] code : codes) {
                String name = libraryName(code);
                if (name != null && libraries.containsKey(name)) {
                    r.error("ERR Library '" + name + "' already exists");
                    return;
                }
            }
        }
        if (policy.equals("FLUSH")) {
            flushFunctions();
        }
        for (byte[] code : codes) {
            String err = loadLibrary(code, policy.equals("REPLACE"));
            if (err != null) {
                r.error(err);
                return;
            }
        }
        ks.dirty++;
        r.ok();
    }

    private static String libraryName(byte[] code) {
        int nl = indexOf(code, (byte) '\n');
        String first = new String(code, 0, nl < 0 ? code.length : nl, StandardCharsets.UTF_8);
        for (String p : first.split(" +")) {
            if (p.startsWith("name=")) {
                return p.substring(5);
            }
        }
        return null;
    }

    private static final String[] FUNCTION_HELP = {
        "FUNCTION <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "LOAD [REPLACE] <FUNCTION CODE>",
        "    Create a new library with the given library name and code.",
        "DELETE <LIBRARY NAME>",
        "    Delete the given library.",
        "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
        "    Return general information on all the libraries:",
        "    * Library name",
        "    * The engine used to run the Library",
        "    * Library description",
        "    * Functions list",
        "    * Library code (if WITHCODE is given)",
        "    It also possible to get only function that matches a pattern using LIBRARYNAME argument.",
        "STATS",
        "    Return information about the current function running:",
        "    * Function name",
        "    * Command used to run the function",
        "    * Duration in MS that the function is running",
        "    If no function is running, return nil",
        "    In addition, returns a list of available engines.",
        "KILL",
        "    Kill the current running function.",
        "FLUSH [ASYNC|SYNC]",
        "    Delete all the libraries.",
        "    When called without the optional mode argument, the behavior is determined by the",
        "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
        "    * ASYNC: Asynchronously flush the libraries.",
        "    * SYNC: Synchronously flush the libraries.",
        "DUMP",
        "    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command",
        "RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
        "    Restore the libraries represented by the given payload, it is possible to give a restore policy to",
        "    control how to handle existing libraries (default APPEND):",
        "    * FLUSH: delete all existing libraries.",
        "    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.",
        "    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old",
        "      libraries with the new libraries (notice that even on this option there is a chance of failure",
        "      in case of functions name collision with another library).",
        "HELP",
        "    Prints this help."
    };

    private static final String[] SCRIPT_HELP = {
        "SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "DEBUG (YES|SYNC|NO)",
        "    Set the debug mode for subsequent scripts executed.",
        "EXISTS <sha1> [<sha1> ...]",
        "    Return information about the existence of the scripts in the script cache.",
        "FLUSH [ASYNC|SYNC]",
        "    Flush the Lua scripts cache. Very dangerous on replicas.",
        "    When called without the optional mode argument, the behavior is determined by the",
        "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
        "    * ASYNC: Asynchronously flush the scripts cache.",
        "    * SYNC: Synchronously flush the scripts cache.",
        "KILL",
        "    Kill the currently executing Lua script.",
        "LOAD <script>",
        "    Load a script into the scripts cache without executing it.",
        "HELP",
        "    Prints this help."
    };
}
