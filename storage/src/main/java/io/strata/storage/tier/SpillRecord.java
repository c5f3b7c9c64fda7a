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
        return parts(type, expireAt, lru, lfu, payload, lz4, hints).toBytes();
    }

    /**
     * The record {@link #encode} makes, left as its header fields and its body: {@code payload}
     * itself when not compressed (not copied; the caller must not change it afterwards).
     */
    public static Parts parts(int type, long expireAt, int lru, int lfu, byte[] payload, boolean lz4, int hints) {
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
        return new Parts(type, flags, expireAt, lru, lfu, payload.length, body, bodyLen, null);
    }

    /**
     * A record as its header fields and its body, written into a spill map without first being
     * copied into one array: on a load streaming past maxmemory, that copy of every demoted value
     * was 39% of the keyspace thread's allocations (counted by JFR event). {@link #writeTo} puts
     * the header and the body straight into the map's memory; {@link #toBytes} assembles the
     * array {@link #encode} returns, for the rare reader of a record not yet written.
     *
     * <p>Immutable (the body is never changed once handed over), so any thread may read it.
     */
    public static final class Parts extends net.openhft.chronicle.hash.AbstractData<byte[]> {
        private final int type;
        private final int flags;
        private final long expireAt;
        private final int lru;
        private final int lfu;
        private final int rawLength;
        private final byte[] body;
        private final int bodyLen;
        /** The whole record when it was given as one array (then {@link #body} is that array). */
        private final byte[] whole;

        private Parts(int type, int flags, long expireAt, int lru, int lfu, int rawLength,
                      byte[] body, int bodyLen, byte[] whole) {
            this.type = type;
            this.flags = flags;
            this.expireAt = expireAt;
            this.lru = lru;
            this.lfu = lfu;
            this.rawLength = rawLength;
            this.body = body;
            this.bodyLen = bodyLen;
            this.whole = whole;
        }

        /**
         * A record already made as one array, taken as it is (not copied, not parsed: the spill
         * store keeps any bytes it is given).
         */
        public static Parts of(byte[] record) {
            return new Parts(0, 0, -1, 0, 0, 0, record, record.length, record);
        }

        /**
         * Reads a byte of each of the body's first cache lines (up to 512 bytes), so that a
         * thread about to copy it has them on the way; returns them summed, for the caller to keep.
         */
        int touch() {
            int acc = bodyLen;
            for (int i = 0; i < bodyLen && i < 512; i += 64) {
                acc += body[i];
            }
            return acc;
        }

        /** The record's length in bytes, header included. */
        public int length() {
            return whole != null ? whole.length : HEADER + bodyLen;
        }

        /** Whether the body is LZ4-compressed (of a record made by {@link #parts}). */
        public boolean compressed() {
            return (flags & FLAG_LZ4) != 0;
        }

        /** The record as one array, as {@link #encode} makes it (a new array unless given as one). */
        public byte[] toBytes() {
            if (whole != null) {
                return whole;
            }
            byte[] r = new byte[HEADER + bodyLen];
            r[0] = (byte) VERSION;
            r[1] = (byte) type;
            r[2] = (byte) flags;
            BIG_LONG.set(r, 3, expireAt);
            BIG_INT.set(r, 11, lru);
            BIG_INT.set(r, 15, lfu);
            BIG_INT.set(r, 19, rawLength);
            System.arraycopy(body, 0, r, HEADER, bodyLen);
            return r;
        }

        @Override
        public void writeTo(net.openhft.chronicle.bytes.RandomDataOutput target, long at) {
            if (whole != null) {
                target.write(at, whole, 0, whole.length);
                return;
            }
            // the mapped memory takes multi-byte values in the machine's order: the record's are big endian
            target.writeByte(at, (byte) VERSION);
            target.writeByte(at + 1, (byte) type);
            target.writeByte(at + 2, (byte) flags);
            target.writeLong(at + 3, NATIVE_BIG ? expireAt : Long.reverseBytes(expireAt));
            target.writeInt(at + 11, NATIVE_BIG ? lru : Integer.reverseBytes(lru));
            target.writeInt(at + 15, NATIVE_BIG ? lfu : Integer.reverseBytes(lfu));
            target.writeInt(at + 19, NATIVE_BIG ? rawLength : Integer.reverseBytes(rawLength));
            target.write(at + HEADER, body, 0, bodyLen);
        }

        // Chronicle reads a value's bytes only for operations the spill store does not use
        // (comparing values in replace/remove with an expected value); answered from a copy
        @Override
        public net.openhft.chronicle.bytes.RandomDataInput bytes() {
            return net.openhft.chronicle.bytes.BytesStore.wrap(toBytes());
        }

        @Override
        public long offset() {
            return 0;
        }

        @Override
        public long size() {
            return length();
        }

        @Override
        public byte[] get() {
            return toBytes();
        }

        @Override
        public byte[] getUsing(byte[] using) {
            return toBytes();
        }
    }

    private static final boolean NATIVE_BIG = java.nio.ByteOrder.nativeOrder() == java.nio.ByteOrder.BIG_ENDIAN;

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
