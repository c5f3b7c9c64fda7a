package io.strata.storage.rdb;

import io.strata.storage.StorageException;
import io.strata.storage.StorageException.Code;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static io.strata.storage.rdb.RdbFormat.*;

/**
 * Reads RDB files of versions 1 to 12 with every encoding Redis writes (plain, ziplist,
 * listpack, intset, zipmap, quicklist 1 and 2, LZF strings), streaming each key to an
 * {@link RdbVisitor}; streams of types 15, 19 and 21 are decoded into {@link RdbStream}. Function
 * libraries and module aux data are read past and reported as skipped; a module value type is refused with an error naming the module. The CRC64 trailer
 * is checked when present.
 *
 * <p>Thread rule: one thread at a time per reader.
 */
public final class RdbReader {
    private static final String MODULE_CHARSET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    private final RdbInput in;
    private int version;

    public RdbReader(InputStream in) {
        this.in = new RdbInput(in);
    }

    /** Reads the whole file, calling the visitor for every record. */
    public void read(RdbVisitor v) {
        byte[] magic = in.read(5);
        if (!java.util.Arrays.equals(magic, MAGIC)) {
            throw new StorageException(Code.CORRUPT, 0, "not an RDB file: wrong signature");
        }
        String ver = new String(in.read(4), StandardCharsets.US_ASCII);
        try {
            version = Integer.parseInt(ver);
        } catch (NumberFormatException e) {
            throw new StorageException(Code.CORRUPT, 5, "bad RDB version '" + ver + "'");
        }
        if (version < 1 || version > MAX_READ_VERSION) {
            throw new StorageException(Code.UNSUPPORTED, 5, "can't handle RDB format version " + version);
        }
        v.version(version);
        int db = 0;
        long expireAt = -1;
        long idle = -1;
        int freq = -1;
        while (true) {
            long entryOffset = in.offset();
            int type = in.readByte();
            switch (type) {
                case OPCODE_EXPIRETIME:
                    expireAt = in.readLE(4) * 1000;
                    continue;
                case OPCODE_EXPIRETIME_MS:
                    expireAt = in.readLE(8);
                    continue;
                case OPCODE_FREQ:
                    freq = in.readByte();
                    continue;
                case OPCODE_IDLE:
                    idle = readLength();
                    continue;
                case OPCODE_EOF:
                    readTrailer(v);
                    return;
                case OPCODE_SELECTDB:
                    db = (int) readLength();
                    v.selectDb(db);
                    continue;
                case OPCODE_RESIZEDB:
                    v.resizeDb(readLength(), readLength());
                    continue;
                case OPCODE_SLOT_INFO:
                    readLength();
                    readLength();
                    readLength();
                    continue;
                case OPCODE_AUX:
                    v.aux(readString(), readString());
                    continue;
                case OPCODE_MODULE_AUX:
                    skipModuleAux(v, entryOffset);
                    continue;
                case OPCODE_FUNCTION2:
                    v.function(readString(), entryOffset);
                    continue;
                case OPCODE_FUNCTION_PRE_GA:
                    throw new StorageException(Code.UNSUPPORTED, entryOffset,
                        "pre-GA function record of Redis 7.0 release candidates is not supported");
                default:
            }
            byte[] key = readString();
            RdbValue value = readValue(type, entryOffset, key, v);
            if (value != null) {
                v.entry(db, key, value, expireAt, idle, freq, entryOffset, in.offset() - entryOffset);
            }
            expireAt = -1;
            idle = -1;
            freq = -1;
        }
    }

    private void readTrailer(RdbVisitor v) {
        if (version < 5) {
            v.end(false);
            return;
        }
        long computed = in.crc();
        in.crcOff();
        long stored = in.readLE(8);
        if (stored != 0 && stored != computed) {
            throw new StorageException(Code.BAD_CHECKSUM, in.offset() - 8,
                "wrong RDB checksum expected=" + Long.toHexString(stored) + " got=" + Long.toHexString(computed));
        }
        v.end(stored != 0);
    }

