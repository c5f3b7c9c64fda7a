package io.strata.storage.aof;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AofFramesTest {
    @TempDir
    Path dir;

    private static byte[] resp(int i) {
        String v = "value-" + i + "-" + "z".repeat(i % 300);
        return ("*3\r\n$3\r\nSET\r\n$" + ("k" + i).length() + "\r\nk" + i + "\r\n$" + v.length() + "\r\n" + v + "\r\n")
            .getBytes(StandardCharsets.US_ASCII);
    }

    private Path writeFrames(int n, List<Long> offsets) throws Exception {
        Path f = dir.resolve("appendonly.aof.1.incr.aof");
        AofFrames frames = new AofFrames();
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            for (int i = 0; i < n; i++) {
                offsets.add(ch.position());
                ByteBuffer b = frames.encode(resp(i), 0, resp(i).length, 1000L + i, i % 2 == 0);
                while (b.hasRemaining()) {
                    ch.write(b);
                }
            }
        }
        return f;
    }

    private static List<Integer> readValid(Path f) throws Exception {
        List<Integer> seen = new ArrayList<>();
        AofFrames frames = new AofFrames();
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
            long pos = 0;
            while (true) {
                AofFrames.Result r = frames.read(ch, pos);
                if (r.status != AofFrames.Status.FRAME) {
                    break;
                }
                seen.add((int) (r.timestamp - 1000));
                pos += r.frameLength;
            }
        }
        return seen;
    }

    @Test
    void shouldRoundTripCompressedAndPlainFrames() throws Exception {
        Path f = writeFrames(50, new ArrayList<>());
        AofFrames frames = new AofFrames();
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
            long pos = 0;
            for (int i = 0; i < 50; i++) {
                AofFrames.Result r = frames.read(ch, pos);
                assertEquals(AofFrames.Status.FRAME, r.status);
                assertEquals(new String(resp(i), StandardCharsets.US_ASCII), new String(r.payload, StandardCharsets.US_ASCII));
                pos += r.frameLength;
            }
            assertEquals(AofFrames.Status.END, frames.read(ch, pos).status);
        }
    }

    @Test
    void shouldReportTornTailAtEveryCutPoint() throws Exception {
        List<Long> offsets = new ArrayList<>();
        Path f = writeFrames(3, offsets);
        byte[] all = Files.readAllBytes(f);
        long lastStart = offsets.get(2);
        for (long cut = lastStart + 1; cut < all.length; cut += 7) {
            Files.write(f, java.util.Arrays.copyOf(all, (int) cut));
            try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
                assertEquals(AofFrames.Status.TORN, new AofFrames().read(ch, lastStart).status, "cut=" + cut);
            }
            assertEquals(List.of(0, 1), readValid(f));
        }
    }

    @Test
    void shouldDetectFlippedByteInMiddleFrameAndResyncToTheNext() throws Exception {
        List<Long> offsets = new ArrayList<>();
        Path f = writeFrames(10, offsets);
        byte[] all = Files.readAllBytes(f);
        int victim = (int) (offsets.get(4) + 40);
        all[victim] ^= 0x10;
        Files.write(f, all);
        AofFrames frames = new AofFrames();
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
            AofFrames.Result r = frames.read(ch, offsets.get(4));
            assertEquals(AofFrames.Status.CORRUPT, r.status);
            assertEquals((long) offsets.get(5), frames.resync(ch, offsets.get(4)));
        }
        assertEquals(List.of(0, 1, 2, 3), readValid(f));
    }

    @Test
    void shouldKeepValidPrefixWhenGarbageIsWrittenAtRandomOffset() throws Exception {
        Random rnd = new Random(7);
        for (int round = 0; round < 20; round++) {
            List<Long> offsets = new ArrayList<>();
            Path f = writeFrames(20, offsets);
            byte[] all = Files.readAllBytes(f);
            int at = rnd.nextInt(all.length);
            for (int k = 0; k < 16 && at + k < all.length; k++) {
                all[at + k] = (byte) rnd.nextInt(256);
            }
            Files.write(f, all);
            int damaged = 0;
            while (damaged + 1 < offsets.size() && offsets.get(damaged + 1) <= at) {
                damaged++;
            }
            List<Integer> valid = readValid(f);
            assertTrue(valid.size() >= damaged, "round " + round);
            for (int i = 0; i < damaged; i++) {
                assertEquals(i, valid.get(i));
            }
            Files.delete(f);
        }
    }

    @Test
    void shouldParseStoreAndReloadManifest() throws Exception {
        AofManifest m = new AofManifest();
        m.files.add(new AofManifest.FileEntry("appendonly.aof.1.base.rdb", 1, 'b'));
        m.files.add(new AofManifest.FileEntry("appendonly.aof.1.incr.aof", 1, 'i'));
        Path p = dir.resolve("appendonly.aof.manifest");
        m.store(p);
        AofManifest back = AofManifest.load(p);
        assertEquals("appendonly.aof.1.base.rdb", back.base().name);
        assertEquals(1, back.incrs().size());
        assertEquals(m.format(), back.format());
        assertTrue(!Files.exists(dir.resolve("appendonly.aof.manifest.tmp")));
    }
}
