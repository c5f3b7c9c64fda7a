package io.strata.engine.persist;

import io.strata.engine.config.Config;
import io.strata.engine.keyspace.Database;
import io.strata.engine.keyspace.Entry;
import io.strata.engine.keyspace.Keyspace;
import io.strata.storage.StorageException;
import io.strata.storage.StorageException.Code;
import io.strata.storage.rdb.RdbReader;
import io.strata.storage.rdb.RdbValue;
import io.strata.storage.rdb.RdbVisitor;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * Loads an RDB stream into the {@link Keyspace}, one key at a time, as a Redis master does:
 * keys already expired are skipped (and counted), records Strata does not keep (function
 * libraries, module aux data, streams) are logged and skipped, and anything malformed is refused
 * with a {@link StorageException} naming the file offset and what was wrong.
 *
 * <p>Thread rule: the keyspace thread, or the main thread before the server serves clients (no
 * other thread may touch the keyspace meanwhile). A refused file may leave the keys read before
 * the bad record in the keyspace: the caller stops the server (start-up) or reports the error.
 */
public final class RdbLoader {
    private RdbLoader() {
    }

    /** What a load did: keys added, keys skipped as expired, records skipped, bytes read. */
    public record Result(long keysLoaded, long keysExpired, long recordsSkipped, long bytes) {
    }

    /** How to load. */
    public record Options(
        /** Skip keys whose expiry has passed (a master's load); false keeps them (AOF preamble, replicas). */
        boolean dropExpired,
        /** Replace a key that exists already (DEBUG RELOAD MERGE) instead of refusing the file. */
        boolean allowDuplicates,
        /** Loads a function library record (its code); null reports the record as skipped. Keyspace thread. */
        Consumer<byte[]> functions) {
        public static final Options MASTER = new Options(true, false);

        public Options(boolean dropExpired, boolean allowDuplicates) {
            this(dropExpired, allowDuplicates, null);
        }

        /** The same options, loading function libraries through {@code f}. */
        public Options withFunctions(Consumer<byte[]> f) {
            return new Options(dropExpired, allowDuplicates, f);
        }
    }

    /** Loads a file; see {@link #load(InputStream, Keyspace, Config, Options, Consumer, LongConsumer)}. */
    public static Result load(Path file, Keyspace ks, Config config, Options opt, Consumer<String> log,
                              LongConsumer progress) {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            return load(in, ks, config, opt, log, progress);
        } catch (IOException e) {
            throw new StorageException(Code.IO, 0, "cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads the whole stream into {@code ks}. {@code log} receives one line per skipped record;
     * {@code progress} the bytes read so far, now and then (for INFO loading_loaded_bytes).
     */
    public static Result load(InputStream in, Keyspace ks, Config config, Options opt, Consumer<String> log,
                              LongConsumer progress) {
        long now = System.currentTimeMillis();
        long[] counts = new long[4]; // loaded, expired, skipped, bytes
        RdbReader reader = new RdbReader(in);
        reader.read(new RdbVisitor() {
            @Override
            public void entry(int dbIndex, byte[] key, RdbValue value, long expireAtMs, long idleSeconds, int freq,
                              long offset, long size) {
                counts[3] = offset + size;
                if (((counts[0] + counts[1]) & 1023) == 0) {
                    progress.accept(counts[3]);
                }
                if (insert(ks, config, opt, now, dbIndex, key, value, expireAtMs, idleSeconds, freq, offset)) {
                    counts[0]++;
                } else {
                    counts[1]++;
                }
            }

            @Override
            public void function(byte[] code, long offset) {
                if (opt.functions() == null) {
                    skipped("function library", offset);
                } else {
                    opt.functions().accept(code);
                }
            }

            @Override
            public void skipped(String what, long offset) {
                counts[2]++;
                log.accept("RDB: skipped record at offset " + offset + ": " + what);
            }
        });
        progress.accept(reader.offset());
        return new Result(counts[0], counts[1], counts[2], reader.offset());
    }

    /**
     * Puts one key read from an RDB into the keyspace: refuses a db out of range and (unless
     * allowed) a duplicate, converts the value, restores expiry and access clocks. Returns false
     * when the key had already expired and was skipped. Keyspace thread.
     */
    static boolean insert(Keyspace ks, Config config, Options opt, long now, int dbIndex, byte[] key, RdbValue value,
                          long expireAtMs, long idleSeconds, int freq, long offset) {
        if (dbIndex < 0 || dbIndex >= ks.databases()) {
            throw new StorageException(Code.UNSUPPORTED, offset, "Data file was created with a Redis server"
                + " configured to handle more than " + ks.databases() + " databases (db=" + dbIndex + ")");
        }
        if (opt.dropExpired() && expireAtMs >= 0 && expireAtMs < now) {
            return false;
        }
        Object v;
        try {
            v = RdbCodec.fromRdb(value, config);
        } catch (StorageException e) {
            throw new StorageException(e.code(), offset, e.getMessage().replaceFirst(" \\(code=.*$", "")
                + " in key '" + new String(key, StandardCharsets.UTF_8) + "'");
        }
        Database db = ks.db(dbIndex);
        Entry old = db.findRaw(key);
        boolean coldCopy = old == null && ks.hasColdRecord(db, key);
        if (old != null || coldCopy) {
            if (!opt.allowDuplicates()) {
                throw new StorageException(Code.CORRUPT, offset, "RDB has duplicated key '"
                    + new String(key, StandardCharsets.UTF_8) + "' in DB " + dbIndex);
            }
            if (old != null) {
                db.remove(old);
            } else {
                ks.removeColdRecord(db, key);
            }
        }
        int lru = (int) (idleSeconds >= 0 ? now / 1000 - idleSeconds : now / 1000);
        if (ks.loadGoesCold() && ks.insertCold(db, key, v, expireAtMs, lru, freq >= 0 ? ks.lfuWithCounter(freq) : ks.lfuInit())) {
            return true; // RAM is full: the rest of the dataset streams into the spill tier
        }
        Entry e = db.insert(key, v);
        if (expireAtMs >= 0) {
            db.setExpire(e, expireAtMs);
        }
        ks.setLruOrLfu(e, idleSeconds >= 0 ? idleSeconds : 0, freq);
        ks.afterLoadInsert();
        return true;
    }
}
