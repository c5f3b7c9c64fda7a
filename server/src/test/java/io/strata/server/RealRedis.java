package io.strata.server;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.TimeUnit;

/**
 * A real redis-server child process on a free loopback port, for tests that compare Strata with
 * the reference byte for byte. Nothing is persisted ({@code --save '' --appendonly no}).
 * {@link #available()} is false when {@code /usr/bin/redis-server} is missing; tests then skip.
 */
final class RealRedis implements AutoCloseable {
    static final String BINARY = "/usr/bin/redis-server";

    private final Process process;
    private final int port;

    private RealRedis(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    static boolean available() {
        return new File(BINARY).canExecute();
    }

    /** Starts redis-server; {@code extra} are more {@code --name value} arguments. */
    static RealRedis start(String... extra) throws IOException, InterruptedException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of(BINARY, "--port", Integer.toString(port),
            "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no", "--logfile", ""));
        cmd.addAll(java.util.List.of(extra));
        Process p = new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            try (Socket ignored = new Socket("127.0.0.1", port)) {
                return new RealRedis(p, port);
            } catch (IOException notYet) {
                if (!p.isAlive()) {
                    throw new IOException("redis-server exited with status " + p.exitValue());
                }
                Thread.sleep(50);
            }
        }
        p.destroyForcibly();
        throw new IOException("redis-server did not start listening on port=" + port);
    }

    int port() {
        return port;
    }

    redis.clients.jedis.Jedis jedis() {
        return new redis.clients.jedis.Jedis("127.0.0.1", port, 10_000);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
