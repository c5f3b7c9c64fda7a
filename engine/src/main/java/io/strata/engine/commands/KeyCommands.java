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
import io.strata.engine.types.Types;
import io.strata.engine.util.Bytes;
import io.strata.engine.util.Glob;
import io.strata.engine.util.Numbers;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static io.strata.engine.command.CommandFlag.DENYOOM;
import static io.strata.engine.command.CommandFlag.FAST;
import static io.strata.engine.command.CommandFlag.LOADING;
import static io.strata.engine.command.CommandFlag.READONLY;
import static io.strata.engine.command.CommandFlag.STALE;
import static io.strata.engine.command.CommandFlag.WRITE;

/**
 * Generic keyspace commands (Redis' db.c, expire.c and the OBJECT command of object.c).
 * EXPIRE/PEXPIRE/EXPIREAT/PEXPIREAT share {@link #expire}, TTL and friends share {@link #ttl},
 * RENAME/RENAMENX share {@link #rename}, DEL/UNLINK share {@link #del}.
 *
 * <p>Thread rule: keyspace thread only.
 */
public final class KeyCommands extends CommandGroup {
    private static final byte[] ASYNC = Bytes.ascii("async");
    private static final byte[] SYNC = Bytes.ascii("sync");
    private static final byte[] NX = Bytes.ascii("nx");
    private static final byte[] XX = Bytes.ascii("xx");
    private static final byte[] GT = Bytes.ascii("gt");
    private static final byte[] LT = Bytes.ascii("lt");
    private static final byte[] COUNT = Bytes.ascii("count");
    private static final byte[] MATCH = Bytes.ascii("match");
    private static final byte[] TYPE = Bytes.ascii("type");
    private static final byte[] DB = Bytes.ascii("db");
    private static final byte[] REPLACE = Bytes.ascii("replace");

    private static final int EXPIRE_NX = 1;
    private static final int EXPIRE_XX = 2;
    private static final int EXPIRE_GT = 4;
    private static final int EXPIRE_LT = 8;

    /** Redis shares the integer objects 0..9999 (OBJ_SHARED_INTEGERS) when maxmemory is off. */
    private static final long SHARED_INTEGERS = 10000;
    /** The refcount Redis reports for a shared object (OBJ_SHARED_REFCOUNT = INT_MAX). */
    private static final long SHARED_REFCOUNT = Integer.MAX_VALUE;

    /** Database.scan calls one SCAN may make: enough to cross all 16384 slots of a sparse database. */
    private static final int SCAN_STEPS = 32;

    public KeyCommands(Engine engine) {
        super(engine);
    }

