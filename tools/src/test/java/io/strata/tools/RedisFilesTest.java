package io.strata.tools;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The tools on files a real redis-server 7.0 wrote (skipped when the Debian package is absent). */
class RedisFilesTest {
    @TempDir
    Path tmp;

    /** Every type in every encoding redis-server 7.0 writes, and the type rdb-inspect must report. */
    private static Map<String, String> populate(RedisServer r) throws Exception {
        Map<String, String> types = new HashMap<>();
        r.call("SET", "str:plain", "hello");
        r.call("SET", "str:int", "12345");
        r.call("SET", "str:neg", "-70000");
        r.call("SET", "str:lzf", "abcabcabc".repeat(100));
        r.call("SET", "str:ttl", "x", "PX", "99999999");
        for (String k : List.of("str:plain", "str:int", "str:neg", "str:lzf", "str:ttl")) {
            types.put(k, "string");
        }
        r.call("RPUSH", "list:small", "a", "1", "-70000", "4294967296");
        types.put("list:small", "list");
        for (int i = 0; i < 600; i++) {
            r.call("RPUSH", "list:big", "element-" + i + "-" + "y".repeat(i % 80));
        }
        types.put("list:big", "list");
        r.call("SADD", "set:intset", "1", "2", "300", "-5", "70000");
        types.put("set:intset", "set");
        for (int i = 0; i < 200; i++) {
            r.call("SADD", "set:table", "member-" + i);
        }
        types.put("set:table", "set");
        r.call("ZADD", "zset:small", "1", "a", "2.5", "b", "-inf", "c");
        types.put("zset:small", "zset");
        for (int i = 0; i < 300; i++) {
            r.call("ZADD", "zset:big", Double.toString(i * 1.5), "m-" + i);
        }
        types.put("zset:big", "zset");
        r.call("HSET", "hash:small", "f1", "v1", "f2", "2");
        types.put("hash:small", "hash");
        for (int i = 0; i < 300; i++) {
            r.call("HSET", "hash:big", "field-" + i, "value-" + i);
        }
        types.put("hash:big", "hash");
        r.call("SELECT", "2");
        r.call("SET", "db2:key", "in db 2");
        types.put("db2:key", "string");
        r.call("SELECT", "0");
        r.call("XADD", "stream:1", "*", "f", "v");
        types.put("stream:1", "stream");
        return types;
    }

    @Test
    @DisplayName("rdb-inspect on a redis-server 7.0 dump lists every key with the right type, streams included")
    void redisDump() throws Exception {
        Assumptions.assumeTrue(RedisServer.available(), "redis-server not installed");
        Map<String, String> types;
        try (RedisServer r = new RedisServer(tmp)) {
            types = populate(r);
            r.call("SAVE");
        }
        Path dump = tmp.resolve("dump.rdb");
        ToolRun json = ToolRun.rdbInspect("--json", dump.toString());
        assertEquals(Exit.CLEAN, json.status(), json.toString());
        Map<String, String> seen = new HashMap<>();
        Pattern p = Pattern.compile("\"key\":\"([^\"]*)\",\"type\":\"(\\w+)\"");
        for (String line : json.out().lines().toList()) {
            Matcher m = p.matcher(line);
            assertTrue(m.find(), line);
            seen.put(m.group(1), m.group(2));
            if (m.group(1).equals("db2:key")) {
                assertTrue(line.startsWith("{\"db\":2,"), line);
            }
            if (m.group(1).equals("str:ttl")) {
                assertTrue(!line.contains("\"expire_at_ms\":null"), line);
            }
        }
        assertEquals(types, seen);
        assertTrue(!json.err().contains("skipped"), json.toString());
        ToolRun streamValues = ToolRun.rdbInspect("--json", "--values", "--keys", "stream:*", dump.toString());
        assertTrue(streamValues.out().contains("\"encoding\":\"stream\""), streamValues.toString());
        assertTrue(streamValues.out().matches("(?s).*\\[\\[\"\\d+-0\",\\[\"f\",\"v\"\\]\\]\\].*"), streamValues.toString());
        ToolRun summary = ToolRun.rdbInspect(dump.toString());
        assertEquals(Exit.CLEAN, summary.status(), summary.toString());
        assertTrue(summary.out().contains("redis-ver = \"7.0"), summary.toString());
        assertTrue(summary.out().contains("db2: 1 keys"), summary.toString());
        ToolRun check = ToolRun.rdbInspect("--check", dump.toString());
        assertEquals(Exit.CLEAN, check.status(), check.toString());
        assertTrue(check.out().contains("checksum verified"), check.toString());
        ToolRun values = ToolRun.rdbInspect("--json", "--values", "--keys", "zset:small", dump.toString());
        assertTrue(values.out().contains("\"value\":[[\"c\",\"-inf\"],[\"a\",1],[\"b\",2.5]]"), values.toString());
    }

