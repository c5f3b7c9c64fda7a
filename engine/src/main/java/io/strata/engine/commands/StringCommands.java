package io.strata.engine.commands;

import io.strata.engine.Client;
import io.strata.engine.Engine;
import io.strata.engine.Errors;
import io.strata.engine.Notifier;
import io.strata.engine.command.Args;
import io.strata.engine.command.CommandTable;
import io.strata.engine.command.ReplySink;
import io.strata.engine.keyspace.Database;
import io.strata.engine.keyspace.Entry;
import io.strata.engine.util.Bytes;
import io.strata.engine.util.LongDouble;
import io.strata.engine.util.Numbers;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

import static io.strata.engine.command.CommandFlag.DENYOOM;
import static io.strata.engine.command.CommandFlag.FAST;
import static io.strata.engine.command.CommandFlag.READONLY;
import static io.strata.engine.command.CommandFlag.WRITE;

/**
 * String commands (Redis' t_string.c). SET, SETNX, SETEX, PSETEX and GETSET share one
 * {@link #set} path; INCR, DECR, INCRBY and DECRBY share {@link #incrDecr}.
 *
 * <p>Thread rule: keyspace thread only.
 *
 * <p>String values are {@code byte[]} and are never changed in place once stored (APPEND,
 * SETRANGE and INCR store a new array): a snapshot or a COPY may still hold the old one.
 */
public final class StringCommands extends CommandGroup {
    private static final byte[] NX = Bytes.ascii("nx");
    private static final byte[] XX = Bytes.ascii("xx");
    private static final byte[] GET = Bytes.ascii("get");
    private static final byte[] EX = Bytes.ascii("ex");
    private static final byte[] PX = Bytes.ascii("px");
    private static final byte[] EXAT = Bytes.ascii("exat");
    private static final byte[] PXAT = Bytes.ascii("pxat");
    private static final byte[] KEEPTTL = Bytes.ascii("keepttl");
    private static final byte[] PERSIST = Bytes.ascii("persist");
    private static final byte[] IDX = Bytes.ascii("idx");
    private static final byte[] LEN = Bytes.ascii("len");
    private static final byte[] WITHMATCHLEN = Bytes.ascii("withmatchlen");
    private static final byte[] MINMATCHLEN = Bytes.ascii("minmatchlen");

    static final int SET_NX = 1;
    static final int SET_XX = 1 << 1;
    static final int SET_GET = 1 << 2;
    static final int SET_KEEPTTL = 1 << 3;
    static final int SET_EX = 1 << 4;
    static final int SET_PX = 1 << 5;
    static final int SET_EXAT = 1 << 6;
    static final int SET_PXAT = 1 << 7;
    /** GETEX only: remove the expiry. */
    static final int SET_PERSIST = 1 << 8;
    /** SETNX's replies: :1 when set, :0 when not (instead of +OK and a null). */
    static final int SET_REPLY_INT = 1 << 9;
    static final int SET_ANY_EXPIRE = SET_EX | SET_PX | SET_EXAT | SET_PXAT;

    /** Largest byte[] the JVM reliably allocates; a longer string is refused like proto-max-bulk-len. */
    private static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

    /**
     * Index of the EX/PX/EXAT/PXAT value found by the last {@link #parseOptionsOrReply}, 0 when
     * none. A scratch field rather than an allocation per SET; keyspace thread only.
     */
    private int expireArg;

    public StringCommands(Engine engine) {
        super(engine);
    }