    @Override
    public void register(CommandTable t) {
        String g = "generic";
        t.add(cmd("del", -2, this::del).flags(WRITE).keys(1, -1, 1)
            .doc(g, "1.0.0", "Delete a key")
            .complexity("O(N) where N is the number of keys that will be removed."));
        t.add(cmd("unlink", -2, this::del).flags(WRITE, FAST).keys(1, -1, 1)
            .doc(g, "4.0.0", "Delete a key asynchronously in another thread. Otherwise it is just as DEL, but non blocking.")
            .complexity("O(1) for each key removed regardless of its size."));
        t.add(cmd("exists", -2, this::exists).flags(READONLY, FAST).keys(1, -1, 1)
            .doc(g, "1.0.0", "Determine if a key exists").complexity("O(N) where N is the number of keys to check."));
        t.add(cmd("type", 2, this::type).flags(READONLY, FAST).keys(1, 1, 1)
            .doc(g, "1.0.0", "Determine the type stored at key").complexity("O(1)"));
        t.add(cmd("expire", -3, (c, a, r) -> expire(c, a, r, false, true, "expire")).flags(WRITE, FAST).keys(1, 1, 1)
            .doc(g, "1.0.0", "Set a key's time to live in seconds").complexity("O(1)"));
        t.add(cmd("pexpire", -3, (c, a, r) -> expire(c, a, r, false, false, "pexpire")).flags(WRITE, FAST).keys(1, 1, 1)
            .doc(g, "2.6.0", "Set a key's time to live in milliseconds").complexity("O(1)"));
        t.add(cmd("expireat", -3, (c, a, r) -> expire(c, a, r, true, true, "expireat")).flags(WRITE, FAST).keys(1, 1, 1)
            .doc(g, "1.2.0", "Set the expiration for a key as a UNIX timestamp").complexity("O(1)"));
        t.add(cmd("pexpireat", -3, (c, a, r) -> expire(c, a, r, true, false, "pexpireat")).flags(WRITE, FAST).keys(1, 1, 1)
            .doc(g, "2.6.0", "Set the expiration for a key as a UNIX timestamp specified in milliseconds")
            .complexity("O(1)"));
        t.add(cmd("ttl", 2, (c, a, r) -> ttl(c, a, r, false, false)).flags(READONLY, FAST).keys(1, 1, 1)
            .doc(g, "1.0.0", "Get the time to live for a key in seconds").complexity("O(1)"));
        t.add(cmd("pttl", 2, (c, a, r) -> ttl(c, a, r, true, false)).flags(READONLY, FAST).keys(1, 1, 1)
            .doc(g, "2.6.0", "Get the time to live for a key in milliseconds").complexity("O(1)"));
        t.add(cmd("expiretime", 2, (c, a, r) -> ttl(c, a, r, false, true)).flags(READONLY, FAST).keys(1, 1, 1)
            .doc(g, "7.0.0", "Get the expiration Unix timestamp for a key").complexity("O(1)"));
        t.add(cmd("pexpiretime", 2, (c, a, r) -> ttl(c, a, r, true, true)).flags(READONLY, FAST).keys(1, 1, 1)
            .doc(g, "7.0.0", "Get the expiration Unix timestamp for a key in milliseconds").complexity("O(1)"));
        t.add(cmd("persist", 2, this::persist).flags(WRITE, FAST).keys(1, 1, 1)
            .doc(g, "2.2.0", "Remove the expiration from a key").complexity("O(1)"));
        t.add(cmd("rename", 3, (c, a, r) -> rename(c, a, r, false)).flags(WRITE).keys(1, 2, 1)
            .doc(g, "1.0.0", "Rename a key").complexity("O(1)"));
        t.add(cmd("renamenx", 3, (c, a, r) -> rename(c, a, r, true)).flags(WRITE, FAST).keys(1, 2, 1)
            .doc(g, "1.0.0", "Rename a key, only if the new key does not exist").complexity("O(1)"));
        t.add(cmd("keys", 2, this::keys).flags(READONLY).acl("@dangerous")
            .doc(g, "1.0.0", "Find all keys matching the given pattern")
            .complexity("O(N) with N being the number of keys in the database."));
        t.add(cmd("scan", -2, this::scan).flags(READONLY)
            .doc(g, "2.8.0", "Incrementally iterate the keys space")
            .complexity("O(1) for every call. O(N) for a complete iteration."));
        t.add(cmd("randomkey", 1, this::randomkey).flags(READONLY)
            .doc(g, "1.0.0", "Return a random key from the keyspace").complexity("O(1)"));
        t.add(cmd("dbsize", 1, (c, a, r) -> r.integer(c.db.size())).flags(READONLY, FAST).acl("@keyspace")
            .doc("server", "1.0.0", "Return the number of keys in the selected database").complexity("O(1)"));
        t.add(cmd("flushdb", -1, this::flushdb).flags(WRITE).acl("@keyspace", "@dangerous")
            .doc("server", "1.0.0", "Remove all keys from the current database")
            .complexity("O(N) where N is the number of keys in the selected database"));
        t.add(cmd("flushall", -1, this::flushall).flags(WRITE).acl("@keyspace", "@dangerous")
            .doc("server", "1.0.0", "Remove all keys from all databases")
            .complexity("O(N) where N is the total number of keys in all databases"));
        t.add(cmd("copy", -3, this::copy).flags(WRITE, DENYOOM).keys(1, 2, 1)
            .doc(g, "6.2.0", "Copy a key")
            .complexity("O(N) worst case for collections, where N is the number of nested items. O(1) for string values."));
        t.add(cmd("move", 3, this::move).flags(WRITE, FAST).keys(1, 1, 1)
            .doc(g, "1.0.0", "Move a key to another database").complexity("O(1)"));
        t.add(cmd("swapdb", 3, this::swapdb).flags(WRITE, FAST).acl("@keyspace", "@dangerous")
            .doc("server", "4.0.0", "Swaps two Redis databases")
            .complexity("O(N) where N is the count of clients watching or blocking on keys from both databases."));
        t.add(cmd("touch", -2, this::touch).flags(READONLY, FAST).keys(1, -1, 1)
            .doc(g, "3.2.1", "Alters the last access time of a key(s). Returns the number of existing keys specified.")
            .complexity("O(N) where N is the number of keys that will be touched."));
        t.add(container("object").doc(g, "2.2.3", "A container for object introspection commands")
            .complexity("Depends on subcommand.")
            .sub(cmd("encoding", 3, this::objectEncoding).flags(READONLY).keys(2, 2, 1)
                .doc(g, "2.2.3", "Inspect the internal encoding of a Redis object").complexity("O(1)"))
            .sub(cmd("freq", 3, this::objectFreq).flags(READONLY).keys(2, 2, 1)
                .doc(g, "4.0.0", "Get the logarithmic access frequency counter of a Redis object").complexity("O(1)"))
            .sub(cmd("idletime", 3, this::objectIdletime).flags(READONLY).keys(2, 2, 1)
                .doc(g, "2.2.3", "Get the time since a Redis object was last accessed").complexity("O(1)"))
            .sub(cmd("refcount", 3, this::objectRefcount).flags(READONLY).keys(2, 2, 1)
                .doc(g, "2.2.3", "Get the number of references to the value of the key").complexity("O(1)"))
            .sub(cmd("help", 2, this::objectHelp).flags(LOADING, STALE)
                .doc(g, "6.2.0", "Show helpful text about the different subcommands").complexity("O(1)")));
    }

