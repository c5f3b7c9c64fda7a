package io.strata.storage.aof;

import net.jpountz.lz4.LZ4Factory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

import static io.strata.storage.aof.AofFormat.*;

/**
 * Best-effort look inside a frame {@link AofFrames#read} refused (bad CRC, bad LZ4 block), so a
 * repair tool can say how many commands dropping it loses. Never used to load data: a frame that
 * fails its CRC is not trusted.
 *
 * <p>Thread rule: stateless, any thread.
 */
public final class AofSalvage {
    private AofSalvage() {
    }

    /**
     * The payload of the frame at {@code offset} decoded without checking the CRC, or null when
     * the header is unusable, the frame runs past the end, or the LZ4 block does not decode.
     */
    public static byte[] payloadIgnoringCrc(FileChannel ch, long offset) throws IOException {
        long size = ch.size();
        if (size - offset < HEADER_LENGTH) {
            return null;
        }
        ByteBuffer h = ByteBuffer.allocate(HEADER_LENGTH);
        read(ch, h, offset);
        int length = h.getInt(LENGTH_OFFSET);
        int rawLength = h.getInt(RAW_LENGTH_OFFSET);
        int codec = h.get(CODEC_OFFSET);
        if (h.getInt(MAGIC_OFFSET) != MAGIC || length < 0 || length > MAX_PAYLOAD || rawLength < 0
            || rawLength > MAX_PAYLOAD || size - offset - HEADER_LENGTH < length) {
            return null;
        }
        ByteBuffer p = ByteBuffer.allocate(length);
        read(ch, p, offset + HEADER_LENGTH);
        if (codec == CODEC_NONE) {
            return p.array();
        }
        if (codec != CODEC_LZ4) {
            return null;
        }
        try {
            byte[] out = new byte[rawLength];
            int n = LZ4Factory.fastestInstance().safeDecompressor().decompress(p.array(), 0, length, out, 0, rawLength);
            return n == rawLength ? out : null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static void read(FileChannel ch, ByteBuffer b, long pos) throws IOException {
        while (b.hasRemaining()) {
            if (ch.read(b, pos + b.position()) < 0) {
                throw new java.io.EOFException("offset=" + (pos + b.position()));
            }
        }
    }
}
