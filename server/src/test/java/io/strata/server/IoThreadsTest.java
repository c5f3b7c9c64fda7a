package io.strata.server;

import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.Response;
import redis.clients.jedis.Transaction;
import redis.clients.jedis.util.SafeEncoder;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The io-threads N thread model (I/O loops handing commands to one keyspace thread over an MPSC
 * queue) under concurrent real clients, pipelined and not, and Lettuce (which negotiates RESP3
 * with HELLO) against the default io-threads 1 server.
 */
class IoThreadsTest {
    private static final int ROUNDS = 300;
    private static final int PIPELINE = 50;

    /** Plain request/reply with Jedis, then pipelines whose replies must come back in order. */
    private static Integer jedisWorker(TestServer server, int id) {
        try (Jedis j = server.jedis()) {
            int checked = 0;
            for (int r = 0; r < ROUNDS; r++) {
                String key = "io:j" + id + ":" + (r % 10);
                String value = id + "-" + r;
                assertEquals("OK", j.set(key, value));
                assertEquals(value, j.get(key));
                assertEquals("e" + id + "." + r, j.echo("e" + id + "." + r));
                checked += 3;
                if (r % 10 == 0) {
                    Pipeline p = j.pipelined();
                    List<Response<Object>> echoes = new ArrayList<>();
                    List<Response<String>> gets = new ArrayList<>();
                    for (int i = 0; i < PIPELINE; i++) {
                        p.set("io:jp" + id + ":" + i, r + ":" + i);
                        echoes.add(p.sendCommand(Protocol.Command.ECHO, id + "/" + r + "/" + i));
                        gets.add(p.get("io:jp" + id + ":" + i));
                    }
                    p.sync();
                    for (int i = 0; i < PIPELINE; i++) {
                        assertEquals(id + "/" + r + "/" + i, SafeEncoder.encode((byte[]) echoes.get(i).get()));
                        assertEquals(r + ":" + i, gets.get(i).get());
                        checked += 2;
                    }
                }
                if (r % 50 == 0) {
                    Transaction t = j.multi();
                    t.set("io:jt" + id, "t" + r);
                    t.get("io:jt" + id);
                    assertEquals(List.of("OK", "t" + r), t.exec());
                    checked += 2;
                }
            }
            return checked;
        }
    }

    /** Lettuce async with auto-flush off: one write carries a whole batch, replies matched per future. */
    private static Integer lettuceWorker(RedisClient client, int id) throws Exception {
        try (StatefulRedisConnection<String, String> conn = client.connect()) {
            RedisCommands<String, String> sync = conn.sync();
            RedisAsyncCommands<String, String> async = conn.async();
            int checked = 0;
            for (int r = 0; r < ROUNDS; r++) {
                String key = "io:l" + id + ":" + (r % 10);
                assertEquals("OK", sync.set(key, "v" + r));
                assertEquals("v" + r, sync.get(key));
                checked += 2;
                if (r % 10 == 0) {
                    conn.setAutoFlushCommands(false);
                    List<RedisFuture<String>> echoes = new ArrayList<>();
                    List<RedisFuture<String>> gets = new ArrayList<>();
                    for (int i = 0; i < PIPELINE; i++) {
                        async.set("io:lp" + id + ":" + i, r + ":" + i);
                        echoes.add(async.echo(id + "/" + r + "/" + i));
                        gets.add(async.get("io:lp" + id + ":" + i));
                    }
                    conn.flushCommands();
                    conn.setAutoFlushCommands(true);
                    assertTrue(LettuceFutures.awaitAll(Duration.ofSeconds(20), echoes.toArray(new RedisFuture[0])));
                    assertTrue(LettuceFutures.awaitAll(Duration.ofSeconds(20), gets.toArray(new RedisFuture[0])));
                    for (int i = 0; i < PIPELINE; i++) {
                        assertEquals(id + "/" + r + "/" + i, echoes.get(i).get());
                        assertEquals(r + ":" + i, gets.get(i).get());
                        checked += 2;
                    }
                }
            }
            return checked;
        }
    }

    private static RedisClient lettuce(TestServer server) {
        RedisURI uri = RedisURI.Builder.redis("127.0.0.1", server.port()).withTimeout(Duration.ofSeconds(20)).build();
        return RedisClient.create(uri);
    }

    private static void shutdown(RedisClient client) {
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }

