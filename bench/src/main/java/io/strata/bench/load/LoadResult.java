package io.strata.bench.load;

import org.HdrHistogram.Histogram;

import java.io.PrintStream;

/**
 * The outcome of one load run: requests completed in the measured window, its length, latency
 * (nanoseconds, HdrHistogram), error replies and anything that went wrong with connections.
 *
 * <p>Thread rule: immutable once {@link LoadGenerator#run} returns it.
 */
public final class LoadResult {
    public final String description;
    public final long requests;
    public final double seconds;
    public final Histogram latencyNs;
    public final long errors;
    public final String firstError;
    /** Connection-level trouble (lost connections, unanswered requests, protocol errors); null if none. */
    public final String problem;

    LoadResult(String description, long requests, double seconds, Histogram latencyNs, long errors, String firstError,
               String problem) {
        this.description = description;
        this.requests = requests;
        this.seconds = seconds;
        this.latencyNs = latencyNs;
        this.errors = errors;
        this.firstError = firstError;
        this.problem = problem;
    }

    public double opsPerSec() {
        return seconds > 0 ? requests / seconds : 0;
    }

    /** Latency at {@code percentile} (0–100) in milliseconds. */
    public double ms(double percentile) {
        return latencyNs.getValueAtPercentile(percentile) / 1e6;
    }

    public double maxMs() {
        return latencyNs.getMaxValue() / 1e6;
    }

    public void print(PrintStream out) {
        out.println(description);
        out.printf("requests %,d in %.2f s: %,.0f ops/s, errors %,d%n", requests, seconds, opsPerSec(), errors);
        out.printf("latency ms: p50 %.3f  p99 %.3f  p99.9 %.3f  max %.3f%n", ms(50), ms(99), ms(99.9), maxMs());
        if (firstError != null) {
            out.println("first error reply: " + firstError);
        }
        if (problem != null) {
            out.println("problem: " + problem);
        }
    }
}
