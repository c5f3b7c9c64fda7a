package io.strata.engine.commands;

import io.strata.engine.Client;
import io.strata.engine.Engine;
import io.strata.engine.Errors;
import io.strata.engine.command.Args;
import io.strata.engine.command.CommandTable;
import io.strata.engine.command.ReplySink;
import io.strata.engine.keyspace.Entry;
import io.strata.engine.util.Bytes;

import static io.strata.engine.command.CommandFlag.DENYOOM;
import static io.strata.engine.command.CommandFlag.FAST;
import static io.strata.engine.command.CommandFlag.READONLY;
import static io.strata.engine.command.CommandFlag.WRITE;

/**
 * String commands (Redis' t_string.c). SET and its variants share one {@link #set} path.
 *
 * <p>Thread rule: keyspace thread only.
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

    static final int SET_NX = 1;
    static final int SET_XX = 2;
    static final int SET_GET = 4;
    static final int SET_KEEPTTL = 8;

    public StringCommands(Engine engine) {
        super(engine);
    }

    @Override
    public void register(CommandTable t) {
        String g = "string";
        t.add(cmd("get", 2, this::get).flags(READONLY, FAST).keys(1, 1, 1)
            .doc(g, "1.0.0", "Returns the string value of a key."));
        t.add(cmd("set", -3, this::setCommand).flags(WRITE, DENYOOM).keys(1, 1, 1)
            .doc(g, "1.0.0", "Sets the string value of a key, ignoring its type. The key is created if it doesn't exist."));
    }

    private void get(Client c, Args a, ReplySink r) {
        Entry e = read(c, a, 1);
        if (e == null) {
            r.nullBulk();
        } else if (isStringOrReply(e, r)) {
            byte[] v = (byte[]) e.value;
            r.bulk(v, 0, v.length);
        }
    }

    private void setCommand(Client c, Args a, ReplySink r) {
        int flags = 0;
        long expireAt = -1;
        String unit = null;
        for (int i = 3; i < a.argc(); i++) {
            boolean hasNext = i + 1 < a.argc();
            if (a.is(i, NX) && (flags & SET_XX) == 0) {
                flags |= SET_NX;
            } else if (a.is(i, XX) && (flags & SET_NX) == 0) {
                flags |= SET_XX;
            } else if (a.is(i, GET)) {
                flags |= SET_GET;
            } else if (a.is(i, KEEPTTL) && unit == null) {
                flags |= SET_KEEPTTL;
            } else if (hasNext && unit == null && (flags & SET_KEEPTTL) == 0
                && (a.is(i, EX) || a.is(i, PX) || a.is(i, EXAT) || a.is(i, PXAT))) {
                unit = a.str(i).toLowerCase();
                i++;
                expireAt = expireAtOrReply(a, i, unit, "set", r);
                if (expireAt == Long.MIN_VALUE) {
                    return;
                }
            } else {
                r.error(Errors.SYNTAX);
                return;
            }
        }
        set(c, a.buf(), a.off(1), a.len(1), a.bytes(2), flags, expireAt, r);
    }

    /**
     * Turns an EX/PX/EXAT/PXAT argument into an absolute Unix-ms time; on error writes it and
     * returns {@code Long.MIN_VALUE}. Shared by SET, SETEX, PSETEX and GETEX.
     */
    long expireAtOrReply(Args a, int i, String unit, String cmd, ReplySink r) {
        if (!a.isLong(i)) {
            r.error(Errors.NOT_INTEGER);
            return Long.MIN_VALUE;
        }
        long v = a.longAt(i);
        if (v <= 0) {
            r.error(Errors.invalidExpire(cmd));
            return Long.MIN_VALUE;
        }
        boolean seconds = unit.equals("ex") || unit.equals("exat");
        if (seconds) {
            if (v > Long.MAX_VALUE / 1000) {
                r.error(Errors.invalidExpire(cmd));
                return Long.MIN_VALUE;
            }
            v *= 1000;
        }
        if (unit.equals("ex") || unit.equals("px")) {
            if (v > Long.MAX_VALUE - ks.now()) {
                r.error(Errors.invalidExpire(cmd));
                return Long.MIN_VALUE;
            }
            v += ks.now();
        }
        return v;
    }

    /** The one SET path: NX/XX/GET/KEEPTTL flags and an absolute expiry (-1 for none). */
    void set(Client c, byte[] kb, int koff, int klen, byte[] value, int flags, long expireAt, ReplySink r) {
        Entry old = ks.lookupWrite(c.db, kb, koff, klen);
        if ((flags & SET_GET) != 0) {
            if (old != null && !(old.value instanceof byte[])) {
                r.error(Errors.WRONGTYPE);
                return;
            }
        }
        boolean blocked = ((flags & SET_NX) != 0 && old != null) || ((flags & SET_XX) != 0 && old == null);
        if (blocked) {
            if ((flags & SET_GET) != 0) {
                replyOld(old, r);
            } else {
                r.nullBulk();
            }
            return;
        }
        Entry e;
        if (old == null) {
            byte[] key = new byte[klen];
            System.arraycopy(kb, koff, key, 0, klen);
            e = ks.add(c.db, key, value);
        } else {
            if ((flags & SET_GET) != 0) {
                replyOld(old, r);
            }
            ks.overwrite(c.db, old, value, (flags & SET_KEEPTTL) != 0);
            e = old;
        }
        if (expireAt >= 0) {
            c.db.setExpire(e, expireAt);
        }
        if ((flags & SET_GET) == 0) {
            r.ok();
        } else if (old == null) {
            r.nullBulk();
        }
    }

    private static void replyOld(Entry old, ReplySink r) {
        if (old == null) {
            r.nullBulk();
        } else {
            byte[] v = (byte[]) old.value;
            r.bulk(v, 0, v.length);
        }
    }
}
