package io.strata.engine.persist;

import io.strata.engine.Engine;
import io.strata.engine.Errors;
import io.strata.engine.config.Config;
import io.strata.engine.keyspace.Keyspace;
import io.strata.engine.keyspace.Snapshot;
import io.strata.storage.StorageException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CancellationException;
import java.util.function.Consumer;

/**
 * RDB persistence state, as Redis' server.c/rdb.c keep it: the start-up load, SAVE, BGSAVE
 * (fork-free: a {@link Snapshot} read by a snapshot thread), save points checked by the cron,
 * the last save's status for INFO and MISCONF, and the save made at SHUTDOWN.
 *
 * <p>Thread rule: keyspace thread only (or the main thread before the server serves clients, for
 * {@link #load}). The one BGSAVE thread touches only its snapshot, its file and the volatile
 * cancel flag; it reports back through {@link io.strata.engine.ServerControl#runOnKeyspaceThread}.
 * INFO's loading_* fields are volatile so they are right whichever thread loads.
 *
 * <p>Extension point for AOF: {@link #load} loads {@code dir/dbfilename}; a start-up that prefers
 * an AOF replaces that call, and {@link #diskErrorForWrites} is where an AOF write error joins the
 * RDB one.
 */
public final class Persistence {
    /** Redis' CONFIG_BGSAVE_RETRY_DELAY: seconds before a failed automatic BGSAVE is retried. */
    static final int BGSAVE_RETRY_DELAY = 5;

    private final Engine engine;
    private final Config config;
    private final Keyspace ks;
    /** Where log lines go (the server wires its log here). */
    private volatile Consumer<String> log = System.err::println;

    /** Unix ms of the last successful save (or of start-up): LASTSAVE, rdb_last_save_time. */
    private long lastSaveMs;
    /** Unix ms of the last BGSAVE attempt, for the retry delay of save points. */
    private long lastBgsaveTryMs;
    private boolean lastBgsaveOk = true;
    /** Seconds the last BGSAVE took, -1 before the first. */
    private long lastBgsaveSeconds = -1;
    private long saves;
    /** The running BGSAVE, or null. */
    private Bgsave running;
    /** BGSAVE SCHEDULE (or BGSAVE inside EXEC) waiting for the other snapshot user to finish. */
    private boolean scheduled;
    private long lastLoadKeysLoaded;
    private long lastLoadKeysExpired;

    // loading progress, read by INFO
    private volatile long loadingStartMs;
    private volatile long loadingTotalBytes;
    private volatile long loadingLoadedBytes;

    /** One background save: its snapshot, thread and cancel flag. */
    private static final class Bgsave {
        final Snapshot snapshot;
        final long startMs;
        final long dirtyAtStart;
        volatile boolean cancelled;

        Bgsave(Snapshot snapshot, long startMs, long dirtyAtStart) {
            this.snapshot = snapshot;
            this.startMs = startMs;
            this.dirtyAtStart = dirtyAtStart;
        }
    }

    public Persistence(Engine engine) {
        this.engine = engine;
        this.config = engine.config;
        this.ks = engine.keyspace;
        this.lastSaveMs = engine.startMs;
    }

    public void setLog(Consumer<String> log) {
        this.log = log;
    }

    private Path rdbPath() {
        return Path.of(config.dir).resolve(config.dbfilename);
    }

    private RdbSaver.Options options() {
        return new RdbSaver.Options(config.rdbcompression, config.rdbchecksum,
            engine.startupMemory + ks.usedMemory(), false, config.rdbKeySaveDelay, functionCodes(engine));
    }

    /** The function libraries to save, taken on the keyspace thread when the snapshot starts. */
    static java.util.List<byte[]> functionCodes(Engine engine) {
        io.strata.engine.scripting.ScriptingCommands s = io.strata.engine.scripting.ScriptingCommands.of(engine);
        return s == null ? java.util.List.of() : s.libraryCodes();
    }

    /** Loads a library read from an RDB file, replacing one of the same name (as Redis' rdbLoad). */
    static Consumer<byte[]> functionLoader(Engine engine) {
        return code -> {
            String err = io.strata.engine.scripting.ScriptingCommands.of(engine).loadLibrary(code, true);
            if (err != null) {
                throw new io.strata.storage.StorageException(io.strata.storage.StorageException.Code.CORRUPT, 0,
                    "cannot load function library: " + err);
            }
        };
    }

