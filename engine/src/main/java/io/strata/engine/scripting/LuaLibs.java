package io.strata.engine.scripting;

import party.iroiro.luajava.JFunction;
import party.iroiro.luajava.Lua;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The C libraries Redis bundles with its Lua, written against the Lua API in Java: {@code bit}
 * (LuaBitOp: 32-bit signed results), {@code cjson} (encode/decode; a table whose keys are
 * exactly 1..n is an array, any other non-empty table an object, the empty table {@code {}}) and
 * {@code struct} (pack/unpack/size with the formats {@code < > = x b B h H l L T i I f d s c};
 * the {@code !} alignment option is not supported) and {@code cmsgpack} (pack/unpack, lua-cmsgpack's
 * encodings: the smallest integer form, float32 when lossless, a table with keys 1..n as an array).
 *
 * <p>Thread rule: keyspace thread only (they run inside scripts).
 */
final class LuaLibs {
    private LuaLibs() {
    }

    static void open(LuaRuntime rt) {
        Lua L = rt.L;
        try {
            // luaL_where(L, 1) of a C function: the position of the Lua code that called it
            L.load("local getinfo = debug.getinfo return function() local i = getinfo(3, 'Sl') "
                + "if i and i.currentline > 0 then return i.short_src .. ':' .. i.currentline .. ': ' end return '' end");
            L.pCall(0, 1);
        } catch (party.iroiro.luajava.LuaException e) {
            throw new IllegalStateException("Lua set-up failed: " + e.getMessage(), e);
        }
        WHERE.put(L, L.ref());
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
                return raise(l, "bad argument #1 to 'encode' (expected 1 argument)");
            }
            StringBuilder err = new StringBuilder();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            l.getGlobal("cjson");
            l.getField(-1, "null");
            int nullIdx = l.getTop();
            if (!encode(rt, l, 1, out, 0, nullIdx, err)) {
                return raise(l, err.toString());
            }
            l.setTop(0);
            rt.pushBytes(out.toByteArray());
            return 1;
        });
        fn(L, "decode", l -> {
            if (l.getTop() != 1 || !l.isString(1)) {
                return raise(l, "bad argument #1 to 'decode' (string expected)");
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
                return raise(l, e.getMessage());
            }
            return 1;
        });
        L.setGlobal("cjson");

        L.newTable();
        fn(L, "pack", l -> Struct.pack(rt, l));
        fn(L, "unpack", l -> Struct.unpack(rt, l));
        fn(L, "size", l -> Struct.size(rt, l));
        L.setGlobal("struct");

        L.newTable();
        fn(L, "pack", l -> MsgPack.pack(rt, l));
        fn(L, "unpack", l -> MsgPack.unpack(rt, l));
        L.setGlobal("cmsgpack");
    }

    /** lua-cmsgpack as Redis bundles it. */
    private static final class MsgPack {
        static int pack(LuaRuntime rt, Lua l) {
            int n = l.getTop();
            if (n == 0) {
                return raise(l, "MessagePack pack needs input.");
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (int i = 1; i <= n; i++) {
                encode(rt, l, i, out, 0);
            }
            l.setTop(0);
            rt.pushBytes(out.toByteArray());
            return 1;
        }

        private static void be(ByteArrayOutputStream out, long v, int bytes) {
            for (int i = bytes - 1; i >= 0; i--) {
                out.write((int) (v >>> (8 * i)) & 0xff);
            }
        }

        private static void encode(LuaRuntime rt, Lua l, int idx, ByteArrayOutputStream out, int depth) {
            int t = idx < 0 ? l.getTop() + idx + 1 : idx;
            switch (l.type(t)) {
                case STRING: {
                    byte[] b = rt.bytes(t);
                    int len = b.length;
                    if (len < 32) {
                        out.write(0xa0 | len);
                    } else if (len <= 0xff) {
                        out.write(0xd9);
                        be(out, len, 1);
                    } else if (len <= 0xffff) {
                        out.write(0xda);
                        be(out, len, 2);
                    } else {
                        out.write(0xdb);
                        be(out, len, 4);
                    }
                    out.writeBytes(b);
                    return;
                }
                case BOOLEAN:
                    out.write(l.toBoolean(t) ? 0xc3 : 0xc2);
                    return;
                case NUMBER: {
                    double d = l.toNumber(t);
                    if (d == Math.rint(d) && Math.abs(d) < 9.2e18) {
                        integer(out, (long) d);
                    } else if ((double) (float) d == d) {
                        out.write(0xca);
                        be(out, Float.floatToIntBits((float) d) & 0xffffffffL, 4);
                    } else {
                        out.write(0xcb);
                        be(out, Double.doubleToLongBits(d), 8);
                    }
                    return;
                }
                case TABLE:
                    if (depth < 16) {
                        table(rt, l, t, out, depth);
                        return;
                    }
                    out.write(0xc0);
                    return;
                default:
                    out.write(0xc0);
            }
        }

        private static void integer(ByteArrayOutputStream out, long v) {
            if (v >= 0) {
                if (v < 128) {
                    out.write((int) v);
                } else if (v <= 0xff) {
                    out.write(0xcc);
                    be(out, v, 1);
                } else if (v <= 0xffff) {
                    out.write(0xcd);
                    be(out, v, 2);
                } else if (v <= 0xffffffffL) {
                    out.write(0xce);
                    be(out, v, 4);
                } else {
                    out.write(0xcf);
                    be(out, v, 8);
                }
            } else if (v >= -32) {
                out.write((int) v & 0xff);
            } else if (v >= -128) {
                out.write(0xd0);
                be(out, v, 1);
            } else if (v >= -32768) {
                out.write(0xd1);
                be(out, v, 2);
            } else if (v >= -2147483648L) {
                out.write(0xd2);
                be(out, v, 4);
            } else {
                out.write(0xd3);
                be(out, v, 8);
            }
        }

        private static void table(LuaRuntime rt, Lua l, int t, ByteArrayOutputStream out, int depth) {
            l.checkStack(6);
            long count = 0;
            double max = 0;
            boolean array = true;
            l.pushNil();
            while (l.next(t) != 0) {
                l.pop(1);
                count++;
                if (l.type(-1) == Lua.LuaType.NUMBER && l.toNumber(-1) > 0 && l.toNumber(-1) == Math.floor(l.toNumber(-1))) {
                    max = Math.max(max, l.toNumber(-1));
                } else {
                    array = false;
                }
            }
            if (array && max == count) {
                header(out, count, 0x90, 0xdc, 0xdd);
                for (int i = 1; i <= count; i++) {
                    l.rawGetI(t, i);
                    encode(rt, l, -1, out, depth + 1);
                    l.pop(1);
                }
                return;
            }
            header(out, count, 0x80, 0xde, 0xdf);
            l.pushNil();
            while (l.next(t) != 0) {
                encode(rt, l, -2, out, depth + 1);
                encode(rt, l, -1, out, depth + 1);
                l.pop(1);
            }
        }

        private static void header(ByteArrayOutputStream out, long n, int fix, int b16, int b32) {
            if (n < 16) {
                out.write(fix | (int) n);
            } else if (n <= 0xffff) {
                out.write(b16);
                be(out, n, 2);
            } else {
                out.write(b32);
                be(out, n, 4);
            }
        }

        static int unpack(LuaRuntime rt, Lua l) {
            if (l.getTop() != 1 || !l.isString(1)) {
                return raise(l, "MessagePack unpack needs a string.");
            }
            byte[] s = rt.bytes(1);
            l.setTop(0);
            int[] pos = {0};
            int n = 0;
            try {
                while (pos[0] < s.length) {
                    decode(rt, l, s, pos, 0);
                    n++;
                }
            } catch (IndexOutOfBoundsException e) {
                return raise(l, "Missing bytes in input.");
            } catch (IllegalArgumentException e) {
                return raise(l, e.getMessage());
            }
            return n;
        }

        private static long rd(byte[] s, int[] pos, int bytes) {
            if (pos[0] + bytes > s.length) {
                throw new IndexOutOfBoundsException();
            }
            long v = 0;
            for (int i = 0; i < bytes; i++) {
                v = (v << 8) | (s[pos[0]++] & 0xff);
            }
            return v;
        }

        private static void str(LuaRuntime rt, byte[] s, int[] pos, long len) {
            if (pos[0] + len > s.length) {
                throw new IndexOutOfBoundsException();
            }
            rt.pushBytes(s, pos[0], (int) len);
            pos[0] += (int) len;
        }

        private static void decode(LuaRuntime rt, Lua l, byte[] s, int[] pos, int depth) {
            l.checkStack(4);
            int c = (int) rd(s, pos, 1);
            if (c < 0x80) {
                l.push((double) c);
            } else if (c >= 0xe0) {
                l.push((double) (c - 256));
            } else if ((c & 0xf0) == 0x80) {
                map(rt, l, s, pos, c & 0x0f, depth);
            } else if ((c & 0xf0) == 0x90) {
                array(rt, l, s, pos, c & 0x0f, depth);
            } else if ((c & 0xe0) == 0xa0) {
                str(rt, s, pos, c & 0x1f);
            } else {
                switch (c) {
                    case 0xc0: l.pushNil(); break;
                    case 0xc2: l.push(false); break;
                    case 0xc3: l.push(true); break;
                    case 0xc4: case 0xd9: str(rt, s, pos, rd(s, pos, 1)); break;
                    case 0xc5: case 0xda: str(rt, s, pos, rd(s, pos, 2)); break;
                    case 0xc6: case 0xdb: str(rt, s, pos, rd(s, pos, 4)); break;
                    case 0xca: l.push((double) Float.intBitsToFloat((int) rd(s, pos, 4))); break;
                    case 0xcb: l.push(Double.longBitsToDouble(rd(s, pos, 8))); break;
                    case 0xcc: l.push((double) rd(s, pos, 1)); break;
                    case 0xcd: l.push((double) rd(s, pos, 2)); break;
                    case 0xce: l.push((double) rd(s, pos, 4)); break;
                    case 0xcf: {
                        long v = rd(s, pos, 8);
                        l.push(v >= 0 ? (double) v : (double) (v >>> 1) * 2 + (v & 1));
                        break;
                    }
                    case 0xd0: l.push((double) (byte) rd(s, pos, 1)); break;
                    case 0xd1: l.push((double) (short) rd(s, pos, 2)); break;
                    case 0xd2: l.push((double) (int) rd(s, pos, 4)); break;
                    case 0xd3: l.push((double) rd(s, pos, 8)); break;
                    case 0xdc: array(rt, l, s, pos, rd(s, pos, 2), depth); break;
                    case 0xdd: array(rt, l, s, pos, rd(s, pos, 4), depth); break;
                    case 0xde: map(rt, l, s, pos, rd(s, pos, 2), depth); break;
                    case 0xdf: map(rt, l, s, pos, rd(s, pos, 4), depth); break;
                    default: throw new IllegalArgumentException("Bad data format in input.");
                }
            }
        }

        private static void array(LuaRuntime rt, Lua l, byte[] s, int[] pos, long n, int depth) {
            l.newTable();
            for (int i = 1; i <= n; i++) {
                decode(rt, l, s, pos, depth + 1);
                l.rawSetI(-2, i);
            }
        }

        private static void map(LuaRuntime rt, Lua l, byte[] s, int[] pos, long n, int depth) {
            l.newTable();
            for (long i = 0; i < n; i++) {
                decode(rt, l, s, pos, depth + 1);
                decode(rt, l, s, pos, depth + 1);
                l.rawSet(-3);
            }
        }
    }

    /** Roberto Ierusalimschy's struct library, as Redis bundles it (x86-64 sizes, no alignment). */
    private static final class Struct {
        /** Size of one format option and its count argument; -1 for an unknown option. */
        private static int optSize(char c, int n) {
            switch (c) {
                case 'b': case 'B': case 'x': return 1;
                case 'h': case 'H': return 2;
                case 'l': case 'L': case 'T': case 'd': return 8;
                case 'f': return 4;
                case 'i': case 'I': return n < 0 ? 4 : n;
                case 'c': return Math.max(n, 1);
                default: return -1;
            }
        }

        /** Reads a count after an option at {@code pos[0]}; -1 when none. */
        private static int count(String f, int[] pos) {
            int i = pos[0];
            if (i >= f.length() || !Character.isDigit(f.charAt(i))) {
                return -1;
            }
            int n = 0;
            while (i < f.length() && Character.isDigit(f.charAt(i))) {
                n = n * 10 + (f.charAt(i++) - '0');
            }
            pos[0] = i;
            return n;
        }

        private static int fail(Lua l, String msg) {
            return raise(l, msg);
        }

        static int pack(LuaRuntime rt, Lua l) {
            String f = l.isString(1) ? rt.str(1) : null;
            if (f == null) {
                return fail(l, "bad argument #1 to 'pack' (string expected)");
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            boolean little = true;
            int arg = 2;
            int[] pos = {0};
            while (pos[0] < f.length()) {
                char c = f.charAt(pos[0]++);
                int n = count(f, pos);
                switch (c) {
                    case '<': case '=': little = true; continue;
                    case '>': little = false; continue;
                    case ' ': continue;
                    case '!': return fail(l, "struct alignment ('!') is not supported");
                    case 'x': out.write(0); continue;
                    case 'f': {
                        writeInt(out, Float.floatToIntBits((float) l.toNumber(arg++)) & 0xffffffffL, 4, little);
                        continue;
                    }
                    case 'd': writeInt(out, Double.doubleToLongBits(l.toNumber(arg++)), 8, little); continue;
                    case 's': case 'c': {
                        if (!l.isString(arg)) {
                            return fail(l, "bad argument #" + arg + " to 'pack' (string expected)");
                        }
                        byte[] b = rt.bytes(arg++);
                        if (c == 's') {
                            out.writeBytes(b);
                            out.write(0);
                        } else {
                            int len = n < 0 ? 1 : n == 0 ? b.length : n;
                            if (b.length < len) {
                                return fail(l, "bad argument #" + (arg - 1) + " to 'pack' (string too short)");
                            }
                            out.write(b, 0, len);
                        }
                        continue;
                    }
                    default:
                        int size = optSize(c, n);
                        if (size < 0) {
                            return fail(l, "invalid format option '" + c + "'");
                        }
                        if (!l.isNumber(arg)) {
                            return fail(l, "bad argument #" + arg + " to 'pack' (number expected, got "
                                + typeName(l, arg) + ")");
                        }
                        if (size > 8) {
                            return fail(l, "integral size " + size + " is larger than limit of 8");
                        }
                        writeInt(out, (long) l.toNumber(arg++), size, little);
                }
            }
            l.setTop(0);
            rt.pushBytes(out.toByteArray());
            return 1;
        }

        private static String typeName(Lua l, int i) {
            return l.isNone(i) ? "nil" : l.type(i).name().toLowerCase(java.util.Locale.ROOT);
        }

        private static void writeInt(ByteArrayOutputStream out, long v, int size, boolean little) {
            for (int i = 0; i < size; i++) {
                int shift = 8 * (little ? i : size - 1 - i);
                out.write(shift < 64 ? (int) (v >>> shift) & 0xff : 0);
            }
        }

        static int unpack(LuaRuntime rt, Lua l) {
            if (!l.isString(1) || !l.isString(2)) {
                return fail(l, "bad argument to 'unpack' (string expected)");
            }
            String f = rt.str(1);
            byte[] s = rt.bytes(2);
            int at = l.getTop() >= 3 ? (int) l.toNumber(3) - 1 : 0;
            if (at < 0 || at > s.length) {
                return fail(l, "bad argument #3 to 'unpack' (offset must be 1 or greater)");
            }
            l.setTop(0);
            boolean little = true;
            int results = 0;
            double last = 0;
            int[] pos = {0};
            while (pos[0] < f.length()) {
                char c = f.charAt(pos[0]++);
                int n = count(f, pos);
                switch (c) {
                    case '<': case '=': little = true; continue;
                    case '>': little = false; continue;
                    case ' ': continue;
                    case '!': return fail(l, "struct alignment ('!') is not supported");
                    case 'x': at++; continue;
                    case 's': {
                        int e = at;
                        while (e < s.length && s[e] != 0) {
                            e++;
                        }
                        if (e >= s.length) {
                            return fail(l, "unfinished string in data");
                        }
                        rt.pushBytes(s, at, e - at);
                        at = e + 1;
                        results++;
                        continue;
                    }
                    case 'c': {
                        int len = n < 0 ? 1 : n == 0 ? (int) last : n;
                        if (at + len > s.length) {
                            return fail(l, "data string too short");
                        }
                        rt.pushBytes(s, at, len);
                        at += len;
                        results++;
                        continue;
                    }
                    default:
                        int size = optSize(c, n);
                        if (size < 0) {
                            return fail(l, "invalid format option '" + c + "'");
                        }
                        if (at + size > s.length) {
                            return fail(l, "data string too short");
                        }
                        long v = 0;
                        for (int i = 0; i < size; i++) {
                            int b = s[at + (little ? size - 1 - i : i)] & 0xff;
                            v = (v << 8) | b;
                        }
                        at += size;
                        double d;
                        if (c == 'f') {
                            d = Float.intBitsToFloat((int) v);
                        } else if (c == 'd') {
                            d = Double.longBitsToDouble(v);
                        } else if (Character.isLowerCase(c) && size < 8 && (v & (1L << (8 * size - 1))) != 0) {
                            d = v - (1L << (8 * size)); // sign-extend the signed types
                        } else if (Character.isUpperCase(c) && size == 8 && v < 0) {
                            d = (double) (v >>> 1) * 2 + (v & 1);
                        } else {
                            d = v;
                        }
                        last = d;
                        l.push(d);
                        results++;
                }
            }
            l.push((double) (at + 1));
            return results + 1;
        }

        static int size(LuaRuntime rt, Lua l) {
            String f = l.isString(1) ? rt.str(1) : "";
            int total = 0;
            int[] pos = {0};
            while (pos[0] < f.length()) {
                char c = f.charAt(pos[0]++);
                int n = count(f, pos);
                if (c == '<' || c == '>' || c == '=' || c == ' ') {
                    continue;
                }
                if (c == 's' || (c == 'c' && n == 0)) {
                    return fail(l, "options 'c0' - 's' have undefined sizes");
                }
                int size = optSize(c, n);
                if (size < 0) {
                    return fail(l, "invalid format option '" + c + "'");
                }
                total += size;
            }
            l.setTop(0);
            l.push((double) total);
            return 1;
        }
    }

    /** Raises {@code msg} with the caller's position in front, as luaL_error does. Returns -1 for the JFunction. */
    static int raise(Lua l, String msg) {
        String where = "";
        l.setTop(0);
        l.refGet(WHERE.get(l.getMainState()));
        try {
            l.pCall(0, 1);
            where = l.isString(-1) ? l.toString(-1) : "";
        } catch (party.iroiro.luajava.LuaException e) {
            // no position then
        }
        l.setTop(0);
        l.push(where + msg);
        return -1;
    }

    private static final java.util.Map<Lua, Integer> WHERE = java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());

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
