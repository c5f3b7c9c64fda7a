package io.strata.server;

import redis.clients.jedis.Jedis;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Test helper: servers in child JVMs, as a user runs them, for tests that kill or starve them. */
final class ChildServer {
    private ChildServer() {
    }

    /** The Chronicle module flags this JVM runs with, and analytics off: what a child JVM needs besides its heap. */
    static List<String> moduleFlags() {
        List<String> flags = new ArrayList<>();
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("--add-opens") || arg.startsWith("--add-exports")) {
                flags.add(arg);
            }
        }
        flags.add("-Dchronicle.analytics.disable=true");
        return flags;
    }

    /** Waits until the child answers INFO with loading:0; throws with its log when it exits or times out. */
    static Process awaitLoaded(Process p, int port, Path log, long timeoutMs) throws Exception {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (System.currentTimeMillis() < deadline) {
            if (!p.isAlive()) {
                throw new IllegalStateException("server exited with " + p.exitValue() + ":\n" + Files.readString(log));
            }
            try (Jedis j = new Jedis("127.0.0.1", port, 5000)) {
                if ("0".equals(AdminCommandsTest.parseInfo(j.info("persistence")).get("loading"))) {
                    return p;
                }
            } catch (Exception e) {
                // not listening yet, or -LOADING
            }
            Thread.sleep(50);
        }
        p.destroyForcibly();
        throw new IllegalStateException("server did not come up within " + timeoutMs + " ms:\n" + Files.readString(log));
    }
}
