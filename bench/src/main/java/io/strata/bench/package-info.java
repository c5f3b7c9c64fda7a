/**
 * Benchmarks: JMH micro-benchmarks and the side-by-side load generator.
 *
 * <p>Threads: as each benchmark declares.
 */
package io.strata.bench;
