package io.strata.engine.persist;

import io.strata.engine.Engine;
import io.strata.engine.keyspace.Snapshot;
import io.strata.storage.aof.AofManifest;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The append-only file of one server: where it lives ({@code dir/appenddirname}, manifest
 * {@code <appendfilename>.manifest}, incr files {@code <appendfilename>.<seq>.incr.aof}), the
 * {@link AofRecorder} the dispatcher feeds, the {@link AofWriter} thread, the start-up
 * {@link AofLoader}, the rewrite protocol and the INFO persistence fields.
 *
 * <p>Thread rule: keyspace thread, except the INFO getters (any thread) and what it hands to the
 * AOF and rewrite threads, which is said where it happens.
 */
public final class Aof {
    /** Something holding replies until the AOF is durable up to a sequence number (a connection). */
    public interface Waiter {
        /** Releases what {@code ackSeq} covers; returns true when the waiter holds nothing more. */
        boolean release(long ackSeq);
    }

    private final Engine engine;
    private final Path dir;
    private final String fileName;
    private final Path manifestPath;
    /** The manifest as last stored; after start only the AOF thread touches it. */
    private AofManifest manifest;
    private AofRecorder recorder;
    private AofWriter writer;
    private AofBaseWriter baseWriter;
    private AofBaseLoader baseLoader;
    private final List<Waiter> waiters = new ArrayList<>();
    private final AtomicBoolean ackScheduled = new AtomicBoolean();
    private final Runnable releaseTask = this::releaseWaiters;
    private final Runnable endBatchTask = this::endBatch;
    private final Runnable scheduleEndBatch;
    // ---- INFO ----
    private volatile boolean rewriteInProgress;
    private long rewriteStartMs;
    private long lastRewriteTimeSec = -1;
    private String lastBgrewriteStatus = "ok";
    private long rewrites;
    private long rewriteFailures;
    private volatile long baseSize;
    /** Sizes of the incr files before the open one, still named by the manifest. */
    private volatile long closedIncrSize;
    private long lastIncrSeq;
    private long baseSeq;

    public Aof(Engine engine) {
        this.engine = engine;
        this.dir = Path.of(engine.config.dir).resolve(engine.config.appenddirname);
        this.fileName = engine.config.appendfilename;
        this.manifestPath = dir.resolve(fileName + ".manifest");
        this.scheduleEndBatch = () -> engine.control().runOnKeyspaceThread(endBatchTask);
    }

    /** Registers the base file format (the RDB saver and loader, once merged). */
    public void setBaseFormat(AofBaseWriter writer, AofBaseLoader loader) {
        this.baseWriter = writer;
        this.baseLoader = loader;
    }

    public boolean enabled() {
        return recorder != null;
    }

    public AofRecorder recorder() {
        return recorder;
    }

    public Path dir() {
        return dir;
    }

    // ---- start-up ----

    /**
     * Prepares loading at start-up: reads the manifest (none yet: a fresh AOF, nothing to load).
     * Returns null when there is nothing to replay.
     */
    public AofLoader openForLoad() {
        if (!Files.exists(manifestPath)) {
            return null;
        }
        try {
            manifest = AofManifest.load(manifestPath);
        } catch (RuntimeException e) {
            throw new AofLoader.LoadException(e.getMessage());
        }
        for (AofManifest.FileEntry f : manifest.files) {
            if (f.type == 'i') {
                lastIncrSeq = Math.max(lastIncrSeq, f.seq);
            } else if (f.type == 'b') {
                baseSeq = Math.max(baseSeq, f.seq);
            }
        }
        return new AofLoader(engine, dir, manifest, baseLoader, engine.config.aofLoadTruncated);
    }

    /**
     * Starts recording after loading (or on a fresh directory): appends to the last incr file the
     * manifest names, or creates the first one. Keyspace thread, before clients are served.
     */
    public void start() throws IOException {
        Files.createDirectories(dir);
        if (manifest == null) {
            manifest = new AofManifest();
        }
        AofManifest.FileEntry last = null;
        List<AofManifest.FileEntry> incrs = manifest.incrs();
        if (!incrs.isEmpty()) {
            last = incrs.get(incrs.size() - 1);
        }
        long closed = 0;
        for (AofManifest.FileEntry f : incrs) {
            if (f != last) {
                closed += Files.size(dir.resolve(f.name));
            }
        }
        closedIncrSize = closed;
        AofManifest.FileEntry base = manifest.base();
        baseSize = base == null ? 0 : Files.size(dir.resolve(base.name));
        if (last == null) {
            last = new AofManifest.FileEntry(incrName(++lastIncrSeq), lastIncrSeq, 'i');
            manifest.files.add(last);
            Files.newByteChannel(dir.resolve(last.name), java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.WRITE).close();
            AofManifest.fsyncDirectory(dir);
            manifest.store(manifestPath);
        }
        startWriter(dir.resolve(last.name));
    }

