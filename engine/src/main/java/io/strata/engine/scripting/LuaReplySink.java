package io.strata.engine.scripting;

import io.strata.engine.command.ReplySink;
import io.strata.engine.util.Numbers;
import party.iroiro.luajava.Lua;

import java.nio.charset.StandardCharsets;

/**
 * The reply sink of commands called from Lua: it builds the Lua value of the reply on the Lua
 * stack as the handler writes it, with Redis' conversions (integer → number, bulk → string, nil →
 * false, status → {ok=}, error → {err=}, array → table; under {@code redis.setresp(3)} also map →
 * {map=}, set → {set=}, double → {double=}, null → nil, boolean → boolean). No intermediate reply
 * object is made.
 *
 * <p>Thread rule: keyspace thread only.
 */
final class LuaReplySink implements ReplySink {
    private static final int ARRAY = 0;
    private static final int MAP = 1;
    private static final int SET = 2;

    private final LuaRuntime rt;
    private final Lua L;
    /** RESP version the script asked for with redis.setresp. */
    int protocol = 2;
    private long errors;
    // open aggregates, innermost last: kind, elements still expected, next array index
    private int[] kind = new int[16];
    private int[] remaining = new int[16];
    private int[] next = new int[16];
    private boolean[] keyPending = new boolean[16];
    private int depth;
    /**
     * While the debugger logs this command's reply: the reply in Redis' human form
     * (ldbRedisProtocolToHuman), built as the handler writes it; null otherwise.
     */
    StringBuilder human;
    // open aggregates of the human form: kind (ARRAY, MAP, SET), items expected (a map's pairs count twice), seen
    private int[] hKind = new int[8];
    private int[] hTotal = new int[8];
    private int[] hSeen = new int[8];
    private int hDepth;

    LuaReplySink(LuaRuntime rt) {
        this.rt = rt;
        this.L = rt.L;
    }

    /** Before each command called from Lua. */
    void begin() {
        depth = 0;
        hDepth = 0;
    }

    /** The separator before the next item of the open aggregate. */
    private void hSep() {
        if (hDepth == 0) {
            return;
        }
        int d = hDepth - 1;
        if (hSeen[d] > 0) {
            human.append(hKind[d] == MAP && hSeen[d] % 2 == 1 ? " => " : ",");
        }
    }

    /** One item is complete: closes the aggregates it completes. */
    private void hDone() {
        while (hDepth > 0) {
            int d = hDepth - 1;
            if (++hSeen[d] < hTotal[d]) {
                return;
            }
            human.append(hKind[d] == ARRAY ? "]" : hKind[d] == MAP ? "}" : ")");
            hDepth--;
        }
    }

    private void hValue(String text) {
        if (human != null) {
            hSep();
            human.append(text);
            hDone();
        }
    }

    private void hOpen(int k, int items) {
        if (human == null) {
            return;
        }
        hSep();
        human.append(k == ARRAY ? "[" : k == MAP ? "{" : "~(");
        if (items == 0) {
            human.append(k == ARRAY ? "]" : k == MAP ? "}" : ")");
            hDone();
            return;
        }
        if (hDepth == hKind.length) {
            hKind = java.util.Arrays.copyOf(hKind, hDepth * 2);
            hTotal = java.util.Arrays.copyOf(hTotal, hDepth * 2);
            hSeen = java.util.Arrays.copyOf(hSeen, hDepth * 2);
        }
        hKind[hDepth] = k;
        hTotal[hDepth] = items;
        hSeen[hDepth] = 0;
        hDepth++;
    }

    /** sdscatrepr: quoted, with C escapes for the bytes that are not printable ASCII. */
    static String repr(byte[] b, int off, int len) {
        return io.strata.engine.util.Bytes.repr(b, off, len);
    }

    private static String repr(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return repr(b, 0, b.length);
    }

    @Override
    public int protocol() {
        return protocol;
    }

    /** A value was pushed: store it in the open aggregate, closing those that are complete. */
    private void pushed() {
        while (depth > 0) {
            int d = depth - 1;
            switch (kind[d]) {
                case ARRAY:
                    L.rawSetI(-2, next[d]++);
                    break;
                case MAP:
                    if (!keyPending[d]) {
                        keyPending[d] = true;
                        return; // the key waits on the stack for its value
                    }
                    keyPending[d] = false;
                    L.rawSet(-3);
                    break;
                default: // SET: {member=true}
                    L.push(true);
                    L.rawSet(-3);
            }
            if (--remaining[d] > 0) {
                return;
            }
            depth--;
            if (kind[d] != ARRAY) {
                // the inner table becomes {map=t} / {set=t}
                L.newTable();
                L.insert(-2);
                L.push(kind[d] == MAP ? "map" : "set");
                L.insert(-2);
                L.rawSet(-3);
            }
        }
    }

