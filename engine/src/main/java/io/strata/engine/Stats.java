package io.strata.engine;

import java.util.concurrent.atomic.LongAdder;

/**
 * Server-wide counters shown by INFO stats. Counters touched by I/O threads are adders;
 * the rest belong to the keyspace thread.
 *
 * <p>Thread rule: adders from any thread; plain fields keyspace thread only.
 */
public final class Stats {
    public final LongAdder netInputBytes = new LongAdder();
    public final LongAdder netOutputBytes = new LongAdder();
    public final LongAdder connectionsReceived = new LongAdder();
    public final LongAdder rejectedConnections = new LongAdder();
    public long commandsProcessed;
    /** Keys removed by the maxmemory policy (INFO evicted_keys). */
    public long evictedKeys;
    public long errorReplies;
    public long unexpectedErrorReplies;
    /** Error replies by error code ("ERR", "WRONGTYPE"…), for INFO errorstats; at most 128 codes as Redis. */
    public final java.util.Map<String, Long> errorCodes = new java.util.TreeMap<>();

    // instantaneous ops/sec sampling, as Redis' trackInstantaneousMetric
    private final long[] opsSamples = new long[16];
    private int opsIdx;
    private long lastSampleMs;
    private long lastSampleCount;

    /** Called from the cron; records one ops/sec sample. */
    void sample(long nowMs) {
        if (lastSampleMs == 0) {
            lastSampleMs = nowMs;
            lastSampleCount = commandsProcessed;
            return;
        }
        long dt = nowMs - lastSampleMs;
        if (dt < 100) {
            return;
        }
        opsSamples[opsIdx++ & 15] = (commandsProcessed - lastSampleCount) * 1000 / dt;
        lastSampleMs = nowMs;
        lastSampleCount = commandsProcessed;
    }

    public long instantaneousOps() {
        long sum = 0;
        for (long s : opsSamples) {
            sum += s;
        }
        return sum / opsSamples.length;
    }

    /** Counts one error reply under its code: the first word when it is shorter than 32 chars, else "ERR". */
    public void countError(String text) {
        int sp = text.indexOf(' ');
        String code = sp > 0 && sp < 32 ? text.substring(0, sp) : "ERR";
        if (errorCodes.size() >= 128 && !errorCodes.containsKey(code)) {
            return;
        }
        errorCodes.merge(code, 1L, Long::sum);
    }

    public void reset() {
        errorCodes.clear();
        commandsProcessed = 0;
        errorReplies = 0;
        unexpectedErrorReplies = 0;
        netInputBytes.reset();
        netOutputBytes.reset();
        connectionsReceived.reset();
        rejectedConnections.reset();
    }
}