    @Test
    @DisplayName("A redis-server appendonlydir checks clean and dumps; a cut tail is found, --fix truncates it and redis-server loads the result")
    void redisAppendOnlyDir() throws Exception {
        Assumptions.assumeTrue(RedisServer.available(), "redis-server not installed");
        try (RedisServer r = new RedisServer(tmp, "--appendonly", "yes", "--aof-timestamp-enabled", "yes")) {
            for (int i = 0; i < 50; i++) {
                r.call("SET", "k" + i, "v" + i);
            }
            r.call("RPUSH", "list", "a", "b\nc");
            r.shutdown();
        }
        Path dir = tmp.resolve("appendonlydir");
        ToolRun check = ToolRun.aofRepair(dir.toString());
        assertEquals(Exit.CLEAN, check.status(), check.toString());
        assertTrue(check.out().contains("resp"), check.toString());
        assertTrue(check.out().contains("commands"), check.toString());
        ToolRun dump = ToolRun.aofRepair("--dump", dir.toString());
        assertEquals(Exit.CLEAN, dump.status(), dump.toString());
        assertTrue(dump.out().contains("\"SET\" \"k7\" \"v7\"\n"), dump.toString());
        assertTrue(dump.out().contains("\"RPUSH\" \"list\" \"a\" \"b\\nc\"\n"), dump.toString());

        Path incr;
        try (var s = Files.list(dir)) {
            incr = s.filter(f -> f.getFileName().toString().endsWith(".incr.aof")).findFirst().orElseThrow();
        }
        byte[] b = Files.readAllBytes(incr);
        Files.write(incr, java.util.Arrays.copyOf(b, b.length - 4));
        ToolRun torn = ToolRun.aofRepair(dir.toString());
        assertEquals(Exit.DAMAGED, torn.status(), torn.toString());
        assertTrue(torn.out().contains("torn tail"), torn.toString());
        ToolRun fix = ToolRun.aofRepair("--fix", dir.toString());
        assertEquals(Exit.CLEAN, fix.status(), fix.toString());

        try (RedisServer r = new RedisServer(tmp, "--appendonly", "yes")) {
            assertEquals(":50", r.call("DBSIZE"), "the RPUSH was in the cut command");
            assertEquals("v49", r.call("GET", "k49"));
        }
    }

    @Test
    @DisplayName("--truncate-to-timestamp on a redis-server appendonlydir cuts at the first #TS annotation after T")
    void redisPointInTime() throws Exception {
        Assumptions.assumeTrue(RedisServer.available(), "redis-server not installed");
        try (RedisServer r = new RedisServer(tmp, "--appendonly", "yes", "--aof-timestamp-enabled", "yes")) {
            r.call("SET", "early", "1");
            Thread.sleep(2100);
            r.call("SET", "late", "2");
            r.shutdown();
        }
        Path dir = tmp.resolve("appendonlydir");
        ToolRun check = ToolRun.aofRepair(dir.toString());
        assertEquals(Exit.CLEAN, check.status(), check.toString());
        Matcher m = Pattern.compile("first (\\S+) last (\\S+)").matcher(check.out());
        assertTrue(m.find(), check.toString());
        long first = java.time.Instant.parse(m.group(1)).getEpochSecond();
        ToolRun cut = ToolRun.aofRepair("--truncate-to-timestamp", Long.toString(first), dir.toString());
        assertEquals(Exit.CLEAN, cut.status(), cut.toString());
        ToolRun dump = ToolRun.aofRepair("--dump", dir.toString());
        assertTrue(dump.out().contains("\"early\""), dump.toString());
        assertTrue(!dump.out().contains("\"late\""), dump.toString());
    }
}
