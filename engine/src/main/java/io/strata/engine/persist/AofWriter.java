package io.strata.engine.persist;

import io.strata.storage.aof.AofFrames;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.function.LongConsumer;

/**
 * The AOF thread ({@code strata-aof}): owns the open incr file. Batches handed over by the
 * {@link AofRecorder} are written as one frame per group commit: everything queued when the
 * thread wakes becomes one frame and, under {@code appendfsync always}, one fsync that covers
 * every batch in it. {@code everysec} fsyncs at most once a second on this thread; {@code no}
 * leaves flushing to the OS. File operations of a rewrite (rotating the incr file, storing a
 * manifest) are queued as tasks, so they happen exactly between the batches around them.
 *
 * <p>Thread rule: {@link #submit}, {@link #runOnAofThread} and the getters from any thread; the
 * rest on the AOF thread. One loop: start, write/fsync, close.
 */
final class AofWriter implements Runnable {
    /** appendfsync values. */
    static final int FSYNC_NO = 0;
    static final int FSYNC_EVERYSEC = 1;
    static final int FSYNC_ALWAYS = 2;

    private static final class Batch {
        final long seq;
        final byte[] bytes;

        Batch(long seq, byte[] bytes) {
            this.seq = seq;
            this.bytes = bytes;
        }
    }

    private final Object lock = new Object();
    /** Batches and tasks in hand-off order; guarded by {@link #lock}. */
    private final ArrayDeque<Object> queue = new ArrayDeque<>();
    private final AofFrames frames = new AofFrames();
    private final LongConsumer onAck;
    private final Thread thread;
    private boolean stopping;
    /** A thread is writing the file (the AOF thread, or the keyspace thread inline); guarded by {@link #lock}. */
    private boolean writing;
    private FileChannel file;
    private Path filePath;
    private byte[] group = new byte[64 * 1024];

    volatile int fsyncPolicy;
    volatile boolean lz4;
    /** Highest sequence whose replies may leave: fsynced under always, written otherwise. */
    private volatile long ackSeq;
    /** Highest sequence written to the file. */
    private volatile long writtenSeq;
    /** Bytes queued and not yet written (INFO aof_buffer_length). */
    private volatile long bufferLength;
    /** Size of the open incr file. */
    private volatile long fileSize;
    volatile long fsyncs;
    volatile long frameCount;
    volatile boolean lastWriteOk = true;
    volatile String lastWriteError = "";
    private long lastFsyncNanos = System.nanoTime();
    private boolean unsynced;

