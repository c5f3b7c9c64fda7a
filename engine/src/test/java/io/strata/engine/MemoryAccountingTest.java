package io.strata.engine;

import io.strata.engine.command.Args;
import io.strata.engine.config.Config;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.function.IntFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The keyspace's memory estimate (INFO used_memory's dataset part) against heap bytes the JVM
 * really retains for the same data, measured after full GCs. Prints bytes per key so the figures
 * can be compared with redis-server's MEMORY USAGE.
 */
class MemoryAccountingTest {
    static long heapUsed() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** Runs {@code n} commands built by {@code cmd} and returns {estimated, measured} bytes. */
    static long[] measure(int n, IntFunction<Args> cmd) {
        Engine e = new Engine(new Config());
        Client c = e.connect(1, new NullChannel());
        long before = heapUsed();
        long estBefore = e.keyspace.usedMemory();
        for (int i = 0; i < n; i++) {
            e.execute(c, cmd.apply(i));
        }
        long after = heapUsed();
        long est = e.keyspace.usedMemory() - estBefore;
        long real = after - before;
        assertTrue(e.keyspace.db(0).size() > 0);
        return new long[] {est, real};
    }

    static void check(String what, int n, IntFunction<Args> cmd) {
        long[] m = measure(n, cmd);
        double ratio = (double) m[0] / m[1];
        System.out.printf("memory %s: estimated %.1f B/item, measured %.1f B/item, ratio %.2f%n",
            what, (double) m[0] / n, (double) m[1] / n, ratio);
        assertTrue(ratio > 0.8 && ratio < 1.2, what + ": estimate " + m[0] + " vs measured " + m[1]);
    }

    @Test
    @DisplayName("used_memory's estimate for small string keys is within 20% of the heap they retain")
    void smallStrings() {
        check("small string key", 200_000, i -> Args.of("SET", "key:" + i, "value-" + i));
    }

    @Test
    @DisplayName("used_memory's estimate for 100-byte string values is within 20% of the heap they retain")
    void hundredByteStrings() {
        String v = "x".repeat(100);
        check("100-byte string key", 200_000, i -> Args.of("SET", "k" + i, v));
    }

    @Test
    @DisplayName("used_memory's estimate for hash fields (small and converted hashes) is within 20% of the heap")
    void hashes() {
        check("hash field (listpack, 100-field hashes)", 200_000, i -> Args.of("HSET", "h" + (i / 100), "field" + i, "v" + i));
        check("hash field (hashtable, 2000-field hashes)", 200_000, i -> Args.of("HSET", "H" + (i / 2000), "field" + i, "v" + i));
    }

    @Test
    @DisplayName("used_memory's estimate for set members (intset and hashtable) is within 20% of the heap")
    void sets() {
        check("set member (intset)", 200_000, i -> Args.of("SADD", "s" + (i / 500), Integer.toString(i)));
        check("set member (hashtable)", 200_000, i -> Args.of("SADD", "S" + (i / 2000), "member" + i));
    }

    @Test
    @DisplayName("used_memory's estimate for list elements is within 20% of the heap")
    void lists() {
        check("list element", 200_000, i -> Args.of("RPUSH", "l" + (i / 5000), "element" + i));
    }

    @Test
    @DisplayName("used_memory's estimate for sorted-set members (listpack and skiplist) is within 20% of the heap")
    void zsets() {
        check("zset member (listpack, 100-member zsets)", 200_000, i -> Args.of("ZADD", "z" + (i / 100), Integer.toString(i), "member" + i));
        check("zset member (skiplist, 2000-member zsets)", 200_000, i -> Args.of("ZADD", "Z" + (i / 2000), Integer.toString(i), "member" + i));
    }

    @Test
    @DisplayName("used_memory's estimate for small aggregates each written by one command (the bench's shapes) is within 20% of the heap")
    void smallAggregatesInOneCommand() {
        // regression: a key created empty by ZADD/RPUSH and filled in the same command was
        // charged as empty, so used_memory showed a fifth of what 5-member zsets and lists hold
        int n = Integer.getInteger("strata.memtest.keys", 100_000); // the bench's 1,000,000 needs a 1 GB heap
        check("hash of 5 fields", n, i -> Args.of("HSET", "h:" + i, "f1", "v1", "f2", "v2", "f3", "v3", "f4", "v4", "f5", "v5"));
        check("set of 5 members", n, i -> Args.of("SADD", "s:" + i, "m1", "m2", "m3", "m4", "m5"));
        check("set of 5 integers", n, i -> Args.of("SADD", "i:" + i, "1", "2", "3", "4", "5"));
        check("zset of 5 members", n, i -> Args.of("ZADD", "z:" + i, "1", "m1", "2", "m2", "3", "m3", "4", "m4", "5", "m5"));
        check("list of 5 elements", n, i -> Args.of("RPUSH", "l:" + i, "e1", "e2", "e3", "e4", "e5"));
    }

    @Test
    @DisplayName("the keyspace's running total of RAM memory equals the sum over its databases through writes, deletes, flushes and swaps")
    void hotTotalFollowsEveryDatabase() {
        Engine e = new Engine(new Config());
        Client c = e.connect(1, new NullChannel());
        java.util.Random rnd = new java.util.Random(3);
        for (int i = 0; i < 20_000; i++) {
            int op = rnd.nextInt(100);
            String k = "k" + rnd.nextInt(2000);
            if (op < 5) {
                e.execute(c, Args.of("SELECT", Integer.toString(rnd.nextInt(4))));
            } else if (op < 50) {
                e.execute(c, Args.of("SET", k, "v".repeat(rnd.nextInt(200))));
            } else if (op < 65) {
                e.execute(c, Args.of("HSET", "h" + k, "f" + rnd.nextInt(50), "x".repeat(rnd.nextInt(100))));
            } else if (op < 75) {
                e.execute(c, Args.of("APPEND", k, "tail"));
            } else if (op < 90) {
                e.execute(c, Args.of("DEL", k, "h" + k));
            } else if (op < 93) {
                e.execute(c, Args.of("SWAPDB", Integer.toString(rnd.nextInt(4)), Integer.toString(rnd.nextInt(4))));
            } else if (op < 94) {
                e.execute(c, Args.of("FLUSHDB"));
            } else {
                e.execute(c, Args.of("MOVE", k, Integer.toString(rnd.nextInt(4))));
            }
            if (i % 997 == 0 || i == 19_999) {
                long sum = 0;
                for (int d = 0; d < e.keyspace.databases(); d++) {
                    sum += e.keyspace.db(d).memory();
                }
                assertEquals(sum, e.keyspace.hotMemory(), "after op " + i);
            }
        }
        assertTrue(e.keyspace.hotMemory() > 0);
    }
}