    private Consumer<byte[]> functionLoader() {
        return functionLoader(engine);
    }

    // ---- load ----

    /**
     * Start-up in steps (-LOADING meanwhile): starts loading {@code dir/dbfilename}, or returns
     * null when there is none. The caller sets {@link Engine#loading} and calls
     * {@link #stepLoad} on the keyspace thread until it returns true.
     */
    public RdbStepLoader beginLoad() {
        Path file = rdbPath();
        if (!Files.exists(file)) {
            return null;
        }
        startLoading(file);
        return new RdbStepLoader(file, ks, config, RdbLoader.Options.MASTER.withFunctions(functionLoader()), log);
    }

    /** Applies a step of a start-up load; true when done (and logged). Keyspace thread. */
    public boolean stepLoad(RdbStepLoader loader, long budgetNanos) {
        RdbLoader.Result res = loader.step(budgetNanos);
        loadingLoadedBytes = loader.appliedBytes();
        if (res == null) {
            return false;
        }
        loaded(res);
        return true;
    }

    /** INFO loading_* fields for a load of {@code file} that starts now. */
    private void startLoading(Path file) {
        loadingStartMs = System.currentTimeMillis();
        loadingLoadedBytes = 0;
        try {
            loadingTotalBytes = Files.size(file);
        } catch (java.io.IOException e) {
            loadingTotalBytes = 0;
        }
    }

    /** Records and logs a finished load, as Redis' "DB loaded from disk" lines. */
    private void loaded(RdbLoader.Result res) {
        lastLoadKeysLoaded = res.keysLoaded();
        lastLoadKeysExpired = res.keysExpired();
        log.accept(String.format(java.util.Locale.ROOT, "DB loaded from disk: %.3f seconds",
            (System.currentTimeMillis() - loadingStartMs) / 1000.0));
        log.accept("Done loading RDB, keys loaded: " + res.keysLoaded() + ", keys expired: " + res.keysExpired() + ".");
    }

    private RdbLoader.Result loadFile(Path file, RdbLoader.Options opt) {
        startLoading(file);
        engine.loading = true;
        try {
            RdbLoader.Result res = RdbLoader.load(file, ks, config, opt, log, b -> loadingLoadedBytes = b);
            loaded(res);
            return res;
        } finally {
            engine.loading = false;
        }
    }

    // ---- SAVE ----

    /**
     * Saves synchronously on this thread (SAVE, SHUTDOWN, DEBUG RELOAD) to {@code dir/dbfilename}.
     * Returns false when it failed (logged). Works while a BGSAVE runs: it reads the live keyspace.
     */
    public boolean saveNow() {
        try {
            RdbSaver.Result res = RdbSaver.save(ks::visitLive, Path.of(config.dir), config.dbfilename,
                "temp-" + ProcessHandle.current().pid() + ".rdb", options(), () -> false);
            ks.dirty = 0;
            lastSaveMs = System.currentTimeMillis();
            lastBgsaveOk = true;
            saves++;
            log.accept("DB saved on disk (" + res.keys() + " keys, " + res.bytes() + " bytes)");
            return true;
        } catch (StorageException e) {
            log.accept("Failed saving the DB: " + e.getMessage());
            return false;
        }
    }

    /** SAVE: null on success, else the error text for the client. */
    public String saveCommand() {
        if (running != null) {
            return Errors.BGSAVE_IN_PROGRESS;
        }
        return saveNow() ? null : Errors.ERR;
    }

    // ---- BGSAVE ----

    /** BGSAVE [SCHEDULE] outcomes, as Redis' bgsaveCommand answers. */
    public enum BgsaveStatus { STARTED, SCHEDULED, IN_PROGRESS, OTHER_CHILD, FAILED }

