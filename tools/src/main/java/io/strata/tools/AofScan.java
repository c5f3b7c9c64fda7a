package io.strata.tools;

import io.strata.storage.StorageException;
import io.strata.storage.aof.AofFormat;
import io.strata.storage.aof.AofFrames;
import io.strata.storage.aof.AofSalvage;
import io.strata.storage.aof.RespCommands;
import io.strata.storage.aof.RespStream;
import io.strata.storage.rdb.RdbReader;
import io.strata.storage.rdb.RdbValue;
import io.strata.storage.rdb.RdbVisitor;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Scans one AOF-directory file — a Strata frame file ({@link AofFrames}), a plain RESP file as
 * redis-server writes ({@link RespStream}), or an RDB base file, possibly followed by RESP
 * commands ({@link RdbReader}) — and records counts, timestamps and every damaged byte range,
 * with the offset where a point-in-time cut would fall. Reads with the storage readers only.
 *
 * <p>Thread rule: the tool's main thread.
 */
final class AofScan {
    /** How a file is laid out. */
    enum Format { EMPTY, FRAMES, RESP, RDB }

    /** What kind of damage; the label is what the report prints. */
    enum Kind {
        TORN_TAIL("torn tail"), BAD_CRC("bad CRC"), BAD_LZ4("bad LZ4 block"), BAD_RESP("bad RESP"),
        BAD_HEADER("bad frame header"), UNFINISHED_MULTI("unfinished MULTI/EXEC at the end"), BAD_RDB("bad RDB");

        final String label;

        Kind(String label) {
            this.label = label;
        }
    }

    /**
     * Bytes {@code [offset, end)} are damaged; {@code end} is where reading resumed (the file size
     * when nothing valid follows). {@code lostCommands} is -1 when it cannot be counted
     * exactly; {@code lostAtLeast} is then the whole commands readable before the damage in it.
     */
    record Damage(Kind kind, long offset, long end, String detail, long lostCommands, long lostAtLeast, long framesBefore) {
    }

    /** Receives the commands of a file in order (for --dump). */
    interface Sink {
        /** One command whose arguments are positions in {@code buf} as {@code p} describes. */
        void command(byte[] buf, RespCommands p);

        /** One command given as arguments (rebuilt from an RDB base file). */
        void command(List<byte[]> args);
    }

    /** Most damages recorded per file, so memory stays flat on a file of garbage. */
    static final int MAX_DAMAGES = 1000;

    final Path path;
    Format format;
    long size;
    long frames;
    long commands;
    long firstTs = -1;
    long lastTs = -1;
    /** RESP files: whether any {@code #TS:} annotation was seen. */
    boolean hasTimestamps;
    /** RDB files: keys read, RDB version, where the RDB part ended. */
    long keys;
    int rdbVersion;
    long rdbEnd = -1;
    final List<Damage> damages = new ArrayList<>();
    long moreDamages;
    /** First offset whose data is newer than the cut timestamp; -1 when none is. */
    long cutOffset = -1;
    long commandsAfterCut;

    private final long cutTs;
    private final Sink sink;
    private final Progress progress;

    private AofScan(Path path, long cutTs, Sink sink) throws IOException {
        this.path = path;
        this.cutTs = cutTs;
        this.sink = sink;
        this.size = java.nio.file.Files.size(path);
        this.progress = new Progress("aof-repair " + path.getFileName(), size);
    }

