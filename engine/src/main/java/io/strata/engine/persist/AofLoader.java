package io.strata.engine.persist;

import io.strata.engine.Client;
import io.strata.engine.ClientChannel;
import io.strata.engine.Engine;
import io.strata.engine.command.Args;
import io.strata.storage.aof.RespCommands;
import io.strata.engine.command.ReplySink;
import io.strata.storage.aof.AofFrames;
import io.strata.storage.aof.AofManifest;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * Replays the AOF into the keyspace at start-up, in steps so the keyspace thread keeps answering
 * {@code -LOADING} in between (Redis' processEventsWhileBlocked). Recovery runs in passes:
 * <ol>
 *   <li>every file the manifest names must exist (checked before anything is loaded);</li>
 *   <li>the base file, through the {@link AofBaseLoader} (an RDB);</li>
 *   <li>the incr files in manifest order, frame by frame, each command through the dispatcher
 *       with a fake client that starts in database 0 for every file;</li>
 *   <li>a torn tail of the last incr file is truncated (when {@code aof-load-truncated yes});
 *       {@link #truncatedBytes()} says how many bytes were dropped.</li>
 * </ol>
 * A corrupt frame anywhere, or a torn frame in any but the last file, refuses to start.
 *
 * <p>Thread rule: keyspace thread only, while {@link Engine#loading} is set.
 */
public final class AofLoader {
    /** Client id of the fake replay client: the dispatcher lets it run commands while loading. */
    public static final long REPLAY_CLIENT_ID = -1;

    /** What one {@link #step} left to do. */
    public enum Status { MORE, DONE }

    /** Loading cannot go on: the server must not start. */
    public static final class LoadException extends RuntimeException {
        LoadException(String message) {
            super(message);
        }
    }

    private final Engine engine;
    private final Path dir;
    private final AofManifest manifest;
    private final AofBaseLoader baseLoader;
    private final boolean loadTruncated;
    private final List<AofManifest.FileEntry> incrs;
    private final AofFrames frames = new AofFrames();
    private final Args args = new Args(16);
    private final RespCommands resp = new RespCommands();
    private final ReplayChannel channel = new ReplayChannel();
    private boolean baseDone;
    /** The base file's loading, a step at a time. */
    private java.util.function.LongPredicate baseSteps;
    private int fileIndex;
    private FileChannel file;
    private long offset;
    private Client client;
    private long truncatedBytes;
    private long commands;

    AofLoader(Engine engine, Path dir, AofManifest manifest, AofBaseLoader baseLoader, boolean loadTruncated) {
        this.engine = engine;
        this.dir = dir;
        this.manifest = manifest;
        this.baseLoader = baseLoader;
        this.loadTruncated = loadTruncated;
        this.incrs = manifest.incrs();
        // pass 1: every named file exists, before a single command is replayed
        for (AofManifest.FileEntry f : manifest.files) {
            if (f.type != 'h' && !Files.exists(dir.resolve(f.name))) {
                throw new LoadException("The AOF file " + f.name + " doesn't exist (named by the manifest in " + dir + ")");
            }
        }
        AofManifest.FileEntry base = manifest.base();
        if (base != null && baseLoader == null) {
            throw new LoadException("The AOF manifest names the base file " + base.name
                + ", but this build has no RDB loader for AOF base files yet: refusing to start without it");
        }
    }

    private String truncationMessage;

    /** The warning to log when a torn tail was truncated, else null. */
    public String truncationMessage() {
        return truncationMessage;
    }

    public long truncatedBytes() {
        return truncatedBytes;
    }

    public long commands() {
        return commands;
    }

    /** Size the last incr file has after loading (after any truncation). */
    long lastIncrSize() {
        return lastSize;
    }

    private long lastSize;

    /** Replays for about {@code budgetNanos}; throws {@link LoadException} when the AOF is unusable. */
    public Status step(long budgetNanos) {
        long deadline = System.nanoTime() + budgetNanos;
        try {
            // pass 2: the base, in steps like the incr files
            if (!baseDone) {
                AofManifest.FileEntry base = manifest.base();
                if (base == null) {
                    baseDone = true;
                } else {
                    try {
                        if (baseSteps == null) {
                            baseSteps = baseLoader.loadInSteps(engine, dir.resolve(base.name));
                        }
                        baseDone = baseSteps.test(budgetNanos);
                    } catch (RuntimeException e) {
                        throw new LoadException("Bad file format reading the AOF base file " + base.name + ": " + e.getMessage());
                    }
                    if (!baseDone) {
                        return Status.MORE;
                    }
                }
            }
            // pass 3: incr files, frame by frame
            while (System.nanoTime() < deadline) {
                if (file == null) {
                    if (fileIndex == incrs.size()) {
                        return Status.DONE;
                    }
                    file = FileChannel.open(dir.resolve(incrs.get(fileIndex).name), StandardOpenOption.READ,
                        StandardOpenOption.WRITE);
                    offset = 0;
                    client = new Client(REPLAY_CLIENT_ID, channel, engine.keyspace.db(0), System.currentTimeMillis());
                    client.authenticated = true;
                }
                AofFrames.Result r = frames.read(file, offset);
                String name = incrs.get(fileIndex).name;
                boolean last = fileIndex == incrs.size() - 1;
                switch (r.status) {
                    case FRAME:
                        replay(r.payload, name, offset);
                        offset += r.frameLength;
                        break;
                    case END:
                        endFile(last);
                        break;
                    case TORN:
                        if (!last || !loadTruncated) {
                            throw new LoadException("Unexpected end of file reading the append only file " + name
                                + " at offset " + offset + " (" + r.problem + "). "
                                + (last ? "You can: 1) make a backup of your AOF file, then use aof-repair to fix it. "
                                + "2) Alternatively you can set the 'aof-load-truncated' configuration option to yes and restart the server."
                                : "Only the last incr file may end inside a frame: make a backup, then use aof-repair to fix it."));
                        }
                        // pass 4: drop the torn tail, as Redis truncates a short read
                        long size = file.size();
                        truncatedBytes = size - offset;
                        file.truncate(offset);
                        file.force(true);
                        truncationMessage = "!!! Warning: short read while loading the AOF file " + name + "!!! "
                            + "AOF " + name + " loaded anyway because aof-load-truncated is enabled: truncated "
                            + truncatedBytes + " bytes at offset " + offset + " (" + r.problem + ")";
                        endFile(true);
                        break;
                    default:
                        throw new LoadException("Bad file format reading the append only file " + name
                            + ": corrupt frame at offset " + offset + " (" + r.problem + "). "
                            + "Make a backup of your AOF file, then use aof-repair to fix it.");
                }
                if (file == null && fileIndex == incrs.size()) {
                    return Status.DONE;
                }
            }
            return Status.MORE;
        } catch (IOException e) {
            throw new LoadException("Error reading the append only file: " + e.getMessage());
        }
    }

    private void endFile(boolean last) throws IOException {
        if (last) {
            lastSize = offset;
        }
        file.close();
        file = null;
        fileIndex++;
        if (client.inMulti) {
            throw new LoadException("Revert incomplete MULTI/EXEC transaction in AOF file " + incrs.get(fileIndex - 1).name
                + ": the file is damaged; use aof-repair");
        }
    }

    /** Runs every command of one frame's payload, parsed by storage's shared RESP parser. */
    private void replay(byte[] p, String name, long frameOffset) {
        int pos = 0;
        while (pos < p.length) {
            RespCommands.Status st = resp.next(p, pos, p.length);
            if (st == RespCommands.Status.ANNOTATION) {
                pos = resp.end();
                continue;
            }
            if (st != RespCommands.Status.COMMAND) {
                throw badPayload(name, frameOffset, st == RespCommands.Status.INCOMPLETE
                    ? "a command runs past the end of its frame" : resp.problem());
            }
            args.reset(p);
            for (int i = 0; i < resp.argc(); i++) {
                args.add(resp.argOffset(i), resp.argLength(i));
            }
            pos = resp.end();
            channel.unknown = null;
            engine.execute(client, args);
            commands++;
            if (channel.unknown != null) {
                throw new LoadException("Unknown command '" + args.str(0) + "' reading the append only file " + name
                    + " (frame at offset " + frameOffset + ")");
            }
        }
    }

    private static LoadException badPayload(String name, long frameOffset, String what) {
        return new LoadException("Bad file format reading the append only file " + name + ": frame at offset "
            + frameOffset + " holds invalid RESP (" + what + "). Make a backup of your AOF file, then use aof-repair to fix it.");
    }

    /** The fake client's connection: replies are dropped; an unknown command is noticed. */
    private static final class ReplayChannel implements ClientChannel, ReplySink {
        String unknown;
        private long errors;

        @Override public ReplySink sink() { return this; }
        @Override public void flush() { }
        @Override public void close() { }
        @Override public void closeNow() { }
        @Override public void mute(boolean muted) { }
        @Override public String addr() { return ""; }
        @Override public String laddr() { return ""; }
        @Override public long queryBufferLength() { return 0; }
        @Override public long queryBufferFree() { return 0; }
        @Override public long outputBufferLength() { return 0; }
        @Override public int protocol() { return 2; }
        @Override public void ok() { }
        @Override public void simple(String text) { }

        @Override
        public void error(String text) {
            errors++;
            if (text.startsWith("ERR unknown command")) {
                unknown = text;
            }
        }

        @Override public void integer(long v) { }
        @Override public void bulk(byte[] b) { }
        @Override public void bulk(byte[] b, int off, int len) { }
        @Override public void bulk(String s) { }
        @Override public void nullBulk() { }
        @Override public void nullArray() { }
        @Override public void array(int n) { }
        @Override public void map(int n) { }
        @Override public void set(int n) { }
        @Override public void push(int n) { }
        @Override public void dbl(double d) { }
        @Override public void bool(boolean b) { }
        @Override public void verbatim(String text) { }
        @Override public long errors() { return errors; }
    }
}
