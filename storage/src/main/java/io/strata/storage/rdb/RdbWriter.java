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

    public void writeLength(long len) {
        if (len < (1 << 6)) {
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