    /** Publishes a generic-class keyspace event (DEL, EXPIRE, RENAME… as Redis' db.c). */
    private void fire(String event, Database db, byte[] key) {
        engine.notifier.notify(Notifier.GENERIC, event, db, key);
    }

    // ---- DEL UNLINK EXISTS TYPE TOUCH ----

    /** DEL and UNLINK: freeing is the garbage collector's job, so both delete at once. */
    private void del(Client c, Args a, ReplySink r) {
        long n = 0;
        for (int i = 1; i < a.argc(); i++) {
            if (ks.delete(c.db, a.buf(), a.off(i), a.len(i))) {
                if (engine.notifier.flags() != 0) {
                    fire("del", c.db, a.bytes(i)); // the key copy only when someone may listen
                }
                n++;
            }
        }
        r.integer(n);
    }

    private Entry inspect(Client c, Args a, int i) {
        return ks.lookupReadNoTouch(c.db, a.buf(), a.off(i), a.len(i));
    }

    private void exists(Client c, Args a, ReplySink r) {
        long n = 0;
        for (int i = 1; i < a.argc(); i++) {
            if (ks.typeNoTouch(c.db, a.buf(), a.off(i), a.len(i)) != null) {
                n++;
            }
        }
        r.integer(n);
    }

    private void type(Client c, Args a, ReplySink r) {
        String type = ks.typeNoTouch(c.db, a.buf(), a.off(1), a.len(1));
        r.simple(type == null ? "none" : type);
    }

    private void touch(Client c, Args a, ReplySink r) {
        long n = 0;
        for (int i = 1; i < a.argc(); i++) {
            if (read(c, a, i) != null) {
                n++;
            }
        }
        r.integer(n);
    }

    // ---- EXPIRE PEXPIRE EXPIREAT PEXPIREAT ----

