package io.strata.engine.scripting;

import io.strata.engine.Client;
import io.strata.engine.ClientChannel;
import io.strata.engine.Engine;
import io.strata.engine.Errors;
import io.strata.engine.command.Args;
import io.strata.engine.command.CommandFlag;
import io.strata.engine.command.CommandSpec;
import io.strata.engine.command.ReplySink;
import io.strata.engine.util.Numbers;
import party.iroiro.luajava.JFunction;
import party.iroiro.luajava.Lua;
import party.iroiro.luajava.LuaException;
import party.iroiro.luajava.lua51.Lua51;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * One Lua 5.1 interpreter with Redis' scripting environment: the {@code redis} table (call, pcall,
 * error_reply, status_reply, sha1hex, log, setresp, register_function while a library loads), the
 * bundled libraries, the read-only global table and the error handler that gives errors their
 * {@code script: …, on @user_script:N.} suffix. EVAL scripts and function libraries each get one
 * (Redis keeps them apart too, so FUNCTION FLUSH does not drop the script cache and vice versa).
 *
 * <p>Thread rule: keyspace thread only, except {@link #kill()} and {@link #running()}, which any
 * thread may call (they touch only volatile fields).
 *
 * <p>Strings cross JNI as Java strings, which the binding encodes as modified UTF-8. Redis values are
 * bytes, so a value that is not plain ASCII is pushed as a Latin-1 string (one char per byte) and
 * turned back into those bytes by one {@code gsub} in Lua; values come back by copying the Lua
 * string's own bytes ({@code toDirectBuffer}), never through a Java string.
 */
public final class LuaRuntime implements AutoCloseable {
    /** What a script may do, from its shebang flags and the command that runs it. */
    public static final int FLAG_NO_WRITES = 1;
    public static final int FLAG_ALLOW_OOM = 2;
    public static final int FLAG_ALLOW_STALE = 4;
    public static final int FLAG_NO_CLUSTER = 8;
    public static final int FLAG_ALLOW_CROSS_SLOT = 16;
    /** A script without a shebang: Redis 6 semantics (may write, no flags checked up front). */
    public static final int FLAG_EVAL_COMPAT = 32;

    private static final String SANDBOX = """
        local real, jcall, jpcall, jlog, jsetresp, jsha1, jregister, jcheck, jerr_reply, jstatus_reply, jldb, jbreakpoint, jdebug = ...
        local dbg = debug
        local setmt, getmt, rawget, rawset, type, tostring, error, xpcall, setfenv = setmetatable, getmetatable, rawget, rawset, type, tostring, error, xpcall, setfenv
        local function readonly() error('Attempt to modify a readonly table', 2) end
        local function protect(t)
          local p = {}
          setmt(p, {__index = t, __newindex = readonly, __metatable = false})
          return p
        end
        local redis = {
          call = jcall, pcall = jpcall, log = jlog, setresp = jsetresp, sha1hex = jsha1,
          error_reply = jerr_reply, status_reply = jstatus_reply,
          LOG_DEBUG = 0, LOG_VERBOSE = 1, LOG_NOTICE = 2, LOG_WARNING = 3,
          REDIS_VERSION = REDIS_VERSION_TEXT, REDIS_VERSION_NUM = REDIS_VERSION_NUMBER,
        }
        real.redis = redis
        for _, name in ipairs({'os', 'io', 'package', 'require', 'module', 'loadfile', 'dofile', 'java', 'newproxy', 'gcinfo', 'print'}) do
          real[name] = nil
        end
        -- binary-safe strings from Java: modified UTF-8 of Latin-1 chars back to the original bytes
        local decode = {}
        decode['\\192\\128'] = '\\0'
        for b = 128, 191 do decode['\\194' .. string.char(b)] = string.char(b) end
        for b = 128, 191 do decode['\\195' .. string.char(b)] = string.char(b + 64) end
        local gsub = string.gsub
        local function frombytes(s) return (gsub(s, '[\\192\\194\\195][\\128-\\191]', decode)) end
        -- Redis' __redis__err__handler: errors become {err=..., source=..., line=...}
        local function handler(err)
          local lvl = 2
          local i = dbg.getinfo(lvl, 'nSl')
          while i and (i.what == 'C' or i.source == '=strata') do
            lvl = lvl + 1
            i = dbg.getinfo(lvl, 'nSl')
          end
          if type(err) ~= 'table' then
            err = {err = 'ERR ' .. tostring(err)}
          end
          if i then
            err.source = i.source
            err.line = i.currentline
          end
          return err
        end
        local G = {}
        for _, lib in ipairs({'string', 'table', 'math', 'coroutine', 'debug', 'redis', 'bit', 'cjson', 'struct', 'cmsgpack'}) do
          if real[lib] ~= nil then real[lib] = protect(real[lib]) end
        end
        real._G = G
        setmt(G, {
          __index = function(_, k)
            local v = rawget(real, k)
            if v == nil then
              error("Script attempted to access nonexistent global variable '" .. tostring(k) .. "'", 2)
            end
            return v
          end,
          __newindex = readonly,
          __metatable = false,
        })
        local function prepare(f) setfenv(f, G) return f end
        local function run(f, keys, args)
          if keys then
            return xpcall(function() return f(keys, args) end, handler)
          end
          return xpcall(f, handler)
        end
        local function setkeys(keys, args) rawset(real, 'KEYS', keys) rawset(real, 'ARGV', args) end
        -- library loading: while a library's code runs, 'redis' is the load-time API (register_function,
        -- log, no call); its functions, run later, see the full one (Redis swaps the globals' __index)
        local lib_loading = false
        local lib_redis = {register_function = jregister, log = jlog, sha1hex = jsha1,
          error_reply = jerr_reply, status_reply = jstatus_reply,
          LOG_DEBUG = 0, LOG_VERBOSE = 1, LOG_NOTICE = 2, LOG_WARNING = 3,
          REDIS_VERSION = redis.REDIS_VERSION, REDIS_VERSION_NUM = redis.REDIS_VERSION_NUM}
        local lr = {}
        setmt(lr, {
          __index = function(_, k)
            local v = lib_redis[k]
            if v == nil then
              error("Script attempted to access nonexistent global variable '" .. tostring(k) .. "'", 2)
            end
            return v
          end,
          __newindex = readonly,
          __metatable = false,
        })
        local LG = {}
        setmt(LG, {
          __index = function(_, k)
            if k == 'redis' and lib_loading then return lr end
            local v = rawget(real, k)
            if v == nil then
              error("Script attempted to access nonexistent global variable '" .. tostring(k) .. "'", 2)
            end
            return v
          end,
          __newindex = readonly,
          __metatable = false,
        })
        local function runlib(f)
          setfenv(f, LG)
          lib_loading = true
          local ok, err = xpcall(f, handler)
          lib_loading = false
          return ok, err
        end
        -- LDB (SCRIPT DEBUG): the line hook and the debugger's views of Lua values, as Redis' eval.c has them
        local find, fmt, concat, gsub, sbyte, select, next, loadstring, pcall = string.find, string.format, table.concat, string.gsub, string.byte, select, next, loadstring, pcall
        local ldb_on = false
        local function ldbhook(event, line)
          local i = dbg.getinfo(2, 'Sl')
          if i == nil or not find(i.short_src, 'user_script', 1, true) then return end
          return jldb(event == 'count', i.currentline)
        end
        local esc = {['\\\\'] = '\\\\\\\\', ['"'] = '\\\\"', ['\\n'] = '\\\\n', ['\\r'] = '\\\\r', ['\\t'] = '\\\\t', ['\\a'] = '\\\\a', ['\\b'] = '\\\\b'}
        local function srepr(s)
          return '"' .. gsub(s, '[%z\\1-\\31"\\\\\\127-\\255]', function(c) return esc[c] or fmt('\\\\x%02x', sbyte(c)) end) .. '"'
        end
        -- ldbCatStackValueRec: tables that are arrays 1..n print as {v; v}, others as {[k]=v; [k]=v}
        local function repr(v, level)
          if level == 10 then return '<max recursion level reached! Nested table?>' end
          level = level + 1
          local t = type(v)
          if t == 'string' then return srepr(v)
          elseif t == 'boolean' then return v and 'true' or 'false'
          elseif t == 'number' then return fmt('%g', v)
          elseif t == 'nil' then return 'nil'
          elseif t == 'table' then
            local expected, isarray, r1, r2 = 1, true, {}, {}
            for k, val in next, v do
              if isarray and (type(k) ~= 'number' or k ~= expected) then isarray = false end
              r1[#r1 + 1] = repr(val, level)
              r2[#r2 + 1] = '[' .. repr(k, level) .. ']=' .. repr(val, level)
              expected = expected + 1
            end
            return '{' .. concat(isarray and r1 or r2, '; ') .. '}'
          end
          local s = tostring(v)
          local _, _, p = find(s, '(0x%x+)')
          return '"' .. t .. '@' .. (p or s) .. '"'
        end
        -- from level 'from' up (levels as the caller counts them): the first running the script's own code
        local function userlevel(from)
          local lvl = from + 1
          while true do
            local i = dbg.getinfo(lvl, 'S')
            if i == nil then return nil end
            if find(i.short_src, 'user_script', 1, true) then return lvl - 1 end
            lvl = lvl + 1
          end
        end
        local function errtext(e)
          if type(e) == 'table' and type(rawget(e, 'err')) == 'string' then return rawget(e, 'err') end
          return tostring(e)
        end
        local ldb = {}
        function ldb.ctl(on)
          ldb_on = on
          if on then dbg.sethook(ldbhook, 'l', 100000) else dbg.sethook(jcheck, '', 100000) end
        end
        function ldb.install()
          redis.breakpoint = jbreakpoint
          redis.debug = function(...)
            if not ldb_on then return end
            local parts = {}
            for n = 1, select('#', ...) do parts[n] = repr((select(n, ...)), 0) end
            jdebug(concat(parts, ', '))
          end
        end
        -- ldbPrintAll: '<value> name = value' for each local of the current function
        function ldb.locals()
          local lvl = userlevel(2)
          local out = {}
          if lvl == nil then return out end
          local n = 1
          while true do
            local name, val = dbg.getlocal(lvl, n)
            if name == nil then break end
            if not find(name, '(*temporary)', 1, true) then out[#out + 1] = '<value> ' .. name .. ' = ' .. repr(val, 0) end
            n = n + 1
          end
          return out
        end
        -- ldbPrint: the innermost local of that name in the script's frames, else KEYS or ARGV
        function ldb.print(var)
          local lvl = userlevel(2)
          while lvl ~= nil do
            local n = 1
            while true do
              local name, val = dbg.getlocal(lvl, n)
              if name == nil then break end
              if name == var then return repr(val, 0) end
              n = n + 1
            end
            lvl = userlevel(lvl + 1)
          end
          if var == 'KEYS' or var == 'ARGV' then return repr(rawget(real, var), 0) end
          return nil
        end
        -- ldbEval: as an expression first, then as a statement; the first result or the error
        function ldb.eval(code)
          local f, err = loadstring('return ' .. code, '@ldb_eval')
          if not f then
            f, err = loadstring(code, '@ldb_eval')
            if not f then return false, err end
          end
          setfenv(f, G)
          local ok, res = pcall(f)
          if not ok then return false, errtext(res) end
          return true, repr(res, 0)
        end
        -- ldbTrace: 'In name:' then 'From name:' with the line of each of the script's frames
        function ldb.trace()
          local out, lvl, first = {}, 2, true
          while true do
            local i = dbg.getinfo(lvl, 'Snl')
            if i == nil then break end
            if find(i.short_src, 'user_script', 1, true) then
              out[#out + 1] = (first and 'In ' or 'From ') .. (i.name or 'top level') .. ':'
              out[#out + 1] = i.currentline
              first = false
            end
            lvl = lvl + 1
          end
          return out
        end
        function ldb.redis(...)
          pcall(jcall, ...)
        end
        dbg.sethook(jcheck, '', 100000)
        return frombytes, prepare, run, setkeys, runlib, ldb
        """;

    final Lua L;
    private final Engine engine;
    private final int frombytesRef;
    private final int prepareRef;
    private final int runRef;
    private final int setkeysRef;
    private final int runlibRef;
    /** The sandbox's debugger helpers (a table: ctl, install, locals, print, eval, trace, redis). */
    private final int ldbRef;
    /** The debugger session of the running script, null when none (SCRIPT DEBUG). */
    private Ldb ldb;
    /** The base library's collectgarbage, for {@link #memoryBytes()}. */
    private final int gcCountRef;
    /** The client whose context commands called from Lua run in (Redis' lua_client). */
    private final Client scriptClient;
    private final LuaReplySink sink;

    // ---- the running script (keyspace thread), plus what other threads may look at ----
    /** Caller of the running script, null when none runs. */
    private Client caller;
    private int runFlags;
    private boolean readOnlyCommand;
    private String runName;
    /** The running script has written (SCRIPT KILL answers UNKILLABLE); read by I/O threads. */
    private volatile boolean wrote;
    private volatile long startedAtMs;
    private volatile boolean killRequested;
    /** When the running script last let the server process other clients' events (System.nanoTime). */
    private long lastYieldNanos;
    /** The running script has seen {@link Engine#halted} and dropped its AOF records. */
    private boolean haltSeen;
    /** Set while a library's code runs (FUNCTION LOAD): register_function is allowed. */
    LibraryLoader loader;

    /** Receives redis.register_function calls while a library loads. */
    interface LibraryLoader {
        /** Returns null, or the error text (without "ERR ") to raise in the library code. */
        String register(Lua l);
    }

    public LuaRuntime(Engine engine) {
        this.engine = engine;
        this.L = new Lua51();
        L.openLibraries(); // also brings in os/io/package/java, which the sandbox removes
        scriptClient = new Client(-1, new ScriptChannel(), engine.keyspace.db(0), System.currentTimeMillis());
        scriptClient.authenticated = true;
        sink = new LuaReplySink(this);
        try {
            LuaLibs.open(this);
            String src = SANDBOX.replace("REDIS_VERSION_TEXT", "'" + Engine.REDIS_VERSION + "'")
                .replace("REDIS_VERSION_NUMBER", Integer.toString(versionNum(Engine.REDIS_VERSION)));
            L.load(direct(src.getBytes(StandardCharsets.UTF_8)), "=strata");
            L.getGlobal("_G");
            L.push((JFunction) l -> redisCall(l, true));
            L.push((JFunction) l -> redisCall(l, false));
            L.push((JFunction) this::redisLog);
            L.push((JFunction) this::redisSetResp);
            L.push((JFunction) LuaRuntime::sha1hex);
            L.push((JFunction) this::registerFunction);
            L.push((JFunction) this::hook);
            L.push((JFunction) this::errorReply);
            L.push((JFunction) LuaRuntime::statusReply);
            L.push((JFunction) this::ldbHook);
            L.push((JFunction) this::ldbBreakpoint);
            L.push((JFunction) this::ldbDebug);
            L.pCall(13, 6);
        } catch (LuaException e) {
            throw new IllegalStateException("Lua sandbox set-up failed: " + e.getMessage(), e);
        }
        ldbRef = L.ref();
        runlibRef = L.ref();
        setkeysRef = L.ref();
        runRef = L.ref();
        prepareRef = L.ref();
        frombytesRef = L.ref();
        L.getGlobal("collectgarbage");
        gcCountRef = L.ref();
    }

    // ---- compiling ----

    /**
     * Compiles {@code body} under the chunk name {@code @name} and returns a registry reference to
     * the sandboxed function, or throws {@link CompileError} with Lua's message.
     */
    int compile(byte[] body, int off, String name) {
        byte[] code = off == 0 ? body : java.util.Arrays.copyOfRange(body, off, body.length);
        try {
            L.load(direct(code), "@" + name);
        } catch (LuaException e) {
            String msg = L.getTop() > 0 && L.isString(-1) ? L.toString(-1) : e.getMessage();
            L.setTop(0);
            throw new CompileError(stripLuajava(msg));
        }
        L.refGet(prepareRef);
        L.insert(-2);
        try {
            L.pCall(1, 1);
        } catch (LuaException e) {
            L.setTop(0);
            throw new CompileError(stripLuajava(e.getMessage()));
        }
        return L.ref();
    }

    /** luajava prefixes its exception messages with the error kind; Lua's own text follows. */
    private static String stripLuajava(String msg) {
        if (msg == null) {
            return "";
        }
        int i = msg.indexOf(": ");
        if (msg.startsWith("SYNTAX: ") || msg.startsWith("RUNTIME: ") || msg.startsWith("MEMORY: ")) {
            return msg.substring(i + 2);
        }
        return msg;
    }

    void unref(int ref) {
        L.unref(ref);
    }

    /** A script or library that does not compile; the message is Lua's. */
    static final class CompileError extends RuntimeException {
        CompileError(String msg) {
            super(msg, null, false, false);
        }
    }

    // ---- running ----

    /** True while a script runs (any thread). */
    public boolean running() {
        return startedAtMs != 0;
    }

    /** Milliseconds the running script has run, 0 when none runs (any thread). */
    public long runningForMs() {
        long s = startedAtMs;
        return s == 0 ? 0 : System.currentTimeMillis() - s;
    }

    /** Whether the running script has written (SCRIPT KILL refuses then). */
    public boolean wroteSomething() {
        return wrote;
    }

    public String runningName() {
        return runName;
    }

    /** Whether the running script was asked to stop (any thread). */
    public boolean killRequested() {
        return killRequested;
    }

    /** Asks the running script to stop at its next hook check (any thread). */
    public void kill() {
        killRequested = true;
    }

    /**
     * Runs a compiled script or function and writes its reply to {@code r}. {@code keys} and
     * {@code args} become KEYS/ARGV (an EVAL script) or the callback's two arguments (a function).
     */
    void run(Client c, ReplySink r, int fnRef, String name, int flags, boolean readOnlyCmd, boolean asFunction,
             Args a, int keysFrom, int numkeys) {
        caller = c;
        runFlags = flags;
        readOnlyCommand = readOnlyCmd;
        runName = name;
        wrote = false;
        killRequested = false;
        haltSeen = false;
        lastYieldNanos = System.nanoTime();
        sink.protocol = 2;
        scriptClient.db = c.db;
        scriptClient.protocol = 2;
        startedAtMs = System.currentTimeMillis();
        boolean savedInExec = engine.inExec;
        engine.inExec = true; // blocking commands answer as on timeout, as inside MULTI
        int top = L.getTop();
        try {
            if (asFunction) {
                L.refGet(runRef);
                L.refGet(fnRef);
                pushArgTable(a, keysFrom, numkeys);
                pushArgTable(a, keysFrom + numkeys, a.argc() - keysFrom - numkeys);
                L.pCall(3, 2);
            } else {
                L.refGet(setkeysRef);
                pushArgTable(a, keysFrom, numkeys);
                pushArgTable(a, keysFrom + numkeys, a.argc() - keysFrom - numkeys);
                L.pCall(2, 0);
                L.refGet(runRef);
                L.refGet(fnRef);
                L.pCall(1, 2);
            }
            if (L.toBoolean(-2)) {
                toReply(-1, r, 0);
            } else {
                errorToReply(-1, r);
            }
        } catch (LuaException e) {
            r.error("ERR Error running script " + name + ", " + e.getMessage());
        } finally {
            L.setTop(top);
            engine.inExec = savedInExec;
            startedAtMs = 0;
            caller = null;
            if (c.protocol != scriptClient.protocol) {
                scriptClient.protocol = 2;
            }
        }
    }

    /** Runs a library's code with redis.register_function bound to {@code l}; returns null or the error. */
    String runLibrary(int fnRef, LibraryLoader l) {
        loader = l;
        int top = L.getTop();
        startedAtMs = System.currentTimeMillis();
        try {
            L.refGet(runlibRef);
            L.refGet(fnRef);
            L.pCall(1, 2);
            if (L.toBoolean(-2)) {
                return null;
            }
            return errorMessage(-1);
        } catch (LuaException e) {
            return "ERR " + e.getMessage();
        } finally {
            L.setTop(top);
            loader = null;
            startedAtMs = 0;
        }
    }

    private String errorMessage(int idx) {
        if (L.isTable(idx)) {
            L.getField(idx, "err");
            String msg = L.isString(-1) ? str(-1) : "execution failure";
            L.pop(1);
            return msg;
        }
        return L.isString(idx) ? str(idx) : "execution failure";
    }

    /** A raised error as Redis replies it: the message, then " script: NAME, on SOURCE:LINE." */
    private void errorToReply(int idx, ReplySink r) {
        if (!L.isTable(idx)) {
            r.error("ERR Error running script " + runName + ", " + (L.isString(idx) ? str(idx) : "execution failure"));
            return;
        }
        int t = L.getTop() + idx + 1;
        L.getField(t, "err");
        String msg = L.isString(-1) ? str(-1) : "";
        L.pop(1);
        L.getField(t, "source");
        String source = L.isString(-1) ? str(-1) : null;
        L.pop(1);
        L.getField(t, "line");
        String line = L.isNumber(-1) ? Long.toString((long) L.toNumber(-1)) : null;
        L.pop(1);
        StringBuilder sb = new StringBuilder(msg);
        if (source != null && line != null) {
            sb.append(" script: ").append(runName).append(", on ").append(source).append(':').append(line).append('.');
        }
        r.error(oneLine(sb.toString()));
    }

    private static String oneLine(String s) {
        return s.replace('\r', ' ').replace('\n', ' ');
    }

    private void pushArgTable(Args a, int from, int n) {
        L.createTable(n, 0);
        for (int i = 0; i < n; i++) {
            pushBytes(a.buf(), a.off(from + i), a.len(from + i));
            L.rawSetI(-2, i + 1);
        }
    }

    // ---- strings across JNI ----

    /** Pushes bytes as a Lua string, byte for byte. */
    void pushBytes(byte[] b, int off, int len) {
        boolean ascii = true;
        for (int i = off; i < off + len; i++) {
            int x = b[i];
            if (x <= 0) {
                ascii = false;
                break;
            }
        }
        String s = new String(b, off, len, StandardCharsets.ISO_8859_1);
        L.push(s);
        if (!ascii) {
            L.refGet(frombytesRef);
            L.insert(-2);
            try {
                L.pCall(1, 1);
            } catch (LuaException e) {
                throw new IllegalStateException("string conversion failed: " + e.getMessage(), e);
            }
        }
    }

    void pushBytes(byte[] b) {
        pushBytes(b, 0, b.length);
    }

    /** The bytes of the string at {@code idx}. Precondition: it is a string (not a number). */
    byte[] bytes(int idx) {
        ByteBuffer bb = L.toDirectBuffer(idx);
        if (bb == null) {
            return new byte[0];
        }
        byte[] out = new byte[bb.remaining()];
        bb.get(out);
        return out;
    }

    /** The string at {@code idx} (a string or a number) as text. */
    String str(int idx) {
        if (L.type(idx) == Lua.LuaType.NUMBER) {
            return numberText(L.toNumber(idx));
        }
        return new String(bytes(idx), StandardCharsets.UTF_8);
    }

    /** Lua 5.1's number to string ("%.14g"), which is what Redis' Lua uses for tostring. */
    static String numberText(double d) {
        if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            return Long.toString((long) d);
        }
        return Numbers.formatDouble(d);
    }

    /** A number argument of redis.call as Redis 7.0 passes it: "%.17g". */
    private static byte[] argNumber(double d) {
        if (d == Math.rint(d) && Math.abs(d) < 1e17) {
            return Long.toString((long) d).getBytes(StandardCharsets.US_ASCII);
        }
        String s = new java.math.BigDecimal(d).round(new java.math.MathContext(17)).stripTrailingZeros().toString();
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    // ---- Lua value → reply ----

    private void toReply(int idx, ReplySink r, int depth) {
        int t = idx < 0 ? L.getTop() + idx + 1 : idx;
        switch (L.type(t)) {
            case STRING:
                r.bulk(bytes(t));
                return;
            case NUMBER:
                r.integer((long) L.toNumber(t));
                return;
            case BOOLEAN:
                if (sink.protocol == 2) {
                    if (L.toBoolean(t)) {
                        r.integer(1);
                    } else {
                        r.nullBulk();
                    }
                } else {
                    r.bool(L.toBoolean(t));
                }
                return;
            case TABLE:
                tableToReply(t, r, depth);
                return;
            default:
                r.nullBulk();
        }
    }

    private void tableToReply(int t, ReplySink r, int depth) {
        if (depth > 1000) {
            r.error("ERR reached lua stack limit");
            return;
        }
        L.checkStack(4);
        L.push("err");
        L.rawGet(t);
        if (L.isString(-1)) {
            String msg = str(-1);
            L.pop(1);
            r.error(oneLine(msg));
            return;
        }
        L.pop(1);
        L.push("ok");
        L.rawGet(t);
        if (L.isString(-1)) {
            String msg = str(-1);
            L.pop(1);
            r.simple(oneLine(msg));
            return;
        }
        L.pop(1);
        if (sink.protocol == 3 && resp3TableToReply(t, r, depth)) {
            return;
        }
        int n = 0;
        while (true) {
            L.rawGetI(t, n + 1);
            boolean nil = L.isNil(-1);
            L.pop(1);
            if (nil) {
                break;
            }
            n++;
        }
        r.array(n);
        for (int i = 1; i <= n; i++) {
            L.rawGetI(t, i);
            toReply(-1, r, depth + 1);
            L.pop(1);
        }
    }

    /** RESP3 tables: {double=}, {map=}, {set=}, {big_number=}. False when it is none of them. */
    private boolean resp3TableToReply(int t, ReplySink r, int depth) {
        L.push("double");
        L.rawGet(t);
        if (L.isNumber(-1)) {
            double d = L.toNumber(-1);
            L.pop(1);
            r.dbl(d);
            return true;
        }
        L.pop(1);
        L.push("big_number");
        L.rawGet(t);
        if (L.isString(-1)) {
            byte[] b = bytes(-1);
            L.pop(1);
            r.bulk(b);
            return true;
        }
        L.pop(1);
        for (String kind : new String[] {"map", "set"}) {
            L.push(kind);
            L.rawGet(t);
            if (L.isTable(-1)) {
                int m = L.getTop();
                int n = 0;
                L.pushNil();
                while (L.next(m) != 0) {
                    n++;
                    L.pop(1);
                }
                if (kind.equals("map")) {
                    r.map(n);
                } else {
                    r.set(n);
                }
                L.pushNil();
                while (L.next(m) != 0) {
                    toReply(-2, r, depth + 1);
                    if (kind.equals("map")) {
                        toReply(-1, r, depth + 1);
                    }
                    L.pop(1);
                }
                L.pop(1);
                return true;
            }
            L.pop(1);
        }
        return false;
    }

    // ---- the redis.* functions ----

    /** Pushes Redis' error table {err="CODE msg"} (luaPushError: "-CODE msg" or "msg" → "ERR msg"). */
    static void pushError(Lua l, String error) {
        String text;
        if (error.startsWith("-")) {
            int sp = error.indexOf(' ');
            text = sp < 0 ? "ERR " + error.substring(1) : error.substring(1);
        } else {
            text = "ERR " + error;
        }
        l.newTable();
        l.push("err");
        l.push(text.strip());
        l.rawSet(-3);
    }

    private int redisCall(Lua l, boolean raise) {
        int argc = l.getTop();
        if (caller == null) {
            pushError(l, "redis.call can only be called inside a script invocation");
            return -1;
        }
        if (engine.halted) {
            // SHUTDOWN NOSAVE ended the server (or a pcall caught the hook's error): no more writes
            seeHalt();
            pushError(l, "-ERR Script killed by user with SCRIPT KILL...");
            return -1;
        }
        if (argc == 0) {
            pushError(l, "Please specify at least one argument for this redis lib call");
            return -1;
        }
        byte[][] argv = new byte[argc][];
        for (int i = 1; i <= argc; i++) {
            Lua.LuaType t = l.type(i);
            if (t == Lua.LuaType.NUMBER) {
                argv[i - 1] = argNumber(l.toNumber(i));
            } else if (t == Lua.LuaType.STRING) {
                argv[i - 1] = bytes(i);
            } else {
                pushErr(l, "Lua redis lib command arguments must be strings or integers");
                return -1;
            }
        }
        l.setTop(0);
        Ldb d = ldb;
        if (d != null && d.enabled()) {
            StringBuilder cmdlog = new StringBuilder("<redis>");
            for (int j = 0; j < argc; j++) {
                if (j == 10) {
                    cmdlog.append(" ... (").append(argc - j - 1).append(" more)");
                    break;
                }
                cmdlog.append(' ').append(new String(argv[j], StandardCharsets.ISO_8859_1));
            }
            d.log(cmdlog.toString());
        }
        Args a = Args.of(argv);
        String err = checkCall(a);
        if (err != null) {
            pushErr(l, err);
            return raise ? -1 : 1;
        }
        CommandSpec spec = resolve(a);
        if (d != null && !d.sync && spec.has(CommandFlag.WRITE)) {
            // SCRIPT DEBUG YES: the session's changes are undone at its end (see Ldb)
            String undo = d.beforeWrite(engine, scriptClient.db, spec, a);
            if (undo != null) {
                pushErr(l, undo);
                return raise ? -1 : 1;
            }
        }
        long dirty = engine.keyspace.dirty;
        long errs = sink.errors();
        sink.begin();
        sink.human = d != null && d.enabled() ? new StringBuilder() : null;
        engine.call(scriptClient, spec, a, sink);
        if (sink.human != null) {
            d.logWithMaxLen("<reply> " + sink.human);
            sink.human = null;
        }
        if (engine.keyspace.dirty != dirty) {
            wrote = true;
        }
        if (l.getTop() == 0) {
            l.pushNil(); // a handler that wrote nothing (a blocking command that timed out)
        }
        if (raise && sink.errors() != errs && l.isTable(-1)) {
            return -1;
        }
        return 1;
    }

    private CommandSpec resolve(Args a) {
        CommandSpec spec = engine.commands.lookup(a.buf(), a.off(0), a.len(0));
        if (spec != null && spec.isContainer() && a.argc() >= 2) {
            spec = spec.subcommand(a.buf(), a.off(1), a.len(1));
        }
        return spec;
    }

    /** Redis' scriptCall checks, in its order; null when the command may run. */
    private String checkCall(Args a) {
        CommandSpec spec = resolve(a);
        if (spec == null) {
            return "Unknown Redis command called from script";
        }
        if (!spec.arityOk(a.argc())) {
            return "Wrong number of args calling Redis command from script";
        }
        if (spec.has(CommandFlag.NOSCRIPT)) {
            return "This Redis command is not allowed from script";
        }
        if (spec.has(CommandFlag.WRITE)) {
            if (readOnlyCommand || (runFlags & FLAG_NO_WRITES) != 0) {
                return "Write commands are not allowed from read-only scripts.";
            }
            String disk = engine.persistence.diskErrorForWrites();
            if (disk != null) {
                return "-" + disk;
            }
        }
        if (engine.config.maxmemory > 0 && spec.has(CommandFlag.DENYOOM) && (runFlags & FLAG_ALLOW_OOM) == 0
            && !wrote && !engine.eviction.performEvictions()) {
            // as Redis: only a script that has not written yet may be refused, so it stays atomic
            return "-" + Errors.OOM;
        }
        return null;
    }

    private int redisLog(Lua l) {
        int argc = l.getTop();
        if (argc < 2) {
            pushError(l, "redis.log() requires two arguments or more.");
            return -1;
        }
        if (!l.isNumber(1)) {
            pushError(l, "First argument must be a number (log level).");
            return -1;
        }
        int level = (int) l.toNumber(1);
        if (level < 0 || level > 3) {
            pushError(l, "Invalid debug level.");
            return -1;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 2; i <= argc; i++) {
            if (i > 2) {
                sb.append(' ');
            }
            sb.append(l.isString(i) || l.isNumber(i) ? str(i) : "");
        }
        if (level >= 2) {
            System.err.println(sb);
        }
        return 0;
    }

    private int redisSetResp(Lua l) {
        if (l.getTop() != 1) {
            pushError(l, "redis.setresp() requires one argument.");
            return -1;
        }
        int v = (int) l.toNumber(1);
        if (v != 2 && v != 3) {
            pushError(l, "RESP version must be 2 or 3.");
            return -1;
        }
        sink.protocol = v;
        scriptClient.protocol = v;
        return 0;
    }

    private static int sha1hex(Lua l) {
        if (l.getTop() != 1) {
            pushError(l, "wrong number of arguments");
            return -1;
        }
        ByteBuffer bb = l.toDirectBuffer(1);
        byte[] b = new byte[bb == null ? 0 : bb.remaining()];
        if (bb != null) {
            bb.get(b);
        }
        l.push(sha1(b));
        return 1;
    }

    static String sha1(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private int errorReply(Lua l) {
        if (l.getTop() != 1 || !l.isString(1)) {
            pushError(l, "wrong number or type of arguments");
            return -1;
        }
        String msg = l.toString(1);
        pushErr(l, msg.startsWith("-") ? msg : "-" + msg);
        return 1;
    }

    private static int statusReply(Lua l) {
        if (l.getTop() != 1 || !l.isString(1)) {
            pushError(l, "wrong number or type of arguments");
            return -1;
        }
        String msg = l.toString(1);
        l.newTable();
        l.push("ok");
        l.push(msg);
        l.rawSet(-3);
        return 1;
    }

    private int registerFunction(Lua l) {
        LibraryLoader ld = loader;
        if (ld == null) {
            pushError(l, "redis.register_function can only be called on FUNCTION LOAD command");
            return -1;
        }
        String err = ld.register(l);
        if (err != null) {
            pushError(l, err);
            return -1;
        }
        return 0;
    }

    /** How often a busy script lets the server process other clients' events, at most. */
    private static final long YIELD_INTERVAL_NANOS = 2_000_000L;

    /**
     * The count hook (every 100000 Lua instructions, as Redis' luaMaskCountHook): past
     * busy-reply-threshold lets the server answer other clients (at most every couple of
     * milliseconds), then stops a script that SCRIPT KILL or FUNCTION KILL asked to stop, or that
     * SHUTDOWN NOSAVE ended whether it wrote or not.
     */
    private int hook(Lua l) {
        if (caller == null) {
            return 0;
        }
        if (!killRequested && !engine.halted) {
            long now = System.nanoTime();
            if (now - lastYieldNanos >= YIELD_INTERVAL_NANOS && runningForMs() > engine.config.luaTimeLimit
                && engine.control() != null) {
                lastYieldNanos = now;
                engine.control().processEventsWhileBlocked(caller);
                lastYieldNanos = System.nanoTime();
            }
        }
        if (engine.halted) {
            seeHalt();
            pushError(l, "-ERR Script killed by user with SCRIPT KILL...");
            return -1;
        }
        if (killRequested) {
            // raised on every later hook too, so a pcall in the script cannot swallow it for good
            pushError(l, "-ERR Script killed by user with SCRIPT KILL...");
            return -1;
        }
        return 0;
    }

    /**
     * SHUTDOWN NOSAVE came while this script runs, which Redis answers by exiting inside it: what
     * the script recorded for the AOF is dropped before it ends, and its caller gets no reply.
     */
    private void seeHalt() {
        if (haltSeen) {
            return;
        }
        haltSeen = true;
        if (engine.aof != null) {
            engine.aof.dropTransaction();
        }
        caller.channel.mute(true);
    }

    private static int versionNum(String v) {
        String[] p = v.split("\\.");
        return Integer.parseInt(p[0]) << 16 | Integer.parseInt(p[1]) << 8 | Integer.parseInt(p[2]);
    }

    static ByteBuffer direct(byte[] b) {
        ByteBuffer bb = ByteBuffer.allocateDirect(Math.max(1, b.length));
        bb.put(b).flip();
        return bb;
    }

    // ---- the Lua debugger (SCRIPT DEBUG) ----

    /** Gives this (EVAL) state redis.breakpoint() and redis.debug(), as Redis' EVAL state has them. */
    void installDebugApi() {
        int top = L.getTop();
        callLdb("install", 0);
        L.setTop(top);
    }

    /** The next run is debugged by {@code d}: the line hook replaces the count hook until {@link #ldbEnd}. */
    void ldbBegin(Ldb d) {
        ldb = d;
        int top = L.getTop();
        L.push(true);
        callLdb("ctl", 1);
        L.setTop(top);
    }

    void ldbEnd() {
        int top = L.getTop();
        L.push(false);
        callLdb("ctl", 1);
        L.setTop(top);
        ldb = null;
    }

    /** A debugger session runs (the server is blocked then, not busy: nobody is answered BUSY). */
    boolean debugging() {
        return ldb != null;
    }

    /** Calls ldb.NAME with the {@code nargs} values on top of the stack; leaves its results (up to 2). */
    private boolean callLdb(String name, int nargs) {
        L.refGet(ldbRef);
        L.getField(-1, name);
        L.insert(-2);
        L.pop(1);
        L.insert(-1 - nargs);
        try {
            L.pCall(nargs, 2);
            return true;
        } catch (LuaException e) {
            return false; // the callers restore the stack
        }
    }

    private String latin1(int idx) {
        if (L.type(idx) == Lua.LuaType.NUMBER) {
            return numberText(L.toNumber(idx));
        }
        return new String(bytes(idx), StandardCharsets.ISO_8859_1);
    }

    private void pushLatin1(String s) {
        pushBytes(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** The debugger's "print": all the locals of the current function. */
    void ldbPrintAll(Ldb d) {
        int top = L.getTop();
        if (callLdb("locals", 0)) {
            int t = L.getTop() - 1;
            int n = (int) L.rawLength(t);
            for (int i = 1; i <= n; i++) {
                L.rawGetI(t, i);
                d.logWithMaxLen(latin1(-1));
                L.pop(1);
            }
            if (n == 0) {
                d.log("No local variables in the current context.");
            }
        }
        L.setTop(top);
    }

    /** The debugger's "print VAR". */
    void ldbPrint(Ldb d, String var) {
        int top = L.getTop();
        pushLatin1(var);
        if (callLdb("print", 1)) {
            if (L.isNil(-2)) {
                d.log("No such variable.");
            } else {
                d.logWithMaxLen("<value> " + latin1(-2));
            }
        }
        L.setTop(top);
    }

    /** The debugger's "eval CODE". */
    void ldbEval(Ldb d, String code) {
        int top = L.getTop();
        pushLatin1(code);
        if (callLdb("eval", 1)) {
            if (L.toBoolean(-2)) {
                d.logWithMaxLen("<retval> " + latin1(-1));
            } else {
                d.log("<error> " + latin1(-1));
            }
        }
        L.setTop(top);
    }

    /** The debugger's "trace". */
    void ldbTrace(Ldb d) {
        int top = L.getTop();
        if (callLdb("trace", 0)) {
            int t = L.getTop() - 1;
            int n = (int) L.rawLength(t);
            for (int i = 1; i + 1 <= n; i += 2) {
                L.rawGetI(t, i);
                d.log(latin1(-1));
                L.pop(1);
                L.rawGetI(t, i + 1);
                d.logSourceLine((int) L.toNumber(-1));
                L.pop(1);
            }
            if (n == 0) {
                d.log("<error> Can't retrieve Lua stack.");
            }
        }
        L.setTop(top);
    }

    /** The debugger's "redis CMD ...": redis.call with the command and its reply logged. */
    void ldbRedis(java.util.List<String> args) {
        int top = L.getTop();
        L.checkStack(args.size() + 4);
        for (String a : args) {
            pushLatin1(a);
        }
        callLdb("redis", args.size());
        L.setTop(top);
    }

    /** The line (and count) hook while debugging: luaLdbLineHook. */
    private int ldbHook(Lua l) {
        Ldb d = ldb;
        if (d == null) {
            return 0;
        }
        boolean count = l.toBoolean(1);
        int line = (int) l.toNumber(2);
        l.setTop(0);
        String err = d.lineHook(count, line, engine.config.luaTimeLimit);
        if (err != null) {
            pushError(l, err);
            return -1;
        }
        return 0;
    }

    /** redis.breakpoint(): true and a stop at the next line while debugging, else false. */
    private int ldbBreakpoint(Lua l) {
        Ldb d = ldb;
        l.setTop(0);
        if (d != null) {
            d.luabp = true;
        }
        l.push(d != null);
        return 1;
    }

    /** redis.debug(...): the Lua side formatted the values; logged while debugging. */
    private int ldbDebug(Lua l) {
        Ldb d = ldb;
        if (d != null) {
            d.log("<debug> line " + d.currentline + ": " + latin1(1));
        }
        l.setTop(0);
        return 0;
    }

    /** An error raised by the redis API (luaPushError): logged while the debugger steps. */
    private void pushErr(Lua l, String error) {
        Ldb d = ldb;
        if (d != null && d.enabled()) {
            d.log("<error> " + error);
        }
        pushError(l, error);
    }

    /** Whether replies of commands called from the script are being logged for the debugger. */
    Ldb ldbLogging() {
        Ldb d = ldb;
        return d != null && d.enabled() ? d : null;
    }

    @Override
    public void close() {
        L.close();
    }

    /**
     * The state's heap as Redis reports it: lua_gc(LUA_GCCOUNT) whole kilobytes × 1024, read through
     * collectgarbage("count") (the binding has no lua_gc), taken from the real globals at start.
     */
    long memoryBytes() {
        int top = L.getTop();
        try {
            L.refGet(gcCountRef);
            L.push("count");
            L.pCall(1, 1);
            return (long) L.toNumber(-1) * 1024;
        } catch (LuaException e) {
            return 0;
        } finally {
            L.setTop(top);
        }
    }

    private static final class ScriptChannel implements ClientChannel {
        @Override public ReplySink sink() { throw new IllegalStateException("the script client replies through the Lua sink"); }
        @Override public void flush() { }
        @Override public void close() { }
        @Override public void closeNow() { }
        @Override public void mute(boolean muted) { }
        @Override public String addr() { return "lua"; }
        @Override public String laddr() { return ""; }
        @Override public long queryBufferLength() { return 0; }
        @Override public long queryBufferFree() { return 0; }
        @Override public long outputBufferLength() { return 0; }
    }
}