    long readLength() {
        int b = in.readByte();
        int kind = (b & 0xC0) >> 6;
        if (kind == LEN_6BIT) {
            return b & 0x3f;
        } else if (kind == LEN_14BIT) {
            return ((b & 0x3f) << 8) | in.readByte();
        } else if (b == LEN_32BIT) {
            return in.readBE(4);
        } else if (b == LEN_64BIT) {
            return in.readBE(8);
        }
        throw new StorageException(Code.CORRUPT, in.offset() - 1, "unknown length encoding 0x" + Integer.toHexString(b));
    }

    private int readCount(String what) {
        long n = readLength();
        if (n < 0 || n > Integer.MAX_VALUE - 8) {
            throw new StorageException(Code.CORRUPT, in.offset(), what + " count out of range: " + n);
        }
        return (int) n;
    }

    byte[] readString() {
        long start = in.offset();
        int b = in.readByte();
        if ((b & 0xC0) >> 6 == LEN_ENCVAL) {
            switch (b & 0x3f) {
                case ENC_INT8:
                    return ascii((byte) in.readByte());
                case ENC_INT16:
                    return ascii((short) in.readLE(2));
                case ENC_INT32:
                    return ascii((int) in.readLE(4));
                case ENC_LZF: {
                    long clen = readLength();
                    long len = readLength();
                    if (clen > Integer.MAX_VALUE || len > Integer.MAX_VALUE) {
                        throw new StorageException(Code.CORRUPT, start, "LZF string too long");
                    }
                    byte[] c = in.read((int) clen);
                    byte[] out = Lzf.decompress(c, 0, c.length, (int) len);
                    if (out == null) {
                        throw new StorageException(Code.CORRUPT, start, "invalid LZF compressed string");
                    }
                    return out;
                }
                default:
                    throw new StorageException(Code.CORRUPT, start, "unknown string encoding " + (b & 0x3f));
            }
        }
        long len;
        int kind = (b & 0xC0) >> 6;
        if (kind == LEN_6BIT) {
            len = b & 0x3f;
        } else if (kind == LEN_14BIT) {
            len = ((b & 0x3f) << 8) | in.readByte();
        } else if (b == LEN_32BIT) {
            len = in.readBE(4);
        } else if (b == LEN_64BIT) {
            len = in.readBE(8);
        } else {
            throw new StorageException(Code.CORRUPT, start, "unknown length encoding 0x" + Integer.toHexString(b));
        }
        if (len > Integer.MAX_VALUE - 8) {
            throw new StorageException(Code.UNSUPPORTED, start, "string of " + len + " bytes is too long");
        }
        return in.read((int) len);
    }

    private static byte[] ascii(long v) {
        return Long.toString(v).getBytes(StandardCharsets.US_ASCII);
    }

    private double readStringDouble() {
        int len = in.readByte();
        switch (len) {
            case 253: return Double.NaN;
            case 254: return Double.POSITIVE_INFINITY;
            case 255: return Double.NEGATIVE_INFINITY;
            default:
                String s = new String(in.read(len), StandardCharsets.US_ASCII);
                try {
                    return Double.parseDouble(s);
                } catch (NumberFormatException e) {
                    throw new StorageException(Code.CORRUPT, in.offset(), "bad double value '" + s + "'");
                }
        }
    }

    private static double parseScore(byte[] b, long offset) {
        String s = new String(b, StandardCharsets.US_ASCII);
        switch (s) {
            case "inf": case "+inf": return Double.POSITIVE_INFINITY;
            case "-inf": return Double.NEGATIVE_INFINITY;
            default:
                try {
                    return Double.parseDouble(s);
                } catch (NumberFormatException e) {
                    throw new StorageException(Code.CORRUPT, offset, "bad zset score '" + s + "'");
                }
        }
    }

