package io.strata.engine.persist;

import io.strata.engine.keyspace.Snapshot;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Writes the base file of an AOF rewrite (an RDB, as Redis 7 with {@code aof-use-rdb-preamble
 * yes}) from a point-in-time {@link Snapshot}. The RDB saver implements it once merged and
 * registers itself with {@link Aof#setBaseFormat}; until then BGREWRITEAOF and a runtime
 * {@code CONFIG SET appendonly yes} over a non-empty dataset are refused.
 *
 * <p>Thread rule: {@link #write} runs on the rewrite thread ({@code strata-aof-rewrite}) and must
 * only read the snapshot, never the live keyspace.
 */
public interface AofBaseWriter {
    /**
     * Writes the whole snapshot to {@code file} and fsyncs it before returning; returns the bytes
     * written.
     */
    long write(Snapshot snapshot, Path file) throws IOException;

    /** File name suffix of a base in this format: ".rdb" (Redis' {@code .base.rdb}). */
    default String suffix() {
        return ".rdb";
    }
}
