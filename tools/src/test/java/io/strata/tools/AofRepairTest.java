package io.strata.tools;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static io.strata.tools.StrataFiles.ts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** aof-repair on Strata appendonlydirs built with AofFrames, AofManifest and RdbWriter. */
class AofRepairTest {
    @TempDir
    Path tmp;

    private static List<Long> all(int file, int frames) {
        List<Long> l = new ArrayList<>();
        for (int i = 0; i < frames; i++) {
            l.add(ts(file, i));
        }
        return l;
    }

    private Path incr(Path dir, int n) {
        return dir.resolve("appendonly.aof." + n + ".incr.aof");
    }

    @Test
    @DisplayName("A clean appendonlydir checks clean with frame and command counts and timestamps")
    void cleanDirChecksClean() throws Exception {
        Path dir = tmp.resolve("appendonlydir");
        StrataFiles.writeDir(dir, 20, 5);
        ToolRun r = ToolRun.aofRepair(dir.toString());
        assertEquals(Exit.CLEAN, r.status(), r.toString());
        assertTrue(r.out().contains("20 frames, 60 commands"), r.toString());
        assertTrue(r.out().contains("5 frames, 15 commands"), r.toString());
        assertTrue(r.out().contains("11 keys"), r.toString());
        assertTrue(r.out().contains("first 2023-11-14T22:13:20Z"), r.toString());
        // the parent of an appendonlydir and the manifest itself work too
        assertEquals(Exit.CLEAN, ToolRun.aofRepair(tmp.toString()).status());
        assertEquals(Exit.CLEAN, ToolRun.aofRepair(dir.resolve("appendonly.aof.manifest").toString()).status());
    }

    @Test
    @DisplayName("A flipped byte in a middle frame is reported as a bad CRC; --fix drops only that frame and keeps every frame before and after it")
    void flippedByteInMiddleFrame() throws Exception {
        Path dir = tmp.resolve("appendonlydir");
        StrataFiles.writeDir(dir, 20, 5);
        List<Long> offsets = StrataFiles.writeIncr(incr(dir, 1), 0, 20);
        byte[] b = Files.readAllBytes(incr(dir, 1));
        b[(int) (offsets.get(8) - 5)] ^= 0x01; // inside the last value of frame 7: its commands stay countable
        Files.write(incr(dir, 1), b);

        ToolRun check = ToolRun.aofRepair(dir.toString());
        assertEquals(Exit.DAMAGED, check.status(), check.toString());
        assertTrue(check.out().contains("damage at offset " + offsets.get(7) + ": bad CRC"), check.toString());
        assertTrue(check.out().contains("valid data resumes at offset " + offsets.get(8)), check.toString());
        assertTrue(check.out().contains("3 commands in it"), check.toString());

        ToolRun fix = ToolRun.aofRepair("--fix", dir.toString());
        assertEquals(Exit.CLEAN, fix.status(), fix.toString());
        assertTrue(fix.out().contains("commands lost in damaged data: 3"), fix.toString());
        List<Long> expected = all(0, 20);
        expected.remove(7);
        assertEquals(expected, StrataFiles.validFrames(incr(dir, 1)));
        assertEquals(all(1, 5), StrataFiles.validFrames(incr(dir, 2)));
        assertTrue(Files.exists(dir.resolve("appendonly.aof.1.incr.aof.bak")));
        assertEquals(b.length, Files.size(dir.resolve("appendonly.aof.1.incr.aof.bak")));
        assertEquals(Exit.CLEAN, ToolRun.aofRepair(dir.toString()).status());
    }

