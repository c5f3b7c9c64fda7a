package io.strata.server;

import io.strata.engine.Engine;
import io.strata.engine.command.CommandSpec;
import io.strata.engine.config.Config;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The table drives the tests (STYLE.md #2): every command and subcommand of the engine's table
 * must be named by a {@link Covers} annotation on some test class or method of this package, and
 * every name a {@link Covers} gives must be a command of the table (so a typo cannot count as
 * coverage). Containers that have subcommands ("client", "config") are not required: each of
 * their subcommands ("client|kill") is, and naming the container covers none of them.
 */
class CommandCoverageTest {
    private static final String PACKAGE = "io.strata.server";

    /** Full names ("get", "client|kill") of the table; containers ("client") only when asked. */
    static Set<String> tableCommands(boolean withContainers) {
        Engine engine = new Engine(new Config());
        Set<String> names = new TreeSet<>();
        for (CommandSpec s : engine.commands.allWithSubcommands()) {
            if (withContainers || !s.isContainer()) {
                names.add(s.name);
            }
        }
        return names;
    }

    /** Command name → the test classes or methods that name it in {@link Covers}. */
    static Map<String, List<String>> coveredCommands() throws IOException, ClassNotFoundException, URISyntaxException {
        Map<String, List<String>> covered = new TreeMap<>();
        List<String> classNames = testClassNames();
        assertTrue(classNames.contains(CommandCoverageTest.class.getName()),
            "the class scan must find the test classes themselves: " + classNames);
        ClassLoader loader = CommandCoverageTest.class.getClassLoader();
        for (String name : classNames) {
            Class<?> c = Class.forName(name, false, loader);
            Covers onClass = c.getAnnotation(Covers.class);
            if (onClass != null) {
                for (String cmd : onClass.value()) {
                    covered.computeIfAbsent(cmd, k -> new ArrayList<>()).add(c.getSimpleName());
                }
            }
            for (Method m : c.getDeclaredMethods()) {
                Covers onMethod = m.getAnnotation(Covers.class);
                if (onMethod != null) {
                    for (String cmd : onMethod.value()) {
                        covered.computeIfAbsent(cmd, k -> new ArrayList<>()).add(c.getSimpleName() + "." + m.getName());
                    }
                }
            }
        }
        return covered;
    }

    /** Every class file of the package in each directory the class loader serves it from (main and test). */
    private static List<String> testClassNames() throws IOException, URISyntaxException {
        List<String> names = new ArrayList<>();
        String dir = PACKAGE.replace('.', '/');
        Enumeration<URL> roots = CommandCoverageTest.class.getClassLoader().getResources(dir);
        while (roots.hasMoreElements()) {
            URL url = roots.nextElement();
            if (!"file".equals(url.getProtocol())) {
                continue; // a jar on the class path holds main classes only
            }
            Path root = Paths.get(url.toURI());
            try (Stream<Path> files = Files.walk(root)) {
                files.filter(p -> p.toString().endsWith(".class")).forEach(p -> {
                    String rel = root.relativize(p).toString().replace(File.separatorChar, '.');
                    names.add(PACKAGE + "." + rel.substring(0, rel.length() - ".class".length()));
                });
            }
        }
        return names;
    }

    @Test
    @DisplayName("Every command and subcommand of the table is named by a @Covers test")
    void everyCommandIsCovered() throws Exception {
        Set<String> table = tableCommands(false);
        assertFalse(table.isEmpty());
        Map<String, List<String>> covered = coveredCommands();
        Set<String> missing = new TreeSet<>(table);
        missing.removeAll(covered.keySet());
        if (!missing.isEmpty()) {
            fail(missing.size() + " of " + table.size() + " commands have no behaviour test naming them in @Covers: "
                + String.join(", ", missing));
        }
    }

    @Test
    @DisplayName("Every name in a @Covers annotation is a command of the table (full lower-case name), so a typo cannot pass for coverage")
    void everyCoveredNameIsACommand() throws Exception {
        // a container ("config") is a real name, though it covers none of its subcommands
        Set<String> table = tableCommands(true);
        Map<String, List<String>> unknown = new TreeMap<>();
        for (Map.Entry<String, List<String>> e : coveredCommands().entrySet()) {
            if (!table.contains(e.getKey())) {
                unknown.put(e.getKey(), e.getValue());
            }
        }
        if (!unknown.isEmpty()) {
            fail("@Covers names that are not commands of the table (full lower-case names, subcommands as "
                + "\"client|kill\"): " + unknown);
        }
    }
}