    @Override
    public void register(CommandTable t) {
        String g = "string";
        t.add(cmd("get", 2, this::get).flags(READONLY, FAST).keys(1, 1, 1)
            .doc(g, "1.0.0", "Get the value of a key").complexity("O(1)"));
        t.add(cmd("set", -3, this::setCommand).flags(WRITE, DENYOOM).keys(1, 1, 1)
            .doc(g, "1.0.0", "Set the string value of a key").complexity("O(1)"));
        t.add(cmd("setnx", 3, this::setnx).flags(WRITE, DENYOOM, FAST).keys(1, 1, 1)
            .doc(g, "1.0.0", "Set the value of a key, only if the key does not exist").complexity("O(1)"));
        t.add(cmd("setex", 4, this::setex).flags(WRITE, DENYOOM).keys(1, 1, 1)
            .doc(g, "2.0.0", "Set the value and expiration of a key").complexity("O(1)"));
        t.add(cmd("psetex", 4, this::psetex).flags(WRITE, DENYOOM).keys(1, 1, 1)
            .doc(g, "2.6.0", "Set the value and expiration in milliseconds of a key").complexity("O(1)"));
        t.add(cmd("getset", 3, this::getset).flags(WRITE, DENYOOM, FAST).keys(1, 1, 1)
            .doc(g, "1.0.0", "Set the string value of a key and return its old value").complexity("O(1)"));
        t.add(cmd("getdel", 2, this::getdel).flags(WRITE, FAST).keys(1, 1, 1)
            .doc(g, "6.2.0", "Get the value of a key and delete the key").complexity("O(1)"));
        t.add(cmd("getex", -2, this::getex).flags(WRITE, FAST).keys(1, 1, 1)
            .doc(g, "6.2.0", "Get the value of a key and optionally set its expiration").complexity("O(1)"));
        t.add(cmd("mget", -2, this::mget).flags(READONLY, FAST).keys(1, -1, 1)
            .doc(g, "1.0.0", "Get the values of all the given keys")
            .complexity("O(N) where N is the number of keys to retrieve."));
        t.add(cmd("mset", -3, (c, a, r) -> mset(c, a, false, r)).flags(WRITE, DENYOOM).keys(1, -1, 2)
            .doc(g, "1.0.1", "Set multiple keys to multiple values")
            .complexity("O(N) where N is the number of keys to set."));
        t.add(cmd("msetnx", -3, (c, a, r) -> mset(c, a, true, r)).flags(WRITE, DENYOOM).keys(1, -1, 2)
            .doc(g, "1.0.1", "Set multiple keys to multiple values, only if none of the keys exist")
            .complexity("O(N) where N is the number of keys to set."));
        t.add(cmd("append", 3, this::append).flags(WRITE, DENYOOM, FAST).keys(1, 1, 1)
            .doc(g, "2.0.0", "Append a value to a key")
            .complexity("O(1). The amortized time complexity is O(1) assuming the appended value is small and the "
                + "already present value is of any size, since the dynamic string library used by Redis will double "
                + "the free space available on every reallocation."));
        t.add(cmd("strlen", 2, this::strlen).flags(READONLY, FAST).keys(1, 1, 1)
            .doc(g, "2.2.0", "Get the length of the value stored in a key").complexity("O(1)"));
        String rangeComplexity = "O(N) where N is the length of the returned string. The complexity is ultimately "
            + "determined by the returned length, but because creating a substring from an existing string is very "
            + "cheap, it can be considered O(1) for small strings.";
        t.add(cmd("getrange", 4, this::getrange).flags(READONLY).keys(1, 1, 1)
            .doc(g, "2.4.0", "Get a substring of the string stored at a key").complexity(rangeComplexity));
        t.add(cmd("substr", 4, this::getrange).flags(READONLY).keys(1, 1, 1)
            .doc(g, "1.0.0", "Get a substring of the string stored at a key").complexity(rangeComplexity));
        t.add(cmd("setrange", 4, this::setrange).flags(WRITE, DENYOOM).keys(1, 1, 1)
            .doc(g, "2.2.0", "Overwrite part of a string at key starting at the specified offset")
            .complexity("O(1), not counting the time taken to copy the new string in place. Usually, this string is "
                + "very small so the amortized complexity is O(1). Otherwise, complexity is O(M) with M being the "
                + "length of the value argument."));
        t.add(cmd("incr", 2, (c, a, r) -> incrDecr(c, a, 1, r)).flags(WRITE, DENYOOM, FAST).keys(1, 1, 1)
            .doc(g, "1.0.0", "Increment the integer value of a key by one").complexity("O(1)"));
        t.add(cmd("decr", 2, (c, a, r) -> incrDecr(c, a, -1, r)).flags(WRITE, DENYOOM, FAST).keys(1, 1, 1)
            .doc(g, "1.0.0", "Decrement the integer value of a key by one").complexity("O(1)"));
        t.add(cmd("incrby", 3, this::incrby).flags(WRITE, DENYOOM, FAST).keys(1, 1, 1)
            .doc(g, "1.0.0", "Increment the integer value of a key by the given amount").complexity("O(1)"));
        t.add(cmd("decrby", 3, this::decrby).flags(WRITE, DENYOOM, FAST).keys(1, 1, 1)
            .doc(g, "1.0.0", "Decrement the integer value of a key by the given number").complexity("O(1)"));
        t.add(cmd("incrbyfloat", 3, this::incrbyfloat).flags(WRITE, DENYOOM, FAST).keys(1, 1, 1)
            .doc(g, "2.6.0", "Increment the float value of a key by the given amount").complexity("O(1)"));
        t.add(cmd("lcs", -3, this::lcs).flags(READONLY).keys(1, 2, 1)
            .doc(g, "7.0.0", "Find longest common substring")
            .complexity("O(N*M) where N and M are the lengths of s1 and s2, respectively"));
    }

