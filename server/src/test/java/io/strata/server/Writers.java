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
