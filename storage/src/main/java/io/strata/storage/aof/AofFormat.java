package io.strata.storage.aof;

/**
 * Descriptor of a Strata AOF incr file: a sequence of frames, one per group-commit batch.
 *
 * <pre>
 *  0      4        8        12          20         24     25        28
 *  +------+--------+--------+-----------+----------+------+---------+----------------+
 *  |magic |length  |crc32c  |timestamp  |rawLength |codec |reserved |payload(length) |
 *  |u32   |u32     |u32     |u64 ms     |u32       |u8    |3 bytes  |                |
 *  +------+--------+--------+-----------+----------+------+---------+----------------+
 * </pre>
 * All integers big endian. {@code crc32c} covers bytes 12..(28+length): timestamp, rawLength,
 * codec, reserved and payload, so a frame is checked whole. The payload is RESP commands
 * (multibulk), LZ4-block compressed when {@code codec} is {@link #CODEC_LZ4}.
 *
 * <p>Format version 1; bump {@link #VERSION} (and the magic) when incompatible. Codec values are
 * on disk: never renumber them.
 *
 * <p>Any thread: constants only.
 */
public final class AofFormat {
    private AofFormat() {
    }

    public static final int VERSION = 1;
    /** "SAF1". */
    public static final int MAGIC = 0x53414631;
    public static final int MAGIC_OFFSET = 0;
    public static final int LENGTH_OFFSET = 4;
    public static final int CRC_OFFSET = 8;
    public static final int TIMESTAMP_OFFSET = 12;
    public static final int RAW_LENGTH_OFFSET = 20;
    public static final int CODEC_OFFSET = 24;
    public static final int HEADER_LENGTH = 28;
    /** Payload stored as is. */
    public static final int CODEC_NONE = 0;
    /** Payload is one LZ4 block. */
    public static final int CODEC_LZ4 = 1;
    /** Largest payload accepted when reading; a bigger length means a damaged header. */
    public static final int MAX_PAYLOAD = 512 * 1024 * 1024;
}
