package io.strata.bench.compare;

import io.strata.bench.load.LoadCommand;
import io.strata.bench.load.LoadGenerator;
import io.strata.bench.load.LoadResult;
import io.strata.bench.load.LoadSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * {@code strata-bench compare}: Strata (the server jar) and the Debian redis-server side by side
 * on free loopback ports with the same settings (persistence off, io-threads 1), each scenario
 * run against both in alternation (Strata, Redis, Strata, Redis …) for {@code --rounds} rounds,
 * then {@code redis-benchmark} against both; writes {@code bench/results/<timestamp>.md} and
 * {@code .svg}.
 *
 * <p>The AOF scenarios need {@code CONFIG SET appendonly yes} to work on Strata; while Strata
 * refuses it they are skipped with the server's answer as the note.
 *
 * <p>Thread rule: main thread.
 */
@Command(name = "compare", mixinStandardHelpOptions = true,
    description = "Run the same load against Strata and redis-server in alternation and write a Markdown report.")
public final class CompareCommand implements Callable<Integer> {
    @Option(names = "--quick", description = "Smoke mode: 1 round, 1 s runs, 1000 keys (checks the harness, not speed).")
    boolean quick;

    @Option(names = "--rounds", description = "Alternations per scenario (default: ${DEFAULT-VALUE}).")
    int rounds = 3;

    @Option(names = "--duration", description = "Measured seconds per run (default: ${DEFAULT-VALUE}).")
    double duration = 10;

    @Option(names = "--warmup", description = "Unmeasured seconds before each run (default: ${DEFAULT-VALUE}).")
    double warmup = 2;

    @Option(names = {"-c", "--connections"}, description = "Client connections (default: ${DEFAULT-VALUE}).")
    int connections = 50;

    @Option(names = {"-d", "--value-size"}, description = "Value size in bytes (default: ${DEFAULT-VALUE}).")
    int valueSize = 100;

    @Option(names = {"-k", "--keys"}, description = "Distinct keys, all preloaded (default: ${DEFAULT-VALUE}).")
    long keys = 100_000;

    @Option(names = "--rb-requests", description = "redis-benchmark -n per run (default: ${DEFAULT-VALUE}).")
    long rbRequests = 2_000_000;

    @Option(names = "--no-redis-benchmark", negatable = false, description = "Skip the redis-benchmark runs.")
    boolean noRedisBenchmark;

    @Option(names = "--aof-only", negatable = false,
        description = "Only the AOF scenarios (SET P1 with appendfsync everysec, then always); no redis-benchmark.")
    boolean aofOnly;

    @Option(names = "--pipelines", split = ",",
        description = "Pipeline depths of the SET/GET scenarios and the redis-benchmark runs (default: 1,16).")
    List<Integer> pipelines = new ArrayList<>(List.of(1, 16));

    @Option(names = "--evalsha-only", negatable = false,
        description = "Only the scripting scenario: redis-benchmark EVALSHA of a small script (GET of a random key) at each pipeline depth.")
    boolean evalshaOnly;

    @Option(names = "--stream-only", negatable = false,
        description = "Only the stream scenario: redis-benchmark XADD then XREADGROUP at pipeline 16, alternating the servers.")
    boolean streamOnly;

    @Option(names = "--no-aof", negatable = false, description = "Skip the AOF scenarios.")
    boolean noAof;

    @Option(names = "--full", negatable = false,
        description = "Also the larger-than-RAM (Zipf, uniform), BGSAVE-under-load and restart scenarios: runs `tiering` and "
            + "`durability --parts bgsave,restart` with the same --quick and --out, and links their reports.")
    boolean full;

    @Mixin
    ServerOptions servers = new ServerOptions();

    @Option(names = "--redis-benchmark", description = "redis-benchmark binary (default: ${DEFAULT-VALUE}).")
    String redisBenchmark = "/usr/bin/redis-benchmark";

    /** Where the last report was written (tests read it). */
    public Path reportPath;

    private final PrintStream log = System.err;

    /** One load scenario: GET/SET mix, pipeline, AOF policy (null = AOF off). */
    record Scenario(String name, double readRatio, int pipeline, String appendfsync) {
    }

