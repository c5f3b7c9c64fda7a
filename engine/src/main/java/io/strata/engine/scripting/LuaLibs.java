package io.strata.engine.scripting;

import party.iroiro.luajava.JFunction;
import party.iroiro.luajava.Lua;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The C libraries Redis bundles with its Lua, written against the Lua API in Java: {@code bit}
 * (LuaBitOp: 32-bit signed results) and {@code cjson} (encode/decode; a table whose keys are
 * exactly 1..n is an array, any other non-empty table an object, the empty table {@code {}}).
 *
 * <p>Thread rule: keyspace thread only (they run inside scripts).
 */
final class LuaLibs {
    private LuaLibs() {
    }

    static void open(LuaRuntime rt) {
        Lua L = rt.L;
        L.newTable();
        fn(L, "tobit", l -> ret(l, (int) arg(l, 1)));
        fn(L, "bnot", l -> ret(l, ~(int) arg(l, 1)));
        fn(L, "band", l -> fold(l, 0xffffffff, 0));
        fn(L, "bor", l -> fold(l, 0, 1));
        fn(L, "bxor", l -> fold(l, 0, 2));
        fn(L, "lshift", l -> ret(l, (int) arg(l, 1) << ((int) arg(l, 2) & 31)));
        fn(L, "rshift", l -> ret(l, (int) arg(l, 1) >>> ((int) arg(l, 2) & 31)));
        fn(L, "arshift", l -> ret(l, (int) arg(l, 1) >> ((int) arg(l, 2) & 31)));
        fn(L, "rol", l -> ret(l, Integer.rotateLeft((int) arg(l, 1), (int) arg(l, 2) & 31)));
        fn(L, "ror", l -> ret(l, Integer.rotateRight((int) arg(l, 1), (int) arg(l, 2) & 31)));
        fn(L, "bswap", l -> ret(l, Integer.reverseBytes((int) arg(l, 1))));
        fn(L, "tohex", LuaLibs::tohex);
        L.setGlobal("bit");

        L.newTable();
        L.newTable(); // cjson.null: a unique value decode returns for JSON null
        L.setField(-2, "null");
        fn(L, "encode", l -> {
            if (l.getTop() != 1) {
                l.push("bad argument #1 to 'encode' (expected 1 argument)");
                return -1;
            }
            StringBuilder err = new StringBuilder();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            l.getGlobal("cjson");
            l.getField(-1, "null");
            int nullIdx = l.getTop();
            if (!encode(rt, l, 1, out, 0, nullIdx, err)) {
                l.setTop(0);
                l.push(err.toString());
                return -1;
            }
            l.setTop(0);
            rt.pushBytes(out.toByteArray());
            return 1;
        });
        fn(L, "decode", l -> {
            if (l.getTop() != 1 || !l.isString(1)) {
                l.push("bad argument #1 to 'decode' (string expected)");
                return -1;
            }
            byte[] s = rt.bytes(1);
            l.getGlobal("cjson");
            l.getField(-1, "null");
            int nullIdx = l.getTop();
            Decoder d = new Decoder(rt, l, s, nullIdx);
            try {
                d.skipWs();
                d.value(0);
                d.skipWs();
                if (d.pos != s.length) {
                    throw d.fail("the end");
                }
            } catch (IllegalArgumentException e) {
                l.setTop(0);
                l.push(e.getMessage());
                return -1;
            }
            return 1;
        });
        L.setGlobal("cjson");
    }

    private static void fn(Lua L, String name, JFunction f) {
        L.push(f);
        L.setField(-2, name);
    }

    /** LuaBitOp's argument normalisation: the number modulo 2^32. */
    private static long arg(Lua l, int i) {
        double d = l.toNumber(i);
        return (long) d;
    }

    private static int ret(Lua l, int v) {
        l.push((double) v);
        return 1;
    }

    private static int fold(Lua l, int start, int op) {
        int acc = l.getTop() > 0 ? (int) arg(l, 1) : start;
        for (int i = 2; i <= l.getTop(); i++) {
            int v = (int) arg(l, i);
            acc = op == 0 ? acc & v : op == 1 ? acc | v : acc ^ v;
        }
        return ret(l, acc);
    }

    private static int tohex(Lua l) {
        int x = (int) arg(l, 1);
        int n = l.getTop() >= 2 ? (int) arg(l, 2) : 8;
        boolean upper = n < 0;
        n = Math.min(8, Math.abs(n));
        String h = String.format(upper ? "%08X" : "%08x", x);
        l.push(h.substring(8 - n));
        return 1;
    }

