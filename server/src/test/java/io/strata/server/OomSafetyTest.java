package io.strata.server;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A small heap, no spill tier and no maxmemory (Redis' defaults), and clients writing large
 * values as fast as they can: the server must answer -OOM before the heap runs out, keep
 * answering PING and GET, and — run with {@code appendfsync always} and killed with
 * {@code kill -9} — come back with every write it acknowledged.
 */
class OomSafetyTest {
    private static final int VALUE_BYTES = 64 * 1024;
    private static final int WRITERS = 4;

    @TempDir
    Path dir;

    private static byte[] value(String key) {
        byte[] v = new byte[VALUE_BYTES];
        byte[] k = key.getBytes();
        for (int i = 0; i < v.length; i++) {
            v[i] = (byte) ('a' + (k[i % k.length] + i) % 26);
        }
        return v;
    }

    @Test
    @DisplayName("writers flooding a 256 MB heap get -OOM, never a hang; PING and GET answer throughout; after kill -9 every acknowledged write is back")
    void floodASmallHeap() throws Exception {
        int port0 = RedisServerProcess.freePort();
        Process server = start(port0);
        Map<String, Boolean> acked = new ConcurrentHashMap<>();
        AtomicInteger ooms = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try {
            int port = port0;
            try (Jedis j = new Jedis("127.0.0.1", port, 10_000)) {
                j.set("probe".getBytes(), value("probe"));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < WRITERS; t++) {
                int id = t;
                threads.add(new Thread(() -> {
                    try (Jedis j = new Jedis("127.0.0.1", port, 30_000)) {
                        for (int i = 0; ooms.get() < 200 && System.nanoTime() < deadline; i++) {
                            String key = "big:" + id + ":" + i;
                            try {
                                j.set(key.getBytes(), value(key));
                                acked.put(key, true);
                            } catch (JedisDataException e) {
                                assertEquals("OOM command not allowed when used memory > 'maxmemory'.", e.getMessage());
                                ooms.incrementAndGet();
                            }
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                }, "writer-" + t));
            }
            threads.forEach(Thread::start);
            long worst = 0;
            try (Jedis j = new Jedis("127.0.0.1", port, 10_000)) {
                while (threads.stream().anyMatch(Thread::isAlive)) {
                    long t0 = System.nanoTime();
                    assertEquals("PONG", j.ping());
                    assertArrayEquals(value("probe"), j.get("probe".getBytes()));
                    worst = Math.max(worst, (System.nanoTime() - t0) / 1_000_000);
                    Thread.sleep(20);
                }
            }
            for (Thread t : threads) {
                t.join();
            }
            assertNull(failure.get(), "a writer failed otherwise than with -OOM");
            assertTrue(ooms.get() > 0, "the writers never met -OOM (" + acked.size() + " writes acknowledged)");
            assertTrue(server.isAlive(), "the server died");
            System.out.printf("OomSafetyTest: %d writes of %d KB acknowledged, %d -OOM replies, slowest PING+GET %d ms%n",
                acked.size(), VALUE_BYTES >> 10, ooms.get(), worst);
        } finally {
            server.destroyForcibly(); // kill -9
            server.waitFor();
        }
        int port1 = RedisServerProcess.freePort();
        server = start(port1);
        try (Jedis j = new Jedis("127.0.0.1", port1, 60_000)) {
            for (String key : acked.keySet()) {
                byte[] got = j.get(key.getBytes());
                assertTrue(got != null && Arrays.equals(value(key), got), "acknowledged write lost: " + key);
            }
        } finally {
            server.destroyForcibly();
            server.waitFor();
        }
    }

    private Process start(int port) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx256m");
        cmd.addAll(ChildServer.moduleFlags());
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.strata.server.Main",
            "--port", Integer.toString(port), "--bind", "127.0.0.1", "--dir", dir.toString(),
            "--save", "", "--appendonly", "yes", "--appendfsync", "always", "--tier-spill", "no"));
        Path log = dir.resolve("server.log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        return ChildServer.awaitLoaded(p, port, log, 120_000);
    }
}