    @Override
    public Integer call() throws Exception {
        if (quick) {
            rounds = 1;
            duration = 1;
            warmup = 0.5;
            keys = Math.min(keys, 1000);
            rbRequests = Math.min(rbRequests, 20_000);
        }
        Path root = Path.of(System.getProperty("strata.root", ".")).toAbsolutePath().normalize();
        String unusable = servers.resolve(root);
        if (unusable != null) {
            log.println("compare: " + unusable);
            return 2;
        }
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path work = Files.createTempDirectory("strata-bench-");
        List<Sample> samples = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        String loadBefore = loadAverage();
        ServerProcess strata = null;
        ServerProcess redis = null;
        Thread cleanup = null;
        try {
            Path strataDir = Files.createDirectories(work.resolve("strata"));
            Path redisDir = Files.createDirectories(work.resolve("redis"));
            Path gcLog = work.resolve("strata-gc.log");
            int sp = ServerProcess.freePort();
            strata = ServerProcess.start(Sample.STRATA, strataCommand(sp, gcLog), sp, strataDir, work.resolve("strata.log"));
            int rp = ServerProcess.freePort();
            redis = ServerProcess.start(Sample.REDIS, List.of(servers.redisServer, "--port", Integer.toString(rp), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--daemonize", "no", "--dir", redisDir.toString()), rp, redisDir,
                work.resolve("redis.log"));
            ServerProcess a = strata;
            ServerProcess b = redis;
            cleanup = new Thread(() -> {
                a.stop();
                b.stop();
            }, "compare-cleanup");
            Runtime.getRuntime().addShutdownHook(cleanup);
            log.printf("compare: Strata pid %d port %d, redis-server pid %d port %d; %d rounds of %.1f s (+%.1f s warm-up)%n",
                strata.pid(), sp, redis.pid(), rp, rounds, duration, warmup);

            LoadGenerator gen = new LoadGenerator(log);
            for (ServerProcess s : List.of(strata, redis)) {
                LoadResult p = gen.run(LoadCommand.preloadSpec(spec(s, new Scenario("preload", 0, 1, null))));
                if (p.problem != null || p.errors > 0) {
                    throw new IOException("preloading " + s.name + " failed: " + p.problem + " " + p.firstError);
                }
            }
            List<Scenario> base = new ArrayList<>();
            for (int p : pipelines) {
                base.add(new Scenario("SET P" + p, 0, p, null));
                base.add(new Scenario("GET P" + p, 1, p, null));
            }
            for (int round = 1; round <= rounds && !aofOnly && !evalshaOnly && !streamOnly; round++) {
                for (Scenario sc : base) {
                    samples.add(measure(gen, strata, sc, round));
                    samples.add(measure(gen, redis, sc, round));
                }
            }
            if (!noAof && !evalshaOnly && !streamOnly) {
                runAof(gen, strata, redis, samples, notes);
            }
            if (!noRedisBenchmark && !aofOnly) {
                if (Files.isExecutable(Path.of(redisBenchmark))) {
                    for (int pipeline : pipelines) {
                        for (int round = 1; round <= rounds && !evalshaOnly && !streamOnly; round++) {
                            samples.addAll(redisBenchmark(strata, round, pipeline));
                            samples.addAll(redisBenchmark(redis, round, pipeline));
                        }
                    }
                    for (int pipeline : pipelines) {
                        for (int round = 1; round <= rounds && !streamOnly; round++) {
                            samples.addAll(evalshaBenchmark(strata, round, pipeline));
                            samples.addAll(evalshaBenchmark(redis, round, pipeline));
                        }
                    }
                    for (int round = 1; round <= rounds && !evalshaOnly; round++) {
                        samples.addAll(streamBenchmark(strata, round));
                        samples.addAll(streamBenchmark(redis, round));
                    }
                } else {
                    notes.add("redis-benchmark skipped: no binary at " + redisBenchmark);
                }
            }
            if (!strata.isAlive()) {
                notes.add("Strata exited during the run; see its log");
            }
            String gc = gcSummary(gcLog);
            if (gc != null) {
                notes.add("Strata GC (from -Xlog:gc over the whole comparison, warm-up and preload included): " + gc);
            }
        } finally {
            if (strata != null) {
                strata.stop();
            }
            if (redis != null) {
                redis.stop();
            }
            if (cleanup != null) {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            }
            copyLogOnFailure(work, samples);
            deleteTree(work);
        }
        if (full) {
            runLinked(notes);
        }
        for (Sample s : samples) {
            if (s.errors() > 0 || s.problem() != null) {
                notes.add("round " + s.round() + " " + s.scenario() + " on " + s.server() + ": " + s.errors()
                    + " error replies" + (s.problem() == null ? "" : ", " + s.problem()));
            }
        }
        Files.createDirectories(servers.out);
        reportPath = servers.out.resolve(stamp + ".md");
        Report.write(reportPath, servers.out.resolve(stamp + ".svg"), header(stamp, loadBefore, loadAverage()), samples, notes);
        for (Report.Row r : Report.summarize(samples)) {
            log.printf(Locale.ROOT, "%-26s throughput %s×  p99 %s×%n", r.scenario(), Report.fmt(r.opsRatio(), "%.2f"),
                Report.fmt(r.p99Ratio(), "%.2f"));
        }
        log.println("compare: report " + reportPath);
        return 0;
    }

    /** --full: the scenarios that need their own servers, each with its own report, summarised and linked here. */
    private void runLinked(List<String> notes) throws Exception {
        DurabilityCommand d = new DurabilityCommand();
        d.quick = quick;
        d.parts = new ArrayList<>(List.of("bgsave", "restart"));
        d.servers = servers;
        int ds = d.call();
        notes.add("BGSAVE under load and restart (`durability --parts bgsave,restart`" + (quick ? " --quick" : "") + "): "
            + (ds == 0 && d.reportPath != null ? "[report](" + d.reportPath.getFileName() + "); " + String.join("; ", d.summary)
            : "failed, exit status " + ds));
        TieringCommand t = new TieringCommand();
        t.quick = quick;
        t.servers = servers;
        int ts = t.call();
        notes.add("Larger than RAM, tiered Strata against all-in-RAM Strata (`tiering`" + (quick ? " --quick" : "") + "): "
            + (ts == 0 && t.reportPath != null ? "[report](" + t.reportPath.getFileName() + "); " + String.join("; ", t.summary)
            : "failed, exit status " + ts));
    }

    private List<String> strataCommand(int port, Path gcLog) {
        List<String> cmd = servers.strataJava(gcLog);
        cmd.addAll(List.of("--port", Integer.toString(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"));
        return cmd;
    }

    private LoadSpec spec(ServerProcess s, Scenario sc) {
        LoadSpec spec = new LoadSpec();
        spec.port = s.port;
        spec.connections = connections;
        spec.pipeline = sc.pipeline();
        spec.readRatio = sc.readRatio();
        spec.valueSize = valueSize;
        spec.keys = keys;
        spec.durationMs = (long) (duration * 1000);
        spec.warmupMs = (long) (warmup * 1000);
        spec.progress = !quick;
        return spec;
    }

    private Sample measure(LoadGenerator gen, ServerProcess s, Scenario sc, int round) throws Exception {
        log.printf("round %d/%d  %-22s %-6s%n", round, rounds, sc.name(), s.name);
        LoadResult r;
        try {
            r = gen.run(spec(s, sc));
        } catch (IOException e) {
            return new Sample(round, sc.name(), s.name, 0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0, e.getMessage());
        }
        log.printf(Locale.ROOT, "    %,.0f ops/s  p50 %.3f  p99 %.3f  p99.9 %.3f  max %.3f ms  errors %d%n",
            r.opsPerSec(), r.ms(50), r.ms(99), r.ms(99.9), r.maxMs(), r.errors);
        String problem = r.problem != null ? r.problem : r.firstError != null ? "first error: " + r.firstError : null;
        return new Sample(round, sc.name(), s.name, r.opsPerSec(), r.ms(50), r.ms(99), r.ms(99.9), r.maxMs(), r.errors,
            problem);
    }

    /** AOF everysec and always, SET at pipeline 1, when Strata accepts appendonly yes. */
    private void runAof(LoadGenerator gen, ServerProcess strata, ServerProcess redis, List<Sample> samples,
                        List<String> notes) throws Exception {
        try (RespClient c = strata.client()) {
            c.call("CONFIG", "SET", "appendonly", "yes");
        } catch (RespClient.ErrorReply e) {
            notes.add("AOF everysec and AOF always skipped: Strata refuses `CONFIG SET appendonly yes` (\""
                + e.getMessage() + "\"); they run once Strata has AOF.");
            log.println("compare: AOF scenarios skipped: Strata answered " + e.getMessage());
            return;
        }
        for (String policy : List.of("everysec", "always")) {
            Scenario sc = new Scenario("SET P1 AOF " + policy, 0, 1, policy);
            String problem = null;
            for (ServerProcess s : List.of(strata, redis)) {
                try (RespClient c = s.client()) {
                    c.call("CONFIG", "SET", "appendfsync", policy);
                    c.call("CONFIG", "SET", "appendonly", "yes");
                    waitForRewrite(c);
                } catch (RespClient.ErrorReply e) {
                    problem = s.name + " refused AOF " + policy + ": " + e.getMessage();
                }
            }
            if (problem != null) {
                notes.add(sc.name() + " skipped: " + problem);
                continue;
            }
            for (int round = 1; round <= rounds; round++) {
                samples.add(measure(gen, strata, sc, round));
                samples.add(measure(gen, redis, sc, round));
            }
        }
        for (ServerProcess s : List.of(strata, redis)) {
            try (RespClient c = s.client()) {
                c.call("CONFIG", "SET", "appendonly", "no");
            } catch (RespClient.ErrorReply e) {
                notes.add(s.name + " could not turn AOF off again: " + e.getMessage());
            }
        }
    }

    /** Turning AOF on starts a rewrite in Redis; measure only once it is done. */
    private static void waitForRewrite(RespClient c) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            String inProgress = c.info("persistence", "aof_rewrite_in_progress");
            String scheduled = c.info("persistence", "aof_rewrite_scheduled");
            if (!"1".equals(inProgress) && !"1".equals(scheduled)) {
                return;
            }
            Thread.sleep(100);
        }
    }

    private static final Pattern RB_LINE = Pattern.compile("^([A-Z][A-Za-z0-9_ ()-]*): ([0-9.]+) requests per second(?:, p50=([0-9.]+) msec)?");

    /**
     * {@code redis-benchmark -t set,get -c 50 -P <pipeline> -d <value size> -r <keys> -q} against
     * one server (random keys over the preloaded key space, as the harness uses); one sample per
     * test. Pipeline 1 runs a sixteenth of the requests.
     */
    private List<Sample> redisBenchmark(ServerProcess s, int round, int pipeline) throws IOException, InterruptedException {
        long n = requestsAt(pipeline);
        List<String> cmd = List.of(redisBenchmark, "-h", "127.0.0.1", "-p", Integer.toString(s.port), "-t", "set,get",
            "-c", Integer.toString(connections), "-P", Integer.toString(pipeline), "-d", Integer.toString(valueSize),
            "-r", Long.toString(keys), "-q", "-n", Long.toString(n));
        log.printf("round %d/%d  redis-benchmark P%-3d   %-6s%n", round, rounds, pipeline, s.name);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        boolean exited = p.waitFor(10, TimeUnit.MINUTES);
        List<Sample> res = new ArrayList<>();
        for (String line : output.split("[\r\n]+")) {
            Matcher m = RB_LINE.matcher(line.trim());
            if (m.find()) {
                double p50 = m.group(3) == null ? Double.NaN : Double.parseDouble(m.group(3));
                res.add(new Sample(round, "redis-benchmark " + m.group(1) + " P" + pipeline, s.name, Double.parseDouble(m.group(2)),
                    p50, Double.NaN, Double.NaN, Double.NaN, 0, null));
                log.printf("    %s%n", line.trim());
            }
        }
        if (res.isEmpty() || !exited || p.exitValue() != 0) {
            String tail = output.length() > 300 ? output.substring(output.length() - 300) : output;
            res.add(new Sample(round, "redis-benchmark", s.name, 0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0,
                "redis-benchmark failed (exit " + (exited ? p.exitValue() : "timeout") + "): " + tail.trim()));
        }
        return res;
    }

    /** The script of the EVALSHA scenario: one GET of the key it is given, its reply returned. */
    static final String EVALSHA_SCRIPT = "return redis.call('get', KEYS[1])";

    /**
     * redis-benchmark EVALSHA of {@link #EVALSHA_SCRIPT} over random keys of the preloaded key space
     * ({@code key:__rand_int__} is the load generator's key naming), after SCRIPT LOAD.
     */
    private List<Sample> evalshaBenchmark(ServerProcess s, int round, int pipeline) throws IOException, InterruptedException {
        String sha;
        try (RespClient c = s.client()) {
            sha = (String) c.call("SCRIPT", "LOAD", EVALSHA_SCRIPT);
        }
        long n = requestsAt(pipeline);
        List<String> cmd = List.of(redisBenchmark, "-h", "127.0.0.1", "-p", Integer.toString(s.port),
            "-c", Integer.toString(connections), "-P", Integer.toString(pipeline), "-r", Long.toString(keys), "-q",
            "-n", Long.toString(n), "EVALSHA", sha, "1", "key:__rand_int__");
        log.printf("round %d/%d  redis-benchmark EVALSHA P%-3d %-6s%n", round, rounds, pipeline, s.name);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        boolean exited = p.waitFor(10, TimeUnit.MINUTES);
        Matcher m = Pattern.compile("([0-9.]+) requests per second(?:, p50=([0-9.]+) msec)?").matcher(
            output.substring(Math.max(0, output.lastIndexOf('\r'))));
        List<Sample> res = new ArrayList<>();
        if (exited && p.exitValue() == 0 && m.find()) {
            double p50 = m.group(2) == null ? Double.NaN : Double.parseDouble(m.group(2));
            res.add(new Sample(round, "redis-benchmark EVALSHA P" + pipeline, s.name, Double.parseDouble(m.group(1)),
                p50, Double.NaN, Double.NaN, Double.NaN, 0, null));
            log.printf("    %s requests per second, p50=%s msec%n", m.group(1), m.group(2));
        } else {
            String tail = output.length() > 300 ? output.substring(output.length() - 300) : output;
            res.add(new Sample(round, "redis-benchmark EVALSHA P" + pipeline, s.name, 0, Double.NaN, Double.NaN, Double.NaN,
                Double.NaN, 0, "redis-benchmark failed (exit " + (exited ? p.exitValue() : "timeout") + "): " + tail.trim()));
        }
        return res;
    }

    private static final Pattern RB_ANY = Pattern.compile("^(.*?): ([0-9.]+) requests per second(?:, p50=([0-9.]+) msec)?");

    /**
     * Streams: {@code redis-benchmark -P 16} running XADD with {@code *} ids into one stream, then
     * XREADGROUP {@code >} COUNT 1 by one consumer group over what was added (every read delivers
     * one entry into the PEL), one sample each.
     */
    private List<Sample> streamBenchmark(ServerProcess s, int round) throws IOException, InterruptedException {
        long n = requestsAt(16) / 4;
        try (RespClient c = s.client()) {
            c.call("DEL", "bench:stream");
        }
        List<Sample> res = new ArrayList<>(customBenchmark(s, round, "XADD P16", n, "XADD", "bench:stream", "*", "field",
            "x".repeat(Math.max(1, valueSize))));
        try (RespClient c = s.client()) {
            c.call("XGROUP", "CREATE", "bench:stream", "grp", "0");
        }
        res.addAll(customBenchmark(s, round, "XREADGROUP P16", n, "XREADGROUP", "GROUP", "grp", "consumer", "COUNT", "1",
            "STREAMS", "bench:stream", ">"));
        try (RespClient c = s.client()) {
            c.call("DEL", "bench:stream");
        }
        return res;
    }

    private List<Sample> customBenchmark(ServerProcess s, int round, String name, long n, String... command)
        throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(redisBenchmark, "-h", "127.0.0.1", "-p", Integer.toString(s.port),
            "-c", Integer.toString(connections), "-P", "16", "-q", "-n", Long.toString(n)));
        cmd.addAll(List.of(command));
        log.printf("round %d/%d  %-18s %-6s%n", round, rounds, name, s.name);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        boolean exited = p.waitFor(10, TimeUnit.MINUTES);
        for (String line : output.split("[\r\n]+")) {
            Matcher m = RB_ANY.matcher(line.trim());
            if (m.find() && exited && p.exitValue() == 0) {
                double p50 = m.group(3) == null ? Double.NaN : Double.parseDouble(m.group(3));
                log.printf("    %s%n", line.trim());
                return List.of(new Sample(round, "redis-benchmark " + name, s.name, Double.parseDouble(m.group(2)), p50,
                    Double.NaN, Double.NaN, Double.NaN, 0, null));
            }
        }
        String tail = output.length() > 300 ? output.substring(output.length() - 300) : output;
        return List.of(new Sample(round, "redis-benchmark " + name, s.name, 0, Double.NaN, Double.NaN, Double.NaN,
            Double.NaN, 0, "redis-benchmark failed: " + tail.trim()));
    }