    /** Reads one value of {@code type}; null when it was skipped (reported to the visitor). */
    RdbValue readValue(int type, long entryOffset, byte[] key, RdbVisitor v) {
        switch (type) {
            case TYPE_STRING:
                return RdbValue.string(readString());
            case TYPE_LIST: {
                int n = readCount("list");
                RdbValue r = RdbValue.list(type, n);
                for (int i = 0; i < n; i++) {
                    r.add(readString());
                }
                return r;
            }
            case TYPE_SET: {
                int n = readCount("set");
                RdbValue r = RdbValue.set(type, n);
                for (int i = 0; i < n; i++) {
                    r.add(readString());
                }
                return r;
            }
            case TYPE_ZSET:
            case TYPE_ZSET_2: {
                int n = readCount("zset");
                RdbValue r = RdbValue.zset(type, n);
                for (int i = 0; i < n; i++) {
                    byte[] m = readString();
                    double s = type == TYPE_ZSET_2 ? Double.longBitsToDouble(in.readLE(8)) : readStringDouble();
                    r.add(m, s);
                }
                return r;
            }
            case TYPE_HASH: {
                int n = readCount("hash");
                RdbValue r = RdbValue.hash(type, n);
                for (int i = 0; i < n; i++) {
                    r.put(readString(), readString());
                }
                return r;
            }
            case TYPE_HASH_ZIPMAP:
            case TYPE_HASH_ZIPLIST:
            case TYPE_HASH_LISTPACK: {
                long at = in.offset();
                byte[] blob = readString();
                List<byte[]> flat = type == TYPE_HASH_ZIPMAP ? Packed.zipmap(blob, at)
                    : type == TYPE_HASH_ZIPLIST ? Packed.ziplist(blob, at) : Packed.listpack(blob, at);
                if (flat.size() % 2 != 0) {
                    throw new StorageException(Code.CORRUPT, at, "hash blob with an odd number of items");
                }
                RdbValue r = RdbValue.hash(type, flat.size() / 2);
                for (int i = 0; i < flat.size(); i += 2) {
                    r.put(flat.get(i), flat.get(i + 1));
                }
                return r;
            }
            case TYPE_LIST_ZIPLIST: {
                long at = in.offset();
                RdbValue r = RdbValue.list(type, 16);
                Packed.ziplist(readString(), at).forEach(r::add);
                return r;
            }
            case TYPE_SET_INTSET:
            case TYPE_SET_LISTPACK: {
                long at = in.offset();
                byte[] blob = readString();
                RdbValue r = RdbValue.set(type, 16);
                (type == TYPE_SET_INTSET ? Packed.intset(blob, at) : Packed.listpack(blob, at)).forEach(r::add);
                return r;
            }
            case TYPE_ZSET_ZIPLIST:
            case TYPE_ZSET_LISTPACK: {
                long at = in.offset();
                byte[] blob = readString();
                List<byte[]> flat = type == TYPE_ZSET_ZIPLIST ? Packed.ziplist(blob, at) : Packed.listpack(blob, at);
                if (flat.size() % 2 != 0) {
                    throw new StorageException(Code.CORRUPT, at, "zset blob with an odd number of items");
                }
                RdbValue r = RdbValue.zset(type, flat.size() / 2);
                for (int i = 0; i < flat.size(); i += 2) {
                    r.add(flat.get(i), parseScore(flat.get(i + 1), at));
                }
                return r;
            }
            case TYPE_LIST_QUICKLIST:
            case TYPE_LIST_QUICKLIST_2: {
                int nodes = readCount("quicklist node");
                RdbValue r = RdbValue.list(type, nodes * 8);
                for (int i = 0; i < nodes; i++) {
                    long container = type == TYPE_LIST_QUICKLIST_2 ? readLength() : QUICKLIST_NODE_PACKED;
                    long at = in.offset();
                    byte[] blob = readString();
                    if (container == QUICKLIST_NODE_PLAIN) {
                        r.add(blob);
                    } else if (container == QUICKLIST_NODE_PACKED) {
                        (type == TYPE_LIST_QUICKLIST ? Packed.ziplist(blob, at) : Packed.listpack(blob, at)).forEach(r::add);
                    } else {
                        throw new StorageException(Code.CORRUPT, at, "unknown quicklist container " + container);
                    }
                }
                return r;
            }
            case TYPE_STREAM_LISTPACKS:
            case TYPE_STREAM_LISTPACKS_2:
            case TYPE_STREAM_LISTPACKS_3:
                return readStream(type);
            case TYPE_MODULE_PRE_GA:
            case TYPE_MODULE_2: {
                long id = readLength();
                throw new StorageException(Code.UNSUPPORTED, entryOffset, "key '" + new String(key, StandardCharsets.UTF_8)
                    + "' holds a value of module type '" + moduleName(id) + "' (version " + (id & 1023)
                    + "), and modules are not supported");
            }
            case TYPE_HASH_METADATA_PRE_GA:
            case TYPE_HASH_LISTPACK_EX_PRE_GA:
            case TYPE_HASH_METADATA:
            case TYPE_HASH_LISTPACK_EX:
                throw new StorageException(Code.UNSUPPORTED, entryOffset, "key '" + new String(key, StandardCharsets.UTF_8)
                    + "' is a hash with field expirations (RDB type " + type + "), which is not supported");
            default:
                throw new StorageException(Code.CORRUPT, entryOffset, "unknown RDB value type " + type);
        }
    }

