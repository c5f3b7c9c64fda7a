package io.strata.storage.rdb;

import io.strata.storage.StorageException;

import java.io.IOException;
import java.io.InputStream;

/**
 * Buffered reading of an RDB stream that tracks the file offset and the running CRC64, so
 * errors name the offset and the trailer can be checked without a second pass.
 *
 * <p>Thread rule: one thread at a time.
 */
final class RdbInput {
    private final InputStream in;
    private final byte[] buf = new byte[64 * 1024];
    private int pos;
    private int lim;
    private long offset;
    private long crc;
    private boolean crcOn = true;

    RdbInput(InputStream in) {
        this.in = in;
    }

    long offset() {
        return offset;
    }

    long crc() {
        return crc;
    }

    /** Stops adding bytes to the CRC (before reading the trailer itself). */
    void crcOff() {
        crcOn = false;
    }

    private boolean fill() {
        try {
            int n = in.read(buf, 0, buf.length);
            if (n <= 0) {
                return false;
            }
            pos = 0;
            lim = n;
            return true;
        } catch (IOException e) {
            throw new StorageException(StorageException.Code.IO, offset, "read failed: " + e.getMessage(), e);
        }
    }

    int readByte() {
        if (pos == lim && !fill()) {
            throw new StorageException(StorageException.Code.TRUNCATED, offset, "unexpected end of file");
        }
        int b = buf[pos++] & 0xff;
        if (crcOn) {
            crc = Crc64.update(crc, buf, pos - 1, 1);
        }
        offset++;
        return b;
    }

    /** True at end of stream (nothing more to read). */
    boolean atEnd() {
        return pos == lim && !fill();
    }

    void readFully(byte[] dst, int off, int len) {
        while (len > 0) {
            if (pos == lim && !fill()) {
                throw new StorageException(StorageException.Code.TRUNCATED, offset, "unexpected end of file");
            }
            int n = Math.min(len, lim - pos);
            System.arraycopy(buf, pos, dst, off, n);
            if (crcOn) {
                crc = Crc64.update(crc, buf, pos, n);
            }
            pos += n;
            off += n;
            len -= n;
            offset += n;
        }
    }

    byte[] read(int len) {
        byte[] b = new byte[len];
        readFully(b, 0, len);
        return b;
    }

    void skip(long len) {
        byte[] tmp = new byte[(int) Math.min(len, 64 * 1024)];
        while (len > 0) {
            int n = (int) Math.min(len, tmp.length);
            readFully(tmp, 0, n);
            len -= n;
        }
    }

    long readLE(int bytes) {
        long v = 0;
        for (int i = 0; i < bytes; i++) {
            v |= (long) readByte() << (8 * i);
        }
        return v;
    }

    long readBE(int bytes) {
        long v = 0;
        for (int i = 0; i < bytes; i++) {
            v = (v << 8) | readByte();
        }
        return v;
    }
}
