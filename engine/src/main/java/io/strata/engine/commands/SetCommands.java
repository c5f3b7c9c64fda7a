package io.strata.engine.commands;

import io.strata.engine.Client;
import io.strata.engine.Engine;
import io.strata.engine.Errors;
import io.strata.engine.Notifier;
import io.strata.engine.command.Args;
import io.strata.engine.command.CommandTable;
import io.strata.engine.command.ReplySink;
import io.strata.engine.keyspace.Entry;
import io.strata.engine.types.SetValue;
import io.strata.engine.util.Bytes;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

import static io.strata.engine.command.CommandFlag.DENYOOM;
import static io.strata.engine.command.CommandFlag.FAST;
import static io.strata.engine.command.CommandFlag.READONLY;
import static io.strata.engine.command.CommandFlag.WRITE;

/**
 * Set commands (Redis' t_set.c). SINTER, SINTERCARD and SINTERSTORE share {@link #inter};
 * SUNION, SDIFF and their STORE forms share {@link #unionDiff}. A set that loses its last member
 * is deleted (with a "del" event); a STORE whose result is empty deletes its destination.
 *
 * <p>Thread rule: keyspace thread only.
 */
public final class SetCommands extends CommandGroup {
    private static final byte[] LIMIT = Bytes.ascii("limit");
    private static final byte[] SREM = Bytes.ascii("SREM");

    public SetCommands(Engine engine) {
        super(engine);
    }

    @Override
    public void register(CommandTable t) {
        String g = "set";
        t.add(cmd("sadd", -3, this::sadd).flags(WRITE, DENYOOM, FAST).keys(1, 1, 1)
            .doc(g, "1.0.0", "Add one or more members to a set"));
        t.add(cmd("srem", -3, this::srem).flags(WRITE, FAST).keys(1, 1, 1)
            .doc(g, "1.0.0", "Remove one or more members from a set"));
        t.add(cmd("smembers", 2, this::smembers).flags(READONLY).keys(1, 1, 1)
            .doc(g, "1.0.0", "Get all the members in a set"));
        t.add(cmd("sismember", 3, this::sismember).flags(READONLY, FAST).keys(1, 1, 1)
            .doc(g, "1.0.0", "Determine if a given value is a member of a set"));
        t.add(cmd("smismember", -3, this::smismember).flags(READONLY, FAST).keys(1, 1, 1)
            .doc(g, "6.2.0", "Returns the membership associated with the given elements for a set"));
        t.add(cmd("scard", 2, this::scard).flags(READONLY, FAST).keys(1, 1, 1)
            .doc(g, "1.0.0", "Get the number of members in a set"));
        t.add(cmd("spop", -2, this::spop).flags(WRITE, FAST).keys(1, 1, 1)
            .doc(g, "1.0.0", "Remove and return one or multiple random members from a set"));
        t.add(cmd("srandmember", -2, this::srandmember).flags(READONLY).keys(1, 1, 1)
            .doc(g, "1.0.0", "Get one or multiple random members from a set"));
        t.add(cmd("smove", 4, this::smove).flags(WRITE, FAST).keys(1, 2, 1)
            .doc(g, "1.0.0", "Move a member from one set to another"));
        t.add(cmd("sinter", -2, (c, a, r) -> inter(c, a, r, 1, a.argc() - 1, -1, false, 0)).flags(READONLY)
            .keys(1, -1, 1).doc(g, "1.0.0", "Intersect multiple sets"));
        t.add(cmd("sintercard", -3, this::sintercard).flags(READONLY).movableKeys(SetCommands::sintercardKeys)
            .doc(g, "7.0.0", "Intersect multiple sets and return the cardinality of the result"));
        t.add(cmd("sinterstore", -3, (c, a, r) -> inter(c, a, r, 2, a.argc() - 2, 1, false, 0))
            .flags(WRITE, DENYOOM).keys(1, -1, 1)
            .doc(g, "1.0.0", "Intersect multiple sets and store the resulting set in a key"));
        t.add(cmd("sunion", -2, (c, a, r) -> unionDiff(c, a, r, 1, -1, false)).flags(READONLY).keys(1, -1, 1)
            .doc(g, "1.0.0", "Add multiple sets"));
        t.add(cmd("sunionstore", -3, (c, a, r) -> unionDiff(c, a, r, 2, 1, false)).flags(WRITE, DENYOOM)
            .keys(1, -1, 1).doc(g, "1.0.0", "Add multiple sets and store the resulting set in a key"));
        t.add(cmd("sdiff", -2, (c, a, r) -> unionDiff(c, a, r, 1, -1, true)).flags(READONLY).keys(1, -1, 1)
            .doc(g, "1.0.0", "Subtract multiple sets"));
        t.add(cmd("sdiffstore", -3, (c, a, r) -> unionDiff(c, a, r, 2, 1, true)).flags(WRITE, DENYOOM)
            .keys(1, -1, 1).doc(g, "1.0.0", "Subtract multiple sets and store the resulting set in a key"));
        t.add(cmd("sscan", -3, this::sscan).flags(READONLY).keys(1, 1, 1)
            .doc(g, "2.8.0", "Incrementally iterate Set elements"));
    }