    static String moduleName(long id) {
        char[] name = new char[9];
        long x = id >>> 10;
        for (int i = 8; i >= 0; i--) {
            name[i] = MODULE_CHARSET.charAt((int) (x & 63));
            x >>>= 6;
        }
        return new String(name);
    }

    private void skipModuleAux(RdbVisitor v, long at) {
        long id = readLength();
        readLength(); // when_opcode
        readLength(); // when
        skipModuleOpcodes(at);
        v.skipped("module aux data of module '" + moduleName(id) + "' (modules are not supported)", at);
    }

    /** Module data written with RDB_MODULE_OPCODE_* markers (RDB 9+), up to the EOF marker. */
    private void skipModuleOpcodes(long at) {
        while (true) {
            long op = readLength();
            switch ((int) op) {
                case 0: return; // EOF
                case 1: case 2: readLength(); break; // SINT, UINT
                case 3: in.skip(4); break; // FLOAT
                case 4: in.skip(8); break; // DOUBLE
                case 5: readString(); break; // STRING
                default:
                    throw new StorageException(Code.CORRUPT, at, "bad module data opcode " + op);
            }
        }
    }

    /**
     * A stream (types 15, 19, 21): listpack nodes keyed by their 16-byte master id, then length,
     * last id, (19+: first id, max deleted id, entries added), and the consumer groups with their
     * PELs and consumers ({@link RdbFormat} has the layout). Deleted entries still in a node are
     * kept in {@link RdbStream#nodes} only.
     */
    private RdbValue readStream(int type) {
        long start = in.offset();
        RdbStream s = new RdbStream();
        long nodes = readLength();
        for (long i = 0; i < nodes; i++) {
            long at = in.offset();
            byte[] master = readString();
            if (master.length != 16) {
                throw new StorageException(Code.CORRUPT, at, "stream node key is not a 128 bit id");
            }
            long lpAt = in.offset();
            byte[] lp = readString();
            List<byte[]> items = Packed.listpack(lp, lpAt);
            if (items.isEmpty()) {
                throw new StorageException(Code.CORRUPT, lpAt, "empty listpack inside stream");
            }
            decodeStreamNode(s, be(master, 0), be(master, 8), items, lpAt);
        }
        long length = readLength();
        if (length != s.entries.size()) {
            throw new StorageException(Code.CORRUPT, start, "stream length " + length + " != entries " + s.entries.size());
        }
        s.lastMs = readLength();
        s.lastSeq = readLength();
        if (type >= TYPE_STREAM_LISTPACKS_2) {
            s.firstMs = readLength();
            s.firstSeq = readLength();
            s.maxDeletedMs = readLength();
            s.maxDeletedSeq = readLength();
            s.entriesAdded = readLength();
        } else {
            // what Redis 7.0 assumes for an old stream: added = length, first = the first entry
            s.entriesAdded = length;
            if (!s.entries.isEmpty()) {
                s.firstMs = s.entries.get(0).ms;
                s.firstSeq = s.entries.get(0).seq;
            }
        }
        long groups = readLength();
        for (long g = 0; g < groups; g++) {
            byte[] name = readString();
            long ms = readLength();
            long seq = readLength();
            long entriesRead = -1;
            if (type >= TYPE_STREAM_LISTPACKS_2) {
                entriesRead = readLength();
            }
            RdbStream.Group group = new RdbStream.Group(name, ms, seq, entriesRead);
            long pel = readLength();
            for (long p = 0; p < pel; p++) {
                byte[] raw = in.read(16);
                long time = in.readLE(8);
                long count = readLength();
                group.pending.add(new RdbStream.Pending(be(raw, 0), be(raw, 8), time, count));
            }
            long consumers = readLength();
            for (long c = 0; c < consumers; c++) {
                byte[] cname = readString();
                long seen = in.readLE(8);
                if (type >= TYPE_STREAM_LISTPACKS_3) {
                    in.readLE(8); // active time (7.2); 7.0 has only the seen time
                }
                RdbStream.Consumer consumer = new RdbStream.Consumer(cname, seen);
                long cpel = readLength();
                for (long p = 0; p < cpel; p++) {
                    byte[] raw = in.read(16);
                    consumer.pending.add(new long[] {be(raw, 0), be(raw, 8)});
                }
                group.consumers.add(consumer);
            }
            s.groups.add(group);
        }
        return RdbValue.stream(type, s);
    }

