package io.strata.bench.compare;

import io.strata.bench.load.LoadCommand;
import io.strata.bench.load.LoadGenerator;
import io.strata.bench.load.LoadResult;
import io.strata.bench.load.LoadSpec;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * {@code strata-bench durability}: the persistence figures of issue 4, Strata and redis-server
 * side by side, each server in its own temporary directory with the same settings.
 * <ul>
 * <li><b>aof</b>: a fresh server with {@code appendonly yes} (and {@code auto-aof-rewrite-percentage 0},
 * so no rewrite) takes a fixed number of SETs, then the same number of a SET/INCR/HSET mix; the
 * bytes of {@code appendonlydir/} are compared after each.</li>
 * <li><b>bgsave</b>: preload {@code --keys} keys, measure a SET writer alone, then the same writer
 * while BGSAVE runs, sampling Strata's {@code rdb_snapshot_preserved_bytes} and RSS, and Redis'
 * parent + forked child RSS and the child's Private_Dirty (its copy-on-write pages).</li>
 * <li><b>restart</b>: the RDB of that BGSAVE loaded by a fresh process, time to the first PONG
 * (and the server's own "DB loaded from disk" line), against a start with an empty directory.</li>
 * </ul>
 * Writes {@code bench/results/durability-<timestamp>.md}. The AOF throughput figures are
 * {@code compare}'s AOF scenarios ({@code compare --aof-only}).
 *
 * <p>Thread rule: main thread; one writer load runs on a pool thread during the BGSAVE.
 */
@Command(name = "durability", mixinStandardHelpOptions = true,
    description = "AOF bytes per command, BGSAVE memory and latency under writes, and RDB restart time: Strata vs redis-server.")
public final class DurabilityCommand implements Callable<Integer> {
    @Option(names = "--quick", description = "Smoke mode: 2000 AOF commands, 20 000 keys, 2 s writer, 1 restart (checks the harness, not speed).")
    boolean quick;

    @Option(names = "--parts", split = ",", description = "Which parts: aof, bgsave, restart (default: all). restart needs bgsave.")
    List<String> parts = new ArrayList<>(List.of("aof", "bgsave", "restart"));

    @Option(names = {"-c", "--connections"}, description = "Client connections (default: ${DEFAULT-VALUE}).")
    int connections = 50;

    @Option(names = {"-d", "--value-size"}, description = "Value size in bytes (default: ${DEFAULT-VALUE}).")
    int valueSize = 100;

    @Option(names = "--aof-requests", description = "Commands per AOF workload (default: ${DEFAULT-VALUE}).")
    long aofRequests = 200_000;

    @Option(names = "--aof-keys", description = "Keys of the AOF workloads (default: ${DEFAULT-VALUE}).")
    long aofKeys = 100_000;

    @Option(names = "--appendfsync", description = "appendfsync of the AOF bytes part (default: ${DEFAULT-VALUE}).")
    String appendfsync = "everysec";

    @Option(names = {"-k", "--keys"}, description = "Keys preloaded for BGSAVE and restart (default: ${DEFAULT-VALUE}).")
    long keys = 1_000_000;

    @Option(names = "--writer-seconds", description = "Measured seconds of the writer without a snapshot (default: ${DEFAULT-VALUE}).")
    double writerSeconds = 10;

    @Option(names = "--restarts", description = "Restarts per server; the median is reported (default: ${DEFAULT-VALUE}).")
    int restarts = 3;

    @Mixin
    ServerOptions servers = new ServerOptions();

    /** Where the last report was written (tests read it). */
    public Path reportPath;

    private final PrintStream log = System.err;
    private final StringBuilder md = new StringBuilder();
    final List<String> summary = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private Path work;
    private String stamp;

    @Override
    public Integer call() throws Exception {
        if (quick) {
            aofRequests = Math.min(aofRequests, 2000);
            aofKeys = Math.min(aofKeys, 1000);
            keys = Math.min(keys, 20_000);
            writerSeconds = Math.min(writerSeconds, 2);
            restarts = 1;
        }
        Path root = Path.of(System.getProperty("strata.root", ".")).toAbsolutePath().normalize();
        String unusable = servers.resolve(root);
        if (unusable != null) {
            log.println("durability: " + unusable);
            return 2;
        }
        stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        work = Files.createTempDirectory("strata-durability-");
        String loadBefore = loadAverage();
        try {
            if (parts.contains("aof")) {
                aofBytes();
            }
            if (parts.contains("bgsave") || parts.contains("restart")) {
                snapshotAndRestart();
            }
        } finally {
            deleteTree(work);
        }
        StringBuilder r = new StringBuilder();
        r.append("# Durability: Strata vs redis-server — ").append(stamp).append("\n\n");
        r.append("- Java ").append(System.getProperty("java.version")).append(", ")
            .append(Runtime.getRuntime().availableProcessors()).append(" cores; redis-server ").append(servers.redisServer).append('\n');
        r.append("- Load average before: ").append(loadBefore).append(", after: ").append(loadAverage())
            .append(" (shared machine: compare ratios, not absolute figures)\n");
        r.append(String.format(Locale.ROOT, "- %d connections, %d-byte values (one random a–z string per connection unless said otherwise), pipeline 1%s%n",
            connections, valueSize, quick ? " (**--quick: smoke mode, figures meaningless**)" : ""));
        r.append("\n## Summary\n\n");
        for (String s : summary) {
            r.append("- ").append(s).append('\n');
        }
        r.append('\n').append(md);
        String chart = writeChart();
        if (chart != null) {
            r.append("\n![extra memory, RSS and writer p99 over time during BGSAVE](").append(chart).append(")\n");
        }
        if (!notes.isEmpty()) {
            r.append("\n## Notes\n\n");
            for (String n : notes) {
                r.append("- ").append(n).append('\n');
            }
        }
        Files.createDirectories(servers.out);
        reportPath = servers.out.resolve("durability-" + stamp + ".md");
        Files.writeString(reportPath, r.toString());
        for (String s : summary) {
            log.println(s);
        }
        log.println("durability: report " + reportPath);
        return 0;
    }

    // ---------------------------------------------------------------- AOF bytes per command

    private void aofBytes() throws Exception {
        long[][] bytes = new long[2][3];
        List<String> listings = new ArrayList<>();
        String[] names = {Sample.STRATA, Sample.REDIS};
        for (int i = 0; i < 2; i++) {
            Path dir = Files.createDirectories(work.resolve("aof-" + names[i]));
            ServerProcess s = start(names[i], dir, "aof", List.of("--save", "", "--appendonly", "yes",
                "--appendfsync", appendfsync, "--auto-aof-rewrite-percentage", "0"));
            try {
                Path aofDir = dir.resolve("appendonlydir");
                long empty = dirSize(aofDir);
                LoadGenerator gen = new LoadGenerator(log);
                LoadSpec set = aofSpec(s, 0, 0);
                checked(s, gen.run(set), "AOF SET workload");
                settle(s);
                long afterSet = dirSize(aofDir);
                LoadSpec mix = aofSpec(s, 0.3, 0.3);
                checked(s, gen.run(mix), "AOF mix workload");
                settle(s);
                long afterMix = dirSize(aofDir);
                LoadSpec xs = aofSpec(s, 0, 0);
                xs.repetitiveValues = true;
                checked(s, gen.run(xs), "AOF SET workload, 'x' values");
                settle(s);
                long afterX = dirSize(aofDir);
                bytes[i][0] = afterSet - empty;
                bytes[i][1] = afterMix - afterSet;
                bytes[i][2] = afterX - afterMix;
                try (RespClient c = s.client()) {
                    String rewrites = c.info("persistence", "aof_rewrites");
                    if (rewrites != null && !"0".equals(rewrites)) {
                        notes.add(names[i] + " rewrote its AOF during the bytes workload (aof_rewrites " + rewrites + "): its figure is not comparable");
                    }
                }
                listings.add(names[i] + ": " + listing(aofDir) + " (" + empty + " bytes before the workload)");
                log.printf(Locale.ROOT, "aof %-6s SET %,d bytes, mix %,d bytes, SET x %,d bytes%n", names[i], bytes[i][0], bytes[i][1], bytes[i][2]);
            } finally {
                s.stop();
            }
        }
        md.append("## AOF bytes per command\n\n");
        md.append(String.format(Locale.ROOT,
            "Fresh servers, `appendonly yes`, `appendfsync %s`, `auto-aof-rewrite-percentage 0` (no rewrite), `save \"\"`; "
                + "%d connections; bytes added to `appendonlydir/` (all files), measured 1.5 s after the last reply.%n%n",
            appendfsync, connections));
        md.append("| workload | commands | Strata bytes | Redis bytes | Strata B/cmd | Redis B/cmd | Strata/Redis |\n|---|---:|---:|---:|---:|---:|---:|\n");
        String[] wl = {String.format(Locale.ROOT, "SET %d B over %,d keys", valueSize, aofKeys),
            String.format(Locale.ROOT, "40%% SET / 30%% INCR / 30%% HSET (%d B) over %,d keys", valueSize, aofKeys),
            String.format(Locale.ROOT, "SET %d B of 'x' (redis-benchmark's values) over %,d keys", valueSize, aofKeys)};
        String[] shortName = {"SET, random a–z values", "SET/INCR/HSET mix, random a–z values", "SET, 'x' values"};
        for (int w = 0; w < 3; w++) {
            double ratio = (double) bytes[0][w] / bytes[1][w];
            md.append(String.format(Locale.ROOT, "| %s | %,d | %,d | %,d | %.1f | %.1f | **%.2f** |%n", wl[w], aofRequests,
                bytes[0][w], bytes[1][w], (double) bytes[0][w] / aofRequests, (double) bytes[1][w] / aofRequests, ratio));
            summary.add(String.format(Locale.ROOT, "AOF bytes, %s: Strata/Redis %.2f (%.1f vs %.1f B/command)", shortName[w],
                ratio, (double) bytes[0][w] / aofRequests, (double) bytes[1][w] / aofRequests));
        }
        md.append('\n');
        for (String l : listings) {
            md.append("- ").append(l).append('\n');
        }
        md.append('\n');
    }

    private LoadSpec aofSpec(ServerProcess s, double incr, double hset) {
        LoadSpec spec = new LoadSpec();
        spec.port = s.port;
        spec.connections = connections;
        spec.readRatio = 0;
        spec.incrRatio = incr;
        spec.hsetRatio = hset;
        spec.valueSize = valueSize;
        spec.keys = aofKeys;
        spec.requests = aofRequests;
        spec.progress = false;
        return spec;
    }

    /** Lets everysec write and fsync what it holds. */
    private static void settle(ServerProcess s) throws InterruptedException {
        Thread.sleep(1500);
    }

    // ---------------------------------------------------------------- BGSAVE and restart

    /** One sample taken while the snapshot runs. */
    private record Mem(double t, long preserved, long rss, long rssAnon, long childRss, long childPrivateDirty, long cow) {
    }

    /** Per server, for the chart: extra memory, RSS and the writer's p99 against seconds since BGSAVE. */
    private final List<TimeChart.Series> extraLines = new ArrayList<>();
    private final List<TimeChart.Series> rssLines = new ArrayList<>();
    private final List<TimeChart.Series> p99Lines = new ArrayList<>();
    private final double[] saveEnds = new double[2];

    private void snapshotAndRestart() throws Exception {
        String[] names = {Sample.STRATA, Sample.REDIS};
        List<String> rows = new ArrayList<>();
        List<String> restartRows = new ArrayList<>();
        double[] extraFraction = new double[2];
        double[] p99Ratio = new double[2];
        double[] loadMs = new double[2];
        double[] startMs = new double[2];
        for (int i = 0; i < 2; i++) {
            String name = names[i];
            Path dir = Files.createDirectories(work.resolve("snap-" + name));
            List<String> args = List.of("--save", "", "--appendonly", "no");
            ServerProcess s = start(name, dir, "snap", args);
            try {
                LoadGenerator gen = new LoadGenerator(log);
                LoadSpec w = writerSpec(s);
                long t0 = System.nanoTime();
                checked(s, gen.run(LoadCommand.preloadSpec(w)), "preload");
                log.printf(Locale.ROOT, "snap %-6s preloaded %,d keys in %.1f s%n", name, keys, (System.nanoTime() - t0) / 1e9);
                Thread.sleep(1000);
                long usedMemory;
                long startup;
                long dbsize;
                try (RespClient c = s.client()) {
                    usedMemory = parseLong(c.info("memory", "used_memory"));
                    startup = parseLong(c.info("memory", "used_memory_startup"));
                    dbsize = (Long) c.call("DBSIZE");
                }
                long dataset = usedMemory - startup;
                long raw = keys * (16 + valueSize);
                long rssLoaded = status(s.pid(), "VmRSS");

                // the writer alone
                LoadResult base = checked(s, gen.run(w), "writer without snapshot");
                log.printf(Locale.ROOT, "snap %-6s writer alone %,.0f ops/s p99 %.3f ms%n", name, base.opsPerSec(), base.ms(99));

                // the writer with a BGSAVE in the middle
                List<Object[]> intervals = new CopyOnWriteArrayList<>();
                java.util.concurrent.atomic.AtomicBoolean saveDone = new java.util.concurrent.atomic.AtomicBoolean();
                LoadSpec during = writerSpec(s);
                during.durationMs = TimeUnit.MINUTES.toMillis(10);
                during.warmupMs = 0;
                during.intervalMs = 100;
                during.progress = false;
                during.intervalSink = (t, h) -> intervals.add(new Object[] {t, h});
                during.stopWhen = saveDone::get;
                CompletableFuture<LoadResult> writer = CompletableFuture.supplyAsync(() -> {
                    try {
                        return gen.run(during);
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                });
                Thread.sleep(2000);
                long rssBefore = status(s.pid(), "VmRSS");
                long rssAnonBefore = status(s.pid(), "RssAnon");
                List<Mem> mem = new ArrayList<>();
                long saveStart;
                long saveEnd;
                String status;
                try (RespClient c = s.client()) {
                    saveStart = System.nanoTime();
                    c.call("BGSAVE");
                    while (true) {
                        mem.add(sample(s, c, saveStart));
                        if (!"1".equals(c.info("persistence", "rdb_bgsave_in_progress"))) {
                            break;
                        }
                        if (System.nanoTime() - saveStart > TimeUnit.MINUTES.toNanos(5)) {
                            notes.add(name + ": BGSAVE still running after 5 minutes; sampling stopped");
                            break;
                        }
                        Thread.sleep(50);
                    }
                    saveEnd = System.nanoTime();
                    status = c.info("persistence", "rdb_last_bgsave_status");
                    long lastCow = parseLong(c.info("persistence", "rdb_last_cow_size"));
                    mem.add(new Mem(Double.NaN, 0, 0, 0, 0, 0, lastCow));
                }
                Thread.sleep(1000); // some writer time after the save, then stop it
                saveDone.set(true);
                LoadResult all = writer.get(2, TimeUnit.MINUTES);
                checked(s, all, "writer during snapshot");
                Histogram inSave = new Histogram(3);
                long ops = 0;
                int covered = 0;
                for (Object[] iv : intervals) {
                    long t = (Long) iv[0];
                    if (t > saveStart && t - TimeUnit.MILLISECONDS.toNanos(during.intervalMs) < saveEnd) {
                        inSave.add((Histogram) iv[1]);
                        ops += ((Histogram) iv[1]).getTotalCount();
                        covered++;
                    }
                }
                double saveSec = (saveEnd - saveStart) / 1e9;
                chartLines(i, mem, intervals, saveStart, during.intervalMs);
                saveEnds[i] = saveSec;
                long rdbSize = Files.size(dir.resolve("dump.rdb"));
                long peakPreserved = mem.stream().mapToLong(Mem::preserved).max().orElse(0);
                long peakRss = mem.stream().mapToLong(m -> m.rss() + m.childRss()).max().orElse(0);
                long peakRssOwn = mem.stream().mapToLong(Mem::rss).max().orElse(0);
                long peakAnon = mem.stream().mapToLong(Mem::rssAnon).max().orElse(0);
                long peakChildDirty = mem.stream().mapToLong(Mem::childPrivateDirty).max().orElse(0);
                long peakCow = mem.stream().mapToLong(Mem::cow).max().orElse(0);
                long extra = i == 0 ? peakPreserved : Math.max(peakChildDirty, peakCow);
                extraFraction[i] = (double) extra / dataset;
                double p99During = inSave.getValueAtPercentile(99) / 1e6;
                p99Ratio[i] = p99During / base.ms(99);
                rows.add(String.format(Locale.ROOT,
                    "| %s | %,d | %s | %s | %s | %.2f s (%d samples) | %s | %s | %s | %s | **%.1f%%** | %s (%.1f%% of dataset) | %,.0f / %,.0f | %.2f / %.2f | %.2f / %.2f | %s |",
                    name, dbsize, mb(dataset), mb(rssLoaded), mb(rdbSize), saveSec, mem.size() - 1,
                    i == 0 ? mb(peakPreserved) : "–",
                    i == 0 ? "–" : mb(peakChildDirty) + " / " + mb(peakCow),
                    mb(rssBefore) + " → " + mb(i == 0 ? peakRssOwn : peakRss),
                    i == 0 ? mb(rssAnonBefore) + " → " + mb(peakAnon) : "–",
                    100.0 * extraFraction[i], mb(Math.max(0, (i == 0 ? peakRssOwn : peakRss) - rssBefore)),
                    100.0 * Math.max(0, (i == 0 ? peakRssOwn : peakRss) - rssBefore) / dataset,
                    base.opsPerSec(), covered > 0 ? ops / (covered * during.intervalMs / 1000.0) : 0, base.ms(99), p99During, base.ms(99.9),
                    inSave.getValueAtPercentile(99.9) / 1e6, status));
                summary.add(String.format(Locale.ROOT,
                    "BGSAVE of %,d keys under writes, %s: extra memory %.1f%% of the dataset (%s of %s), writer p99 %.2f ms during vs %.2f ms without (%.2f×)",
                    dbsize, name, 100.0 * extraFraction[i], mb(extra), mb(dataset), p99During, base.ms(99), p99Ratio[i]));
                if (all.errors > 0) {
                    notes.add(name + ": " + all.errors + " error replies from the writer during the snapshot; first: " + all.firstError);
                }
                log.printf(Locale.ROOT, "snap %-6s save %.2f s, extra %s (%.1f%%), p99 %.3f -> %.3f ms%n", name, saveSec, mb(extra),
                    100.0 * extraFraction[i], base.ms(99), p99During);
            } finally {
                s.stop();
            }
            String gc = CompareCommand.gcSummary(work.resolve("snap-" + name + "-gc.log"));
            if (i == 0 && gc != null) {
                notes.add("Strata GC during preload, writer and BGSAVE (-Xlog:gc): " + gc);
            }
            if (!parts.contains("restart")) {
                continue;
            }
            // restart from the BGSAVE's dump.rdb (SHUTDOWN NOSAVE kept it as it was)
            Path empty = Files.createDirectories(work.resolve("empty-" + name));
            ServerProcess e = start(name, empty, "empty", args);
            startMs[i] = e.startupMs;
            e.stop();
            List<Double> toPong = new ArrayList<>();
            List<Double> loaded = new ArrayList<>();
            long loadedKeys = -1;
            for (int r = 1; r <= restarts; r++) {
                ServerProcess rs = start(name, dir, "restart" + r, args);
                try (RespClient c = rs.client()) {
                    loadedKeys = (Long) c.call("DBSIZE");
                } finally {
                    rs.stop();
                }
                toPong.add(rs.startupMs);
                Double l = loadedSeconds(rs.log);
                if (l != null) {
                    loaded.add(l * 1000);
                }
                log.printf(Locale.ROOT, "restart %-6s %d: %,d keys, first PONG after %.0f ms, log says loaded in %s ms%n", name, r,
                    loadedKeys, rs.startupMs, l == null ? "?" : String.format(Locale.ROOT, "%.0f", l * 1000));
            }
            loadMs[i] = median(toPong);
            double logMs = loaded.isEmpty() ? Double.NaN : median(loaded);
            restartRows.add(String.format(Locale.ROOT, "| %s | %,d | %,.0f ms | %,.0f ms | %,.0f ms | %s |", name, loadedKeys,
                loadMs[i], startMs[i], logMs, toPong.stream().map(v -> String.format(Locale.ROOT, "%.0f", v))
                    .reduce((a, b) -> a + " " + b).orElse("")));
            loadedLog[i] = logMs;
        }
        if (parts.contains("bgsave")) {
            md.append("## BGSAVE under continuous writes\n\n");
            md.append(String.format(Locale.ROOT,
                "Each server alone in its own directory with `save \"\"`, `appendonly no`; %,d keys of %d bytes preloaded (pipelined). "
                    + "Writer: SET, pipeline 1, %d connections, uniform over the %,d keys; first %.0f s alone (after 1 s warm-up), then "
                    + "again with BGSAVE sent 2 s in; memory sampled every 50 ms until `rdb_bgsave_in_progress:0`. Latency during the "
                    + "snapshot = the writer's 100 ms interval histograms that overlap the save. Dataset = `used_memory − used_memory_startup` "
                    + "after the preload (each server's own figure). Extra memory: Strata = peak `rdb_snapshot_preserved_bytes`; "
                    + "Redis = peak Private_Dirty of the forked child (`/proc/<child>/smaps_rollup`, the pages copied on write) or "
                    + "`current_cow_size`/`rdb_last_cow_size`, whichever is larger. RSS: Strata's VmRSS; Redis' parent + child VmRSS "
                    + "(the child's shared pages counted twice, as `ps` would).%n%n",
                keys, valueSize, connections, keys, writerSeconds));
            md.append("| server | keys | dataset | RSS after preload | dump.rdb | save time | peak preserved | child Private_Dirty / COW | RSS before → peak | RssAnon before → peak | **extra / dataset** | RSS growth | writer ops/s alone / during | p99 ms alone / during | p99.9 ms alone / during | status |\n");
            md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
            for (String r : rows) {
                md.append(r).append('\n');
            }
            md.append('\n');
        }
        if (parts.contains("restart")) {
            md.append("## Restart from RDB\n\n");
            md.append(String.format(Locale.ROOT,
                "The `dump.rdb` of the BGSAVE above (%,d keys), loaded by a fresh process with the same arguments; time from "
                    + "starting the process to the first PONG (PING every 10 ms, `-LOADING` retried), median of %d; the same with "
                    + "an empty directory shows the start-up cost without data (JVM start for Strata); \"log\" is the server's own "
                    + "`DB loaded from disk` line.%n%n", keys, restarts));
            md.append("| server | keys loaded | start → PONG (median) | empty start → PONG | load time from the log | runs (ms) |\n|---|---:|---:|---:|---:|---|\n");
            for (String r : restartRows) {
                md.append(r).append('\n');
            }
            md.append('\n');
            summary.add(String.format(Locale.ROOT,
                "Restart from RDB, %,d keys: Strata/Redis %.2f (start → PONG %,.0f vs %,.0f ms); load time from the logs %.2f (%,.0f vs %,.0f ms)",
                keys, loadMs[0] / loadMs[1], loadMs[0], loadMs[1], loadedLog[0] / loadedLog[1], loadedLog[0], loadedLog[1]));
        }
    }

    private final double[] loadedLog = new double[2];

    private LoadSpec writerSpec(ServerProcess s) {
        LoadSpec spec = new LoadSpec();
        spec.port = s.port;
        spec.connections = connections;
        spec.readRatio = 0;
        spec.valueSize = valueSize;
        spec.keys = keys;
        spec.durationMs = (long) (writerSeconds * 1000);
        spec.warmupMs = 1000;
        spec.progress = false;
        return spec;
    }

    private Mem sample(ServerProcess s, RespClient c, long saveStart) throws IOException {
        double t = (System.nanoTime() - saveStart) / 1e9;
        long preserved = parseLong(c.info("persistence", "rdb_snapshot_preserved_bytes"));
        long cow = parseLong(c.info("persistence", "current_cow_size"));
        long rss = status(s.pid(), "VmRSS");
        long anon = status(s.pid(), "RssAnon");
        long childRss = 0;
        long childDirty = 0;
        for (long child : children(s.pid())) {
            childRss += status(child, "VmRSS");
            childDirty += smapsRollup(child, "Private_Dirty");
        }
        return new Mem(t, preserved, rss, anon, childRss, childDirty, cow);
    }

    /** Adds server {@code i}'s lines: memory samples and the writer's 100 ms intervals, from 2 s before BGSAVE. */
    private void chartLines(int i, List<Mem> mem, List<Object[]> intervals, long saveStart, long intervalMs) {
        String name = i == 0 ? Sample.STRATA + " (pre-images kept)" : Sample.REDIS + " (child's copied pages)";
        String color = i == 0 ? TimeChart.STRATA_COLOR : TimeChart.REDIS_COLOR;
        List<double[]> extra = new ArrayList<>();
        List<double[]> rss = new ArrayList<>();
        for (Mem m : mem) {
            if (Double.isNaN(m.t())) {
                continue;
            }
            extra.add(new double[] {m.t(), (i == 0 ? m.preserved() : Math.max(m.childPrivateDirty(), m.cow())) / 1048576.0});
            rss.add(new double[] {m.t(), (m.rss() + m.childRss()) / 1048576.0});
        }
        List<double[]> p99 = new ArrayList<>();
        for (Object[] iv : intervals) {
            double end = ((Long) iv[0] - saveStart) / 1e9;
            if (end >= -2) {
                Histogram h = (Histogram) iv[1];
                if (h.getTotalCount() > 0) {
                    p99.add(new double[] {end - intervalMs / 2000.0, h.getValueAtPercentile(99) / 1e6});
                }
            }
        }
        extraLines.add(new TimeChart.Series(name, color, extra));
        rssLines.add(new TimeChart.Series(name, color, rss));
        p99Lines.add(new TimeChart.Series(name, color, p99));
    }

    /** The BGSAVE chart next to the report; returns its file name, or null when nothing was sampled. */
    private String writeChart() throws IOException {
        if (extraLines.isEmpty()) {
            return null;
        }
        String file = "durability-" + stamp + "-bgsave.svg";
        String svg = TimeChart.svg("BGSAVE under continuous SET load (t = 0: BGSAVE sent; dashed: each server's save end)",
            "seconds since BGSAVE", List.of(
                new TimeChart.Panel("Extra memory for the snapshot (MB)", "%.0f", extraLines),
                new TimeChart.Panel("Process RSS, Redis parent + child (MB)", "%.0f", rssLines),
                new TimeChart.Panel("Writer p99 per 100 ms (ms)", "%.2f", p99Lines)),
            new double[] {0, saveEnds[0], saveEnds[1]});
        Files.createDirectories(servers.out);
        Files.writeString(servers.out.resolve(file), svg);
        return file;
    }

    private static final Pattern LOADED = Pattern.compile("DB loaded from disk: ([0-9.]+) seconds");

    static Double loadedSeconds(Path log) {
        try {
            Double last = null;
            for (String l : Files.readAllLines(log)) {
                Matcher m = LOADED.matcher(l);
                if (m.find()) {
                    last = Double.parseDouble(m.group(1));
                }
            }
            return last;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    // ---------------------------------------------------------------- servers and /proc

    private ServerProcess start(String name, Path dir, String tag, List<String> args) throws IOException, InterruptedException {
        int port = ServerProcess.freePort();
        List<String> cmd = new ArrayList<>();
        if (Sample.STRATA.equals(name)) {
            cmd.addAll(servers.strataJava(work.resolve(dir.getFileName() + "-gc.log")));
        } else {
            cmd.addAll(List.of(servers.redisServer, "--daemonize", "no"));
        }
        cmd.addAll(List.of("--port", Integer.toString(port), "--bind", "127.0.0.1", "--dir", dir.toString()));
        cmd.addAll(args);
        ServerProcess s = ServerProcess.start(name, cmd, port, dir, work.resolve(name + "-" + dir.getFileName() + "-" + tag + ".log"));
        log.printf(Locale.ROOT, "durability: %s pid %d port %d in %s (up in %.0f ms)%n", name, s.pid(), port, dir, s.startupMs);
        return s;
    }

    private LoadResult checked(ServerProcess s, LoadResult r, String what) throws IOException {
        if (r.problem != null) {
            throw new IOException(what + " on " + s.name + " failed: " + r.problem);
        }
        if (r.errors > 0) {
            notes.add(what + " on " + s.name + ": " + r.errors + " error replies, first: " + r.firstError);
        }
        return r;
    }

    /** A "kB" field of /proc/&lt;pid&gt;/status in bytes, 0 when unreadable. */
    static long status(long pid, String field) {
        return procField(Path.of("/proc", Long.toString(pid), "status"), field);
    }

    static long smapsRollup(long pid, String field) {
        return procField(Path.of("/proc", Long.toString(pid), "smaps_rollup"), field);
    }

    private static long procField(Path file, String field) {
        try {
            for (String l : Files.readAllLines(file)) {
                if (l.startsWith(field + ":")) {
                    return Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // the process went away between listing and reading
        }
        return 0;
    }

    /** Direct children of {@code pid} (the BGSAVE fork of redis-server). */
    static List<Long> children(long pid) {
        List<Long> res = new ArrayList<>();
        try {
            String c = Files.readString(Path.of("/proc", Long.toString(pid), "task", Long.toString(pid), "children")).trim();
            if (!c.isEmpty()) {
                for (String p : c.split("\\s+")) {
                    res.add(Long.parseLong(p));
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // no children file (old kernel) or the process is gone
        }
        return res;
    }

    private static long dirSize(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(dir)) {
            long n = 0;
            for (Path p : (Iterable<Path>) s::iterator) {
                n += Files.size(p);
            }
            return n;
        }
    }

    private static String listing(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return "(no " + dir.getFileName() + ")";
        }
        try (Stream<Path> s = Files.list(dir)) {
            List<String> l = new ArrayList<>();
            for (Path p : (Iterable<Path>) s.sorted()::iterator) {
                l.add("`" + p.getFileName() + "` " + String.format(Locale.ROOT, "%,d", Files.size(p)));
            }
            return String.join(", ", l);
        }
    }

    private static long parseLong(String v) {
        try {
            return v == null ? 0 : Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static double median(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        Collections.sort(s);
        return s.isEmpty() ? Double.NaN : s.get(s.size() / 2);
    }

    private static String mb(long bytes) {
        return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return String.join(" / ", Arrays.asList(f).subList(0, 3));
        } catch (IOException e) {
            return "unknown";
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
