package io.strata.bench.compare;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * {@code strata-bench memory}: INFO {@code used_memory} per element of small aggregates, Strata
 * against redis-server. Both servers run at the same time on loopback ports, nothing persisted
 * ({@code --save "" --appendonly no}; Strata also {@code --tier-spill no}, so every key stays in
 * RAM and counts). For each shape, on each server in turn: FLUSHALL, used_memory, then
 * {@code --keys} keys of that shape written once each over one pipelined connection, used_memory
 * again; the figure is the difference over keys × elements per key. The shapes:
 * <ul>
 * <li>{@code hash}: {@code HSET h:<n> f1 v1 … f5 v5};</li>
 * <li>{@code set}: {@code SADD s:<n> m1 … m5} (strings: "hashtable" in Redis 7.0);</li>
 * <li>{@code intset}: {@code SADD i:<n> 1 … 5};</li>
 * <li>{@code zset}: {@code ZADD z:<n> 1 m1 … 5 m5};</li>
 * <li>{@code list}: {@code RPUSH l:<n> e1 … e5}.</li>
 * </ul>
 * Writes {@code bench/results/memory-<timestamp>.md}.
 *
 * <p>Thread rule: main thread.
 */
@Command(name = "memory", mixinStandardHelpOptions = true,
    description = "used_memory per element of small hashes, sets, sorted sets and lists: Strata vs redis-server.")
public final class MemoryCommand implements Callable<Integer> {
    /** One shape: the command that writes key {@code n} and how many elements it holds. */
    private record Shape(String name, String prefix, String description, int elements) {
        List<String> command(long n) {
            String key = prefix + n;
            List<String> c = new ArrayList<>();
            switch (name) {
                case "hash" -> {
                    c.addAll(List.of("HSET", key));
                    for (int i = 1; i <= elements; i++) {
                        c.add("f" + i);
                        c.add("v" + i);
                    }
                }
                case "set" -> {
                    c.addAll(List.of("SADD", key));
                    for (int i = 1; i <= elements; i++) {
                        c.add("m" + i);
                    }
                }
                case "intset" -> {
                    c.addAll(List.of("SADD", key));
                    for (int i = 1; i <= elements; i++) {
                        c.add(Integer.toString(i));
                    }
                }
                case "zset" -> {
                    c.addAll(List.of("ZADD", key));
                    for (int i = 1; i <= elements; i++) {
                        c.add(Integer.toString(i));
                        c.add("m" + i);
                    }
                }
                case "list" -> {
                    c.addAll(List.of("RPUSH", key));
                    for (int i = 1; i <= elements; i++) {
                        c.add("e" + i);
                    }
                }
                default -> throw new IllegalArgumentException("shape " + name);
            }
            return c;
        }
    }

    private static final List<Shape> SHAPES = List.of(
        new Shape("hash", "h:", "hash, 5 fields (`HSET h:<n> f1 v1 … f5 v5`)", 5),
        new Shape("set", "s:", "set, 5 string members (`SADD s:<n> m1 … m5`)", 5),
        new Shape("intset", "i:", "set, 5 integers (`SADD i:<n> 1 … 5`)", 5),
        new Shape("zset", "z:", "zset, 5 members (`ZADD z:<n> 1 m1 … 5 m5`)", 5),
        new Shape("list", "l:", "list, 5 elements (`RPUSH l:<n> e1 … e5`)", 5));

    @Option(names = "--quick", description = "Smoke mode: 2 000 keys per shape (checks the harness, not memory).")
    boolean quick;

    @Option(names = {"-k", "--keys"}, description = "Keys per shape (default: ${DEFAULT-VALUE}).")
    long keys = 1_000_000;

    @Option(names = "--shapes", split = ",", description = "Shapes: hash, set, intset, zset, list (default: hash,set,zset,list).")
    List<String> shapes = new ArrayList<>(List.of("hash", "set", "zset", "list"));

    @Option(names = "--pipeline", description = "Commands in flight on the loading connection (default: ${DEFAULT-VALUE}).")
    int pipeline = 256;

    @Option(names = "--strata-xmx", description = "-Xmx of Strata's JVM (default: ${DEFAULT-VALUE}).")
    String strataXmx = "4g";

    @Mixin
    ServerOptions servers = new ServerOptions();

    /** Where the last report was written (tests read it). */
    public Path reportPath;

    private final PrintStream log = System.err;
    private Path work;

    /** One measured shape on one server. */
    private record Result(long keys, long before, long after, String encoding, String usage, long errors, String firstError) {
        double perElement(int elements) {
            return (double) (after - before) / (keys * elements);
        }
    }