    @Test
    @DisplayName("Random garbage at a random offset is found; --fix leaves a clean file holding every frame the garbage did not touch")
    void garbageAtRandomOffset() throws Exception {
        Random rnd = new Random(42);
        for (int round = 0; round < 25; round++) {
            Path dir = tmp.resolve("round" + round);
            StrataFiles.writeDir(dir, 30);
            List<Long> offsets = StrataFiles.writeIncr(incr(dir, 1), 0, 30);
            byte[] b = Files.readAllBytes(incr(dir, 1));
            int len = 1 + rnd.nextInt(40);
            int at = rnd.nextInt(b.length - len);
            for (int k = 0; k < len; k++) {
                b[at + k] = (byte) (b[at + k] ^ (1 + rnd.nextInt(255)));
            }
            Files.write(incr(dir, 1), b);
            ToolRun check = ToolRun.aofRepair(dir.toString());
            assertEquals(Exit.DAMAGED, check.status(), "round " + round + " " + check);
            ToolRun fix = ToolRun.aofRepair("--fix", "--no-backup", dir.toString());
            assertEquals(Exit.CLEAN, fix.status(), "round " + round + " " + fix);
            assertFalse(Files.exists(dir.resolve("appendonly.aof.1.incr.aof.bak")));
            List<Long> survived = StrataFiles.validFrames(incr(dir, 1));
            for (int i = 0; i < 30; i++) {
                long start = offsets.get(i);
                long end = i + 1 < 30 ? offsets.get(i + 1) : b.length;
                boolean touched = at < end && at + len > start;
                assertEquals(!touched, survived.contains(ts(0, i)), "round " + round + " frame " + i + " at=" + at + " len=" + len);
            }
        }
    }

    @Test
    @DisplayName("A torn tail is reported and --fix truncates it, keeping every whole frame")
    void tornTail() throws Exception {
        Path dir = tmp.resolve("appendonlydir");
        StrataFiles.writeDir(dir, 10);
        byte[] b = Files.readAllBytes(incr(dir, 1));
        Files.write(incr(dir, 1), java.util.Arrays.copyOf(b, b.length - 5));
        ToolRun check = ToolRun.aofRepair(dir.toString());
        assertEquals(Exit.DAMAGED, check.status(), check.toString());
        assertTrue(check.out().contains("torn tail"), check.toString());
        ToolRun fix = ToolRun.aofRepair("--fix", dir.toString());
        assertEquals(Exit.CLEAN, fix.status(), fix.toString());
        assertTrue(fix.out().contains("truncated the torn tail"), fix.toString());
        assertEquals(all(0, 9), StrataFiles.validFrames(incr(dir, 1)));
    }

    @Test
    @DisplayName("A damaged length field that runs past the end is a corrupt middle frame, not a torn tail, when valid frames follow")
    void damagedLengthIsNotATornTail() throws Exception {
        Path dir = tmp.resolve("appendonlydir");
        StrataFiles.writeDir(dir, 10);
        List<Long> offsets = StrataFiles.writeIncr(incr(dir, 1), 0, 10);
        byte[] b = Files.readAllBytes(incr(dir, 1));
        int lenAt = (int) (offsets.get(3) + 4);
        b[lenAt + 1] = 0x7f; // length now about 8 MB: past the end of the file
        Files.write(incr(dir, 1), b);
        ToolRun check = ToolRun.aofRepair(dir.toString());
        assertEquals(Exit.DAMAGED, check.status(), check.toString());
        assertTrue(check.out().contains("bad frame header"), check.toString());
        assertEquals(Exit.CLEAN, ToolRun.aofRepair("--fix", dir.toString()).status());
        List<Long> expected = all(0, 10);
        expected.remove(3);
        assertEquals(expected, StrataFiles.validFrames(incr(dir, 1)));
    }

    @Test
    @DisplayName("--truncate-at-damage cuts everything from the damage on, later incr files included, and the manifest stays as it was")
    void truncateAtDamage() throws Exception {
        Path dir = tmp.resolve("appendonlydir");
        StrataFiles.writeDir(dir, 10, 4);
        String manifest = Files.readString(dir.resolve("appendonly.aof.manifest"));
        List<Long> offsets = StrataFiles.writeIncr(incr(dir, 1), 0, 10);
        byte[] b = Files.readAllBytes(incr(dir, 1));
        b[(int) (offsets.get(6) + 30)] ^= 0x40;
        Files.write(incr(dir, 1), b);
        ToolRun fix = ToolRun.aofRepair("--fix", "--truncate-at-damage", dir.toString());
        assertEquals(Exit.CLEAN, fix.status(), fix.toString());
        assertEquals(all(0, 6), StrataFiles.validFrames(incr(dir, 1)));
        assertEquals(0, Files.size(incr(dir, 2)));
        assertEquals(manifest, Files.readString(dir.resolve("appendonly.aof.manifest")));
        assertTrue(Files.exists(dir.resolve("appendonly.aof.2.incr.aof.bak")));
    }

