package io.strata.storage.rdb;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reads a dump.rdb written by a real redis-server 7.0 (the Debian package, skipped when absent)
 * holding small and large collections, so listpack, intset, quicklist, hashtable and skiplist
 * encodings, LZF strings, integers and expiries all appear.
 */
class RedisDumpReadTest {
    private static final String BINARY = "/usr/bin/redis-server";

    private static void send(OutputStream out, InputStream in, String... args) throws Exception {
        StringBuilder sb = new StringBuilder("*").append(args.length).append("\r\n");
        for (String a : args) {
            sb.append('$').append(a.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(a).append("\r\n");
        }
        out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
        out.flush();
        // read one line-oriented reply (these commands answer +OK, :n or $n)
        int c;
        StringBuilder line = new StringBuilder();
        while ((c = in.read()) != '\n') {
            line.append((char) c);
        }
        if (line.charAt(0) == '-') {
            throw new IllegalStateException(line.toString());
        }
    }

    @Test
    @DisplayName("A redis-server 7.0 dump with every encoding reads back with the right types, sizes and expiries")
    void readsRedisDump() throws Exception {
        Assumptions.assumeTrue(new File(BINARY).canExecute(), "redis-server not installed");
        Path dir = Files.createTempDirectory("rdb-interop");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Process p = new ProcessBuilder(BINARY, "--port", Integer.toString(port), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no", "--dir", dir.toString())
            .redirectErrorStream(true).redirectOutput(dir.resolve("log").toFile()).start();
        try {
            Socket sock = null;
            for (int i = 0; i < 200 && sock == null; i++) {
                try {
                    sock = new Socket("127.0.0.1", port);
                } catch (Exception e) {
                    Thread.sleep(20);
                }
            }
            try (Socket so = sock) {
                OutputStream out = so.getOutputStream();
                InputStream in = new java.io.BufferedInputStream(so.getInputStream());
                send(out, in, "SET", "plain", "hello");
                send(out, in, "SET", "int", "12345");
                send(out, in, "SET", "lzf", "abcabcabc".repeat(50));
                send(out, in, "SET", "ttl", "x", "PX", "9999999");
                send(out, in, "RPUSH", "smalllist", "a", "1", "-70000");
                for (int i = 0; i < 1000; i++) {
                    send(out, in, "RPUSH", "biglist", "element-" + i);
                }
                send(out, in, "SADD", "intset", "1", "2", "300000");
                send(out, in, "SADD", "strset", "a", "b");
                for (int i = 0; i < 600; i++) {
                    send(out, in, "SADD", "bigintset", Integer.toString(i));
                }
                send(out, in, "HSET", "smallhash", "f", "v", "n", "7");
                for (int i = 0; i < 600; i++) {
                    send(out, in, "HSET", "bighash", "f" + i, "v" + i);
                }
                send(out, in, "ZADD", "smallzset", "1.5", "a", "-2", "b");
                for (int i = 0; i < 200; i++) {
                    send(out, in, "ZADD", "bigzset", Integer.toString(i), "m" + i);
                }
                send(out, in, "SELECT", "2");
                send(out, in, "SET", "indb2", "v");
                send(out, in, "SAVE");
            }
            Map<String, String> seen = new HashMap<>();
            long[] expiry = {-1};
            try (InputStream f = Files.newInputStream(dir.resolve("dump.rdb"))) {
                new RdbReader(new java.io.BufferedInputStream(f)).read(new RdbVisitor() {
                    @Override
                    public void entry(int db, byte[] key, RdbValue v, long exp, long idle, int freq, long off, long size) {
                        String k = new String(key, StandardCharsets.UTF_8);
                        String desc = db + ":" + v.typeName() + ":" + v.size() + ":" + v.rdbType;
                        if (v.kind == RdbValue.Kind.STRING) {
                            desc += ":" + new String(v.string, StandardCharsets.UTF_8);
                        }
                        seen.put(k, desc);
                        if (k.equals("ttl")) {
                            expiry[0] = exp;
                        }
                    }
                });
            }
            assertEquals("0:string:1:0:hello", seen.get("plain"));
            assertEquals("0:string:1:0:12345", seen.get("int"));
            assertEquals("0:string:1:0:" + "abcabcabc".repeat(50), seen.get("lzf"));
            assertTrue(expiry[0] > System.currentTimeMillis(), "expiry kept");
            assertEquals("0:list:3:18", seen.get("smalllist"));
            assertEquals("0:list:1000:18", seen.get("biglist"));
            assertEquals("0:set:3:11", seen.get("intset"));
            assertEquals("0:set:600:2", seen.get("bigintset"));
            assertEquals("0:set:2:2", seen.get("strset"));
            assertEquals("0:hash:2:16", seen.get("smallhash"));
            assertEquals("0:hash:600:4", seen.get("bighash"));
            assertEquals("0:zset:2:17", seen.get("smallzset"));
            assertEquals("0:zset:200:5", seen.get("bigzset"));
            assertEquals("2:string:1:0:v", seen.get("indb2"));
        } finally {
            p.destroyForcibly();
            p.waitFor(5, TimeUnit.SECONDS);
            try (var files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
            }
        }
    }
}
