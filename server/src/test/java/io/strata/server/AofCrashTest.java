package io.strata.server;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

import java.io.File;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * kill -9 at random moments under appendfsync always: every acknowledged write survives.
 * {@code -Dstrata.crash.kills=N} runs longer (20 kills by default).
 */
class AofCrashTest {
    private static final int WRITERS = 4;

    @TempDir
    Path dir;

    private Process startChild(int port) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = List.of(java, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            "-cp", System.getProperty("java.class.path"), "io.strata.server.Main",
            "--port", Integer.toString(port), "--bind", "127.0.0.1", "--dir", dir.toString(),
            "--appendonly", "yes", "--appendfsync", "always");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(new File(dir.toFile(), "server.log")));
        Process p = pb.start();
        long deadline = System.currentTimeMillis() + 30_000;
        while (System.currentTimeMillis() < deadline) {
            if (!p.isAlive()) {
                throw new IllegalStateException("server exited with " + p.exitValue() + ", see " + dir.resolve("server.log"));
            }
            try (Jedis j = new Jedis("127.0.0.1", port, 2000)) {
                j.set("ready", "1"); // -LOADING until the AOF is replayed
                return p;
            } catch (Exception e) {
                Thread.sleep(20);
            }
        }
        throw new IllegalStateException("server did not come up");
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    @Covers({"incr", "set", "get"})
    @DisplayName("kill -9 at random moments with appendfsync always: every acknowledged INCR and SET is there after restart")
    void shouldKeepEveryAcknowledgedWriteAcrossKills() throws Exception {
        int kills = Integer.getInteger("strata.crash.kills", 20);
        Random rnd = new Random();
        long[] counters = new long[WRITERS];
        ConcurrentHashMap<String, String> acked = new ConcurrentHashMap<>();
        long totalAcked = 0;
        long runNanos = 0;
        for (int round = 0; round < kills; round++) {
            int port = freePort();
            Process p = startChild(port);
            // what survived the previous kill: at least every acknowledged write
            try (Jedis j = new Jedis("127.0.0.1", port, 10_000)) {
                for (int t = 0; t < WRITERS; t++) {
                    String v = j.get("c" + t);
                    long now = v == null ? 0 : Long.parseLong(v);
                    assertTrue(now >= counters[t], "round " + round + ": counter c" + t + " is " + now
                        + " but " + counters[t] + " was acknowledged");
                    assertTrue(now <= counters[t] + 1, "round " + round + ": counter c" + t + " is " + now
                        + ", at most one unacknowledged INCR may have landed after " + counters[t]);
                    counters[t] = now;
                }
                int checked = 0;
                for (var e : acked.entrySet()) {
                    if (checked++ % 7 == 0 || round == kills - 1) {
                        assertEquals(e.getValue(), j.get(e.getKey()), "round " + round + ": acknowledged SET " + e.getKey());
                    }
                }
            }
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong ops = new AtomicLong();
            List<Thread> writers = new ArrayList<>();
            int r = round;
            for (int t = 0; t < WRITERS; t++) {
                int id = t;
                Thread w = new Thread(() -> {
                    try (Jedis j = new Jedis("127.0.0.1", port, 10_000)) {
                        for (long i = 0; !stop.get(); i++) {
                            long v = j.incr("c" + id);
                            counters[id] = v;
                            String key = "s" + id + ":" + r + ":" + i;
                            j.set(key, Long.toString(v));
                            acked.put(key, Long.toString(v));
                            ops.addAndGet(2);
                        }
                    } catch (Exception e) {
                        // the kill: whatever was not acknowledged may or may not be there
                    }
                }, "writer-" + t);
                writers.add(w);
                w.start();
            }
            long t0 = System.nanoTime();
            Thread.sleep(150 + rnd.nextInt(350));
            p.destroyForcibly();
            p.waitFor();
            runNanos += System.nanoTime() - t0;
            stop.set(true);
            for (Thread w : writers) {
                w.join();
            }
            totalAcked += ops.get();
        }
        int port = freePort();
        Process p = startChild(port);
        try (Jedis j = new Jedis("127.0.0.1", port, 10_000)) {
            for (var e : acked.entrySet()) {
                assertEquals(e.getValue(), j.get(e.getKey()), "acknowledged SET " + e.getKey());
            }
            for (int t = 0; t < WRITERS; t++) {
                assertTrue(Long.parseLong(j.get("c" + t)) >= counters[t]);
            }
        } finally {
            p.destroyForcibly();
            p.waitFor();
        }
        System.out.printf("AofCrashTest: %d kills, %d acknowledged writes, %.0f acknowledged writes/s with appendfsync always%n",
            kills, totalAcked, totalAcked / (runNanos / 1e9));
    }
}
