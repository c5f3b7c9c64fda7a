/**
 * Persistence: RDB snapshots and the append-only file (AOF).
 *
 * <p>Threads of this package:
 * <ul>
 *   <li><b>keyspace thread</b>: {@link io.strata.engine.persist.Persistence} (SAVE/BGSAVE state,
 *       save points, MISCONF), {@link io.strata.engine.persist.RdbLoader},
 *       {@link io.strata.engine.persist.Aof} (the AOF manager),
 *       {@link io.strata.engine.persist.AofRecorder} (turns executed commands into RESP, one
 *       buffer per event-loop batch) and {@link io.strata.engine.persist.AofLoader} (replays the
 *       AOF at start-up in steps, so clients get {@code -LOADING} meanwhile).</li>
 *   <li><b>snapshot thread</b> ({@code strata-bgsave}): {@link io.strata.engine.persist.RdbSaver}
 *       over a {@link io.strata.engine.keyspace.Snapshot}, reporting back through
 *       {@link io.strata.engine.ServerControl#runOnKeyspaceThread}.</li>
 *   <li><b>AOF thread</b> ({@code strata-aof}): {@link io.strata.engine.persist.AofWriter} owns the
 *       incr file and the manifest: writes one frame per group-commit batch, fsyncs per
 *       {@code appendfsync}, rotates incr files and swaps manifests for a rewrite.</li>
 *   <li><b>rewrite thread</b> ({@code strata-aof-rewrite}): runs an
 *       {@link io.strata.engine.persist.AofBaseWriter} over a snapshot to make a new base file.</li>
 * </ul>
 * {@link io.strata.engine.persist.RdbCodec} is stateless.
 */
package io.strata.engine.persist;
