/**
 * Offline tools (rdb-inspect, aof-repair) built on the storage readers.
 *
 * <p>Threads: each tool runs on its main thread.
 */
package io.strata.tools;
