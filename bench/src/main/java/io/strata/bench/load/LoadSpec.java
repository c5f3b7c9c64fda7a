package io.strata.bench.load;

/**
 * What one load run does. Defaults match the headline scenario: 50 connections,
 * 100-byte values, no pipelining, 100 000 keys, uniform.
 *
 * <p>Thread rule: filled by one thread before {@link LoadGenerator#run}; read-only after.
 */
public final class LoadSpec {
    public enum Distribution { UNIFORM, ZIPF, SEQUENTIAL }

    public String host = "127.0.0.1";
    public int port = 6379;
    public int connections = 50;
    /** Commands sent per batch; the next batch goes when every reply of the last one is in. */
    public int pipeline = 1;
    /** Fraction of GETs; the rest are SETs. 0 = all SET, 1 = all GET. */
    public double readRatio = 0.5;
    public int valueSize = 100;
    public long keys = 100_000;
    public Distribution distribution = Distribution.UNIFORM;
    public double zipfTheta = 0.99;
    /** Run for this long (after warm-up) when {@link #requests} is 0. */
    public long durationMs = 10_000;
    /** Stop after this many requests; 0 = use {@link #durationMs}. */
    public long requests;
    /** Load sent but not measured before the run, so both JITs and caches warm up. */
    public long warmupMs;
    /** Netty event loop threads of the client. */
    public int threads = 1;
    /** Print a live progress line to stderr every second. */
    public boolean progress = true;
    /** Selected database; 0 sends no SELECT. */
    public int db;
    public String password;
    /** Fraction of INCR cnt:&lt;n&gt; commands (taken before the GET/SET split); 0 = none. */
    public double incrRatio;
    /** Fraction of HSET hsh:&lt;n&gt; f&lt;0..99&gt; &lt;value&gt; commands (taken before the GET/SET split); 0 = none. */
    public double hsetRatio;
    /** Values of 'x' only, as redis-benchmark sends (highly compressible); false = random a–z per connection. */
    public boolean repetitiveValues;
    /** Period of the progress loop and of {@link #intervalSink}, in milliseconds. */
    public long intervalMs = 1000;
    /**
     * Called on the generator's thread after each interval with {@code System.nanoTime()} at its
     * end and a copy of that interval's latency histogram (ns); null = none. Used to isolate the
     * latency of a window (a BGSAVE) inside a longer run.
     */
    public java.util.function.BiConsumer<Long, org.HdrHistogram.Histogram> intervalSink;
    /** Checked after each interval; when it answers true the run ends early (duration runs only). */
    public java.util.function.BooleanSupplier stopWhen;

    public String describe() {
        String mix = readRatio == 0 ? "SET" : readRatio == 1 ? "GET" : String.format("GET %.0f%% / SET %.0f%%", readRatio * 100, (1 - readRatio) * 100);
        if (incrRatio > 0 || hsetRatio > 0) {
            mix = String.format("INCR %.0f%% / HSET %.0f%% / rest %s", incrRatio * 100, hsetRatio * 100, mix);
        }
        String dist = distribution == Distribution.ZIPF ? "zipf θ=" + zipfTheta : distribution.name().toLowerCase();
        String stop = requests > 0 ? requests + " requests" : (durationMs / 1000.0) + " s";
        return String.format("%s, %d B values, %d keys %s, %d connections, pipeline %d, %s, %s:%d",
            mix, valueSize, keys, dist, connections, pipeline, stop, host, port);
    }
}
