package io.strata.bench.jmh;

import io.strata.engine.Client;
import io.strata.engine.Engine;
import io.strata.engine.command.Args;
import io.strata.engine.config.Config;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
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
 * Stream commands through {@link Engine#execute} (as {@link DispatchBench}, replies discarded):
 * XADD {@code *} into one stream that starts empty every iteration (so it grows as redis-benchmark's
 * stream does), XREADGROUP {@code >} COUNT 1 by a fresh group over a preloaded stream of
 * {@value Preloaded#PRELOAD} entries, and XRANGE of one random id of it (a lookup from anywhere).
 * The preloaded stream lives in its own state, so the XADD runs do not carry its heap.
 *
 * <p>Thread rule: JMH's measurement thread is the keyspace thread.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Xmx4g")
public class StreamBench {
    @Param({"100"})
    public int valueSize;

    private Engine engine;
    private Client client;
    private NoopChannel channel;
    private Args xadd;
    private Args del;

    @Setup
    public void setup() {
        engine = new Engine(new Config());
        channel = new NoopChannel();
        client = engine.connect(engine.nextClientId(), channel);
        xadd = Args.of(BenchData.ascii("XADD"), BenchData.ascii("w"), BenchData.ascii("*"), BenchData.ascii("field"),
            BenchData.value(valueSize));
        del = Args.of(BenchData.ascii("DEL"), BenchData.ascii("w"));
    }

    /** A fresh empty stream every iteration. */
    @Setup(Level.Iteration)
    public void iteration() {
        engine.execute(client, del);
    }

    @TearDown
    public void check() {
        if (channel.errors != 0) {
            throw new IllegalStateException("error replies=" + channel.errors);
        }
    }

    /** A server holding one stream of {@value #PRELOAD} entries of 100 bytes. */
    @State(Scope.Thread)
    public static class Preloaded {
        static final int PRELOAD = 3_000_000;

        Engine engine;
        Client client;
        NoopChannel channel;
        Args[] xranges;
        Args xreadgroup;
        private int groups;
        private int i;

        @Setup
        public void setup() {
            engine = new Engine(new Config());
            channel = new NoopChannel();
            client = engine.connect(engine.nextClientId(), channel);
            byte[] value = BenchData.value(100);
            for (int k = 1; k <= PRELOAD; k++) {
                engine.execute(client, Args.of(BenchData.ascii("XADD"), BenchData.ascii("r"), BenchData.ascii(k + "-1"),
                    BenchData.ascii("field"), value));
            }
            xranges = new Args[4096];
            java.util.Random rnd = new java.util.Random(1);
            for (int k = 0; k < xranges.length; k++) {
                byte[] id = BenchData.ascii((1 + rnd.nextInt(PRELOAD)) + "-1");
                xranges[k] = Args.of(BenchData.ascii("XRANGE"), BenchData.ascii("r"), id, id);
            }
        }

        /** A fresh group at the head of the stream every iteration. */
        @Setup(Level.Iteration)
        public void iteration() {
            byte[] group = BenchData.ascii("g" + groups++);
            engine.execute(client, Args.of(BenchData.ascii("XGROUP"), BenchData.ascii("CREATE"), BenchData.ascii("r"), group,
                BenchData.ascii("0")));
            xreadgroup = Args.of(BenchData.ascii("XREADGROUP"), BenchData.ascii("GROUP"), group, BenchData.ascii("c"),
                BenchData.ascii("COUNT"), BenchData.ascii("1"), BenchData.ascii("STREAMS"), BenchData.ascii("r"),
                BenchData.ascii(">"));
        }

        @TearDown
        public void check() {
            if (channel.errors != 0) {
                throw new IllegalStateException("error replies=" + channel.errors);
            }
        }

        Args nextXrange() {
            return xranges[i++ & (xranges.length - 1)];
        }
    }

    @Benchmark
    public long xadd() {
        engine.execute(client, xadd);
        return channel.replies;
    }

    @Benchmark
    public long xreadgroup(Preloaded p) {
        p.engine.execute(p.client, p.xreadgroup);
        return p.channel.replies;
    }

    @Benchmark
    public long xrange(Preloaded p) {
        p.engine.execute(p.client, p.nextXrange());
        return p.channel.replies;
    }
}
