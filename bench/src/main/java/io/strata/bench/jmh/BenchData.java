package io.strata.bench.jmh;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Inputs shared by the micro-benchmarks: fixed-width keys as redis-benchmark writes them
 * ({@code key:000000001234}) and RESP-encoded commands.
 *
 * <p>Thread rule: static helpers, any thread; results are not shared.
 */
final class BenchData {
    private BenchData() {
    }

    static byte[] key(long i) {
        return String.format("key:%012d", i).getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] value(int size) {
        byte[] v = new byte[size];
        Arrays.fill(v, (byte) 'x');
        return v;
    }

    /** One command as a client sends it: {@code *N\r\n$len\r\nparts...}. */
    static byte[] resp(byte[]... parts) {
        StringBuilder head = new StringBuilder();
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        head.append('*').append(parts.length).append("\r\n");
        out.writeBytes(head.toString().getBytes(StandardCharsets.US_ASCII));
        for (byte[] p : parts) {
            out.writeBytes(("$" + p.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.writeBytes(p);
            out.writeBytes(new byte[] {'\r', '\n'});
        }
        return out.toByteArray();
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
