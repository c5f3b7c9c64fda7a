package io.strata.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The wire protocol against a real server: inline commands as nc or telnet send them,
 * pipelines, protocol errors, RESP3 after HELLO 3 and values far larger than a socket buffer.
 */
class ProtocolTest {
    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String bulk(String s) {
        return "$" + s.getBytes(StandardCharsets.UTF_8).length + "\r\n" + s + "\r\n";
    }

    @Test
    @Covers({"ping", "set", "get", "echo"})
    @DisplayName("Inline commands as nc or telnet send them (LF or CRLF, quotes, blank lines) get RESP replies")
    void inlineCommands() throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            c.send("PING\r\n");
            assertEquals("+PONG\r\n", c.readReply());
            c.send("set inline:k \"a b\\tc\"\n");
            assertEquals("+OK\r\n", c.readReply());
            c.send("\r\n\nget inline:k\n");
            assertEquals("$5\r\na b\tc\r\n", c.readReply());
            c.send("set inline:q 'it''s'\r\n");
            assertEquals("-ERR Protocol error: unbalanced quotes in request\r\n", c.readReply());
            assertTrue(c.isClosedByServer());
        }
        try (RawClient c = new RawClient(server.port())) {
            // inline and multibulk mixed in one write, replies in order
            c.send("echo one\r\n*2\r\n$4\r\necho\r\n$3\r\ntwo\r\necho \"three\"\n");
            assertEquals(bulk("one"), c.readReply());
            assertEquals(bulk("two"), c.readReply());
            assertEquals(bulk("three"), c.readReply());
        }
    }

    @Test
    @Covers({"echo", "set", "get"})
    @DisplayName("10,000 commands pipelined in one write get 10,000 replies in order")
    void pipelineOfTenThousand() throws Exception {
        int n = 10_000;
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            switch (i % 3) {
                case 0:
                    sb.append("*2\r\n$4\r\nECHO\r\n").append(bulk("e" + i));
                    break;
                case 1:
                    sb.append("*3\r\n$3\r\nSET\r\n").append(bulk("pipe:" + i)).append(bulk("v" + i));
                    break;
                default:
                    sb.append("GET pipe:").append(i - 1).append("\r\n");
            }
        }
        try (RawClient c = new RawClient(server.port())) {
            c.send(sb.toString());
            for (int i = 0; i < n; i++) {
                String expected;
                switch (i % 3) {
                    case 0:
                        expected = bulk("e" + i);
                        break;
                    case 1:
                        expected = "+OK\r\n";
                        break;
                    default:
                        expected = bulk("v" + (i - 1));
                }
                assertEquals(expected, c.readReply(), "reply #" + i);
            }
            assertEquals("+PONG\r\n", c.call("PING"));
        }
    }

    @Test
    @DisplayName("A malformed frame gets '-ERR Protocol error: …', replies before it are kept, the connection closes and others keep working")
    void malformedFrames() throws Exception {
        String[][] cases = {
            {"*2\r\n$3\r\nGET\r\nx\r\n", "-ERR Protocol error: expected '$', got 'x'\r\n"},
            {"*1\r\n$-5\r\n", "-ERR Protocol error: invalid bulk length\r\n"},
            {"*abc\r\n", "-ERR Protocol error: invalid multibulk length\r\n"},
            {"echo \"abc\r\n", "-ERR Protocol error: unbalanced quotes in request\r\n"},
        };
        try (RawClient bystander = new RawClient(server.port())) {
            assertEquals("+OK\r\n", bystander.call("SET", "proto:bystander", "1"));
            for (String[] cs : cases) {
                try (RawClient c = new RawClient(server.port())) {
                    c.send("PING\r\n" + cs[0] + "PING\r\n");
                    assertEquals("+PONG\r\n", c.readReply(), cs[0]);
                    assertEquals(cs[1], c.readReply(), cs[0]);
                    assertTrue(c.isClosedByServer(), "closed after " + cs[0]);
                }
                assertEquals(bulk("1"), bystander.call("GET", "proto:bystander"));
            }
        }
    }

    @Test
    @DisplayName("Header lines over 64KB and bulks over proto-max-bulk-len are protocol errors")
    void limits() throws Exception {
        char[] digits = new char[70 * 1024];
        Arrays.fill(digits, '7');
        try (RawClient c = new RawClient(server.port())) {
            c.send("*" + new String(digits));
            assertEquals("-ERR Protocol error: too big mbulk count string\r\n", c.readReply());
            assertTrue(c.isClosedByServer());
        }
        char[] inline = new char[70 * 1024];
        Arrays.fill(inline, 'a');
        try (RawClient c = new RawClient(server.port())) {
            c.send(new String(inline));
            assertEquals("-ERR Protocol error: too big inline request\r\n", c.readReply());
            assertTrue(c.isClosedByServer());
        }
        try (TestServer small = TestServer.start("--proto-max-bulk-len", "1mb");
             RawClient c = new RawClient(small.port())) {
            c.send("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$" + (1024 * 1024 + 1) + "\r\n");
            assertEquals("-ERR Protocol error: invalid bulk length\r\n", c.readReply());
            assertTrue(c.isClosedByServer());
        }
    }

    @Test
    @Covers({"auth"})
    @DisplayName("Before AUTH, a multibulk over 10 arguments or a bulk over 16 KB is a protocol error, as in Redis 7.0; after AUTH it is not")
    void unauthenticatedLimits() throws Exception {
        for (String threads : new String[] {"1", "2"}) {
            try (TestServer s = TestServer.start("--requirepass", "pw", "--io-threads", threads)) {
                try (RawClient c = new RawClient(s.port())) {
                    assertEquals("-NOAUTH Authentication required.\r\n", c.call("PING"));
                    c.send("*11\r\n");
                    assertEquals("-ERR Protocol error: unauthenticated multibulk length\r\n", c.readReply());
                    assertTrue(c.isClosedByServer());
                }
                try (RawClient c = new RawClient(s.port())) {
                    c.send("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$16385\r\n");
                    assertEquals("-ERR Protocol error: unauthenticated bulk length\r\n", c.readReply());
                    assertTrue(c.isClosedByServer());
                }
                String big = "x".repeat(20000);
                try (RawClient c = new RawClient(s.port())) {
                    assertEquals("+OK\r\n", c.call("AUTH", "pw"));
                    assertEquals("+OK\r\n", c.call("SET", "auth:big", big));
                    assertEquals("-ERR wrong number of arguments for 'echo' command\r\n",
                        c.call("ECHO", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11"));
                }
                try (RawClient c = new RawClient(s.port())) {
                    // AUTH and a big command in one write: AUTH runs first, as in Redis
                    c.send("*2\r\n$4\r\nAUTH\r\n$2\r\npw\r\n*3\r\n$3\r\nSET\r\n$8\r\nauth:big\r\n$"
                        + big.length() + "\r\n" + big + "\r\n");
                    assertEquals("+OK\r\n", c.readReply(), "io-threads " + threads);
                    assertEquals("+OK\r\n", c.readReply(), "io-threads " + threads);
                }
            }
        }
    }

    @Test
    @Covers({"hello", "get", "client|info"})
    @DisplayName("After HELLO 3 replies are RESP3: HELLO is a % map, missing values are _, CLIENT INFO is verbatim; HELLO 2 goes back")
    void resp3AfterHello() throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            assertEquals("$-1\r\n", c.call("GET", "resp3:missing"));
            String hello = c.call("HELLO", "3");
            assertTrue(hello.startsWith("%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n"
                + "$5\r\nproto\r\n:3\r\n$2\r\nid\r\n:"), hello);
            assertTrue(hello.endsWith("$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n"
                + "$7\r\nmodules\r\n*0\r\n"), hello);
            assertEquals("_\r\n", c.call("GET", "resp3:missing"));
            String info = c.call("CLIENT", "INFO");
            assertTrue(info.startsWith("="), info);
            assertTrue(info.contains("\r\ntxt:id="), info);
            assertTrue(info.contains(" resp=3 "), info);
            assertEquals("-NOPROTO unsupported protocol version\r\n", c.call("HELLO", "4"));
            String hello2 = c.call("HELLO", "2");
            assertTrue(hello2.startsWith("*14\r\n$6\r\nserver\r\n"), hello2);
            assertEquals("$-1\r\n", c.call("GET", "resp3:missing"));
        }
    }

    @Test
    @Covers({"config|get"})
    @DisplayName("CONFIG GET is a % map in RESP3 and a flat array in RESP2")
    void resp3ConfigGetMap() throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            assertEquals("*2\r\n" + bulk("maxclients") + bulk("10000"), c.call("CONFIG", "GET", "maxclients"));
            c.call("HELLO", "3");
            assertEquals("%1\r\n" + bulk("maxclients") + bulk("10000"), c.call("CONFIG", "GET", "maxclients"));
        }
    }

    @Test
    @Covers({"zadd", "zscore", "zrange"})
    @DisplayName("Scores are , doubles in RESP3 (WITHSCORES pairs nested) and bulk strings in RESP2, as redis-server 7.0 replies")
    void resp3Doubles() throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            assertEquals(":2\r\n", c.call("ZADD", "resp3:z", "1.5", "m", "3", "n"));
            assertEquals("$3\r\n1.5\r\n", c.call("ZSCORE", "resp3:z", "m"));
            assertEquals("$1\r\n3\r\n", c.call("ZSCORE", "resp3:z", "n"));
            c.call("HELLO", "3");
            assertEquals(",1.5\r\n", c.call("ZSCORE", "resp3:z", "m"));
            assertEquals(",3\r\n", c.call("ZSCORE", "resp3:z", "n"));
            assertEquals("_\r\n", c.call("ZSCORE", "resp3:z", "nope"));
            assertEquals("*2\r\n*2\r\n$1\r\nm\r\n,1.5\r\n*2\r\n$1\r\nn\r\n,3\r\n",
                c.call("ZRANGE", "resp3:z", "0", "-1", "WITHSCORES"));
            c.call("DEL", "resp3:z");
        }
    }

    @Test
    @Covers({"multi", "exec", "watch"})
    @DisplayName("An EXEC aborted by WATCH is *-1 in RESP2 and _ in RESP3")
    void resp3NullArray() throws Exception {
        try (RawClient c = new RawClient(server.port()); RawClient other = new RawClient(server.port())) {
            for (String proto : new String[] {"2", "3"}) {
                c.call("HELLO", proto);
                assertEquals("+OK\r\n", c.call("WATCH", "resp3:w"));
                assertEquals("+OK\r\n", other.call("SET", "resp3:w", proto));
                assertEquals("+OK\r\n", c.call("MULTI"));
                assertEquals("+QUEUED\r\n", c.call("GET", "resp3:w"));
                assertEquals(proto.equals("3") ? "_\r\n" : "*-1\r\n", c.call("EXEC"));
            }
        }
    }

    @Test
    @DisplayName("The reply encoder writes RESP3 types after HELLO 3 and their RESP2 fallbacks otherwise")
    void encoderTypes() {
        RespWriter w = new RespWriter(UnpooledByteBufAllocator.DEFAULT);
        w.protocol = 3;
        w.dbl(1.5);
        w.dbl(Double.POSITIVE_INFINITY);
        w.dbl(Double.NEGATIVE_INFINITY);
        w.dbl(3);
        w.bool(true);
        w.bool(false);
        w.map(1);
        w.set(2);
        w.push(3);
        w.nullBulk();
        w.nullArray();
        w.verbatim("hi");
        w.integer(-12345678901L);
        w.integer(Long.MIN_VALUE);
        w.array(20000);
        assertEquals(",1.5\r\n,inf\r\n,-inf\r\n,3\r\n#t\r\n#f\r\n%1\r\n~2\r\n>3\r\n_\r\n_\r\n=6\r\ntxt:hi\r\n"
            + ":-12345678901\r\n:-9223372036854775808\r\n*20000\r\n", take(w));
        w.protocol = 2;
        w.dbl(1.5);
        w.dbl(Double.POSITIVE_INFINITY);
        w.bool(true);
        w.map(1);
        w.set(2);
        w.push(3);
        w.nullBulk();
        w.nullArray();
        w.verbatim("hi");
        w.error("ERR a\r\nb");
        w.integer(1000000000000000000L);
        assertEquals("$3\r\n1.5\r\n$3\r\ninf\r\n:1\r\n*2\r\n*2\r\n*3\r\n$-1\r\n*-1\r\n$2\r\nhi\r\n-ERR a  b\r\n"
            + ":1000000000000000000\r\n", take(w));
    }

    private static String take(RespWriter w) {
        ByteBuf b = w.take();
        try {
            return b.toString(StandardCharsets.UTF_8);
        } finally {
            b.release();
        }
    }

    @Test
    @Covers({"set", "get"})
    @DisplayName("A 20 MB value round-trips through SET and GET")
    void largeValue() throws Exception {
        byte[] value = new byte[20 * 1024 * 1024];
        new Random(20).nextBytes(value);
        byte[] key = "proto:large".getBytes(StandardCharsets.UTF_8);
        try (Jedis j = server.jedis()) {
            assertEquals("OK", j.set(key, value));
            assertArrayEquals(value, j.get(key));
            assertEquals("PONG", j.ping());
        }
        // and written to the socket in small pieces, as a slow client would
        byte[] head = ("*3\r\n$3\r\nSET\r\n$11\r\nproto:large\r\n$" + value.length + "\r\n").getBytes(StandardCharsets.US_ASCII);
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.write(head);
        all.write(value, 0, value.length);
        all.write('\r');
        all.write('\n');
        byte[] frame = all.toByteArray();
        try (RawClient c = new RawClient(server.port())) {
            for (int off = 0; off < frame.length; off += 1 << 20) {
                c.send(Arrays.copyOfRange(frame, off, Math.min(frame.length, off + (1 << 20))));
            }
            assertEquals("+OK\r\n", c.readReply());
        }
        try (Jedis j = server.jedis()) {
            assertArrayEquals(value, j.get(key));
            j.del(key);
        }
    }

    @Test
    @DisplayName("A client whose query buffer passes client-query-buffer-limit is disconnected")
    void queryBufferLimit() throws Exception {
        try (TestServer small = TestServer.start("--client-query-buffer-limit", "1mb");
             RawClient c = new RawClient(small.port())) {
            c.send("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$" + (4 * 1024 * 1024) + "\r\n");
            byte[] chunk = new byte[64 * 1024];
            boolean closed = false;
            try {
                for (int i = 0; i < 40; i++) {
                    c.send(chunk);
                }
            } catch (java.io.IOException e) {
                closed = true; // reset by the server while still writing
            }
            assertTrue(closed || c.isClosedByServer());
            try (RawClient other = new RawClient(small.port())) {
                assertEquals("+PONG\r\n", other.call("PING"));
            }
        }
    }
}
