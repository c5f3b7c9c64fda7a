package io.strata.storage.tier;

/**
 * Descriptor of one spilled record (the value stored under a key in the spill maps).
 *
 * <pre>
 *  0        1      2       3        11     15     19          23
 *  +--------+------+-------+--------+------+------+-----------+-------------------+
 *  |version |type  |flags  |expireAt|lru   |lfu   |rawLength  |payload            |
 *  |u8 = 2  |u8    |u8     |i64 ms  |i32 s |i32   |u32        |RDB value encoding,|
 *  |        |      |bit0:  |-1: none|      |      |(before    |LZ4 block when     |
 *  |        |      |LZ4    |        |      |      |LZ4)       |flags bit0         |
 *  |        |      |bit1,2:|        |      |      |           |                   |
 *  |        |      |hints  |        |      |      |           |                   |
 *  +--------+------+-------+--------+------+------+-----------+-------------------+
 * </pre>
 * {@code type} is the RDB type code of the payload (RdbFormat.TYPE_*); {@code lru} and
 * {@code lfu} are the key's access clocks when it was demoted (OBJECT IDLETIME/FREQ and
 * eviction keep working across tiers). Flag bits 1 and 2 are the engine's string hints
 * ({@link #FLAG_RAW_STRING}, {@link #FLAG_TEXT_STRING}: what OBJECT ENCODING reports). Big endian. Bump {@link #VERSION} when incompatible
 * (spill files never outlive a process, but the engine and a tool reading them must agree).
 *
 * <p>Any thread: stateless.
 */
public final class SpillRecord {
    public static final int VERSION = 2;
    public static final int HEADER = 23;
    public static final int FLAG_LZ4 = 1;
    /** A string changed in place (OBJECT ENCODING "raw"). */
    public static final int FLAG_RAW_STRING = 2;
    /** A string created as text, never integer-encoded (OBJECT ENCODING "embstr"/"raw"). */
    public static final int FLAG_TEXT_STRING = 4;

    private SpillRecord() {
    }

    public static byte[] encode(int type, long expireAt, byte[] payload, boolean lz4) {
        return encode(type, expireAt, 0, 0, payload, lz4);
    }

    public static byte[] encode(int type, long expireAt, int lru, int lfu, byte[] payload, boolean lz4) {
        return encode(type, expireAt, lru, lfu, payload, lz4, 0);
    }

    /** As above with hint flags ({@link #FLAG_RAW_STRING}, {@link #FLAG_TEXT_STRING}). */
    public static byte[] encode(int type, long expireAt, int lru, int lfu, byte[] payload, boolean lz4, int hints) {
        byte[] body = payload;
        int bodyLen = payload.length;
        int flags = hints & (FLAG_RAW_STRING | FLAG_TEXT_STRING);
        if (lz4 && payload.length > 64) {
            net.jpountz.lz4.LZ4Compressor c = net.jpountz.lz4.LZ4Factory.fastestInstance().fastCompressor();
            byte[] out = new byte[c.maxCompressedLength(payload.length)];
            int n = c.compress(payload, 0, payload.length, out, 0, out.length);
            if (n < payload.length * 7 / 8) {
                body = out;
                bodyLen = n;
                flags |= FLAG_LZ4;
            }
        }
        // by hand rather than through a ByteBuffer: this runs for every demotion (the buffer's
        // construction and bounds checks were 3% of a spilling load's keyspace thread, profiled)
        byte[] r = new byte[HEADER + bodyLen];
        r[0] = (byte) VERSION;
        r[1] = (byte) type;
        r[2] = (byte) flags;
        BIG_LONG.set(r, 3, expireAt);
        BIG_INT.set(r, 11, lru);
        BIG_INT.set(r, 15, lfu);
        BIG_INT.set(r, 19, payload.length);
        System.arraycopy(body, 0, r, HEADER, bodyLen);
        return r;
    }

    private static final java.lang.invoke.VarHandle BIG_LONG =
        java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.BIG_ENDIAN);
    private static final java.lang.invoke.VarHandle BIG_INT =
        java.lang.invoke.MethodHandles.byteArrayViewVarHandle(int[].class, java.nio.ByteOrder.BIG_ENDIAN);

    public static int type(byte[] record) {
        return record[1] & 0xff;
    }

    public static long expireAt(byte[] record) {
        return (long) BIG_LONG.get(record, 3);
    }

    public static int lru(byte[] record) {
        return (int) BIG_INT.get(record, 11);
    }

    public static int lfu(byte[] record) {
        return (int) BIG_INT.get(record, 15);
    }

    public static int flags(byte[] record) {
        return record[2] & 0xff;
    }

    /** Whether the record is LZ4-compressed. */
    public static boolean compressed(byte[] record) {
        return (record[2] & FLAG_LZ4) != 0;
    }

    /** The payload, decompressed when needed. */
    public static byte[] payload(byte[] record) {
        int raw = (int) BIG_INT.get(record, 19);
        if ((record[2] & FLAG_LZ4) == 0) {
            return java.util.Arrays.copyOfRange(record, HEADER, record.length);
        }
        byte[] out = new byte[raw];
        net.jpountz.lz4.LZ4Factory.fastestInstance().safeDecompressor()
            .decompress(record, HEADER, record.length - HEADER, out, 0, raw);
        return out;
    }
}