    // ---- GET and friends ----

    private void get(Client c, Args a, ReplySink r) {
        Entry e = read(c, a, 1);
        if (e == null) {
            r.nullBulk();
        } else if (isStringOrReply(e, r)) {
            byte[] v = (byte[]) e.value();
            r.bulk(v, 0, v.length);
        }
    }

    private void getdel(Client c, Args a, ReplySink r) {
        Entry e = read(c, a, 1);
        if (e == null) {
            r.nullBulk();
            return;
        }
        if (!isStringOrReply(e, r)) {
            return;
        }
        byte[] v = (byte[]) e.value();
        r.bulk(v, 0, v.length);
        ks.delete(c.db, e);
        engine.notifier.notify(Notifier.GENERIC, "del", c.db, e.key);
    }

    private void getex(Client c, Args a, ReplySink r) {
        int flags = parseOptionsOrReply(a, 2, false, r);
        if (flags < 0) {
            return;
        }
        Entry e = read(c, a, 1);
        if (e == null) {
            r.nullBulk();
            return;
        }
        if (!isStringOrReply(e, r)) {
            return;
        }
        long at = -1;
        if (expireArg > 0) {
            at = expireAtOrReply(a, expireArg, flags, "getex", r);
            if (at == Long.MIN_VALUE) {
                return;
            }
        }
        byte[] v = (byte[]) e.value();
        r.bulk(v, 0, v.length);
        if ((flags & (SET_EXAT | SET_PXAT)) != 0 && at <= ks.now()) {
            // an absolute time already past: Redis deletes the key rather than keep a dead one
            ks.delete(c.db, e);
            engine.notifier.notify(Notifier.GENERIC, "del", c.db, e.key);
        } else if (at >= 0) {
            ks.setExpire(c.db, e, at);
            engine.notifier.notify(Notifier.GENERIC, "expire", c.db, e.key);
        } else if ((flags & SET_PERSIST) != 0 && e.hasExpire()) {
            ks.setExpire(c.db, e, -1);
            engine.notifier.notify(Notifier.GENERIC, "persist", c.db, e.key);
        }
    }

    private void mget(Client c, Args a, ReplySink r) {
        r.array(a.argc() - 1);
        for (int i = 1; i < a.argc(); i++) {
            Entry e = read(c, a, i);
            if (e == null || !(e.value() instanceof byte[])) {
                r.nullBulk();
            } else {
                byte[] v = (byte[]) e.value();
                r.bulk(v, 0, v.length);
            }
        }
    }

    private void strlen(Client c, Args a, ReplySink r) {
        Entry e = read(c, a, 1);
        if (e == null) {
            r.integer(0);
        } else if (isStringOrReply(e, r)) {
            r.integer(((byte[]) e.value()).length);
        }
    }

