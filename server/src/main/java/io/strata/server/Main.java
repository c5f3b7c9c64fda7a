package io.strata.server;

import io.strata.engine.Engine;
import io.strata.engine.config.Config;

/**
 * Entry point: {@code strata-server [config-file] [--name value ...]}, as redis-server.
 *
 * <p>Thread rule: main thread; it waits for shutdown and exits.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] argv) throws Exception {
        // before any Chronicle class can load: this server never calls outside the machine
        System.setProperty("chronicle.analytics.disable", "true");
        // buffers are released on known paths; sampling leak tracking costs on every allocation
        if (System.getProperty("io.netty.leakDetection.level") == null) {
            System.setProperty("io.netty.leakDetection.level", "disabled");
        }
        io.strata.engine.Fatal.installHandler();
        if (argv.length == 1 && (argv[0].equals("-v") || argv[0].equals("--version"))) {
            System.out.println("Strata server v=" + Engine.STRATA_VERSION + " redis_version=" + Engine.REDIS_VERSION);
            return;
        }
        if (argv.length == 1 && (argv[0].equals("-h") || argv[0].equals("--help"))) {
            System.out.println("Usage: strata-server [/path/to/strata.conf] [options]\n"
                + "       strata-server - (read config from stdin is not supported)\n"
                + "       strata-server -v or --version\n"
                + "       strata-server -h or --help\n\n"
                + "Examples:\n"
                + "       strata-server (run the server with default conf)\n"
                + "       strata-server /etc/strata/6379.conf\n"
                + "       strata-server --port 7777\n"
                + "       strata-server /etc/mystrata.conf --loglevel verbose --dir ./data");
            return;
        }
        Config config;
        try {
            config = ConfigLoader.load(argv);
        } catch (ConfigLoader.ConfigException e) {
            System.err.println(e.getMessage());
            System.exit(1);
            return;
        }
        Log.configure(config.logfile, config.loglevel);
        if (!config.pidfile.isEmpty()) {
            java.nio.file.Files.writeString(java.nio.file.Path.of(config.pidfile), Log.pid() + "\n");
        }
        StrataServer server = new StrataServer(config);
        try {
            server.start();
        } catch (IllegalStateException e) {
            Log.warning(e.getMessage());
            System.exit(1);
            return;
        }
        Log.notice("Strata version=" + Engine.STRATA_VERSION + " (Redis " + Engine.REDIS_VERSION
            + " compatible), port=" + server.port() + " pid=" + Log.pid()
            + " io-threads=" + server.ioThreads()
            + " config=" + (config.configFile == null ? "(none)" : config.configFile) + ", just started");
        Log.notice("Ready to accept connections tcp");
        Thread hook = new Thread(() -> {
            if (!server.isStopping()) {
                Log.warning("Received SIGTERM scheduling shutdown...");
                server.shutdownOnSignal(60);
            } else {
                server.shutdown();
            }
            try {
                server.awaitShutdown(10, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "strata-sigterm");
        Runtime.getRuntime().addShutdownHook(hook);
        server.awaitShutdown();
        if (!config.pidfile.isEmpty()) {
            java.nio.file.Files.deleteIfExists(java.nio.file.Path.of(config.pidfile));
        }
        System.exit(0);
    }
}
