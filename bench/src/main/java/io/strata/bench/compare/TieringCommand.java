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
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * {@code strata-bench tiering}: the disk spill tier of issue 5, Strata against itself — one
 * server with {@code --tier-spill yes} and {@code maxmemory} at a fraction of the dataset
 * ("tiered"), one with everything in RAM (no maxmemory, the baseline; redis-server has no
 * tiering). Both run at the same time on loopback ports, each in its own temporary directory.
 * <ol>
 * <li><b>load</b>: {@code --keys} keys of {@code --value-size} bytes, pipelined, into each server
 * (tiered first); load time and rate (also per tenth of the keys, to show a slowdown as the
 * spill tier grows), RssAnon/VmRSS from {@code /proc/<pid>/status} (peak during the load and
 * after), INFO {@code # Tiering}, and a sample of keys read back.</li>
 * <li><b>zipf</b>, <b>uniform</b>: GETs at pipeline 1, Zipf(θ) or uniform over every key, run
 * against the two servers in alternation for {@code --rounds} rounds (the order flips every
 * round); the figure is the median of the per-round ratios tiered / RAM.</li>
 * <li><b>hotcold</b>: a few clients GET a small hot key set; their latency alone, then while
 * other clients GET uniformly random (mostly cold) keys — on both servers, so the effect of
 * tiering can be told apart from the effect of more load.</li>
 * <li><b>restart</b>: SAVE (timed), SHUTDOWN NOSAVE, start the same command line again and time
 * the first reply of any kind, the first PONG and INFO {@code loading:0}; DBSIZE, tiering
 * figures, RssAnon and a sample of keys after the restart.</li>
 * </ol>
 * Writes {@code bench/results/tiering-<timestamp>.md}.
 *
 * <p>Thread rule: main thread; the memory sampler and the cold readers run on pool threads.
 */
@Command(name = "tiering", mixinStandardHelpOptions = true,
    description = "Strata with its disk spill tier vs Strata with everything in RAM: load, Zipf and uniform reads, "
        + "hot-key latency under cold reads, restart.")
public final class TieringCommand implements Callable<Integer> {
    static final String TIERED = "tiered";
    static final String RAM = "RAM";

    @Option(names = "--quick", description = "Smoke mode: 20 000 keys, 1 s runs, 1 round (checks the harness, not speed).")
    boolean quick;

    @Option(names = "--parts", split = ",",
        description = "Parts: pipe (before the load: redis-cli --pipe into each server, --rounds times, FLUSHALL after each), "
            + "then after the load zipf, uniform, hotcold, restart (default: all but pipe).")
    List<String> parts = new ArrayList<>(List.of("zipf", "uniform", "hotcold", "restart"));

    @Option(names = "--redis-cli", description = "redis-cli of the pipe part (default: ${DEFAULT-VALUE}).")
    String redisCli = "/usr/bin/redis-cli";

    @Option(names = {"-k", "--keys"}, description = "Keys loaded, key:<12 digits> (default: ${DEFAULT-VALUE}).")
    long keys = 2_000_000;

    @Option(names = {"-d", "--value-size"}, description = "Value size in bytes (default: ${DEFAULT-VALUE}).")
    int valueSize = 400;

    @Option(names = "--hot-fraction",
        description = "maxmemory of the tiered server = used_memory_startup + this fraction of keys × value size (default: ${DEFAULT-VALUE}).")
    double hotFraction = 0.10;

    @Option(names = "--maxmemory", description = "maxmemory of the tiered server as given (bytes or 128mb); overrides --hot-fraction.")
    String maxmemory;

    @Option(names = "--policy", description = "maxmemory-policy of the tiered server (default: ${DEFAULT-VALUE}).")
    String policy = "allkeys-lru";

    @Option(names = "--tier-compression", description = "tier-compression of the tiered server, lz4 or none (default: the server's).")
    String tierCompression;

    @Option(names = "--tier-spill-max-size", description = "tier-spill-max-size of the tiered server (default: the server's).")
    String tierSpillMaxSize;

    @Option(names = "--tiered-xmx", description = "-Xmx of the tiered server's JVM; empty for the JVM default (default: ${DEFAULT-VALUE}).")
    String tieredXmx = "512m";

    @Option(names = "--tiered-args", description = "Extra server arguments for the tiered server, space-separated.")
    String tieredArgs = "";

    @Option(names = "--baseline", description = "What the RAM server is: strata (Strata with everything in RAM) or redis "
        + "(redis-server, everything in RAM) (default: ${DEFAULT-VALUE}).")
    String baseline = "strata";

    @Option(names = "--pipeline", description = "Pipeline depth of the Zipf and uniform runs (default: ${DEFAULT-VALUE}).")
    int pipeline = 1;

    @Option(names = "--rounds", description = "A/B alternations of the read runs (default: ${DEFAULT-VALUE}).")
    int rounds = 2;

    @Option(names = "--pipe-first", description = "Which server the pipe part loads first in round 1, tiered or ram; "
        + "the order flips every round (default: ${DEFAULT-VALUE}).")
    String pipeFirst = "tiered";

    @Option(names = "--duration", description = "Measured seconds per read run (default: ${DEFAULT-VALUE}).")
    double duration = 10;

    @Option(names = "--warmup", description = "Unmeasured seconds before each read run (default: ${DEFAULT-VALUE}).")
    double warmup = 3;

    @Option(names = {"-c", "--connections"}, description = "Connections of the Zipf and uniform runs (default: ${DEFAULT-VALUE}).")
    int connections = 50;

    @Option(names = "--zipf-theta", description = "Zipf exponent θ (default: ${DEFAULT-VALUE}).")
    double theta = 0.99;

    @Option(names = "--hot-keys", description = "Keys of the hot set, key:0 … (default: ${DEFAULT-VALUE}).")
    long hotKeys = 1000;

    @Option(names = "--hot-connections", description = "Connections reading the hot set (default: ${DEFAULT-VALUE}).")
    int hotConnections = 10;

    @Option(names = "--cold-connections", description = "Connections reading uniformly random keys (default: ${DEFAULT-VALUE}).")
    int coldConnections = 40;

    @Option(names = "--check-keys", description = "Random keys read back after the load and after the restart (default: ${DEFAULT-VALUE}).")
    int checkKeys = 1000;

    @Mixin
    ServerOptions servers = new ServerOptions();

    private boolean redisBaseline() {
        return "redis".equalsIgnoreCase(baseline);
    }

    /** Where the last report was written (tests read it). */
    public Path reportPath;

    /** Counters of INFO tiering whose change over a run is reported. */
    private static final List<String> COUNTERS = List.of("tier_promotions", "tier_demotions", "tier_cold_reads",
        "tier_cold_expired", "tier_filter_hits", "tier_filter_false_positives");

    private final PrintStream log = System.err;
    final List<String> summary = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private final StringBuilder md = new StringBuilder();
    private final List<Run> runs = new ArrayList<>();
    private Path work;
    private Server tiered;
    private Server ram;

    /** One server under test: its process, directory and the arguments to start it again. */
    private final class Server {
        final String name;
        final Path dir;
        ServerProcess process;
        int lives;

        Server(String name, Path dir) {
            this.name = name;
            this.dir = dir;
        }

        boolean isTiered() {
            return TIERED.equals(name);
        }

        Path gcLog() {
            return work.resolve(name + "-gc-" + lives + ".log");
        }

        List<String> command(int port) {
            if (!isTiered() && redisBaseline()) {
                return new ArrayList<>(List.of(servers.redisServer, "--port", Integer.toString(port), "--bind", "127.0.0.1",
                    "--dir", dir.toString(), "--save", "", "--appendonly", "no"));
            }
            List<String> cmd = servers.strataJava(gcLog());
            if (isTiered() && !tieredXmx.isBlank()) {
                cmd.add(1, "-Xmx" + tieredXmx.trim());
            }
            cmd.addAll(List.of("--port", Integer.toString(port), "--bind", "127.0.0.1", "--dir", dir.toString(),
                "--save", "", "--appendonly", "no"));
            if (isTiered()) {
                cmd.addAll(List.of("--tier-spill", "yes", "--maxmemory", maxmemory, "--maxmemory-policy", policy,
                    "--tier-spill-dir", dir.resolve("spill").toString()));
                if (tierCompression != null) {
                    cmd.addAll(List.of("--tier-compression", tierCompression));
                }
                if (tierSpillMaxSize != null) {
                    cmd.addAll(List.of("--tier-spill-max-size", tierSpillMaxSize));
                }
                for (String a : tieredArgs.trim().split("\\s+")) {
                    if (!a.isEmpty()) {
                        cmd.add(a);
                    }
                }
            } else {
                cmd.addAll(List.of("--tier-spill", "no")); // the spill tier is on by default
            }
            return cmd;
        }

        /** Launches a new process on a fresh port without waiting for it. */
        ServerProcess launch() throws IOException {
            lives++;
            int port = ServerProcess.freePort();
            process = ServerProcess.launch(name, command(port), port, dir, work.resolve(name + "-" + lives + ".log"));
            return process;
        }

        void start() throws IOException, InterruptedException {
            launch().awaitPong();
            log.printf(Locale.ROOT, "tiering: %s pid %d port %d in %s (up in %.0f ms)%n", name, process.pid(), process.port, dir,
                process.startupMs);
        }

        RespClient client() throws IOException {
            return new RespClient("127.0.0.1", process.port, (int) TimeUnit.MINUTES.toMillis(10));
        }

        Map<String, String> tiering() throws IOException {
            try (RespClient c = client()) {
                return c.infoSection("tiering");
            }
        }

        void stop() {
            if (process != null) {
                process.stop();
            }
        }
    }

    /** One measured read run; {@code tierDelta} holds the change of {@link #COUNTERS} over it (tiered server only). */
    private record Run(Sample sample, Map<String, Long> tierDelta) {
    }

    @Override
    public Integer call() throws Exception {
        if (quick) {
            keys = Math.min(keys, 20_000);
            duration = Math.min(duration, 1);
            warmup = Math.min(warmup, 0.5);
            rounds = 1;
            connections = Math.min(connections, 10);
            hotKeys = Math.min(hotKeys, 100);
            hotConnections = Math.min(hotConnections, 4);
            coldConnections = Math.min(coldConnections, 8);
            checkKeys = Math.min(checkKeys, 200);
        }
        if (keys < 1 || hotKeys < 1 || hotKeys > keys || rounds < 1 || !(hotFraction > 0)) {
            log.println("tiering: need keys >= hot-keys >= 1, rounds >= 1 and hot-fraction > 0");
            return 2;
        }
        Path root = Path.of(System.getProperty("strata.root", ".")).toAbsolutePath().normalize();
        String unusable = servers.resolve(root, redisBaseline());
        if (unusable != null) {
            log.println("tiering: " + unusable);
            return 2;
        }
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        work = Files.createTempDirectory("strata-tiering-");
        String loadBefore = CompareCommand.loadAverage();
        tiered = new Server(TIERED, Files.createDirectories(work.resolve("tiered")));
        ram = new Server(RAM, Files.createDirectories(work.resolve("ram")));
        Thread cleanup = new Thread(() -> {
            tiered.stop();
            ram.stop();
        }, "tiering-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            ram.start();
            try (RespClient c = ram.client()) {
                startupMemory = parseLong(c.info("memory", "used_memory_startup"));
            }
            if (maxmemory == null) {
                maxmemory = Long.toString(startupMemory + (long) (hotFraction * keys * valueSize));
            }
            tiered.start();
            if (tiered.tiering().isEmpty()) {
                notes.add("The tiered server's INFO has no `# Tiering` section: its tiering figures are missing.");
            }
            if (parts.contains("pipe")) {
                pipePart();
            }
            loadPart();
            if (parts.contains("zipf")) {
                readPart("zipf", LoadSpec.Distribution.ZIPF);
            }
            if (parts.contains("uniform")) {
                readPart("uniform", LoadSpec.Distribution.UNIFORM);
            }
            if (parts.contains("hotcold")) {
                hotColdPart();
            }
            afterReads = tiered.tiering();
            rssAnonAfterReads = DurabilityCommand.status(tiered.process.pid(), "RssAnon");
            if (parts.contains("restart")) {
                restartPart();
            }
        } finally {
            tiered.stop();
            ram.stop();
            Runtime.getRuntime().removeShutdownHook(cleanup);
            keepLogs(stamp);
            deleteTree(work);
        }
        writeReport(stamp, loadBefore);
        for (String s : summary) {
            log.println(s);
        }
        log.println("tiering: report " + reportPath);
        return 0;
    }

    // ---------------------------------------------------------------- 0. pipe

    /**
     * The load measure: the same file of {@code SET} commands streamed by the real
     * {@code redis-cli --pipe} into each server in turn (the order flips every round), wall time
     * and the server process' CPU time ({@code /proc/<pid>/stat} utime + stime) per run;
     * FLUSHALL after each run, so every run starts empty.
     */
    private void pipePart() throws Exception {
        if (!"tiered".equalsIgnoreCase(pipeFirst) && !"ram".equalsIgnoreCase(pipeFirst)) {
            throw new IllegalArgumentException("--pipe-first must be tiered or ram, not " + pipeFirst);
        }
        Path input = work.resolve("pipe.resp");
        SplittableRandom rnd = new SplittableRandom(7);
        try (var out = new java.io.BufferedOutputStream(Files.newOutputStream(input), 1 << 20)) {
            byte[] value = new byte[valueSize];
            for (long k = 0; k < keys; k++) {
                for (int i = 0; i < valueSize; i++) {
                    value[i] = (byte) ('a' + rnd.nextInt(26));
                }
                String key = String.format(Locale.ROOT, "key:%012d", k);
                out.write(String.format(Locale.ROOT, "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n", key.length(), key, valueSize)
                    .getBytes(StandardCharsets.US_ASCII));
                out.write(value);
                out.write('\r');
                out.write('\n');
            }
        }
        // on disk before the first run: otherwise the kernel writes the input's dirty pages back
        // during the first rounds (measured: a cold tiered load 13.2-13.6 s with the input just
        // written against 11.0-11.8 s with it clean; the spill files' own pages add to the same
        // dirty total), which charges the bench's own file to whichever server runs first
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(input, java.nio.file.StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        List<String> rows = new ArrayList<>();
        Map<String, List<Double>> rates = new LinkedHashMap<>();
        for (int round = 0; round < rounds; round++) {
            boolean tieredFirst = (round % 2 == 0) == "tiered".equalsIgnoreCase(pipeFirst);
            List<Server> order = tieredFirst ? List.of(tiered, ram) : List.of(ram, tiered);
            for (Server s : order) {
                long pid = s.process.pid();
                double cpu0 = cpuSeconds(pid);
                long t0 = System.nanoTime();
                Process p = new ProcessBuilder(redisCli, "-p", Integer.toString(s.process.port), "--pipe")
                    .redirectInput(input.toFile()).redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
                int rc = p.waitFor();
                double secs = (System.nanoTime() - t0) / 1e9;
                double cpu = cpuSeconds(pid) - cpu0;
                String last = out.isEmpty() ? "" : out.substring(out.lastIndexOf('\n') + 1);
                long dbsize;
                Map<String, String> tier = s.tiering();
                try (RespClient c = s.client()) {
                    dbsize = (Long) c.call("DBSIZE");
                    c.call("FLUSHALL");
                }
                rates.computeIfAbsent(s.name, n -> new ArrayList<>()).add(keys / secs);
                rows.add(String.format(Locale.ROOT, "| %d | %s | %.2f s | **%,.0f** | %.1f s | %,d | %s | %s | %s |", round + 1, s.name,
                    secs, keys / secs, cpu, dbsize, tier.getOrDefault("tier_cold_keys", "–"), rc == 0 ? "" : "exit " + rc, last));
                log.printf(Locale.ROOT, "tiering: pipe round %d %s: %.2f s (%,.0f keys/s), server CPU %.1f s, %s%n", round + 1, s.name,
                    secs, keys / secs, cpu, last);
            }
        }
        Files.deleteIfExists(input);
        List<Double> a = rates.get(TIERED);
        List<Double> b = rates.get(RAM);
        StringBuilder ratios = new StringBuilder();
        for (int i = 0; i < a.size(); i++) {
            ratios.append(i == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.2f", a.get(i) / b.get(i)));
        }
        summary.add(String.format(Locale.ROOT, "redis-cli --pipe, %,d keys of %d B: tiered / %s keys/s per round %s", keys, valueSize,
            redisBaseline() ? "redis-server" : "RAM", ratios));
        section("## 0. Load through redis-cli --pipe");
        md.append(String.format(Locale.ROOT, "The same %,d `SET key:<12 digits> <%d random a–z bytes>` streamed by `%s --pipe` into "
            + "each server in turn (order flipped every round; FLUSHALL after each run). Server CPU = utime + stime of the server "
            + "process over the run. Ratio tiered / %s per round: **%s**.%n%n", keys, valueSize, redisCli,
            redisBaseline() ? "redis-server" : "RAM", ratios));
        md.append("| round | server | time | keys/s | server CPU | DBSIZE | cold keys | | redis-cli |\n");
        md.append("|---:|---|---:|---:|---:|---:|---:|---|---|\n");
        for (String r : rows) {
            md.append(r).append('\n');
        }
        md.append('\n');
    }

    /** utime + stime of a process, in seconds (clock ticks of 1/100 s, as Linux reports them). */
    private static double cpuSeconds(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    // ---------------------------------------------------------------- 1. load

    /** used_memory_startup of the RAM server, added to the hot tier's share of the values to make maxmemory. */
    private long startupMemory;
    private Map<String, String> afterLoad = Map.of();
    private Map<String, String> afterReads = Map.of();
    private Map<String, String> afterRestart = Map.of();
    private long rssAnonAfterReads;

    private void loadPart() throws Exception {
        List<String> rows = new ArrayList<>();
        for (Server s : List.of(tiered, ram)) {
            LoadSpec spec = readSpec(s, keys, LoadSpec.Distribution.UNIFORM, connections);
            LoadSpec preload = LoadCommand.preloadSpec(spec);
            preload.progress = !quick;
            preload.intervalMs = 500;
            List<long[]> series = new ArrayList<>();
            preload.intervalSink = (t, h) -> series.add(new long[] {t, h.getTotalCount()});
            AtomicBoolean done = new AtomicBoolean();
            AtomicLong peakAnon = new AtomicLong();
            AtomicLong peakRss = new AtomicLong();
            long pid = s.process.pid();
            CompletableFuture<Void> sampler = CompletableFuture.runAsync(() -> {
                while (!done.get()) {
                    peakAnon.accumulateAndGet(DurabilityCommand.status(pid, "RssAnon"), Math::max);
                    peakRss.accumulateAndGet(DurabilityCommand.status(pid, "VmRSS"), Math::max);
                    try {
                        Thread.sleep(200);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            log.printf(Locale.ROOT, "tiering: loading %,d keys of %d B into %s%n", keys, valueSize, s.name);
            long t0 = System.nanoTime();
            LoadResult r;
            try {
                r = new LoadGenerator(log).run(preload);
            } finally {
                done.set(true);
                sampler.join();
            }
            long t1 = System.nanoTime();
            double secs = (t1 - t0) / 1e9;
            checked(s, r, "load");
            // the generator hands over no histogram for its last, partial interval: close the series at the end
            series.add(new long[] {t1, keys - series.stream().mapToLong(p -> p[1]).sum()});
            Thread.sleep(1000); // let demotions that trail the last replies finish
            long dbsize;
            long usedMemory;
            long heapUsed;
            try (RespClient c = s.client()) {
                dbsize = (Long) c.call("DBSIZE");
                Map<String, String> memory = c.infoSection("memory");
                usedMemory = parseLong(memory.get("used_memory"));
                heapUsed = parseLong(memory.get("jvm_heap_used"));
            }
            long anon = DurabilityCommand.status(pid, "RssAnon");
            long rss = DurabilityCommand.status(pid, "VmRSS");
            Map<String, String> tier = s.tiering();
            if (s.isTiered()) {
                afterLoad = tier;
            }
            String check = check(s, "after the load");
            String tenths = tenths(series, t0);
            long values = keys * valueSize;
            rows.add(String.format(Locale.ROOT, "| %s | %,d | %.2f s | **%,.0f** | %s | %s | %s (%.0f%% of values) | %s | %s | %s | %s | %s |",
                s.name, dbsize, secs, keys / secs, tenths, mb(peakAnon.get()), mb(anon), 100.0 * anon / values, mb(rss),
                mb(usedMemory), mb(heapUsed), s.isTiered() ? du(s.dir.resolve("spill")) : "–", check));
            summary.add(String.format(Locale.ROOT, "Load, %s: %,d keys of %d B in %.1f s (%,.0f keys/s); RssAnon after %s (%.0f%% of the %s of values), peak %s%s",
                s.name, dbsize, valueSize, secs, keys / secs, mb(anon), 100.0 * anon / values, mb(values), mb(peakAnon.get()),
                s.isTiered() ? String.format(Locale.ROOT, "; hot keys %s, cold keys %s", tier.getOrDefault("tier_hot_keys", "?"),
                    tier.getOrDefault("tier_cold_keys", "?")) : ""));
            log.printf(Locale.ROOT, "tiering: %s loaded in %.1f s (%,.0f keys/s), RssAnon %s, %s%n", s.name, secs, keys / secs,
                mb(anon), check);
        }
        section("## 1. Load");
        md.append(String.format(Locale.ROOT,
            "`SET key:<12 digits> <%d random a–z bytes>` for every key once, 8 connections at pipeline 64 (the tiered server "
                + "first, then the RAM server). Rate per tenth = keys/s over each successive tenth of the keys (a falling rate "
                + "shows a slow path as the spill tier grows). RssAnon and VmRSS from `/proc/<pid>/status` (peak = sampled every "
                + "200 ms during the load), 1 s after the last reply; used_memory and jvm_heap_used from INFO memory. Check = %d random keys read back with GET "
                + "(missing or of the wrong length).%n%n", valueSize, checkKeys));
        md.append("| server | DBSIZE | load time | keys/s | keys/s per tenth of the keys | peak RssAnon | RssAnon after | VmRSS after | used_memory | jvm_heap_used | spill dir on disk (du) | check |\n");
        md.append("|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---|\n");
        for (String r : rows) {
            md.append(r).append('\n');
        }
        md.append('\n');
    }

    /** Keys/s over each tenth of the keys, interpolated from the generator's 500 ms intervals. */
    private String tenths(List<long[]> series, long t0) {
        if (series.isEmpty()) {
            return "–";
        }
        List<double[]> cum = new ArrayList<>();
        cum.add(new double[] {t0, 0});
        long n = 0;
        for (long[] p : series) {
            n += p[1];
            cum.add(new double[] {p[0], n});
        }
        List<String> out = new ArrayList<>();
        double prevT = t0;
        int j = 1;
        for (int tenth = 1; tenth <= 10; tenth++) {
            double target = keys * tenth / 10.0;
            while (j < cum.size() - 1 && cum.get(j)[1] < target) {
                j++;
            }
            double[] a = cum.get(j - 1);
            double[] b = cum.get(j);
            if (b[1] < target) {
                break; // the last interval was cut short: the tail is not in the series
            }
            double t = a[0] + (b[0] - a[0]) * (target - a[1]) / Math.max(1, b[1] - a[1]);
            out.add(String.format(Locale.ROOT, "%.0fk", keys / 10.0 / ((t - prevT) / 1e9) / 1000));
            prevT = t;
        }
        return out.isEmpty() ? "–" : String.join(" ", out);
    }

    /** GETs {@link #checkKeys} random keys (and the first and last); counts missing values and wrong lengths. */
    private String check(Server s, String when) throws IOException {
        SplittableRandom rnd = new SplittableRandom(42);
        long missing = 0;
        long wrong = 0;
        long n = 0;
        long t0 = System.nanoTime();
        try (RespClient c = s.client()) {
            for (int i = 0; i < checkKeys + 2; i++) {
                long k = i == 0 ? 0 : i == 1 ? keys - 1 : rnd.nextLong(keys);
                Object v = c.call("GET", key(k));
                n++;
                if (v == null) {
                    missing++;
                } else if (!(v instanceof String) || ((String) v).length() != valueSize) {
                    wrong++;
                }
            }
        }
        double ms = (System.nanoTime() - t0) / 1e6;
        if (missing + wrong > 0) {
            notes.add(String.format(Locale.ROOT, "%s %s: %d of %d sampled keys missing, %d with a value of the wrong length",
                s.name, when, missing, n, wrong));
        }
        return String.format(Locale.ROOT, "%d/%d ok (%.0f µs per GET, one connection)", n - missing - wrong, n, ms * 1000 / n);
    }

    private static String key(long k) {
        return String.format(Locale.ROOT, "key:%012d", k);
    }

    // ---------------------------------------------------------------- 2. Zipf and uniform reads

    private LoadSpec readSpec(Server s, long keyCount, LoadSpec.Distribution dist, int conns) {
        LoadSpec spec = new LoadSpec();
        spec.port = s.process.port;
        spec.connections = conns;
        spec.readRatio = 1;
        spec.valueSize = valueSize;
        spec.keys = keyCount;
        spec.distribution = dist;
        spec.zipfTheta = theta;
        spec.durationMs = (long) (duration * 1000);
        spec.warmupMs = (long) (warmup * 1000);
        spec.progress = false;
        return spec;
    }

    private void readPart(String part, LoadSpec.Distribution dist) throws Exception {
        String scenario = part.equals("zipf") ? String.format(Locale.ROOT, "GET zipf θ=%.2f", theta) : "GET uniform";
        List<Double> opsRatio = new ArrayList<>();
        List<Double> p50Ratio = new ArrayList<>();
        List<Double> p99Ratio = new ArrayList<>();
        List<Sample> t = new ArrayList<>();
        List<Sample> r = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            List<Server> order = round % 2 == 1 ? List.of(tiered, ram) : List.of(ram, tiered);
            Sample[] got = new Sample[2];
            for (Server s : order) {
                LoadSpec spec = readSpec(s, keys, dist, connections);
                spec.pipeline = pipeline;
                Run run = measure(s, spec, scenario, round);
                got[s.isTiered() ? 0 : 1] = run.sample();
            }
            t.add(got[0]);
            r.add(got[1]);
            if (got[1].opsPerSec() > 0) {
                opsRatio.add(got[0].opsPerSec() / got[1].opsPerSec());
            }
            p50Ratio.add(got[0].p50Ms() / got[1].p50Ms());
            p99Ratio.add(got[0].p99Ms() / got[1].p99Ms());
        }
        double ratio = Report.median(opsRatio);
        if (md.indexOf("## 2. Reads") < 0) {
            section("## 2. Reads: tiered / all in RAM");
            md.append(String.format(Locale.ROOT,
                "GET at pipeline %d, %d connections, over all %,d keys; %.1f s measured after %.1f s warm-up per run; the two servers "
                    + "alternate (tiered first in odd rounds, RAM first in even ones), %d round(s). Ratio = median of the "
                    + "per-round ratios tiered / RAM (throughput > 1 and latency < 1 favour the tiered server). Tier counters = "
                    + "change of the tiered server's INFO fields over its measured runs and warm-ups (sum over rounds).%n%n",
                pipeline, connections, keys, duration, warmup, rounds));
            md.append("| workload | tiered ops/s | RAM ops/s | **throughput tiered / RAM** | per-round | p50 ms tiered / RAM | p50 ratio | p99 ms tiered / RAM | p99 ratio | tier counters during the tiered runs |\n");
            md.append("|---|---:|---:|---:|---|---:|---:|---:|---:|---|\n");
        }
        Map<String, Long> delta = sumDeltas(scenario);
        md.append(String.format(Locale.ROOT, "| %s | %,.0f | %,.0f | **%.2f** | %s | %.3f / %.3f | %.2f | %.3f / %.3f | %.2f | %s |%n",
            scenario, Report.median(ops(t)), Report.median(ops(r)), ratio, list(opsRatio), Report.median(p50(t)),
            Report.median(p50(r)), Report.median(p50Ratio), Report.median(p99(t)), Report.median(p99(r)),
            Report.median(p99Ratio), deltaText(delta)));
        String goal = part.equals("zipf") ? (ratio >= 0.5 ? " — goal ≥ 0.5 met" : " — goal ≥ 0.5 NOT met") : "";
        summary.add(String.format(Locale.ROOT, "%s, hot tier at %s: throughput tiered / RAM %.2f (per round %s)%s; p50 %.2f×, p99 %.2f× (%.3f vs %.3f ms)",
            scenario, hotTierText(), ratio, list(opsRatio), goal, Report.median(p50Ratio), Report.median(p99Ratio),
            Report.median(p99(t)), Report.median(p99(r))));
    }

    private String hotTierText() {
        if (!maxmemory.matches("[0-9]+")) {
            return "maxmemory " + maxmemory;
        }
        long m = Long.parseLong(maxmemory);
        return String.format(Locale.ROOT, "maxmemory %s (used_memory_startup %s + %.1f%% of the values)", mb(m), mb(startupMemory),
            100.0 * (m - startupMemory) / ((double) keys * valueSize));
    }

    private Run measure(Server s, LoadSpec spec, String scenario, int round) throws Exception {
        log.printf(Locale.ROOT, "round %d/%d  %-24s %s%n", round, rounds, scenario, s.name);
        Map<String, String> before = s.isTiered() ? s.tiering() : Map.of();
        LoadResult r;
        Sample sample;
        try {
            r = new LoadGenerator(log).run(spec);
            String problem = r.problem != null ? r.problem : r.firstError != null ? "first error: " + r.firstError : null;
            sample = new Sample(round, scenario, s.name, r.opsPerSec(), r.ms(50), r.ms(99), r.ms(99.9), r.maxMs(), r.errors, problem);
        } catch (IOException e) {
            sample = new Sample(round, scenario, s.name, 0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0, e.getMessage());
        }
        Map<String, Long> delta = s.isTiered() ? delta(before, s.tiering()) : Map.of();
        log.printf(Locale.ROOT, "    %,.0f ops/s  p50 %.3f  p99 %.3f  p99.9 %.3f  max %.3f ms  errors %d  %s%n", sample.opsPerSec(),
            sample.p50Ms(), sample.p99Ms(), sample.p999Ms(), sample.maxMs(), sample.errors(), deltaText(delta));
        if (sample.problem() != null) {
            notes.add("round " + round + " " + scenario + " on " + s.name + ": " + sample.errors() + " error replies, " + sample.problem());
        }
        Run run = new Run(sample, delta);
        runs.add(run);
        return run;
    }

    private static Map<String, Long> delta(Map<String, String> before, Map<String, String> after) {
        Map<String, Long> d = new LinkedHashMap<>();
        for (String c : COUNTERS) {
            if (after.containsKey(c)) {
                d.put(c, parseLong(after.get(c)) - parseLong(before.get(c)));
            }
        }
        return d;
    }

    private Map<String, Long> sumDeltas(String scenario) {
        Map<String, Long> sum = new LinkedHashMap<>();
        for (Run r : runs) {
            if (r.sample().scenario().equals(scenario)) {
                r.tierDelta().forEach((k, v) -> sum.merge(k, v, Long::sum));
            }
        }
        return sum;
    }

    private static String deltaText(Map<String, Long> d) {
        if (d.isEmpty()) {
            return "–";
        }
        List<String> parts = new ArrayList<>();
        d.forEach((k, v) -> parts.add(k.replace("tier_", "") + " " + String.format(Locale.ROOT, "%,d", v)));
        return String.join(", ", parts);
    }

    // ---------------------------------------------------------------- 3. hot keys under cold reads

    private void hotColdPart() throws Exception {
        List<String> rows = new ArrayList<>();
        Map<String, List<Double>> ratio = new LinkedHashMap<>();
        Map<String, List<Double>> aloneP99 = new LinkedHashMap<>();
        Map<String, List<Double>> withP99 = new LinkedHashMap<>();
        for (int round = 1; round <= rounds; round++) {
            List<Server> order = round % 2 == 1 ? List.of(tiered, ram) : List.of(ram, tiered);
            for (Server s : order) {
                String hot = String.format(Locale.ROOT, "hot %,d keys", hotKeys);
                Run alone = measure(s, readSpec(s, hotKeys, LoadSpec.Distribution.UNIFORM, hotConnections), hot + " alone", round);

                // cold readers first, then the same hot readers while they run
                LoadSpec cold = readSpec(s, keys, LoadSpec.Distribution.UNIFORM, coldConnections);
                AtomicBoolean stop = new AtomicBoolean();
                cold.durationMs = TimeUnit.MINUTES.toMillis(10);
                cold.warmupMs = 0;
                cold.intervalMs = 100;
                cold.stopWhen = stop::get;
                CompletableFuture<LoadResult> coldRun = CompletableFuture.supplyAsync(() -> {
                    try {
                        return new LoadGenerator(log).run(cold);
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                });
                Run with;
                LoadResult coldResult;
                try {
                    Thread.sleep(1000);
                    with = measure(s, readSpec(s, hotKeys, LoadSpec.Distribution.UNIFORM, hotConnections), hot + " + cold readers", round);
                } finally {
                    stop.set(true);
                }
                coldResult = coldRun.get(2, TimeUnit.MINUTES);
                checked(s, coldResult, "cold readers");
                Sample a = alone.sample();
                Sample w = with.sample();
                ratio.computeIfAbsent(s.name, k -> new ArrayList<>()).add(w.p99Ms() / a.p99Ms());
                aloneP99.computeIfAbsent(s.name, k -> new ArrayList<>()).add(a.p99Ms());
                withP99.computeIfAbsent(s.name, k -> new ArrayList<>()).add(w.p99Ms());
                rows.add(String.format(Locale.ROOT,
                    "| %d | %s | %,.0f | %.3f / %.3f / %.3f | %,.0f | %.3f / %.3f / %.3f | **%.2f×** | %,.0f | %.3f / %.3f | %s |",
                    round, s.name, a.opsPerSec(), a.p50Ms(), a.p99Ms(), a.p999Ms(), w.opsPerSec(), w.p50Ms(), w.p99Ms(), w.p999Ms(),
                    w.p99Ms() / a.p99Ms(), coldResult.opsPerSec(), coldResult.ms(50), coldResult.ms(99),
                    s.isTiered() ? deltaText(with.tierDelta()) : "–"));
            }
        }
        section("## 3. Hot-key reads while other clients read cold keys");
        md.append(String.format(Locale.ROOT,
            "%d connections GET uniformly over the hot set key:0 … key:%d (pipeline 1), first alone, then while %d other "
                + "connections GET uniformly over all %,d keys (on the tiered server mostly cold ones; they start 1 s before the "
                + "hot readers' %.1f s warm-up and stop after their %.1f s measured run). The same on the RAM server separates "
                + "the cost of cold reads from the cost of more clients on 2 cores. Latencies are p50 / p99 / p99.9 in ms. "
                + "Tier counters: over the hot readers' run with cold readers.%n%n",
            hotConnections, hotKeys - 1, coldConnections, keys, warmup, duration));
        md.append("| round | server | hot alone ops/s | hot alone latency | hot + cold ops/s | hot + cold latency | **hot p99 with / without** | cold readers ops/s | cold p50 / p99 | tier counters |\n");
        md.append("|---:|---|---:|---|---:|---|---:|---:|---|---|\n");
        for (String r : rows) {
            md.append(r).append('\n');
        }
        md.append('\n');
        summary.add(String.format(Locale.ROOT,
            "Hot-key p99 (%,d keys, %d clients) with %d clients reading random keys / without: tiered %.2f× (%.3f → %.3f ms), RAM %.2f× (%.3f → %.3f ms)",
            hotKeys, hotConnections, coldConnections, Report.median(ratio.get(TIERED)), Report.median(aloneP99.get(TIERED)),
            Report.median(withP99.get(TIERED)), Report.median(ratio.get(RAM)), Report.median(aloneP99.get(RAM)),
            Report.median(withP99.get(RAM))));
    }

    // ---------------------------------------------------------------- 4. restart

    /** Phases of one start, in milliseconds from creating the process. */
    private record Startup(double firstReplyMs, double pongMs, double loadedMs) {
    }

    private void restartPart() throws Exception {
        List<String> rows = new ArrayList<>();
        double[] save = new double[2];
        long[] rdb = new long[2];
        List<Server> both = List.of(tiered, ram);
        // save both first, so each restart runs with the other server stopped
        for (int i = 0; i < 2; i++) {
            Server s = both.get(i);
            try (RespClient c = s.client()) {
                long t0 = System.nanoTime();
                c.call("SAVE");
                save[i] = (System.nanoTime() - t0) / 1e6;
            }
            rdb[i] = Files.size(s.dir.resolve("dump.rdb"));
            log.printf(Locale.ROOT, "tiering: %s SAVE in %.0f ms, dump.rdb %s%n", s.name, save[i], mb(rdb[i]));
            gcNote(s, "before the restart");
            s.stop();
        }
        for (int i = 0; i < 2; i++) {
            Server s = both.get(i);
            ServerProcess p = s.launch();
            Startup st = startup(p);
            long dbsize;
            try (RespClient c = s.client()) {
                dbsize = (Long) c.call("DBSIZE");
            }
            Thread.sleep(500);
            long anon = DurabilityCommand.status(p.pid(), "RssAnon");
            Map<String, String> tier = s.tiering();
            if (s.isTiered()) {
                afterRestart = tier;
            }
            Double logSec = DurabilityCommand.loadedSeconds(p.log);
            String check = check(s, "after the restart");
            rows.add(String.format(Locale.ROOT, "| %s | %,.0f ms | %s | %,.0f ms | %,.0f ms | %,.0f ms | %s | %,d | %s | %s | %s |",
                s.name, save[i], mb(rdb[i]), st.firstReplyMs(), st.pongMs(), st.loadedMs(),
                logSec == null ? "–" : String.format(Locale.ROOT, "%,.0f ms", logSec * 1000), dbsize,
                s.isTiered() ? tier.getOrDefault("tier_hot_keys", "?") + " / " + tier.getOrDefault("tier_cold_keys", "?") : "–",
                mb(anon), check));
            summary.add(String.format(Locale.ROOT,
                "Restart, %s: SAVE %.1f s (dump.rdb %s); start → first reply %,.0f ms, → PONG %,.0f ms, → loading:0 %,.0f ms; DBSIZE %,d; RssAnon %s",
                s.name, save[i] / 1000, mb(rdb[i]), st.firstReplyMs(), st.pongMs(), st.loadedMs(), dbsize, mb(anon)));
            if (dbsize != keys) {
                notes.add(s.name + " after the restart: DBSIZE " + dbsize + ", expected " + keys);
            }
            gcNote(s, "during the restart");
            s.stop();
        }
        section("## 4. Restart");
        md.append("`SAVE` (timed), `SHUTDOWN NOSAVE`, then the same command line on a new port with the other server stopped. "
            + "Start → first reply = the first answer of any kind to PING (`-LOADING` counts), → PONG = the first PONG, → "
            + "loading:0 = the first INFO persistence with `loading:0` (polled every 10 ms over one connection); \"log\" = the "
            + "server's own `DB loaded from disk` line. RssAnon 0.5 s after loading:0.\n\n");
        md.append("| server | SAVE | dump.rdb | start → first reply | start → PONG | start → loading:0 | log | DBSIZE after | hot / cold keys after | RssAnon after | check |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---|\n");
        for (String r : rows) {
            md.append(r).append('\n');
        }
        md.append('\n');
    }

    private Startup startup(ServerProcess p) throws IOException, InterruptedException {
        long t0 = p.startedAtNanos;
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        double first = Double.NaN;
        double pong = Double.NaN;
        double loaded = Double.NaN;
        RespClient c = null;
        try {
            while (System.nanoTime() < deadline && (Double.isNaN(pong) || Double.isNaN(loaded))) {
                if (!p.isAlive()) {
                    throw new IOException(p.name + " exited during the restart; see " + p.log + p.logTail());
                }
                try {
                    if (c == null) {
                        c = new RespClient("127.0.0.1", p.port, 5000);
                    }
                    try {
                        Object r = c.call("PING");
                        double now = (System.nanoTime() - t0) / 1e6;
                        first = Double.isNaN(first) ? now : first;
                        if ("PONG".equals(r) && Double.isNaN(pong)) {
                            pong = now;
                        }
                    } catch (RespClient.ErrorReply e) {
                        first = Double.isNaN(first) ? (System.nanoTime() - t0) / 1e6 : first;
                    }
                    if (Double.isNaN(loaded)) {
                        try {
                            if ("0".equals(c.info("persistence", "loading"))) {
                                loaded = (System.nanoTime() - t0) / 1e6;
                            }
                        } catch (RespClient.ErrorReply e) {
                            // INFO refused while loading: keep polling
                        }
                    }
                } catch (IOException e) {
                    if (c != null) {
                        c.close();
                    }
                    c = null; // not listening yet
                }
                Thread.sleep(10);
            }
        } finally {
            if (c != null) {
                c.close();
            }
        }
        if (Double.isNaN(pong) || Double.isNaN(loaded)) {
            throw new IOException(p.name + " did not finish loading within 10 minutes; see " + p.log);
        }
        log.printf(Locale.ROOT, "tiering: %s restarted: first reply %.0f ms, PONG %.0f ms, loading:0 %.0f ms%n", p.name, first,
            pong, loaded);
        return new Startup(first, pong, loaded);
    }

    // ---------------------------------------------------------------- report

    private void writeReport(String stamp, String loadBefore) throws IOException {
        StringBuilder b = new StringBuilder();
        b.append("# Tiering: Strata with its spill tier vs Strata all in RAM — ").append(stamp).append("\n\n");
        b.append("- Machine: ").append(CompareCommand.machine()).append("; Java ").append(System.getProperty("java.version")).append('\n');
        b.append("- Load average (1/5/15 min) before: ").append(loadBefore).append(", after: ").append(CompareCommand.loadAverage())
            .append(" — other processes share this machine; compare ratios, not absolute figures.\n");
        b.append(String.format(Locale.ROOT, "- Dataset: %,d keys × %d-byte values = %s of values%s%n", keys, valueSize,
            mb(keys * valueSize), quick ? " (**--quick: smoke mode, figures meaningless**)" : ""));
        b.append(String.format(Locale.ROOT, "- Tiered server: `%s` (JVM %s), `--save \"\" --appendonly no --tier-spill yes --maxmemory %s "
                + "--maxmemory-policy %s --tier-spill-dir <dir>/spill%s%s%s`; maxmemory = used_memory_startup (%s) + %.0f%% of the values "
                + "unless given%n",
            servers.strataClasspath != null ? "classpath io.strata.server.Main" : "java -jar " + servers.serverJar.getFileName(),
            tieredXmx.isBlank() ? "default heap" : "-Xmx" + tieredXmx.trim(), maxmemory, policy,
            tierCompression == null ? "" : " --tier-compression " + tierCompression,
            tierSpillMaxSize == null ? "" : " --tier-spill-max-size " + tierSpillMaxSize,
            tieredArgs.isBlank() ? "" : " " + tieredArgs.trim(), mb(startupMemory), 100 * hotFraction));
        b.append(redisBaseline() ? "- RAM server: `redis-server --save \"\" --appendonly no` (everything in RAM)"
                : "- RAM server: the same with `--tier-spill no` and no maxmemory (JVM default heap)")
            .append(servers.strataJavaOpts.isBlank() ? "" : "; both JVMs with `" + servers.strataJavaOpts.trim() + "`").append('\n');
        b.append("- Both servers run at the same time on 127.0.0.1, io-threads 1; the load generator is `strata-bench load` "
            + "(one Netty client thread per generator, HdrHistogram latencies from the write of each request). Cold reads of the "
            + "tiered server hit the page cache unless the machine is short of RAM: this measures the tier's code path, "
            + "not a disk.\n");
        b.append("\n## Summary\n\n");
        for (String s : summary) {
            b.append("- ").append(s).append('\n');
        }
        b.append('\n').append(md);
        if (!afterLoad.isEmpty() || !afterReads.isEmpty() || !afterRestart.isEmpty()) {
            b.append("## INFO tiering of the tiered server\n\n| field | after the load | after the read runs | after the restart |\n|---|---:|---:|---:|\n");
            Set<String> fields = new LinkedHashSet<>(afterLoad.keySet());
            fields.addAll(afterReads.keySet());
            fields.addAll(afterRestart.keySet());
            for (String f : fields) {
                b.append("| ").append(f).append(" | ").append(afterLoad.getOrDefault(f, "–")).append(" | ")
                    .append(afterReads.getOrDefault(f, "–")).append(" | ").append(afterRestart.getOrDefault(f, "–")).append(" |\n");
            }
            if (rssAnonAfterReads > 0) {
                b.append("\nRssAnon of the tiered server after the read runs: ").append(mb(rssAnonAfterReads)).append(".\n");
            }
            b.append('\n');
        }
        if (!notes.isEmpty()) {
            b.append("## Notes\n\n");
            for (String n : notes) {
                b.append("- ").append(n).append('\n');
            }
            b.append('\n');
        }
        b.append("## Every run\n\n| round | scenario | server | ops/s | p50 ms | p99 ms | p99.9 ms | max ms | errors | tier counters |\n");
        b.append("|---:|---|---|---:|---:|---:|---:|---:|---:|---|\n");
        for (Run r : runs) {
            Sample s = r.sample();
            b.append(String.format(Locale.ROOT, "| %d | %s | %s | %s | %s | %s | %s | %s | %d%s | %s |%n", s.round(), s.scenario(), s.server(),
                Report.fmt(s.opsPerSec(), "%,.0f"), Report.fmt(s.p50Ms(), "%.3f"), Report.fmt(s.p99Ms(), "%.3f"),
                Report.fmt(s.p999Ms(), "%.3f"), Report.fmt(s.maxMs(), "%.3f"), s.errors(),
                s.problem() == null ? "" : " (" + s.problem() + ")", deltaText(r.tierDelta())));
        }
        Files.createDirectories(servers.out);
        reportPath = servers.out.resolve("tiering-" + stamp + ".md");
        Files.writeString(reportPath, b.toString(), StandardCharsets.UTF_8);
    }

    // ---------------------------------------------------------------- helpers

    /** Starts a section of the report body, after a blank line (a table must not run into a heading). */
    private void section(String heading) {
        if (md.length() > 0 && !md.toString().endsWith("\n\n")) {
            md.append('\n');
        }
        md.append(heading).append("\n\n");
    }

    private void gcNote(Server s, String when) {
        String gc = CompareCommand.gcSummary(s.gcLog());
        if (gc != null) {
            notes.add(s.name + " GC " + when + " (-Xlog:gc): " + gc);
        }
    }

    private LoadResult checked(Server s, LoadResult r, String what) throws IOException {
        if (r.problem != null) {
            throw new IOException(what + " on " + s.name + " failed: " + r.problem + s.process.logTail());
        }
        if (r.errors > 0) {
            notes.add(what + " on " + s.name + ": " + r.errors + " error replies, first: " + r.firstError);
        }
        return r;
    }

    /** Copies the server logs to the report directory when a server wrote an exception (best effort). */
    private void keepLogs(String stamp) {
        try (Stream<Path> files = Files.list(work)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                String name = p.getFileName().toString();
                if (name.endsWith(".log") && !name.contains("-gc-")) {
                    String text = Files.readString(p, StandardCharsets.UTF_8);
                    if (text.contains("Exception") || text.contains("ERROR")) {
                        Files.createDirectories(servers.out);
                        Path dst = servers.out.resolve("tiering-" + stamp + "-" + name);
                        Files.copy(p, dst, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                        notes.add("the log " + name + " mentions an exception or error; kept as " + dst.getFileName());
                    }
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // the report is written anyway
        }
    }

    /** Disk blocks used under {@code dir} ({@code du -sk}), which an mmap'd sparse file can keep below its length. */
    private static String du(Path dir) {
        if (!Files.isDirectory(dir)) {
            return "no " + dir.getFileName() + "/";
        }
        try {
            Process p = new ProcessBuilder("du", "-sk", dir.toString()).redirectErrorStream(true).start();
            String o = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            p.waitFor(30, TimeUnit.SECONDS);
            return mb(Long.parseLong(o.split("\\s+")[0]) * 1024);
        } catch (IOException | InterruptedException | RuntimeException e) {
            return "?";
        }
    }

    private static List<Double> ops(List<Sample> s) {
        return s.stream().map(Sample::opsPerSec).toList();
    }

    private static List<Double> p50(List<Sample> s) {
        return s.stream().map(Sample::p50Ms).toList();
    }

    private static List<Double> p99(List<Sample> s) {
        return s.stream().map(Sample::p99Ms).toList();
    }

    private static String list(List<Double> v) {
        return String.join(" ", v.stream().map(x -> String.format(Locale.ROOT, "%.2f", x)).toList());
    }

    private static long parseLong(String v) {
        try {
            return v == null ? 0 : Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static String mb(long bytes) {
        return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp directory left behind is harmless
        }
    }
}
