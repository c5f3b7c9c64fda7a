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
import io.strata.engine.persist.Persistence;
import io.strata.engine.persist.RdbCodec;
import io.strata.engine.util.Bytes;
import io.strata.storage.StorageException;
import io.strata.storage.rdb.Dump;
import io.strata.storage.rdb.RdbFormat;
import io.strata.storage.rdb.RdbValue;

import static io.strata.engine.command.CommandFlag.ADMIN;
import static io.strata.engine.command.CommandFlag.DENYOOM;
import static io.strata.engine.command.CommandFlag.FAST;
import static io.strata.engine.command.CommandFlag.LOADING;
import static io.strata.engine.command.CommandFlag.NOSCRIPT;
import static io.strata.engine.command.CommandFlag.NO_MULTI;
import static io.strata.engine.command.CommandFlag.READONLY;
import static io.strata.engine.command.CommandFlag.STALE;
import static io.strata.engine.command.CommandFlag.WRITE;

/**
 * Persistence commands: SAVE, BGSAVE, LASTSAVE (rdb.c, server.c) and DUMP, RESTORE (cluster.c),
 * with Redis 7.0's replies and errors. The state lives in {@link Persistence}.
 *
 * <p>Thread rule: keyspace thread only.
 */
public final class PersistenceCommands extends CommandGroup {
    private static final byte[] SCHEDULE = Bytes.ascii("schedule");
    private static final byte[] REPLACE = Bytes.ascii("replace");
    private static final byte[] ABSTTL = Bytes.ascii("absttl");
    private static final byte[] IDLETIME = Bytes.ascii("idletime");
    private static final byte[] FREQ = Bytes.ascii("freq");

    public PersistenceCommands(Engine engine) {
        super(engine);
    }

    @Override
    public void register(CommandTable t) {
        String g = "server";
        t.add(cmd("save", 1, this::save).flags(ADMIN, NOSCRIPT, NO_MULTI)
            .doc(g, "1.0.0", "Synchronously saves the database(s) to disk.")
            .complexity("O(N) where N is the total number of keys in all databases"));
        t.add(cmd("bgsave", -1, this::bgsave).flags(ADMIN, NOSCRIPT)
            .doc(g, "1.0.0", "Asynchronously saves the database(s) to disk.")
            .complexity("O(1)"));
        t.add(cmd("lastsave", 1, (c, a, r) -> r.integer(engine.persistence.lastSaveSeconds()))
            .flags(LOADING, STALE, FAST).acl("@admin", "@dangerous")
            .doc(g, "1.0.0", "Returns the Unix timestamp of the last successful save to disk.")
            .complexity("O(1)"));
        String k = "generic";
        t.add(cmd("dump", 2, this::dump).flags(READONLY).keys(1, 1, 1)
            .doc(k, "2.6.0", "Returns a serialized representation of the value stored at a key.")
            .complexity("O(1) to access the key and additional O(N*M) to serialize it, where N is the number of Redis objects composing the value and M their average size. For small string values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1)."));
        t.add(cmd("restore", -4, this::restore).flags(WRITE, DENYOOM).keys(1, 1, 1).acl("@dangerous")
            .doc(k, "2.6.0", "Creates a key from the serialized representation of a value.")
            .complexity("O(1) to create the new key and additional O(N*M) to reconstruct the serialized value, where N is the number of Redis objects composing the value and M their average size. For small string values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1). However for sorted set values the complexity is O(N*M*log(N)) because inserting values into sorted sets is O(log(N))."));
    }

    private void save(Client c, Args a, ReplySink r) {
        String err = engine.persistence.saveCommand();
        if (err != null) {
            r.error(err);
        } else {
            r.ok();
        }
    }

    private void bgsave(Client c, Args a, ReplySink r) {
        boolean schedule = false;
        if (a.argc() > 1) {
            if (a.argc() == 2 && a.is(1, SCHEDULE)) {
                schedule = true;
            } else {
                r.error(Errors.SYNTAX);
                return;
            }
        }
        switch (engine.persistence.bgsaveCommand(schedule)) {
            case STARTED: r.simple("Background saving started"); break;
            case SCHEDULED: r.simple("Background saving scheduled"); break;
            case IN_PROGRESS: r.error(Errors.BGSAVE_IN_PROGRESS); break;
            case OTHER_CHILD: r.error(Errors.BGSAVE_OTHER_CHILD); break;
            default: r.error(Errors.ERR);
        }
    }