    private static boolean encode(LuaRuntime rt, Lua l, int idx, ByteArrayOutputStream out, int depth, int nullIdx,
                                  StringBuilder err) {
        if (depth > 1000) {
            err.append("Cannot serialise, excessive nesting (1001)");
            return false;
        }
        switch (l.type(idx)) {
            case NIL:
                out.writeBytes("null".getBytes(StandardCharsets.US_ASCII));
                return true;
            case BOOLEAN:
                out.writeBytes((l.toBoolean(idx) ? "true" : "false").getBytes(StandardCharsets.US_ASCII));
                return true;
            case NUMBER:
                double d = l.toNumber(idx);
                if (Double.isNaN(d) || Double.isInfinite(d)) {
                    err.append("Cannot serialise number: must not be NaN or Inf");
                    return false;
                }
                out.writeBytes(LuaRuntime.numberText(d).getBytes(StandardCharsets.US_ASCII));
                return true;
            case STRING:
                string(rt.bytes(idx), out);
                return true;
            case TABLE:
                break;
            default:
                err.append("Cannot serialise ").append(l.type(idx).name().toLowerCase()).append(": type not supported");
                return false;
        }
        if (l.rawEqual(idx, nullIdx)) {
            out.writeBytes("null".getBytes(StandardCharsets.US_ASCII));
            return true;
        }
        int t = idx < 0 ? l.getTop() + idx + 1 : idx;
        l.checkStack(6);
        // an array when every key is a positive integer and they are 1..n
        long count = 0;
        double max = 0;
        boolean array = true;
        l.pushNil();
        while (l.next(t) != 0) {
            l.pop(1);
            count++;
            if (l.type(-1) == Lua.LuaType.NUMBER) {
                double k = l.toNumber(-1);
                if (k >= 1 && k == Math.floor(k)) {
                    max = Math.max(max, k);
                    continue;
                }
            }
            array = false;
        }
        if (array && count > 0 && max == count) {
            out.write('[');
            for (int i = 1; i <= count; i++) {
                if (i > 1) {
                    out.write(',');
                }
                l.rawGetI(t, i);
                if (!encode(rt, l, -1, out, depth + 1, nullIdx, err)) {
                    return false;
                }
                l.pop(1);
            }
            out.write(']');
            return true;
        }
        out.write('{');
        boolean first = true;
        l.pushNil();
        while (l.next(t) != 0) {
            if (!first) {
                out.write(',');
            }
            first = false;
            Lua.LuaType kt = l.type(-2);
            if (kt == Lua.LuaType.STRING) {
                string(rt.bytes(-2), out);
            } else if (kt == Lua.LuaType.NUMBER) {
                string(LuaRuntime.numberText(l.toNumber(-2)).getBytes(StandardCharsets.US_ASCII), out);
            } else {
                err.append("Cannot serialise ").append(kt.name().toLowerCase()).append(": table key must be a number or string");
                return false;
            }
            out.write(':');
            if (!encode(rt, l, -1, out, depth + 1, nullIdx, err)) {
                return false;
            }
            l.pop(1);
        }
        out.write('}');
        return true;
    }

    /** A JSON string as Lua cjson writes it ("/" escaped too). */
    private static void string(byte[] s, ByteArrayOutputStream out) {
        out.write('"');
        for (byte b : s) {
            int c = b & 0xff;
            switch (c) {
                case '"': out.write('\\'); out.write('"'); break;
                case '\\': out.write('\\'); out.write('\\'); break;
                case '/': out.write('\\'); out.write('/'); break;
                case '\b': out.write('\\'); out.write('b'); break;
                case '\f': out.write('\\'); out.write('f'); break;
                case '\n': out.write('\\'); out.write('n'); break;
                case '\r': out.write('\\'); out.write('r'); break;
                case '\t': out.write('\\'); out.write('t'); break;
                default:
                    if (c < 0x20 || c == 0x7f) {
                        out.writeBytes(String.format("\\u%04x", c).getBytes(StandardCharsets.US_ASCII));
                    } else {
                        out.write(c);
                    }
            }
        }
        out.write('"');
    }

    /** A recursive-descent JSON reader that pushes Lua values as it goes. */
    private static final class Decoder {
        final LuaRuntime rt;
        final Lua l;
        final byte[] s;
        final int nullIdx;
        int pos;

