package io.strata.server;

import io.strata.engine.config.Config;
import redis.clients.jedis.Jedis;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Strata server on a free loopback port, in this JVM, for behaviour tests that talk to it
 * over real sockets with real clients. Extra arguments use redis-server syntax
 * ({@code "--requirepass", "x"}).
 */
public final class TestServer implements AutoCloseable {
    private final StrataServer server;
    /** A temporary dir this server got because the test named none; deleted on close. */
    private java.nio.file.Path ownedDir;

    private TestServer(StrataServer server) {
        this.server = server;
    }

    /**
     * Starts a server on a free port. Without {@code --dir} it gets a fresh temporary directory,
     * so no test ever loads or writes a dump.rdb in the working directory.
     */
    public static TestServer start(String... args) {
        java.nio.file.Path owned = null;
        try {
            List<String> all = new ArrayList<>(List.of("--port", "0", "--bind", "127.0.0.1"));
            if (!Arrays.asList(args).contains("--dir")) {
                owned = java.nio.file.Files.createTempDirectory("strata-test");
                all.addAll(List.of("--dir", owned.toString()));
            }
            all.addAll(Arrays.asList(args));
            Config config = ConfigLoader.load(all.toArray(new String[0]));
            StrataServer s = new StrataServer(config);
            s.start();
            TestServer t = new TestServer(s);
            t.ownedDir = owned;
            return t;
        } catch (Exception e) {
            deleteTree(owned);
            throw new IllegalStateException("cannot start test server", e);
        }
    }

    private static void deleteTree(java.nio.file.Path dir) {
        if (dir == null) {
            return;
        }
        try (var files = java.nio.file.Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).map(java.nio.file.Path::toFile)
                .forEach(java.io.File::delete);
        } catch (java.io.IOException e) {
            // best effort: a temp dir left behind is harmless
        }
    }

    /** Starts from a config file (as {@code strata-server file --name value…}); the file sets port and bind. */
    public static TestServer startFromFile(java.nio.file.Path file, String... args) {
        try {
            List<String> all = new ArrayList<>(List.of(file.toString()));
            all.addAll(Arrays.asList(args));
            StrataServer s = new StrataServer(ConfigLoader.load(all.toArray(new String[0])));
            s.start();
            return new TestServer(s);
        } catch (Exception e) {
            throw new IllegalStateException("cannot start test server", e);
        }
    }

    public int port() {
        return server.port();
    }

    public StrataServer server() {
        return server;
    }

    /** A new Jedis connection; the caller closes it. */
    public Jedis jedis() {
        Jedis j = new Jedis("127.0.0.1", port(), 10_000);
        return j;
    }

    @Override
    public void close() {
        server.shutdown();
        try {
            server.awaitShutdown(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        deleteTree(ownedDir);
    }
}
