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
    public long ping() {
        engine.execute(client, ping);
        return channel.replies;
    }
}
