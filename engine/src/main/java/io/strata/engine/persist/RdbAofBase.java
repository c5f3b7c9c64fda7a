package io.strata.engine.persist;

import io.strata.engine.Engine;
import io.strata.engine.keyspace.Snapshot;

import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The AOF base file in RDB format (Redis 7's {@code appendonly.aof.N.base.rdb}): written from a
 * snapshot by {@link RdbSaver}, loaded by {@link RdbLoader} before the incr files are replayed.
 *
 * <p>Thread rule: {@link #write} on the rewrite thread (reads only the snapshot);
 * {@link #load} on the keyspace thread at start-up.
 */
public final class RdbAofBase implements AofBaseWriter, AofBaseLoader {
    private final Engine engine;

    public RdbAofBase(Engine engine) {
        this.engine = engine;
    }

    @Override
    public long write(Snapshot snapshot, Path file) throws IOException {
        RdbSaver.Options opt = new RdbSaver.Options(engine.config.rdbcompression, engine.config.rdbchecksum,
            engine.usedMemory(), true, engine.config.rdbKeySaveDelay, Persistence.functionCodes(engine));
        try (FileOutputStream fos = new FileOutputStream(file.toFile());
             BufferedOutputStream out = new BufferedOutputStream(fos, 1 << 16)) {
            RdbSaver.write(snapshot::run, out, opt, () -> false);
            out.flush();
            fos.getFD().sync();
        }
        return Files.size(file);
    }

    @Override
    public java.util.function.LongPredicate loadInSteps(Engine engine, Path file) {
        RdbStepLoader steps = new RdbStepLoader(file, engine.keyspace, engine.config,
            new RdbLoader.Options(false, false, Persistence.functionLoader(engine)),
            line -> { });
        return budgetNanos -> steps.step(budgetNanos) != null;
    }

    @Override
    public void load(Engine engine, Path file) {
        // keys already expired stay until the incr files (which record their DELs) or lazy expiry
        // remove them, as Redis loads an AOF preamble
        RdbLoader.load(file, engine.keyspace, engine.config, new RdbLoader.Options(false, false, Persistence.functionLoader(engine)),
            line -> { }, bytes -> { });
    }
}