    /** Parses NX/XX/GT/LT from argument 3 on; -1 (after replying) when invalid. */
    private static int expireFlagsOrReply(Args a, ReplySink r) {
        int flags = 0;
        for (int i = 3; i < a.argc(); i++) {
            if (a.is(i, NX)) {
                flags |= EXPIRE_NX;
            } else if (a.is(i, XX)) {
                flags |= EXPIRE_XX;
            } else if (a.is(i, GT)) {
                flags |= EXPIRE_GT;
            } else if (a.is(i, LT)) {
                flags |= EXPIRE_LT;
            } else {
                r.error(Errors.unsupportedOption(a.str(i)));
                return -1;
            }
        }
        if ((flags & EXPIRE_NX) != 0 && (flags & (EXPIRE_XX | EXPIRE_GT | EXPIRE_LT)) != 0) {
            r.error(Errors.EXPIRE_NX_WITH_OTHERS);
            return -1;
        }
        if ((flags & EXPIRE_GT) != 0 && (flags & EXPIRE_LT) != 0) {
            r.error(Errors.EXPIRE_GT_AND_LT);
            return -1;
        }
        return flags;
    }

    /**
     * The one EXPIRE path (Redis' expireGenericCommand). {@code absolute}: the argument is a Unix
     * time rather than a time to live; {@code seconds}: it is in seconds rather than milliseconds.
     * A time already in the past deletes the key.
     */
    private void expire(Client c, Args a, ReplySink r, boolean absolute, boolean seconds, String name) {
        int flags = expireFlagsOrReply(a, r);
        if (flags < 0) {
            return;
        }
        Long parsed = longOrReply(a, 2, r);
        if (parsed == null) {
            return;
        }
        long when = parsed;
        if (seconds) {
            if (when > Long.MAX_VALUE / 1000 || when < Long.MIN_VALUE / 1000) {
                r.error(Errors.invalidExpire(name));
                return;
            }
            when *= 1000;
        }
        long base = absolute ? 0 : ks.now();
        if (when > Long.MAX_VALUE - base) {
            r.error(Errors.invalidExpire(name));
            return;
        }
        when += base;
        Entry e = write(c, a, 1);
        if (e == null) {
            r.integer(0);
            return;
        }
        long current = e.expireAt();
        boolean refused = (flags & EXPIRE_NX) != 0 && current != -1
            || (flags & EXPIRE_XX) != 0 && current == -1
            // no expiry counts as infinite: GT never beats it, LT always does
            || (flags & EXPIRE_GT) != 0 && (current == -1 || when <= current)
            || (flags & EXPIRE_LT) != 0 && current != -1 && when >= current;
        if (refused) {
            r.integer(0);
            return;
        }
        if (when <= ks.now()) {
            ks.delete(c.db, e);
            fire("del", c.db, e.key);
        } else {
            ks.setExpire(c.db, e, when);
            fire("expire", c.db, e.key);
        }
        r.integer(1);
    }

    // ---- TTL PTTL EXPIRETIME PEXPIRETIME PERSIST ----

    /** TTL, PTTL, EXPIRETIME, PEXPIRETIME: -2 when missing, -1 without expiry. */
    private void ttl(Client c, Args a, ReplySink r, boolean millis, boolean absolute) {
        long at = ks.expireAtNoTouch(c.db, a.buf(), a.off(1), a.len(1));
        if (at == io.strata.engine.keyspace.Keyspace.NO_KEY) {
            r.integer(-2);
            return;
        }
        if (at < 0) {
            r.integer(-1);
            return;
        }
        long v = absolute ? at : Math.max(0, at - ks.now());
        // (v + 500) / 1000 as Redis, without overflowing near Long.MAX_VALUE
        r.integer(millis ? v : v / 1000 + (v % 1000 >= 500 ? 1 : 0));
    }

    private void persist(Client c, Args a, ReplySink r) {
        Entry e = write(c, a, 1);
        if (e == null || !e.hasExpire()) {
            r.integer(0);
            return;
        }
        ks.setExpire(c.db, e, -1);
        fire("persist", c.db, e.key);
        r.integer(1);
    }

    // ---- RENAME RENAMENX COPY MOVE ----

