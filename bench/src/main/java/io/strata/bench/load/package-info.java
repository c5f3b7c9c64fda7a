/**
 * The load generator: a Netty RESP client that drives any Redis-protocol server with a chosen
 * read/write mix, key distribution and pipeline depth, and reports throughput and HdrHistogram
 * latency.
 *
 * <p>Threads: the caller's thread runs {@link io.strata.bench.load.LoadGenerator#run} and the
 * progress line; each connection lives on one Netty event loop thread ({@code --threads}), which
 * alone touches its {@link io.strata.bench.load.LoadConnection}.
 */
package io.strata.bench.load;
