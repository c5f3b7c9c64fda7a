package io.strata.tools;

import io.strata.storage.StorageException;
import io.strata.storage.aof.AofManifest;
import io.strata.storage.aof.RespCommands;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code aof-repair DIR|FILE}: checks an AOF directory (manifest, base file, incr files) or one
 * file, and on request repairs it, truncates it to a point in time, or dumps its commands.
 * Strata frame files and redis-server 7's plain RESP files are both read, through
 * {@link AofScan} and the storage readers.
 *
 * <p>Repair is a protocol with named steps (STYLE 8): (1) scan everything and decide, touching
 * nothing; (2) per changed file, copy it to {@code .bak}; (3) truncate in place when only a tail
 * goes, else write {@code <file>.tmp} with the kept ranges, fsync, rename over the file, fsync the
 * directory; (4) re-scan and report. The manifest names the same files before and after (a file
 * that loses everything stays, empty), so it stays consistent without being rewritten.
 *
 * <p>Thread rule: main thread only.
 */
@Command(name = "aof-repair", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Check, repair, truncate to a point in time, or dump an append-only file. "
        + "DIR is an appendonlydir (or a directory holding one); FILE is a manifest or a single AOF file. "
        + "Reads Strata's framed AOF and redis-server 7's plain RESP appendonlydir."},
    exitCodeOnInvalidInput = Exit.USAGE, exitCodeOnExecutionException = Exit.INTERNAL,
    exitCodeListHeading = "%nExit status:%n", exitCodeList = {
        "0:clean (with --fix: repaired and re-checked clean)",
        "1:damaged (with --fix: damage that cannot be repaired, e.g. in the base RDB)",
        "2:unusable: no manifest, a file the manifest names is missing, unreadable files",
        "3:internal error", "64:bad arguments"})
public final class AofRepair implements Callable<Integer> {
    @Parameters(paramLabel = "DIR|FILE", description = "appendonlydir, manifest file, or one AOF file")
    Path target;

    @Option(names = "--fix", description = "Repair: truncate a torn tail; drop only a corrupt frame in the middle and keep every valid frame after it.")
    boolean fix;

    @Option(names = "--truncate-at-damage", description = "With --fix: cut everything from the first damage on (Redis' behaviour); later incr files are emptied.")
    boolean truncateAtDamage;

    @Option(names = "--truncate-to-timestamp", paramLabel = "T",
        description = "Point-in-time recovery: drop everything written after T (Unix seconds, <n>ms, or ISO-8601 like 2024-05-01T12:00:00Z).")
    String truncateTo;

    @Option(names = "--no-backup", description = "Do not keep <file>.bak copies of changed files.")
    boolean noBackup;

    @Option(names = "--dump", description = "Print the commands one per line, quoted as redis-cli quotes (the base RDB as the commands that rebuild it); the report goes to stderr.")
    boolean dump;

    PrintStream out = System.out;
    PrintStream err = System.err;
    /** Where the report goes: stdout, or stderr when stdout carries --dump. */
    private PrintStream report;

    /** One file to scan, with its role in the manifest ('b', 'i', or 0 for a lone file). */
    private record Part(Path path, char type) {
    }

