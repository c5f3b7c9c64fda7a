package io.strata.storage.tier;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SpillStoreTest {
    @TempDir
    Path dir;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void shouldStoreReadReplaceAndRemoveAcrossGenerations() {
        try (SpillStore s = SpillStore.open(dir.resolve("spill"), 0, 1000)) {
            Random rnd = new Random(1);
            Map<String, byte[]> model = new HashMap<>();
            for (int i = 0; i < 300_000; i++) {
                String k = "key:" + rnd.nextInt(200_000);
                if (rnd.nextInt(10) == 0) {
                    byte[] removed = s.remove(b(k));
                    byte[] expected = model.remove(k);
                    assertTrue(Arrays.equals(expected, removed), k);
                } else {
                    byte[] v = new byte[50 + rnd.nextInt(400)];
                    rnd.nextBytes(v);
                    assertEquals(SpillStore.PutResult.OK, s.put(b(k), v));
                    model.put(k, v);
                }
            }
            assertEquals(model.size(), s.size());
            for (Map.Entry<String, byte[]> e : model.entrySet()) {
                assertArrayEquals(e.getValue(), s.get(b(e.getKey())), e.getKey());
            }
            assertNull(s.get(b("missing")));
            assertTrue(s.filterMisses > 0, "a missing key is answered by the RAM filter");
            assertTrue(s.generations() > 8, "generations are added as data grows: " + s.generations());
            while (s.compactStep(10_000) > 0) {
                // the cron's background steps: sparse generations move into the newest
            }
            for (Map.Entry<String, byte[]> e : model.entrySet()) {
                assertArrayEquals(e.getValue(), s.get(b(e.getKey())), e.getKey());
            }
            double perKey = (double) s.filterBytes() / model.size();
            System.out.printf("spill filter: %.1f bytes per key%n", perKey);
            assertTrue(perKey <= 4, "filter bytes per key: " + perKey);
            long[] seen = {0};
            s.forEach((k, v) -> seen[0]++);
            assertEquals(model.size(), seen[0]);
        }
    }

    @Test
    void aNewGenerationKeepsThePagesPastItsRecordsOutOfMemory() throws Exception {
        Path d = dir.resolve("fill");
        try (SpillStore s = SpillStore.open(d, 0, 150_000)) {
            Random rnd = new Random(5);
            Map<String, byte[]> model = new HashMap<>();
            for (int i = 0; i < 2000; i++) {
                byte[] v = new byte[200];
                rnd.nextBytes(v);
                model.put("key:" + i, v);
                assertEquals(SpillStore.PutResult.OK, s.put(b("key:" + i), v));
            }
            for (Map.Entry<String, byte[]> e : model.entrySet()) {
                assertArrayEquals(e.getValue(), s.get(b(e.getKey())), e.getKey());
            }
            java.util.List<Path> files;
            try (var list = Files.list(d)) {
                files = list.filter(f -> f.toString().endsWith(".cm")).collect(java.util.stream.Collectors.toList());
            }
            assertEquals(8, files.size(), "one generation per partition: " + files);
            for (Path f : files) {
                try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(f)) {
                    long size = ch.size();
                    assertTrue(size > 24L << 20, f + " is sized for 150,000 records: " + size);
                    // the last 4 MB are far from the ~250 records in this partition, the hash
                    // lookup and any read-around: made, they would have been made for nothing
                    java.nio.MappedByteBuffer tail = ch.map(java.nio.channels.FileChannel.MapMode.READ_ONLY, size - (4L << 20), 4L << 20);
                    assertTrue(!tail.isLoaded(), f + ": the pages past the records are in memory");
                }
            }
        }
    }

    @Test
    void walksOverLargeSegmentsTakeBoundedSteps() {
        try (SpillStore s = SpillStore.open(dir.resolve("walks"), 0, 1000)) {
            Random rnd = new Random(9);
            Map<String, byte[]> model = new HashMap<>();
            for (int i = 0; i < 40_000; i++) {
                byte[] payload = new byte[100 + rnd.nextInt(200)];
                rnd.nextBytes(payload);
                byte[] rec = SpillRecord.encode(0, i % 3 == 0 ? 1_000_000L + i : -1, payload, false);
                model.put("k" + i, rec);
                assertEquals(SpillStore.PutResult.OK, s.put(b("k" + i), rec));
            }
            // SCAN and the expiry cycle read only headers: the type, flags, expiry and clocks
            Map<String, byte[]> seen = new HashMap<>();
            long cursor = 0;
            do {
                cursor = s.scan(cursor, true, (k, v) -> seen.put(new String(k, StandardCharsets.UTF_8), v));
            } while (cursor != 0);
            assertEquals(model.keySet(), seen.keySet());
            for (Map.Entry<String, byte[]> e : seen.entrySet()) {
                byte[] full = model.get(e.getKey());
                assertArrayEquals(Arrays.copyOf(full, SpillRecord.HEADER), e.getValue(), e.getKey());
                assertEquals(SpillRecord.expireAt(full), SpillRecord.expireAt(e.getValue()));
            }
            // RANDOMKEY picks from anywhere in a segment, not only its first records
            java.util.Set<String> picked = new java.util.HashSet<>();
            for (int i = 0; i < 3000; i++) {
                byte[] k = s.randomKey(rnd);
                assertTrue(model.containsKey(new String(k, StandardCharsets.UTF_8)));
                picked.add(new String(k, StandardCharsets.UTF_8));
            }
            assertTrue(picked.size() > 2000, "distinct keys in 3000 picks: " + picked.size());
            // more generations than kept: compaction moves at most a step's records at a time
            assertTrue(s.generations() > 3 * 8, "generations: " + s.generations());
            int moved;
            int steps = 0;
            while ((moved = s.compactStep(500)) > 0) {
                assertTrue(moved <= 500, "a step moved " + moved);
                steps++;
            }
            assertTrue(steps > 1, "compaction steps: " + steps);
            for (Map.Entry<String, byte[]> e : model.entrySet()) {
                assertArrayEquals(e.getValue(), s.get(b(e.getKey())), e.getKey());
            }
        }
    }

    @Test
    void recordsOfEverySizeRoundTripThroughTheReusedCopyBuffers() {
        // the maps copy keys and records into per-context buffers that grow, and wrap large arrays instead
        int[] sizes = {0, 1, 255, 256, 257, 4096, 65_535, 65_536, 65_537, 1 << 20, 300, 0, 70_000, 17};
        try (SpillStore s = SpillStore.open(dir.resolve("spill"), 0, 64)) {
            Random rnd = new Random(7);
            byte[][] keys = new byte[sizes.length][];
            byte[][] values = new byte[sizes.length][];
            for (int i = 0; i < sizes.length; i++) {
                keys[i] = new byte[Math.min(sizes[i], 70_000) + 1];
                rnd.nextBytes(keys[i]);
                keys[i][0] = (byte) i;
            }
            for (int round = 0; round < 3; round++) {
                for (int i = 0; i < sizes.length; i++) {
                    values[i] = new byte[sizes[(i + round) % sizes.length]]; // replaced by a record of another size
                    rnd.nextBytes(values[i]);
                    assertEquals(SpillStore.PutResult.OK, s.put(keys[i], values[i]));
                    assertArrayEquals(values[i], s.get(keys[i]), "slot " + i + " round " + round);
                }
                for (int i = 0; i < sizes.length; i++) {
                    assertArrayEquals(values[i], s.get(keys[i]), "slot " + i + " after round " + round);
                }
            }
            for (int i = 0; i < sizes.length; i++) {
                assertArrayEquals(values[i], s.remove(keys[i]), "slot " + i);
                assertNull(s.get(keys[i]), "slot " + i);
            }
            assertEquals(0, s.size());
        }
    }

    @Test
    void recordsOnTheirWayToTheWriterAreReadReplacedAndRemovedAtOnce() {
        // every put is followed at once by reads, replacements and removals of recent keys, while
        // the writer thread may not have written them yet; scans, freezes and compaction steps
        // in between must see exactly the model
        try (SpillStore s = SpillStore.open(dir.resolve("spill"), 0, 2000)) {
            Random rnd = new Random(7);
            Map<String, byte[]> model = new HashMap<>();
            for (int i = 0; i < 120_000; i++) {
                String k = "k:" + (i - rnd.nextInt(Math.min(i + 1, 50)));
                int op = rnd.nextInt(10);
                if (op < 6) {
                    byte[] v = new byte[20 + rnd.nextInt(300)];
                    rnd.nextBytes(v);
                    assertEquals(SpillStore.PutResult.OK, s.put(b(k), v));
                    model.put(k, v);
                } else if (op < 8) {
                    assertArrayEquals(model.get(k), s.get(b(k)), k);
                } else {
                    assertTrue(Arrays.equals(model.remove(k), s.remove(b(k))), k);
                }
                if (i % 20_000 == 19_999) {
                    Map<String, byte[]> seen = new HashMap<>();
                    long cursor = 0;
                    do {
                        cursor = s.scan(cursor, (key, v) -> seen.put(new String(key, StandardCharsets.UTF_8), v));
                    } while (cursor != 0);
                    assertSame(model, seen);
                    SpillStore.Frozen f = s.freeze();
                    Map<String, byte[]> frozen = new HashMap<>();
                    s.put(b("during-freeze"), b("x"));
                    f.forEach((key, v) -> frozen.put(new String(key, StandardCharsets.UTF_8), v));
                    assertSame(model, frozen);
                    s.remove(b("during-freeze"));
                    s.thaw();
                    s.compactStep(5000);
                }
            }
            assertEquals(model.size(), s.size());
            for (Map.Entry<String, byte[]> e : model.entrySet()) {
                assertArrayEquals(e.getValue(), s.get(b(e.getKey())), e.getKey());
            }
        }
    }

    @Test
    void shouldRefuseWritesPastTheByteBudgetAndKeepServingReads() {
        try (SpillStore s = SpillStore.open(dir.resolve("spill"), 64L * 1024 * 1024)) {
            byte[] v = new byte[1000];
            int stored = 0;
            SpillStore.PutResult r = SpillStore.PutResult.OK;
            for (int i = 0; i < 1_000_000 && r == SpillStore.PutResult.OK; i++) {
                r = s.put(b("k" + i), v);
                if (r == SpillStore.PutResult.OK) {
                    stored++;
                }
            }
            assertEquals(SpillStore.PutResult.FULL, r);
            assertTrue(stored > 1000);
            assertArrayEquals(v, s.get(b("k0")));
            assertEquals(stored, s.size());
        }
    }

    @Test
    void shouldWipeLeftoverFilesOnOpenAndOnClear() throws Exception {
        Path d = dir.resolve("spill");
        try (SpillStore s = SpillStore.open(d, 0)) {
            s.put(b("a"), b("1"));
        }
        Files.createDirectories(d);
        Files.writeString(d.resolve("stale.cm"), "junk");
        try (SpillStore s = SpillStore.open(d, 0)) {
            assertNull(s.get(b("a")));
            assertTrue(!Files.exists(d.resolve("stale.cm")));
            s.put(b("b"), b("2"));
            s.clear();
            assertEquals(0, s.size());
            assertNull(s.get(b("b")));
            s.put(b("c"), b("3"));
            assertArrayEquals(b("3"), s.get(b("c")));
        }
    }

    @Test
    void shouldRoundTripRecordsWithAndWithoutLz4() {
        byte[] text = b("abcdefgh".repeat(100));
        byte[] rec = SpillRecord.encode(18, 1234567L, text, true);
        assertTrue(rec.length < text.length, "compressible payload is stored compressed");
        assertEquals(18, SpillRecord.type(rec));
        assertEquals(1234567L, SpillRecord.expireAt(rec));
        assertArrayEquals(text, SpillRecord.payload(rec));
        byte[] random = new byte[500];
        new Random(3).nextBytes(random);
        byte[] rec2 = SpillRecord.encode(0, -1, random, true);
        assertArrayEquals(random, SpillRecord.payload(rec2));
        assertEquals(-1, SpillRecord.expireAt(rec2));
    }

    @Test
    void recordsWrittenFromTheirPartsShouldReadBackAsTheEncodedArray() {
        Random rnd = new Random(5);
        Map<String, byte[]> expected = new HashMap<>();
        try (SpillStore s = SpillStore.open(dir.resolve("parts"), 0, 1000)) {
            for (int i = 0; i < 50_000; i++) {
                byte[] v;
                if (i % 2 == 0) {
                    v = b(("text " + i + " ").repeat(1 + rnd.nextInt(40))); // compresses
                } else {
                    v = new byte[rnd.nextInt(300)];
                    rnd.nextBytes(v);
                }
                long expireAt = i % 3 == 0 ? -1 : 1_700_000_000_000L + i;
                int lru = rnd.nextInt();
                int lfu = rnd.nextInt(256);
                int hints = i % 4 == 0 ? SpillRecord.FLAG_RAW_STRING : SpillRecord.FLAG_TEXT_STRING;
                SpillRecord.Parts parts = SpillRecord.parts(0, expireAt, lru, lfu, v, true, hints);
                byte[] whole = SpillRecord.encode(0, expireAt, lru, lfu, v, true, hints);
                assertArrayEquals(whole, parts.toBytes());
                assertEquals(whole.length, parts.length());
                String k = "k" + i;
                assertEquals(SpillStore.PutResult.OK, s.putNew(b(k), parts));
                expected.put(k, whole);
                if (i % 1000 == 0) {
                    assertArrayEquals(whole, s.get(b(k)), "read while perhaps still queued");
                }
            }
            // walking drains the writer: every record is now in a map, read from the file
            Map<String, byte[]> walked = collect(s::forEach);
            assertSame(expected, walked);
            for (Map.Entry<String, byte[]> e : expected.entrySet()) {
                byte[] r = s.get(b(e.getKey()));
                assertArrayEquals(e.getValue(), r, e.getKey());
                assertEquals(SpillRecord.expireAt(e.getValue()), SpillRecord.expireAt(r));
                assertEquals(SpillRecord.lru(e.getValue()), SpillRecord.lru(r));
            }
        }
    }

    private static Map<String, byte[]> collect(java.util.function.Consumer<java.util.function.BiConsumer<byte[], byte[]>> walk) {
        Map<String, byte[]> out = new HashMap<>();
        walk.accept((k, v) -> {
            byte[] old = out.put(new String(k, StandardCharsets.UTF_8), v);
            assertNull(old, "visited twice: " + new String(k, StandardCharsets.UTF_8));
        });
        return out;
    }

    private static void assertSame(Map<String, byte[]> expected, Map<String, byte[]> actual) {
        assertEquals(expected.keySet(), actual.keySet());
        for (Map.Entry<String, byte[]> e : expected.entrySet()) {
            assertArrayEquals(e.getValue(), actual.get(e.getKey()), e.getKey());
        }
    }

    @Test
    void frozenViewShouldKeepTheFreezeInstantWhileTheStoreChanges() {
        try (SpillStore s = SpillStore.open(dir.resolve("spill"), 0, 500)) {
            Random rnd = new Random(7);
            Map<String, byte[]> model = new HashMap<>();
            for (int round = 0; round < 4; round++) {
                for (int i = 0; i < 6000; i++) {
                    String k = "k" + rnd.nextInt(8000);
                    byte[] v = new byte[20 + rnd.nextInt(200)];
                    rnd.nextBytes(v);
                    s.put(b(k), v);
                    model.put(k, v);
                }
                Map<String, byte[]> atFreeze = new HashMap<>(model);
                SpillStore.Frozen f = s.freeze();
                assertEquals(atFreeze.size(), f.size);
                for (int i = 0; i < 5000; i++) {
                    String k = "k" + rnd.nextInt(9000);
                    if (rnd.nextBoolean()) {
                        assertTrue(Arrays.equals(model.remove(k), s.remove(b(k))), k);
                    } else {
                        byte[] v = new byte[20 + rnd.nextInt(200)];
                        rnd.nextBytes(v);
                        s.put(b(k), v);
                        model.put(k, v);
                    }
                }
                assertSame(atFreeze, collect(f::forEach));
                assertSame(model, collect(s::forEach));
                assertEquals(model.size(), s.size());
                for (String k : model.keySet()) {
                    assertArrayEquals(model.get(k), s.get(b(k)), k);
                }
                s.thaw();
                assertSame(model, collect(s::forEach));
                Map<String, byte[]> scanned = new HashMap<>();
                long cursor = 0;
                do {
                    cursor = s.scan(cursor, (k, v) -> scanned.put(new String(k, StandardCharsets.UTF_8), v));
                } while (cursor != 0);
                assertSame(model, scanned);
            }
            assertTrue(s.liveGenerations() > 8 * 3, "each freeze with writes adds generations: " + s.liveGenerations());
            while (s.compactStep(1000) > 0) {
                // compact fully
            }
            assertTrue(s.liveGenerations() <= 8 * 3, "compaction bounds generations: " + s.liveGenerations());
            assertSame(model, collect(s::forEach));
            assertTrue(s.randomKey(new Random(1)) != null);
        }
    }
}