    @Test
    @Covers({"set", "get", "echo", "multi", "exec"})
    @DisplayName("With io-threads 2, concurrent Jedis and Lettuce clients (pipelined and not) each get every reply, in order")
    void concurrentClientsWithIoThreads() throws Exception {
        try (TestServer server = TestServer.start("--io-threads", "2")) {
            assertEquals(2, server.server().ioThreads());
            RedisClient client = lettuce(server);
            ExecutorService pool = Executors.newFixedThreadPool(6);
            try {
                List<Future<Integer>> results = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    int id = i;
                    results.add(pool.submit((Callable<Integer>) () -> jedisWorker(server, id)));
                }
                for (int i = 0; i < 2; i++) {
                    int id = i;
                    results.add(pool.submit(() -> lettuceWorker(client, id)));
                }
                for (Future<Integer> f : results) {
                    assertTrue(f.get(120, TimeUnit.SECONDS) > 0);
                }
            } finally {
                pool.shutdownNow();
                shutdown(client);
            }
        }
    }

    @Test
    @Covers({"auth", "hello"})
    @DisplayName("With requirepass, Jedis (AUTH) and Lettuce (HELLO 3 AUTH) authenticate and then send values over 16 KB, io-threads 1 and 2")
    void clientsWithPassword() throws Exception {
        String big = "b".repeat(100_000);
        for (String threads : new String[] {"1", "2"}) {
            try (TestServer server = TestServer.start("--requirepass", "s3cret", "--io-threads", threads)) {
                try (Jedis j = server.jedis()) {
                    assertEquals("OK", j.auth("s3cret"));
                    assertEquals("OK", j.set("io:pw", big));
                    assertEquals(big, j.get("io:pw"));
                }
                RedisURI uri = RedisURI.Builder.redis("127.0.0.1", server.port()).withPassword("s3cret".toCharArray())
                    .withTimeout(Duration.ofSeconds(20)).build();
                RedisClient client = RedisClient.create(uri);
                try (StatefulRedisConnection<String, String> conn = client.connect()) {
                    assertEquals(big, conn.sync().get("io:pw"));
                    assertTrue(conn.sync().clientInfo().contains(" resp=3 "));
                } finally {
                    shutdown(client);
                }
            }
        }
    }

    @Test
    @DisplayName("With io-threads 2, a protocol error closes only the offending connection, after its earlier replies")
    void protocolErrorWithIoThreads() throws Exception {
        try (TestServer server = TestServer.start("--io-threads", "2");
             Jedis bystander = server.jedis()) {
            assertEquals("OK", bystander.set("io:b", "1"));
            for (int i = 0; i < 20; i++) {
                try (RawClient c = new RawClient(server.port())) {
                    c.send("PING\r\nECHO x\r\n*1\r\n$x\r\nPING\r\n");
                    assertEquals("+PONG\r\n", c.readReply());
                    assertEquals("$1\r\nx\r\n", c.readReply());
                    assertEquals("-ERR Protocol error: invalid bulk length\r\n", c.readReply());
                    assertTrue(c.isClosedByServer());
                }
                assertEquals("1", bystander.get("io:b"));
            }
        }
    }

    @Test
    @Covers({"quit"})
    @DisplayName("Regression: commands pipelined behind QUIT do not run, with io-threads 1 and 2")
    void commandsAfterQuitDoNotRun() throws Exception {
        for (String threads : new String[] {"1", "2"}) {
            try (TestServer server = TestServer.start("--io-threads", threads)) {
                for (int i = 0; i < 20; i++) {
                    try (RawClient c = new RawClient(server.port())) {
                        c.send("PING\r\n*1\r\n$4\r\nQUIT\r\n*3\r\n$3\r\nSET\r\n$7\r\nio:quit\r\n$1\r\n1\r\n");
                        assertEquals("+PONG\r\n", c.readReply());
                        assertEquals("+OK\r\n", c.readReply());
                        assertTrue(c.isClosedByServer());
                    }
                }
                try (RawClient c = new RawClient(server.port())) {
                    assertEquals("$-1\r\n", c.call("GET", "io:quit"), "io-threads " + threads);
                }
            }
        }
    }

    @Test
    @DisplayName("With io-threads 2, a client past client-query-buffer-limit is closed from the I/O thread while others keep working")
    void queryBufferLimitWithIoThreads() throws Exception {
        try (TestServer server = TestServer.start("--io-threads", "2", "--client-query-buffer-limit", "1mb");
             Jedis bystander = server.jedis()) {
            for (int round = 0; round < 5; round++) {
                try (RawClient c = new RawClient(server.port())) {
                    c.send("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$" + (4 * 1024 * 1024) + "\r\n");
                    byte[] chunk = new byte[64 * 1024];
                    boolean closed = false;
                    try {
                        for (int i = 0; i < 40; i++) {
                            c.send(chunk);
                            assertEquals("OK", bystander.set("io:qb", String.valueOf(i)));
                        }
                    } catch (java.io.IOException e) {
                        closed = true;
                    }
                    assertTrue(closed || c.isClosedByServer());
                }
                assertEquals("PONG", bystander.ping());
            }
        }
    }

    @Test
    @DisplayName("With io-threads 2, a 10,000-command pipeline in one write gets its replies in order")
    void bigPipelineWithIoThreads() throws Exception {
        try (TestServer server = TestServer.start("--io-threads", "2");
             RawClient c = new RawClient(server.port())) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < 10_000; i++) {
                sb.append("ECHO ").append(i).append("\r\n");
            }
            c.send(sb.toString());
            for (int i = 0; i < 10_000; i++) {
                String s = String.valueOf(i);
                assertEquals("$" + s.length() + "\r\n" + s + "\r\n", c.readReply(), "reply #" + i);
            }
        }
    }

    @Test
    @Covers({"hello", "client|info", "set", "get"})
    @DisplayName("Lettuce against the default io-threads 1 server negotiates RESP3 with HELLO and works pipelined")
    void lettuceNegotiatesResp3() throws Exception {
        try (TestServer server = TestServer.start()) {
            RedisClient client = lettuce(server);
            try (StatefulRedisConnection<String, String> conn = client.connect()) {
                RedisCommands<String, String> sync = conn.sync();
                String info = sync.clientInfo();
                assertTrue(info.contains(" resp=3 "), info);
                assertEquals("OK", sync.set("io:lettuce", "v"));
                assertEquals("v", sync.get("io:lettuce"));
                assertEquals(null, sync.get("io:lettuce-missing"));
                assertTrue(lettuceWorker(client, 9) > 0);
            } finally {
                shutdown(client);
            }
        }
    }
}
