package io.strata.bench.compare;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
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
    /** {@code System.nanoTime()} just before the process was created. */
    long startedAtNanos;

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
        ServerProcess s = launch(name, command, port, workDir, log);
        s.awaitPong();
        return s;
    }

    /**
     * Starts {@code command} without waiting for it to answer; {@link #startedAtNanos} is taken
     * just before the process is created, so callers can time the phases of a start themselves.
     */
    static ServerProcess launch(String name, List<String> command, int port, Path workDir, Path log) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
            .redirectOutput(log.toFile());
        long t0 = System.nanoTime();
        ServerProcess s = new ServerProcess(name, port, log, pb.start());
        s.startedAtNanos = t0;
        return s;
    }

    /** Waits until PING answers PONG (-LOADING and refused connections are retried); sets {@link #startupMs}. */
    void awaitPong() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        IOException last = null;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException(name + " exited with status " + process.exitValue() + " during startup; see " + log
                    + logTail());
            }
            try (RespClient c = new RespClient("127.0.0.1", port, 2000)) {
                if ("PONG".equals(c.call("PING"))) {
                    startupMs = (System.nanoTime() - startedAtNanos) / 1e6;
                    return;
                }
            } catch (IOException e) {
                last = e;
            }
            Thread.sleep(10);
        }
        stop();
        throw new IOException(name + " did not answer PING on port " + port + " within 120 s: " + last + "; see " + log);
    }

    /** The last lines of the server's log, for an error message ("" when unreadable). */
    String logTail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return lines.isEmpty() ? "" : "; log ends with:\n  " + String.join("\n  ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
        } catch (IOException | RuntimeException e) {
            return "";
        }
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
