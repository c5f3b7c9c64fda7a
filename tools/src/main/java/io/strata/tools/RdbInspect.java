package io.strata.tools;

import io.strata.storage.StorageException;
import io.strata.storage.aof.AofFormat;
import io.strata.storage.aof.AofManifest;
import io.strata.storage.aof.RespCommands;
import io.strata.storage.aof.RespStream;
import io.strata.storage.rdb.RdbFormat;
import io.strata.storage.rdb.RdbReader;
import io.strata.storage.rdb.RdbValue;
import io.strata.storage.rdb.RdbVisitor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/**
 * {@code rdb-inspect FILE}: summary, per-key JSON lines, or a check of an RDB file (Strata's,
 * any redis-server RDB 1–12, or an AOF base file), read with {@link RdbReader} one key at a time
 * so memory stays flat.
 *
 * <p>Thread rule: main thread only.
 */
@Command(name = "rdb-inspect", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Summarise, list or check an RDB file: Strata's, any redis-server RDB of versions 1-12, "
        + "or an AOF base file (FILE may be an appendonlydir: its manifest's base file is read).",
    exitCodeOnInvalidInput = Exit.USAGE, exitCodeOnExecutionException = Exit.INTERNAL,
    exitCodeListHeading = "%nExit status:%n", exitCodeList = {
        "0:clean", "1:corrupt: truncated, bad checksum or malformed (offset printed)",
        "2:unreadable: missing, not an RDB file, unsupported version or module type",
        "3:internal error", "64:bad arguments"})
