package io.strata.server;

import io.strata.engine.Engine;
import io.strata.engine.command.Args;
import org.jctools.queues.MpscUnboundedArrayQueue;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * The keyspace thread when {@code io-threads} is above 1: the I/O event loops decode commands
 * and offer each read's commands as one element of a JCTools MPSC queue; this loop drains it in batches, runs each command,
 * then flushes every connection that got replies in the batch. It also runs the engine's cron.
 *
 * <p>Thread rule: {@link #submit} and {@link #submitBatch} from any thread; everything else
 * runs on the loop's own thread, the only thread that touches the engine in this mode.
 */
final class KeyspaceLoop implements Runnable {
    private static final int BATCH = 1024;

    /** A decoded command waiting for the keyspace thread. */
    /** The keyspace thread's view of handed-off commands (filled from each batch in turn). */
    private final Args batchArgs = new Args(16);

    /** A queue element: a batch of one connection's commands, or an action. */
    private static final class Task {
        final HandOffBatch batch;
        final Runnable action;

        Task(HandOffBatch batch, Runnable action) {
            this.batch = batch;
            this.action = action;
        }
    }

    private final Engine engine;
    private final MpscUnboundedArrayQueue<Task> queue = new MpscUnboundedArrayQueue<>(4096);
    private final Map<Connection, Boolean> dirty = new IdentityHashMap<>();
    private final List<Connection> dirtyList = new ArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean sleeping;
    private long nextCronNanos;

    KeyspaceLoop(Engine engine) {
        this.engine = engine;
        this.thread = new Thread(this, "strata-keyspace");
    }

    void start() {
        thread.start();
    }

    boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    void submit(Runnable r) {
        offer(new Task(null, r));
    }

    /** Hands over every command of one read (any I/O thread). */
    void submitBatch(HandOffBatch b) {
        offer(new Task(b, null));
    }

    private void offer(Task t) {
        queue.offer(t);
        if (sleeping) {
            LockSupport.unpark(thread);
        }
    }

    void stop() {
        running = false;
        LockSupport.unpark(thread);
    }

    void join() throws InterruptedException {
        thread.join();
    }

    @Override
    public void run() {
        nextCronNanos = System.nanoTime();
        while (running) {
            int n = queue.drain(this::handle, BATCH);
            for (Connection c : dirtyList) {
                c.flush();
            }
            dirtyList.clear();
            dirty.clear();
            engine.timers();
            long now = System.nanoTime();
            if (now - nextCronNanos >= 0) {
                try {
                    engine.cron();
                } catch (RuntimeException e) {
                    Log.warning("cron failed: " + e);
                }
                nextCronNanos = now + 1_000_000_000L / Math.max(1, engine.config.hz);
            }
            if (n == 0) {
                sleeping = true;
                if (queue.isEmpty() && running) {
                    LockSupport.parkNanos(Math.min(5_000_000L, Math.max(1000, nextCronNanos - System.nanoTime())));
                }
                sleeping = false;
            }
        }
        // run what was queued before the stop (close and disconnect tasks)
        queue.drain(this::handle);
    }

    private void handle(Task t) {
        try {
            if (t.action != null) {
                t.action.run();
                return;
            }
            t.batch.run(batchArgs);
            if (dirty.put(t.batch.conn, Boolean.TRUE) == null) {
                dirtyList.add(t.batch.conn);
            }
        } catch (RuntimeException e) {
            Log.warning("command failed: " + e);
        }
    }
}