    /** redis-benchmark -n at a pipeline depth: --rb-requests at 16, proportionally fewer below (a run lasts about as long). */
    private long requestsAt(int pipeline) {
        return Math.max(1000, rbRequests * Math.min(pipeline, 16) / 16);
    }

    private String header(String stamp, String loadBefore, String loadAfter) {
        StringBuilder b = new StringBuilder();
        b.append("# Strata vs redis-server — ").append(stamp).append("\n\n");
        b.append("- Machine: ").append(machine()).append('\n');
        b.append("- Java: ").append(System.getProperty("java.vm.name")).append(' ').append(System.getProperty("java.version"))
            .append("; redis-server: ").append(firstLine(servers.redisServer, "--version")).append('\n');
        b.append("- Load average (1/5/15 min) before: ").append(loadBefore).append(", after: ").append(loadAfter)
            .append(" — other processes share this machine; compare ratios, not absolute figures.\n");
        b.append("- Servers: both on 127.0.0.1, `save \"\"`, `appendonly no`, io-threads 1 (the default of both); Strata: ")
            .append(servers.strataClasspath != null ? "classpath io.strata.server.Main" : "`java " + (servers.strataJavaOpts.isBlank() ? "" : servers.strataJavaOpts.trim() + " ") + "-jar " + servers.serverJar.getFileName() + "`")
            .append(", redis-server ").append(servers.redisServer).append('\n');
        b.append(String.format(Locale.ROOT,
            "- Load: `strata-bench load`, %d connections, %d-byte values, %d keys (uniform, all preloaded), one client event loop thread, "
                + "%.1f s measured after %.1f s warm-up per run; %d round(s), each scenario Strata then Redis back to back%s%n",
            connections, valueSize, keys, duration, warmup, rounds, quick ? " (**--quick: smoke mode, figures meaningless**)" : ""));
        if (!noRedisBenchmark) {
            b.append("- redis-benchmark: `redis-benchmark -t set,get -c ").append(connections).append(" -d ").append(valueSize)
                .append(" -r ").append(keys).append(" -q` with");
            for (int p : pipelines) {
                b.append(" `-P ").append(p).append(" -n ").append(requestsAt(p)).append('`');
            }
            b.append(" against each server, alternating\n");
        }
        return b.toString();
    }

