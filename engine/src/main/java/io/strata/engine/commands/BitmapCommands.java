package io.strata.engine.commands;

import io.strata.engine.Client;
import io.strata.engine.Engine;
import io.strata.engine.Errors;
import io.strata.engine.Notifier;
import io.strata.engine.command.Args;
import io.strata.engine.command.CommandTable;
import io.strata.engine.command.ReplySink;
import io.strata.engine.keyspace.Entry;
import io.strata.engine.util.Bytes;
import io.strata.engine.util.Numbers;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static io.strata.engine.command.CommandFlag.DENYOOM;
import static io.strata.engine.command.CommandFlag.FAST;
import static io.strata.engine.command.CommandFlag.READONLY;
import static io.strata.engine.command.CommandFlag.WRITE;

/**
 * Bit operations on string values (Redis' bitops.c): SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP,
 * BITFIELD and BITFIELD_RO. Bit 0 is the most significant bit of the first byte; reads past the
 * end see zeroes; writes past the end grow the string with zero bytes, up to
 * proto-max-bulk-len.
 *
 * <p>Strings grow by replacing the entry's value; otherwise the entry's own array is changed in
 * place (a string array is never shared between keys: SET and COPY store their own copies).
 *
 * <p>Thread rule: keyspace thread only.
 */
public final class BitmapCommands extends CommandGroup {
    private static final byte[] BIT = Bytes.ascii("bit");
    private static final byte[] BYTE = Bytes.ascii("byte");
    private static final byte[] AND = Bytes.ascii("and");
    private static final byte[] OR = Bytes.ascii("or");
    private static final byte[] XOR = Bytes.ascii("xor");
    private static final byte[] NOT = Bytes.ascii("not");
    private static final byte[] GET = Bytes.ascii("get");
    private static final byte[] SET = Bytes.ascii("set");
    private static final byte[] INCRBY = Bytes.ascii("incrby");
    private static final byte[] OVERFLOW = Bytes.ascii("overflow");
    private static final byte[] WRAP = Bytes.ascii("wrap");
    private static final byte[] SAT = Bytes.ascii("sat");
    private static final byte[] FAIL = Bytes.ascii("fail");

    private static final int OW_WRAP = 0;
    private static final int OW_SAT = 1;
    private static final int OW_FAIL = 2;

    private static final int OP_GET = 0;
    private static final int OP_SET = 1;
    private static final int OP_INCRBY = 2;

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    /** Set by {@link #stringForBitsOrReply}: the string was created or grew (keyspace thread only). */
    private boolean grew;

    public BitmapCommands(Engine engine) {
        super(engine);
    }

    @Override
    public void register(CommandTable t) {
        String g = "bitmap";
        t.add(cmd("setbit", 4, this::setbit).flags(WRITE, DENYOOM).keys(1, 1, 1)
            .doc(g, "2.2.0", "Sets or clears the bit at offset in the string value stored at key").complexity("O(1)"));
        t.add(cmd("getbit", 3, this::getbit).flags(READONLY, FAST).keys(1, 1, 1)
            .doc(g, "2.2.0", "Returns the bit value at offset in the string value stored at key").complexity("O(1)"));
        t.add(cmd("bitcount", -2, this::bitcount).flags(READONLY).keys(1, 1, 1)
            .doc(g, "2.6.0", "Count set bits in a string").complexity("O(N)"));
        t.add(cmd("bitpos", -3, this::bitpos).flags(READONLY).keys(1, 1, 1)
            .doc(g, "2.8.7", "Find first bit set or clear in a string").complexity("O(N)"));
        t.add(cmd("bitop", -4, this::bitop).flags(WRITE, DENYOOM).keys(2, -1, 1)
            .doc(g, "2.6.0", "Perform bitwise operations between strings").complexity("O(N)"));
        t.add(cmd("bitfield", -2, (c, a, r) -> bitfield(c, a, r, false)).flags(WRITE, DENYOOM).keys(1, 1, 1)
            .doc(g, "3.2.0", "Perform arbitrary bitfield integer operations on strings")
            .complexity("O(1) for each subcommand specified"));
        t.add(cmd("bitfield_ro", -2, (c, a, r) -> bitfield(c, a, r, true)).flags(READONLY, FAST).keys(1, 1, 1)
            .doc(g, "6.0.0", "Perform arbitrary bitfield integer operations on strings. Read-only variant of BITFIELD")
            .complexity("O(1) for each subcommand specified"));
    }