    /** GETRANGE and SUBSTR: inclusive range, negative indexes count from the end. */
    private void getrange(Client c, Args a, ReplySink r) {
        if (!a.isLong(2) || !a.isLong(3)) {
            r.error(Errors.NOT_INTEGER);
            return;
        }
        long start = a.longAt(2);
        long end = a.longAt(3);
        Entry e = read(c, a, 1);
        if (e == null) {
            r.bulk(Bytes.EMPTY);
            return;
        }
        if (!isStringOrReply(e, r)) {
            return;
        }
        byte[] v = (byte[]) e.value();
        long len = v.length;
        if (start < 0 && end < 0 && start > end) {
            r.bulk(Bytes.EMPTY);
            return;
        }
        if (start < 0) {
            start = len + start;
        }
        if (end < 0) {
            end = len + end;
        }
        start = Math.max(start, 0);
        end = Math.max(end, 0);
        if (end >= len) {
            end = len - 1;
        }
        if (start > end || len == 0) {
            r.bulk(Bytes.EMPTY);
        } else {
            r.bulk(v, (int) start, (int) (end - start + 1));
        }
    }

    // ---- the SET family ----

    private void setCommand(Client c, Args a, ReplySink r) {
        int flags = parseOptionsOrReply(a, 3, true, r);
        if (flags < 0) {
            return;
        }
        long at = -1;
        if (expireArg > 0) {
            at = expireAtOrReply(a, expireArg, flags, "set", r);
            if (at == Long.MIN_VALUE) {
                return;
            }
        }
        set(c, a.buf(), a.off(1), a.len(1), a.bytes(2), flags, at, r);
    }

    private void setnx(Client c, Args a, ReplySink r) {
        set(c, a.buf(), a.off(1), a.len(1), a.bytes(2), SET_NX | SET_REPLY_INT, -1, r);
    }

    private void setex(Client c, Args a, ReplySink r) {
        setWithTtl(c, a, SET_EX, "setex", r);
    }

    private void psetex(Client c, Args a, ReplySink r) {
        setWithTtl(c, a, SET_PX, "psetex", r);
    }

    /** SETEX / PSETEX: {@code key ttl value}. */
    private void setWithTtl(Client c, Args a, int unit, String name, ReplySink r) {
        long at = expireAtOrReply(a, 2, unit, name, r);
        if (at != Long.MIN_VALUE) {
            set(c, a.buf(), a.off(1), a.len(1), a.bytes(3), unit, at, r);
        }
    }

    private void getset(Client c, Args a, ReplySink r) {
        set(c, a.buf(), a.off(1), a.len(1), a.bytes(2), SET_GET, -1, r);
    }

    /**
     * Parses SET's options (from index 3, {@code isSet}) or GETEX's (from index 2) with Redis'
     * rules: NX/XX exclusive, one kind of expiry (repeating the same one is allowed, the last
     * wins), KEEPTTL and PERSIST exclusive with any expiry. Returns the flags, or -1 after
     * replying a syntax error; the expiry value's index is left in {@link #expireArg}.
     */
    private int parseOptionsOrReply(Args a, int from, boolean isSet, ReplySink r) {
        int flags = 0;
        expireArg = 0;
        for (int j = from; j < a.argc(); j++) {
            boolean hasNext = j + 1 < a.argc();
            int unit = hasNext ? expireUnit(a, j) : 0;
            if (isSet && a.is(j, NX) && (flags & SET_XX) == 0) {
                flags |= SET_NX;
            } else if (isSet && a.is(j, XX) && (flags & SET_NX) == 0) {
                flags |= SET_XX;
            } else if (isSet && a.is(j, GET)) {
                flags |= SET_GET;
            } else if (isSet && a.is(j, KEEPTTL) && (flags & (SET_ANY_EXPIRE | SET_PERSIST)) == 0) {
                flags |= SET_KEEPTTL;
            } else if (!isSet && a.is(j, PERSIST) && (flags & (SET_ANY_EXPIRE | SET_KEEPTTL)) == 0) {
                flags |= SET_PERSIST;
            } else if (unit != 0 && (flags & (SET_KEEPTTL | SET_PERSIST | (SET_ANY_EXPIRE & ~unit))) == 0) {
                flags |= unit;
                expireArg = ++j;
            } else {
                r.error(Errors.SYNTAX);
                return -1;
            }
        }
        return flags;
    }

