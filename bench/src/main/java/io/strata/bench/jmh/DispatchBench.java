package io.strata.bench.jmh;

import io.strata.engine.Client;
import io.strata.engine.Engine;
import io.strata.engine.command.Args;
import io.strata.engine.config.Config;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * {@link Engine#execute}: command lookup, the dispatcher's checks, the handler and the
 * bookkeeping after it, with replies discarded by a {@link NoopChannel}. Commands are prebuilt
 * {@link Args} over {@value #KEYS} keys, so decoding is not measured.
 *
 * <p>Thread rule: JMH's measurement thread is the keyspace thread.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class DispatchBench {
    static final int KEYS = 4096;

    @Param({"100"})
    public int valueSize;

    private Engine engine;
    private Client client;
    private NoopChannel channel;
    private Args[] sets;
    private Args[] gets;
    private Args ping;
    /** Over {@value #KEYS} hashes, sets and sorted sets of 5 short elements each, as the memory bench loads. */
    private Args[] hgets;
    private Args[] hsets;
    private Args[] sismembers;
    private Args[] zscores;
    private Args[] zincrbys;
    private int i;

    @Setup
    public void setup() {
        engine = new Engine(new Config());
        channel = new NoopChannel();
        client = engine.connect(engine.nextClientId(), channel);
        byte[] value = BenchData.value(valueSize);
        sets = new Args[KEYS];
        gets = new Args[KEYS];
        for (int k = 0; k < KEYS; k++) {
            sets[k] = Args.of(BenchData.ascii("SET"), BenchData.key(k), value);
            gets[k] = Args.of(BenchData.ascii("GET"), BenchData.key(k));
            engine.execute(client, sets[k]);
        }
        ping = Args.of(BenchData.ascii("PING"));
        hgets = new Args[KEYS];
        hsets = new Args[KEYS];
        sismembers = new Args[KEYS];
        zscores = new Args[KEYS];
        zincrbys = new Args[KEYS];
        for (int k = 0; k < KEYS; k++) {
            byte[] h = BenchData.ascii("h:" + k);
            byte[] s = BenchData.ascii("s:" + k);
            byte[] z = BenchData.ascii("z:" + k);
            engine.execute(client, Args.of(BenchData.ascii("HSET"), h, BenchData.ascii("f1"), BenchData.ascii("v1"),
                BenchData.ascii("f2"), BenchData.ascii("v2"), BenchData.ascii("f3"), BenchData.ascii("v3"),
                BenchData.ascii("f4"), BenchData.ascii("v4"), BenchData.ascii("f5"), BenchData.ascii("v5")));
            engine.execute(client, Args.of(BenchData.ascii("SADD"), s, BenchData.ascii("m1"), BenchData.ascii("m2"),
                BenchData.ascii("m3"), BenchData.ascii("m4"), BenchData.ascii("m5")));
            engine.execute(client, Args.of(BenchData.ascii("ZADD"), z, BenchData.ascii("1"), BenchData.ascii("m1"),
                BenchData.ascii("2"), BenchData.ascii("m2"), BenchData.ascii("3"), BenchData.ascii("m3"),
                BenchData.ascii("4"), BenchData.ascii("m4"), BenchData.ascii("5"), BenchData.ascii("m5")));
            hgets[k] = Args.of(BenchData.ascii("HGET"), h, BenchData.ascii("f4"));
            hsets[k] = Args.of(BenchData.ascii("HSET"), h, BenchData.ascii("f3"), BenchData.ascii("v9"));
            sismembers[k] = Args.of(BenchData.ascii("SISMEMBER"), s, BenchData.ascii("m4"));
            zscores[k] = Args.of(BenchData.ascii("ZSCORE"), z, BenchData.ascii("m4"));
            zincrbys[k] = Args.of(BenchData.ascii("ZINCRBY"), z, BenchData.ascii("0"), BenchData.ascii("m3"));
        }
    }

    @TearDown
    public void check() {
        if (channel.errors != 0) {
            throw new IllegalStateException("error replies=" + channel.errors);
        }
    }

    @Benchmark
    public long set() {
        engine.execute(client, sets[i++ & (KEYS - 1)]);
        return channel.replies;
    }

    @Benchmark
    public long get() {
        engine.execute(client, gets[i++ & (KEYS - 1)]);
        return channel.replies;
    }

    @Benchmark
    public long hget() {
        engine.execute(client, hgets[i++ & (KEYS - 1)]);
        return channel.replies;
    }

    @Benchmark
    public long hset() {
        engine.execute(client, hsets[i++ & (KEYS - 1)]);
        return channel.replies;
    }

    @Benchmark
    public long sismember() {
        engine.execute(client, sismembers[i++ & (KEYS - 1)]);
        return channel.replies;
    }

    @Benchmark
    public long zscore() {
        engine.execute(client, zscores[i++ & (KEYS - 1)]);
        return channel.replies;
    }

    @Benchmark
    public long zincrby() {
        engine.execute(client, zincrbys[i++ & (KEYS - 1)]);
        return channel.replies;
    }

    @Benchmark
    public long ping() {
        engine.execute(client, ping);
        return channel.replies;
    }
}