    // ---- helpers ----

    /** True when {@code e} holds a set; otherwise writes WRONGTYPE and returns false. */
    static boolean isSetOrReply(Entry e, ReplySink r) {
        if (e.value() instanceof SetValue) {
            return true;
        }
        r.error(Errors.WRONGTYPE);
        return false;
    }

    private long maxIntset() {
        return engine.config.setMaxIntsetEntries;
    }

    /** After members were removed: deletes the key when it is empty and says so. */
    private void afterRemove(Client c, Entry e, SetValue s, String event) {
        engine.notifier.notify(Notifier.SET, event, c.db, e.key);
        if (s.size() == 0) {
            ks.delete(c.db, e);
            engine.notifier.notify(Notifier.GENERIC, "del", c.db, e.key);
        } else {
            ks.changed(c.db, e.key);
        }
    }

    /** Parses a SRANDMEMBER-style count (any long but LONG_MIN); null after replying. */
    private static Long countOrReply(Args a, int i, ReplySink r) {
        Long count = longOrReply(a, i, r);
        if (count != null && count == Long.MIN_VALUE) {
            r.error(Errors.outOfRange(-Long.MAX_VALUE, Long.MAX_VALUE));
            return null;
        }
        return count;
    }

    /** SINTERCARD's keys: {@code numkeys} of them after the numkeys argument. */
    private static List<Integer> sintercardKeys(Args a) {
        List<Integer> out = new ArrayList<>();
        if (a.argc() > 1 && a.isLong(1)) {
            long n = a.longAt(1);
            for (int i = 2; i < 2 + n && i < a.argc(); i++) {
                out.add(i);
            }
        }
        return out;
    }

    // ---- single-set commands ----

    private void sadd(Client c, Args a, ReplySink r) {
        Entry e = write(c, a, 1);
        if (e != null && !isSetOrReply(e, r)) {
            return;
        }
        SetValue s = e == null ? SetValue.createFor(a.buf(), a.off(2), a.len(2)) : (SetValue) e.value();
        long added = 0;
        for (int i = 2; i < a.argc(); i++) {
            if (s.add(a.buf(), a.off(i), a.len(i), maxIntset())) {
                added++;
            }
        }
        if (added > 0) {
            byte[] key;
            if (e == null) {
                key = a.bytes(1);
                ks.add(c.db, key, s);
            } else {
                key = e.key;
                ks.changed(c.db, key);
            }
            engine.notifier.notify(Notifier.SET, "sadd", c.db, key);
        }
        r.integer(added);
    }

    private void srem(Client c, Args a, ReplySink r) {
        Entry e = write(c, a, 1);
        if (e == null) {
            r.integer(0);
            return;
        }
        if (!isSetOrReply(e, r)) {
            return;
        }
        SetValue s = (SetValue) e.value();
        long removed = 0;
        for (int i = 2; i < a.argc() && s.size() > 0; i++) {
            if (s.remove(a.buf(), a.off(i), a.len(i))) {
                removed++;
            }
        }
        if (removed > 0) {
            afterRemove(c, e, s, "srem");
        }
        r.integer(removed);
    }