    static String machine() {
        String model = "unknown CPU";
        try {
            for (String l : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (l.startsWith("model name")) {
                    model = l.substring(l.indexOf(':') + 1).trim();
                    break;
                }
            }
        } catch (IOException ignored) {
            // not Linux: keep the placeholder
        }
        long mem = 0;
        try {
            for (String l : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (l.startsWith("MemTotal:")) {
                    mem = Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024 / 1024;
                }
            }
        } catch (IOException | NumberFormatException ignored) {
            // leave 0
        }
        return model + ", " + Runtime.getRuntime().availableProcessors() + " cores, " + mem + " GiB RAM, "
            + System.getProperty("os.name") + " " + System.getProperty("os.version");
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " / " + f[1] + " / " + f[2];
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static String firstLine(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String o = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            p.waitFor(10, TimeUnit.SECONDS);
            return o.lines().findFirst().orElse("?");
        } catch (IOException | InterruptedException e) {
            return "?";
        }
    }

    private static final Pattern GC_PAUSE = Pattern.compile("Pause.* ([0-9.]+)ms$");

    /** Count and longest of the "Pause" lines of a unified GC log, or null when there is none. */
    static String gcSummary(Path gcLog) {
        if (!Files.isRegularFile(gcLog)) {
            return null;
        }
        try (Stream<String> lines = Files.lines(gcLog)) {
            double[] acc = new double[3];
            lines.forEach(l -> {
                Matcher m = GC_PAUSE.matcher(l.trim());
                if (m.find()) {
                    double ms = Double.parseDouble(m.group(1));
                    acc[0]++;
                    acc[1] = Math.max(acc[1], ms);
                    acc[2] += ms;
                }
            });
            return String.format(Locale.ROOT, "%d pauses, longest %.1f ms, total %.0f ms", (long) acc[0], acc[1], acc[2]);
        } catch (IOException e) {
            return null;
        }
    }

    private void copyLogOnFailure(Path work, List<Sample> samples) {
        boolean failed = samples.stream().anyMatch(s -> s.problem() != null);
        if (!failed) {
            return;
        }
        for (String name : List.of("strata.log", "redis.log")) {
            Path src = work.resolve(name);
            if (Files.isRegularFile(src)) {
                try {
                    Files.createDirectories(servers.out);
                    Files.copy(src, servers.out.resolve("last-" + name), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                } catch (IOException ignored) {
                    // best effort: the report still lists the problem
                }
            }
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp directory left behind is harmless
        }
    }
}
