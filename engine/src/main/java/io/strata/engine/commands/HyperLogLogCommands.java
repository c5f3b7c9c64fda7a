package io.strata.engine.commands;

import io.strata.engine.Client;
import io.strata.engine.Engine;
import io.strata.engine.Errors;
import io.strata.engine.Notifier;
import io.strata.engine.command.Args;
import io.strata.engine.command.CommandTable;
import io.strata.engine.command.ReplySink;
import io.strata.engine.keyspace.Entry;
import io.strata.engine.types.Hll;
import io.strata.engine.util.Bytes;

import java.util.Random;

import static io.strata.engine.command.CommandFlag.ADMIN;
import static io.strata.engine.command.CommandFlag.DENYOOM;
import static io.strata.engine.command.CommandFlag.FAST;
import static io.strata.engine.command.CommandFlag.READONLY;
import static io.strata.engine.command.CommandFlag.WRITE;

/**
 * HyperLogLog commands (Redis' hyperloglog.c): PFADD, PFCOUNT, PFMERGE, PFDEBUG, PFSELFTEST.
 * Values are plain strings in Redis' exact HYLL layout ({@link Hll}).
 *
 * <p>A dense value is changed in place (the entry's own array is never shared between keys);
 * a sparse one is edited in a copy that replaces the value, keeping the key's TTL.
 *
 * <p>Thread rule: keyspace thread only.
 */
public final class HyperLogLogCommands extends CommandGroup {
    private static final byte[] GETREG = Bytes.ascii("getreg");
    private static final byte[] DECODE = Bytes.ascii("decode");
    private static final byte[] ENCODING = Bytes.ascii("encoding");
    private static final byte[] TODENSE = Bytes.ascii("todense");

    public HyperLogLogCommands(Engine engine) {
        super(engine);
    }

    @Override
    public void register(CommandTable t) {
        String g = "hyperloglog";
        t.add(cmd("pfadd", -2, this::pfadd).flags(WRITE, DENYOOM, FAST).keys(1, 1, 1)
            .doc(g, "2.8.9", "Adds the specified elements to the specified HyperLogLog.")
            .complexity("O(1) to add every element."));
        t.add(cmd("pfcount", -2, this::pfcount).flags(READONLY).keys(1, -1, 1)
            .doc(g, "2.8.9", "Return the approximated cardinality of the set(s) observed by the HyperLogLog at key(s).")
            .complexity("O(1) with a very small average constant time when called with a single key. O(N) with N "
                + "being the number of keys, and much bigger constant times, when called with multiple keys."));
        t.add(cmd("pfmerge", -2, this::pfmerge).flags(WRITE, DENYOOM).keys(1, -1, 1)
            .doc(g, "2.8.9", "Merge N different HyperLogLogs into a single one.")
            .complexity("O(N) to merge N HyperLogLogs, but with high constant times."));
        t.add(cmd("pfdebug", 3, this::pfdebug).flags(WRITE, DENYOOM, ADMIN).keys(2, 2, 1)
            .doc(g, "2.8.9", "Internal commands for debugging HyperLogLog values").complexity("N/A"));
        t.add(cmd("pfselftest", 1, this::pfselftest).flags(ADMIN)
            .doc(g, "2.8.9", "An internal command for testing HyperLogLog values").complexity("N/A"));
    }

    /** True when {@code e} holds a valid HyperLogLog; otherwise writes WRONGTYPE and returns false. */
    private static boolean isHllOrReply(Entry e, ReplySink r) {
        if (!isStringOrReply(e, r)) {
            return false;
        }
        if (!Hll.isValid((byte[]) e.value())) {
            r.error(Errors.HLL_WRONGTYPE);
            return false;
        }
        return true;
    }

    private long sparseMax() {
        return engine.config.hllSparseMaxBytes;
    }

    private void pfadd(Client c, Args a, ReplySink r) {
        Entry e = write(c, a, 1);
        int updated = 0;
        byte[] old;
        if (e == null) {
            old = Hll.create();
            updated++;
        } else {
            if (!isHllOrReply(e, r)) {
                return;
            }
            old = (byte[]) e.value();
        }
        Hll h = new Hll(old, sparseMax());
        for (int j = 2; j < a.argc(); j++) {
            int ret = h.add(a.buf(), a.off(j), a.len(j));
            if (ret < 0) {
                // Redis keeps what was added before the corrupt part was met; the key is left as it was
                r.error(Errors.HLL_CORRUPT);
                return;
            }
            updated += ret;
        }
        if (updated > 0) {
            byte[] v = h.value();
            Hll.invalidateCache(v);
            if (e == null) {
                ks.add(c.db, a.bytes(1), v).rawString(true);
            } else if (v != old) {
                ks.overwrite(c.db, e, v, true);
                e.rawString(true);
            } else {
                ks.changed(c.db, e.key);
                e.rawString(true);
            }
            engine.notifier.notify(Notifier.STRING, "pfadd", c.db, e == null ? a.bytes(1) : e.key);
        }
        r.integer(updated > 0 ? 1 : 0);
    }