    private static boolean sameArg(Args a, int i, int j) {
        return Arrays.equals(a.buf(), a.off(i), a.off(i) + a.len(i), a.buf(), a.off(j), a.off(j) + a.len(j));
    }

    /**
     * Adds {@code key} to {@code db} holding {@code value} and {@code src}'s expiry, as Redis'
     * dbAdd + setExpire for RENAME, MOVE and COPY: fires "new" and wakes clients blocked on the key.
     */
    private Entry transplant(Database db, byte[] key, Entry src, Object value) {
        Entry n = ks.add(db, key, value);
        n.rawString(src.rawString());
        n.textString(src.textString());
        if (src.hasExpire()) {
            db.setExpire(n, src.expireAt());
        }
        if (!(value instanceof byte[])) {
            engine.signalKeyAsReady(db, key); // only aggregates can satisfy a blocked client
        }
        return n;
    }

    private void rename(Client c, Args a, ReplySink r, boolean nx) {
        Entry src = write(c, a, 1);
        if (src == null) {
            r.error(Errors.NO_SUCH_KEY);
            return;
        }
        if (sameArg(a, 1, 2)) {
            if (nx) {
                r.integer(0);
            } else {
                r.ok();
            }
            return;
        }
        Entry dst = write(c, a, 2);
        if (dst != null) {
            if (nx) {
                r.integer(0);
                return;
            }
            ks.delete(c.db, dst);
        }
        byte[] newKey = a.bytes(2);
        Entry n = transplant(c.db, newKey, src, src.value());
        ks.copyClock(src, n);
        ks.delete(c.db, src);
        fire("rename_from", c.db, src.key);
        fire("rename_to", c.db, newKey);
        if (nx) {
            r.integer(1);
        } else {
            r.ok();
        }
    }

    /**
     * Parses a database index as Redis' getIntFromObjectOrReply and selectDb do; null (after
     * replying) when it is not an int or no such database exists.
     */
    private Database dbOrReply(Args a, int i, ReplySink r) {
        if (!a.isLong(i)) {
            r.error(Errors.NOT_INTEGER);
            return null;
        }
        long id = a.longAt(i);
        if (id < Integer.MIN_VALUE || id > Integer.MAX_VALUE) {
            r.error(Errors.outOfRange(Integer.MIN_VALUE, Integer.MAX_VALUE));
            return null;
        }
        if (id < 0 || id >= ks.databases()) {
            r.error(Errors.DB_RANGE);
            return null;
        }
        return ks.db((int) id);
    }

    private void copy(Client c, Args a, ReplySink r) {
        Database dst = c.db;
        boolean replace = false;
        for (int i = 3; i < a.argc(); i++) {
            if (a.is(i, REPLACE)) {
                replace = true;
            } else if (a.is(i, DB) && i + 1 < a.argc()) {
                dst = dbOrReply(a, ++i, r);
                if (dst == null) {
                    return;
                }
            } else {
                r.error(Errors.SYNTAX);
                return;
            }
        }
        if (dst == c.db && sameArg(a, 1, 2)) {
            r.error(Errors.SAME_OBJECT);
            return;
        }
        Entry src = read(c, a, 1);
        if (src == null) {
            r.integer(0);
            return;
        }
        Entry old = ks.lookupWrite(dst, a.buf(), a.off(2), a.len(2));
        if (old != null) {
            if (!replace) {
                r.integer(0);
                return;
            }
            ks.delete(dst, old);
        }
        byte[] newKey = a.bytes(2);
        transplant(dst, newKey, src, Types.copy(src.value()));
        fire("copy_to", dst, newKey);
        r.integer(1);
    }

    private void move(Client c, Args a, ReplySink r) {
        Database dst = dbOrReply(a, 2, r);
        if (dst == null) {
            return;
        }
        if (dst == c.db) {
            r.error(Errors.SAME_OBJECT);
            return;
        }
        Entry src = write(c, a, 1);
        if (src == null || ks.lookupWrite(dst, a.buf(), a.off(1), a.len(1)) != null) {
            r.integer(0);
            return;
        }
        Entry n = transplant(dst, src.key, src, src.value());
        ks.copyClock(src, n);
        ks.delete(c.db, src);
        fire("move_from", c.db, src.key);
        fire("move_to", dst, src.key);
        r.integer(1);
    }

