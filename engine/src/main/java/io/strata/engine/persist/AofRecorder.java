package io.strata.engine.persist;

import io.strata.engine.Client;
import io.strata.engine.command.Args;
import io.strata.engine.command.CommandSpec;
import io.strata.engine.keyspace.Database;
import io.strata.engine.keyspace.Entry;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Turns the commands that changed data into RESP, as Redis' {@code feedAppendOnlyFile}: SELECT
 * when the database changes, MULTI…EXEC around a transaction's writes, relative expiries made
 * absolute (EXPIRE/SETEX/SET EX → PEXPIREAT / SET PXAT), a served blocking pop recorded as the
 * non-blocking command it amounted to, expired keys as DEL. Commands accumulate in one buffer
 * per event-loop batch; {@link #endBatch} hands the batch to the {@link AofWriter} under a
 * sequence number, which is what replies wait for under {@code appendfsync always}.
 *
 * <p>Thread rule: keyspace thread only. Nothing is allocated per command beyond the bytes kept.
 */
public final class AofRecorder {
    private static final byte[] SELECT = ascii("SELECT");
    private static final byte[] MULTI = ascii("MULTI");
    private static final byte[] EXEC = ascii("EXEC");
    private static final byte[] DEL = ascii("DEL");
    private static final byte[] SET = ascii("SET");
    private static final byte[] PXAT = ascii("PXAT");
    private static final byte[] PEXPIREAT = ascii("PEXPIREAT");
    private static final byte[] LPOP = ascii("LPOP");
    private static final byte[] RPOP = ascii("RPOP");
    private static final byte[] ZPOPMIN = ascii("ZPOPMIN");
    private static final byte[] ZPOPMAX = ascii("ZPOPMAX");
    private static final byte[] LMOVE = ascii("LMOVE");
    private static final byte[] RPOPLPUSH = ascii("RPOPLPUSH");
    private static final byte[] LMPOP = ascii("LMPOP");
    private static final byte[] ZMPOP = ascii("ZMPOP");
    private static final byte[] ONE = ascii("1");
    private static final byte[][] EXPIRY_OPTIONS = {ascii("ex"), ascii("px"), ascii("exat")};
    private static final byte[] PERSIST_LOWER = ascii("persist");

    private final AofWriter writer;
    private byte[] buf = new byte[16 * 1024];
    private int len;
    /** Database the replayed stream is in after the last recorded command; -1 forces a SELECT. */
    private int streamDb = -1;
    /** Sequence number the batch being accumulated will get. */
    private long nextSeq;
    /** Set while EXEC runs; MULTI is written before its first write only. */
    private boolean inExec;
    private boolean multiWritten;
    /** Where the open transaction's records begin in the batch, and the stream's database then. */
    private int execStart;
    private int execStreamDb;
    /** The first key a command changed (which key a blocking pop was served from). */
    private byte[] firstChangedKey;
    /** A handler's replacement for the command it runs (SPOP → SREM), or null. */
    private byte[][] replacement;
    /** Commands a handler propagates instead of itself (Redis' alsoPropagate + preventCommandPropagation), or null. */
    private java.util.List<byte[][]> propagated;
    private Runnable batchEndScheduler;
    private boolean batchEndScheduled;
    /** Bytes recorded since the AOF was started (for auto-aof-rewrite). */
    long recordedBytes;

    AofRecorder(AofWriter writer, long firstSeq) {
        this.writer = writer;
        this.nextSeq = firstSeq;
    }

    /** How the recorder gets {@link #endBatch} called after the current event-loop batch. */
    void setBatchEndScheduler(Runnable scheduler) {
        this.batchEndScheduler = scheduler;
    }

    /** The sequence number a reply flushed now depends on: the open batch's, else the last handed off. */
    public long requiredSeq() {
        return len > 0 ? nextSeq : nextSeq - 1;
    }

    /** Called before every command while the AOF is on. */
    public void beforeCommand() {
        firstChangedKey = null;
        replacement = null;
        propagated = null;
    }

    /** Keyspace listener hook: remembers the first key a command changed. */
    public void keyChanged(byte[] key) {
        if (firstChangedKey == null) {
            firstChangedKey = key;
        }
    }

    /** A handler replaces what is recorded for the running command (Redis' rewriteClientCommandVector). */
    public void replaceWith(byte[]... argv) {
        replacement = argv;
    }

    /**
     * The running command is recorded as the commands given to this method, in order, instead of
     * itself (none at all when only {@link #suppress} was called); more than one are wrapped in
     * MULTI/EXEC, as Redis wraps what one command propagates.
     */
    public void propagate(byte[]... argv) {
        if (propagated == null) {
            propagated = new java.util.ArrayList<>(2);
        }
        propagated.add(argv);
    }

    /** The running command is not recorded itself (what it changed is recorded by {@link #propagate}). */
    public void suppress() {
        if (propagated == null) {
            propagated = new java.util.ArrayList<>(2);
        }
    }

    /** True between {@link #beginExec} and {@link #endExec} (a script inside EXEC adds no second MULTI). */
    public boolean inTransaction() {
        return inExec;
    }

    public void beginExec() {
        inExec = true;
        multiWritten = false;
        execStart = len;
        execStreamDb = streamDb;
    }

    /**
     * Forgets what the open transaction recorded so far, so none of it reaches the file: SHUTDOWN
     * NOSAVE stopped the script that wrote it (Redis exits before propagating a script's effects).
     * The batch is handed off only between commands, so those records are all still in the buffer.
     */
    public void dropTransaction() {
        if (inExec && execStart <= len) {
            len = execStart;
            streamDb = execStreamDb;
            multiWritten = false;
        }
    }

    /**
     * Hands what was recorded before the open transaction to the AOF thread as a batch of its own,
     * keeping the transaction's records in the buffer: a busy script lets other clients be answered
     * (Redis flushes the AOF from processEventsWhileBlocked too), and their replies may wait for
     * those records, while the script's own effects are written only once it ends.
     */
    public void handOffBeforeTransaction() {
        if (!inExec || execStart == 0) {
            return;
        }
        byte[] bytes = Arrays.copyOf(buf, execStart);
        recordedBytes += execStart;
        System.arraycopy(buf, execStart, buf, 0, len - execStart);
        len -= execStart;
        execStart = 0;
        long seq = nextSeq++;
        if (!writer.tryWriteInline(seq, bytes)) {
            writer.submit(seq, bytes);
        }
    }

    /**
     * The sequence number a reply that shows nothing of the open transaction depends on (a reply
     * made while a script is busy, or before it): {@link #requiredSeq} less the transaction.
     */
    public long requiredSeqBeforeTransaction() {
        if (!inExec) {
            return requiredSeq();
        }
        return execStart > 0 ? nextSeq : nextSeq - 1;
    }

    public void endExec() {
        if (multiWritten) {
            command1(EXEC);
        }
        inExec = false;
        multiWritten = false;
    }

    /** A key removed by lazy or active expiry: recorded as DEL, as Redis propagates it. */
    public void expired(Database db, byte[] key) {
        prepare(db.index);
        header(2);
        bulk(DEL);
        bulk(key, 0, key.length);
        afterAppend();
    }

    /** Records a command that ran and changed the dataset. */
    public void record(Client c, CommandSpec spec, Args a) {
        if (propagated != null) {
            java.util.List<byte[][]> cmds = propagated;
            propagated = null;
            if (cmds.isEmpty()) {
                return;
            }
            boolean wrap = cmds.size() > 1 && !inExec;
            prepare(c.db.index);
            if (wrap) {
                command1(MULTI);
            }
            for (byte[][] argv : cmds) {
                header(argv.length);
                for (byte[] p : argv) {
                    bulk(p, 0, p.length);
                }
            }
            if (wrap) {
                command1(EXEC);
            }
            afterAppend();
            return;
        }
        prepare(c.db.index);
        if (replacement != null) {
            header(replacement.length);
            for (byte[] p : replacement) {
                bulk(p, 0, p.length);
            }
            replacement = null;
            afterAppend();
            return;
        }
        switch (spec.name) {
            case "set":
                if (hasAny(a, 3, EXPIRY_OPTIONS)) {
                    setPxat(c.db, a, 2);
                    break;
                }
                args(a, 0);
                break;
            case "setex":
            case "psetex":
                setPxat(c.db, a, 3);
                break;
            case "getex":
                if (a.argc() > 2 && !a.is(2, PERSIST_LOWER)) {
                    pexpireat(c.db, a);
                    break;
                }
                args(a, 0);
                break;
            case "expire":
            case "pexpire":
            case "expireat":
                pexpireat(c.db, a);
                break;
            case "restore":
                args(a, 0);
                Entry e = c.db.findRaw(a.buf(), a.off(1), a.len(1));
                if (e != null && e.expireAt() >= 0) {
                    header(3);
                    bulk(PEXPIREAT);
                    bulk(a.buf(), a.off(1), a.len(1));
                    number(e.expireAt());
                }
                break;
            case "blpop": popOne(LPOP); break;
            case "brpop": popOne(RPOP); break;
            case "bzpopmin": popOne(ZPOPMIN); break;
            case "bzpopmax": popOne(ZPOPMAX); break;
            case "blmove":
                header(5);
                bulk(LMOVE);
                for (int i = 1; i <= 4; i++) {
                    bulk(a.buf(), a.off(i), a.len(i));
                }
                break;
            case "brpoplpush":
                header(3);
                bulk(RPOPLPUSH);
                bulk(a.buf(), a.off(1), a.len(1));
                bulk(a.buf(), a.off(2), a.len(2));
                break;
            case "blmpop": mpop(LMPOP, a); break;
            case "bzmpop": mpop(ZMPOP, a); break;
            default:
                args(a, 0);
        }
        afterAppend();
    }

    /** SELECT and MULTI as needed before a record. */
    private void prepare(int db) {
        if (inExec && !multiWritten) {
            multiWritten = true;
            command1(MULTI);
        }
        if (db != streamDb) {
            header(2);
            bulk(SELECT);
            number(db);
            streamDb = db;
        }
    }

    private void afterAppend() {
        if (!batchEndScheduled && batchEndScheduler != null) {
            batchEndScheduled = true;
            batchEndScheduler.run();
        }
    }

    /** SET key value PXAT ms, or DEL key when the key did not survive its expiry. */
    private void setPxat(Database db, Args a, int valueIndex) {
        Entry e = db.findRaw(a.buf(), a.off(1), a.len(1));
        if (e == null || e.expireAt() < 0) {
            if (e == null) {
                del(a);
            } else {
                args(a, 0);
            }
            return;
        }
        header(5);
        bulk(SET);
        bulk(a.buf(), a.off(1), a.len(1));
        bulk(a.buf(), a.off(valueIndex), a.len(valueIndex));
        bulk(PXAT);
        number(e.expireAt());
    }

    /** PEXPIREAT key ms, or DEL key when the new expiry removed it. */
    private void pexpireat(Database db, Args a) {
        Entry e = db.findRaw(a.buf(), a.off(1), a.len(1));
        if (e == null) {
            del(a);
            return;
        }
        if (e.expireAt() < 0) {
            args(a, 0);
            return;
        }
        header(3);
        bulk(PEXPIREAT);
        bulk(a.buf(), a.off(1), a.len(1));
        number(e.expireAt());
    }

    private void del(Args a) {
        header(2);
        bulk(DEL);
        bulk(a.buf(), a.off(1), a.len(1));
    }

    /** A served BLPOP & co: the same pop, non-blocking, on the key it was served from. */
    private void popOne(byte[] name) {
        header(2);
        bulk(name);
        bulk(firstChangedKey, 0, firstChangedKey.length);
    }

    /** BLMPOP/BZMPOP timeout numkeys key… where [COUNT n] → LMPOP/ZMPOP 1 servedKey where [COUNT n]. */
    private void mpop(byte[] name, Args a) {
        int numkeys = (int) a.longAt(2);
        int rest = 3 + numkeys;
        header(3 + a.argc() - rest);
        bulk(name);
        bulk(ONE);
        bulk(firstChangedKey, 0, firstChangedKey.length);
        for (int i = rest; i < a.argc(); i++) {
            bulk(a.buf(), a.off(i), a.len(i));
        }
    }

    private static boolean hasAny(Args a, int from, byte[][] options) {
        for (int i = from; i < a.argc(); i++) {
            for (byte[] o : options) {
                if (a.is(i, o)) {
                    return true;
                }
            }
        }
        return false;
    }

    // ---- RESP encoding into the batch buffer ----

    private void args(Args a, int from) {
        header(a.argc() - from);
        for (int i = from; i < a.argc(); i++) {
            bulk(a.buf(), a.off(i), a.len(i));
        }
    }

    private void command1(byte[] name) {
        header(1);
        bulk(name);
    }

    private void header(int n) {
        ensure(24);
        buf[len++] = '*';
        digits(n);
        crlf();
    }

    private void bulk(byte[] b) {
        bulk(b, 0, b.length);
    }

    private void bulk(byte[] b, int off, int n) {
        ensure(n + 24);
        buf[len++] = '$';
        digits(n);
        crlf();
        System.arraycopy(b, off, buf, len, n);
        len += n;
        crlf();
    }

    private final byte[] scratch = new byte[24];

    private void number(long v) {
        int save = len;
        byte[] b = buf;
        // encode the digits into the scratch array through the same code, then write them as a bulk
        buf = scratch;
        len = 0;
        digits(v);
        int n = len;
        buf = b;
        len = save;
        bulk(scratch, 0, n);
    }

    private void digits(long v) {
        if (v < 0) {
            buf[len++] = '-';
            v = -v;
        }
        if (v < 10) {
            buf[len++] = (byte) ('0' + v);
            return;
        }
        int start = len;
        while (v > 0) {
            buf[len++] = (byte) ('0' + v % 10);
            v /= 10;
        }
        for (int i = start, j = len - 1; i < j; i++, j--) {
            byte t = buf[i];
            buf[i] = buf[j];
            buf[j] = t;
        }
    }

    private void crlf() {
        buf[len++] = '\r';
        buf[len++] = '\n';
    }

    private void ensure(int n) {
        if (len + n > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
        }
    }

    // ---- batches ----

    /**
     * Ends the event-loop batch: hands what was recorded to the AOF thread. Returns the batch's
     * sequence number, or the last one handed off when nothing was recorded.
     */
    public long endBatch() {
        batchEndScheduled = false;
        if (len == 0) {
            return nextSeq - 1;
        }
        byte[] bytes = Arrays.copyOf(buf, len);
        recordedBytes += len;
        if (buf.length > 1024 * 1024) {
            buf = new byte[16 * 1024]; // a huge batch does not pin its buffer forever
        }
        len = 0;
        long seq = nextSeq++;
        if (!writer.tryWriteInline(seq, bytes)) {
            writer.submit(seq, bytes);
        }
        return seq;
    }

    /** Forces a SELECT before the next record (a new incr file starts a new replay client). */
    void resetStreamDb() {
        streamDb = -1;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
