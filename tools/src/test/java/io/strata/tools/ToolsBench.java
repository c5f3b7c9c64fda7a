package io.strata.tools;

import io.strata.storage.aof.AofFrames;
import io.strata.storage.rdb.RdbValue;
import io.strata.storage.rdb.RdbWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Scan speed of aof-repair (check) and rdb-inspect (summary) on generated files, each tool run
 * in a child JVM with a small heap ({@code -Xmx64m}) to show memory stays flat. Off by default:
 * {@code mvn -o test -pl tools -am -Dtest=ToolsBench -Dstrata.bench=1024} (size in MB).
 */
@EnabledIfSystemProperty(named = "strata.bench", matches = "\\d+")
class ToolsBench {
    @TempDir
    Path tmp;

    @Test
    void scanSpeed() throws Exception {
        long target = Long.getLong("strata.bench") << 20;
        Random rnd = new Random(1);
        Path aof = tmp.resolve("appendonly.aof.1.incr.aof");
        AofFrames enc = new AofFrames();
        long commands = 0;
        try (FileChannel ch = FileChannel.open(aof, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            java.io.ByteArrayOutputStream batch = new java.io.ByteArrayOutputStream();
            long ts = 1_700_000_000_000L;
            while (ch.position() < target) {
                batch.reset();
                for (int i = 0; i < 64; i++) {
                    batch.writeBytes(StrataFiles.resp("SET", "key:" + rnd.nextInt(10_000_000), randomValue(rnd, 20 + rnd.nextInt(200))));
                    commands++;
                }
                byte[] p = batch.toByteArray();
                ByteBuffer b = enc.encode(p, 0, p.length, ts++, true);
                while (b.hasRemaining()) {
                    ch.write(b);
                }
            }
        }
        Path rdb = tmp.resolve("dump.rdb");
        long keys = 0;
        try (OutputStream o = new BufferedOutputStream(Files.newOutputStream(rdb), 1 << 16)) {
            RdbWriter w = new RdbWriter(o, false, true);
            w.header();
            w.selectDb(0);
            while (w.written() < target) {
                byte[] key = ("key:" + keys++).getBytes(StandardCharsets.US_ASCII);
                if (keys % 10 == 0) {
                    RdbValue h = RdbValue.hash(0, 50);
                    for (int i = 0; i < 50; i++) {
                        h.put(("f" + i).getBytes(StandardCharsets.US_ASCII), randomValue(rnd, 30).getBytes(StandardCharsets.US_ASCII));
                    }
                    w.entry(key, h, -1);
                } else {
                    w.entry(key, RdbValue.string(randomValue(rnd, 20 + rnd.nextInt(300)).getBytes(StandardCharsets.US_ASCII)), -1);
                }
            }
            w.end();
        }
        report("aof-repair check", aof, commands + " commands", "aof-repair", aof.toString());
        report("rdb-inspect summary", rdb, keys + " keys", "rdb-inspect", rdb.toString());
        report("rdb-inspect --check", rdb, keys + " keys", "rdb-inspect", "--check", rdb.toString());
    }

    private static String randomValue(Random rnd, int len) {
        char[] c = new char[len];
        for (int i = 0; i < len; i++) {
            c[i] = (char) ('a' + rnd.nextInt(16)); // half-compressible, like real text
        }
        return new String(c);
    }

    private static void report(String what, Path file, String items, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx64m", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        int status = p.waitFor();
        double secs = (System.nanoTime() - t0) / 1e9;
        long size = Files.size(file);
        System.out.printf("BENCH %-20s %6d MB (%s) in %.2f s: %.0f MB/s with -Xmx64m, exit %d%n", what, size >> 20, items,
            secs, size / 1e6 / secs, status);
        assertEquals(0, status);
    }
}
