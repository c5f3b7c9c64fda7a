package io.strata.server;

import redis.clients.jedis.Jedis;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Client threads that write to a test server until stopped, for tests that need writes to
 * overlap something (a snapshot): created connected and held, released by {@link #go} right
 * after the caller's epoch command.
 */
final class Writers {
    /** One writer's loop: write with {@code rnd} until {@code stop}, counting commands in {@code ops}. */
    interface Body {
        void run(Jedis c, Random rnd, AtomicBoolean stop, AtomicLong ops) throws Exception;
    }

    /** Extra kinds of write a test adds to {@link #mixedWrites}: {@code kind} counts from 0. */
    interface ExtraWrite {
        void write(Jedis c, String key, int kind);
    }

    /**
     * Seeded random writes until {@code stop} over keys {@code k:<db>:<n>} of databases 0–2 and
     * new ones: SET, DEL, PEXPIRE, LPUSH, SADD, HSET, ZADD, APPEND, PERSIST, RENAME, the
     * {@code extraKinds} writes of the caller, and now and then one SWAPDB 1 2 or FLUSHDB (at
     * most two per writer), else INCR counter.
     */
    static void mixedWrites(Jedis c, Random rnd, AtomicBoolean stop, AtomicLong ops, int extraKinds, ExtraWrite extra) {
        int flushes = 0;
        while (!stop.get()) {
            int db = rnd.nextInt(3);
            c.select(db);
            String k = "k:" + db + ":" + rnd.nextInt(2200);
            try {
                int kind = rnd.nextInt(11 + extraKinds);
                switch (kind) {
                    case 0: c.set(k, "w" + rnd.nextInt()); break;
                    case 1: c.del(k); break;
                    case 2: c.pexpire(k, 1 + rnd.nextInt(5)); break;
                    case 3: c.lpush(k, "pushed"); break;
                    case 4: c.sadd(k, Integer.toString(rnd.nextInt(100))); break;
                    case 5: c.hset(k, "f" + rnd.nextInt(20), "changed"); break;
                    case 6: c.zadd(k, rnd.nextDouble(), "z" + rnd.nextInt(20)); break;
                    case 7: c.append(k, "+"); break;
                    case 8: c.persist(k); break;
                    case 9: c.rename(k, "renamed:" + rnd.nextInt(1000)); break;
                    default:
                        if (kind < 10 + extraKinds) {
                            extra.write(c, k, kind - 10);
                        } else if (rnd.nextInt(400) == 0 && flushes < 2) {
                            flushes++;
                            if (rnd.nextBoolean()) {
                                c.swapDB(1, 2);
                            } else {
                                c.flushDB();
                            }
                        } else {
                            c.incr("counter");
                        }
                }
            } catch (redis.clients.jedis.exceptions.JedisDataException e) {
                // WRONGTYPE, no such key…: the write just did not apply
            }
            ops.incrementAndGet();
        }
    }

    final AtomicLong ops = new AtomicLong();
    private final CountDownLatch go = new CountDownLatch(1);
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final List<Thread> threads = new ArrayList<>();

    static Writers start(TestServer s, int writers, long seedBase, Body body) {
        Writers w = new Writers();
        for (int i = 0; i < writers; i++) {
            long seed = seedBase + i;
            Thread t = new Thread(() -> {
                try (Jedis c = s.jedis()) {
                    w.go.await();
                    body.run(c, new Random(seed), w.stop, w.ops);
                } catch (Throwable e) {
                    w.failure.compareAndSet(null, e);
                }
            }, "writer-" + i);
            t.start();
            w.threads.add(t);
        }
        return w;
    }

    void go() {
        go.countDown();
    }

    /** Stops the writers, waits for them and throws what the first one failed with. */
    void stop() throws InterruptedException {
        stop.set(true);
        go.countDown();
        for (Thread t : threads) {
            t.join(30_000);
        }
        if (failure.get() != null) {
            throw new AssertionError("writer failed", failure.get());
        }
    }
}
