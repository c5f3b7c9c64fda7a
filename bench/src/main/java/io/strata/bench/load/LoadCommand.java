package io.strata.bench.load;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

/**
 * {@code strata-bench load}: one load run against any RESP server, printed as text.
 *
 * <p>Thread rule: main thread.
 */
@Command(name = "load", mixinStandardHelpOptions = true,
    description = "Drive a RESP server (Strata, redis-server, ...) with SET/GET load and report throughput and latency.")
public final class LoadCommand implements Callable<Integer> {
    @Option(names = {"-H", "--host"}, description = "Server host (default: ${DEFAULT-VALUE}).")
    String host = "127.0.0.1";

    @Option(names = {"-p", "--port"}, description = "Server port (default: ${DEFAULT-VALUE}).")
    int port = 6379;

    @Option(names = {"-a", "--password"}, description = "AUTH password sent on every connection.")
    String password;

    @Option(names = "--db", description = "Database to SELECT (default: ${DEFAULT-VALUE}).")
    int db;

    @Option(names = {"-c", "--connections"}, description = "Connections (default: ${DEFAULT-VALUE}).")
    int connections = 50;

    @Option(names = {"-P", "--pipeline"}, description = "Commands per batch on each connection (default: ${DEFAULT-VALUE}).")
    int pipeline = 1;

    @Option(names = {"-r", "--read-ratio"},
        description = "Fraction of GETs, the rest SETs: 0 = all SET, 1 = all GET (default: ${DEFAULT-VALUE}).")
    double readRatio = 0.5;

    @Option(names = {"-d", "--value-size"}, description = "Value size in bytes for SET (default: ${DEFAULT-VALUE}).")
    int valueSize = 100;

    @Option(names = {"-k", "--keys"}, description = "Number of distinct keys key:000000000000... (default: ${DEFAULT-VALUE}).")
    long keys = 100_000;

    @Option(names = "--distribution", description = "Key distribution: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    LoadSpec.Distribution distribution = LoadSpec.Distribution.UNIFORM;

    @Option(names = "--zipf-theta", description = "Zipf exponent θ, 0 < θ < 1 (default: ${DEFAULT-VALUE}).")
    double theta = 0.99;

    @Option(names = {"-t", "--duration"}, description = "Seconds to measure, when --requests is not given (default: ${DEFAULT-VALUE}).")
    double duration = 10;

    @Option(names = {"-n", "--requests"}, description = "Stop after this many requests instead of a duration.")
    long requests;

    @Option(names = "--warmup", description = "Seconds of unmeasured load first (default: ${DEFAULT-VALUE}).")
    double warmup = 0;

    @Option(names = "--threads", description = "Client event loop threads (default: ${DEFAULT-VALUE}).")
    int threads = 1;

    @Option(names = "--preload", description = "SET every key once (pipelined) before the run, so GETs hit.")
    boolean preload;

    @Option(names = "--no-progress", negatable = false, description = "No live progress line.")
    boolean noProgress;

    @Override
    public Integer call() throws Exception {
        LoadSpec spec = new LoadSpec();
        spec.host = host;
        spec.port = port;
        spec.password = password;
        spec.db = db;
        spec.connections = connections;
        spec.pipeline = pipeline;
        spec.readRatio = readRatio;
        spec.valueSize = valueSize;
        spec.keys = keys;
        spec.distribution = distribution;
        spec.zipfTheta = theta;
        spec.durationMs = (long) (duration * 1000);
        spec.requests = requests;
        spec.warmupMs = (long) (warmup * 1000);
        spec.threads = threads;
        spec.progress = !noProgress;
        LoadGenerator gen = new LoadGenerator(System.err);
        LoadResult r;
        try {
            if (preload) {
                LoadResult p = gen.run(preloadSpec(spec));
                System.err.printf("preloaded %,d keys in %.2f s%n", p.requests, p.seconds);
            }
            r = gen.run(spec);
        } catch (java.io.IOException e) {
            System.err.println("load: " + e.getMessage());
            return 2;
        }
        r.print(System.out);
        return r.problem == null ? 0 : 1;
    }

    /** SET each of the spec's keys once, pipelined, with the same value size and connection setup. */
    public static LoadSpec preloadSpec(LoadSpec spec) {
        LoadSpec p = new LoadSpec();
        p.host = spec.host;
        p.port = spec.port;
        p.password = spec.password;
        p.db = spec.db;
        p.connections = Math.min(spec.connections, 8);
        p.pipeline = 64;
        p.readRatio = 0;
        p.valueSize = spec.valueSize;
        p.keys = spec.keys;
        p.distribution = LoadSpec.Distribution.SEQUENTIAL;
        p.requests = spec.keys;
        p.threads = spec.threads;
        p.progress = false;
        return p;
    }
}
