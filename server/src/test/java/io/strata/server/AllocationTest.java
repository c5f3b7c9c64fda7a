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

    private static Thread eventLoop() {
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("strata-main")) {
                return t;
            }
        }
        throw new IllegalStateException("no strata-main thread");
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
            Thread loop = eventLoop();
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
}