    // ---- argument helpers ----

    /**
     * A bit offset argument: non-negative, its byte below proto-max-bulk-len. With {@code bits > 0}
     * the BITFIELD form {@code #N} means N * bits. Returns -1 after writing the error.
     */
    private long bitOffsetOrReply(Args a, int i, int bits, ReplySink r) {
        int off = a.off(i);
        int len = a.len(i);
        boolean hash = bits > 0 && len > 0 && a.buf()[off] == '#';
        if (hash) {
            off++;
            len--;
        }
        if (!Numbers.isLong(a.buf(), off, len)) {
            r.error(Errors.BIT_OFFSET);
            return -1;
        }
        long v = Numbers.parseLong(a.buf(), off, len);
        if (hash) {
            if (v < 0 || v > Long.MAX_VALUE / bits) {
                r.error(Errors.BIT_OFFSET);
                return -1;
            }
            v *= bits;
        }
        // a Java array also caps the length a little below 2^31
        long maxBytes = Math.min(engine.config.protoMaxBulkLen, Integer.MAX_VALUE - 8);
        if (v < 0 || (v >> 3) >= maxBytes) {
            r.error(Errors.BIT_OFFSET);
            return -1;
        }
        return v;
    }

    /**
     * The string at key argument 1, created or zero-padded so that bit {@code maxBit} exists;
     * null after a WRONGTYPE reply. Sets {@link #grew} when the value was created or lengthened
     * (that change is already signalled to the keyspace).
     */
    private Entry stringForBitsOrReply(Client c, Args a, long maxBit, ReplySink r) {
        int need = (int) (maxBit >> 3) + 1;
        Entry e = write(c, a, 1);
        grew = false;
        if (e == null) {
            grew = true;
            Entry created = ks.add(c.db, a.bytes(1), new byte[need]);
            created.rawString(true);
            return created;
        }
        if (!isStringOrReply(e, r)) {
            return null;
        }
        byte[] v = (byte[]) e.value();
        if (v.length < need) {
            grew = true;
            ks.overwrite(c.db, e, Arrays.copyOf(v, need), true);
        }
        e.rawString(true); // Redis unshares the string for any bit command that may write
        return e;
    }

    /** Parses the optional BYTE|BIT argument: 1 for BIT, 0 for BYTE, -1 after a syntax error. */
    private static int unitOrReply(Args a, int i, ReplySink r) {
        if (a.is(i, BIT)) {
            return 1;
        }
        if (a.is(i, BYTE)) {
            return 0;
        }
        r.error(Errors.SYNTAX);
        return -1;
    }

    // ---- SETBIT / GETBIT ----

    private void setbit(Client c, Args a, ReplySink r) {
        long offset = bitOffsetOrReply(a, 2, 0, r);
        if (offset < 0) {
            return;
        }
        if (!a.isLong(3)) {
            r.error(Errors.BIT_VALUE);
            return;
        }
        long on = a.longAt(3);
        if ((on & ~1L) != 0) {
            r.error(Errors.BIT_VALUE);
            return;
        }
        Entry e = stringForBitsOrReply(c, a, offset, r);
        if (e == null) {
            return;
        }
        byte[] v = (byte[]) e.value();
        int i = (int) (offset >> 3);
        int mask = 1 << (7 - (int) (offset & 7));
        boolean was = (v[i] & mask) != 0;
        if (grew || was != (on == 1)) {
            v[i] = (byte) (on == 1 ? v[i] | mask : v[i] & ~mask);
            if (!grew) {
                ks.changed(c.db, e.key);
            }
            engine.notifier.notify(Notifier.STRING, "setbit", c.db, e.key);
        }
        r.integer(was ? 1 : 0);
    }

