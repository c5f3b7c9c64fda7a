package io.strata.bench.jmh;

import io.strata.storage.rdb.RdbFormat;
import io.strata.storage.rdb.RdbReader;
import io.strata.storage.rdb.RdbValue;
import io.strata.storage.rdb.RdbVisitor;
import io.strata.storage.rdb.RdbWriter;
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

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Writing and reading a whole RDB file in memory with {@link RdbWriter} and {@link RdbReader}
 * (CRC64 on, LZF on): {@code rdbKeys} keys, either all 100-byte strings or a mix where one key in
 * eight is a list, set, hash or zset of 16 elements. Time per file; the file size is printed
 * once at setup so MB/s can be derived.
 *
 * <p>Thread rule: JMH's measurement thread stands in for the snapshot thread (write) and the
 * loader (read).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RdbBench {
    @Param({"10000", "100000"})
    public int rdbKeys;

    /** {@code strings}: 100-byte strings only; {@code mixed}: 1 in 8 keys an aggregate. */
    @Param({"strings", "mixed"})
    public String data;

    private byte[][] keyBytes;
    private RdbValue[] values;
    private byte[] file;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream(16 << 20);

    @Setup
    public void setup() {
        Random rnd = new Random(11);
        keyBytes = new byte[rdbKeys][];
        values = new RdbValue[rdbKeys];
        for (int i = 0; i < rdbKeys; i++) {
            keyBytes[i] = BenchData.key(i);
            values[i] = data.equals("mixed") && i % 8 == 0 ? aggregate(i / 8 % 4, rnd) : RdbValue.string(text(rnd, 100));
        }
        file = write();
        System.out.println("rdb file bytes=" + file.length);
    }

    private static byte[] text(Random rnd, int n) {
        byte[] b = new byte[n];
        for (int k = 0; k < n; k++) {
            b[k] = (byte) ('a' + rnd.nextInt(26));
        }
        return b;
    }

    private static RdbValue aggregate(int kind, Random rnd) {
        RdbValue v;
        switch (kind) {
            case 0:
                v = RdbValue.list(RdbFormat.TYPE_LIST_QUICKLIST_2, 16);
                break;
            case 1:
                v = RdbValue.set(RdbFormat.TYPE_SET, 16);
                break;
            case 2:
                v = RdbValue.hash(RdbFormat.TYPE_HASH, 16);
                break;
            default:
                v = RdbValue.zset(RdbFormat.TYPE_ZSET_2, 16);
        }
        for (int k = 0; k < 16; k++) {
            byte[] member = ("member:" + k).getBytes(StandardCharsets.US_ASCII);
            switch (kind) {
                case 0:
                case 1:
                    v.add(member);
                    break;
                case 2:
                    v.put(member, text(rnd, 20));
                    break;
                default:
                    v.add(member, k * 1.5);
            }
        }
        return v;
    }

    private byte[] write() {
        out.reset();
        RdbWriter w = new RdbWriter(out, true, true);
        w.header();
        w.aux("redis-ver", "7.0.15");
        w.selectDb(0);
        w.resizeDb(rdbKeys, 0);
        for (int i = 0; i < rdbKeys; i++) {
            w.entry(keyBytes[i], values[i], -1);
        }
        w.end();
        return out.toByteArray();
    }

    @Benchmark
    public long writeFile() {
        out.reset();
        RdbWriter w = new RdbWriter(out, true, true);
        w.header();
        w.aux("redis-ver", "7.0.15");
        w.selectDb(0);
        w.resizeDb(rdbKeys, 0);
        for (int i = 0; i < rdbKeys; i++) {
            w.entry(keyBytes[i], values[i], -1);
        }
        w.end();
        return w.written();
    }

    @Benchmark
    public long readFile() {
        long[] count = new long[1];
        new RdbReader(new ByteArrayInputStream(file)).read(new RdbVisitor() {
            @Override
            public void entry(int db, byte[] key, RdbValue value, long expireAtMs, long idleSeconds, int freq,
                              long offset, long size) {
                count[0] += value.size();
            }
        });
        if (count[0] == 0) {
            throw new IllegalStateException("read no entries");
        }
        return count[0];
    }
}