    /** BGSAVE; {@code schedule} is the SCHEDULE option (BGSAVE inside EXEC schedules too). */
    public BgsaveStatus bgsaveCommand(boolean schedule) {
        if (running != null) {
            return BgsaveStatus.IN_PROGRESS;
        }
        if (ks.snapshot() != null || engine.inExec) {
            if (schedule || engine.inExec) {
                scheduled = true;
                return BgsaveStatus.SCHEDULED;
            }
            return BgsaveStatus.OTHER_CHILD;
        }
        return startBgsave() ? BgsaveStatus.STARTED : BgsaveStatus.FAILED;
    }

    /**
     * Begins a snapshot at this instant and hands it to a new snapshot thread that writes
     * {@code dir/dbfilename}; {@link #bgsaveDone} runs back on this thread. Precondition: no
     * snapshot is running.
     */
    private boolean startBgsave() {
        long now = System.currentTimeMillis();
        lastBgsaveTryMs = now;
        scheduled = false;
        Snapshot snap = ks.beginSnapshot();
        Bgsave b = new Bgsave(snap, now, ks.dirty);
        running = b;
        Path dir = Path.of(config.dir);
        String name = config.dbfilename;
        String temp = "temp-bgsave-" + ProcessHandle.current().pid() + ".rdb";
        RdbSaver.Options opt = options();
        Thread t = new Thread(() -> {
            RdbSaver.Result res = null;
            Throwable failure = null;
            try {
                res = RdbSaver.save(snap::run, dir, name, temp, opt, () -> b.cancelled);
            } catch (Throwable e) {
                io.strata.engine.Fatal.exitIfFatal(e);
                failure = e;
            }
            RdbSaver.Result result = res;
            Throwable error = failure;
            try {
                engine.control().runOnKeyspaceThread(() -> bgsaveDone(b, result, error));
            } catch (RuntimeException e) {
                // the server is stopping and its keyspace thread is gone: nobody waits for this save
            }
        }, "strata-bgsave");
        t.setDaemon(true);
        t.start();
        log.accept("Background saving started");
        return true;
    }

    /** Keyspace thread: the BGSAVE thread finished (result non-null) or failed. */
    private void bgsaveDone(Bgsave b, RdbSaver.Result res, Throwable error) {
        ks.endSnapshot(b.snapshot);
        if (running == b) {
            running = null;
        }
        long now = System.currentTimeMillis();
        lastBgsaveSeconds = (now - b.startMs) / 1000;
        if (res != null) {
            ks.dirty = Math.max(0, ks.dirty - b.dirtyAtStart);
            lastSaveMs = now;
            lastBgsaveOk = true;
            saves++;
            log.accept("Background saving terminated with success");
        } else if (error instanceof CancellationException) {
            log.accept("Background saving terminated by signal");
        } else {
            lastBgsaveOk = false;
            log.accept("Background saving error: " + error);
        }
    }

    public boolean bgsaveInProgress() {
        return running != null;
    }

    /** The running BGSAVE's snapshot, or null (tests and INFO). */
    public Snapshot bgsaveSnapshot() {
        Bgsave b = running;
        return b == null ? null : b.snapshot;
    }

    // ---- cron, MISCONF, shutdown ----

    /** From {@link Engine#cron}: starts a scheduled BGSAVE or one a save point asks for. */
    public void cron() {
        if (running != null || ks.snapshot() != null || engine.loading) {
            return;
        }
        if (scheduled) {
            startBgsave();
            return;
        }
        long now = System.currentTimeMillis();
        for (long[] p : config.saveParams) {
            if (ks.dirty >= p[1] && (now - lastSaveMs) / 1000 > p[0]
                && ((now - lastBgsaveTryMs) / 1000 > BGSAVE_RETRY_DELAY || lastBgsaveOk)) {
                log.accept(p[1] + " changes in " + p[0] + " seconds. Saving...");
                startBgsave();
                return;
            }
        }
    }

    public boolean hasSavePoints() {
        return config.saveParams.length > 0;
    }

    /**
     * The MISCONF error write commands (and PING) get while the last BGSAVE failed, as Redis'
     * writeCommandsDeniedByDiskError; null when writes are allowed. Cheap: the dispatcher calls it.
     */
    public String diskErrorForWrites() {
        if (!lastBgsaveOk && config.stopWritesOnBgsaveError && config.saveParams.length > 0) {
            return Errors.MISCONF_RDB;
        }
        return null;
    }