    // ---- KEYS SCAN RANDOMKEY ----

    private void keys(Client c, Args a, ReplySink r) {
        byte[] pattern = a.bytes(1);
        boolean all = pattern.length == 1 && pattern[0] == '*';
        List<byte[]> out = new ArrayList<>();
        c.db.forEach(e -> {
            // like Redis 7.0, KEYS hides expired keys but leaves removing them to others
            if ((all || Glob.match(pattern, e.key, false)) && !ks.isExpired(e)) {
                out.add(e.key);
            }
        });
        if (c.db.cold() != null) {
            c.db.cold().forEach((k, rec) -> {
                if ((all || Glob.match(pattern, k, false)) && !ks.coldExpired(rec) && c.db.findRaw(k) == null) {
                    out.add(k);
                }
            });
        }
        r.array(out.size());
        for (byte[] k : out) {
            r.bulk(k);
        }
    }

    /**
     * Parses a SCAN cursor as Redis' strtoul-based parseScanCursorOrReply: optional sign, decimal
     * digits, unsigned 64-bit ("-1" wraps around, "" is 0). Null (after replying) when invalid.
     */
    private static Long cursorOrReply(Args a, int i, ReplySink r) {
        String s = a.str(i);
        if (s.isEmpty()) {
            return 0L;
        }
        int p = 0;
        boolean neg = false;
        if (s.charAt(0) == '+' || s.charAt(0) == '-') {
            neg = s.charAt(0) == '-';
            p = 1;
        }
        String digits = s.substring(p);
        if (digits.isEmpty() || !digits.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
            r.error(Errors.INVALID_CURSOR);
            return null;
        }
        long v;
        try {
            v = Long.parseUnsignedLong(digits);
        } catch (NumberFormatException e) {
            r.error(Errors.INVALID_CURSOR);
            return null;
        }
        return neg ? -v : v;
    }

    private void scan(Client c, Args a, ReplySink r) {
        Long cursor = cursorOrReply(a, 1, r);
        if (cursor == null) {
            return;
        }
        long count = 10;
        byte[] pattern = null;
        String type = null;
        for (int i = 2; i < a.argc(); i += 2) {
            boolean hasValue = i + 1 < a.argc();
            if (a.is(i, COUNT) && hasValue) {
                Long n = longOrReply(a, i + 1, r);
                if (n == null) {
                    return;
                }
                if (n < 1) {
                    r.error(Errors.SYNTAX);
                    return;
                }
                count = n;
            } else if (a.is(i, MATCH) && hasValue) {
                pattern = a.len(i + 1) == 1 && a.buf()[a.off(i + 1)] == '*' ? null : a.bytes(i + 1);
            } else if (a.is(i, TYPE) && hasValue) {
                type = a.str(i + 1);
            } else {
                r.error(Errors.SYNTAX);
                return;
            }
        }
        int want = (int) Math.min(count, Integer.MAX_VALUE);
        if ((cursor & COLD_PHASE) != 0 && cursor > 0) {
            scanCold(c, cursor & ~COLD_PHASE, want, pattern, type, r);
            return;
        }
        List<Entry> found = new ArrayList<>();
        long next = cursor;
        // Database.scan stops early on long runs of empty slots; a few more steps let a small
        // database answer in one call, as Redis' single table does. An empty one answers 0 at once.
        for (int step = 0; step < SCAN_STEPS && c.db.size() > 0; step++) {
            // cursors Database.scan never hands out (they read as negative) end the iteration at once
            next = c.db.scan(next, want - found.size(), found::add);
            if (next == 0 || found.size() >= want) {
                break;
            }
        }
        if (c.db.size() == 0) {
            next = 0;
        }
        if (next == 0 && c.db.coldSize() > 0) {
            next = COLD_PHASE; // the RAM tier is done: the spill tier comes next
        }
        List<byte[]> keys = new ArrayList<>(found.size());
        for (Entry e : found) {
            if (pattern != null && !Glob.match(pattern, e.key, false)) {
                continue;
            }
            if (ks.lookup(c.db, e.key) == null) {
                continue; // expired: removed now, after the walk, as Redis' scan filter does
            }
            if (type != null && !type.equalsIgnoreCase(Types.typeName(e.value()))) {
                continue;
            }
            keys.add(e.key);
        }
        r.array(2);
        r.bulk(Long.toUnsignedString(next));
        r.array(keys.size());
        for (byte[] k : keys) {
            r.bulk(k);
        }
    }