    @Override
    public Integer call() throws IOException {
        if (out == System.out) {
            out = new PrintStream(new java.io.BufferedOutputStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), 1 << 16), false);
        }
        try {
            return run();
        } finally {
            out.flush();
        }
    }

    private int run() throws IOException {
        report = dump ? err : out;
        long cutTs = Long.MAX_VALUE;
        if (truncateTo != null) {
            cutTs = parseTime(truncateTo);
            if (cutTs == Long.MIN_VALUE) {
                err.println("aof-repair: cannot read --truncate-to-timestamp '" + truncateTo + "'");
                return Exit.USAGE;
            }
        }
        if (truncateAtDamage) {
            fix = true;
        }
        List<Part> parts = resolve();
        if (parts == null) {
            return Exit.UNUSABLE;
        }
        // step 1: scan everything, touching nothing
        List<AofScan> scans = new ArrayList<>();
        StringBuilder line = new StringBuilder(256);
        AofScan.Sink sink = !dump ? null : new AofScan.Sink() {
            @Override
            public void command(byte[] buf, RespCommands p) {
                line.setLength(0);
                for (int i = 0; i < p.argc(); i++) {
                    if (i > 0) {
                        line.append(' ');
                    }
                    Text.quote(line, buf, p.argOffset(i), p.argLength(i));
                }
                out.println(line);
            }

            @Override
            public void command(List<byte[]> args) {
                line.setLength(0);
                for (int i = 0; i < args.size(); i++) {
                    if (i > 0) {
                        line.append(' ');
                    }
                    Text.quote(line, args.get(i), 0, args.get(i).length);
                }
                out.println(line);
            }
        };
        for (Part p : parts) {
            try {
                scans.add(AofScan.scan(p.path, cutTs, sink));
            } catch (IOException e) {
                err.println("aof-repair: cannot read " + p.path + ": " + e.getMessage());
                return Exit.UNUSABLE;
            }
        }
        out.flush();
        boolean damaged = false;
        for (int i = 0; i < parts.size(); i++) {
            print(parts.get(i), scans.get(i));
            damaged |= !scans.get(i).clean();
        }
        if (truncateTo != null) {
            for (int i = 0; i < scans.size(); i++) {
                AofScan s = scans.get(i);
                if (s.format == AofScan.Format.RESP && s.commands > 0 && !s.hasTimestamps) {
                    err.println("aof-repair: " + s.path.getFileName() + " has no #TS: annotations (redis-server writes them with"
                        + " aof-timestamp-enabled yes), so it cannot be truncated to a timestamp");
                    return Exit.UNUSABLE;
                }
            }
        }
        if (!fix && truncateTo == null) {
            report.println(damaged ? "DAMAGED" : "OK");
            return damaged ? Exit.DAMAGED : Exit.CLEAN;
        }
        for (int i = 0; i < scans.size(); i++) {
            AofScan s = scans.get(i);
            for (AofScan.Damage d : s.damages) {
                if (d.kind() == AofScan.Kind.BAD_RDB) {
                    report.println("aof-repair: " + s.path.getFileName() + " is a damaged RDB (offset " + d.offset()
                        + "); it cannot be repaired here. Nothing was changed.");
                    return Exit.DAMAGED;
                }
            }
        }
        if (damaged && !fix) {
            report.println("aof-repair: damage found; add --fix to repair it while truncating. Nothing was changed.");
            return Exit.DAMAGED;
        }
        boolean cutRest = false;
        for (int i = 0; i < scans.size(); i++) {
            AofScan s = scans.get(i);
            List<long[]> keep = new ArrayList<>();
            String why;
            if (cutRest) {
                why = "emptied: it follows the cut";
            } else {
                long limit = s.cutOffset >= 0 ? s.cutOffset : s.size;
                if (truncateAtDamage && !s.damages.isEmpty()) {
                    limit = Math.min(limit, s.damages.get(0).offset());
                }
                long at = 0;
                for (AofScan.Damage d : s.damages) {
                    if (d.offset() >= limit) {
                        break;
                    }
                    if (d.offset() > at) {
                        keep.add(new long[] {at, d.offset()});
                    }
                    at = d.end();
                }
                if (at < limit) {
                    keep.add(new long[] {at, limit});
                }
                cutRest = limit < s.size && (s.cutOffset >= 0 || truncateAtDamage);
                why = describeChange(s, limit);
            }
            if (keep.size() == 1 && keep.get(0)[0] == 0 && keep.get(0)[1] == s.size || (s.size == 0 && keep.isEmpty())) {
                continue;
            }
            long dropped = apply(s.path, s.size, keep);
            report.println("changed " + s.path.getFileName() + ": " + why + "; " + dropped + " bytes dropped"
                + (noBackup ? "" : ", original kept as " + backupName));
        }
        // step 4: re-scan what is now on disk
        boolean stillDamaged = false;
        for (Part p : parts) {
            AofScan s = AofScan.scan(p.path, Long.MAX_VALUE, null);
            if (!s.clean()) {
                stillDamaged = true;
                report.println("still damaged after repair: " + p.path.getFileName() + " at offset " + s.damages.get(0).offset());
            }
        }
        report.println(stillDamaged ? "DAMAGED" : "OK: repaired files re-checked clean");
        return stillDamaged ? Exit.DAMAGED : Exit.CLEAN;
    }

    private String describeChange(AofScan s, long limit) {
        List<String> what = new ArrayList<>();
        long lost = 0;
        boolean unknown = false;
        for (AofScan.Damage d : s.damages) {
            if (d.offset() >= limit) {
                break;
            }
            if (d.end() >= s.size && (d.kind() == AofScan.Kind.TORN_TAIL || d.kind() == AofScan.Kind.UNFINISHED_MULTI)) {
                what.add("truncated the " + d.kind().label + " at offset " + d.offset());
            } else if (d.end() >= s.size) {
                what.add("cut from the " + d.kind().label + " at offset " + d.offset() + " to the end");
            } else {
                what.add("dropped the " + d.kind().label + " at offset " + d.offset() + " (" + (d.end() - d.offset())
                    + " bytes; " + d.framesBefore() + " frames before it and every valid frame after it kept)");
            }
            if (d.lostCommands() < 0) {
                unknown = true;
            }
            lost += d.lostAtLeast();
        }
        if (limit < s.size) {
            if (s.cutOffset >= 0 && limit == s.cutOffset) {
                what.add("cut at offset " + limit + ", the first data after the timestamp (" + s.commandsAfterCut
                    + " commands after it dropped)");
            } else {
                what.add("cut from the first damage at offset " + limit + " on");
            }
        }
        return String.join("; ", what) + "; commands lost in damaged data: "
            + (unknown ? (lost > 0 ? "at least " + lost + " (some could not be counted)" : "unknown (not countable)") : lost);
    }

    private String backupName;

    /** Steps 2 and 3 for one file; returns the bytes dropped. */
    private long apply(Path file, long size, List<long[]> keep) throws IOException {
        // step 2: keep the original
        backupName = null;
        if (!noBackup) {
            Path bak = file.resolveSibling(file.getFileName() + ".bak");
            for (int n = 1; Files.exists(bak); n++) {
                bak = file.resolveSibling(file.getFileName() + ".bak." + n);
            }
            Files.copy(file, bak, StandardCopyOption.COPY_ATTRIBUTES);
            backupName = bak.getFileName().toString();
        }
        long kept = 0;
        for (long[] r : keep) {
            kept += r[1] - r[0];
        }
        // step 3a: only a tail goes: truncate in place and make it durable
        if (keep.isEmpty() || (keep.size() == 1 && keep.get(0)[0] == 0)) {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                ch.truncate(kept);
                ch.force(true);
            }
            return size - kept;
        }
        // step 3b: ranges go from the middle: write the kept ranges to a tmp file, fsync it,
        // rename it over the file, fsync the directory
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ);
             FileChannel o = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                 StandardOpenOption.TRUNCATE_EXISTING)) {
            for (long[] r : keep) {
                long pos = r[0];
                while (pos < r[1]) {
                    pos += in.transferTo(pos, r[1] - pos, o);
                }
            }
            o.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        AofManifest.fsyncDirectory(file.toAbsolutePath().getParent());
        return size - kept;
    }

    /** The files to scan, in load order; null (after a message) when unusable. */
    private List<Part> resolve() {
        Path t = target;
        if (!Files.exists(t)) {
            err.println("aof-repair: " + t + " does not exist");
            return null;
        }
        Path manifest = null;
        if (Files.isDirectory(t)) {
            manifest = findManifest(t);
            if (manifest == null && Files.isDirectory(t.resolve("appendonlydir"))) {
                manifest = findManifest(t.resolve("appendonlydir"));
            }
            if (manifest == null) {
                err.println("aof-repair: no AOF manifest (*.manifest) in " + t);
                return null;
            }
        } else if (t.getFileName().toString().endsWith(".manifest")) {
            manifest = t;
        }
        if (manifest == null) {
            report.println("file " + t + " (no manifest: checked alone)");
            return List.of(new Part(t, (char) 0));
        }
        AofManifest m;
        try {
            m = AofManifest.load(manifest);
        } catch (StorageException e) {
            err.println("aof-repair: unusable manifest: " + e.getMessage());
            return null;
        }
        Path dir = manifest.toAbsolutePath().getParent();
        List<Part> parts = new ArrayList<>();
        long bases = m.files.stream().filter(f -> f.type == 'b').count();
        long lastSeq = -1;
        boolean ok = true;
        if (bases > 1) {
            err.println("aof-repair: manifest names " + bases + " base files; Redis and Strata accept one");
            ok = false;
        }
        if (m.base() != null) {
            parts.add(new Part(dir.resolve(m.base().name), 'b'));
        }
        for (AofManifest.FileEntry f : m.incrs()) {
            if (f.seq <= lastSeq) {
                err.println("aof-repair: manifest incr seq " + f.seq + " does not increase (after " + lastSeq + ")");
                ok = false;
            }
            lastSeq = f.seq;
            parts.add(new Part(dir.resolve(f.name), 'i'));
        }
        for (Part p : parts) {
            if (!Files.isRegularFile(p.path)) {
                err.println("aof-repair: the manifest names " + p.path.getFileName() + ", which does not exist");
                ok = false;
            }
        }
        if (parts.isEmpty()) {
            err.println("aof-repair: the manifest names no files");
            ok = false;
        }
        if (!ok) {
            return null;
        }
        report.println("manifest " + manifest + ": " + (m.base() == null ? "no base" : "base " + m.base().name) + ", "
            + m.incrs().size() + " incr file(s)" + (m.files.size() > parts.size() ? ", "
            + (m.files.size() - parts.size()) + " history file(s) ignored" : ""));
        return parts;
    }

    private static Path findManifest(Path dir) {
        try (var s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".manifest")).sorted().findFirst().orElse(null);
        } catch (IOException e) {
            return null;
        }
    }

    private void print(Part part, AofScan s) {
        StringBuilder sb = new StringBuilder();
        sb.append(part.type == 'b' ? "base " : part.type == 'i' ? "incr " : "").append(s.path.getFileName()).append(": ");
        sb.append(s.format.name().toLowerCase()).append(", ").append(s.size).append(" bytes");
        if (s.format == AofScan.Format.RDB) {
            sb.append(", RDB version ").append(s.rdbVersion).append(", ").append(s.keys).append(" keys");
            if (s.rdbEnd >= 0 && s.rdbEnd < s.size) {
                sb.append(" then ").append(s.commands).append(" commands (RDB preamble)");
            }
        } else if (s.format == AofScan.Format.FRAMES) {
            sb.append(", ").append(s.frames).append(" frames, ").append(s.commands).append(" commands");
        } else if (s.format == AofScan.Format.RESP) {
            sb.append(", ").append(s.commands).append(" commands");
        }
        if (s.firstTs >= 0) {
            sb.append(", first ").append(Instant.ofEpochMilli(s.firstTs)).append(" last ").append(Instant.ofEpochMilli(s.lastTs));
        }
        sb.append(s.clean() ? ", clean" : ", DAMAGED");
        report.println(sb);
        for (AofScan.Damage d : s.damages) {
            report.println("  damage at offset " + d.offset() + ": " + d.kind().label + " (" + d.detail() + "); "
                + (d.end() >= s.size ? "nothing valid follows" : "valid data resumes at offset " + d.end())
                + (d.lostCommands() >= 0 ? "; " + d.lostCommands() + " commands in it"
                : d.lostAtLeast() > 0 ? "; at least " + d.lostAtLeast() + " commands in it" : ""));
        }
        if (s.moreDamages > 0) {
            report.println("  ... and " + s.moreDamages + " more damaged ranges");
        }
        if (s.cutOffset >= 0) {
            report.println("  the timestamp falls at offset " + s.cutOffset + "; " + s.commandsAfterCut + " commands are after it");
        }
    }

    /** Unix seconds, {@code <n>ms}, or ISO-8601; Long.MIN_VALUE when unreadable. */
    static long parseTime(String t) {
        try {
            if (t.endsWith("ms")) {
                return Long.parseLong(t.substring(0, t.length() - 2));
            }
            if (t.chars().allMatch(Character::isDigit)) {
                return Long.parseLong(t) * 1000 + 999;
            }
            return Instant.parse(t).toEpochMilli();
        } catch (RuntimeException e) {
            return Long.MIN_VALUE;
        }
    }
}
