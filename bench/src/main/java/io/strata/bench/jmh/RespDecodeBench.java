package io.strata.bench.jmh;

import io.strata.engine.command.Args;
import io.strata.server.RespParser;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.io.ByteArrayOutputStream;
import java.util.concurrent.TimeUnit;

/**
 * The server's RESP request decoder ({@link RespParser}) over a pipelined batch of
 * {@value #BATCH} commands, as one socket read delivers them: time per decoded command.
 *
 * <p>Thread rule: JMH's measurement thread owns the parser (as a connection's I/O thread does).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RespDecodeBench {
    static final int BATCH = 64;

    /** {@code set}: SET key value (3 bulks); {@code get}: GET key; {@code mset10}: MSET of 10 pairs. */
    @Param({"set", "get", "mset10"})
    public String command;

    @Param({"100"})
    public int valueSize;

    private byte[] batch;
    private RespParser parser;

    @Setup
    public void setup() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] value = BenchData.value(valueSize);
        for (int i = 0; i < BATCH; i++) {
            byte[] key = BenchData.key(i);
            switch (command) {
                case "set":
                    out.writeBytes(BenchData.resp(BenchData.ascii("SET"), key, value));
                    break;
                case "get":
                    out.writeBytes(BenchData.resp(BenchData.ascii("GET"), key));
                    break;
                default: {
                    byte[][] parts = new byte[21][];
                    parts[0] = BenchData.ascii("MSET");
                    for (int k = 0; k < 10; k++) {
                        parts[1 + 2 * k] = BenchData.key(i * 10L + k);
                        parts[2 + 2 * k] = value;
                    }
                    out.writeBytes(BenchData.resp(parts));
                }
            }
        }
        batch = out.toByteArray();
        parser = new RespParser(512L * 1024 * 1024);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void decode(Blackhole bh) {
        parser.feed(batch, 0, batch.length);
        int n = 0;
        while (parser.next() == RespParser.COMMAND) {
            Args a = parser.args();
            bh.consume(a.len(a.argc() - 1));
            n++;
        }
        if (n != BATCH) {
            throw new IllegalStateException("decoded=" + n + " expected=" + BATCH + " error=" + parser.error());
        }
        parser.shrinkIfIdle();
    }
}
