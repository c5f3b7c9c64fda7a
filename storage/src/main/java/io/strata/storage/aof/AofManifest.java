package io.strata.storage.aof;

import io.strata.storage.StorageException;
import io.strata.storage.StorageException.Code;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The AOF manifest, in Redis 7's multi-part format: one line per file,
 * {@code file <name> seq <n> type <b|h|i>} (base, history, incr). Written crash-safely in four
 * named steps: write {@code <manifest>.tmp}, fsync it, rename over the manifest, fsync the dir.
 *
 * <p>Thread rule: one thread at a time (the AOF thread or a tool).
 */
public final class AofManifest {
    /** One file the manifest names. */
    public static final class FileEntry {
        public final String name;
        public final long seq;
        /** 'b' base, 'h' history, 'i' incr. */
        public final char type;

        public FileEntry(String name, long seq, char type) {
            this.name = name;
            this.seq = seq;
            this.type = type;
        }

        @Override
        public String toString() {
            String n = name.contains(" ") ? "\"" + name + "\"" : name;
            return "file " + n + " seq " + seq + " type " + type;
        }
    }

    public final List<FileEntry> files = new ArrayList<>();

    public FileEntry base() {
        for (FileEntry f : files) {
            if (f.type == 'b') {
                return f;
            }
        }
        return null;
    }

    public List<FileEntry> incrs() {
        List<FileEntry> out = new ArrayList<>();
        for (FileEntry f : files) {
            if (f.type == 'i') {
                out.add(f);
            }
        }
        return out;
    }

    public static AofManifest parse(String text, String where) {
        AofManifest m = new AofManifest();
        String[] lines = text.split("\n");
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].trim();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            List<String> t = tokens(line);
            String name = null;
            long seq = -1;
            char type = 0;
            for (int k = 0; k + 1 < t.size(); k += 2) {
                switch (t.get(k)) {
                    case "file": name = t.get(k + 1); break;
                    case "seq":
                        try {
                            seq = Long.parseLong(t.get(k + 1));
                        } catch (NumberFormatException e) {
                            seq = -1;
                        }
                        break;
                    case "type": type = t.get(k + 1).isEmpty() ? 0 : t.get(k + 1).charAt(0); break;
                    default: // unknown keys are ignored, as Redis does
                }
            }
            if (name == null || seq < 0 || (type != 'b' && type != 'h' && type != 'i') || t.size() % 2 != 0) {
                throw new StorageException(Code.CORRUPT, i + 1, "invalid AOF manifest line " + (i + 1) + " in " + where + ": " + line);
            }
            m.files.add(new FileEntry(name, seq, type));
        }
        return m;
    }

    private static List<String> tokens(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = null;
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"') {
                    quoted = false;
                } else {
                    cur.append(c);
                }
            } else if (c == '"') {
                quoted = true;
                cur = cur == null ? new StringBuilder() : cur;
            } else if (c == ' ') {
                if (cur != null) {
                    out.add(cur.toString());
                    cur = null;
                }
            } else {
                cur = cur == null ? new StringBuilder() : cur;
                cur.append(c);
            }
        }
        if (cur != null) {
            out.add(cur.toString());
        }
        return out;
    }

    public static AofManifest load(Path file) {
        try {
            return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
        } catch (IOException e) {
            throw new StorageException(Code.IO, 0, "cannot read AOF manifest " + file + ": " + e.getMessage(), e);
        }
    }

    public String format() {
        StringBuilder sb = new StringBuilder();
        for (FileEntry f : files) {
            sb.append(f).append('\n');
        }
        return sb.toString();
    }

    /** Replaces {@code file} atomically with this manifest. */
    public void store(Path file) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        // step 1: write the new manifest next to the old one
        byte[] bytes = format().getBytes(StandardCharsets.UTF_8);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            // step 2: make its bytes durable before it can become the manifest
            ch.force(true);
        }
        // step 3: atomically replace the manifest
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        // step 4: make the rename itself durable
        fsyncDirectory(file.toAbsolutePath().getParent());
    }

    public static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }
}