    private void getbit(Client c, Args a, ReplySink r) {
        long offset = bitOffsetOrReply(a, 2, 0, r);
        if (offset < 0) {
            return;
        }
        Entry e = read(c, a, 1);
        if (e == null) {
            r.integer(0);
            return;
        }
        if (!isStringOrReply(e, r)) {
            return;
        }
        byte[] v = (byte[]) e.value();
        long i = offset >> 3;
        boolean set = i < v.length && (v[(int) i] & (1 << (7 - (int) (offset & 7)))) != 0;
        r.integer(set ? 1 : 0);
    }

    // ---- BITCOUNT / BITPOS ----

    private void bitcount(Client c, Args a, ReplySink r) {
        Entry e = read(c, a, 1);
        if (e == null) {
            r.integer(0);
            return;
        }
        if (!isStringOrReply(e, r)) {
            return;
        }
        byte[] p = (byte[]) e.value();
        long start;
        long end;
        int firstMask = 0;
        int lastMask = 0;
        if (a.argc() == 4 || a.argc() == 5) {
            long total = p.length;
            Long s = longOrReply(a, 2, r);
            if (s == null) {
                return;
            }
            Long en = longOrReply(a, 3, r);
            if (en == null) {
                return;
            }
            start = s;
            end = en;
            if (start < 0 && end < 0 && start > end) {
                r.integer(0);
                return;
            }
            int unit = 0;
            if (a.argc() == 5) {
                unit = unitOrReply(a, 4, r);
                if (unit < 0) {
                    return;
                }
            }
            long[] range = byteRange(start, end, total, unit == 1);
            start = range[0];
            end = range[1];
            firstMask = (int) range[2];
            lastMask = (int) range[3];
        } else if (a.argc() == 2) {
            start = 0;
            end = p.length - 1;
        } else {
            r.error(Errors.SYNTAX);
            return;
        }
        if (start > end) {
            r.integer(0);
            return;
        }
        long count = popcount(p, (int) start, (int) (end - start + 1));
        if (firstMask != 0) {
            count -= Integer.bitCount(p[(int) start] & firstMask);
        }
        if (lastMask != 0) {
            count -= Integer.bitCount(p[(int) end] & lastMask);
        }
        r.integer(count);
    }

    /**
     * Redis' BITCOUNT/BITPOS range rules: negative indexes count from the end, the range is
     * clamped to the string; for a BIT range, converts to bytes and returns the masks of the
     * edge bits outside it. Returns {start byte, end byte, first-byte mask, last-byte mask};
     * start > end means an empty range.
     */
    private static long[] byteRange(long start, long end, long totalBytes, boolean bits) {
        long total = bits ? totalBytes << 3 : totalBytes;
        if (start < 0) {
            start = total + start;
        }
        if (end < 0) {
            end = total + end;
        }
        start = Math.max(start, 0);
        end = Math.min(Math.max(end, 0), total - 1);
        long firstMask = 0;
        long lastMask = 0;
        if (bits && start <= end) {
            // bits of the edge bytes outside the range, left out of the count or search
            firstMask = ~((1 << (8 - (start & 7))) - 1) & 0xff;
            lastMask = (1 << (7 - (end & 7))) - 1;
            start >>= 3;
            end >>= 3;
        }
        return new long[] {start, end, firstMask, lastMask};
    }

    /** Set bits in {@code p[off..off+len)}. */
    static long popcount(byte[] p, int off, int len) {
        long bits = 0;
        int i = off;
        int end = off + len;
        for (; i + 8 <= end; i += 8) {
            bits += Long.bitCount((long) LONGS.get(p, i));
        }
        for (; i < end; i++) {
            bits += Integer.bitCount(p[i] & 0xff);
        }
        return bits;
    }

