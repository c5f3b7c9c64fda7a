package io.strata.server;

import io.strata.engine.Engine;
import io.strata.engine.config.Config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds a {@link Config} from redis-server style arguments: an optional config file in
 * {@code redis.conf} syntax, then {@code --name value} pairs that override it.
 *
 * <p>Thread rule: main thread, before the server starts.
 */
public final class ConfigLoader {
    /** A config error that stops the server, with Redis' fatal message. */
    public static final class ConfigException extends Exception {
        ConfigException(String msg) {
            super(msg);
        }
    }

    private ConfigLoader() {
    }

    public static Config load(String[] argv) throws ConfigException, IOException {
        Config config = new Config();
        int i = 0;
        if (argv.length > 0 && !argv[0].startsWith("--")) {
            Path file = Path.of(argv[0]).toAbsolutePath();
            if (!Files.isReadable(file)) {
                throw new ConfigException("Fatal error, can't open config file '" + argv[0] + "': No such file or directory");
            }
            config.configFile = file.toString();
            apply(config, Files.readString(file, StandardCharsets.UTF_8), file.getParent());
            i = 1;
        }
        StringBuilder options = new StringBuilder();
        for (; i < argv.length; i++) {
            String a = argv[i];
            if (a.startsWith("--")) {
                if (options.length() > 0) {
                    options.append('\n');
                }
                options.append(a.substring(2));
            } else {
                options.append(' ').append(quote(a));
            }
        }
        if (options.length() > 0) {
            apply(config, options.toString(), Path.of("."));
        }
        return config;
    }

    private static String quote(String s) {
        if (!s.isEmpty() && s.chars().noneMatch(ch -> ch == ' ' || ch == '"' || ch == '\'' || ch == '\\')) {
            return s;
        }
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** Applies config text line by line; stops at the first bad line as Redis does. */
    static void apply(Config config, String text, Path base) throws ConfigException, IOException {
        String[] lines = text.split("\n", -1);
        for (int n = 0; n < lines.length; n++) {
            String line = lines[n].trim();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            byte[][] parts = RespParser.splitArgs(line);
            String err;
            if (parts == null || parts.length == 0) {
                err = "Unbalanced quotes in configuration line";
            } else {
                String name = new String(parts[0], StandardCharsets.UTF_8).toLowerCase();
                List<String> values = new ArrayList<>();
                for (int k = 1; k < parts.length; k++) {
                    values.add(new String(parts[k], StandardCharsets.UTF_8));
                }
                if (name.equals("include") && values.size() == 1) {
                    Path inc = base.resolve(values.get(0));
                    apply(config, Files.readString(inc, StandardCharsets.UTF_8), inc.getParent());
                    continue;
                }
                Config.Param p = config.param(name);
                if (p == null || values.isEmpty()
                    || (values.size() > 1 && p.kind != Config.Kind.SPECIAL)) {
                    err = "Bad directive or wrong number of arguments";
                } else {
                    err = config.setInitial(name, String.join(" ", values));
                }
            }
            if (err != null) {
                throw new ConfigException("\n*** FATAL CONFIG FILE ERROR (Redis " + Engine.REDIS_VERSION + ") ***\n"
                    + "Reading the configuration file, at line " + (n + 1) + "\n>>> '" + line + "'\n" + err);
            }
        }
    }
}