    private void startWriter(Path incr) throws IOException {
        FileChannel ch = AofWriter.openForAppend(incr);
        writer = new AofWriter(ch, incr, 0, fsyncPolicy(engine.config.appendfsync),
            engine.config.aofCompression.equals("lz4"), this::acked);
        recorder = new AofRecorder(writer, 1);
        recorder.setBatchEndScheduler(scheduleEndBatch);
        writer.start();
        engine.aof = recorder;
    }

    private String incrName(long seq) {
        return fileName + "." + seq + ".incr.aof";
    }

    private String baseName(long seq, String suffix) {
        return fileName + "." + seq + ".base" + suffix;
    }

    static int fsyncPolicy(String v) {
        switch (v) {
            case "always": return AofWriter.FSYNC_ALWAYS;
            case "no": return AofWriter.FSYNC_NO;
            default: return AofWriter.FSYNC_EVERYSEC;
        }
    }

    /** CONFIG SET appendfsync / aof-compression at runtime. */
    public void configChanged() {
        if (writer != null) {
            writer.fsyncPolicy = fsyncPolicy(engine.config.appendfsync);
            writer.lz4 = engine.config.aofCompression.equals("lz4");
        }
    }

    /**
     * CONFIG SET appendonly yes at runtime. Redis starts with a rewrite so the AOF holds the whole
     * dataset; that needs the base writer. An empty dataset needs no base: a new incr file and
     * manifest replace whatever was in the directory. Returns null or why it was refused.
     */
    public String enableAtRuntime() {
        boolean empty = true;
        for (int i = 0; i < engine.keyspace.databases(); i++) {
            empty &= engine.keyspace.db(i).size() == 0;
        }
        if (!empty && baseWriter == null) {
            return "turning the AOF on over a non-empty dataset needs an AOF rewrite, and this build has no "
                + "RDB base writer yet; restart with appendonly yes on an empty dataset instead";
        }
        try {
            AofManifest old = Files.exists(manifestPath) ? AofManifest.load(manifestPath) : null;
            long seq = 0;
            if (old != null) {
                for (AofManifest.FileEntry f : old.files) {
                    seq = Math.max(seq, f.seq);
                }
            }
            lastIncrSeq = seq;
            manifest = null;
            start();
            if (old != null) {
                for (AofManifest.FileEntry f : old.files) {
                    Files.deleteIfExists(dir.resolve(f.name));
                }
            }
            if (!empty) {
                String r = rewrite();
                return SCHEDULED.equals(r) ? null : r;
            }
            return null;
        } catch (IOException | RuntimeException e) {
            return "cannot start the AOF: " + e.getMessage();
        }
    }

    /** CONFIG SET appendonly no, and shutdown: everything recorded is written and fsynced. */
    public void stop() {
        if (recorder == null) {
            return;
        }
        recorder.endBatch();
        engine.aof = null;
        writer.stop();
        System.err.println("AOF closed: " + writer.frameCount + " frames, " + writer.fsyncs + " fsyncs since start");
        long ack = writer.ackSeq();
        recorder = null;
        for (Waiter w : new ArrayList<>(waiters)) {
            w.release(Long.MAX_VALUE);
        }
        waiters.clear();
        hasWaiters = false;
        writer = null;
        assert ack >= 0;
    }

    // ---- group commit and replies ----

    private void endBatch() {
        if (recorder != null) {
            recorder.endBatch();
        }
    }

    /** True when replies must wait for the fsync covering what they depend on (appendfsync always). */
    public boolean repliesWait() {
        return writer != null && writer.fsyncPolicy == AofWriter.FSYNC_ALWAYS;
    }

    /** The sequence number a reply flushed now depends on. */
    public long requiredSeq() {
        return recorder == null ? 0 : recorder.requiredSeq();
    }

    /**
     * The sequence number a reply flushed while a script is busy depends on: everything recorded
     * before the script, nothing of it (the script's caller is not answered meanwhile).
     */
    public long requiredSeqWhileBusy() {
        return recorder == null ? 0 : recorder.requiredSeqBeforeTransaction();
    }

    /**
     * Between two steps of a busy script (Redis' beforeSleep from processEventsWhileBlocked): hands
     * off what was recorded before the script and sends the held replies the AOF thread has
     * acknowledged since, as the release task would once the script ends.
     */
    public void serveWhileBusy() {
        if (recorder == null) {
            return;
        }
        recorder.handOffBeforeTransaction();
        if (!waiters.isEmpty()) {
            releaseWaiters();
        }
    }

