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

    private TestServer(StrataServer server) {
        this.server = server;
    }

    public static TestServer start(String... args) {
        try {
            List<String> all = new ArrayList<>(List.of("--port", "0", "--bind", "127.0.0.1"));
            all.addAll(Arrays.asList(args));
            Config config = ConfigLoader.load(all.toArray(new String[0]));
            StrataServer s = new StrataServer(config);
            s.start();
            return new TestServer(s);
        } catch (Exception e) {
            throw new IllegalStateException("cannot start test server", e);
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
    }
}
