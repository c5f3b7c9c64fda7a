package io.strata.server;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisConnectionException;

import java.io.BufferedOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Datasets larger than the server's heap, loaded through the real {@code redis-cli --pipe} into
 * child server JVMs. The first test gives the server nothing but a small heap ({@code -Xmx256m}):
 * the spill tier is on by default and maxmemory comes from the heap. {@code -Dstrata.bigdata=true}
 * runs the full sizes (1 million 400-byte values into 256 MB; 4 million into
 * {@code maxmemory 128mb}); by default scaled runs keep CI short.
 */
class LargerThanRamTest {
    private static final String REDIS_CLI = "/usr/bin/redis-cli";
    private static final int VALUE_BYTES = 400;

    @TempDir
    Path dir;

    @Test
    @DisplayName("a server given only -Xmx256m takes N keys of 400 B (more than its heap) through redis-cli --pipe: spilling is on by default, PING answers throughout, every sampled value is right")
    void onlyASmallHeap() throws Exception {
        assumeTrue(new File(REDIS_CLI).canExecute(), "redis-cli (Debian redis-tools) is not installed");
        int n = Boolean.getBoolean("strata.bigdata") ? 1_000_000 : 300_000;
        Process server = null;
        try {
            int port = RedisServerProcess.freePort();
            server = startChild(port, List.of("-Xmx256m"), List.of(), TimeUnit.MINUTES.toMillis(2));
            long[] worstPing = new long[1];
            Throwable[] pingFailure = new Throwable[1];
            Thread pinger = pinger(port, worstPing, pingFailure);
            long t0 = System.nanoTime();
            feed(port, n);
            double loadSec = (System.nanoTime() - t0) / 1e9;
            pinger.interrupt();
            pinger.join();
            assertEquals(null, pingFailure[0], "PING failed during the load");
            try (Jedis j = new Jedis("127.0.0.1", port, 600_000)) {
                assertEquals(n, j.dbSize());
                sample(j, n, 1000, 1);
                Map<String, String> tiers = Tiering.info(j);
                Map<String, String> mem = AdminCommandsTest.parseInfo(j.info("memory"));
                assertTrue(Long.parseLong(tiers.get("tier_cold_keys")) > 0, tiers.toString());
                assertEquals("heap", mem.get("maxmemory_source"));
                long cold = Long.parseLong(tiers.get("tier_cold_keys"));
                System.out.printf("LargerThanRamTest -Xmx256m only: %d keys in %.1f s (%.0f keys/s), slowest PING %d ms, "
                        + "maxmemory %s (from the heap), cold keys %d, filter %.2f B per cold key, RssAnon %d MB%n",
                    n, loadSec, n / loadSec, worstPing[0], mem.get("maxmemory_human"), cold,
                    (double) Long.parseLong(tiers.get("tier_filter_bytes")) / cold, rssAnonBytes(server.pid()) >> 20);
            }
        } finally {
            if (server != null) {
                server.destroyForcibly();
                server.waitFor();
            }
        }
    }