    /**
     * Redis' prepareForShutdown, RDB part: stops a running BGSAVE (its temp file is removed), then
     * saves when {@code save}. Returns false when the save failed and {@code force} is not set: the
     * server must then keep running.
     */
    public boolean prepareForShutdown(boolean save, boolean force) {
        Bgsave b = running;
        if (b != null) {
            log.accept("There is a child saving an .rdb. Killing it!");
            // the thread stops at its next check and deletes its temp file; the snapshot ends
            // when it reports back (bgsaveDone), so no slot is mutated while it may still read it
            b.cancelled = true;
            running = null;
        }
        if (save) {
            log.accept("Saving the final RDB snapshot before exiting.");
            if (!saveNow()) {
                if (!force) {
                    log.accept("Error trying to save the DB, can't exit.");
                    return false;
                }
                log.accept("Error trying to save the DB. Exit anyway.");
            }
        }
        return true;
    }

    // ---- DEBUG RELOAD ----

    /**
     * DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE]: save (unless NOSAVE), empty every database (unless
     * NOFLUSH), load the file back (MERGE replaces keys that exist). Null or the client error.
     */
    public String debugReload(boolean merge, boolean flush, boolean save) {
        if (save && !saveNow()) {
            return Errors.ERR;
        }
        if (flush) {
            long dirty = ks.dirty;
            ks.flushAll();
            ks.dirty = dirty; // emptyData does not count as changes
        }
        try {
            loadFile(rdbPath(), new RdbLoader.Options(true, merge, functionLoader()));
        } catch (StorageException e) {
            log.accept("Error loading the RDB dump: " + e.getMessage());
            return Errors.RELOAD_LOAD_FAILED;
        }
        log.accept("DB reloaded by DEBUG RELOAD");
        return null;
    }

    // ---- INFO persistence ----

    /** Appends the RDB and loading fields of INFO persistence (Redis' order and names). */
    public void info(java.util.function.BiConsumer<String, Object> field) {
        boolean loading = engine.loading;
        field.accept("loading", loading ? 1 : 0);
        field.accept("async_loading", 0);
        Bgsave b = running;
        long now = System.currentTimeMillis();
        field.accept("current_cow_peak", 0);
        field.accept("current_cow_size", b == null ? 0 : b.snapshot.extraBytes());
        field.accept("current_cow_size_age", 0);
        field.accept("current_fork_perc", "0.00");
        field.accept("current_save_keys_processed", 0);
        field.accept("current_save_keys_total", 0);
        if (loading) {
            long total = loadingTotalBytes;
            long done = loadingLoadedBytes;
            long elapsed = Math.max(1, (now - loadingStartMs) / 1000);
            double perc = total == 0 ? 0 : done * 100.0 / total;
            long eta = done == 0 ? 1 : (total - done) / (done / elapsed + 1);
            field.accept("loading_start_time", loadingStartMs / 1000);
            field.accept("loading_total_bytes", total);
            field.accept("loading_rdb_used_mem", 0);
            field.accept("loading_loaded_bytes", done);
            field.accept("loading_loaded_perc", String.format(java.util.Locale.ROOT, "%.2f", perc));
            field.accept("loading_eta_seconds", eta);
        }
        field.accept("rdb_changes_since_last_save", ks.dirty);
        field.accept("rdb_bgsave_in_progress", b == null ? 0 : 1);
        field.accept("rdb_last_save_time", lastSaveMs / 1000);
        field.accept("rdb_last_bgsave_status", lastBgsaveOk ? "ok" : "err");
        field.accept("rdb_last_bgsave_time_sec", lastBgsaveSeconds);
        field.accept("rdb_current_bgsave_time_sec", b == null ? -1 : (now - b.startMs) / 1000);
        field.accept("rdb_saves", saves);
        field.accept("rdb_last_cow_size", 0);
        field.accept("rdb_last_load_keys_expired", lastLoadKeysExpired);
        field.accept("rdb_last_load_keys_loaded", lastLoadKeysLoaded);
        field.accept("rdb_snapshot_preserved_bytes", b == null ? 0 : b.snapshot.extraBytes());
    }

    public long lastSaveSeconds() {
        return lastSaveMs / 1000;
    }
}
