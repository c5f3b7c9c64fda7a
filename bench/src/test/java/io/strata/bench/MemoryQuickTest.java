package io.strata.bench;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Keeps {@code strata-bench memory --quick} working: Strata (from the test classpath) and
 * redis-server each load every shape and the report has a row per shape with both encodings.
 * It checks that the figures were produced, never how large they are.
 */
class MemoryQuickTest {
    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    @DisplayName("memory --quick loads every shape into Strata and redis-server and writes a row per shape with Redis' encodings")
    void quickMemoryWritesReport(@TempDir Path out) throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/redis-server")), "needs /usr/bin/redis-server");
        int status = BenchMain.run("memory", "--quick", "--shapes", "hash,set,intset,zset,list", "--strata-xmx", "512m",
            "--out", out.toString(), "--strata-classpath", System.getProperty("java.class.path"));
        assertEquals(0, status, "memory exit status");
        List<Path> md;
        try (Stream<Path> files = Files.list(out)) {
            md = files.filter(p -> p.getFileName().toString().matches("memory-[0-9-]+\\.md")).collect(Collectors.toList());
        }
        assertEquals(1, md.size(), "one report in " + out);
        String report = Files.readString(md.get(0));
        for (String row : List.of("| hash, 5 fields", "| set, 5 string members", "| set, 5 integers", "| zset, 5 members",
            "| list, 5 elements")) {
            assertTrue(report.contains(row), "row " + row + " in\n" + report);
        }
        // OBJECT ENCODING answers as Redis 7.0 does for each shape
        for (String enc : List.of("listpack / listpack", "hashtable / hashtable", "intset / intset", "quicklist / quicklist")) {
            assertTrue(report.contains("| " + enc + " |"), "encodings " + enc + " in\n" + report);
        }
        assertTrue(report.contains("| 0 |"), "no error replies in\n" + report);
    }
}