    @Test
    @DisplayName("bin/strata-server with only --maxmemory sizes the heap itself: RssAnon stays under heap + 200 MB while 4x maxmemory is loaded")
    void maxmemoryAloneBoundsTheProcess() throws Exception {
        assumeTrue(new File(REDIS_CLI).canExecute(), "redis-cli (Debian redis-tools) is not installed");
        long maxmemory = 32L << 20;
        int n = (int) (4 * maxmemory / VALUE_BYTES);
        // README "Memory": -Xmx = max(maxmemory + 256 MB, 1.5 x maxmemory), RssAnon about heap + 150 MB
        long bound = Math.max(maxmemory + (256L << 20), maxmemory * 3 / 2) + (200L << 20);
        Process server = null;
        try {
            int port = RedisServerProcess.freePort();
            server = startChild(port, null, List.of("--maxmemory", "32mb"), TimeUnit.MINUTES.toMillis(2));
            long pid = server.pid();
            long[] peak = new long[1];
            Thread watch = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    try {
                        peak[0] = Math.max(peak[0], rssAnonBytes(pid));
                        Thread.sleep(100);
                    } catch (IOException | InterruptedException e) {
                        return;
                    }
                }
            });
            watch.start();
            feed(port, n);
            try (Jedis j = new Jedis("127.0.0.1", port, 600_000)) {
                assertEquals(n, j.dbSize());
                sample(j, n, 500, 3);
                assertEquals(maxmemory, Tiering.infoField(j, "memory", "maxmemory"));
            }
            watch.interrupt();
            watch.join();
            peak[0] = Math.max(peak[0], rssAnonBytes(pid));
            System.out.printf("LargerThanRamTest --maxmemory 32mb: %d keys, peak RssAnon %d MB, bound %d MB%n",
                n, peak[0] >> 20, bound >> 20);
            assertTrue(peak[0] < bound, "RssAnon peaked at " + peak[0] + " B, over the documented " + bound + " B");
        } finally {
            if (server != null) {
                server.destroyForcibly();
                server.waitFor();
            }
        }
    }

    /** A thread that PINGs every 50 ms over its own connection; the first failure is kept. */
    private static Thread pinger(int port, long[] worstMs, Throwable[] failure) {
        Thread t = new Thread(() -> {
            try (Jedis j = new Jedis("127.0.0.1", port, 10_000)) {
                while (!Thread.currentThread().isInterrupted()) {
                    long t0 = System.nanoTime();
                    assertEquals("PONG", j.ping());
                    worstMs[0] = Math.max(worstMs[0], (System.nanoTime() - t0) / 1_000_000);
                    Thread.sleep(50);
                }
            } catch (InterruptedException done) {
                // the load finished
            } catch (Throwable e) {
                failure[0] = e;
            }
        }, "pinger");
        t.start();
        return t;
    }

    @Test
    @DisplayName("-Xmx512m server takes N keys of 400 B through redis-cli --pipe with the spill tier, answers sampled keys, keeps them across SHUTDOWN SAVE and a restart")
    void largerThanRam() throws Exception {
        assumeTrue(new File(REDIS_CLI).canExecute(), "redis-cli (Debian redis-tools) is not installed");
        boolean big = Boolean.getBoolean("strata.bigdata");
        int n = Integer.getInteger("strata.bigdata.keys", big ? 4_000_000 : 300_000);
        String maxmemory = System.getProperty("strata.bigdata.maxmemory", big ? "128mb" : "16mb");
        long valueBytes = (long) n * VALUE_BYTES;
        Process server = null;
        List<String> flags = List.of("--tier-spill", "yes", "--maxmemory", maxmemory, "--maxmemory-policy", "allkeys-lru");
        try {
            int port = RedisServerProcess.freePort();
            server = startChild(port, List.of("-Xmx512m"), flags, TimeUnit.MINUTES.toMillis(2));
            long t0 = System.nanoTime();
            feed(port, n);
            double loadSec = (System.nanoTime() - t0) / 1e9;
            long rssAfterLoad;
            Map<String, String> tiers;
            try (Jedis j = new Jedis("127.0.0.1", port, 600_000)) {
                assertEquals(n, j.dbSize());
                sample(j, n, 1000, 1);
                rssAfterLoad = rssAnonBytes(server.pid());
                tiers = Tiering.info(j);
                assertTrue(Long.parseLong(tiers.get("tier_cold_keys")) > 0, tiers.toString());
                System.out.printf("LargerThanRamTest: %d keys, %d MB of values, maxmemory %s, -Xmx512m%n",
                    n, valueBytes >> 20, maxmemory);
                System.out.printf("  load via redis-cli --pipe: %.1f s (%.0f keys/s)%n", loadSec, n / loadSec);
                System.out.printf("  RssAnon after load and 1000 sampled reads: %d MB (%.0f%% of the value bytes)%n",
                    rssAfterLoad >> 20, 100.0 * rssAfterLoad / valueBytes);
                System.out.printf("  hot keys %s, cold keys %s, spill files %s MB, stored %s MB, filter %s KB, used_memory %d MB%n",
                    tiers.get("tier_hot_keys"), tiers.get("tier_cold_keys"),
                    Long.parseLong(tiers.get("tier_spill_file_bytes")) >> 20,
                    Long.parseLong(tiers.get("tier_spill_stored_bytes")) >> 20,
                    Long.parseLong(tiers.get("tier_filter_bytes")) >> 10,
                    Tiering.infoField(j, "memory", "used_memory") >> 20);
                if (big) {
                    assertTrue(rssAfterLoad < valueBytes / 2,
                        "RssAnon " + rssAfterLoad + " B is not under half the " + valueBytes + " B of values");
                }
                long s0 = System.nanoTime();
                try {
                    j.sendCommand(() -> "SHUTDOWN".getBytes(StandardCharsets.US_ASCII), "SAVE");
                } catch (JedisConnectionException expected) {
                    // the server closes the connection as it exits
                }
                assertTrue(server.waitFor(30, TimeUnit.MINUTES), "SHUTDOWN SAVE did not end the server");
                System.out.printf("  SHUTDOWN SAVE: %.1f s, dump.rdb %d MB, exit code %d%n", (System.nanoTime() - s0) / 1e9,
                    Files.size(dir.resolve("dump.rdb")) >> 20, server.exitValue());
            }

            port = RedisServerProcess.freePort();
            long r0 = System.nanoTime();
            server = startChild(port, List.of("-Xmx512m"), flags, TimeUnit.MINUTES.toMillis(big ? 30 : 3));
            double restartSec = (System.nanoTime() - r0) / 1e9;
            try (Jedis j = new Jedis("127.0.0.1", port, 600_000)) {
                assertEquals(n, j.dbSize());
                sample(j, n, 1000, 2);
                long rss = rssAnonBytes(server.pid());
                tiers = Tiering.info(j);
                assertTrue(Long.parseLong(tiers.get("tier_cold_keys")) > 0, "the load streamed keys into the spill tier: " + tiers);
                System.out.printf("  restart (JVM start and RDB load): %.1f s, RssAnon %d MB, cold keys %s, spill files %s MB%n",
                    restartSec, rss >> 20, tiers.get("tier_cold_keys"),
                    Long.parseLong(tiers.get("tier_spill_file_bytes")) >> 20);
                if (big) {
                    assertTrue(rss < valueBytes / 2, "RssAnon after restart " + rss + " B");
                }
            }
        } finally {
            if (server != null) {
                server.destroyForcibly();
                server.waitFor();
            }
        }
    }

    /** The value of key:i: 400 printable, incompressible bytes derived from i. */
    private static byte[] value(long i) {
        return Tiering.noise(i, VALUE_BYTES);
    }

    /** SET key:0..key:n-1 through redis-cli --pipe, streaming RESP into its stdin. */
    private void feed(int port, int n) throws Exception {
        Path out = dir.resolve("redis-cli-pipe.log");
        Process cli = new ProcessBuilder(REDIS_CLI, "-h", "127.0.0.1", "-p", Integer.toString(port), "--pipe")
            .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try (OutputStream os = new BufferedOutputStream(cli.getOutputStream(), 1 << 16)) {
            byte[] head = "*3\r\n$3\r\nSET\r\n$".getBytes(StandardCharsets.US_ASCII);
            byte[] valueHead = ("\r\n$" + VALUE_BYTES + "\r\n").getBytes(StandardCharsets.US_ASCII);
            byte[] crlf = {'\r', '\n'};
            for (int i = 0; i < n; i++) {
                byte[] key = ("key:" + i).getBytes(StandardCharsets.US_ASCII);
                os.write(head);
                os.write(Integer.toString(key.length).getBytes(StandardCharsets.US_ASCII));
                os.write(crlf);
                os.write(key);
                os.write(valueHead);
                os.write(value(i));
                os.write(crlf);
            }
        }
        assertTrue(cli.waitFor(30, TimeUnit.MINUTES), "redis-cli --pipe did not finish");
        String log = Files.readString(out);
        assertEquals(0, cli.exitValue(), log);
        assertTrue(log.contains("errors: 0, replies: " + n), log);
    }

    /** GETs {@code count} random keys (pipelined) and compares each with its value. */
    private static void sample(Jedis j, int n, int count, long seed) {
        Random rnd = new Random(seed);
        Pipeline p = j.pipelined();
        List<Integer> ids = new ArrayList<>();
        List<Response<byte[]>> got = new ArrayList<>();
        for (int c = 0; c < count; c++) {
            int i = c == 0 ? 0 : c == 1 ? n - 1 : rnd.nextInt(n);
            ids.add(i);
            got.add(p.get(("key:" + i).getBytes(StandardCharsets.US_ASCII)));
        }
        p.sync();
        for (int c = 0; c < count; c++) {
            assertArrayEquals(value(ids.get(c)), got.get(c).get(), "key:" + ids.get(c));
        }
    }

    /** RssAnon of a process from /proc/pid/status, in bytes. */
    private static long rssAnonBytes(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("RssAnon:")) {
                return Long.parseLong(line.substring(8).trim().split("\\s+")[0]) * 1024;
            }
        }
        throw new IOException("no RssAnon in /proc/" + pid + "/status");
    }

    /**
     * Starts {@code io.strata.server.Main} in a child JVM with {@code jvm} flags, the Chronicle
     * module flags this JVM runs with, persistence off (SHUTDOWN SAVE saves anyway) and
     * {@code flags}, and waits until it has loaded its dataset (INFO loading:0). With
     * {@code jvm} null the child runs through {@code bin/strata-server} over this build's
     * classes, so the launcher chooses heap and collector.
     */
    private Process startChild(int port, List<String> jvm, List<String> flags, long timeoutMs) throws Exception {
        List<String> cmd = new ArrayList<>();
        List<String> modules = ChildServer.moduleFlags();
        ProcessBuilder pb = new ProcessBuilder(cmd);
        if (jvm == null) {
            Path launcher = Path.of("..", "bin", "strata-server").toAbsolutePath().normalize();
            cmd.add(launcher.toString());
            pb.environment().put("STRATA_SERVER_CP", System.getProperty("java.class.path"));
            pb.environment().put("JAVA_OPTS", String.join(" ", modules));
        } else {
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.addAll(jvm);
            cmd.addAll(modules);
            cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.strata.server.Main"));
        }
        cmd.addAll(List.of("--port", Integer.toString(port), "--bind", "127.0.0.1", "--dir", dir.toString(),
            "--save", "", "--appendonly", "no"));
        cmd.addAll(flags);
        Path log = dir.resolve("server.log");
        Process p = pb.redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        return ChildServer.awaitLoaded(p, port, log, timeoutMs);
    }
}