    /** Highest sequence number whose replies may leave. */
    public long ackSeq() {
        return writer == null ? Long.MAX_VALUE : writer.ackSeq();
    }

    /**
     * Registers a waiter that holds replies needing {@code seq}. The AOF thread writes ackSeq and
     * then reads {@link #hasWaiters}; this thread writes hasWaiters and then reads ackSeq: so
     * either the AOF thread schedules the release, or the ack is seen here (no lost wake-up).
     */
    public void addWaiter(Waiter w, long seq) {
        waiters.add(w);
        hasWaiters = true;
        if (ackSeq() >= seq && ackScheduled.compareAndSet(false, true)) {
            engine.control().runOnKeyspaceThread(releaseTask);
        }
    }

    /** Written on the keyspace thread, read by the AOF thread: whether an ack must wake it. */
    private volatile boolean hasWaiters;

    /** AOF thread: a group was written (and fsynced when it must be); wake the keyspace thread once. */
    private void acked(long seq) {
        if (hasWaiters && ackScheduled.compareAndSet(false, true)) {
            engine.control().runOnKeyspaceThread(releaseTask);
        }
    }

    private void releaseWaiters() {
        ackScheduled.set(false);
        long ack = ackSeq();
        for (int i = 0; i < waiters.size(); ) {
            if (waiters.get(i).release(ack)) {
                waiters.remove(i);
            } else {
                i++;
            }
        }
        hasWaiters = !waiters.isEmpty();
    }

    // ---- rewrite ----

    public boolean rewriteInProgress() {
        return rewriteInProgress;
    }

    /**
     * BGREWRITEAOF without fork, in named steps:
     * <ol>
     *   <li>keyspace thread: close the open batch and take a snapshot; later writes go to a new
     *       incr file (the snapshot point);</li>
     *   <li>AOF thread: open the new incr file and store a manifest naming it next to the old
     *       files, so a crash during the rewrite loses nothing;</li>
     *   <li>rewrite thread: the {@link AofBaseWriter} writes the snapshot to a temp file, fsynced;</li>
     *   <li>AOF thread: rename it to the new base, store a manifest of the new base plus the incr
     *       files from the snapshot point on (tmp, fsync, rename, fsync dir), delete the old files.</li>
     * </ol>
     * Returns null when started, or the error for the client.
     */
    /** {@link #rewrite} result when it will start after the running BGSAVE (not an error). */
    public static final String SCHEDULED = "Background append only file rewriting scheduled";
    /** A BGREWRITEAOF waits for the running snapshot (INFO aof_rewrite_scheduled). */
    private boolean rewriteScheduled;

    public String rewrite() {
        if (rewriteInProgress) {
            return "ERR Background append only file rewriting already in progress";
        }
        if (baseWriter == null) {
            return "ERR Background AOF rewrite needs the RDB base writer, which this build does not have yet";
        }
        if (recorder == null) {
            return "ERR Background AOF rewrite needs appendonly yes in this version";
        }
        if (engine.keyspace.snapshot() != null) {
            // as Redis: a BGSAVE is running, so the rewrite starts when it is done (see cron)
            rewriteScheduled = true;
            return SCHEDULED;
        }
        // step 1: the snapshot point
        recorder.endBatch();
        Snapshot snap = engine.keyspace.beginSnapshot();
        long incrSeq = ++lastIncrSeq;
        long newBaseSeq = ++baseSeq;
        recorder.resetStreamDb();
        rewriteInProgress = true;
        rewriteStartMs = System.currentTimeMillis();
        AofBaseWriter bw = baseWriter;
        Path incr = dir.resolve(incrName(incrSeq));
        // step 2: new incr file, named by the manifest at once
        writer.runOnAofThread(() -> {
            try {
                long before = writer.fileSize();
                writer.switchFile(AofWriter.openForAppend(incr), incr);
                AofManifest.fsyncDirectory(dir);
                closedIncrSize += before;
                manifest.files.add(new AofManifest.FileEntry(incr.getFileName().toString(), incrSeq, 'i'));
                manifest.store(manifestPath);
            } catch (IOException e) {
                System.err.println("Error opening the new AOF incr file " + incr + ": " + e.getMessage());
            }
        });
        Path tmp = dir.resolve("temp-rewriteaof-bg-" + ProcessHandle.current().pid() + ".aof");
        Thread t = new Thread(() -> {
            // step 3: the base, from the snapshot only
            long size;
            String error = null;
            try {
                size = bw.write(snap, tmp);
            } catch (IOException | RuntimeException e) {
                size = -1;
                error = String.valueOf(e.getMessage());
            }
            long written = size;
            String err = error;
            engine.control().runOnKeyspaceThread(() -> finishRewrite(snap, tmp, written, err, newBaseSeq, incrSeq, bw));
        }, "strata-aof-rewrite");
        t.setDaemon(true);
        t.start();
        return null;
    }

