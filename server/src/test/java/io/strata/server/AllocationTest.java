package io.strata.server;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * DESIGN.md: the command path must not allocate per command beyond the data itself. Measures
 * the bytes the keyspace thread (the one event loop, io-threads 1) allocates per pipelined GET
 * and SET of an existing key, using the JVM's per-thread allocation counter (not a timing).
 */
class AllocationTest {
    private static long allocated(Thread t) {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getThreadAllocatedBytes(t.getId());
    }

    /** The threads whose allocation counts: the event loop (io-threads 1) or the I/O loops and the keyspace thread. */
    private static java.util.List<Thread> serverThreads() {
        java.util.List<Thread> out = new java.util.ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("strata-main") || t.getName().startsWith("strata-io")
                || t.getName().equals("strata-keyspace")) {
                out.add(t);
            }
        }
        if (out.isEmpty()) {
            throw new IllegalStateException("no server thread");
        }
        return out;
    }

    private static long allocated(java.util.List<Thread> threads) {
        long sum = 0;
        for (Thread t : threads) {
            sum += allocated(t);
        }
        return sum;
    }

    private static double bytesPerCommand(int port, String cmd, int n) throws Exception {
        byte[] one = cmd.getBytes(StandardCharsets.US_ASCII);
        byte[] batch = new byte[one.length * 1000];
        for (int i = 0; i < 1000; i++) {
            System.arraycopy(one, 0, batch, i * one.length, one.length);
        }
        try (Socket s = new Socket("127.0.0.1", port)) {
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            byte[] sink = new byte[1 << 16];
            Runnable drain = () -> {
                try {
                    int lines = 0;
                    while (lines < 1000) {
                        int r = in.read(sink);
                        for (int i = 0; i < r; i++) {
                            if (sink[i] == '\n') {
                                lines++;
                            }
                        }
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            };
            // warm up (JIT, buffer pools), then measure
            for (int i = 0; i < 200; i++) {
                out.write(batch);
                drain.run();
            }
            java.util.List<Thread> loop = serverThreads();
            long before = allocated(loop);
            for (int i = 0; i < n / 1000; i++) {
                out.write(batch);
                drain.run();
            }
            return (double) (allocated(loop) - before) / n;
        }
    }

    @Test
    @DisplayName("Pipelined GETs and overwriting SETs allocate (almost) nothing per command on the keyspace thread")
    void noGarbagePerCommand() throws Exception {
        try (TestServer server = TestServer.start()) {
            try (RawClient c = new RawClient(server.port())) {
                c.call("SET", "k", "vvvvvvvvvv");
            }
            double get = bytesPerCommand(server.port(), "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n", 200_000);
            // SET copies its 10-byte value (a 32-byte array): that is the data itself
            double set = bytesPerCommand(server.port(), "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$10\r\nvvvvvvvvvv\r\n", 200_000);
            System.out.printf("allocation per command: GET %.1f B, SET %.1f B%n", get, set);
            assertTrue(get < 8, "GET allocates " + get + " bytes per command");
            assertTrue(set < 32 + 8, "SET allocates " + set + " bytes per command");
        }
    }

    @Test
    @DisplayName("With io-threads 2 the hand-off costs one array per read, about the request bytes, not objects per command")
    void handOffAllocatesPerReadNotPerCommand() throws Exception {
        try (TestServer server = TestServer.start("--io-threads", "2")) {
            try (RawClient c = new RawClient(server.port())) {
                c.call("SET", "k", "vvvvvvvvvv");
            }
            double get = bytesPerCommand(server.port(), "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n", 200_000);
            System.out.printf("allocation per command with io-threads 2: GET %.1f B%n", get);
            // one array per read, sized from the 21 bytes of RESP each GET takes on the wire
            assertTrue(get < 32, "GET allocates " + get + " bytes per command across I/O and keyspace threads");
        }
    }
}