    AofWriter(FileChannel file, Path filePath, long lastSeq, int fsyncPolicy, boolean lz4, LongConsumer onAck)
        throws IOException {
        this.file = file;
        this.filePath = filePath;
        this.fileSize = file.size();
        this.ackSeq = lastSeq;
        this.writtenSeq = lastSeq;
        this.fsyncPolicy = fsyncPolicy;
        this.lz4 = lz4;
        this.onAck = onAck;
        this.thread = new Thread(this, "strata-aof");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Hands a batch over (keyspace thread). */
    void submit(long seq, byte[] bytes) {
        synchronized (lock) {
            queue.add(new Batch(seq, bytes));
            bufferLength += bytes.length;
            lock.notify();
        }
    }

    /**
     * {@code appendfsync always}: writes and fsyncs a batch on the calling (keyspace) thread when
     * nothing is queued or being written, as Redis does before it sends replies, saving two
     * thread hand-offs per group commit. False when it must be handed over with {@link #submit}.
     */
    boolean tryWriteInline(long seq, byte[] bytes) {
        if (fsyncPolicy != FSYNC_ALWAYS) {
            return false;
        }
        synchronized (lock) {
            if (writing || stopping || !queue.isEmpty()) {
                return false;
            }
            writing = true;
            bufferLength += bytes.length;
        }
        try {
            // the batch is its own frame: encode straight from its bytes
            writeFrom(bytes, bytes.length, seq, bytes.length);
        } finally {
            synchronized (lock) {
                writing = false;
                lock.notify();
            }
        }
        return true;
    }

    /** Runs {@code task} on the AOF thread after every batch submitted before it has been written. */
    void runOnAofThread(Runnable task) {
        synchronized (lock) {
            queue.add(task);
            lock.notify();
        }
    }

    long ackSeq() {
        return ackSeq;
    }

    long writtenSeq() {
        return writtenSeq;
    }

    long bufferLength() {
        return bufferLength;
    }

    long fileSize() {
        return fileSize;
    }

    Path filePath() {
        return filePath;
    }

    /** Writes and fsyncs everything queued, then ends the thread and closes the file. */
    void stop() {
        synchronized (lock) {
            stopping = true;
            lock.notify();
        }
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void run() {
        ArrayDeque<Object> work = new ArrayDeque<>();
        while (true) {
            boolean stop;
            synchronized (lock) {
                while (queue.isEmpty() && !stopping) {
                    long waitMs = fsyncPolicy == FSYNC_EVERYSEC && unsynced
                        ? Math.max(1, 1000 - (System.nanoTime() - lastFsyncNanos) / 1_000_000) : 1000;
                    try {
                        lock.wait(waitMs);
                    } catch (InterruptedException e) {
                        stopping = true;
                    }
                    if (queue.isEmpty()) {
                        break; // timed out: maybe an everysec fsync is due
                    }
                }
                while (writing) {
                    try {
                        lock.wait(); // the keyspace thread is writing a batch inline
                    } catch (InterruptedException e) {
                        stopping = true;
                        break;
                    }
                }
                work.addAll(queue);
                queue.clear();
                stop = stopping;
                writing = true;
            }
            try {
                process(work);
                work.clear();
                everysec();
            } finally {
                synchronized (lock) {
                    writing = false;
                    lock.notifyAll();
                }
            }
            if (stop) {
                break;
            }
        }
        try {
            if (unsynced) {
                file.force(false);
                fsyncs++;
            }
            file.close();
        } catch (IOException e) {
            System.err.println("Error closing the AOF file " + filePath + ": " + e.getMessage());
        }
    }

    /** Writes consecutive batches as one frame; runs tasks in between, in order. */
    private void process(ArrayDeque<Object> work) {
        int n = 0;
        long maxSeq = -1;
        long queuedBytes = 0;
        for (Object o : work) {
            if (o instanceof Batch) {
                Batch b = (Batch) o;
                if (n + b.bytes.length > group.length) {
                    group = java.util.Arrays.copyOf(group, Math.max(group.length * 2, n + b.bytes.length));
                }
                System.arraycopy(b.bytes, 0, group, n, b.bytes.length);
                n += b.bytes.length;
                queuedBytes += b.bytes.length;
                maxSeq = b.seq;
            } else {
                if (n > 0) {
                    writeGroup(n, maxSeq, queuedBytes);
                    n = 0;
                    queuedBytes = 0;
                }
                try {
                    ((Runnable) o).run();
                } catch (RuntimeException e) {
                    System.err.println("AOF task failed: " + e);
                    e.printStackTrace();
                }
            }
        }
        if (n > 0) {
            writeGroup(n, maxSeq, queuedBytes);
        }
        if (group.length > 8 * 1024 * 1024) {
            group = new byte[64 * 1024];
        }
    }

    private void writeGroup(int n, long seq, long queuedBytes) {
        writeFrom(group, n, seq, queuedBytes);
    }

    /** Writes {@code data[0, n)} as one frame (fsynced under always) and acknowledges {@code seq}. */
    private void writeFrom(byte[] data, int n, long seq, long queuedBytes) {
        ByteBuffer frame = frames.encode(data, 0, n, System.currentTimeMillis(), lz4);
        long before = fileSize;
        while (true) {
            try {
                while (frame.hasRemaining()) {
                    file.write(frame, fileSize + frame.position());
                }
                fileSize = before + frame.limit();
                if (fsyncPolicy == FSYNC_ALWAYS) {
                    file.force(false);
                    fsyncs++;
                    lastFsyncNanos = System.nanoTime();
                    unsynced = false;
                } else {
                    unsynced = true;
                }
                lastWriteOk = true;
                break;
            } catch (IOException e) {
                lastWriteOk = false;
                lastWriteError = String.valueOf(e.getMessage());
                if (fsyncPolicy == FSYNC_ALWAYS) {
                    // Redis: with appendfsync always a failed write cannot be taken back from clients
                    System.err.println("Can't recover from AOF write error when the AOF fsync policy is 'always'. Exiting...: "
                        + e.getMessage());
                    Runtime.getRuntime().halt(1);
                }
                System.err.println("Error writing to the AOF file: " + e.getMessage() + " (retrying in 1 second)");
                try {
                    file.truncate(before); // drop a partial frame before retrying
                } catch (IOException ignored) {
                    // the retry overwrites it anyway
                }
                frame.rewind();
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        frameCount++;
        bufferLength -= queuedBytes;
        writtenSeq = seq;
        ackSeq = seq;
        onAck.accept(seq);
    }

    private void everysec() {
        if (fsyncPolicy != FSYNC_EVERYSEC || !unsynced || System.nanoTime() - lastFsyncNanos < 1_000_000_000L) {
            return;
        }
        fsyncNow();
    }

    /** fsyncs the open file (AOF thread). */
    void fsyncNow() {
        try {
            file.force(false);
            fsyncs++;
            unsynced = false;
            lastFsyncNanos = System.nanoTime();
        } catch (IOException e) {
            lastWriteOk = false;
            lastWriteError = String.valueOf(e.getMessage());
            System.err.println("Error fsyncing the AOF file " + filePath + ": " + e.getMessage());
        }
    }

    /** Closes the open incr file (fsynced) and continues in {@code next}; AOF thread. */
    void switchFile(FileChannel next, Path nextPath) throws IOException {
        file.force(false);
        fsyncs++;
        file.close();
        file = next;
        filePath = nextPath;
        fileSize = next.size();
        unsynced = false;
    }

    static FileChannel openForAppend(Path p) throws IOException {
        return FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    }
}
