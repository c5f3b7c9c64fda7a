package io.strata.bench.compare;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A server under test running as a child process on a loopback port, with its output in a log
 * file. Started by {@link #start}, stopped by {@link #stop} (SHUTDOWN NOSAVE, then kill).
 *
 * <p>Thread rule: one thread (the comparison's); {@link #stop} is also safe from a shutdown hook.
 */
final class ServerProcess {
    final String name;
    final int port;
    final Path log;
    private final Process process;
    /** Milliseconds from starting the process to its first PONG (PING answered; -LOADING retried). */
    double startupMs;

    private ServerProcess(String name, int port, Path log, Process process) {
        this.name = name;
        this.port = port;
        this.log = log;
        this.process = process;
    }

    /** A port that was free a moment ago on 127.0.0.1. */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }

    /** Starts {@code command} and waits until the server answers PING on {@code port}. */
    static ServerProcess start(String name, List<String> command, int port, Path workDir, Path log)
        throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
            .redirectOutput(log.toFile());
        long t0 = System.nanoTime();
        Process p = pb.start();
        ServerProcess s = new ServerProcess(name, port, log, p);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        IOException last = null;
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IOException(name + " exited with status " + p.exitValue() + " during startup; see " + log);
            }
            try (RespClient c = new RespClient("127.0.0.1", port, 2000)) {
                if ("PONG".equals(c.call("PING"))) {
                    s.startupMs = (System.nanoTime() - t0) / 1e6;
                    return s;
                }
            } catch (IOException e) {
                last = e;
            }
            Thread.sleep(10);
        }
        s.stop();
        throw new IOException(name + " did not answer PING on port " + port + " within 120 s: " + last + "; see " + log);
    }

    RespClient client() throws IOException {
        return new RespClient("127.0.0.1", port, 30_000);
    }

    boolean isAlive() {
        return process.isAlive();
    }

    long pid() {
        return process.pid();
    }

    void stop() {
        if (!process.isAlive()) {
            return;
        }
        try (RespClient c = new RespClient("127.0.0.1", port, 2000)) {
            c.call("SHUTDOWN", "NOSAVE");
        } catch (IOException expected) {
            // the connection closes as the server goes down
        }
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroy();
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