    private static int expireUnit(Args a, int j) {
        if (a.is(j, EX)) {
            return SET_EX;
        }
        if (a.is(j, PX)) {
            return SET_PX;
        }
        if (a.is(j, EXAT)) {
            return SET_EXAT;
        }
        if (a.is(j, PXAT)) {
            return SET_PXAT;
        }
        return 0;
    }

    /**
     * Turns the EX/PX/EXAT/PXAT value at argument {@code i} ({@code unit} is one of the SET_EX…
     * flags) into an absolute Unix-ms time; on error writes it and returns {@code Long.MIN_VALUE}.
     * Shared by SET, SETEX, PSETEX and GETEX; {@code cmd} names the command in the error.
     */
    long expireAtOrReply(Args a, int i, int unit, String cmd, ReplySink r) {
        if (!a.isLong(i)) {
            r.error(Errors.NOT_INTEGER);
            return Long.MIN_VALUE;
        }
        long v = a.longAt(i);
        boolean seconds = (unit & (SET_EX | SET_EXAT)) != 0;
        if (v <= 0 || (seconds && v > Long.MAX_VALUE / 1000)) {
            r.error(Errors.invalidExpire(cmd));
            return Long.MIN_VALUE;
        }
        if (seconds) {
            v *= 1000;
        }
        if ((unit & (SET_EX | SET_PX)) != 0) {
            // Redis adds in C and refuses the wrapped (negative) result
            if (v > Long.MAX_VALUE - ks.now()) {
                r.error(Errors.invalidExpire(cmd));
                return Long.MIN_VALUE;
            }
            v += ks.now();
        }
        return v;
    }

    /**
     * The one SET path (Redis' setGenericCommand): NX/XX/GET/KEEPTTL/REPLY_INT flags and an
     * absolute expiry ({@code -1} for none). With GET the old value is replied before anything
     * else, so a refused NX/XX still answers it.
     */
    void set(Client c, byte[] kb, int koff, int klen, byte[] value, int flags, long expireAt, ReplySink r) {
        Entry old;
        if ((flags & SET_GET) != 0) {
            old = ks.lookupRead(c.db, kb, koff, klen);
            if (old != null && !isStringOrReply(old, r)) {
                return;
            }
            replyValue(old, r);
        } else if ((flags & SET_NX) != 0) {
            old = ks.lookupWrite(c.db, kb, koff, klen);
        } else {
            old = ks.lookupOverwrite(c.db, kb, koff, klen); // a cold value is replaced unread
        }
        if (((flags & SET_NX) != 0 && old != null) || ((flags & SET_XX) != 0 && old == null)) {
            if ((flags & SET_GET) == 0) {
                if ((flags & SET_REPLY_INT) != 0) {
                    r.integer(0);
                } else {
                    r.nullBulk();
                }
            }
            return;
        }
        Entry e = store(c.db, old, kb, koff, klen, value, (flags & SET_KEEPTTL) != 0);
        engine.notifier.notify(Notifier.STRING, "set", c.db, e.key);
        if (expireAt >= 0) {
            c.db.setExpire(e, expireAt);
            engine.notifier.notify(Notifier.GENERIC, "expire", c.db, e.key);
        }
        if ((flags & SET_GET) == 0) {
            if ((flags & SET_REPLY_INT) != 0) {
                r.integer(1);
            } else {
                r.ok();
            }
        }
    }

    /** Stores {@code value} at a key whose live entry is {@code old} (null when absent). */
    private Entry store(Database db, Entry old, byte[] kb, int koff, int klen, Object value, boolean keepTtl) {
        if (old == null) {
            byte[] key = new byte[klen];
            System.arraycopy(kb, koff, key, 0, klen);
            return ks.add(db, key, value);
        }
        ks.overwrite(db, old, value, keepTtl);
        return old;
    }

    private static void replyValue(Entry e, ReplySink r) {
        if (e == null) {
            r.nullBulk();
        } else {
            byte[] v = (byte[]) e.value();
            r.bulk(v, 0, v.length);
        }
    }

