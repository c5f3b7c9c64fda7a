package io.strata.engine.commands;

import io.strata.engine.Client;
import io.strata.engine.Engine;
import io.strata.engine.Errors;
import io.strata.engine.Notifier;
import io.strata.engine.command.Args;
import io.strata.engine.command.CommandTable;
import io.strata.engine.command.ReplySink;
import io.strata.engine.keyspace.Entry;
import io.strata.engine.types.HashValue;
import io.strata.engine.util.Bytes;
import io.strata.engine.util.LongDouble;
import io.strata.engine.util.Numbers;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static io.strata.engine.command.CommandFlag.DENYOOM;
import static io.strata.engine.command.CommandFlag.FAST;
import static io.strata.engine.command.CommandFlag.READONLY;
import static io.strata.engine.command.CommandFlag.WRITE;

/**
 * Hash commands (Redis' t_hash.c). Writers build or edit a {@link HashValue} and then record
 * the change once: {@code add} for a new key, {@code changed} for an existing one, {@code delete}
 * (with a "del" event) when the last field goes.
 *
 * <p>Thread rule: keyspace thread only.
 */
public final class HashCommands extends CommandGroup {
    private static final byte[] WITHVALUES = Bytes.ascii("withvalues");

    public HashCommands(Engine engine) {
        super(engine);
    }

    @Override
    public void register(CommandTable t) {
        String g = "hash";
        t.add(cmd("hset", -4, (c, a, r) -> hset(c, a, r, false)).flags(WRITE, DENYOOM, FAST).keys(1, 1, 1)
            .doc(g, "2.0.0", "Set the string value of a hash field"));
        t.add(cmd("hsetnx", 4, this::hsetnx).flags(WRITE, DENYOOM, FAST).keys(1, 1, 1)
            .doc(g, "2.0.0", "Set the value of a hash field, only if the field does not exist"));
        t.add(cmd("hget", 3, this::hget).flags(READONLY, FAST).keys(1, 1, 1)
            .doc(g, "2.0.0", "Get the value of a hash field"));
        t.add(cmd("hmget", -3, this::hmget).flags(READONLY, FAST).keys(1, 1, 1)
            .doc(g, "2.0.0", "Get the values of all the given hash fields"));
        t.add(cmd("hmset", -4, (c, a, r) -> hset(c, a, r, true)).flags(WRITE, DENYOOM, FAST).keys(1, 1, 1)
            .doc(g, "2.0.0", "Set multiple hash fields to multiple values"));
        t.add(cmd("hgetall", 2, (c, a, r) -> getAll(c, a, r, true, true)).flags(READONLY).keys(1, 1, 1)
            .doc(g, "2.0.0", "Get all the fields and values in a hash"));
        t.add(cmd("hdel", -3, this::hdel).flags(WRITE, FAST).keys(1, 1, 1)
            .doc(g, "2.0.0", "Delete one or more hash fields"));
        t.add(cmd("hlen", 2, this::hlen).flags(READONLY, FAST).keys(1, 1, 1)
            .doc(g, "2.0.0", "Get the number of fields in a hash"));
        t.add(cmd("hexists", 3, this::hexists).flags(READONLY, FAST).keys(1, 1, 1)
            .doc(g, "2.0.0", "Determine if a hash field exists"));
        t.add(cmd("hkeys", 2, (c, a, r) -> getAll(c, a, r, true, false)).flags(READONLY).keys(1, 1, 1)
            .doc(g, "2.0.0", "Get all the fields in a hash"));
        t.add(cmd("hvals", 2, (c, a, r) -> getAll(c, a, r, false, true)).flags(READONLY).keys(1, 1, 1)
            .doc(g, "2.0.0", "Get all the values in a hash"));
        t.add(cmd("hincrby", 4, this::hincrby).flags(WRITE, DENYOOM, FAST).keys(1, 1, 1)
            .doc(g, "2.0.0", "Increment the integer value of a hash field by the given number"));
        t.add(cmd("hincrbyfloat", 4, this::hincrbyfloat).flags(WRITE, DENYOOM, FAST).keys(1, 1, 1)
            .doc(g, "2.6.0", "Increment the float value of a hash field by the given amount"));
        t.add(cmd("hstrlen", 3, this::hstrlen).flags(READONLY, FAST).keys(1, 1, 1)
            .doc(g, "3.2.0", "Get the length of the value of a hash field"));
        t.add(cmd("hrandfield", -2, this::hrandfield).flags(READONLY).keys(1, 1, 1)
            .doc(g, "6.2.0", "Get one or multiple random fields from a hash"));
        t.add(cmd("hscan", -3, this::hscan).flags(READONLY).keys(1, 1, 1)
            .doc(g, "2.8.0", "Incrementally iterate hash fields and associated values"));
    }