    @Override
    public Integer call() throws Exception {
        if (quick) {
            keys = Math.min(keys, 2_000);
        }
        List<Shape> chosen = new ArrayList<>();
        for (String s : shapes) {
            Shape shape = SHAPES.stream().filter(x -> x.name().equalsIgnoreCase(s.trim())).findFirst().orElse(null);
            if (shape == null) {
                log.println("memory: unknown shape " + s + " (hash, set, intset, zset, list)");
                return 2;
            }
            chosen.add(shape);
        }
        if (keys < 1 || pipeline < 1) {
            log.println("memory: need keys >= 1 and pipeline >= 1");
            return 2;
        }
        Path root = Path.of(System.getProperty("strata.root", ".")).toAbsolutePath().normalize();
        String unusable = servers.resolve(root);
        if (unusable != null) {
            log.println("memory: " + unusable);
            return 2;
        }
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        work = Files.createTempDirectory("strata-memory-");
        String loadBefore = CompareCommand.loadAverage();
        ServerProcess redis = null;
        ServerProcess strata = null;
        List<Result[]> results = new ArrayList<>();
        String redisVersion;
        Map<String, String> strataMemory;
        try {
            Path redisDir = Files.createDirectories(work.resolve("redis"));
            int redisPort = ServerProcess.freePort();
            redis = ServerProcess.start("redis-server", List.of(servers.redisServer, "--port", Integer.toString(redisPort),
                "--bind", "127.0.0.1", "--dir", redisDir.toString(), "--save", "", "--appendonly", "no"), redisPort, redisDir,
                work.resolve("redis.log"));
            Path strataDir = Files.createDirectories(work.resolve("strata"));
            int strataPort = ServerProcess.freePort();
            List<String> cmd = servers.strataJava(work.resolve("strata-gc.log"));
            if (!strataXmx.isBlank()) {
                cmd.add(1, "-Xmx" + strataXmx.trim());
            }
            cmd.addAll(List.of("--port", Integer.toString(strataPort), "--bind", "127.0.0.1", "--dir", strataDir.toString(),
                "--save", "", "--appendonly", "no", "--tier-spill", "no"));
            strata = ServerProcess.start("strata", cmd, strataPort, strataDir, work.resolve("strata.log"));
            try (RespClient c = redis.client()) {
                redisVersion = c.info("server", "redis_version");
            }
            for (Shape shape : chosen) {
                Result[] pair = new Result[2];
                pair[0] = measure(redis, shape);
                pair[1] = measure(strata, shape);
                results.add(pair);
                log.printf(Locale.ROOT, "memory: %s: redis-server %.1f B/element (%s), Strata %.1f B/element (%s)%n", shape.name(),
                    pair[0].perElement(shape.elements()), pair[0].encoding(), pair[1].perElement(shape.elements()), pair[1].encoding());
            }
            try (RespClient c = strata.client()) {
                strataMemory = c.infoSection("memory");
            }
        } finally {
            if (strata != null) {
                strata.stop();
            }
            if (redis != null) {
                redis.stop();
            }
            deleteTree(work);
        }
        writeReport(stamp, loadBefore, redisVersion, chosen, results, strataMemory);
        log.println("memory: report " + reportPath);
        return 0;
    }