    private static long be(byte[] b, int at) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[at + i] & 0xff);
        }
        return v;
    }

    private static long lpInt(List<byte[]> items, int i, long at) {
        if (i >= items.size()) {
            throw new StorageException(Code.CORRUPT, at, "stream listpack ends inside an entry");
        }
        try {
            return Long.parseLong(new String(items.get(i), StandardCharsets.US_ASCII));
        } catch (NumberFormatException e) {
            throw new StorageException(Code.CORRUPT, at, "stream listpack holds a non-integer where an integer belongs");
        }
    }

    /**
     * One node: master entry {@code count deleted nfields field… 0}, then per entry
     * {@code flags ms-diff seq-diff [nfields field value…] | [value…] lp-count}.
     */
    private static void decodeStreamNode(RdbStream s, long masterMs, long masterSeq, List<byte[]> it, long at) {
        long count = lpInt(it, 0, at);
        long deleted = lpInt(it, 1, at);
        int nf = (int) lpInt(it, 2, at);
        if (nf < 0 || 3 + nf >= it.size()) {
            throw new StorageException(Code.CORRUPT, at, "bad stream master entry");
        }
        byte[][] masterFields = new byte[nf][];
        for (int i = 0; i < nf; i++) {
            masterFields[i] = it.get(3 + i);
        }
        int p = 3 + nf + 1; // past the master terminator
        long total = count + deleted;
        RdbStream.Node node = new RdbStream.Node(masterMs, masterSeq, masterFields);
        s.nodes.add(node);
        for (long e = 0; e < total; e++) {
            int flags = (int) lpInt(it, p++, at);
            long ms = masterMs + lpInt(it, p++, at);
            long seq = masterSeq + lpInt(it, p++, at);
            byte[][] fv;
            if ((flags & 2) != 0) { // SAMEFIELDS
                fv = new byte[nf * 2][];
                for (int i = 0; i < nf; i++) {
                    fv[2 * i] = masterFields[i];
                    if (p >= it.size()) {
                        throw new StorageException(Code.CORRUPT, at, "stream listpack ends inside an entry");
                    }
                    fv[2 * i + 1] = it.get(p++);
                }
            } else {
                int n = (int) lpInt(it, p++, at);
                if (n < 0 || p + 2L * n > it.size()) {
                    throw new StorageException(Code.CORRUPT, at, "stream listpack ends inside an entry");
                }
                fv = new byte[n * 2][];
                for (int i = 0; i < 2 * n; i++) {
                    fv[i] = it.get(p++);
                }
            }
            p++; // lp-count
            RdbStream.Entry entry = new RdbStream.Entry(ms, seq, fv, (flags & 1) != 0);
            node.entries.add(entry);
            if (!entry.deleted) {
                s.entries.add(entry);
            }
        }
    }

    /** Reads a bare type byte (DUMP payloads start with one). */
    int readTypeByte() {
        return in.readByte();
    }

    /** Offset of the next byte to be read (for tools reporting progress). */
    public long offset() {
        return in.offset();
    }
}
