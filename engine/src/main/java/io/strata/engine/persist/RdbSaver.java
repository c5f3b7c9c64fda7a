package io.strata.engine.persist;

import io.strata.engine.Engine;
import io.strata.engine.keyspace.Snapshot;
import io.strata.storage.StorageException;
import io.strata.storage.StorageException.Code;
import io.strata.storage.rdb.RdbWriter;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Writes a dataset as an RDB file (version 10, loadable by redis-server 7.0), crash-safely.
 *
 * <p>Thread rule: any one thread per call. The dataset comes from a {@code source} that calls a
 * {@link Snapshot.Visitor}: {@code snapshot::run} on the snapshot thread (BGSAVE, AOF rewrite),
 * or {@code keyspace::visitLive} on the keyspace thread (SAVE, SHUTDOWN, DEBUG RELOAD).
 *
 * <p>File layout as Redis' rdbSaveRio: header, aux fields (redis-ver, redis-bits, ctime, used-mem,
 * aof-base), then per non-empty database SELECTDB and RESIZEDB, its keys (EXPIRETIME_MS before a
 * volatile one), EOF and the CRC64 trailer (zero when {@code rdbchecksum no}).
 *
 * <p>Crash-safety protocol of {@link #save}, so {@code dir/dbfilename} is always either the old
 * complete file or the new complete file:
 * <ol>
 * <li>write everything to {@code dir/<tempName>} (created or truncated);</li>
 * <li>fsync the temp file;</li>
 * <li>rename it over {@code dir/dbfilename} (atomic);</li>
 * <li>fsync the directory so the rename itself survives a crash.</li>
 * </ol>
 * On any failure the temp file is deleted and {@link StorageException} (code IO) is thrown.
 */
public final class RdbSaver {
    private RdbSaver() {
    }

    /**
     * How to write: LZF compression (rdbcompression), CRC64 (rdbchecksum), aux values (used-mem,
     * aof-base 1 for an AOF base file), and Redis' test knob rdb-key-save-delay (microseconds
     * slept per key, 0 = none).
     */
    public record Options(boolean compress, boolean checksum, long usedMem, boolean aofBase, long keySaveDelayMicros,
                          java.util.List<byte[]> functions) {
        public Options(boolean compress, boolean checksum, long usedMem, boolean aofBase) {
            this(compress, checksum, usedMem, aofBase, 0, java.util.List.of());
        }

        public Options(boolean compress, boolean checksum, long usedMem, boolean aofBase, long keySaveDelayMicros) {
            this(compress, checksum, usedMem, aofBase, keySaveDelayMicros, java.util.List.of());
        }
    }

    /** What a save wrote. */
    public record Result(long keys, long bytes, long millis) {
    }

    /**
     * Writes the whole RDB stream of {@code source} to {@code out} (not closed, flushed).
     * {@code cancelled} is polled between keys; when it answers true the write stops with
     * {@link CancellationException}. Returns the number of keys written.
     */
    public static long write(Consumer<Snapshot.Visitor> source, OutputStream out, Options opt,
                             BooleanSupplier cancelled) {
        RdbWriter w = new RdbWriter(out, opt.compress(), opt.checksum());
        w.header();
        w.aux("redis-ver", Engine.REDIS_VERSION);
        w.aux("redis-bits", "64");
        w.aux("ctime", Long.toString(System.currentTimeMillis() / 1000));
        w.aux("used-mem", Long.toString(opt.usedMem()));
        w.aux("aof-base", opt.aofBase() ? "1" : "0");
        for (byte[] code : opt.functions()) {
            w.function(code); // as Redis' rdbSaveFunctions: after the aux fields, before the keys
        }
        long[] keys = {0};
        source.accept(new Snapshot.Visitor() {
            @Override
            public void database(int index, long count, long expires) {
                w.selectDb(index);
                w.resizeDb(count, expires);
            }

            @Override
            public void item(int db, Snapshot.Item it) {
                if ((keys[0] & 1023) == 0 && cancelled.getAsBoolean()) {
                    throw new CancellationException("save cancelled");
                }
                w.entry(it.key, RdbCodec.toRdb(it.value), it.expireAt);
                keys[0]++;
                if (opt.keySaveDelayMicros() > 0) {
                    java.util.concurrent.locks.LockSupport.parkNanos(opt.keySaveDelayMicros() * 1000);
                }
            }
        });
        w.end();
        return keys[0];
    }

    /**
     * Saves {@code source} to {@code dir/dbfilename} through {@code dir/tempName} (the protocol in
     * the class comment). Throws StorageException(IO) on failure, CancellationException when
     * cancelled; the temp file is gone in both cases.
     */
    public static Result save(Consumer<Snapshot.Visitor> source, Path dir, String dbfilename, String tempName,
                              Options opt, BooleanSupplier cancelled) {
        long start = System.currentTimeMillis();
        Path temp = dir.resolve(tempName);
        Path target = dir.resolve(dbfilename);
        boolean done = false;
        long keys;
        long bytes;
        try {
            // step 1: write the temp file
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
                OutputStream out = Channels.newOutputStream(ch);
                keys = write(source, out, opt, cancelled);
                // step 2: fsync it
                ch.force(true);
                bytes = ch.size();
            } catch (IOException e) {
                throw new StorageException(Code.IO, 0, "Failed opening the temp RDB file " + tempName
                    + " (in server root dir " + dir.toAbsolutePath() + ") for saving: " + e.getMessage(), e);
            }
            // step 3: atomic rename over the target
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                throw new StorageException(Code.IO, 0, "Error moving temp DB file " + tempName
                    + " on the final destination " + dbfilename + " (in server root dir "
                    + dir.toAbsolutePath() + "): " + e.getMessage(), e);
            }
            done = true;
            // step 4: fsync the directory so the rename is durable
            fsyncDir(dir);
        } finally {
            if (!done) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // nothing more to do: the failure being reported matters more
                }
            }
        }
        return new Result(keys, bytes, System.currentTimeMillis() - start);
    }

    /** Fsyncs a directory (its entries), so renames and creations in it survive a crash. */
    public static void fsyncDir(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            throw new StorageException(Code.IO, 0, "fsync of directory " + dir.toAbsolutePath()
                + " failed: " + e.getMessage(), e);
        }
    }
}
