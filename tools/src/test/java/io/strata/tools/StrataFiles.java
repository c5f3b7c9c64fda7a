package io.strata.tools;

import io.strata.storage.aof.AofFrames;
import io.strata.storage.aof.AofManifest;
import io.strata.storage.rdb.RdbValue;
import io.strata.storage.rdb.RdbWriter;

import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds Strata persistence files for tests with the storage writers: an appendonlydir with a
 * manifest, an RDB base file and framed incr files. Frame {@code i} of incr file {@code f} holds
 * {@link #COMMANDS_PER_FRAME} SET commands and timestamp {@code ts(f, i)}, so a test can tell
 * exactly which frames survived. A server-made AOF can replace these files in the same tests.
 */
final class StrataFiles {
    static final int COMMANDS_PER_FRAME = 3;
    static final long T0 = 1_700_000_000_000L;

    private StrataFiles() {
    }

    static long ts(int file, int frame) {
        return T0 + file * 1_000_000L + frame * 1000L;
    }

    static byte[] resp(String... args) {
        StringBuilder sb = new StringBuilder("*").append(args.length).append("\r\n");
        for (String a : args) {
            sb.append('$').append(a.getBytes(StandardCharsets.ISO_8859_1).length).append("\r\n").append(a).append("\r\n");
        }
        return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    static byte[] framePayload(int file, int frame) {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        for (int c = 0; c < COMMANDS_PER_FRAME; c++) {
            b.writeBytes(resp("SET", "key:" + file + ":" + frame + ":" + c, "value-" + frame + "-" + "x".repeat(frame % 200)));
        }
        return b.toByteArray();
    }

    /** Writes {@code frames} frames (every other one LZ4) and returns each frame's start offset. */
    static List<Long> writeIncr(Path f, int file, int frames) throws Exception {
        List<Long> offsets = new ArrayList<>();
        AofFrames enc = new AofFrames();
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
            for (int i = 0; i < frames; i++) {
                offsets.add(ch.position());
                byte[] p = framePayload(file, i);
                ByteBuffer b = enc.encode(p, 0, p.length, ts(file, i), i % 2 == 0);
                while (b.hasRemaining()) {
                    ch.write(b);
                }
            }
        }
        return offsets;
    }

    static void writeRdb(Path f, int keys) throws Exception {
        try (OutputStream o = Files.newOutputStream(f)) {
            RdbWriter w = new RdbWriter(o, true, true);
            w.header();
            w.aux("redis-ver", "7.0.15");
            w.selectDb(0);
            for (int i = 0; i < keys; i++) {
                w.entry(("base:" + i).getBytes(StandardCharsets.UTF_8), RdbValue.string(("v" + i).getBytes(StandardCharsets.UTF_8)),
                    i % 3 == 0 ? T0 + 1_000_000_000L : -1);
            }
            RdbValue list = RdbValue.list(0, 4);
            list.add("a".getBytes(StandardCharsets.UTF_8));
            list.add("b".getBytes(StandardCharsets.UTF_8));
            w.entry("base:list".getBytes(StandardCharsets.UTF_8), list, -1);
            w.end();
        }
    }

    /** An appendonlydir with a base RDB and {@code framesPerIncr.length} incr files. */
    static AofManifest writeDir(Path dir, int... framesPerIncr) throws Exception {
        Files.createDirectories(dir);
        AofManifest m = new AofManifest();
        writeRdb(dir.resolve("appendonly.aof.1.base.rdb"), 10);
        m.files.add(new AofManifest.FileEntry("appendonly.aof.1.base.rdb", 1, 'b'));
        for (int i = 0; i < framesPerIncr.length; i++) {
            String name = "appendonly.aof." + (i + 1) + ".incr.aof";
            writeIncr(dir.resolve(name), i, framesPerIncr[i]);
            m.files.add(new AofManifest.FileEntry(name, i + 1, 'i'));
        }
        m.store(dir.resolve("appendonly.aof.manifest"));
        return m;
    }

    /** Timestamps of the valid frames of a file, read with the storage reader (stops at damage). */
    static List<Long> validFrames(Path f) throws Exception {
        List<Long> out = new ArrayList<>();
        AofFrames r = new AofFrames();
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
            long pos = 0;
            while (true) {
                AofFrames.Result res = r.read(ch, pos);
                if (res.status != AofFrames.Status.FRAME) {
                    if (res.status != AofFrames.Status.END) {
                        throw new AssertionError("damage at " + pos + ": " + res.problem);
                    }
                    return out;
                }
                out.add(res.timestamp);
                pos += res.frameLength;
            }
        }
    }
}