    // ---- helpers ----

    /** True when {@code e} holds a hash; otherwise writes WRONGTYPE and returns false. */
    static boolean isHashOrReply(Entry e, ReplySink r) {
        if (e.value() instanceof HashValue) {
            return true;
        }
        r.error(Errors.WRONGTYPE);
        return false;
    }

    /** Sets a field under the configured listpack limits; true when the field is new. */
    private boolean set(HashValue h, byte[] field, byte[] value) {
        return h.set(field, value, engine.config.hashMaxListpackEntries, engine.config.hashMaxListpackValue);
    }

    /** Stores a hash just built for a missing key, or records an edit of an existing one. */
    private byte[] store(Client c, Args a, Entry e, HashValue h) {
        if (e == null) {
            byte[] key = a.bytes(1);
            ks.add(c.db, key, h);
            return key;
        }
        ks.changed(c.db, e.key);
        return e.key;
    }

    /** After fields were removed: deletes the key when it is empty and says so. */
    private void afterRemove(Client c, Entry e, HashValue h, String event) {
        engine.notifier.notify(Notifier.HASH, event, c.db, e.key);
        if (h.size() == 0) {
            ks.delete(c.db, e);
            engine.notifier.notify(Notifier.GENERIC, "del", c.db, e.key);
        } else {
            ks.changed(c.db, e.key);
        }
    }

    // ---- handlers ----

    /** HSET and HMSET: field/value pairs; HSET answers how many fields are new, HMSET +OK. */
    private void hset(Client c, Args a, ReplySink r, boolean hmset) {
        if (a.argc() % 2 != 0) {
            r.error(Errors.wrongArity(hmset ? "hmset" : "hset"));
            return;
        }
        Entry e = write(c, a, 1);
        if (e != null && !isHashOrReply(e, r)) {
            return;
        }
        HashValue h = e == null ? new HashValue() : (HashValue) e.value();
        long created = 0;
        for (int i = 2; i < a.argc(); i += 2) {
            if (set(h, a.bytes(i), a.bytes(i + 1))) {
                created++;
            }
        }
        byte[] key = store(c, a, e, h);
        engine.notifier.notify(Notifier.HASH, "hset", c.db, key);
        if (hmset) {
            r.ok();
        } else {
            r.integer(created);
        }
    }

    private void hsetnx(Client c, Args a, ReplySink r) {
        Entry e = write(c, a, 1);
        if (e != null && !isHashOrReply(e, r)) {
            return;
        }
        HashValue h = e == null ? new HashValue() : (HashValue) e.value();
        if (h.exists(a.buf(), a.off(2), a.len(2))) {
            r.integer(0);
            return;
        }
        set(h, a.bytes(2), a.bytes(3));
        byte[] key = store(c, a, e, h);
        engine.notifier.notify(Notifier.HASH, "hset", c.db, key);
        r.integer(1);
    }

    private void hget(Client c, Args a, ReplySink r) {
        Entry e = read(c, a, 1);
        if (e == null) {
            r.nullBulk();
            return;
        }
        if (!isHashOrReply(e, r)) {
            return;
        }
        byte[] v = ((HashValue) e.value()).get(a.buf(), a.off(2), a.len(2));
        if (v == null) {
            r.nullBulk();
        } else {
            r.bulk(v);
        }
    }

    private void hmget(Client c, Args a, ReplySink r) {
        Entry e = read(c, a, 1);
        if (e != null && !isHashOrReply(e, r)) {
            return;
        }
        HashValue h = e == null ? null : (HashValue) e.value();
        r.array(a.argc() - 2);
        for (int i = 2; i < a.argc(); i++) {
            byte[] v = h == null ? null : h.get(a.buf(), a.off(i), a.len(i));
            if (v == null) {
                r.nullBulk();
            } else {
                r.bulk(v);
            }
        }
    }