    private void pfcount(Client c, Args a, ReplySink r) {
        if (a.argc() > 2) {
            byte[] max = new byte[Hll.REGISTERS];
            for (int j = 1; j < a.argc(); j++) {
                Entry e = read(c, a, j);
                if (e == null) {
                    continue;
                }
                if (!isHllOrReply(e, r)) {
                    return;
                }
                if (!Hll.merge(max, (byte[]) e.value())) {
                    r.error(Errors.HLL_CORRUPT);
                    return;
                }
            }
            r.integer(Hll.countRaw(max));
            return;
        }
        Entry e = read(c, a, 1);
        if (e == null) {
            r.integer(0);
            return;
        }
        if (!isHllOrReply(e, r)) {
            return;
        }
        byte[] v = (byte[]) e.value();
        if (Hll.cacheValid(v)) {
            r.integer(Hll.cachedCardinality(v));
            return;
        }
        long card = Hll.count(v);
        if (card < 0) {
            r.error(Errors.HLL_CORRUPT);
            return;
        }
        // as Redis, the cache is written back although PFCOUNT is a read: the value changes
        ks.beginInPlaceChange(c.db, e);
        v = (byte[]) e.value();
        Hll.setCachedCardinality(v, card);
        ks.changed(c.db, e.key);
        r.integer(card);
    }

    private void pfmerge(Client c, Args a, ReplySink r) {
        byte[] max = new byte[Hll.REGISTERS];
        boolean useDense = false;
        for (int j = 1; j < a.argc(); j++) {
            Entry e = read(c, a, j);
            if (e == null) {
                continue;
            }
            if (!isHllOrReply(e, r)) {
                return;
            }
            byte[] v = (byte[]) e.value();
            useDense |= Hll.isDense(v);
            if (!Hll.merge(max, v)) {
                r.error(Errors.HLL_CORRUPT);
                return;
            }
        }
        Entry dest = write(c, a, 1);
        byte[] old = dest == null ? Hll.create() : (byte[]) dest.value();
        Hll h = new Hll(old, sparseMax());
        if (useDense && !h.promote()) {
            r.error(Errors.HLL_CORRUPT);
            return;
        }
        for (int j = 0; j < Hll.REGISTERS; j++) {
            if (max[j] != 0) {
                h.set(j, max[j]);
            }
        }
        byte[] v = h.value();
        Hll.invalidateCache(v);
        byte[] key;
        if (dest == null) {
            key = a.bytes(1);
            ks.add(c.db, key, v).rawString(true);
        } else {
            key = dest.key;
            if (v != old) {
                ks.overwrite(c.db, dest, v, true);
            } else {
                ks.changed(c.db, key);
            }
            dest.rawString(true);
        }
        // Redis announces a merge as "pfadd": in theory it adds many elements
        engine.notifier.notify(Notifier.STRING, "pfadd", c.db, key);
        r.ok();
    }

    private void pfdebug(Client c, Args a, ReplySink r) {
        Entry e = write(c, a, 2);
        if (e == null) {
            r.error(Errors.HLL_NO_KEY);
            return;
        }
        if (!isHllOrReply(e, r)) {
            return;
        }
        byte[] v = (byte[]) e.value();
        if (a.is(1, GETREG)) {
            if (!Hll.isDense(v)) {
                v = Hll.toDense(v);
                if (v == null) {
                    r.error(Errors.HLL_CORRUPT);
                    return;
                }
                ks.overwrite(c.db, e, v, true);
            }
            r.array(Hll.REGISTERS);
            for (int j = 0; j < Hll.REGISTERS; j++) {
                r.integer(Hll.denseGet(v, Hll.HDR_SIZE, j));
            }
        } else if (a.is(1, DECODE)) {
            if (Hll.isDense(v)) {
                r.error(Errors.HLL_NOT_SPARSE);
                return;
            }
            r.bulk(Hll.decodeSparse(v));
        } else if (a.is(1, ENCODING)) {
            r.simple(Hll.isDense(v) ? "dense" : "sparse");
        } else if (a.is(1, TODENSE)) {
            boolean converted = false;
            if (!Hll.isDense(v)) {
                byte[] d = Hll.toDense(v);
                if (d == null) {
                    r.error(Errors.HLL_CORRUPT);
                    return;
                }
                ks.overwrite(c.db, e, d, true);
                converted = true;
            }
            r.integer(converted ? 1 : 0);
        } else {
            r.error(Errors.unknownPfdebugSubcommand(a.str(1)));
        }
    }

    /**
     * Checks that sparse and dense values agree and that estimates stay within a few standard
     * errors, as Redis' PFSELFTEST, with fewer elements (up to 100,000 instead of 10 million).
     */
    private void pfselftest(Client c, Args a, ReplySink r) {
        Random rnd = new Random();
        byte[] dense = Hll.toDense(Hll.create());
        Hll d = new Hll(dense, sparseMax());
        Hll s = new Hll(Hll.create(), sparseMax());
        double relerr = 1.04 / Math.sqrt(Hll.REGISTERS);
        long checkpoint = 1;
        long seed = rnd.nextLong();
        byte[] ele = new byte[8];
        for (long j = 1; j <= 100_000; j++) {
            long x = j ^ seed;
            for (int i = 0; i < 8; i++) {
                ele[i] = (byte) (x >>> (8 * i));
            }
            d.add(ele, 0, 8);
            s.add(ele, 0, 8);
            if (j == checkpoint) {
                byte[] sv = s.value();
                if (j < sparseMax() / 2 && Hll.isDense(sv)) {
                    r.error("TESTFAILED sparse encoding not used");
                    return;
                }
                long dc = Hll.count(d.value());
                if (dc != Hll.count(sv)) {
                    r.error("TESTFAILED dense/sparse disagree");
                    return;
                }
                long abserr = Math.abs(checkpoint - dc);
                long maxerr = j == 10 ? 1 : (long) Math.ceil(relerr * 6 * checkpoint);
                if (abserr > maxerr) {
                    r.error("TESTFAILED Too big error. card:" + checkpoint + " abserr:" + abserr);
                    return;
                }
                checkpoint *= 10;
            }
        }
        r.ok();
    }
}
