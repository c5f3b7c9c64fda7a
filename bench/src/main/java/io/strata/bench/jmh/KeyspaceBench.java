package io.strata.bench.jmh;

import io.strata.engine.keyspace.Database;
import io.strata.engine.keyspace.Entry;
import io.strata.engine.keyspace.Keyspace;
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

import java.util.concurrent.TimeUnit;

/**
 * The keyspace alone: {@link Keyspace#lookupRead} (GET's lookup) and {@link Keyspace#set}
 * (SET's overwrite of an existing key, then the memory settling the dispatcher does after each
 * command) over {@code keys} keys visited in a scrambled order, so the hash table is not walked
 * in insertion order.
 *
 * <p>Thread rule: JMH's measurement thread is the keyspace thread.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class KeyspaceBench {
    @Param({"1000", "1000000"})
    public int keys;

    @Param({"100"})
    public int valueSize;

    private Keyspace keyspace;
    private Database db;
    private byte[][] keyBytes;
    private byte[] value;
    private int mask;
    private int i;

    @Setup
    public void setup() {
        keyspace = new Keyspace(16);
        db = keyspace.db(0);
        int n = Integer.highestOneBit(keys);
        mask = n - 1;
        keyBytes = new byte[n][];
        value = BenchData.value(valueSize);
        for (int k = 0; k < n; k++) {
            keyBytes[k] = BenchData.key(k);
            keyspace.set(db, keyBytes[k], value.clone(), false);
            keyspace.settleMemory();
        }
    }

    private byte[] nextKey() {
        // an odd multiplier permutes 0..mask, spreading consecutive visits over the table
        return keyBytes[(int) ((i++ * 0x9E3779B1L) & mask)];
    }

    @Benchmark
    public Entry get() {
        byte[] k = nextKey();
        return keyspace.lookupRead(db, k, 0, k.length);
    }

    @Benchmark
    public Entry set() {
        Entry e = keyspace.set(db, nextKey(), value, false);
        keyspace.settleMemory();
        return e;
    }
}