    private void smembers(Client c, Args a, ReplySink r) {
        Entry e = read(c, a, 1);
        if (e == null) {
            r.set(0);
            return;
        }
        if (!isSetOrReply(e, r)) {
            return;
        }
        SetValue s = (SetValue) e.value();
        r.set((int) s.size());
        s.forEach(r::bulk);
    }

    private void sismember(Client c, Args a, ReplySink r) {
        Entry e = read(c, a, 1);
        if (e == null) {
            r.integer(0);
        } else if (isSetOrReply(e, r)) {
            r.integer(((SetValue) e.value()).contains(a.buf(), a.off(2), a.len(2)) ? 1 : 0);
        }
    }

    private void smismember(Client c, Args a, ReplySink r) {
        Entry e = read(c, a, 1);
        if (e != null && !isSetOrReply(e, r)) {
            return;
        }
        SetValue s = e == null ? null : (SetValue) e.value();
        r.array(a.argc() - 2);
        for (int i = 2; i < a.argc(); i++) {
            r.integer(s != null && s.contains(a.buf(), a.off(i), a.len(i)) ? 1 : 0);
        }
    }

    private void scard(Client c, Args a, ReplySink r) {
        Entry e = read(c, a, 1);
        if (e == null) {
            r.integer(0);
        } else if (isSetOrReply(e, r)) {
            r.integer(((SetValue) e.value()).size());
        }
    }

    private void spop(Client c, Args a, ReplySink r) {
        if (a.argc() == 3) {
            spopCount(c, a, r);
            return;
        } else if (a.argc() > 3) {
            r.error(Errors.SYNTAX);
            return;
        }
        Entry e = write(c, a, 1);
        if (e == null) {
            r.nullBulk();
            return;
        }
        if (!isSetOrReply(e, r)) {
            return;
        }
        SetValue s = (SetValue) e.value();
        byte[] m = s.random(ks.random());
        s.remove(m);
        if (engine.aof != null) {
            engine.aof.replaceWith(SREM, e.key, m); // SPOP is random: the AOF gets what it removed
        }
        afterRemove(c, e, s, "spop");
        r.bulk(m);
    }

    /** SPOP with a count: distinct members, the whole set (and the key) when count >= size. */
    private void spopCount(Client c, Args a, ReplySink r) {
        // getPositiveLongFromObjectOrReply: one message for "not a number" and "negative"
        if (!a.isLong(2) || a.longAt(2) < 0) {
            r.error(Errors.OUT_OF_RANGE_POSITIVE);
            return;
        }
        long count = a.longAt(2);
        Entry e = write(c, a, 1);
        if (e == null) {
            r.set(0);
            return;
        }
        if (!isSetOrReply(e, r)) {
            return;
        }
        SetValue s = (SetValue) e.value();
        if (count == 0) {
            r.set(0);
            return;
        }
        List<byte[]> popped = count >= s.size() ? s.members() : s.randomDistinct((int) count, ks.random());
        for (byte[] m : popped) {
            s.remove(m);
        }
        if (engine.aof != null) {
            byte[][] argv = new byte[popped.size() + 2][];
            argv[0] = SREM;
            argv[1] = e.key;
            for (int i = 0; i < popped.size(); i++) {
                argv[i + 2] = popped.get(i);
            }
            engine.aof.replaceWith(argv); // SPOP is random: the AOF gets what it removed
        }
        afterRemove(c, e, s, "spop");
        r.set(popped.size());
        for (byte[] m : popped) {
            r.bulk(m);
        }
    }

    private void srandmember(Client c, Args a, ReplySink r) {
        if (a.argc() > 3) {
            r.error(Errors.SYNTAX);
            return;
        }
        if (a.argc() == 3) {
            Long count = countOrReply(a, 2, r);
            if (count != null) {
                srandmemberCount(c, a, r, count);
            }
            return;
        }
        Entry e = read(c, a, 1);
        if (e == null) {
            r.nullBulk();
        } else if (isSetOrReply(e, r)) {
            r.bulk(((SetValue) e.value()).random(ks.random()));
        }
    }

