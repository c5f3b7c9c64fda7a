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
 * Keeps the benchmark harness from rotting: {@code strata-bench compare --quick} starts Strata
 * (from the test classpath) and redis-server, runs every scenario once for about a second and
 * writes a report. It checks that the report is complete, never how fast anything was.
 */
class CompareQuickTest {
    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    @DisplayName("compare --quick runs every scenario against Strata and redis-server and writes a Markdown report with an SVG chart")
    void quickCompareWritesReport(@TempDir Path out) throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/redis-server")), "needs /usr/bin/redis-server");
        int status = BenchMain.run("compare", "--quick", "--out", out.toString(),
            "--strata-classpath", System.getProperty("java.class.path"));
        assertEquals(0, status, "compare exit status");
        List<Path> md;
        try (Stream<Path> files = Files.list(out)) {
            md = files.filter(p -> p.toString().endsWith(".md")).collect(Collectors.toList());
        }
        assertEquals(1, md.size(), "one report in " + out);
        String report = Files.readString(md.get(0));
        for (String scenario : List.of("SET P1", "GET P1", "SET P16", "GET P16")) {
            assertTrue(report.contains("| " + scenario + " | 1 |"), "ratio row for " + scenario + " in\n" + report);
        }
        assertTrue(report.contains("AOF"), "AOF scenarios measured or skipped with a note:\n" + report);
        if (Files.isExecutable(Path.of("/usr/bin/redis-benchmark"))) {
            for (String rb : List.of("redis-benchmark SET P16", "redis-benchmark GET P16", "redis-benchmark SET P1 ", "redis-benchmark GET P1 ")) {
                assertTrue(report.contains(rb), rb + " row in\n" + report);
            }
        }
        assertTrue(!report.contains("error replies"), "no error replies in\n" + report);
        Path svg = Path.of(md.get(0).toString().replace(".md", ".svg"));
        assertTrue(Files.readString(svg).startsWith("<svg"), "SVG chart next to the report");
    }
}