    /** SCAN cursors with this bit walk the spill tier (the low bits are its own cursor). */
    private static final long COLD_PHASE = 1L << 62;

    /**
     * SCAN over the spill tier, after the RAM tier: one map segment per step, record headers only
     * (no promotion). A key demoted during the iteration is found here, a key promoted by a read
     * keeps its record and is found too; only a key whose record a write dropped after the RAM
     * walk passed its slot can be missed.
     */
    private void scanCold(Client c, long cursor, int want, byte[] pattern, String type, ReplySink r) {
        List<byte[]> keys = new ArrayList<>();
        List<byte[]> expired = new ArrayList<>();
        long next = cursor;
        io.strata.storage.tier.SpillStore store = c.db.cold();
        if (store == null) {
            next = 0;
        } else {
            int steps = 0;
            do {
                // records that also back a RAM entry (promoted by a read) are returned too: a key
                // promoted after the RAM walk passed its slot is then not missed (SCAN may repeat)
                next = store.scan(next, true, (k, rec) -> { // headers: type and expiry
                    if (ks.coldExpired(rec)) {
                        expired.add(k);
                    } else if ((pattern == null || Glob.match(pattern, k, false))
                        && (type == null || type.equalsIgnoreCase(ks.coldTypeName(rec)))) {
                        keys.add(k);
                    }
                });
            } while (next != 0 && keys.size() < want && ++steps < SCAN_STEPS);
        }
        for (byte[] k : expired) {
            ks.expireCold(c.db, k);
        }
        r.array(2);
        r.bulk(Long.toUnsignedString(next == 0 ? 0 : next | COLD_PHASE));
        r.array(keys.size());
        for (byte[] k : keys) {
            r.bulk(k);
        }
    }

    private void randomkey(Client c, Args a, ReplySink r) {
        // spilled keys are picked in proportion to their share of the database
        for (int tries = 0; tries < 64 && c.db.coldSize() > 0; tries++) {
            if (ks.random().nextLong(c.db.size()) < c.db.hotSize()) {
                break;
            }
            byte[] k = c.db.cold().randomKey(ks.random());
            if (k != null && ks.lookupReadNoTouch(c.db, k, 0, k.length) != null) {
                r.bulk(k);
                return;
            }
        }
        // each round either answers or removes an expired key, so this ends
        while (c.db.hotSize() > 0) {
            Entry e = c.db.randomEntry(ks.random());
            if (e == null) {
                break;
            }
            if (ks.lookup(c.db, e.key) != null) {
                r.bulk(e.key);
                return;
            }
        }
        r.nullBulk();
    }

    // ---- DBSIZE FLUSHDB FLUSHALL SWAPDB ----

    /** Parses the optional ASYNC|SYNC of FLUSHDB/FLUSHALL; false (after replying) when invalid. */
    private static boolean flushModeOk(Args a, ReplySink r) {
        if (a.argc() > 2 || (a.argc() == 2 && !a.is(1, ASYNC) && !a.is(1, SYNC))) {
            r.error(Errors.SYNTAX);
            return false;
        }
        return true;
    }

    /** FLUSHDB [ASYNC|SYNC]: dropping the segments is O(1) here, so both modes free at once. */
    private void flushdb(Client c, Args a, ReplySink r) {
        if (flushModeOk(a, r)) {
            ks.flush(c.db);
            r.ok();
        }
    }

    private void flushall(Client c, Args a, ReplySink r) {
        if (flushModeOk(a, r)) {
            ks.flushAll();
            r.ok();
        }
    }

