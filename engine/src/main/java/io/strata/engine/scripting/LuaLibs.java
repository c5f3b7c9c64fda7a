package io.strata.engine.scripting;

import party.iroiro.luajava.JFunction;
import party.iroiro.luajava.Lua;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The C libraries Redis bundles with its Lua, written against the Lua API in Java: {@code bit}
 * (LuaBitOp: 32-bit signed results), {@code cjson} (encode/decode; a table whose keys are
 * exactly 1..n is an array, any other non-empty table an object, the empty table {@code {}}) and
 * {@code struct} (pack/unpack/size with the formats {@code < > ! x b B h H l L T i I f d s c},
 * alignment included) and {@code cmsgpack} (pack, unpack, unpack_one, unpack_limit; lua-cmsgpack's
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
        fn(L, "unpack_one", l -> MsgPack.unpackOne(rt, l));
        fn(L, "unpack_limit", l -> MsgPack.unpackLimit(rt, l));
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
            return unpackFull(rt, l, "unpack", 0, 0);
        }

        /** cmsgpack.unpack_one(msgpack [, offset]): the next offset (-1 at the end) and one value. */
        static int unpackOne(LuaRuntime rt, Lua l) {
            Long offset = optInteger(l, 2, "unpack_one");
            return offset == null ? -1 : unpackFull(rt, l, "unpack_one", 1, offset);
        }

        /** cmsgpack.unpack_limit(msgpack, limit [, offset]): the next offset (-1 at the end) and up to limit values. */
        static int unpackLimit(LuaRuntime rt, Lua l) {
            if (!l.isNumber(2)) {
                return argError(l, 2, "unpack_limit", "number expected, got " + typeOrNoValue(l, 2));
            }
            long limit = (long) l.toNumber(2);
            Long offset = optInteger(l, 3, "unpack_limit");
            return offset == null ? -1 : unpackFull(rt, l, "unpack_limit", limit, offset);
        }

        /** luaL_optinteger (truncating); null after raising the type error. */
        private static Long optInteger(Lua l, int i, String fname) {
            if (l.isNoneOrNil(i)) {
                return 0L;
            }
            if (!l.isNumber(i)) {
                argError(l, i, fname, "number expected, got " + typeOrNoValue(l, i));
                return null;
            }
            return (long) l.toNumber(i);
        }

        /**
         * mp_unpack_full: limit and offset both 0 decode everything and return only the values; otherwise
         * up to limit values from offset, preceded by the offset after them, or -1 when the input is used up.
         */
        private static int unpackFull(LuaRuntime rt, Lua l, String fname, long limit, long offset) {
            byte[] s = checkBytes(rt, l, 1, fname);
            if (s == null) {
                return -1;
            }
            if (offset < 0 || limit < 0) {
                // the C code prints the input length where it says limit
                return raise(l, "Invalid request to unpack with offset of " + (int) offset + " and limit of "
                    + s.length + ".");
            } else if (offset > s.length) {
                return raise(l, "Start offset " + offset + " greater than input length " + s.length + ".");
            }
            boolean all = limit == 0 && offset == 0;
            if (all) {
                limit = Integer.MAX_VALUE;
            }
            l.setTop(0);
            int[] pos = {(int) offset};
            int n = 0;
            try {
                for (; pos[0] < s.length && n < limit; n++) {
                    decode(rt, l, s, pos, 0);
                }
            } catch (IndexOutOfBoundsException e) {
                return raise(l, "Missing bytes in input.");
            } catch (IllegalArgumentException e) {
                return raise(l, e.getMessage());
            }
            if (all) {
                return n;
            }
            l.push((double) (pos[0] == s.length ? -1 : pos[0]));
            l.insert(1);
            return n + 1;
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

    /**
     * Roberto Ierusalimschy's struct library as Redis 7.0 bundles it (lua_struct.c), with x86-64 sizes:
     * short 2, int 4, long and size_t 8, integers up to 32 bytes. {@code !n} sets the maximum alignment
     * (a power of 2; {@code !} alone is the native maximum, 8); each option is then padded with zeros to
     * min(its size, the maximum) as the C code's gettoalign computes it; {@code c} and {@code x} never are.
     * Error texts and which errors are argument errors follow the C code.
     */
    private static final class Struct {
        /** The largest integer size ('i32'), MAXINTSIZE in lua_struct.c. */
        private static final int MAX_INT_SIZE = 32;
        /** The native maximum alignment on x86-64: offsetof(struct { char c; double d; }, d). */
        private static final int MAX_ALIGN = 8;

        /** Where the format is and the options read so far: the C code's fmt pointer and Header. */
        private static final class Fmt {
            final String f;
            int at;
            boolean little = true;
            int align = 1;

            Fmt(String f) {
                this.f = f;
            }
        }

        /** getnum: a count at the current position, or {@code df}; null after raising "integral size overflow". */
        private static Integer num(Lua l, Fmt h, int df, int[] failed) {
            if (h.at >= h.f.length() || !isDigit(h.f.charAt(h.at))) {
                return df;
            }
            int a = 0;
            do {
                int d = h.f.charAt(h.at) - '0';
                if (a > Integer.MAX_VALUE / 10 || a * 10 > Integer.MAX_VALUE - d) {
                    failed[0] = raise(l, "integral size overflow");
                    return null;
                }
                a = a * 10 + d;
                h.at++;
            } while (h.at < h.f.length() && isDigit(h.f.charAt(h.at)));
            return a;
        }

        private static boolean isAsciiAlnum(char c) {
            return isDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        }

        private static boolean isDigit(char c) {
            return c >= '0' && c <= '9';
        }

        /** optsize: the size of option {@code opt}, 0 for the control options; -1 after raising an error. */
        private static int optSize(Lua l, char opt, Fmt h) {
            int[] failed = new int[1];
            switch (opt) {
                case 'B': case 'b': case 'x': return 1;
                case 'H': case 'h': return 2;
                case 'L': case 'l': case 'T': case 'd': return 8;
                case 'f': return 4;
                case 'c': {
                    Integer n = num(l, h, 1, failed);
                    return n == null ? -1 : n;
                }
                case 'i': case 'I': {
                    Integer n = num(l, h, 4, failed);
                    if (n == null) {
                        return -1;
                    }
                    if (n > MAX_INT_SIZE) {
                        raise(l, "integral size " + n + " is larger than limit of " + MAX_INT_SIZE);
                        return -1;
                    }
                    return n;
                }
                default: return 0;
            }
        }

        /** gettoalign: padding before an element of {@code size} at offset {@code len}. */
        private static int toAlign(long len, Fmt h, char opt, int size) {
            if (size == 0 || opt == 'c') {
                return 0;
            }
            int s = Math.min(size, h.align);
            return (int) ((s - (len & (s - 1))) & (s - 1));
        }

        /** controloptions: false after raising an error for an unknown option or a bad alignment. */
        private static boolean control(Lua l, char opt, Fmt h, String fname) {
            switch (opt) {
                case ' ': return true;
                case '>': h.little = false; return true;
                case '<': h.little = true; return true;
                case '!': {
                    int[] failed = new int[1];
                    Integer a = num(l, h, MAX_ALIGN, failed);
                    if (a == null) {
                        return false;
                    }
                    if ((a & (a - 1)) != 0 || a == 0) {
                        raise(l, "alignment " + a + " is not a power of 2");
                        return false;
                    }
                    h.align = a;
                    return true;
                }
                default:
                    argError(l, 1, fname, "invalid format option '" + opt + "'");
                    return false;
            }
        }

        /** The format as text; the C code walks bytes, and every option is ASCII. */
        private static String format(byte[] b) {
            return new String(b, StandardCharsets.ISO_8859_1);
        }

        static int pack(LuaRuntime rt, Lua l) {
            byte[] fb = checkBytes(rt, l, 1, "pack");
            if (fb == null) {
                return -1;
            }
            // b_pack pushes a nil to mark the end of its arguments: a missing argument then reads as nil
            l.pushNil();
            Fmt h = new Fmt(format(fb));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int arg = 2;
            long total = 0;
            while (h.at < h.f.length()) {
                char opt = h.f.charAt(h.at++);
                int size = optSize(l, opt, h);
                if (size < 0) {
                    return -1;
                }
                int pad = toAlign(total, h, opt, size);
                total += pad;
                for (int i = 0; i < pad; i++) {
                    out.write(0);
                }
                switch (opt) {
                    case 'b': case 'B': case 'h': case 'H': case 'l': case 'L': case 'T': case 'i': case 'I': {
                        if (!checkNumber(l, arg, "pack")) {
                            return -1;
                        }
                        writeInt(out, toUint64(l.toNumber(arg++)), size, h.little);
                        break;
                    }
                    case 'x': out.write(0); break;
                    case 'f': {
                        if (!checkNumber(l, arg, "pack")) {
                            return -1;
                        }
                        writeInt(out, Float.floatToRawIntBits((float) l.toNumber(arg++)) & 0xffffffffL, 4, h.little);
                        break;
                    }
                    case 'd': {
                        if (!checkNumber(l, arg, "pack")) {
                            return -1;
                        }
                        writeInt(out, Double.doubleToRawLongBits(l.toNumber(arg++)), 8, h.little);
                        break;
                    }
                    case 'c': case 's': {
                        byte[] b = checkBytes(rt, l, arg++, "pack");
                        if (b == null) {
                            return -1;
                        }
                        if (size == 0) {
                            size = b.length;
                        }
                        if (b.length < size) {
                            // the C code checks after arg++, so it names the next argument
                            return argError(l, arg, "pack", "string too short");
                        }
                        out.write(b, 0, size);
                        if (opt == 's') {
                            out.write(0);
                            size++;
                        }
                        break;
                    }
                    default:
                        if (!control(l, opt, h, "pack")) {
                            return -1;
                        }
                }
                total += size;
            }
            l.setTop(0);
            rt.pushBytes(out.toByteArray());
            return 1;
        }

        /** The C conversion of a lua_Number to the 64-bit unsigned Uinttype (through the signed type when negative). */
        private static long toUint64(double n) {
            if (n >= 0x1p63) {
                return n >= 0x1p64 ? -1L : (long) (n - 0x1p63) ^ Long.MIN_VALUE;
            }
            return (long) n;
        }

        private static void writeInt(ByteArrayOutputStream out, long v, int size, boolean little) {
            for (int i = 0; i < size; i++) {
                int shift = 8 * (little ? i : size - 1 - i);
                out.write(shift < 64 ? (int) (v >>> shift) & 0xff : 0);
            }
        }

        /** getinteger: the C code's reading into a 64-bit unsigned, then sign extension for the signed options. */
        private static double readInt(byte[] s, int at, int size, boolean little, boolean signed) {
            long v = 0;
            for (int i = 0; i < size; i++) {
                v = (v << 8) | (s[at + (little ? size - 1 - i : i)] & 0xff);
            }
            if (!signed) {
                return v >= 0 ? v : (double) (v >>> 1) * 2 + (v & 1);
            }
            // the mask is ~0 << (size * 8 - 1); x86-64 takes the shift count modulo 64
            long mask = -1L << ((size * 8 - 1) & 63);
            if ((v & mask) != 0) {
                v |= mask;
            }
            return v;
        }

        static int unpack(LuaRuntime rt, Lua l) {
            byte[] fb = checkBytes(rt, l, 1, "unpack");
            if (fb == null) {
                return -1;
            }
            byte[] s = checkBytes(rt, l, 2, "unpack");
            if (s == null) {
                return -1;
            }
            long pos = 0;
            if (!l.isNoneOrNil(3)) {
                if (!l.isNumber(3)) {
                    return argError(l, 3, "unpack", "number expected, got " + typeOrNoValue(l, 3));
                }
                pos = (long) l.toNumber(3) - 1;
            }
            if (pos < 0) {
                return argError(l, 3, "unpack", "offset must be 1 or greater");
            }
            Fmt h = new Fmt(format(fb));
            l.setTop(2);
            int ld = s.length;
            while (h.at < h.f.length()) {
                char opt = h.f.charAt(h.at++);
                int size = optSize(l, opt, h);
                if (size < 0) {
                    return -1;
                }
                pos += toAlign(pos, h, opt, size);
                if (pos + size > ld) {
                    return argError(l, 2, "unpack", "data string too short");
                }
                l.checkStack(2);
                int at = (int) pos;
                switch (opt) {
                    case 'b': case 'B': case 'h': case 'H': case 'l': case 'L': case 'T': case 'i': case 'I':
                        l.push(readInt(s, at, size, h.little, Character.isLowerCase(opt)));
                        break;
                    case 'x':
                        break;
                    case 'f':
                        l.push((double) Float.intBitsToFloat((int) (long) readInt(s, at, 4, h.little, true)));
                        break;
                    case 'd':
                        l.push(Double.longBitsToDouble(rawLong(s, at, h.little)));
                        break;
                    case 'c': {
                        if (size == 0) {
                            // the previous result (or the data string itself) when it reads as a number
                            if (!l.isNumber(-1)) {
                                return raise(l, "format 'c0' needs a previous size");
                            }
                            size = (int) l.toNumber(-1);
                            l.pop(1);
                            if (pos + size > ld) {
                                return argError(l, 2, "unpack", "data string too short");
                            }
                        }
                        rt.pushBytes(s, at, size);
                        break;
                    }
                    case 's': {
                        int e = at;
                        while (e < ld && s[e] != 0) {
                            e++;
                        }
                        if (e >= ld) {
                            return raise(l, "unfinished string in data");
                        }
                        size = e - at + 1;
                        rt.pushBytes(s, at, size - 1);
                        break;
                    }
                    default:
                        if (!control(l, opt, h, "unpack")) {
                            return -1;
                        }
                }
                pos += size;
            }
            l.push((double) (pos + 1));
            return l.getTop() - 2;
        }

        private static long rawLong(byte[] s, int at, boolean little) {
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v = (v << 8) | (s[at + (little ? 7 - i : i)] & 0xff);
            }
            return v;
        }

        static int size(LuaRuntime rt, Lua l) {
            byte[] fb = checkBytes(rt, l, 1, "size");
            if (fb == null) {
                return -1;
            }
            Fmt h = new Fmt(format(fb));
            long pos = 0;
            while (h.at < h.f.length()) {
                char opt = h.f.charAt(h.at++);
                int size = optSize(l, opt, h);
                if (size < 0) {
                    return -1;
                }
                pos += toAlign(pos, h, opt, size);
                if (opt == 's') {
                    return argError(l, 1, "size", "option 's' has no fixed size");
                } else if (opt == 'c' && size == 0) {
                    return argError(l, 1, "size", "option 'c0' has no fixed size");
                }
                // the C code only treats non-alphanumeric bytes as control options here: letters it does
                // not know (and stray digits) count as size 0
                if (!isAsciiAlnum(opt) && !control(l, opt, h, "size")) {
                    return -1;
                }
                pos += size;
            }
            l.setTop(0);
            l.push((double) pos);
            return 1;
        }
    }

    /** luaL_argerror: "bad argument #n to 'f' (msg)". */
    static int argError(Lua l, int arg, String fname, String msg) {
        return raise(l, "bad argument #" + arg + " to '" + fname + "' (" + msg + ")");
    }

    private static String typeOrNoValue(Lua l, int i) {
        return l.isNone(i) ? "no value" : l.type(i).name().toLowerCase(java.util.Locale.ROOT);
    }

    /** luaL_checklstring: the string (or number as text) at {@code i}, null after raising the type error. */
    private static byte[] checkBytes(LuaRuntime rt, Lua l, int i, String fname) {
        Lua.LuaType t = l.isNone(i) ? null : l.type(i);
        if (t == Lua.LuaType.STRING) {
            return rt.bytes(i);
        }
        if (t == Lua.LuaType.NUMBER) {
            return LuaRuntime.numberText(l.toNumber(i)).getBytes(StandardCharsets.US_ASCII);
        }
        argError(l, i, fname, "string expected, got " + typeOrNoValue(l, i));
        return null;
    }

    /** luaL_checknumber: false after raising the type error (numeric strings pass, as in Lua). */
    private static boolean checkNumber(Lua l, int i, String fname) {
        if (!l.isNone(i) && l.isNumber(i)) {
            return true;
        }
        argError(l, i, fname, "number expected, got " + typeOrNoValue(l, i));
        return false;
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