    // ---- DUMP / RESTORE ----

    private void dump(Client c, Args a, ReplySink r) {
        Entry e = read(c, a, 1);
        if (e == null) {
            r.nullBulk();
            return;
        }
        r.bulk(Dump.serialize(RdbCodec.toRdb(e.value())));
    }

    /** RESTORE key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency]. */
    private void restore(Client c, Args a, ReplySink r) {
        boolean replace = false;
        boolean absttl = false;
        long idle = -1;
        long freq = -1;
        for (int j = 4; j < a.argc(); j++) {
            int additional = a.argc() - j - 1;
            if (a.is(j, REPLACE)) {
                replace = true;
            } else if (a.is(j, ABSTTL)) {
                absttl = true;
            } else if (a.is(j, IDLETIME) && additional >= 1 && freq == -1) {
                Long v = longOrReply(a, j + 1, r);
                if (v == null) {
                    return;
                }
                if (v < 0) {
                    r.error(Errors.INVALID_IDLETIME);
                    return;
                }
                idle = v;
                j++;
            } else if (a.is(j, FREQ) && additional >= 1 && idle == -1) {
                Long v = longOrReply(a, j + 1, r);
                if (v == null) {
                    return;
                }
                if (v < 0 || v > 255) {
                    r.error(Errors.INVALID_FREQ);
                    return;
                }
                freq = v;
                j++;
            } else {
                r.error(Errors.SYNTAX);
                return;
            }
        }
        Database db = c.db;
        byte[] key = a.bytes(1);
        if (!replace && ks.lookupWrite(db, key, 0, key.length) != null) {
            r.error(Errors.BUSYKEY);
            return;
        }
        Long ttl = longOrReply(a, 2, r);
        if (ttl == null) {
            return;
        }
        if (ttl < 0) {
            r.error(Errors.INVALID_TTL);
            return;
        }
        byte[] payload = a.bytes(3);
        // as redis-server 7.0's verifyDumpPayload: nothing newer than the RDB version it writes
        if (payload.length < 10
            || ((payload[payload.length - 10] & 0xff) | (payload[payload.length - 9] & 0xff) << 8) > RdbFormat.WRITE_VERSION) {
            r.error(Errors.DUMP_PAYLOAD);
            return;
        }
        RdbValue rv;
        try {
            rv = Dump.deserialize(payload);
        } catch (StorageException e) {
            boolean footer = payload.length < 10 || e.code() == StorageException.Code.BAD_CHECKSUM
                || e.code() == StorageException.Code.UNSUPPORTED && e.offset() == payload.length - 10;
            r.error(footer ? Errors.DUMP_PAYLOAD : Errors.BAD_DATA_FORMAT);
            return;
        }
        Object value;
        try {
            value = RdbCodec.fromRdb(rv, engine.config);
        } catch (StorageException e) {
            r.error(Errors.BAD_DATA_FORMAT);
            return;
        }
        boolean deleted = false;
        if (replace) {
            deleted = ks.delete(db, key, 0, key.length);
        }
        long now = ks.now();
        if (ttl > 0 && !absttl) {
            ttl += now;
        }
        if (ttl > 0 && ttl <= now) {
            // already expired: the key is gone (Redis' checkAlreadyExpired), the reply still OK
            if (deleted) {
                engine.notifier.notify(Notifier.GENERIC, "del", db, key);
            }
            r.ok();
            return;
        }
        Entry e = ks.add(db, key, value);
        if (ttl > 0) {
            db.setExpire(e, ttl);
        }
        ks.setLruOrLfu(e, idle, (int) freq);
        if (!(value instanceof byte[])) {
            engine.signalKeyAsReady(db, key);
        }
        engine.notifier.notify(Notifier.GENERIC, "restore", db, key);
        r.ok();
    }
}