    /** HGETALL (a map), HKEYS and HVALS (arrays). */
    private void getAll(Client c, Args a, ReplySink r, boolean fields, boolean values) {
        boolean map = fields && values;
        Entry e = read(c, a, 1);
        if (e == null) {
            if (map) {
                r.map(0);
            } else {
                r.array(0);
            }
            return;
        }
        if (!isHashOrReply(e, r)) {
            return;
        }
        HashValue h = (HashValue) e.value();
        if (map) {
            r.map((int) h.size());
        } else {
            r.array((int) h.size());
        }
        h.forEach((f, v) -> {
            if (fields) {
                r.bulk(f);
            }
            if (values) {
                r.bulk(v);
            }
        });
    }

    private void hdel(Client c, Args a, ReplySink r) {
        Entry e = write(c, a, 1);
        if (e == null) {
            r.integer(0);
            return;
        }
        if (!isHashOrReply(e, r)) {
            return;
        }
        HashValue h = (HashValue) e.value();
        long deleted = 0;
        for (int i = 2; i < a.argc() && h.size() > 0; i++) {
            if (h.delete(a.buf(), a.off(i), a.len(i))) {
                deleted++;
            }
        }
        if (deleted > 0) {
            afterRemove(c, e, h, "hdel");
        }
        r.integer(deleted);
    }

    private void hlen(Client c, Args a, ReplySink r) {
        Entry e = read(c, a, 1);
        if (e == null) {
            r.integer(0);
        } else if (isHashOrReply(e, r)) {
            r.integer(((HashValue) e.value()).size());
        }
    }

    private void hexists(Client c, Args a, ReplySink r) {
        Entry e = read(c, a, 1);
        if (e == null) {
            r.integer(0);
        } else if (isHashOrReply(e, r)) {
            r.integer(((HashValue) e.value()).exists(a.buf(), a.off(2), a.len(2)) ? 1 : 0);
        }
    }

    private void hstrlen(Client c, Args a, ReplySink r) {
        Entry e = read(c, a, 1);
        if (e == null) {
            r.integer(0);
        } else if (isHashOrReply(e, r)) {
            byte[] v = ((HashValue) e.value()).get(a.buf(), a.off(2), a.len(2));
            r.integer(v == null ? 0 : v.length);
        }
    }

    private void hincrby(Client c, Args a, ReplySink r) {
        Long incr = longOrReply(a, 3, r);
        if (incr == null) {
            return;
        }
        Entry e = write(c, a, 1);
        if (e != null && !isHashOrReply(e, r)) {
            return;
        }
        HashValue h = e == null ? new HashValue() : (HashValue) e.value();
        long old = 0;
        byte[] v = h.get(a.buf(), a.off(2), a.len(2));
        if (v != null) {
            if (!Numbers.isLong(v, 0, v.length)) {
                r.error(Errors.HASH_NOT_INTEGER);
                return;
            }
            old = Numbers.parseLong(v, 0, v.length);
        }
        if ((incr < 0 && old < 0 && incr < Long.MIN_VALUE - old)
            || (incr > 0 && old > 0 && incr > Long.MAX_VALUE - old)) {
            r.error(Errors.OVERFLOW);
            return;
        }
        long result = old + incr;
        set(h, a.bytes(2), Numbers.longBytes(result));
        byte[] key = store(c, a, e, h);
        engine.notifier.notify(Notifier.HASH, "hincrby", c.db, key);
        r.integer(result);
    }

    /** HINCRBYFLOAT in Redis' long double arithmetic, so 0.1 + 0.2 answers "0.3" as Redis does. */
    private void hincrbyfloat(Client c, Args a, ReplySink r) {
        double d = doubleOrReply(a, 3, r);
        if (Double.isNaN(d)) {
            return;
        }
        BigDecimal incr = LongDouble.parse(a.buf(), a.off(3), a.len(3));
        if (incr == null) {
            // "inf" is refused as infinite; a number out of long double range as strtold's ERANGE
            boolean infLiteral = Double.isInfinite(d) && a.str(3).toLowerCase().contains("inf");
            r.error(infLiteral ? Errors.NAN_OR_INFINITY : Errors.NOT_FLOAT);
            return;
        }
        Entry e = write(c, a, 1);
        if (e != null && !isHashOrReply(e, r)) {
            return;
        }
        HashValue h = e == null ? new HashValue() : (HashValue) e.value();
        BigDecimal old = BigDecimal.ZERO;
        byte[] v = h.get(a.buf(), a.off(2), a.len(2));
        if (v != null) {
            if (Double.isNaN(Numbers.parseDouble(v, 0, v.length))) {
                r.error(Errors.HASH_NOT_FLOAT);
                return;
            }
            old = LongDouble.parse(v, 0, v.length); // null: an infinite value
        }
        BigDecimal result = old == null ? null : LongDouble.add(old, incr);
        if (result == null) {
            r.error(Errors.INCR_NAN_INF);
            return;
        }
        byte[] out = Bytes.ascii(LongDouble.formatHuman(result));
        set(h, a.bytes(2), out);
        byte[] key = store(c, a, e, h);
        engine.notifier.notify(Notifier.HASH, "hincrbyfloat", c.db, key);
        r.bulk(out);
    }

