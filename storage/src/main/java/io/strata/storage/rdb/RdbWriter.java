package io.strata.storage.rdb;

import io.strata.storage.StorageException;
import io.strata.storage.StorageException.Code;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

import static io.strata.storage.rdb.RdbFormat.*;

/**
 * Writes RDB version {@link RdbFormat#WRITE_VERSION} files that redis-server 7.0 loads: plain
 * encodings (string, list, set, hash, zset2), integers as INT8/16/32 where Redis would, LZF for
 * longer strings when compression is on, and the CRC64 trailer. The same value encoding serves
 * DUMP payloads ({@link Dump}).
 *
 * <p>Thread rule: one thread at a time (the snapshot thread, or the keyspace thread for DUMP).
 */
public final class RdbWriter {
    private final OutputStream out;
    private final boolean compress;
    private final boolean checksum;
    private final byte[] buf = new byte[64 * 1024];
    private int pos;
    private long crc;
    private long written;

    public RdbWriter(OutputStream out, boolean compress, boolean checksum) {
        this.out = out;
        this.compress = compress;
        this.checksum = checksum;
    }

    public long written() {
        return written + pos;
    }

    private void flushBuf() {
        if (pos == 0) {
            return;
        }
        if (checksum) {
            crc = Crc64.update(crc, buf, 0, pos);
        }
        try {
            out.write(buf, 0, pos);
        } catch (IOException e) {
            throw new StorageException(Code.IO, written, "write failed: " + e.getMessage(), e);
        }
        written += pos;
        pos = 0;
    }

    void writeByte(int b) {
        if (pos == buf.length) {
            flushBuf();
        }
        buf[pos++] = (byte) b;
    }

    void writeBytes(byte[] b, int off, int len) {
        while (len > 0) {
            if (pos == buf.length) {
                flushBuf();
            }
            int n = Math.min(len, buf.length - pos);
            System.arraycopy(b, off, buf, pos, n);
            pos += n;
            off += n;
            len -= n;
        }
    }

    void writeLE(long v, int bytes) {
        for (int i = 0; i < bytes; i++) {
            writeByte((int) (v >>> (8 * i)));
        }
    }

    /** An RDB length; negative values are unsigned 64-bit ones (a stream's entries-read -1). */
    public void writeLength(long len) {
        if (len < 0) {
            writeByte(LEN_64BIT);
            for (int i = 7; i >= 0; i--) {
                writeByte((int) (len >>> (8 * i)));
            }
        } else if (len < (1 << 6)) {
            writeByte((int) len);
        } else if (len < (1 << 14)) {
            writeByte((int) ((len >>> 8) | 0x40));
            writeByte((int) len);
        } else if (len <= 0xFFFFFFFFL) {
            writeByte(LEN_32BIT);
            for (int i = 3; i >= 0; i--) {
                writeByte((int) (len >>> (8 * i)));
            }
        } else {
            writeByte(LEN_64BIT);
            for (int i = 7; i >= 0; i--) {
                writeByte((int) (len >>> (8 * i)));
            }
        }
    }