    /**
     * Position of the first bit equal to {@code bit} in {@code p[off..off+len)}, relative to
     * {@code off}. When there is none: -1 when looking for a 1; {@code len * 8} when looking for a
     * 0 (the string counts as zero-padded on the right), as Redis' redisBitpos.
     */
    static long bitposIn(byte[] p, int off, int len, int bit) {
        int skip = bit == 1 ? 0 : 0xff;
        long skipWord = bit == 1 ? 0L : -1L;
        int i = off;
        int end = off + len;
        while (i + 8 <= end && (long) LONGS.get(p, i) == skipWord) {
            i += 8;
        }
        while (i < end && (p[i] & 0xff) == skip) {
            i++;
        }
        if (i >= end) {
            return bit == 1 ? -1 : (long) len << 3;
        }
        int b = p[i] & 0xff;
        int inByte = bit == 1 ? Integer.numberOfLeadingZeros(b) - 24 : Integer.numberOfLeadingZeros(~b & 0xff) - 24;
        return ((long) (i - off) << 3) + inByte;
    }

    private void bitpos(Client c, Args a, ReplySink r) {
        Long bitArg = longOrReply(a, 2, r);
        if (bitArg == null) {
            return;
        }
        if (bitArg != 0 && bitArg != 1) {
            r.error(Errors.BITPOS_BIT);
            return;
        }
        int bit = (int) (long) bitArg;
        Entry e = read(c, a, 1);
        if (e == null) {
            r.integer(bit == 1 ? -1 : 0);
            return;
        }
        if (!isStringOrReply(e, r)) {
            return;
        }
        byte[] p = (byte[]) e.value();
        long start;
        long end;
        boolean endGiven = false;
        int firstMask = 0;
        int lastMask = 0;
        int argc = a.argc();
        if (argc >= 4 && argc <= 6) {
            long total = p.length;
            Long s = longOrReply(a, 3, r);
            if (s == null) {
                return;
            }
            start = s;
            int unit = 0;
            if (argc == 6) {
                unit = unitOrReply(a, 5, r);
                if (unit < 0) {
                    return;
                }
            }
            if (argc >= 5) {
                Long en = longOrReply(a, 4, r);
                if (en == null) {
                    return;
                }
                end = en;
                endGiven = true;
            } else {
                end = unit == 1 ? (total << 3) + 7 : total - 1;
            }
            long[] range = byteRange(start, end, total, unit == 1);
            start = range[0];
            end = range[1];
            firstMask = (int) range[2];
            lastMask = (int) range[3];
        } else if (argc == 3) {
            start = 0;
            end = p.length - 1;
        } else {
            r.error(Errors.SYNTAX);
            return;
        }
        if (start > end) {
            r.integer(-1);
            return;
        }
        r.integer(bitposRange(p, (int) start, (int) end, bit, firstMask, lastMask, endGiven));
    }

    /**
     * BITPOS over bytes {@code start..end}, with the bits set in {@code firstMask} (of the first
     * byte) and {@code lastMask} (of the last byte) outside the range.
     */
    private static long bitposRange(byte[] p, int start, int end, int bit, int firstMask, int lastMask,
                                     boolean endGiven) {
        long bytes = end - start + 1L;
        long pos;
        byte[] one = new byte[1];
        found: {
            if (firstMask != 0) {
                int b = bit == 1 ? p[start] & ~firstMask : p[start] | firstMask;
                if (lastMask != 0 && bytes == 1) {
                    b = bit == 1 ? b & ~lastMask : b | lastMask;
                }
                one[0] = (byte) b;
                pos = bitposIn(one, 0, 1, bit);
                if (bytes == 1 || (pos != -1 && pos != 8)) {
                    break found;
                }
                start++;
                bytes--;
            }
            // the last byte is done separately when some of its bits are outside the range
            long cur = bytes - (lastMask != 0 ? 1 : 0);
            if (cur > 0) {
                pos = bitposIn(p, start, (int) cur, bit);
                if (bytes == cur || (pos != -1 && pos != cur << 3)) {
                    break found;
                }
                start += (int) cur;
                bytes -= cur;
            }
            int b = bit == 1 ? p[end] & ~lastMask : p[end] | lastMask;
            one[0] = (byte) b;
            pos = bitposIn(one, 0, 1, bit);
        }
        // looking for a 0 in an explicit range: the bits right of the range are not padding
        if (endGiven && bit == 0 && pos == bytes << 3) {
            return -1;
        }
        if (pos != -1) {
            pos += (long) start << 3;
        }
        return pos;
    }