    private void hrandfield(Client c, Args a, ReplySink r) {
        if (a.argc() >= 3) {
            if (!a.isLong(2)) {
                r.error(Errors.NOT_INTEGER);
                return;
            }
            long count = a.longAt(2);
            if (count == Long.MIN_VALUE) {
                r.error(Errors.outOfRange(-Long.MAX_VALUE, Long.MAX_VALUE));
                return;
            }
            boolean withValues = false;
            if (a.argc() > 4 || (a.argc() == 4 && !a.is(3, WITHVALUES))) {
                r.error(Errors.SYNTAX);
                return;
            } else if (a.argc() == 4) {
                withValues = true;
                if (count < -Long.MAX_VALUE / 2 || count > Long.MAX_VALUE / 2) {
                    r.error(Errors.OUT_OF_RANGE);
                    return;
                }
            }
            randomFields(c, a, r, count, withValues);
            return;
        }
        Entry e = read(c, a, 1);
        if (e == null) {
            r.nullBulk();
            return;
        }
        if (!isHashOrReply(e, r)) {
            return;
        }
        r.bulk(((HashValue) e.value()).random(ks.random())[0]);
    }

    /**
     * HRANDFIELD with a count: a negative count may repeat fields, a positive one never does and
     * is capped at the hash's size. RESP3 WITHVALUES answers an array of [field, value] pairs.
     */
    private void randomFields(Client c, Args a, ReplySink r, long count, boolean withValues) {
        Entry e = read(c, a, 1);
        if (e == null) {
            r.array(0);
            return;
        }
        if (!isHashOrReply(e, r)) {
            return;
        }
        HashValue h = (HashValue) e.value();
        Random rnd = ks.random();
        boolean pairs = withValues && r.protocol() > 2;
        if (count < 0) {
            // repeats allowed: stream the picks, the count may be huge
            long n = -count;
            r.array((int) (withValues && !pairs ? n * 2 : n));
            for (long i = 0; i < n; i++) {
                replyField(r, h.random(rnd), withValues, pairs);
            }
            return;
        }
        List<byte[][]> picked;
        if (count == 0) {
            picked = List.of();
        } else if (count >= h.size()) {
            List<byte[][]> all = new ArrayList<>((int) h.size());
            h.forEach((f, v) -> all.add(new byte[][] {f, v}));
            picked = all;
        } else {
            picked = h.randomDistinct((int) count, rnd);
        }
        r.array(withValues && !pairs ? picked.size() * 2 : picked.size());
        for (byte[][] p : picked) {
            replyField(r, p, withValues, pairs);
        }
    }

    private static void replyField(ReplySink r, byte[][] p, boolean withValues, boolean pairs) {
        if (pairs) {
            r.array(2);
        }
        r.bulk(p[0]);
        if (withValues) {
            r.bulk(p[1]);
        }
    }

    private void hscan(Client c, Args a, ReplySink r) {
        ScanArgs s = ScanArgs.cursorOrReply(a, 2, r);
        if (s == null) {
            return;
        }
        Entry e = read(c, a, 1);
        if (e == null) {
            ScanArgs.replyEmpty(r);
            return;
        }
        if (!isHashOrReply(e, r) || !s.optionsOrReply(a, 3, r)) {
            return;
        }
        List<byte[]> out = new ArrayList<>();
        long next = ((HashValue) e.value()).scan(s.cursor, s.count, (f, v) -> {
            if (s.matches(f)) {
                out.add(f);
                out.add(v);
            }
        });
        r.array(2);
        r.bulk(Long.toUnsignedString(next));
        r.array(out.size());
        for (byte[] b : out) {
            r.bulk(b);
        }
    }
}
