package io.strata.server;

import io.strata.storage.rdb.RdbValue;
import io.strata.storage.rdb.RdbWriter;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Start-up loads the RDB in steps: clients that connect meanwhile get -LOADING, never a partial dataset. */
class RdbLoadingTest {
    @TempDir
    Path dir;

    @Test
    @Covers({"ping", "dbsize"})
    @DisplayName("While a large dump.rdb loads at start-up, commands get -LOADING; afterwards every key is there")
    void loadingReplies() throws Exception {
        int keys = 1_000_000;
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(dir.resolve("dump.rdb")), 1 << 16)) {
            RdbWriter w = new RdbWriter(out, false, true);
            w.header();
            w.selectDb(0);
            for (int i = 0; i < keys; i++) {
                w.entry(("key:" + i).getBytes(StandardCharsets.UTF_8),
                    RdbValue.string(("value-" + i).getBytes(StandardCharsets.UTF_8)), -1);
            }
            w.end();
        }
        int port = RedisServerProcess.freePort();
        CompletableFuture<TestServer> started = CompletableFuture.supplyAsync(
            () -> TestServer.start("--port", Integer.toString(port), "--dir", dir.toString(), "--save", ""));
        String loadingReply = null;
        String dbsize = null;
        for (int attempt = 0; attempt < 2000 && !started.isDone(); attempt++) {
            try (RawClient c = new RawClient(port)) {
                String r = c.call("PING");
                if (r.startsWith("-LOADING")) {
                    loadingReply = r;
                }
                dbsize = c.call("DBSIZE");
            } catch (java.io.IOException notYetListening) {
                Thread.sleep(5);
            }
        }
        try (TestServer s = started.get(); Jedis j = s.jedis()) {
            assertEquals(keys, j.dbSize());
            assertEquals("value-1234", j.get("key:1234"));
        }
        assertEquals("-LOADING Redis is loading the dataset in memory\r\n", loadingReply,
            "a client connected during the load saw -LOADING (last DBSIZE reply: " + dbsize + ")");
        assertTrue(dbsize == null || dbsize.startsWith("-LOADING") || dbsize.equals(":" + keys + "\r\n"),
            "never a partial count: " + dbsize);
    }
}
