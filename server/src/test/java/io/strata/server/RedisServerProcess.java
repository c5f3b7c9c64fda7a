package io.strata.server;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The Debian {@code redis-server} started by a test as the reference implementation, on a free
 * loopback port with persistence off, in a temporary directory. Tests use it only to compare
 * behaviour; Strata never talks to it. {@link #available()} tells whether it is installed.
 */
public final class RedisServerProcess implements AutoCloseable {
    private static final String BINARY = "/usr/bin/redis-server";
    private final Process process;
    private final int port;
    private final Path dir;
    private boolean ownsDir = true;

    private RedisServerProcess(Process process, int port, Path dir) {
        this.process = process;
        this.port = port;
        this.dir = dir;
    }

    public static boolean available() {
        return new File(BINARY).canExecute();
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Starts redis-server with {@code --save "" --appendonly no} plus {@code extra} arguments. */
    public static RedisServerProcess start(String... extra) throws IOException, InterruptedException {
        int port = freePort();
        Path dir = Files.createTempDirectory("redis-ref");
        List<String> cmd = new ArrayList<>(List.of(BINARY, "--port", Integer.toString(port), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no", "--dir", dir.toString()));
        cmd.addAll(Arrays.asList(extra));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
            .redirectOutput(dir.resolve("redis.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return new RedisServerProcess(p, port, dir);
            } catch (IOException e) {
                Thread.sleep(20);
            }
        }
        p.destroyForcibly();
        throw new IOException("redis-server did not start on port " + port);
    }

    /**
     * Starts redis-server in {@code dir} (a test's own directory, kept on close) with
     * {@code --appendonly no} plus {@code extra}; it loads {@code dir/dump.rdb} when present.
     */
    public static RedisServerProcess startIn(Path dir, String... extra) throws IOException, InterruptedException {
        int port = freePort();
        List<String> cmd = new ArrayList<>(List.of(BINARY, "--port", Integer.toString(port), "--bind", "127.0.0.1",
            "--appendonly", "no", "--dir", dir.toString()));
        cmd.addAll(Arrays.asList(extra));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
            .redirectOutput(dir.resolve("redis-" + port + ".log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                RedisServerProcess r = new RedisServerProcess(p, port, dir);
                r.ownsDir = false;
                return r;
            } catch (IOException e) {
                Thread.sleep(20);
            }
        }
        p.destroyForcibly();
        throw new IOException("redis-server did not start on port " + port);
    }

    public Path dir() {
        return dir;
    }

    public int port() {
        return port;
    }

    @Override
    public void close() throws IOException {
        process.destroyForcibly();
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!ownsDir) {
            return;
        }
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        }
    }
}