    /** MSET and MSETNX; MSETNX sets nothing when any key exists. Later pairs win over earlier ones. */
    private void mset(Client c, Args a, boolean nx, ReplySink r) {
        if (a.argc() % 2 == 0) {
            r.error(Errors.wrongArity(nx ? "msetnx" : "mset"));
            return;
        }
        if (nx) {
            for (int i = 1; i < a.argc(); i += 2) {
                if (write(c, a, i) != null) {
                    r.integer(0);
                    return;
                }
            }
        }
        for (int i = 1; i < a.argc(); i += 2) {
            Entry old = write(c, a, i);
            Entry e = store(c.db, old, a.buf(), a.off(i), a.len(i), a.bytes(i + 1), false);
            engine.notifier.notify(Notifier.STRING, "set", c.db, e.key);
        }
        if (nx) {
            r.integer(1);
        } else {
            r.ok();
        }
    }

    // ---- APPEND / SETRANGE ----

    /** Redis' checkStringLength: false (after replying) when a string would exceed proto-max-bulk-len. */
    private boolean lengthOkOrReply(long total, ReplySink r) {
        if (total > engine.config.protoMaxBulkLen || total > MAX_ARRAY) {
            r.error(Errors.STRING_TOO_LONG);
            return false;
        }
        return true;
    }

    private void append(Client c, Args a, ReplySink r) {
        Entry e = write(c, a, 1);
        byte[] nv;
        if (e == null) {
            nv = a.bytes(2);
            e = store(c.db, null, a.buf(), a.off(1), a.len(1), nv, false);
        } else {
            if (!isStringOrReply(e, r)) {
                return;
            }
            byte[] v = (byte[]) e.value();
            if (!lengthOkOrReply((long) v.length + a.len(2), r)) {
                return;
            }
            nv = new byte[v.length + a.len(2)];
            System.arraycopy(v, 0, nv, 0, v.length);
            System.arraycopy(a.buf(), a.off(2), nv, v.length, a.len(2));
            ks.overwrite(c.db, e, nv, true);
            e.rawString(true); // Redis appends to an unshared sds: OBJECT ENCODING says raw
        }
        engine.notifier.notify(Notifier.STRING, "append", c.db, e.key);
        r.integer(nv.length);
    }

    private void setrange(Client c, Args a, ReplySink r) {
        if (!a.isLong(2)) {
            r.error(Errors.NOT_INTEGER);
            return;
        }
        long offset = a.longAt(2);
        if (offset < 0) {
            r.error(Errors.OFFSET_RANGE);
            return;
        }
        int vlen = a.len(3);
        Entry e = write(c, a, 1);
        byte[] old = Bytes.EMPTY;
        if (e != null) {
            if (!isStringOrReply(e, r)) {
                return;
            }
            old = (byte[]) e.value();
        }
        if (vlen == 0) {
            r.integer(old.length); // setting nothing: nothing is created or touched
            return;
        }
        if (!lengthOkOrReply(offset > MAX_ARRAY ? Long.MAX_VALUE : offset + vlen, r)) {
            return;
        }
        byte[] nv = new byte[(int) Math.max(old.length, offset + vlen)];
        System.arraycopy(old, 0, nv, 0, old.length);
        System.arraycopy(a.buf(), a.off(3), nv, (int) offset, vlen);
        e = store(c.db, e, a.buf(), a.off(1), a.len(1), nv, true);
        e.rawString(true); // new or unshared sds in Redis: OBJECT ENCODING says raw
        engine.notifier.notify(Notifier.STRING, "setrange", c.db, e.key);
        r.integer(nv.length);
    }

    // ---- counters ----

    private void incrby(Client c, Args a, ReplySink r) {
        if (!a.isLong(2)) {
            r.error(Errors.NOT_INTEGER);
            return;
        }
        incrDecr(c, a, a.longAt(2), r);
    }