    private void open(int k, int n) {
        L.checkStack(4);
        L.createTable(k == ARRAY ? n : 0, k == ARRAY ? 0 : n);
        if (n == 0) {
            if (k != ARRAY) {
                L.newTable();
                L.insert(-2);
                L.push(k == MAP ? "map" : "set");
                L.insert(-2);
                L.rawSet(-3);
            }
            pushed();
            return;
        }
        if (depth == kind.length) {
            kind = java.util.Arrays.copyOf(kind, depth * 2);
            remaining = java.util.Arrays.copyOf(remaining, depth * 2);
            next = java.util.Arrays.copyOf(next, depth * 2);
            keyPending = java.util.Arrays.copyOf(keyPending, depth * 2);
        }
        kind[depth] = k;
        remaining[depth] = n;
        next[depth] = 1;
        keyPending[depth] = false;
        depth++;
    }

    @Override
    public void ok() {
        simple("OK");
    }

    @Override
    public void simple(String text) {
        hValue(human == null ? null : repr("+" + text));
        L.newTable();
        L.push("ok");
        L.push(text);
        L.rawSet(-3);
        pushed();
    }

    @Override
    public void error(String text) {
        errors++;
        Ldb d = rt.ldbLogging();
        if (d != null) {
            d.log("<error> -" + text); // as luaPushError logs a command's error reply
        }
        hValue(human == null ? null : repr("-" + text));
        L.newTable();
        L.push("err");
        L.push(text);
        L.rawSet(-3);
        // as Redis' redisProtocolToLuaType_Error: the error was counted when the command failed
        L.push("ignore_error_stats_update");
        L.push(true);
        L.rawSet(-3);
        pushed();
    }

    @Override
    public void integer(long v) {
        hValue(human == null ? null : Long.toString(v));
        L.push((double) v);
        pushed();
    }

    @Override
    public void bulk(byte[] b) {
        hValue(human == null ? null : repr(b, 0, b.length));
        rt.pushBytes(b, 0, b.length);
        pushed();
    }

    @Override
    public void bulk(byte[] b, int off, int len) {
        hValue(human == null ? null : repr(b, off, len));
        rt.pushBytes(b, off, len);
        pushed();
    }

    @Override
    public void bulk(String s) {
        bulk(s.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void nullBulk() {
        hValue(protocol == 2 ? "NULL" : "(null)");
        if (protocol == 2) {
            L.push(false);
        } else {
            L.pushNil();
        }
        pushed();
    }

    @Override
    public void nullArray() {
        nullBulk(); // RESP2 *-1 and $-1 both read NULL, RESP3 _ reads (null)
    }

    @Override
    public void array(int n) {
        hOpen(ARRAY, n);
        open(ARRAY, n);
    }

    @Override
    public void map(int n) {
        hOpen(protocol == 2 ? ARRAY : MAP, 2 * n);
        if (protocol == 2) {
            open(ARRAY, 2 * n);
        } else {
            open(MAP, n);
        }
    }

    @Override
    public void set(int n) {
        hOpen(protocol == 2 ? ARRAY : SET, n);
        open(protocol == 2 ? ARRAY : SET, n);
    }

    @Override
    public void push(int n) {
        hOpen(ARRAY, n);
        open(ARRAY, n);
    }

    @Override
    public void dbl(double d) {
        if (protocol == 2) {
            bulk(Numbers.formatDouble(d));
            return;
        }
        hValue("(double) " + Numbers.formatDouble(d));
        L.newTable();
        L.push("double");
        L.push(d);
        L.rawSet(-3);
        pushed();
    }

    @Override
    public void dblText(String text) {
        if (protocol == 2) {
            bulk(text);
        } else {
            dbl(Double.parseDouble(text));
        }
    }

    @Override
    public void bool(boolean b) {
        if (protocol == 2) {
            if (b) {
                integer(1);
            } else {
                // RESP2 clients see :0 for false, and Lua sees what :0 converts to
                integer(0);
            }
            return;
        }
        hValue(b ? "#true" : "#false");
        L.push(b);
        pushed();
    }

    @Override
    public void verbatim(String text) {
        bulk(text);
    }

    @Override
    public long errors() {
        return errors;
    }
}
