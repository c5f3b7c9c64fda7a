/**
 * JMH micro-benchmarks of the hot paths: RESP decoding, dispatch, keyspace access, AOF frame
 * encoding and RDB writing and reading. Run them with {@code java -jar bench/target/strata-bench.jar}.
 *
 * <p>Threads: each benchmark runs on JMH's single measurement thread ({@code @Threads(1)}), which
 * stands in for the keyspace thread; no state is shared between benchmarks.
 */
package io.strata.bench.jmh;