    /** SRANDMEMBER with a count: negative counts may repeat members, positive ones never do. */
    private void srandmemberCount(Client c, Args a, ReplySink r, long count) {
        Entry e = read(c, a, 1);
        if (e == null) {
            r.array(0);
            return;
        }
        if (!isSetOrReply(e, r)) {
            return;
        }
        SetValue s = (SetValue) e.value();
        Random rnd = ks.random();
        if (count < 0) {
            // repeats allowed: stream the picks, the count may be huge
            r.array((int) -count);
            for (long i = 0; i < -count; i++) {
                r.bulk(s.random(rnd));
            }
            return;
        }
        List<byte[]> picked = count == 0 ? List.of()
            : count >= s.size() ? s.members() : s.randomDistinct((int) count, rnd);
        r.array(picked.size());
        for (byte[] m : picked) {
            r.bulk(m);
        }
    }

    private void smove(Client c, Args a, ReplySink r) {
        Entry src = write(c, a, 1);
        Entry dst = write(c, a, 2);
        if (src == null) {
            r.integer(0);
            return;
        }
        if (!isSetOrReply(src, r) || (dst != null && !isSetOrReply(dst, r))) {
            return;
        }
        SetValue from = (SetValue) src.value();
        if (src == dst) {
            r.integer(from.contains(a.buf(), a.off(3), a.len(3)) ? 1 : 0);
            return;
        }
        if (!from.remove(a.buf(), a.off(3), a.len(3))) {
            r.integer(0);
            return;
        }
        afterRemove(c, src, from, "srem");
        SetValue to = dst == null ? SetValue.createFor(a.buf(), a.off(3), a.len(3)) : (SetValue) dst.value();
        if (to.add(a.buf(), a.off(3), a.len(3), maxIntset())) {
            byte[] key;
            if (dst == null) {
                key = a.bytes(2);
                ks.add(c.db, key, to);
            } else {
                key = dst.key;
                ks.changed(c.db, key);
            }
            engine.notifier.notify(Notifier.SET, "sadd", c.db, key);
        }
        r.integer(1);
    }

    // ---- multi-set commands ----

    /**
     * The sets at arguments {@code first..first+n-1}, null for a missing key; null (after
     * replying WRONGTYPE) when any key holds another type. Redis checks every key's type even
     * when one is missing.
     */
    private SetValue[] setsOrReply(Client c, Args a, int first, int n, boolean forWrite, ReplySink r) {
        SetValue[] sets = new SetValue[n];
        for (int i = 0; i < n; i++) {
            Entry e = forWrite ? write(c, a, first + i) : read(c, a, first + i);
            if (e == null) {
                continue;
            }
            if (!isSetOrReply(e, r)) {
                return null;
            }
            sets[i] = (SetValue) e.value();
        }
        return sets;
    }

    /**
     * Writes a STORE result to the key at argument {@code dstArg} (dropping its TTL, as SET does)
     * or, when the result is empty, deletes it; replies the result's size.
     */
    private void storeResult(Client c, Args a, int dstArg, SetValue result, String event, ReplySink r) {
        if (result.size() > 0) {
            byte[] key = a.bytes(dstArg);
            ks.set(c.db, key, result, false);
            engine.notifier.notify(Notifier.SET, event, c.db, key);
            r.integer(result.size());
            return;
        }
        if (ks.delete(c.db, a.buf(), a.off(dstArg), a.len(dstArg))) {
            engine.notifier.notify(Notifier.GENERIC, "del", c.db, a.bytes(dstArg));
        }
        r.integer(0);
    }

    private void sintercard(Client c, Args a, ReplySink r) {
        if (!a.isLong(1) || a.longAt(1) < 1) {
            r.error(Errors.NUMKEYS_NOT_POSITIVE);
            return;
        }
        long numKeys = a.longAt(1);
        if (numKeys > a.argc() - 2) {
            r.error(Errors.NUMKEYS_TOO_MANY);
            return;
        }
        long limit = 0;
        for (int i = 2 + (int) numKeys; i < a.argc(); i += 2) {
            if (a.is(i, LIMIT) && i + 1 < a.argc()) {
                if (!a.isLong(i + 1) || a.longAt(i + 1) < 0) {
                    r.error(Errors.LIMIT_NEGATIVE);
                    return;
                }
                limit = a.longAt(i + 1);
            } else {
                r.error(Errors.SYNTAX);
                return;
            }
        }
        inter(c, a, r, 2, (int) numKeys, -1, true, limit);
    }

