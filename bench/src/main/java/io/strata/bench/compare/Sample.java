package io.strata.bench.compare;

/**
 * One measured run of one scenario against one server.
 *
 * <p>Thread rule: immutable.
 */
record Sample(int round, String scenario, String server, double opsPerSec, double p50Ms, double p99Ms,
              double p999Ms, double maxMs, long errors, String problem) {
    static final String STRATA = "Strata";
    static final String REDIS = "Redis";

    /** True when the latency figures came from our generator (redis-benchmark -q gives only p50). */
    boolean hasTail() {
        return !Double.isNaN(p99Ms);
    }
}
