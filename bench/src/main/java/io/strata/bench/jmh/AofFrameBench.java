package io.strata.bench.jmh;

import io.strata.storage.aof.AofFrames;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Building one AOF frame ({@link AofFrames#encode}: LZ4 block, header, CRC32C) for a group-commit
 * batch of {@code batch} SET commands with 100-byte values, with and without LZ4. Time per frame;
 * divide by {@code batch} for the cost per command. Values are random letters (about as
 * compressible as text), not one repeated byte that LZ4 would flatter.
 *
 * <p>Thread rule: JMH's measurement thread stands in for the AOF thread.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class AofFrameBench {
    @Param({"1", "16", "256"})
    public int batch;

    @Param({"true", "false"})
    public boolean lz4;

    private final AofFrames frames = new AofFrames();
    private byte[] resp;

    @Setup
    public void setup() {
        Random rnd = new Random(7);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < batch; i++) {
            byte[] value = new byte[100];
            for (int k = 0; k < value.length; k++) {
                value[k] = (byte) ('a' + rnd.nextInt(26));
            }
            out.writeBytes(BenchData.resp(BenchData.ascii("SET"), BenchData.key(rnd.nextInt(1_000_000)), value));
        }
        resp = out.toByteArray();
    }

    @Benchmark
    public ByteBuffer encode() {
        return frames.encode(resp, 0, resp.length, 1_700_000_000_000L, lz4);
    }
}