        Decoder(LuaRuntime rt, Lua l, byte[] s, int nullIdx) {
            this.rt = rt;
            this.l = l;
            this.s = s;
            this.nullIdx = nullIdx;
        }

        IllegalArgumentException fail(String expected) {
            String found = pos >= s.length ? "the end" : "'" + (char) (s[pos] & 0xff) + "'";
            return new IllegalArgumentException("Expected " + expected + " but found " + found + " at character " + (pos + 1));
        }

        void skipWs() {
            while (pos < s.length && (s[pos] == ' ' || s[pos] == '\t' || s[pos] == '\n' || s[pos] == '\r')) {
                pos++;
            }
        }

        void value(int depth) {
            if (depth > 1000) {
                throw new IllegalArgumentException("Found too many nested data structures (1001) at character " + (pos + 1));
            }
            l.checkStack(4);
            if (pos >= s.length) {
                throw fail("value");
            }
            byte c = s[pos];
            switch (c) {
                case '{': object(depth); return;
                case '[': array(depth); return;
                case '"': rt.pushBytes(string()); return;
                case 't': literal("true"); l.push(true); return;
                case 'f': literal("false"); l.push(false); return;
                case 'n': literal("null"); l.pushValue(nullIdx); return;
                default:
                    if (c == '-' || (c >= '0' && c <= '9')) {
                        number();
                        return;
                    }
                    throw fail("value");
            }
        }

        void literal(String w) {
            for (int i = 0; i < w.length(); i++) {
                if (pos + i >= s.length || s[pos + i] != w.charAt(i)) {
                    throw fail("value");
                }
            }
            pos += w.length();
        }

        void number() {
            int start = pos;
            while (pos < s.length && "+-0123456789.eE".indexOf(s[pos]) >= 0) {
                pos++;
            }
            try {
                l.push(Double.parseDouble(new String(s, start, pos - start, StandardCharsets.US_ASCII)));
            } catch (NumberFormatException e) {
                pos = start;
                throw fail("value");
            }
        }

        byte[] string() {
            pos++;
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            while (true) {
                if (pos >= s.length) {
                    throw fail("string");
                }
                byte c = s[pos++];
                if (c == '"') {
                    return out.toByteArray();
                }
                if (c != '\\') {
                    out.write(c);
                    continue;
                }
                if (pos >= s.length) {
                    throw fail("string");
                }
                byte e = s[pos++];
                switch (e) {
                    case 'b': out.write('\b'); break;
                    case 'f': out.write('\f'); break;
                    case 'n': out.write('\n'); break;
                    case 'r': out.write('\r'); break;
                    case 't': out.write('\t'); break;
                    case 'u':
                        if (pos + 4 > s.length) {
                            throw fail("string");
                        }
                        int cp = Integer.parseInt(new String(s, pos, 4, StandardCharsets.US_ASCII), 16);
                        pos += 4;
                        out.writeBytes(new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8));
                        break;
                    default: out.write(e);
                }
            }
        }

        void array(int depth) {
            pos++;
            l.newTable();
            skipWs();
            if (pos < s.length && s[pos] == ']') {
                pos++;
                return;
            }
            for (int i = 1; ; i++) {
                skipWs();
                value(depth + 1);
                l.rawSetI(-2, i);
                skipWs();
                if (pos < s.length && s[pos] == ',') {
                    pos++;
                    continue;
                }
                if (pos < s.length && s[pos] == ']') {
                    pos++;
                    return;
                }
                throw fail("comma or array end");
            }
        }

        void object(int depth) {
            pos++;
            l.newTable();
            skipWs();
            if (pos < s.length && s[pos] == '}') {
                pos++;
                return;
            }
            while (true) {
                skipWs();
                if (pos >= s.length || s[pos] != '"') {
                    throw fail("object key string");
                }
                rt.pushBytes(string());
                skipWs();
                if (pos >= s.length || s[pos] != ':') {
                    throw fail("colon");
                }
                pos++;
                skipWs();
                value(depth + 1);
                l.rawSet(-3);
                skipWs();
                if (pos < s.length && s[pos] == ',') {
                    pos++;
                    continue;
                }
                if (pos < s.length && s[pos] == '}') {
                    pos++;
                    return;
                }
                throw fail("comma or object end");
            }
        }
    }
}