    /**
     * Scans {@code path}. {@code cutTs} (ms, or Long.MAX_VALUE for none) marks where a
     * point-in-time truncation would cut; commands after it are not passed to {@code sink}.
     */
    static AofScan scan(Path path, long cutTs, Sink sink) throws IOException {
        AofScan s = new AofScan(path, cutTs, sink);
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            s.format = detect(ch, path);
            switch (s.format) {
                case FRAMES: s.scanFrames(ch); break;
                case RESP: s.scanResp(ch, 0); break;
                case RDB: s.scanRdb(ch); break;
                default:
            }
        } finally {
            s.progress.done();
        }
        return s;
    }

    static Format detect(FileChannel ch, Path path) throws IOException {
        if (ch.size() == 0) {
            return Format.EMPTY;
        }
        ByteBuffer b = ByteBuffer.allocate(5);
        while (b.hasRemaining() && ch.read(b, b.position()) > 0) {
            // fill
        }
        if (b.position() >= 4 && b.getInt(0) == AofFormat.MAGIC) {
            return Format.FRAMES;
        }
        if (b.position() == 5 && new String(b.array(), java.nio.charset.StandardCharsets.US_ASCII).equals("REDIS")) {
            return Format.RDB;
        }
        if (path.getFileName().toString().endsWith(".rdb")) {
            return Format.RDB;
        }
        byte c = b.get(0);
        // a damaged first frame header still leaves frames after it for resync to find
        return c == '*' || c == '#' ? Format.RESP : Format.FRAMES;
    }

    boolean clean() {
        return damages.isEmpty();
    }

    private void damage(Kind kind, long offset, long end, String detail, long lost) {
        damage(kind, offset, end, detail, lost, Math.max(lost, 0));
    }

    private void damage(Kind kind, long offset, long end, String detail, long lost, long atLeast) {
        if (damages.size() < MAX_DAMAGES) {
            damages.add(new Damage(kind, offset, end, detail, lost, atLeast, frames));
        } else {
            moreDamages++;
        }
    }

    private void timestamp(long ts, long offset) {
        if (firstTs < 0) {
            firstTs = ts;
        }
        lastTs = ts;
        if (ts > cutTs && cutOffset < 0) {
            cutOffset = offset;
        }
    }

    // ---- Strata frames ----

    private void scanFrames(FileChannel ch) throws IOException {
        AofFrames reader = new AofFrames();
        RespCommands resp = new RespCommands();
        long pos = 0;
        while (true) {
            AofFrames.Result r = reader.read(ch, pos);
            progress.update(pos, frames + " frames");
            switch (r.status) {
                case END:
                    return;
                case FRAME: {
                    long n = resp.count(r.payload, 0, r.payload.length);
                    if (n < 0) {
                        resp.next(r.payload, 0, r.payload.length); // for the problem text
                        damage(Kind.BAD_RESP, pos, pos + r.frameLength, "frame payload is not whole RESP commands", -1);
                        pos += r.frameLength;
                        continue;
                    }
                    timestamp(r.timestamp, pos);
                    frames++;
                    commands += n;
                    if (cutOffset >= 0) {
                        commandsAfterCut += n;
                    } else if (sink != null) {
                        emit(r.payload, resp);
                    }
                    pos += r.frameLength;
                    continue;
                }
                case TORN:
                case CORRUPT: {
                    // A length damaged into "runs past the end" looks torn: only a valid frame
                    // after it tells a corrupt middle frame from a torn tail.
                    long next = reader.resync(ch, pos);
                    long end = next < 0 ? size : next;
                    Kind kind = r.status == AofFrames.Status.TORN ? (next < 0 ? Kind.TORN_TAIL : Kind.BAD_HEADER)
                        : r.problem.contains("CRC") ? Kind.BAD_CRC : r.problem.contains("LZ4") ? Kind.BAD_LZ4 : Kind.BAD_HEADER;
                    String detail = r.problem + (r.status == AofFrames.Status.TORN && next >= 0
                        ? ", but a valid frame follows at offset " + next : "");
                    long lost = -1;
                    long atLeast = 0;
                    if (r.frameLength > 0 && pos + r.frameLength == end) {
                        byte[] p = AofSalvage.payloadIgnoringCrc(ch, pos);
                        if (p != null) {
                            lost = resp.count(p, 0, p.length);
                            atLeast = lost >= 0 ? lost : countPrefix(resp, p);
                        }
                    }
                    damage(kind, pos, end, detail, lost, atLeast);
                    if (next < 0) {
                        return;
                    }
                    pos = next;
                    continue;
                }
                default:
                    throw new IllegalStateException("status=" + r.status);
            }
        }
    }

    /** Whole commands at the start of a damaged payload. */
    private static long countPrefix(RespCommands resp, byte[] p) {
        long n = 0;
        int at = 0;
        while (at < p.length) {
            RespCommands.Status s = resp.next(p, at, p.length);
            if (s == RespCommands.Status.COMMAND) {
                n++;
            } else if (s != RespCommands.Status.ANNOTATION) {
                break;
            }
            at = resp.end();
        }
        return n;
    }

    private void emit(byte[] payload, RespCommands resp) {
        int p = 0;
        while (p < payload.length) {
            RespCommands.Status s = resp.next(payload, p, payload.length);
            if (s == RespCommands.Status.COMMAND) {
                sink.command(payload, resp);
            }
            p = resp.end();
        }
    }

    // ---- plain RESP (redis-server incr files, the tail of a preamble base) ----

    private void scanResp(FileChannel ch, long from) throws IOException {
        RespStream in = new RespStream(ch, from);
        long multiAt = -1;
        long sinceMulti = 0;
        RespCommands p = in.parser();
        while (true) {
            RespCommands.Status s = in.next();
            if (s == null) {
                if (multiAt >= 0) {
                    damage(Kind.UNFINISHED_MULTI, multiAt, size, "MULTI without EXEC: Redis reverts the transaction", sinceMulti);
                }
                return;
            }
            progress.update(in.offset(), commands + " commands");
            switch (s) {
                case COMMAND:
                    commands++;
                    if (p.argIs(in.buffer(), 0, "MULTI")) {
                        multiAt = in.offset();
                        sinceMulti = 0;
                    }
                    sinceMulti++;
                    if (p.argIs(in.buffer(), 0, "EXEC")) {
                        multiAt = -1;
                    }
                    if (cutOffset >= 0) {
                        commandsAfterCut++;
                    } else if (sink != null) {
                        sink.command(in.buffer(), p);
                    }
                    break;
                case ANNOTATION: {
                    long ts = p.annotationTimestamp(in.buffer());
                    if (ts >= 0) {
                        hasTimestamps = true;
                        timestamp(ts, in.offset());
                    }
                    break;
                }
                case INCOMPLETE:
                    if (multiAt >= 0) {
                        damage(Kind.TORN_TAIL, multiAt, size, "file ends inside a command of a MULTI/EXEC block at offset "
                            + in.offset() + "; the whole transaction is dropped", sinceMulti);
                    } else {
                        damage(Kind.TORN_TAIL, in.offset(), size, "file ends inside a command", 0);
                    }
                    return;
                default:
                    // plain RESP has no frame boundaries to resync to: everything from here is lost
                    damage(Kind.BAD_RESP, multiAt >= 0 ? multiAt : in.offset(), size, p.problem()
                        + (multiAt >= 0 ? " (at offset " + in.offset() + ", inside a MULTI/EXEC block)" : ""), -1);
                    return;
            }
        }
    }

    // ---- RDB base files ----

    private void scanRdb(FileChannel ch) throws IOException {
        InputStream in = Channels.newInputStream(ch.position(0));
        RdbReader reader = new RdbReader(in);
        try {
            reader.read(new RdbVisitor() {
                int db = -1;

                @Override
                public void version(int version) {
                    rdbVersion = version;
                }

                @Override
                public void entry(int dbNum, byte[] key, RdbValue value, long expireAtMs, long idle, int freq, long offset, long sz) {
                    keys++;
                    progress.update(offset, keys + " keys");
                    if (sink != null) {
                        if (dbNum != db) {
                            db = dbNum;
                            sink.command(List.of(bytes("SELECT"), bytes(Integer.toString(dbNum))));
                        }
                        rebuild(key, value, expireAtMs);
                    }
                }
            });
            rdbEnd = reader.offset();
        } catch (StorageException e) {
            damage(Kind.BAD_RDB, e.offset(), size, e.getMessage(), -1);
            return;
        }
        if (rdbEnd < size) {
            scanResp(ch, rdbEnd);
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    private static byte[] id(long ms, long seq) {
        return bytes(Long.toUnsignedString(ms) + "-" + Long.toUnsignedString(seq));
    }

    /**
     * A stream as Redis' rewriteStreamObject writes it: XADD per entry (or XADD + XDEL for an
     * empty stream's last id), XSETID with the metadata, XGROUP CREATE per group, XCLAIM per
     * pending entry, XGROUP CREATECONSUMER for consumers without pending entries.
     */
    private void rebuildStream(byte[] key, io.strata.storage.rdb.RdbStream s) {
        for (io.strata.storage.rdb.RdbStream.Entry e : s.entries) {
            List<byte[]> a = new ArrayList<>();
            a.add(bytes("XADD"));
            a.add(key);
            a.add(id(e.ms, e.seq));
            java.util.Collections.addAll(a, e.fieldsAndValues);
            sink.command(a);
        }
        if (s.entries.isEmpty()) {
            sink.command(List.of(bytes("XADD"), key, bytes("MAXLEN"), bytes("0"), id(s.lastMs, s.lastSeq), bytes("x"), bytes("y")));
        }
        sink.command(List.of(bytes("XSETID"), key, id(s.lastMs, s.lastSeq), bytes("ENTRIESADDED"),
            bytes(Long.toString(s.entriesAdded)), bytes("MAXDELETEDID"), id(s.maxDeletedMs, s.maxDeletedSeq)));
        for (io.strata.storage.rdb.RdbStream.Group g : s.groups) {
            sink.command(List.of(bytes("XGROUP"), bytes("CREATE"), key, g.name, id(g.lastMs, g.lastSeq),
                bytes("ENTRIESREAD"), bytes(Long.toString(g.entriesRead))));
            java.util.Map<String, io.strata.storage.rdb.RdbStream.Pending> pel = new java.util.HashMap<>();
            for (io.strata.storage.rdb.RdbStream.Pending p : g.pending) {
                pel.put(p.ms + "-" + p.seq, p);
            }
            for (io.strata.storage.rdb.RdbStream.Consumer c : g.consumers) {
                if (c.pending.isEmpty()) {
                    sink.command(List.of(bytes("XGROUP"), bytes("CREATECONSUMER"), key, g.name, c.name));
                }
                for (long[] pid : c.pending) {
                    io.strata.storage.rdb.RdbStream.Pending p = pel.get(pid[0] + "-" + pid[1]);
                    long time = p == null ? 0 : p.deliveryTime;
                    long count = p == null ? 0 : p.deliveryCount;
                    sink.command(List.of(bytes("XCLAIM"), key, g.name, c.name, bytes("0"), id(pid[0], pid[1]),
                        bytes("TIME"), bytes(Long.toString(time)), bytes("RETRYCOUNT"), bytes(Long.toString(count)),
                        bytes("JUSTID"), bytes("FORCE")));
                }
            }
        }
    }

    /** The commands that rebuild one key, as an AOF rewrite would write them. */
    private void rebuild(byte[] key, RdbValue v, long expireAtMs) {
        List<byte[]> a = new ArrayList<>();
        switch (v.kind) {
            case STRING:
                a.add(bytes("SET"));
                a.add(key);
                a.add(v.string);
                break;
            case LIST:
            case SET:
                a.add(bytes(v.kind == RdbValue.Kind.LIST ? "RPUSH" : "SADD"));
                a.add(key);
                a.addAll(v.items);
                break;
            case HASH:
                a.add(bytes("HSET"));
                a.add(key);
                for (int i = 0; i < v.items.size(); i++) {
                    a.add(v.items.get(i));
                    a.add(v.values.get(i));
                }
                break;
            case STREAM:
                rebuildStream(key, v.stream);
                a = null;
                break;
            default:
                a.add(bytes("ZADD"));
                a.add(key);
                for (int i = 0; i < v.items.size(); i++) {
                    double d = v.scores[i];
                    a.add(bytes(Double.isInfinite(d) ? (d > 0 ? "inf" : "-inf") : d == Math.rint(d) && Math.abs(d) < 1e17
                        ? Long.toString((long) d) : Double.toString(d)));
                    a.add(v.items.get(i));
                }
        }
        if (a != null) {
            sink.command(a);
        }
        if (expireAtMs >= 0) {
            sink.command(List.of(bytes("PEXPIREAT"), key, bytes(Long.toString(expireAtMs))));
        }
    }
}