    // ---- BITOP ----

    private void bitop(Client c, Args a, ReplySink r) {
        int op;
        if (a.is(1, AND)) {
            op = 0;
        } else if (a.is(1, OR)) {
            op = 1;
        } else if (a.is(1, XOR)) {
            op = 2;
        } else if (a.is(1, NOT)) {
            op = 3;
        } else {
            r.error(Errors.SYNTAX);
            return;
        }
        if (op == 3 && a.argc() != 4) {
            r.error(Errors.BITOP_NOT_ONE_KEY);
            return;
        }
        int n = a.argc() - 3;
        byte[][] src = new byte[n][];
        int maxlen = 0;
        for (int j = 0; j < n; j++) {
            Entry e = read(c, a, j + 3);
            if (e == null) {
                src[j] = Bytes.EMPTY;
                continue;
            }
            if (!isStringOrReply(e, r)) {
                return;
            }
            src[j] = (byte[]) e.value();
            maxlen = Math.max(maxlen, src[j].length);
        }
        byte[] target = a.bytes(2);
        if (maxlen == 0) {
            if (ks.delete(c.db, target, 0, target.length)) {
                engine.notifier.notify(Notifier.GENERIC, "del", c.db, target);
            }
            r.integer(0);
            return;
        }
        byte[] res = bitop(op, src, maxlen);
        ks.set(c.db, target, res, false).rawString(true);
        engine.notifier.notify(Notifier.STRING, "set", c.db, target);
        r.integer(maxlen);
    }

    /** AND/OR/XOR/NOT (op 0..3) of the sources, shorter ones zero-padded to {@code maxlen}. */
    private static byte[] bitop(int op, byte[][] src, int maxlen) {
        byte[] res = new byte[maxlen];
        byte[] s0 = src[0];
        System.arraycopy(s0, 0, res, 0, s0.length);
        if (op == 3) {
            for (int i = 0; i < maxlen; i++) {
                res[i] = (byte) ~res[i];
            }
            return res;
        }
        for (int k = 1; k < src.length; k++) {
            byte[] s = src[k];
            int common = Math.min(s.length, maxlen);
            switch (op) {
                case 0:
                    for (int i = 0; i < common; i++) {
                        res[i] &= s[i];
                    }
                    Arrays.fill(res, common, maxlen, (byte) 0);
                    break;
                case 1:
                    for (int i = 0; i < common; i++) {
                        res[i] |= s[i];
                    }
                    break;
                default:
                    for (int i = 0; i < common; i++) {
                        res[i] ^= s[i];
                    }
            }
        }
        return res;
    }

    // ---- BITFIELD ----

    /** One parsed BITFIELD operation. */
    private static final class FieldOp {
        final int opcode;
        final long offset;
        final long value;
        final int owType;
        final int bits;
        final boolean signed;

        FieldOp(int opcode, long offset, long value, int owType, int bits, boolean signed) {
            this.opcode = opcode;
            this.offset = offset;
            this.value = value;
            this.owType = owType;
            this.bits = bits;
            this.signed = signed;
        }
    }

    /** Width of an {@code i1..i64} / {@code u1..u63} type, negated for unsigned; 0 after the error. */
    private static int bitfieldTypeOrReply(Args a, int i, ReplySink r) {
        int off = a.off(i);
        int len = a.len(i);
        byte[] b = a.buf();
        if (len < 1 || (b[off] != 'i' && b[off] != 'u')) {
            r.error(Errors.BITFIELD_TYPE);
            return 0;
        }
        boolean signed = b[off] == 'i';
        if (!Numbers.isLong(b, off + 1, len - 1)) {
            r.error(Errors.BITFIELD_TYPE);
            return 0;
        }
        long bits = Numbers.parseLong(b, off + 1, len - 1);
        if (bits < 1 || (signed && bits > 64) || (!signed && bits > 63)) {
            r.error(Errors.BITFIELD_TYPE);
            return 0;
        }
        return signed ? (int) bits : -(int) bits;
    }

