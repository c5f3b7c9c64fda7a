/**
 * Everything with a file format: RDB reader and writer, AOF frames and manifest, the spill tier.
 * Knows nothing of clients or commands.
 *
 * <p>Threads: readers and writers are used by one thread at a time (the keyspace thread at load,
 * the AOF thread, the snapshot thread, or a tool's main thread).
 */
package io.strata.storage;
