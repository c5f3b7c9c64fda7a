package io.strata.engine.scripting;

import io.strata.engine.DebugLine;
import io.strata.engine.Engine;
import io.strata.engine.command.Args;
import io.strata.engine.command.CommandSpec;
import io.strata.engine.keyspace.Database;
import io.strata.engine.keyspace.Entry;
import io.strata.engine.keyspace.Keyspace;
import io.strata.engine.persist.RdbCodec;
import io.strata.storage.rdb.Dump;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One Lua debugger session (Redis' LDB, SCRIPT DEBUG YES|SYNC then EVAL): the line hook's stops,
 * the debugger's commands read from the client as RESP arrays, and the log lines sent back as
 * one array of status replies per answer, word for word as Redis 7.0's eval.c writes them.
 *
 * <p>SYNC: the server is blocked while the script is stopped and its changes stay, as in Redis.
 * YES: Redis forks, runs the session in the child and so throws its changes away. We cannot
 * fork a JVM, so a YES session runs like a SYNC one but keeps the pre-image of every key the
 * script writes (taken before its first write, with DUMP's serialisation) and puts those back at
 * the end, dropping the script's AOF records: the dataset is as before the session. What cannot
 * be put back key by key (FLUSHALL, FLUSHDB, SWAPDB) is refused in a YES session.
 *
 * <p>Thread rule: keyspace thread only.
 */
final class Ldb {
    static final int MAXLEN_DEFAULT = 256;
    static final int BREAKPOINTS_MAX = 64;
    /** Commands a YES session refuses: their effects cannot be undone key by key. */
    static final String NOT_UNDOABLE = "This command is not allowed in a SCRIPT DEBUG YES session, "
        + "whose changes are rolled back: use SCRIPT DEBUG SYNC";

    private final LuaRuntime rt;
    private final DebugLine line;
    /** SYNC (changes kept) rather than YES (changes rolled back). */
    final boolean sync;
    private final List<String> logs = new ArrayList<>();
    private final int[] bp = new int[BREAKPOINTS_MAX];
    private int bpcount;
    /** Stop at the next line. */
    boolean step = true;
    /** Stop at the next line because redis.breakpoint() was called. */
    boolean luabp;
    /** The script's source split by line (Latin-1: one char per byte). */
    private final String[] src;
    int currentline;
    private final ByteArrayOutputStream cbuf = new ByteArrayOutputStream();
    private int maxlen = MAXLEN_DEFAULT;
    private boolean maxlenHintSent;
    /** When the script last resumed, for the "timeout reached" stop. */
    private long resumedMs = System.currentTimeMillis();
    /** YES: the pre-image of each key written, null for a key that did not exist; insertion order. */
    private final Map<String, byte[][]> preImages = new LinkedHashMap<>();

    Ldb(LuaRuntime rt, DebugLine line, boolean sync, byte[] body) {
        this.rt = rt;
        this.line = line;
        this.sync = sync;
        int len = body.length;
        while (len > 0 && (body[len - 1] == '\n' || body[len - 1] == '\r')) {
            len--;
        }
        String s = new String(body, 0, len, StandardCharsets.ISO_8859_1);
        this.src = s.isEmpty() ? new String[0] : s.split("\n", -1);
    }

    /** Redis' ldbIsEnabled: commands and errors are logged only while stepping. */
    boolean enabled() {
        return step;
    }

    // ---- logs ----

    void log(String entry) {
        logs.add(entry);
    }

    /** ldbLogWithMaxLen: trims to maxlen with " ..." and hints once about "maxlen 0". */
    void logWithMaxLen(String entry) {
        boolean trimmed = false;
        if (maxlen != 0 && entry.length() > maxlen) {
            entry = entry.substring(0, maxlen) + " ...";
            trimmed = true;
        }
        log(entry);
        if (trimmed && !maxlenHintSent) {
            maxlenHintSent = true;
            log("<hint> The above reply was trimmed. Use 'maxlen 0' to disable trimming.");
        }
    }

    /** ldbSendLogs: the pending log lines as one array of status replies, CR and LF made spaces. */
    void sendLogs() {
        StringBuilder sb = new StringBuilder();
        sb.append('*').append(logs.size()).append("\r\n");
        for (String l : logs) {
            sb.append('+').append(l.replace('\r', ' ').replace('\n', ' ')).append("\r\n");
        }
        logs.clear();
        line.send(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
    }

    /** The session ends: the last logs and the "&lt;endsession&gt;" mark go out before the script's reply. */
    void endSession() {
        log("<endsession>");
        sendLogs();
    }

    // ---- source and breakpoints ----

    private String sourceLine(int l) {
        int idx = l - 1;
        return idx < 0 || idx >= src.length ? "<out of range source code line>" : src[idx];
    }

    private boolean isBreakpoint(int l) {
        for (int j = 0; j < bpcount; j++) {
            if (bp[j] == l) {
                return true;
            }
        }
        return false;
    }

    private boolean addBreakpoint(int l) {
        if (l <= 0 || l > src.length) {
            return false;
        }
        if (!isBreakpoint(l) && bpcount != BREAKPOINTS_MAX) {
            bp[bpcount++] = l;
            return true;
        }
        return false;
    }

    private boolean delBreakpoint(int l) {
        for (int j = 0; j < bpcount; j++) {
            if (bp[j] == l) {
                bpcount--;
                System.arraycopy(bp, j + 1, bp, j, bpcount - j);
                return true;
            }
        }
        return false;
    }

    void logSourceLine(int l) {
        boolean b = isBreakpoint(l);
        boolean current = currentline == l;
        String prefix = current && b ? "->#" : current ? "-> " : b ? "  #" : "   ";
        log(prefix + String.format("%-3d", l) + " " + sourceLine(l));
    }

    private void list(int around, int context) {
        for (int j = 1; j <= src.length; j++) {
            if (around != 0 && Math.abs(around - j) > context) {
                continue;
            }
            logSourceLine(j);
        }
    }

    // ---- the line hook ----

    /**
     * luaLdbLineHook for a line (or count) event in the script: stops when stepping, at a
     * breakpoint, after redis.breakpoint(), or when the script ran busy-reply-threshold without a
     * stop; then serves the debugger's commands until one resumes the script. Returns null to go
     * on, or the error to raise in the script.
     */
    String lineHook(boolean countEvent, int lineNo, long timeLimitMs) {
        currentline = lineNo;
        boolean bpHit = isBreakpoint(lineNo) || luabp;
        boolean timeout = false;
        if (countEvent && !step && !bpHit) {
            long limit = timeLimitMs > 0 ? timeLimitMs : 5000;
            if (System.currentTimeMillis() - resumedMs >= limit) {
                timeout = true;
                step = true;
            } else {
                return null;
            }
        }
        if (!step && !bpHit) {
            return null;
        }
        String reason = "step over";
        if (bpHit) {
            reason = luabp ? "redis.breakpoint() called" : "break point";
        } else if (timeout) {
            reason = "timeout reached, infinite loop?";
        }
        step = false;
        luabp = false;
        log("* Stopped at " + currentline + ", stop reason = " + reason);
        logSourceLine(currentline);
        sendLogs();
        String[] result = new String[1];
        boolean ok = repl(result);
        if (result[0] != null) {
            return result[0];
        }
        if (!ok && timeout) {
            return "timeout during Lua debugging with client closing connection";
        }
        resumedMs = System.currentTimeMillis();
        return null;
    }

    /** ldbRepl: false when the client went away (the script then runs on without stops). */
    private boolean repl(String[] raise) {
        byte[] buf = new byte[1024];
        while (true) {
            List<String> argv;
            while (true) {
                String[] err = new String[1];
                argv = parseCommand(err);
                if (err[0] != null) {
                    raise[0] = err[0];
                    return true;
                }
                if (argv != null) {
                    break;
                }
                int n = line.read(buf);
                if (n <= 0) {
                    step = false;
                    bpcount = 0;
                    return false;
                }
                cbuf.write(buf, 0, n);
                if (cbuf.size() > 1 << 20) {
                    cbuf.reset();
                    raise[0] = "max client buffer reached";
                    return true;
                }
            }
            cbuf.reset();
            String c = argv.get(0).toLowerCase(java.util.Locale.ROOT);
            int argc = argv.size();
            switch (c) {
                case "h": case "help":
                    for (String h : HELP) {
                        log(h);
                    }
                    sendLogs();
                    break;
                case "s": case "step": case "n": case "next":
                    step = true;
                    return true;
                case "c": case "continue":
                    return true;
                case "t": case "trace":
                    rt.ldbTrace(this);
                    sendLogs();
                    break;
                case "m": case "maxlen":
                    maxlen(argv);
                    sendLogs();
                    break;
                case "b": case "break":
                    breakCommand(argv);
                    sendLogs();
                    break;
                case "e": case "eval":
                    rt.ldbEval(this, String.join(" ", argv.subList(1, argc)));
                    sendLogs();
                    break;
                case "a": case "abort":
                    raise[0] = "script aborted for user request";
                    return true;
                case "p": case "print":
                    if (argc == 2) {
                        rt.ldbPrint(this, argv.get(1));
                    } else {
                        rt.ldbPrintAll(this);
                    }
                    sendLogs();
                    break;
                case "l": case "list": {
                    int around = currentline;
                    int ctx = 5;
                    if (argc > 1) {
                        int num = atoi(argv.get(1));
                        if (num > 0) {
                            around = num;
                        }
                    }
                    if (argc > 2) {
                        ctx = atoi(argv.get(2));
                    }
                    list(around, ctx);
                    sendLogs();
                    break;
                }
                case "w": case "whole":
                    list(1, 1000000);
                    sendLogs();
                    break;
                default:
                    if (argc > 1 && (c.equals("r") || c.equals("redis"))) {
                        step = true; // so the command and its reply are logged, as Redis does it
                        rt.ldbRedis(argv.subList(1, argc));
                        step = false;
                        sendLogs();
                        break;
                    }
                    log("<error> Unknown Redis Lua debugger command or wrong number of arguments.");
                    sendLogs();
            }
        }
    }

    /**
     * ldbReplParseCommand: one RESP array of bulk strings (1..1024 of them, each 1..1024 bytes)
     * from the buffer, or null to read more; {@code err[0]} is set on a protocol error.
     */
    private List<String> parseCommand(String[] err) {
        byte[] b = cbuf.toByteArray();
        if (b.length == 0) {
            return null;
        }
        int p = indexOf(b, 0, (byte) '*');
        if (p < 0) {
            err[0] = "protocol error";
            return null;
        }
        int eol = crlf(b, p);
        if (eol < 0) {
            return null;
        }
        int argc = atoi(new String(b, p + 1, eol - p - 1, StandardCharsets.ISO_8859_1));
        if (argc <= 0 || argc > 1024) {
            err[0] = "protocol error";
            return null;
        }
        p = eol + 2;
        List<String> argv = new ArrayList<>(argc);
        while (argv.size() < argc) {
            if (p >= b.length) {
                return null;
            }
            if (b[p] != '$') {
                err[0] = "protocol error";
                return null;
            }
            eol = crlf(b, p);
            if (eol < 0) {
                return null;
            }
            int slen = atoi(new String(b, p + 1, eol - p - 1, StandardCharsets.ISO_8859_1));
            if (slen <= 0 || slen > 1024) {
                err[0] = "protocol error";
                return null;
            }
            p = eol + 2;
            if (p + slen + 2 > b.length) {
                return null;
            }
            argv.add(new String(b, p, slen, StandardCharsets.ISO_8859_1));
            p += slen;
            if (b[p] != '\r' || b[p + 1] != '\n') {
                err[0] = "protocol error";
                return null;
            }
            p += 2;
        }
        return argv;
    }

    private static int indexOf(byte[] b, int from, byte x) {
        for (int i = from; i < b.length; i++) {
            if (b[i] == x) {
                return i;
            }
        }
        return -1;
    }

    private static int crlf(byte[] b, int from) {
        for (int i = from; i + 1 < b.length; i++) {
            if (b[i] == '\r' && b[i + 1] == '\n') {
                return i;
            }
        }
        return -1;
    }

    /** C's atoi: optional blanks and sign, then digits; 0 when there are none. */
    static int atoi(String s) {
        int i = 0;
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        boolean neg = false;
        if (i < s.length() && (s.charAt(i) == '-' || s.charAt(i) == '+')) {
            neg = s.charAt(i) == '-';
            i++;
        }
        long v = 0;
        while (i < s.length() && Character.isDigit(s.charAt(i)) && v < Integer.MAX_VALUE) {
            v = v * 10 + (s.charAt(i++) - '0');
        }
        return (int) (neg ? -v : v);
    }

    private void maxlen(List<String> argv) {
        if (argv.size() == 2) {
            int v = atoi(argv.get(1));
            maxlenHintSent = true; // the user knows about the command
            if (v != 0 && v <= 60) {
                v = 60;
            }
            maxlen = v;
        }
        if (maxlen != 0) {
            log("<value> replies are truncated at " + maxlen + " bytes.");
        } else {
            log("<value> replies are unlimited.");
        }
    }

    private void breakCommand(List<String> argv) {
        if (argv.size() == 1) {
            if (bpcount == 0) {
                log("No breakpoints set. Use 'b <line>' to add one.");
            } else {
                log(bpcount + " breakpoints set:");
                for (int j = 0; j < bpcount; j++) {
                    logSourceLine(bp[j]);
                }
            }
            return;
        }
        for (int j = 1; j < argv.size(); j++) {
            String arg = argv.get(j);
            Long l = strictLong(arg);
            if (l == null) {
                log("Invalid argument:'" + arg + "'");
            } else if (l == 0) {
                bpcount = 0;
                log("All breakpoints removed.");
            } else if (l > 0) {
                if (bpcount == BREAKPOINTS_MAX) {
                    log("Too many breakpoints set.");
                } else if (l <= Integer.MAX_VALUE && addBreakpoint((int) (long) l)) {
                    list((int) (long) l, 1);
                } else {
                    log("Wrong line number.");
                }
            } else {
                if (l >= -Integer.MAX_VALUE && delBreakpoint((int) -l)) {
                    log("Breakpoint removed.");
                } else {
                    log("No breakpoint in the specified line.");
                }
            }
        }
    }

    /** Redis' string2l: the whole string is a decimal integer without leading zeros or '+'. */
    private static Long strictLong(String s) {
        if (s.isEmpty() || s.length() > 20 || s.startsWith("+") || (s.length() > 1 && s.startsWith("0"))
            || s.startsWith("-0")) {
            return null;
        }
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    // ---- YES sessions: the pre-images of what the script writes ----

    /**
     * Before a write command runs in a YES session: keeps the pre-image of each key it may write
     * (the keys of its key specification, SORT's STORE key, MOVE's and COPY ... DB's target in the other database).
     * Returns null, or the error text for a command whose effects could not be put back.
     */
    String beforeWrite(Engine engine, Database db, CommandSpec spec, Args a) {
        String name = spec.fullName();
        if (name.equals("flushall") || name.equals("flushdb") || name.equals("swapdb")) {
            return NOT_UNDOABLE;
        }
        for (int pos : spec.keySpec.keys(a)) {
            if (pos < a.argc()) {
                keep(engine, db, a.bytes(pos));
            }
        }
        if (name.equals("move") && a.argc() == 3 && a.isLong(2)) {
            long target = a.longAt(2);
            if (target >= 0 && target < engine.keyspace.databases()) {
                keep(engine, engine.keyspace.db((int) target), a.bytes(1));
            }
        } else if (name.equals("sort")) {
            // SORT ... STORE dest: Redis finds that key with a getkeys procedure, our key spec has only the source
            for (int i = 2; i + 1 < a.argc(); i++) {
                if (a.str(i).equalsIgnoreCase("store")) {
                    keep(engine, db, a.bytes(i + 1));
                }
            }
        } else if (name.equals("copy")) {
            for (int i = 3; i + 1 < a.argc(); i++) {
                if (a.str(i).equalsIgnoreCase("db") && a.isLong(i + 1)) {
                    long target = a.longAt(i + 1);
                    if (target >= 0 && target < engine.keyspace.databases()) {
                        keep(engine, engine.keyspace.db((int) target), a.bytes(2));
                    }
                }
            }
        }
        return null;
    }

    private static String id(Database db, byte[] key) {
        return db.index + ":" + new String(key, StandardCharsets.ISO_8859_1);
    }

    private void keep(Engine engine, Database db, byte[] key) {
        String id = id(db, key);
        if (preImages.containsKey(id)) {
            return;
        }
        Keyspace ks = engine.keyspace;
        Entry e = ks.lookupReadNoTouch(db, key, 0, key.length);
        if (e == null || (e.expireAt() >= 0 && e.expireAt() <= ks.now())) {
            preImages.put(id, new byte[][] {key, null, null});
            return;
        }
        byte[] dump = Dump.serialize(RdbCodec.toRdb(e.value()));
        byte[] ttl = Long.toString(e.expireAt()).getBytes(StandardCharsets.US_ASCII);
        preImages.put(id, new byte[][] {key, dump, ttl});
    }

    /** End of a YES session: the script's AOF records are dropped and every key written is put back. */
    void rollBack(Engine engine) {
        if (engine.aof != null) {
            engine.aof.dropTransaction();
        }
        Keyspace ks = engine.keyspace;
        for (Map.Entry<String, byte[][]> en : preImages.entrySet()) {
            int db = Integer.parseInt(en.getKey().substring(0, en.getKey().indexOf(':')));
            Database d = ks.db(db);
            byte[][] img = en.getValue();
            byte[] key = img[0];
            ks.delete(d, key, 0, key.length);
            if (img[1] == null) {
                continue;
            }
            try {
                Object value = RdbCodec.fromRdb(Dump.deserialize(img[1]), engine.config);
                Entry ne = ks.add(d, key, value);
                long at = Long.parseLong(new String(img[2], StandardCharsets.US_ASCII));
                if (at >= 0) {
                    d.setExpire(ne, at);
                }
            } catch (io.strata.storage.StorageException e) {
                throw new IllegalStateException("pre-image of key=" + Arrays.toString(key) + " does not load", e);
            }
        }
        preImages.clear();
    }

    static final String[] HELP = {
        "Redis Lua debugger help:",
        "[h]elp               Show this help.",
        "[s]tep               Run current line and stop again.",
        "[n]ext               Alias for step.",
        "[c]ontinue           Run till next breakpoint.",
        "[l]ist               List source code around current line.",
        "[l]ist [line]        List source code around [line].",
        "                     line = 0 means: current position.",
        "[l]ist [line] [ctx]  In this form [ctx] specifies how many lines",
        "                     to show before/after [line].",
        "[w]hole              List all source code. Alias for 'list 1 1000000'.",
        "[p]rint              Show all the local variables.",
        "[p]rint <var>        Show the value of the specified variable.",
        "                     Can also show global vars KEYS and ARGV.",
        "[b]reak              Show all breakpoints.",
        "[b]reak <line>       Add a breakpoint to the specified line.",
        "[b]reak -<line>      Remove breakpoint from the specified line.",
        "[b]reak 0            Remove all breakpoints.",
        "[t]race              Show a backtrace.",
        "[e]val <code>        Execute some Lua code (in a different callframe).",
        "[r]edis <cmd>        Execute a Redis command.",
        "[m]axlen [len]       Trim logged Redis replies and Lua var dumps to len.",
        "                     Specifying zero as <len> means unlimited.",
        "[a]bort              Stop the execution of the script. In sync",
        "                     mode dataset changes will be retained.",
        "",
        "Debugger functions you can call from Lua scripts:",
        "redis.debug()        Produce logs in the debugger console.",
        "redis.breakpoint()   Stop execution like if there was a breakpoint in the",
        "                     next line of code.",
    };
}
