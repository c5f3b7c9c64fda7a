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
 * Keeps {@code strata-bench durability --quick} working: AOF bytes, BGSAVE under writes and the
 * RDB restart against Strata (test classpath) and redis-server. It checks that every part
 * produced its table, never how fast or how small anything was.
 */
class DurabilityQuickTest {
    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    @DisplayName("durability --quick measures AOF bytes, BGSAVE memory and restart for Strata and redis-server and writes a report")
    void quickDurabilityWritesReport(@TempDir Path out) throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/redis-server")), "needs /usr/bin/redis-server");
        int status = BenchMain.run("durability", "--quick", "--out", out.toString(),
            "--strata-classpath", System.getProperty("java.class.path"));
        assertEquals(0, status, "durability exit status");
        List<Path> md;
        try (Stream<Path> files = Files.list(out)) {
            md = files.filter(p -> p.toString().endsWith(".md")).collect(Collectors.toList());
        }
        assertEquals(1, md.size(), "one report in " + out);
        String report = Files.readString(md.get(0));
        Path chart = Path.of(md.get(0).toString().replace(".md", "-bgsave.svg"));
        assertTrue(report.contains(chart.getFileName().toString()), "the report shows the BGSAVE chart:\n" + report);
        String svg = Files.readString(chart);
        // three panels (extra memory, RSS, writer p99), one line per server in each
        assertEquals(6, svg.split("<polyline", -1).length - 1, "lines in the BGSAVE chart:\n" + svg);
        for (String section : List.of("## AOF bytes per command", "## BGSAVE under continuous writes", "## Restart from RDB")) {
            assertTrue(report.contains(section), section + " in\n" + report);
        }
        for (String row : List.of("| Strata | 20,000 |", "| Redis | 20,000 |")) {
            assertTrue(report.contains(row), "BGSAVE and restart rows with every key in\n" + report);
        }
        assertTrue(!report.contains("error replies"), "no error replies in\n" + report);
    }
}