    /** A string, integer-encoded or LZF-compressed where Redis would. */
    public void writeString(byte[] s) {
        if (s.length <= 11) {
            long v = canonicalInt(s);
            if (v != Long.MIN_VALUE) {
                if (v >= Byte.MIN_VALUE && v <= Byte.MAX_VALUE) {
                    writeByte(0xC0 | ENC_INT8);
                    writeByte((int) v);
                    return;
                } else if (v >= Short.MIN_VALUE && v <= Short.MAX_VALUE) {
                    writeByte(0xC0 | ENC_INT16);
                    writeLE(v, 2);
                    return;
                } else if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
                    writeByte(0xC0 | ENC_INT32);
                    writeLE(v, 4);
                    return;
                }
            }
        }
        if (compress && s.length > 20) {
            byte[] c = Lzf.compress(s, s.length - 4);
            if (c != null) {
                writeByte(0xC0 | ENC_LZF);
                writeLength(c.length);
                writeLength(s.length);
                writeBytes(c, 0, c.length);
                return;
            }
        }
        writeLength(s.length);
        writeBytes(s, 0, s.length);
    }

    /** The value of a canonical decimal integer string, or Long.MIN_VALUE when it is not one. */
    private static long canonicalInt(byte[] s) {
        if (s.length == 0) {
            return Long.MIN_VALUE;
        }
        String str = new String(s, StandardCharsets.US_ASCII);
        try {
            long v = Long.parseLong(str);
            return Long.toString(v).equals(str) ? v : Long.MIN_VALUE;
        } catch (NumberFormatException e) {
            return Long.MIN_VALUE;
        }
    }

    public void header() {
        writeBytes(MAGIC, 0, MAGIC.length);
        byte[] v = String.format("%04d", WRITE_VERSION).getBytes(StandardCharsets.US_ASCII);
        writeBytes(v, 0, v.length);
    }

    public void aux(String key, String value) {
        writeByte(OPCODE_AUX);
        writeString(key.getBytes(StandardCharsets.UTF_8));
        writeString(value.getBytes(StandardCharsets.UTF_8));
    }

    /** A function library record; Redis writes them after the aux fields, before the first database. */
    public void function(byte[] code) {
        writeByte(RdbFormat.OPCODE_FUNCTION2);
        writeString(code);
    }

    public void selectDb(int db) {
        writeByte(OPCODE_SELECTDB);
        writeLength(db);
    }

    public void resizeDb(long keys, long expires) {
        writeByte(OPCODE_RESIZEDB);
        writeLength(keys);
        writeLength(expires);
    }

    /** One key: optional expiry (-1 none), then type, key and value. */
    public void entry(byte[] key, RdbValue value, long expireAtMs) {
        if (expireAtMs >= 0) {
            writeByte(OPCODE_EXPIRETIME_MS);
            writeLE(expireAtMs, 8);
        }
        writeByte(typeOf(value));
        writeString(key);
        writeValue(value);
    }

    static int typeOf(RdbValue v) {
        switch (v.kind) {
            case STRING: return TYPE_STRING;
            case LIST: return TYPE_LIST_QUICKLIST_2;
            case SET: return TYPE_SET;
            case HASH: return TYPE_HASH;
            case STREAM: return TYPE_STREAM_LISTPACKS_2;
            default: return TYPE_ZSET_2;
        }
    }

    /** The value body for {@link #typeOf}; lists as quicklist-2 nodes of at most 128 elements. */
    void writeValue(RdbValue v) {
        switch (v.kind) {
            case STRING:
                writeString(v.string);
                break;
            case LIST: {
                int n = v.items.size();
                int nodes = (n + 127) / 128;
                writeLength(nodes);
                for (int i = 0; i < n; i += 128) {
                    writeLength(QUICKLIST_NODE_PACKED);
                    byte[] lp = Packed.toListpack(v.items.subList(i, Math.min(n, i + 128)));
                    writeLength(lp.length);
                    writeBytes(lp, 0, lp.length);
                }
                break;
            }
            case SET:
                writeLength(v.items.size());
                for (byte[] m : v.items) {
                    writeString(m);
                }
                break;
            case STREAM:
                writeStream(v.stream);
                break;
            case HASH:
                writeLength(v.items.size());
                for (int i = 0; i < v.items.size(); i++) {
                    writeString(v.items.get(i));
                    writeString(v.values.get(i));
                }
                break;
            default:
                writeLength(v.items.size());
                for (int i = 0; i < v.items.size(); i++) {
                    writeString(v.items.get(i));
                    writeLE(Double.doubleToLongBits(v.scores[i]), 8);
                }
        }
    }

    /**
     * A stream as redis-server 7.0 saves it (RDB_TYPE_STREAM_LISTPACKS_2): the listpack nodes,
     * each keyed by its master id, then the metadata and the consumer groups. The nodes are the
     * stream's own ({@link RdbStream#nodes}: Redis writes its listpacks as they are, deleted
     * entries included, so the cut depends on stream-node-max-bytes/-entries when the entries
     * were added); a stream given without nodes is cut with Redis' defaults.
     */
    void writeStream(RdbStream s) {
        java.util.List<RdbStream.Entry> es = s.entries;
        java.util.List<RdbStream.Node> nodes = s.nodes.isEmpty() ? defaultNodes(es) : s.nodes;
        writeLength(nodes.size());
        for (RdbStream.Node n : nodes) {
            byte[] key = new byte[16];
            putBE(key, 0, n.masterMs);
            putBE(key, 8, n.masterSeq);
            writeString(key);
            byte[] lp = Packed.toListpackInts(streamNode(n));
            writeString(lp);
        }
        writeLength(es.size());
        writeLength(s.lastMs);
        writeLength(s.lastSeq);
        writeLength(s.firstMs);
        writeLength(s.firstSeq);
        writeLength(s.maxDeletedMs);
        writeLength(s.maxDeletedSeq);
        writeLength(s.entriesAdded);
        writeLength(s.groups.size());
        byte[] raw = new byte[16];
        for (RdbStream.Group g : s.groups) {
            writeString(g.name);
            writeLength(g.lastMs);
            writeLength(g.lastSeq);
            writeLength(g.entriesRead);
            writeLength(g.pending.size());
            for (RdbStream.Pending p : g.pending) {
                putBE(raw, 0, p.ms);
                putBE(raw, 8, p.seq);
                writeBytes(raw, 0, 16);
                writeLE(p.deliveryTime, 8);
                writeLength(p.deliveryCount);
            }
            writeLength(g.consumers.size());
            for (RdbStream.Consumer c : g.consumers) {
                writeString(c.name);
                writeLE(c.seenTime, 8);
                writeLength(c.pending.size());
                for (long[] id : c.pending) {
                    putBE(raw, 0, id[0]);
                    putBE(raw, 8, id[1]);
                    writeBytes(raw, 0, 16);
                }
            }
        }
    }

    /** Redis' stream-node-max-entries and stream-node-max-bytes defaults. */
    static final int STREAM_NODE_MAX_ENTRIES = 100;
    static final int STREAM_NODE_MAX_BYTES = 4096;

    /** Nodes for live entries given without them: at most the default entries, about the default bytes. */
    private static java.util.List<RdbStream.Node> defaultNodes(java.util.List<RdbStream.Entry> es) {
        java.util.List<RdbStream.Node> nodes = new java.util.ArrayList<>();
        int from = 0;
        while (from < es.size()) {
            int to = from;
            long bytes = 0;
            while (to < es.size() && to - from < STREAM_NODE_MAX_ENTRIES) {
                long n = 0;
                for (byte[] b : es.get(to).fieldsAndValues) {
                    n += b.length + 2;
                }
                if (to > from && bytes + n >= STREAM_NODE_MAX_BYTES) {
                    break;
                }
                bytes += n;
                to++;
            }
            RdbStream.Entry m = es.get(from);
            byte[][] fields = new byte[m.fieldsAndValues.length / 2][];
            for (int i = 0; i < fields.length; i++) {
                fields[i] = m.fieldsAndValues[2 * i];
            }
            RdbStream.Node node = new RdbStream.Node(m.ms, m.seq, fields);
            node.entries.addAll(es.subList(from, to));
            nodes.add(node);
            from = to;
        }
        return nodes;
    }

    /** The listpack elements of one node, as Redis' streamAppendItem lays them out (flags: 1 deleted, 2 same fields). */
    private static java.util.List<byte[]> streamNode(RdbStream.Node node) {
        java.util.List<byte[]> out = new java.util.ArrayList<>();
        byte[][] mf = node.masterFields;
        int nf = mf.length;
        int deleted = 0;
        for (RdbStream.Entry e : node.entries) {
            deleted += e.deleted ? 1 : 0;
        }
        out.add(num(node.entries.size() - deleted));
        out.add(num(deleted));
        out.add(num(nf));
        for (byte[] f : mf) {
            out.add(f);
        }
        out.add(num(0)); // master entry terminator
        for (RdbStream.Entry e : node.entries) {
            byte[][] fv = e.fieldsAndValues;
            boolean same = fv.length == 2 * nf;
            for (int i = 0; same && i < nf; i++) {
                same = java.util.Arrays.equals(fv[2 * i], mf[i]);
            }
            int n = fv.length / 2;
            out.add(num((same ? 2 : 0) | (e.deleted ? 1 : 0)));
            out.add(num(e.ms - node.masterMs));
            out.add(num(e.seq - node.masterSeq));
            if (same) {
                for (int i = 0; i < n; i++) {
                    out.add(fv[2 * i + 1]);
                }
                out.add(num(n + 3));
            } else {
                out.add(num(n));
                for (byte[] b : fv) {
                    out.add(b);
                }
                out.add(num(n + 3 + n + 1));
            }
        }
        return out;
    }

    private static byte[] num(long v) {
        return Long.toString(v).getBytes(StandardCharsets.US_ASCII);
    }

    private static void putBE(byte[] b, int at, long v) {
        for (int i = 0; i < 8; i++) {
            b[at + i] = (byte) (v >>> (56 - 8 * i));
        }
    }

    /** Writes EOF and the CRC64 trailer (zero when checksums are off), then flushes. */
    public void end() {
        writeByte(OPCODE_EOF);
        flushBuf();
        long c = checksum ? crc : 0;
        for (int i = 0; i < 8; i++) {
            buf[pos++] = (byte) (c >>> (8 * i));
        }
        try {
            out.write(buf, 0, pos);
            out.flush();
        } catch (IOException e) {
            throw new StorageException(Code.IO, written, "write failed: " + e.getMessage(), e);
        }
        written += pos;
        pos = 0;
    }

    /** Flushes buffered bytes into the CRC and the stream (for payloads built in memory). */
    void flush() {
        flushBuf();
    }

    long crc() {
        return crc;
    }
}
