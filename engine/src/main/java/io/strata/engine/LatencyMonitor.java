package io.strata.engine;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Latency spikes per event ("command", "fast-command", …) above
 * {@code latency-monitor-threshold} ms: the latest 160 samples (one per second at most), the
 * latest and the all-time maximum, as Redis' latency monitor keeps them.
 *
 * <p>Thread rule: keyspace thread only.
 */
public final class LatencyMonitor {
    static final int HISTORY = 160;

    /** Samples of one event. */
    public static final class Series {
        public final long[] times = new long[HISTORY];
        public final long[] latencies = new long[HISTORY];
        public int idx;
        public int count;
        public long max;
        public long latestTime;
        public long latest;

        public List<long[]> history() {
            List<long[]> out = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int j = (idx - count + i + HISTORY) % HISTORY;
                out.add(new long[] {times[j], latencies[j]});
            }
            return out;
        }
    }

    private final Map<String, Series> events = new LinkedHashMap<>();

    /** Records {@code latencyMs} for {@code event} when it is at or above {@code thresholdMs} (> 0). */
    public void maybeRecord(String event, long latencyMs, long thresholdMs) {
        if (thresholdMs <= 0 || latencyMs < thresholdMs) {
            return;
        }
        long now = System.currentTimeMillis() / 1000;
        Series s = events.computeIfAbsent(event, k -> new Series());
        s.latest = latencyMs;
        s.latestTime = now;
        s.max = Math.max(s.max, latencyMs);
        int prev = (s.idx - 1 + HISTORY) % HISTORY;
        if (s.count > 0 && s.times[prev] == now) {
            s.latencies[prev] = Math.max(s.latencies[prev], latencyMs);
            return;
        }
        s.times[s.idx] = now;
        s.latencies[s.idx] = latencyMs;
        s.idx = (s.idx + 1) % HISTORY;
        s.count = Math.min(s.count + 1, HISTORY);
    }

    public Map<String, Series> events() {
        return events;
    }

    /** Resets the named events, or all when none are named; returns how many were reset. */
    public int reset(List<String> names) {
        if (names.isEmpty()) {
            int n = events.size();
            events.clear();
            return n;
        }
        int n = 0;
        for (String name : names) {
            if (events.remove(name) != null) {
                n++;
            }
        }
        return n;
    }
}