    private void finishRewrite(Snapshot snap, Path tmp, long size, String error, long newBaseSeq, long incrSeq,
                               AofBaseWriter bw) {
        engine.keyspace.endSnapshot(snap);
        lastRewriteTimeSec = (System.currentTimeMillis() - rewriteStartMs) / 1000;
        if (error != null || writer == null) {
            rewriteInProgress = false;
            rewriteFailures++;
            lastBgrewriteStatus = "err";
            System.err.println("Background AOF rewrite failed: " + error);
            return;
        }
        AofWriter w = writer;
        w.runOnAofThread(() -> {
            // step 4: swap the manifest
            try {
                String baseName = baseName(newBaseSeq, bw.suffix());
                Files.move(tmp, dir.resolve(baseName), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                AofManifest next = new AofManifest();
                List<String> old = new ArrayList<>();
                next.files.add(new AofManifest.FileEntry(baseName, newBaseSeq, 'b'));
                for (AofManifest.FileEntry f : manifest.files) {
                    if (f.type == 'i' && f.seq >= incrSeq) {
                        next.files.add(f);
                    } else if (!f.name.equals(baseName)) {
                        old.add(f.name);
                    }
                }
                next.store(manifestPath);
                manifest = next;
                for (String name : old) {
                    Files.deleteIfExists(dir.resolve(name));
                }
                baseSize = size;
                closedIncrSize = 0;
                engine.control().runOnKeyspaceThread(() -> {
                    rewriteInProgress = false;
                    rewrites++;
                    lastBgrewriteStatus = "ok";
                    System.err.println("Background AOF rewrite finished successfully");
                });
            } catch (IOException e) {
                engine.control().runOnKeyspaceThread(() -> {
                    rewriteInProgress = false;
                    rewriteFailures++;
                    lastBgrewriteStatus = "err";
                });
                System.err.println("Background AOF rewrite failed to swap the manifest: " + e.getMessage());
            }
        });
    }

    /** auto-aof-rewrite-percentage / min-size, checked by the cron as Redis' serverCron. */
    public void cron() {
        if (rewriteScheduled && !rewriteInProgress && engine.keyspace.snapshot() == null) {
            rewriteScheduled = false;
            rewrite();
            return;
        }
        if (recorder == null || rewriteInProgress || baseWriter == null || engine.config.autoAofRewritePercentage <= 0) {
            return;
        }
        long size = currentSize();
        long base = Math.max(1, baseSize);
        if (size >= engine.config.autoAofRewriteMinSize && (size - base) * 100 / base >= engine.config.autoAofRewritePercentage) {
            rewrite();
        }
    }

    // ---- INFO ----

    public long currentSize() {
        AofWriter w = writer;
        return baseSize + closedIncrSize + (w == null ? 0 : w.fileSize());
    }

    /** INFO persistence AOF fields, in Redis 7.0's order. */
    public void info(StringBuilder sb) {
        AofWriter w = writer;
        field(sb, "aof_enabled", recorder != null ? 1 : 0);
        field(sb, "aof_rewrite_in_progress", rewriteInProgress ? 1 : 0);
        field(sb, "aof_rewrite_scheduled", rewriteScheduled ? 1 : 0);
        field(sb, "aof_last_rewrite_time_sec", lastRewriteTimeSec);
        field(sb, "aof_current_rewrite_time_sec", rewriteInProgress ? (System.currentTimeMillis() - rewriteStartMs) / 1000 : -1);
        field(sb, "aof_last_bgrewrite_status", lastBgrewriteStatus);
        field(sb, "aof_rewrites", rewrites);
        field(sb, "aof_rewrites_consecutive_failures", rewriteFailures);
        field(sb, "aof_last_write_status", w == null || w.lastWriteOk ? "ok" : "err");
        field(sb, "aof_last_cow_size", 0);
        field(sb, "module_fork_in_progress", 0);
        field(sb, "module_fork_last_cow_size", 0);
        if (w != null) {
            field(sb, "aof_current_size", currentSize());
            field(sb, "aof_base_size", baseSize);
            field(sb, "aof_pending_rewrite", 0);
            field(sb, "aof_buffer_length", w.bufferLength());
            field(sb, "aof_pending_bio_fsync", 0);
            field(sb, "aof_delayed_fsync", 0);
        }
    }

    /** fsyncs done by the AOF thread so far (for benchmarks and tests). */
    public long fsyncs() {
        AofWriter w = writer;
        return w == null ? 0 : w.fsyncs;
    }

    private static void field(StringBuilder sb, String name, Object value) {
        sb.append(name).append(':').append(value).append("\r\n");
    }
}
