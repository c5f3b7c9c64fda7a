/**
 * RDB persistence of the keyspace: converting values ({@link io.strata.engine.persist.RdbCodec}),
 * writing snapshots crash-safely ({@link io.strata.engine.persist.RdbSaver}), loading files
 * ({@link io.strata.engine.persist.RdbLoader}) and the SAVE/BGSAVE state machine
 * ({@link io.strata.engine.persist.Persistence}).
 *
 * <p>Threads: the keyspace thread runs {@code Persistence} and {@code RdbLoader}; one snapshot
 * thread per BGSAVE ({@code strata-bgsave}) runs {@code RdbSaver} over a
 * {@link io.strata.engine.keyspace.Snapshot} and reports back through
 * {@link io.strata.engine.ServerControl#runOnKeyspaceThread}. {@code RdbCodec} is stateless.
 */
package io.strata.engine.persist;