    private void decrby(Client c, Args a, ReplySink r) {
        if (!a.isLong(2)) {
            r.error(Errors.NOT_INTEGER);
            return;
        }
        long by = a.longAt(2);
        if (by == Long.MIN_VALUE) {
            r.error(Errors.DECR_OVERFLOW); // its negation does not fit
            return;
        }
        incrDecr(c, a, -by, r);
    }

    /** The one integer counter path (INCR, DECR, INCRBY, DECRBY); the key's TTL is kept. */
    private void incrDecr(Client c, Args a, long incr, ReplySink r) {
        Entry e = write(c, a, 1);
        long value = 0;
        if (e != null) {
            if (!isStringOrReply(e, r)) {
                return;
            }
            byte[] v = (byte[]) e.value();
            if (!Numbers.isLong(v, 0, v.length)) {
                r.error(Errors.NOT_INTEGER);
                return;
            }
            value = Numbers.parseLong(v, 0, v.length);
        }
        if ((incr < 0 && value < 0 && incr < Long.MIN_VALUE - value)
            || (incr > 0 && value > 0 && incr > Long.MAX_VALUE - value)) {
            r.error(Errors.OVERFLOW);
            return;
        }
        value += incr;
        e = store(c.db, e, a.buf(), a.off(1), a.len(1), Numbers.longBytes(value), true);
        engine.notifier.notify(Notifier.STRING, "incrby", c.db, e.key);
        r.integer(value);
    }

    /**
     * Computed in x87 extended precision and printed with %.17Lf as Redis does ({@link LongDouble},
     * shared with HINCRBYFLOAT); the TTL is kept.
     */
    private void incrbyfloat(Client c, Args a, ReplySink r) {
        Entry e = write(c, a, 1);
        if (e != null && !isStringOrReply(e, r)) {
            return;
        }
        byte[] v = e == null ? null : (byte[]) e.value();
        BigDecimal value = v == null ? BigDecimal.ZERO : LongDouble.parse(v, 0, v.length);
        boolean infinite = value == null && isInfinity(v, 0, v.length);
        if (value == null && !infinite) {
            r.error(Errors.NOT_FLOAT);
            return;
        }
        BigDecimal incr = LongDouble.parse(a.buf(), a.off(2), a.len(2));
        if (incr == null) {
            if (!isInfinity(a.buf(), a.off(2), a.len(2))) {
                r.error(Errors.NOT_FLOAT);
                return;
            }
            infinite = true;
        }
        // inf plus anything is inf or NaN; a finite sum past LDBL_MAX is inf too
        BigDecimal sum = infinite ? null : LongDouble.add(value, incr);
        if (sum == null) {
            r.error(Errors.INCR_NAN_INF);
            return;
        }
        byte[] nv = Bytes.ascii(LongDouble.formatHuman(sum));
        e = store(c.db, e, a.buf(), a.off(1), a.len(1), nv, true);
        e.textString(true); // Redis stores the result as a string object, never as an int
        engine.notifier.notify(Notifier.STRING, "incrbyfloat", c.db, e.key);
        r.bulk(nv, 0, nv.length);
    }

    /** True for the texts strtold reads as an infinity ("inf", "-Infinity"…), which LongDouble refuses. */
    private static boolean isInfinity(byte[] b, int off, int len) {
        return Double.isInfinite(Numbers.parseDouble(b, off, len))
            && Bytes.str(b, off, len).toLowerCase(java.util.Locale.ROOT).contains("inf");
    }

    // ---- LCS ----

