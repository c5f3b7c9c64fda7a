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

/**
 * Keeps {@code strata-bench tiering --quick} working: a Strata with its spill tier and one with
 * everything in RAM (both from the test classpath) go through the load, Zipf and uniform reads,
 * hot-key reads under cold reads and a restart. It checks that every part produced its figures
 * and that no key went missing, never how fast anything was.
 */
class TieringQuickTest {
    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    @DisplayName("tiering --quick loads, reads and restarts a tiered and an all-in-RAM Strata and writes a report with the tiering figures")
    void quickTieringWritesReport(@TempDir Path out) throws Exception {
        int status = BenchMain.run("tiering", "--quick", "--out", out.toString(),
            "--strata-classpath", System.getProperty("java.class.path"));
        assertEquals(0, status, "tiering exit status");
        List<Path> md;
        try (Stream<Path> files = Files.list(out)) {
            md = files.filter(p -> p.getFileName().toString().matches("tiering-[0-9-]+\\.md")).collect(Collectors.toList());
        }
        assertEquals(1, md.size(), "one report in " + out);
        String report = Files.readString(md.get(0));
        for (String section : List.of("## 1. Load", "## 2. Reads", "## 3. Hot-key reads", "## 4. Restart", "## INFO tiering")) {
            assertTrue(report.contains(section), section + " in\n" + report);
        }
        for (String row : List.of("| tiered | 20,000 |", "| RAM | 20,000 |", "| GET zipf θ=0.99 |", "| GET uniform |",
            "| 1 | tiered |", "| 1 | RAM |")) {
            assertTrue(report.contains(row), "row " + row + " in\n" + report);
        }
        for (String field : List.of("tier_spill", "tier_hot_keys", "tier_cold_keys", "tier_hot_bytes", "tier_spill_file_bytes",
            "tier_spill_stored_bytes", "tier_spill_generations", "tier_filter_bytes", "tier_promotions", "tier_demotions",
            "tier_cold_reads", "tier_cold_expired", "tier_filter_hits", "tier_filter_false_positives")) {
            assertTrue(report.contains("| " + field + " |"), "INFO field " + field + " in\n" + report);
        }
        assertTrue(report.contains("Restart, tiered: ") && report.contains("DBSIZE 20,000; RssAnon"),
            "every key back after the restart in\n" + report);
        assertTrue(!report.contains("sampled keys missing") && !report.contains("error replies"),
            "no missing keys or error replies in\n" + report);
    }
}