    private void bitfield(Client c, Args a, ReplySink r, boolean readonlyCommand) {
        List<FieldOp> ops = new ArrayList<>();
        int owType = OW_WRAP;
        boolean readonly = true;
        long highestWrite = 0;
        for (int j = 2; j < a.argc(); j++) {
            int remaining = a.argc() - j - 1;
            int opcode;
            if (a.is(j, GET) && remaining >= 2) {
                opcode = OP_GET;
            } else if (a.is(j, SET) && remaining >= 3) {
                opcode = OP_SET;
            } else if (a.is(j, INCRBY) && remaining >= 3) {
                opcode = OP_INCRBY;
            } else if (a.is(j, OVERFLOW) && remaining >= 1) {
                j++;
                if (a.is(j, WRAP)) {
                    owType = OW_WRAP;
                } else if (a.is(j, SAT)) {
                    owType = OW_SAT;
                } else if (a.is(j, FAIL)) {
                    owType = OW_FAIL;
                } else {
                    r.error(Errors.BITFIELD_OVERFLOW_TYPE);
                    return;
                }
                continue;
            } else {
                r.error(Errors.SYNTAX);
                return;
            }
            int type = bitfieldTypeOrReply(a, j + 1, r);
            if (type == 0) {
                return;
            }
            int bits = Math.abs(type);
            long offset = bitOffsetOrReply(a, j + 2, bits, r);
            if (offset < 0) {
                return;
            }
            long value = 0;
            if (opcode != OP_GET) {
                readonly = false;
                highestWrite = Math.max(highestWrite, offset + bits - 1);
                Long v = longOrReply(a, j + 3, r);
                if (v == null) {
                    return;
                }
                value = v;
            }
            ops.add(new FieldOp(opcode, offset, value, owType, bits, type > 0));
            j += opcode == OP_GET ? 2 : 3;
        }

        Entry e;
        if (readonly) {
            e = read(c, a, 1);
            if (e != null && !isStringOrReply(e, r)) {
                return;
            }
            grew = false;
        } else {
            if (readonlyCommand) {
                r.error(Errors.BITFIELD_RO_GET_ONLY);
                return;
            }
            if (highestWrite >> 3 >= Integer.MAX_VALUE - 8) {
                r.error(Errors.BIT_OFFSET);
                return;
            }
            e = stringForBitsOrReply(c, a, highestWrite, r);
            if (e == null) {
                return;
            }
        }

        r.array(ops.size());
        int changes = 0;
        for (FieldOp op : ops) {
            byte[] p = e == null ? Bytes.EMPTY : (byte[]) e.value();
            if (op.opcode == OP_GET) {
                long v = op.signed ? getSigned(p, op.offset, op.bits) : getUnsigned(p, op.offset, op.bits);
                r.integer(v);
                continue;
            }
            long oldval = op.signed ? getSigned(p, op.offset, op.bits) : getUnsigned(p, op.offset, op.bits);
            long newval;
            long reply;
            long[] wrapped = new long[1];
            int overflow;
            if (op.opcode == OP_INCRBY) {
                overflow = op.signed ? checkSignedOverflow(oldval, op.value, op.bits, op.owType, wrapped)
                    : checkUnsignedOverflow(oldval, op.value, op.bits, op.owType, wrapped);
                newval = overflow != 0 ? wrapped[0] : oldval + op.value;
                reply = newval;
            } else {
                newval = op.value;
                overflow = op.signed ? checkSignedOverflow(newval, 0, op.bits, op.owType, wrapped)
                    : checkUnsignedOverflow(newval, 0, op.bits, op.owType, wrapped);
                if (overflow != 0) {
                    newval = wrapped[0];
                }
                reply = oldval;
            }
            if (overflow != 0 && op.owType == OW_FAIL) {
                r.nullBulk();
                continue;
            }
            r.integer(reply);
            setBits(p, op.offset, op.bits, newval);
            if (grew || oldval != newval) {
                changes++;
            }
        }
        if (changes > 0) {
            if (!grew) {
                ks.changed(c.db, e.key);
            }
            engine.notifier.notify(Notifier.STRING, "setbit", c.db, e.key);
        }
    }

