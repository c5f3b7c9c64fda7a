package io.strata.storage.aof;

import io.strata.storage.StorageException;
import io.strata.storage.StorageException.Code;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.zip.CRC32C;

import static io.strata.storage.aof.AofFormat.*;

/**
 * Encodes and decodes AOF frames ({@link AofFormat}). Reading returns a status for each position
 * rather than throwing, so recovery and tools decide what a torn tail or a damaged frame means.
 *
 * <p>Thread rule: an instance is used by one thread at a time (the AOF thread, the loader, a tool).
 */
public final class AofFrames {
    /** What {@link #read} found at a position. */
    public enum Status {
        /** A whole, valid frame. */
        FRAME,
        /** Clean end of file exactly at a frame boundary. */
        END,
        /** The file ends inside a frame: a write that did not finish (torn tail). */
        TORN,
        /** Bad magic, impossible length, CRC mismatch or undecodable payload. */
        CORRUPT
    }

    /** The outcome of one read: status, frame fields when FRAME, what was wrong when CORRUPT. */
    public static final class Result {
        public Status status;
        public long offset;
        /** Bytes the frame occupies on disk, header included. */
        public int frameLength;
        public long timestamp;
        /** The RESP commands of the frame (decompressed). */
        public byte[] payload;
        public String problem;
    }

    private static final LZ4Factory LZ4 = LZ4Factory.fastestInstance();
    private final LZ4Compressor compressor = LZ4.fastCompressor();
    private final LZ4SafeDecompressor decompressor = LZ4.safeDecompressor();
    private final CRC32C crc = new CRC32C();

    /** Builds one frame around {@code resp[off, off+len)}; LZ4 is used only when it saves space. */
    public ByteBuffer encode(byte[] resp, int off, int len, long timestampMs, boolean lz4) {
        byte[] payload = resp;
        int payloadOff = off;
        int payloadLen = len;
        int codec = CODEC_NONE;
        if (lz4 && len > 64) {
            byte[] c = new byte[compressor.maxCompressedLength(len)];
            int n = compressor.compress(resp, off, len, c, 0, c.length);
            if (n < len) {
                payload = c;
                payloadOff = 0;
                payloadLen = n;
                codec = CODEC_LZ4;
            }
        }
        ByteBuffer b = ByteBuffer.allocate(HEADER_LENGTH + payloadLen);
        b.putInt(MAGIC).putInt(payloadLen).putInt(0).putLong(timestampMs).putInt(len).put((byte) codec)
            .put((byte) 0).put((byte) 0).put((byte) 0).put(payload, payloadOff, payloadLen);
        crc.reset();
        crc.update(b.array(), TIMESTAMP_OFFSET, b.capacity() - TIMESTAMP_OFFSET);
        b.putInt(CRC_OFFSET, (int) crc.getValue());
        b.flip();
        return b;
    }

    /** Reads the frame at {@code offset} of {@code ch}. */
    public Result read(FileChannel ch, long offset) throws IOException {
        Result r = new Result();
        r.offset = offset;
        long size = ch.size();
        if (offset == size) {
            r.status = Status.END;
            return r;
        }
        if (size - offset < HEADER_LENGTH) {
            r.status = Status.TORN;
            r.problem = "file ends inside a frame header (" + (size - offset) + " bytes)";
            return r;
        }
        ByteBuffer h = ByteBuffer.allocate(HEADER_LENGTH);
        readFully(ch, h, offset);
        h.flip();
        if (h.getInt(MAGIC_OFFSET) != MAGIC) {
            r.status = Status.CORRUPT;
            r.problem = "bad frame magic 0x" + Integer.toHexString(h.getInt(MAGIC_OFFSET));
            return r;
        }
        int length = h.getInt(LENGTH_OFFSET);
        int rawLength = h.getInt(RAW_LENGTH_OFFSET);
        int codec = h.get(CODEC_OFFSET);
        if (length < 0 || length > MAX_PAYLOAD || rawLength < 0 || rawLength > MAX_PAYLOAD
            || (codec != CODEC_NONE && codec != CODEC_LZ4)) {
            r.status = Status.CORRUPT;
            r.problem = "bad frame header length=" + length + " rawLength=" + rawLength + " codec=" + codec;
            return r;
        }
        if (size - offset < HEADER_LENGTH + (long) length) {
            r.status = Status.TORN;
            r.problem = "file ends inside a frame (" + (size - offset) + " of " + (HEADER_LENGTH + length) + " bytes)";
            return r;
        }
        ByteBuffer whole = ByteBuffer.allocate(HEADER_LENGTH + length);
        readFully(ch, whole, offset);
        crc.reset();
        crc.update(whole.array(), TIMESTAMP_OFFSET, whole.capacity() - TIMESTAMP_OFFSET);
        if ((int) crc.getValue() != whole.getInt(CRC_OFFSET)) {
            r.status = Status.CORRUPT;
            r.problem = "frame CRC mismatch";
            r.frameLength = HEADER_LENGTH + length;
            return r;
        }
        byte[] payload;
        if (codec == CODEC_LZ4) {
            payload = new byte[rawLength];
            try {
                int n = decompressor.decompress(whole.array(), HEADER_LENGTH, length, payload, 0, rawLength);
                if (n != rawLength) {
                    throw new IllegalStateException("decompressed " + n + " bytes");
                }
            } catch (RuntimeException e) {
                r.status = Status.CORRUPT;
                r.problem = "bad LZ4 block: " + e.getMessage();
                r.frameLength = HEADER_LENGTH + length;
                return r;
            }
        } else {
            payload = java.util.Arrays.copyOfRange(whole.array(), HEADER_LENGTH, HEADER_LENGTH + length);
        }
        r.status = Status.FRAME;
        r.frameLength = HEADER_LENGTH + length;
        r.timestamp = whole.getLong(TIMESTAMP_OFFSET);
        r.payload = payload;
        return r;
    }

    /**
     * Finds the next offset after {@code from} where a valid frame starts (a tool skipping a
     * damaged frame); -1 when none.
     */
    public long resync(FileChannel ch, long from) throws IOException {
        long size = ch.size();
        ByteBuffer b = ByteBuffer.allocate(4);
        for (long p = from + 1; p + HEADER_LENGTH <= size; p++) {
            b.clear();
            readFully(ch, b, p);
            if (b.getInt(0) == MAGIC && read(ch, p).status == Status.FRAME) {
                return p;
            }
        }
        return -1;
    }

    private static void readFully(FileChannel ch, ByteBuffer b, long pos) throws IOException {
        while (b.hasRemaining()) {
            int n = ch.read(b, pos + b.position());
            if (n < 0) {
                throw new EOFException("offset=" + (pos + b.position()));
            }
        }
    }

    /** Converts a read failure into the storage vocabulary. */
    public static StorageException error(String file, Result r) {
        Code code = r.status == Status.TORN ? Code.TRUNCATED
            : r.problem != null && r.problem.contains("CRC") ? Code.BAD_CHECKSUM : Code.CORRUPT;
        return new StorageException(code, r.offset, "AOF file " + file + ": " + r.problem);
    }
}
