package io.strata.engine.persist;

import io.strata.engine.config.Config;
import io.strata.engine.keyspace.Keyspace;
import io.strata.storage.StorageException;
import io.strata.storage.StorageException.Code;
import io.strata.storage.rdb.RdbReader;
import io.strata.storage.rdb.RdbValue;
import io.strata.storage.rdb.RdbVisitor;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Loads an RDB file in steps, so the server answers -LOADING while it loads (as Redis does): a
 * reader thread parses the file and queues one decoded key at a time (bounded, so memory stays
 * flat); the keyspace thread applies queued keys for a few milliseconds per {@link #step} and
 * goes back to serving clients in between.
 *
 * <p>Thread rule: the constructor and {@link #step} on the keyspace thread; the reader thread
 * ({@code strata-rdb-load}) only reads the file and never touches the keyspace.
 */
public final class RdbStepLoader {
    private record Key(int db, byte[] key, RdbValue value, long expireAt, long idle, int freq, long offset, long end) {
    }

    private record Function(byte[] code, long offset) {
    }

    private record Skip(String what, long offset) {
    }

    private record Failure(RuntimeException error) {
    }

    private record End(long bytes) {
    }

    private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(4096);
    private final Keyspace ks;
    private final Config config;
    private final RdbLoader.Options opt;
    private final Consumer<String> log;
    private final long now = System.currentTimeMillis();
    private final Thread reader;
    private long loaded;
    private long expired;
    private long skipped;
    /** File offset up to which keys have been applied (INFO loading_loaded_bytes). */
    private long appliedBytes;

    public RdbStepLoader(Path file, Keyspace ks, Config config, RdbLoader.Options opt, Consumer<String> log) {
        this.ks = ks;
        this.config = config;
        this.opt = opt;
        this.log = log;
        this.reader = new Thread(() -> read(file), "strata-rdb-load");
        reader.setDaemon(true);
        reader.start();
    }

    private void put(Object o) {
        try {
            queue.put(o);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageException(Code.IO, 0, "RDB load interrupted");
        }
    }

    private void read(Path file) {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            RdbReader r = new RdbReader(in);
            r.read(new RdbVisitor() {
                @Override
                public void entry(int db, byte[] key, RdbValue value, long expireAtMs, long idleSeconds, int freq,
                                  long offset, long size) {
                    put(new Key(db, key, value, expireAtMs, idleSeconds, freq, offset, offset + size));
                }

                @Override
                public void function(byte[] code, long offset) {
                    put(new Function(code, offset));
                }

                @Override
                public void skipped(String what, long offset) {
                    put(new Skip(what, offset));
                }
            });
            put(new End(r.offset()));
        } catch (IOException e) {
            put(new Failure(new StorageException(Code.IO, 0, "cannot read " + file + ": " + e.getMessage(), e)));
        } catch (RuntimeException e) {
            put(new Failure(e));
        }
    }

    public long appliedBytes() {
        return appliedBytes;
    }

    /**
     * Applies queued keys for about {@code budgetNanos}. Returns the result once the whole file
     * is in, null while more remains; throws {@link StorageException} for a damaged file.
     */
    public RdbLoader.Result step(long budgetNanos) {
        long deadline = System.nanoTime() + budgetNanos;
        while (System.nanoTime() < deadline) {
            Object o;
            try {
                o = queue.poll(200, TimeUnit.MICROSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StorageException(Code.IO, appliedBytes, "RDB load interrupted");
            }
            if (o == null) {
                continue;
            }
            if (o instanceof Key) {
                Key k = (Key) o;
                if (RdbLoader.insert(ks, config, opt, now, k.db, k.key, k.value, k.expireAt, k.idle, k.freq, k.offset)) {
                    loaded++;
                } else {
                    expired++;
                }
                appliedBytes = k.end;
            } else if (o instanceof Function && opt.functions() != null) {
                opt.functions().accept(((Function) o).code);
            } else if (o instanceof Function) {
                skipped++;
                log.accept("RDB: skipped record at offset " + ((Function) o).offset + ": function library");
            } else if (o instanceof Skip) {
                skipped++;
                log.accept("RDB: skipped record at offset " + ((Skip) o).offset + ": " + ((Skip) o).what);
            } else if (o instanceof Failure) {
                throw ((Failure) o).error;
            } else {
                appliedBytes = ((End) o).bytes;
                return new RdbLoader.Result(loaded, expired, skipped, appliedBytes);
            }
        }
        return null;
    }
}
