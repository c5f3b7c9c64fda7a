package io.strata.storage.tier;

import net.openhft.chronicle.map.ChronicleMap;
import org.jctools.queues.MpscUnboundedArrayQueue;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.locks.LockSupport;

/**
 * Writes spill records into their Chronicle maps on a thread of its own, so that the keyspace
 * thread hands a demoted record over instead of copying it into the mmap'd file itself. Profiled
 * on a load streaming past maxmemory, the map write (hash search, allocation, the copy and the
 * first-touch page faults of a new file) was a third of the keyspace thread's time.
 *
 * <p>One writer thread serves every {@link SpillStore} of the process. A store enqueues an
 * {@link Op} and keeps it readable until it is written; when the writer is a full queue behind
 * the store waits for it, and before walking, freezing or closing maps it writes what is still
 * queued itself.
 */
final class SpillWriter {
    static final int QUEUED = 0;
    static final int WRITING = 1;
    static final int DONE = 2;
    /** The map was full: the owning store writes the record again into a new generation. */
    static final int FAILED = 3;
    static final int CANCELLED = 4;

    /** One record on its way into a map (in the owning store's {@link PendingTable} until forgotten). */
    static final class Op {
        final byte[] key;
        /** The key's filter hash (hashing the bytes again cost 4% of a load). */
        final long hash;
        final SpillStore store;
        final ChronicleMap<byte[], byte[]> map;
        /** The filter of the generation it goes to (it already holds the key's hash). */
        final CuckooFilter filter;
        final int partition;
        final SpillRecord.Parts record;
        volatile int state;

        Op(SpillStore store, ChronicleMap<byte[], byte[]> map, CuckooFilter filter, int partition, long hash,
           byte[] key, SpillRecord.Parts record) {
            this.key = key;
            this.hash = hash;
            this.store = store;
            this.map = map;
            this.filter = filter;
            this.partition = partition;
            this.record = record;
        }

        boolean claim(int from, int to) {
            return STATE.compareAndSet(this, from, to);
        }
    }

    private static final AtomicIntegerFieldUpdater<Op> STATE = AtomicIntegerFieldUpdater.newUpdater(Op.class, "state");

    private static final SpillWriter INSTANCE = new SpillWriter();

    static SpillWriter get() {
        return INSTANCE;
    }

    /** Whether records are handed to the writer: with one CPU the extra thread only costs switches. */
    static final boolean ENABLED = Runtime.getRuntime().availableProcessors() > 1
        && !"false".equals(System.getProperty("strata.spill.writer"));

    /** Every store's keyspace thread offers, the writer alone polls; array chunks, no node per op. */
    private final MpscUnboundedArrayQueue<Op> queue = new MpscUnboundedArrayQueue<>(1024);
    private volatile Thread thread;
    private volatile boolean parked;
    private final AtomicInteger started = new AtomicInteger();

    private SpillWriter() {
    }

    /**
     * Queues an op. {@code backlog} and {@code backlogBytes} are what the caller has waiting: a
     * sleeping writer is woken only for a batch (a wake-up is a system call on each side),
     * otherwise within 10 ms.
     */
    void submit(Op op, int backlog, long backlogBytes) {
        queue.offer(op);
        if (thread == null && started.compareAndSet(0, 1)) {
            Thread t = new Thread(this::run, "strata-spill-writer");
            t.setDaemon(true);
            thread = t;
            t.start();
        }
        if (parked && (backlog >= WAKE_BATCH || backlogBytes >= WAKE_BYTES)) {
            LockSupport.unpark(thread);
        }
    }

    /**
     * Ops queued before a sleeping writer is woken. At 32, waking it (futex wake, and often being
     * switched out for it) was 8% of the keyspace thread's perf samples on a 2M-key spilling load;
     * at 1024, under 1% (3 alternating fresh loads each: 11.9-14.0 s against 14.6-16.7 s).
     * The queue stays far below the in-flight bounds, and an idle writer looks every 10 ms anyway.
     */
    private static final int WAKE_BATCH = 1024;
    /** Or this many bytes of them, so that large records do not wait for the 10 ms look. */
    private static final long WAKE_BYTES = 512 << 10;

    /** Wakes the writer if it sleeps. */
    void wake() {
        Thread t = thread;
        if (parked && t != null) {
            LockSupport.unpark(t);
        }
    }

    /** Whether the writer thread runs (an Error ends it; the stores then write records themselves). */
    boolean alive() {
        Thread t = thread;
        return t != null && t.isAlive();
    }

    /** Ops the writer takes from the queue at a time: their keys and bodies are read in together first. */
    private static final int BATCH = 16;
    private final Op[] batch = new Op[BATCH];
    /** Keeps the batch's reads observable to the compiler. */
    private int sink;

    private void run() {
        while (true) {
            int n = 0;
            Op op;
            while (n < BATCH && (op = queue.poll()) != null) {
                batch[n++] = op;
            }
            if (n > 0) {
                // The records were demoted from RAM as its coldest, so their keys and values are
                // rarely in any cache: reading a line of each first lets those misses overlap
                // instead of each op waiting for its own (JFR: the key's first read, in
                // Chronicle's hash, was 18% of this thread and the value's copy 10%).
                int acc = 0;
                for (int i = 0; i < n; i++) {
                    acc += batch[i].key.length + batch[i].record.touch();
                }
                sink += acc;
                for (int i = 0; i < n; i++) {
                    execute(batch[i]);
                    batch[i] = null;
                }
                continue;
            }
            // no spinning: on a machine with few cores a spinning writer takes the CPU the
            // keyspace thread (and the JIT) need; queued records are readable meanwhile
            parked = true;
            if (queue.isEmpty()) {
                LockSupport.parkNanos(this, 10_000_000L);
            }
            parked = false;
        }
    }

    static void execute(Op op) {
        if (!op.claim(QUEUED, WRITING)) {
            return; // cancelled (the key was removed or replaced before it was written)
        }
        int end = FAILED;
        try {
            SpillStore.write(op.map, op.key, op.record);
            end = DONE;
        } catch (IllegalStateException | IllegalArgumentException full) {
            // this generation takes no more: the store writes it into a new one
        } catch (RuntimeException e) {
            // a closed map cannot happen (stores drain before closing one); keep the record readable
            // and let the store write it again itself
        } finally {
            op.state = end;
        }
    }
}