    /** FLUSHALL, used_memory, the shape's keys, used_memory again. */
    private Result measure(ServerProcess s, Shape shape) throws IOException, InterruptedException {
        long before;
        try (RespClient c = s.client()) {
            c.call("FLUSHALL");
            Thread.sleep(200);
            before = usedMemory(c);
        }
        log.printf(Locale.ROOT, "memory: loading %,d keys of shape %s into %s%n", keys, shape.name(), s.name);
        long[] errors = {0};
        String[] firstError = {null};
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", s.port), 5000);
            socket.setSoTimeout(600_000);
            socket.setTcpNoDelay(true);
            OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 1 << 16);
            InputStream in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
            long sent = 0;
            long read = 0;
            while (read < keys) {
                // keep up to `pipeline` commands in flight: send a batch, then read the previous one
                long batchEnd = Math.min(keys, sent + pipeline);
                while (sent < batchEnd) {
                    out.write(resp(shape.command(sent)));
                    sent++;
                }
                out.flush();
                long readTo = sent == keys ? keys : Math.max(read, sent - pipeline);
                while (read < readTo) {
                    String error = readReply(in);
                    if (error != null && errors[0]++ == 0) {
                        firstError[0] = error;
                    }
                    read++;
                }
            }
        }
        Thread.sleep(200);
        try (RespClient c = s.client()) {
            long after = usedMemory(c);
            long dbsize = (Long) c.call("DBSIZE");
            if (dbsize != keys) {
                throw new IOException(s.name + " holds " + dbsize + " keys after loading " + keys + " of shape " + shape.name());
            }
            String sample = shape.prefix() + (keys / 2);
            String encoding = String.valueOf(c.call("OBJECT", "ENCODING", sample));
            String usage = String.valueOf(c.call("MEMORY", "USAGE", sample));
            return new Result(keys, before, after, encoding, usage, errors[0], firstError[0]);
        }
    }

    private static long usedMemory(RespClient c) throws IOException {
        return Long.parseLong(c.info("memory", "used_memory"));
    }

    private static byte[] resp(List<String> parts) {
        ByteArrayOutputStream b = new ByteArrayOutputStream(64);
        b.writeBytes(("*" + parts.size() + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (String p : parts) {
            byte[] v = p.getBytes(StandardCharsets.UTF_8);
            b.writeBytes(("$" + v.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            b.writeBytes(v);
            b.writeBytes(new byte[] {'\r', '\n'});
        }
        return b.toByteArray();
    }

    /** Reads one single-line reply (the writes answer integers); returns the text of an error reply, else null. */
    private static String readReply(InputStream in) throws IOException {
        int type = in.read();
        if (type < 0) {
            throw new IOException("connection closed while loading");
        }
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            if (c != '\r') {
                line.append((char) c);
            }
        }
        if (type == '-') {
            return line.toString();
        }
        if (type != ':' && type != '+') {
            throw new IOException("unexpected reply " + (char) type + line + " while loading");
        }
        return null;
    }

    private void writeReport(String stamp, String loadBefore, String redisVersion, List<Shape> chosen, List<Result[]> results,
                             Map<String, String> strataMemory) throws IOException {
        StringBuilder b = new StringBuilder();
        b.append("# Memory per element of small aggregates: Strata vs redis-server — ").append(stamp).append("\n\n");
        b.append("- Machine: ").append(CompareCommand.machine()).append("; Java ").append(System.getProperty("java.version")).append('\n');
        b.append("- Load average (1/5/15 min) before: ").append(loadBefore).append(", after: ").append(CompareCommand.loadAverage())
            .append('\n');
        b.append(String.format(Locale.ROOT, "- %,d keys per shape%s; one connection at pipeline %d; FLUSHALL before each shape%n", keys,
            quick ? " (**--quick: smoke mode, figures meaningless**)" : "", pipeline));
        b.append("- redis-server ").append(redisVersion).append(": `--save \"\" --appendonly no`\n");
        b.append(String.format(Locale.ROOT, "- Strata: `%s`%s, `--save \"\" --appendonly no --tier-spill no`%n",
            servers.strataClasspath != null ? "classpath io.strata.server.Main" : "java -jar " + servers.serverJar.getFileName(),
            strataXmx.isBlank() ? "" : " -Xmx" + strataXmx.trim()));
        b.append("- Figure: (used_memory after the keys − used_memory after FLUSHALL) / (keys × elements per key), each server's "
            + "own INFO memory figure (Strata's is its estimate of the heap its keys and values hold). MEMORY USAGE and "
            + "OBJECT ENCODING of the middle key.\n\n");
        b.append("| shape | redis-server B/element | Strata B/element | **Strata / Redis** | encoding Redis / Strata | MEMORY USAGE Redis / Strata | errors |\n");
        b.append("|---|---:|---:|---:|---|---:|---|\n");
        for (int i = 0; i < chosen.size(); i++) {
            Shape shape = chosen.get(i);
            Result r = results.get(i)[0];
            Result s = results.get(i)[1];
            double rp = r.perElement(shape.elements());
            double sp = s.perElement(shape.elements());
            b.append(String.format(Locale.ROOT, "| %s | %.1f | %.1f | **%.2f×** | %s / %s | %s / %s | %s |%n", shape.description(), rp, sp,
                sp / rp, r.encoding(), s.encoding(), r.usage(), s.usage(),
                r.errors() + s.errors() == 0 ? "0" : (r.errors() + s.errors()) + ": " + (r.firstError() != null ? r.firstError() : s.firstError())));
        }
        b.append("\nStrata INFO memory at the end: used_memory ").append(strataMemory.getOrDefault("used_memory", "?"))
            .append(", jvm_heap_used ").append(strataMemory.getOrDefault("jvm_heap_used", "?"))
            .append(" (heap in use includes garbage not yet collected).\n");
        Files.createDirectories(servers.out);
        reportPath = servers.out.resolve("memory-" + stamp + ".md");
        Files.writeString(reportPath, b.toString(), StandardCharsets.UTF_8);
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp directory left behind is harmless
        }
    }
}