    /** LCS key1 key2 [LEN] [IDX] [MINMATCHLEN n] [WITHMATCHLEN], Redis' dynamic programming walk. */
    private void lcs(Client c, Args a, ReplySink r) {
        Entry ea = read(c, a, 1);
        Entry eb = read(c, a, 2);
        if ((ea != null && !(ea.value() instanceof byte[])) || (eb != null && !(eb.value() instanceof byte[]))) {
            r.error(Errors.LCS_NOT_STRINGS);
            return;
        }
        byte[] x = ea == null ? Bytes.EMPTY : (byte[]) ea.value();
        byte[] y = eb == null ? Bytes.EMPTY : (byte[]) eb.value();
        boolean getIdx = false;
        boolean getLen = false;
        boolean withMatchLen = false;
        long minMatchLen = 0;
        for (int j = 3; j < a.argc(); j++) {
            boolean moreArgs = j + 1 < a.argc();
            if (a.is(j, IDX)) {
                getIdx = true;
            } else if (a.is(j, LEN)) {
                getLen = true;
            } else if (a.is(j, WITHMATCHLEN)) {
                withMatchLen = true;
            } else if (a.is(j, MINMATCHLEN) && moreArgs) {
                if (!a.isLong(j + 1)) {
                    r.error(Errors.NOT_INTEGER);
                    return;
                }
                minMatchLen = Math.max(0, a.longAt(j + 1));
                j++;
            } else {
                r.error(Errors.SYNTAX);
                return;
            }
        }
        if (getIdx && getLen) {
            r.error(Errors.LCS_LEN_AND_IDX);
            return;
        }
        int alen = x.length;
        int blen = y.length;
        long cells = (long) (alen + 1) * (blen + 1);
        int[] dp;
        try {
            dp = cells > MAX_ARRAY ? null : new int[(int) cells];
        } catch (OutOfMemoryError oom) {
            dp = null; // a transient table too big for the heap: refuse like Redis' ztrymalloc failure
        }
        if (dp == null) {
            r.error(Errors.LCS_NO_MEMORY);
            return;
        }
        int w = blen + 1;
        for (int i = 1; i <= alen; i++) {
            for (int j = 1; j <= blen; j++) {
                if (x[i - 1] == y[j - 1]) {
                    dp[i * w + j] = dp[(i - 1) * w + j - 1] + 1;
                } else {
                    dp[i * w + j] = Math.max(dp[(i - 1) * w + j], dp[i * w + j - 1]);
                }
            }
        }
        int total = dp[alen * w + blen];
        int idx = total;
        boolean computeLcs = getIdx || !getLen;
        byte[] result = computeLcs ? new byte[total] : null;
        List<long[]> ranges = getIdx ? new ArrayList<>() : null;
        // alen in arangeStart means "no range being tracked"
        int arangeStart = alen;
        int arangeEnd = 0;
        int brangeStart = 0;
        int brangeEnd = 0;
        int i = alen;
        int j = blen;
        while (computeLcs && i > 0 && j > 0) {
            boolean emitRange = false;
            if (x[i - 1] == y[j - 1]) {
                result[idx - 1] = x[i - 1];
                if (arangeStart == alen) {
                    arangeStart = i - 1;
                    arangeEnd = i - 1;
                    brangeStart = j - 1;
                    brangeEnd = j - 1;
                } else if (arangeStart == i && brangeStart == j) {
                    arangeStart--;
                    brangeStart--;
                } else {
                    emitRange = true;
                }
                if (arangeStart == 0 || brangeStart == 0) {
                    emitRange = true;
                }
                idx--;
                i--;
                j--;
            } else {
                if (dp[(i - 1) * w + j] > dp[i * w + j - 1]) {
                    i--;
                } else {
                    j--;
                }
                if (arangeStart != alen) {
                    emitRange = true;
                }
            }
            int matchLen = arangeEnd - arangeStart + 1;
            if (emitRange) {
                if ((minMatchLen == 0 || matchLen >= minMatchLen) && ranges != null) {
                    ranges.add(new long[] {arangeStart, arangeEnd, brangeStart, brangeEnd, matchLen});
                }
                arangeStart = alen;
            }
        }
        if (getIdx) {
            r.map(2);
            r.bulk("matches");
            r.array(ranges.size());
            for (long[] m : ranges) {
                r.array(withMatchLen ? 3 : 2);
                r.array(2);
                r.integer(m[0]);
                r.integer(m[1]);
                r.array(2);
                r.integer(m[2]);
                r.integer(m[3]);
                if (withMatchLen) {
                    r.integer(m[4]);
                }
            }
            r.bulk("len");
            r.integer(total);
        } else if (getLen) {
            r.integer(total);
        } else {
            r.bulk(result, 0, result.length);
        }
    }
}
