package io.strata.bench.jmh;

import io.strata.engine.config.Config;
import io.strata.engine.persist.TierCodec;
import io.strata.storage.tier.SpillStore;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * The spill tier's building blocks on 200,000 records of 400-byte text values (files in the page
 * cache): a read of a spilled key, a miss answered by the RAM filter, a replace, and a whole
 * demotion-then-promotion cycle through the engine's record codec (encode, LZ4, put, get,
 * decode, remove). Time per operation.
 *
 * <p>Thread rule: JMH's measurement thread stands in for the keyspace thread.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Dchronicle.analytics.disable=true",
    "--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED", "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.util=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens=java.base/jdk.internal.misc=ALL-UNNAMED", "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
    "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED", "--add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED",
    "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
    "--add-opens=jdk.compiler/com.sun.tools.javac=ALL-UNNAMED"})
public class SpillBench {
    private static final int KEYS = 200_000;

    private Path dir;
    private SpillStore store;
    private TierCodec codec;
    private byte[][] keys;
    private byte[][] missing;
    private byte[][] records;
    private byte[] value;
    private final Random rnd = new Random(3);

    @Setup(Level.Trial)
    public void setup() throws Exception {
        dir = Files.createTempDirectory("strata-spill-bench");
        store = SpillStore.open(dir.resolve("spill"), 0);
        codec = new TierCodec(new Config());
        keys = new byte[KEYS][];
        missing = new byte[KEYS][];
        records = new byte[KEYS][];
        Random r = new Random(7);
        for (int i = 0; i < KEYS; i++) {
            keys[i] = BenchData.key(i);
            missing[i] = BenchData.ascii("absent:" + i);
            byte[] v = new byte[400];
            for (int k = 0; k < v.length; k++) {
                v[k] = (byte) ('a' + r.nextInt(26));
            }
            records[i] = codec.encode(v, -1, 0, 5, 0).toBytes();
            store.put(keys[i], records[i]);
        }
        value = records[0];
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        store.close();
        SpillStore.wipe(dir);
    }

    @Benchmark
    public byte[] get() {
        return store.get(keys[rnd.nextInt(KEYS)]);
    }

    @Benchmark
    public byte[] getMissing() {
        return store.get(missing[rnd.nextInt(KEYS)]);
    }

    @Benchmark
    public SpillStore.PutResult replace() {
        int i = rnd.nextInt(KEYS);
        return store.put(keys[i], records[i]);
    }

    /** A key goes to the spill tier and comes back, as a demotion and a promotion do. */
    @Benchmark
    public Object demoteAndPromote() {
        int i = rnd.nextInt(KEYS);
        Object v = codec.decode(store.remove(keys[i]));
        store.put(keys[i], codec.encode(v, -1, 0, 5, 0));
        return v;
    }
}