    /**
     * SINTER ({@code dstArg} -1), SINTERSTORE (destination at {@code dstArg}) and SINTERCARD
     * ({@code cardOnly}, stopping at {@code limit} when it is not 0), over the {@code n} keys
     * from argument {@code first}.
     */
    private void inter(Client c, Args a, ReplySink r, int first, int n, int dstArg, boolean cardOnly, long limit) {
        SetValue[] sets = setsOrReply(c, a, first, n, dstArg >= 0, r);
        if (sets == null) {
            return;
        }
        boolean empty = Arrays.stream(sets).anyMatch(s -> s == null);
        SetValue result = dstArg >= 0 ? SetValue.createIntset() : null;
        List<byte[]> members = new ArrayList<>();
        long card = 0;
        if (!empty) {
            // walk the smallest set, probe the others
            Arrays.sort(sets, Comparator.comparingLong(SetValue::size));
            for (byte[] m : sets[0].members()) {
                boolean inAll = true;
                for (int i = 1; i < sets.length && inAll; i++) {
                    inAll = sets[i] == sets[0] || sets[i].contains(m);
                }
                if (!inAll) {
                    continue;
                }
                card++;
                if (cardOnly) {
                    if (limit != 0 && card >= limit) {
                        break;
                    }
                } else if (result != null) {
                    result.add(m, maxIntset());
                } else {
                    members.add(m);
                }
            }
        }
        if (cardOnly) {
            r.integer(card);
        } else if (result != null) {
            storeResult(c, a, dstArg, result, "sinterstore", r);
        } else {
            r.set(members.size());
            for (byte[] m : members) {
                r.bulk(m);
            }
        }
    }

    /**
     * SUNION/SDIFF ({@code dstArg} -1) and their STORE forms (destination at {@code dstArg}); the
     * source keys run from {@code first} to the last argument. The result is built as an intset
     * first, as Redis does, so all-integer results come out sorted.
     */
    private void unionDiff(Client c, Args a, ReplySink r, int first, int dstArg, boolean diff) {
        SetValue[] sets = setsOrReply(c, a, first, a.argc() - first, dstArg >= 0, r);
        if (sets == null) {
            return;
        }
        SetValue result = SetValue.createIntset();
        if (!diff) {
            for (SetValue s : sets) {
                if (s != null) {
                    s.forEach(m -> result.add(m, maxIntset()));
                }
            }
        } else if (sets[0] != null) {
            sets[0].forEach(m -> {
                for (int i = 1; i < sets.length; i++) {
                    if (sets[i] != null && sets[i].contains(m)) {
                        return;
                    }
                }
                result.add(m, maxIntset());
            });
        }
        if (dstArg >= 0) {
            storeResult(c, a, dstArg, result, diff ? "sdiffstore" : "sunionstore", r);
            return;
        }
        r.set((int) result.size());
        result.forEach(r::bulk);
    }

    private void sscan(Client c, Args a, ReplySink r) {
        ScanArgs s = ScanArgs.cursorOrReply(a, 2, r);
        if (s == null) {
            return;
        }
        Entry e = read(c, a, 1);
        if (e == null) {
            ScanArgs.replyEmpty(r);
            return;
        }
        if (!isSetOrReply(e, r) || !s.optionsOrReply(a, 3, r)) {
            return;
        }
        List<byte[]> out = new ArrayList<>();
        long next = ((SetValue) e.value()).scan(s.cursor, s.count, m -> {
            if (s.matches(m)) {
                out.add(m);
            }
        });
        r.array(2);
        r.bulk(Long.toUnsignedString(next));
        r.array(out.size());
        for (byte[] m : out) {
            r.bulk(m);
        }
    }
}