public final class RdbInspect implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", description = "RDB file, AOF base file, or appendonlydir")
    Path file;

    @Option(names = "--json", description = "One JSON object per key per line: db, key, type, expire_at_ms, size, length, encoding.")
    boolean json;

    @Option(names = "--values", description = "With --json: include the value.")
    boolean values;

    @Option(names = "--check", description = "Only check checksum and structure (exit 0 clean, 1 corrupt, 2 unreadable).")
    boolean check;

    @Option(names = "--keys", paramLabel = "GLOB", description = "Only keys matching this Redis glob pattern.")
    String keyGlob;

    @Option(names = "--db", paramLabel = "N", description = "Only database N.")
    Integer db;

    @Option(names = "--type", paramLabel = "T", description = "Only keys of type T: string, list, set, zset, hash.")
    String type;

    @Option(names = "--top", paramLabel = "N", defaultValue = "10", description = "Biggest keys to list in the summary (default ${DEFAULT-VALUE}).")
    int top;

    PrintStream out = System.out;
    PrintStream err = System.err;

    /** One key in a top-N list. */
    private record KeyStat(int db, byte[] key, String type, long size, long length) {
    }

    @Override
    public Integer call() {
        if (out == System.out) {
            out = new PrintStream(new java.io.BufferedOutputStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), 1 << 16), false);
        }
        try {
            return run();
        } finally {
            out.flush();
        }
    }

    private int run() {
        if (type != null && !List.of("string", "list", "set", "zset", "hash").contains(type)) {
            err.println("rdb-inspect: unknown --type '" + type + "' (string, list, set, zset, hash)");
            return Exit.USAGE;
        }
        if (values && !json) {
            err.println("rdb-inspect: --values needs --json");
            return Exit.USAGE;
        }
        Path path = file;
        if (Files.isDirectory(path)) {
            path = baseOf(path);
            if (path == null) {
                return Exit.UNUSABLE;
            }
        }
        if (!Files.isReadable(path) || Files.isDirectory(path)) {
            err.println("rdb-inspect: cannot read " + path);
            return Exit.UNUSABLE;
        }
        long fileSize;
        try {
            fileSize = Files.size(path);
            if (startsWithFrameMagic(path)) {
                err.println("rdb-inspect: " + path + " is a Strata AOF incr file, not an RDB file; use aof-repair");
                return Exit.UNUSABLE;
            }
        } catch (IOException e) {
            err.println("rdb-inspect: cannot read " + path + ": " + e.getMessage());
            return Exit.UNUSABLE;
        }
        Collector c = new Collector(new Progress("rdb-inspect", fileSize));
        long rdbEnd;
        try (InputStream in = Files.newInputStream(path)) {
            RdbReader reader = new RdbReader(in);
            try {
                reader.read(c);
            } finally {
                c.progress.done();
            }
            rdbEnd = reader.offset();
        } catch (StorageException e) {
            int status = Exit.of(e);
            if (!check && !json) {
                summary(path, fileSize, c, -1);
            }
            err.println("rdb-inspect: " + path + ": " + (status == Exit.UNUSABLE ? "unreadable" : "CORRUPT")
                + " at offset " + e.offset() + ": " + e.getMessage());
            if (c.lastGoodEnd > 0) {
                err.println("rdb-inspect: the last whole key ends at offset " + c.lastGoodEnd + " (" + c.keyCount + " keys read)");
            }
            return status;
        } catch (IOException e) {
            err.println("rdb-inspect: cannot read " + path + ": " + e.getMessage());
            return Exit.UNUSABLE;
        }
        long tailCommands = -1;
        if (rdbEnd < fileSize) {
            tailCommands = countTail(path, rdbEnd);
            if (tailCommands < 0) {
                err.println("rdb-inspect: " + path + ": CORRUPT at offset " + rdbEnd + ": "
                    + (fileSize - rdbEnd) + " bytes after the RDB end are not RESP commands");
                return Exit.DAMAGED;
            }
        }
        if (check) {
            out.println("OK " + path + ": RDB version " + c.version + ", " + c.keyCount + " keys, "
                + (c.checksumChecked ? "checksum verified" : c.version < 5 ? "no checksum (RDB < 5)" : "checksum not stored (zero)")
                + (tailCommands >= 0 ? ", followed by " + tailCommands + " AOF commands" : ""));
        } else if (!json) {
            summary(path, fileSize, c, tailCommands);
        }
        return Exit.CLEAN;
    }

    private Path baseOf(Path dir) {
        try (var s = Files.list(dir)) {
            Path manifest = s.filter(p -> p.getFileName().toString().endsWith(".manifest")).findFirst().orElse(null);
            if (manifest == null) {
                err.println("rdb-inspect: " + dir + " is a directory without an AOF manifest");
                return null;
            }
            AofManifest m = AofManifest.load(manifest);
            if (m.base() == null) {
                err.println("rdb-inspect: " + manifest + " names no base file");
                return null;
            }
            return dir.resolve(m.base().name);
        } catch (IOException | StorageException e) {
            err.println("rdb-inspect: " + dir + ": " + e.getMessage());
            return null;
        }
    }

    private static boolean startsWithFrameMagic(Path p) throws IOException {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4);
            ch.read(b, 0);
            return b.position() == 4 && b.getInt(0) == AofFormat.MAGIC;
        }
    }

    /** Commands after an RDB preamble; -1 when they are not clean RESP. */
    private static long countTail(Path p, long from) {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            RespStream s = new RespStream(ch, from);
            long n = 0;
            RespCommands.Status st;
            while ((st = s.next()) != null) {
                if (st == RespCommands.Status.COMMAND) {
                    n++;
                } else if (st != RespCommands.Status.ANNOTATION) {
                    return -1;
                }
            }
            return n;
        } catch (IOException e) {
            return -1;
        }
    }

    private void summary(Path path, long fileSize, Collector c, long tailCommands) {
        out.println("file: " + path + " (" + Text.bytes(fileSize) + ")");
        out.println("rdb version: " + c.version);
        if (!c.aux.isEmpty()) {
            out.println("aux fields:");
            c.aux.forEach((k, v) -> out.println("  " + k + " = " + v));
        }
        out.println("keys: " + c.keyCount + " (" + c.expires + " with an expiry), serialized " + Text.bytes(c.totalSize));
        for (Map.Entry<Integer, long[]> e : c.perDb.entrySet()) {
            long[] a = e.getValue();
            StringBuilder sb = new StringBuilder("  db" + e.getKey() + ": " + a[5] + " keys, " + a[6] + " expires;");
            for (RdbValue.Kind k : RdbValue.Kind.values()) {
                if (a[k.ordinal()] > 0) {
                    sb.append(' ').append(k.name().toLowerCase()).append('=').append(a[k.ordinal()]);
                }
            }
            out.println(sb);
        }
        if (c.keyCount > 0) {
            out.println("by type (keys, serialized size):");
            for (RdbValue.Kind k : RdbValue.Kind.values()) {
                if (c.typeCount[k.ordinal()] > 0) {
                    out.printf("  %-6s %10d  %s%n", k.name().toLowerCase(), c.typeCount[k.ordinal()], Text.bytes(c.typeSize[k.ordinal()]));
                }
            }
        }
        if (!c.skipped.isEmpty()) {
            out.println("skipped records (" + c.skippedCount + "):");
            c.skipped.forEach(s -> out.println("  " + s));
        }
        if (tailCommands >= 0) {
            out.println("aof tail: " + tailCommands + " commands after the RDB part (an AOF with an RDB preamble)");
        }
        printTop("biggest keys by serialized size", c.bySize, Comparator.comparingLong(KeyStat::size));
        printTop("biggest keys by element count", c.byLength, Comparator.comparingLong(KeyStat::length));
    }

    private void printTop(String title, PriorityQueue<KeyStat> q, Comparator<KeyStat> cmp) {
        if (q.isEmpty()) {
            return;
        }
        List<KeyStat> l = new ArrayList<>(q);
        l.sort(cmp.reversed());
        out.println(title + ":");
        for (KeyStat k : l) {
            out.printf("  %10s %9d %-8s  db%d %-6s %s%n", Text.bytes(k.size), k.length, k.type.equals("string") ? "bytes" : "elements",
                k.db, k.type, Text.show(k.key));
        }
    }

    static String encoding(int rdbType) {
        switch (rdbType) {
            case RdbFormat.TYPE_STRING: return "string";
            case RdbFormat.TYPE_LIST: case RdbFormat.TYPE_SET: case RdbFormat.TYPE_HASH: return "plain";
            case RdbFormat.TYPE_ZSET: case RdbFormat.TYPE_ZSET_2: return "skiplist";
            case RdbFormat.TYPE_HASH_ZIPMAP: return "zipmap";
            case RdbFormat.TYPE_LIST_ZIPLIST: case RdbFormat.TYPE_ZSET_ZIPLIST: case RdbFormat.TYPE_HASH_ZIPLIST: return "ziplist";
            case RdbFormat.TYPE_SET_INTSET: return "intset";
            case RdbFormat.TYPE_LIST_QUICKLIST: case RdbFormat.TYPE_LIST_QUICKLIST_2: return "quicklist";
            case RdbFormat.TYPE_HASH_LISTPACK: case RdbFormat.TYPE_ZSET_LISTPACK: case RdbFormat.TYPE_SET_LISTPACK: return "listpack";
            case RdbFormat.TYPE_STREAM_LISTPACKS: case RdbFormat.TYPE_STREAM_LISTPACKS_2:
            case RdbFormat.TYPE_STREAM_LISTPACKS_3: return "stream";
            default: return "type-" + rdbType;
        }
    }

    /** Length as Redis reports it: bytes of a string (STRLEN), elements of anything else. */
    static long length(RdbValue v) {
        return v.kind == RdbValue.Kind.STRING ? v.string.length : v.size();
    }

    /** Counts everything in one pass with flat memory; writes JSON lines as keys arrive. */
    private final class Collector implements RdbVisitor {
        final Progress progress;
        final Glob glob = keyGlob == null ? null : new Glob(keyGlob);
        final Map<String, String> aux = new LinkedHashMap<>();
        /** Per db: counts by Kind ordinal, then [5] keys, [6] expires. */
        final Map<Integer, long[]> perDb = new TreeMap<>();
        final long[] typeCount = new long[RdbValue.Kind.values().length];
        final long[] typeSize = new long[RdbValue.Kind.values().length];
        final PriorityQueue<KeyStat> bySize = new PriorityQueue<>(Comparator.comparingLong(KeyStat::size));
        final PriorityQueue<KeyStat> byLength = new PriorityQueue<>(Comparator.comparingLong(KeyStat::length));
        final List<String> skipped = new ArrayList<>();
        final StringBuilder line = new StringBuilder(256);
        int version;
        long keyCount;
        long expires;
        long totalSize;
        long skippedCount;
        long lastGoodEnd;
        boolean checksumChecked;

        Collector(Progress progress) {
            this.progress = progress;
        }

        @Override
        public void version(int v) {
            version = v;
        }

        @Override
        public void aux(byte[] key, byte[] value) {
            if (aux.size() < 100) {
                aux.put(new String(key, StandardCharsets.UTF_8), auxValue(key, value));
            }
        }

        private String auxValue(byte[] key, byte[] value) {
            String k = new String(key, StandardCharsets.UTF_8);
            String v = new String(value, StandardCharsets.UTF_8);
            try {
                if (k.equals("ctime")) {
                    return v + " (" + java.time.Instant.ofEpochSecond(Long.parseLong(v)) + ")";
                } else if (k.equals("used-mem")) {
                    return v + " (" + Text.bytes(Long.parseLong(v)) + ")";
                }
            } catch (RuntimeException e) {
                // not a number: show as is
            }
            return Text.show(value);
        }

        @Override
        public void skipped(String what, long offset) {
            skippedCount++;
            if (skipped.size() < 20) {
                skipped.add("offset " + offset + ": " + what);
            }
            if (json) {
                err.println("rdb-inspect: skipped at offset " + offset + ": " + what);
            }
        }

        @Override
        public void end(boolean checked) {
            checksumChecked = checked;
        }

        @Override
        public void entry(int dbNum, byte[] key, RdbValue value, long expireAtMs, long idle, int freq, long offset, long size) {
            lastGoodEnd = offset + size;
            progress.update(offset, keyCount + " keys");
            if ((db != null && db != dbNum) || (type != null && !type.equals(value.typeName()))
                || (glob != null && !glob.matches(key))) {
                return;
            }
            keyCount++;
            long length = length(value);
            if (check) {
                return;
            }
            if (json) {
                line.setLength(0);
                line.append("{\"db\":").append(dbNum).append(",\"key\":");
                Text.json(line, key);
                line.append(",\"type\":\"").append(value.typeName()).append("\",\"expire_at_ms\":")
                    .append(expireAtMs < 0 ? "null" : Long.toString(expireAtMs))
                    .append(",\"size\":").append(size).append(",\"length\":").append(length)
                    .append(",\"encoding\":\"").append(encoding(value.rdbType)).append('"');
                if (values) {
                    line.append(",\"value\":");
                    jsonValue(line, value);
                }
                line.append('}');
                out.println(line);
                return;
            }
            int k = value.kind.ordinal();
            long[] a = perDb.computeIfAbsent(dbNum, x -> new long[7]);
            a[k]++;
            a[5]++;
            if (expireAtMs >= 0) {
                a[6]++;
                expires++;
            }
            typeCount[k]++;
            typeSize[k] += size;
            totalSize += size;
            offer(bySize, new KeyStat(dbNum, key, value.typeName(), size, length), Comparator.comparingLong(KeyStat::size));
            if (value.kind != RdbValue.Kind.STRING) {
                offer(byLength, new KeyStat(dbNum, key, value.typeName(), size, length), Comparator.comparingLong(KeyStat::length));
            }
        }

        private void offer(PriorityQueue<KeyStat> q, KeyStat s, Comparator<KeyStat> cmp) {
            if (top <= 0) {
                return;
            }
            if (q.size() < top) {
                q.add(s);
            } else if (cmp.compare(s, q.peek()) > 0) {
                q.poll();
                q.add(s);
            }
        }
    }

    static void jsonValue(StringBuilder sb, RdbValue v) {
        switch (v.kind) {
            case STRING:
                Text.json(sb, v.string);
                return;
            case LIST:
            case SET:
                sb.append('[');
                for (int i = 0; i < v.items.size(); i++) {
                    if (i > 0) {
                        sb.append(',');
                    }
                    Text.json(sb, v.items.get(i));
                }
                sb.append(']');
                return;
            case STREAM: {
                // entries as [id, [field, value, …]], as XRANGE answers
                sb.append('[');
                boolean first = true;
                for (io.strata.storage.rdb.RdbStream.Entry e : v.stream.entries) {
                    sb.append(first ? "" : ",").append("[\"").append(Long.toUnsignedString(e.ms)).append('-')
                        .append(Long.toUnsignedString(e.seq)).append("\",[");
                    first = false;
                    for (int i = 0; i < e.fieldsAndValues.length; i++) {
                        if (i > 0) {
                            sb.append(',');
                        }
                        Text.json(sb, e.fieldsAndValues[i]);
                    }
                    sb.append("]]");
                }
                sb.append(']');
                return;
            }
            case HASH:
                sb.append('{');
                for (int i = 0; i < v.items.size(); i++) {
                    if (i > 0) {
                        sb.append(',');
                    }
                    Text.json(sb, v.items.get(i));
                    sb.append(':');
                    Text.json(sb, v.values.get(i));
                }
                sb.append('}');
                return;
            default:
                sb.append('[');
                for (int i = 0; i < v.items.size(); i++) {
                    if (i > 0) {
                        sb.append(',');
                    }
                    sb.append('[');
                    Text.json(sb, v.items.get(i));
                    sb.append(',');
                    Text.jsonScore(sb, v.scores[i]);
                    sb.append(']');
                }
                sb.append(']');
        }
    }
}
