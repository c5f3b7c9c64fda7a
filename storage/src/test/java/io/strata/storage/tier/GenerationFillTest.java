package io.strata.storage.tier;

import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.ChronicleMapBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Path;
import java.util.concurrent.locks.ReentrantLock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GenerationFillTest {
    static {
        System.setProperty("chronicle.analytics.disable", "true");
    }

    @TempDir
    Path dir;

    /** Every range a fill asks the kernel for lies inside the map: one refused call would turn populating off for the process. */
    @Test
    void theStepsCoverEverySegmentsEntrySpaceAndNothingOutsideTheMap() throws Exception {
        for (int segments : new int[] {1, 3, 8}) {
            File f = dir.resolve("fill-" + segments + ".cm").toFile();
            try (ChronicleMap<byte[], byte[]> m = ChronicleMapBuilder.of(byte[].class, byte[].class)
                    .entries(20_000).averageKeySize(16).averageValueSize(300).actualSegments(segments)
                    .actualChunkSize(16).checksumEntries(false).createPersistedTo(f)) {
                boolean supported = populateWriteExists() && GenerationFill.active();
                GenerationFill fill = GenerationFill.start(m);
                assertEquals(supported, GenerationFill.active(), "the first step was refused");
                ReentrantLock guard = new ReentrantLock();
                for (double used = 0; used <= 1; used += 0.01) {
                    fill.ahead(used, Runnable::run, guard);
                }
                assertEquals(supported, GenerationFill.active(), segments + " segments: a step was refused");
                for (int i = 0; i < 20_000; i++) {
                    m.put(("key:" + i).getBytes(), new byte[300]);
                }
                assertEquals(20_000, m.size());
                assertTrue(!guard.isLocked());
            }
        }
    }

    /** MADV_POPULATE_WRITE came with Linux 5.14. */
    private static boolean populateWriteExists() {
        String[] v = System.getProperty("os.version", "0.0").split("[.-]");
        if (!System.getProperty("os.name", "").startsWith("Linux") || v.length < 2) {
            return false;
        }
        int major = Integer.parseInt(v[0]);
        int minor = Integer.parseInt(v[1]);
        return major > 5 || (major == 5 && minor >= 14);
    }
}