    /** The {@code bits}-wide unsigned integer at bit {@code offset}; bytes past the end read as 0. */
    static long getUnsigned(byte[] p, long offset, int bits) {
        long value = 0;
        for (int j = 0; j < bits; j++, offset++) {
            long i = offset >> 3;
            int bit = i < p.length ? (p[(int) i] >> (7 - (int) (offset & 7))) & 1 : 0;
            value = (value << 1) | bit;
        }
        return value;
    }

    static long getSigned(byte[] p, long offset, int bits) {
        long value = getUnsigned(p, offset, bits);
        if (bits < 64 && (value & (1L << (bits - 1))) != 0) {
            value |= -1L << bits;
        }
        return value;
    }

    /** Writes the low {@code bits} of {@code value} at bit {@code offset}; the string is long enough. */
    static void setBits(byte[] p, long offset, int bits, long value) {
        for (int j = 0; j < bits; j++, offset++) {
            int bitval = (int) ((value >>> (bits - 1 - j)) & 1);
            int i = (int) (offset >> 3);
            int shift = 7 - (int) (offset & 7);
            p[i] = (byte) ((p[i] & ~(1 << shift)) | (bitval << shift));
        }
    }

    /**
     * Whether {@code value + incr} fits an unsigned {@code bits}-wide integer: 0 if it does, 1 on
     * overflow, -1 on underflow; then {@code limit[0]} is the wrapped or saturated result.
     */
    static int checkUnsignedOverflow(long value, long incr, int bits, int owType, long[] limit) {
        long max = bits == 64 ? -1L : (1L << bits) - 1;
        long maxincr = max - value;
        long minincr = -value;
        if (Long.compareUnsigned(value, max) > 0 || (incr > 0 && incr > maxincr)) {
            if (owType == OW_WRAP) {
                limit[0] = wrapUnsigned(value, incr, bits);
            } else if (owType == OW_SAT) {
                limit[0] = max;
            }
            return 1;
        } else if (incr < 0 && incr < minincr) {
            if (owType == OW_WRAP) {
                limit[0] = wrapUnsigned(value, incr, bits);
            } else if (owType == OW_SAT) {
                limit[0] = 0;
            }
            return -1;
        }
        return 0;
    }

    private static long wrapUnsigned(long value, long incr, int bits) {
        long mask = bits == 64 ? 0 : -1L << bits;
        return (value + incr) & ~mask;
    }

    /** As {@link #checkUnsignedOverflow} for a signed {@code bits}-wide integer. */
    static int checkSignedOverflow(long value, long incr, int bits, int owType, long[] limit) {
        long max = bits == 64 ? Long.MAX_VALUE : (1L << (bits - 1)) - 1;
        long min = -max - 1;
        // these may wrap, but are only used once value is known to be in range
        long maxincr = max - value;
        long minincr = min - value;
        if (value > max || (bits != 64 && incr > maxincr) || (value >= 0 && incr > 0 && incr > maxincr)) {
            if (owType == OW_WRAP) {
                limit[0] = wrapSigned(value, incr, bits);
            } else if (owType == OW_SAT) {
                limit[0] = max;
            }
            return 1;
        } else if (value < min || (bits != 64 && incr < minincr) || (value < 0 && incr < 0 && incr < minincr)) {
            if (owType == OW_WRAP) {
                limit[0] = wrapSigned(value, incr, bits);
            } else if (owType == OW_SAT) {
                limit[0] = min;
            }
            return -1;
        }
        return 0;
    }

    private static long wrapSigned(long value, long incr, int bits) {
        long c = value + incr;
        if (bits < 64) {
            long mask = -1L << bits;
            long msb = 1L << (bits - 1);
            c = (c & msb) != 0 ? c | mask : c & ~mask;
        }
        return c;
    }
}
