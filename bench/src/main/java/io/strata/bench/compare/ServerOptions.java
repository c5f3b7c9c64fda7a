package io.strata.bench.compare;

import picocli.CommandLine.Option;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The options every side-by-side command shares (which Strata and which redis-server to start,
 * where reports go) and the Strata command line built from them. A picocli mixin.
 *
 * <p>Thread rule: the command's thread.
 */
final class ServerOptions {
    @Option(names = "--out", description = "Report directory (default: <repo>/bench/results).")
    Path out;

    @Option(names = "--server-jar", description = "Strata server jar (default: <repo>/server/target/strata-server.jar).")
    Path serverJar;

    @Option(names = "--strata-classpath",
        description = "Run Strata as io.strata.server.Main on this classpath instead of the jar (tests).")
    String strataClasspath;

    @Option(names = "--strata-java-opts", description = "Extra JVM options for Strata, space-separated.")
    String strataJavaOpts = "";

    @Option(names = "--redis-server", description = "redis-server binary (default: ${DEFAULT-VALUE}).")
    String redisServer = "/usr/bin/redis-server";

    /**
     * Fills the defaults under {@code root}; returns null when both servers can be started, or
     * why not (the command then exits with status 2).
     */
    String resolve(Path root) {
        return resolve(root, true);
    }

    /** As {@link #resolve(Path)}; {@code needRedis} false when only Strata is started (tiering). */
    String resolve(Path root, boolean needRedis) {
        if (out == null) {
            out = root.resolve("bench/results");
        }
        if (serverJar == null) {
            serverJar = root.resolve("server/target/strata-server.jar");
        }
        if (strataClasspath == null && !Files.isRegularFile(serverJar)) {
            return "no Strata server jar at " + serverJar + " (build it with mvn -q -DskipTests package)";
        }
        if (needRedis && !Files.isExecutable(Path.of(redisServer))) {
            return "no redis-server at " + redisServer;
        }
        return null;
    }

    /**
     * The collector bin/strata-server picks when the user names none: Shenandoah (concurrent,
     * sub-millisecond pauses, keeps compressed references) when this JVM has it, so the harness
     * measures the server as it is normally run. Null when {@code opts} choose one or it is missing.
     */
    static String defaultCollector(String opts) {
        if (opts.matches(".*-XX:[+]Use\\w*GC\\b.*")) {
            return null;
        }
        try {
            ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class).getVMOption("UseShenandoahGC");
            return "-XX:+UseShenandoahGC";
        } catch (IllegalArgumentException | NullPointerException absent) {
            return null;
        }
    }

    /** {@code java [opts] -Xlog:gc:file=gcLog (-jar jar | -cp classpath Main)}; server arguments follow. */
    List<String> strataJava(Path gcLog) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String o : strataJavaOpts.trim().split("\\s+")) {
            if (!o.isEmpty()) {
                cmd.add(o);
            }
        }
        String gc = defaultCollector(strataJavaOpts);
        if (gc != null) {
            cmd.add(gc);
        }
        cmd.add("-Xlog:gc:file=" + gcLog);
        if (strataClasspath != null) {
            // the jar's manifest carries the Chronicle flags; on a plain classpath pass ours on
            for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
                if (arg.startsWith("--add-opens") || arg.startsWith("--add-exports")) {
                    cmd.add(arg);
                }
            }
            cmd.addAll(List.of("-cp", strataClasspath, "io.strata.server.Main"));
        } else {
            cmd.addAll(List.of("-jar", serverJar.toString()));
        }
        return cmd;
    }
}