    @Test
    @DisplayName("--truncate-to-timestamp keeps exactly the frames written up to T, across incr files")
    void truncateToTimestamp() throws Exception {
        Path dir = tmp.resolve("appendonlydir");
        StrataFiles.writeDir(dir, 10, 10);
        long t = ts(0, 4);
        ToolRun r = ToolRun.aofRepair("--truncate-to-timestamp", t + "ms", dir.toString());
        assertEquals(Exit.CLEAN, r.status(), r.toString());
        assertEquals(all(0, 5), StrataFiles.validFrames(incr(dir, 1)));
        assertEquals(0, Files.size(incr(dir, 2)));
        // a bare number is Unix seconds, ISO-8601 works too
        assertEquals(t / 1000 * 1000 + 999, AofRepair.parseTime(Long.toString(t / 1000)));
        assertEquals(t, AofRepair.parseTime(java.time.Instant.ofEpochMilli(t).toString()));
    }

    @Test
    @DisplayName("--dump prints the base as rebuilding commands and every incr command, quoted as redis-cli quotes")
    void dump() throws Exception {
        Path dir = tmp.resolve("appendonlydir");
        StrataFiles.writeDir(dir, 2);
        ToolRun r = ToolRun.aofRepair("--dump", dir.toString());
        assertEquals(Exit.CLEAN, r.status(), r.toString());
        List<String> lines = r.out().lines().toList();
        assertEquals("\"SELECT\" \"0\"", lines.get(0));
        assertEquals("\"SET\" \"base:0\" \"v0\"", lines.get(1));
        assertTrue(lines.contains("\"PEXPIREAT\" \"base:0\" \"" + (StrataFiles.T0 + 1_000_000_000L) + "\""), r.toString());
        assertTrue(lines.contains("\"RPUSH\" \"base:list\" \"a\" \"b\""), r.toString());
        assertTrue(lines.contains("\"SET\" \"key:0:1:2\" \"value-1-x\""), r.toString());
        assertTrue(r.err().contains("2 frames, 6 commands"), r.toString());
        StringBuilder sb = new StringBuilder();
        byte[] odd = {'a', '"', '\\', '\n', '\r', '\t', 7, 8, 0, (byte) 0xff, ' '};
        Text.quote(sb, odd, 0, odd.length);
        assertEquals("\"a\\\"\\\\\\n\\r\\t\\a\\b\\x00\\xff \"", sb.toString());
    }

    @Test
    @DisplayName("A manifest naming a missing file, a directory without a manifest and a bad manifest are unusable (exit 2)")
    void unusable() throws Exception {
        Path dir = tmp.resolve("appendonlydir");
        StrataFiles.writeDir(dir, 3);
        Files.delete(incr(dir, 1));
        ToolRun r = ToolRun.aofRepair(dir.toString());
        assertEquals(Exit.UNUSABLE, r.status(), r.toString());
        assertTrue(r.err().contains("does not exist"), r.toString());
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        assertEquals(Exit.UNUSABLE, ToolRun.aofRepair(empty.toString()).status());
        Files.writeString(dir.resolve("appendonly.aof.manifest"), "file x seq notanumber type i\n");
        assertEquals(Exit.UNUSABLE, ToolRun.aofRepair(dir.toString()).status());
        assertEquals(Exit.USAGE, ToolRun.aofRepair("--no-such-option", dir.toString()).status());
    }

    @Test
    @DisplayName("A damaged base RDB is reported and --fix refuses to change anything")
    void damagedBase() throws Exception {
        Path dir = tmp.resolve("appendonlydir");
        StrataFiles.writeDir(dir, 3);
        Path base = dir.resolve("appendonly.aof.1.base.rdb");
        byte[] b = Files.readAllBytes(base);
        b[b.length - 3] ^= 0x01; // the CRC64 trailer
        Files.write(base, b);
        ToolRun check = ToolRun.aofRepair(dir.toString());
        assertEquals(Exit.DAMAGED, check.status(), check.toString());
        assertTrue(check.out().contains("bad RDB"), check.toString());
        ToolRun fix = ToolRun.aofRepair("--fix", dir.toString());
        assertEquals(Exit.DAMAGED, fix.status(), fix.toString());
        assertTrue(fix.out().contains("Nothing was changed"), fix.toString());
        assertFalse(Files.exists(dir.resolve("appendonly.aof.1.base.rdb.bak")));
    }
}