    /** A SWAPDB index: an int, else {@code error} is written and null returned. */
    private static Integer swapIndexOrReply(Args a, int i, String error, ReplySink r) {
        if (!a.isLong(i) || a.longAt(i) < Integer.MIN_VALUE || a.longAt(i) > Integer.MAX_VALUE) {
            r.error(error);
            return null;
        }
        return (int) a.longAt(i);
    }

    private void swapdb(Client c, Args a, ReplySink r) {
        Integer first = swapIndexOrReply(a, 1, Errors.SWAPDB_FIRST_INDEX, r);
        if (first == null) {
            return;
        }
        Integer second = swapIndexOrReply(a, 2, Errors.SWAPDB_SECOND_INDEX, r);
        if (second == null) {
            return;
        }
        int id1 = first;
        int id2 = second;
        if (id1 < 0 || id1 >= ks.databases() || id2 < 0 || id2 >= ks.databases()) {
            r.error(Errors.DB_RANGE);
            return;
        }
        if (id1 != id2) {
            Database d1 = ks.db(id1);
            Database d2 = ks.db(id2);
            // WATCH: a watched key is touched if it exists on either side, before or after
            ks.databaseChanged(d1);
            ks.databaseChanged(d2);
            d1.swapContents(d2);
            ks.databaseChanged(d1);
            ks.databaseChanged(d2);
            ks.dirty++;
        }
        r.ok();
    }

    // ---- OBJECT ----

    private void objectEncoding(Client c, Args a, ReplySink r) {
        Entry e = inspect(c, a, 2);
        if (e == null) {
            r.nullBulk();
        } else {
            r.bulk(Types.encoding(e));
        }
    }

    private void objectRefcount(Client c, Args a, ReplySink r) {
        Entry e = inspect(c, a, 2);
        if (e == null) {
            r.nullBulk();
            return;
        }
        r.integer(isSharedInteger(e.value()) ? SHARED_REFCOUNT : 1);
    }

    /** Redis keeps 0..9999 as shared integer objects (maxmemory is never set here). */
    private static boolean isSharedInteger(Object value) {
        if (!(value instanceof byte[])) {
            return false;
        }
        byte[] s = (byte[]) value;
        if (!Numbers.isLong(s, 0, s.length)) {
            return false;
        }
        long v = Numbers.parseLong(s, 0, s.length);
        return v >= 0 && v < SHARED_INTEGERS;
    }

    private void objectIdletime(Client c, Args a, ReplySink r) {
        Entry e = inspect(c, a, 2);
        if (e == null) {
            r.nullBulk();
            return;
        }
        if (ks.lfuMode) {
            r.error(Errors.LRU_NOT_SELECTED);
            return;
        }
        r.integer(ks.idleSeconds(e));
    }

    /** The LFU counter after decay; an error unless the maxmemory policy is an LFU one, as Redis. */
    private void objectFreq(Client c, Args a, ReplySink r) {
        Entry e = inspect(c, a, 2);
        if (e == null) {
            r.nullBulk();
            return;
        }
        if (!ks.lfuMode) {
            r.error(Errors.LFU_NOT_SELECTED);
            return;
        }
        r.integer(ks.lfuDecrAndReturn(e));
    }

    private void objectHelp(Client c, Args a, ReplySink r) {
        String[] lines = {
            "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "ENCODING <key>",
            "    Return the kind of internal representation used in order to store the value",
            "    associated with a <key>.",
            "FREQ <key>",
            "    Return the access frequency index of the <key>. The returned integer is",
            "    proportional to the logarithm of the recent access frequency of the key.",
            "IDLETIME <key>",
            "    Return the idle time of the <key>, that is the approximated number of",
            "    seconds elapsed since the last access to the key.",
            "REFCOUNT <key>",
            "    Return the number of references of the value associated with the specified",
            "    <key>.",
            "HELP",
            "    Prints this help."};
        r.array(lines.length);
        for (String l : lines) {
            r.simple(l);
        }
    }
}
