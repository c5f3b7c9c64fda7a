package io.strata.server;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fork-free BGSAVE writes exactly the dataset as it was when BGSAVE ran, while several
 * clients keep writing, deleting, expiring, flushing and swapping databases during the save.
 */
class SnapshotConsistencyTest {

    @Test
    @DisplayName("BGSAVE under concurrent seeded writes, deletes, expiries, FLUSHDB and SWAPDB saves exactly the dataset of the moment it started")
    void bgsaveIsPointInTime(@TempDir Path dir, @TempDir Path loadDir) throws Exception {
        Map<String, String> expected;
        long maxPreserved = 0;
        long opsDuringSave;
        long datasetBytes;
        try (TestServer s = TestServer.start("--dir", dir.toString(), "--save", "");
             Jedis j = s.jedis(); RawClient raw = new RawClient(s.port())) {
            Datasets.populate(j, 21, 2000);
            expected = Datasets.capture(j, 3, false);
            datasetBytes = Long.parseLong(AdminCommandsTest.parseInfo(j.info("memory")).get("used_memory_dataset"));
            // Redis' own test knob keeps the snapshot thread busy long enough to overlap the writers
            assertEquals("OK", j.configSet("rdb-key-save-delay", "300"));

            Writers writers = Writers.start(s, 4, 1000, SnapshotConsistencyTest::write);
            AtomicLong ops = writers.ops;
            // the epoch: nothing writes between the capture above and this command
            assertEquals("+Background saving started\r\n", raw.call("bgsave"));
            writers.go();
            assertEquals("-ERR Background save already in progress\r\n", raw.call("bgsave"));
            assertEquals("-ERR Background save already in progress\r\n", raw.call("save"));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            Map<String, String> f;
            long opsSeen;
            while (true) {
                opsSeen = ops.get();
                f = PersistenceTest.info(j);
                if (f.get("rdb_bgsave_in_progress").equals("0")) {
                    break;
                }
                maxPreserved = Math.max(maxPreserved, Long.parseLong(f.get("rdb_snapshot_preserved_bytes")));
                assertTrue(System.nanoTime() < deadline, "BGSAVE did not finish");
                Thread.sleep(10);
            }
            opsDuringSave = opsSeen;
            writers.stop();
            assertEquals("ok", f.get("rdb_last_bgsave_status"));
            assertEquals("0", f.get("rdb_snapshot_preserved_bytes"));
            assertTrue(opsDuringSave > 100, "writers overlapped the save: " + opsDuringSave + " ops");
            assertTrue(maxPreserved > 0, "pre-images were taken while the snapshot ran");
        }
        Files.copy(dir.resolve("dump.rdb"), loadDir.resolve("dump.rdb"));
        try (TestServer s = TestServer.start("--dir", loadDir.toString(), "--save", ""); Jedis j = s.jedis()) {
            Map<String, String> loaded = Datasets.capture(j, 3, false);
            assertEquals(expected.size(), loaded.size());
            assertEquals(expected, loaded);
        }
        System.out.println("snapshot consistency: dataset " + datasetBytes + " B, peak pre-images " + maxPreserved
            + " B (" + (100 * maxPreserved / Math.max(1, datasetBytes)) + "%), " + opsDuringSave
            + " writes during the save");
    }

    /** Seeded random writes over the populated keys and new ones until {@code stop}. */
    private static void write(Jedis c, Random rnd, AtomicBoolean stop, AtomicLong ops) {
        Writers.mixedWrites(c, rnd, stop, ops, 0, null);
    }
}
