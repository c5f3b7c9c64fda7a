package io.strata.storage.rdb;

/**
 * Descriptor of the Redis RDB file format, as Redis' {@code rdb.h}.
 *
 * <pre>
 * file    := "REDIS" VVVV  (aux | selectdb | resizedb | function | entry)*  0xFF  crc64(8, LE)
 * aux     := 0xFA string(key) string(value)
 * selectdb:= 0xFE length(db)
 * resizedb:= 0xFB length(keys) length(expires)
 * entry   := [0xFC ms(8, LE) | 0xFD sec(4, LE)] [0xF8 length(idle) | 0xF9 byte(freq)] type string(key) value(type)
 *
 * length  := 00xxxxxx                     6-bit length
 *          | 01xxxxxx xxxxxxxx            14-bit length (big endian)
 *          | 10000000 u32 (big endian)    32-bit length
 *          | 10000001 u64 (big endian)    64-bit length
 *          | 11xxxxxx                     special string encoding xxxxxx (INT8 INT16 INT32 LZF)
 * string  := length bytes | 11000000 i8 | 11000001 i16(LE) | 11000010 i32(LE)
 *          | 11000011 length(clen) length(len) lzf-bytes(clen)
 * </pre>
 *
 * <p>The numeric codes below are on-disk values shared with Redis: never renumber them, and keep
 * them apart from any in-memory enum. Versions: Strata reads 1..{@link #MAX_READ_VERSION} and
 * writes {@link #WRITE_VERSION} (what redis-server 7.0 writes and loads); bump the write version
 * only together with Redis.
 *
 * <p>Any thread: constants only.
 */
public final class RdbFormat {
    private RdbFormat() {
    }

    public static final byte[] MAGIC = {'R', 'E', 'D', 'I', 'S'};
    /** RDB version written: 10, as redis-server 7.0. */
    public static final int WRITE_VERSION = 10;
    /** Newest RDB version read: 12 (redis-server 7.4+). */
    public static final int MAX_READ_VERSION = 12;

    // ---- value types (never renumber) ----
    public static final int TYPE_STRING = 0;
    public static final int TYPE_LIST = 1;
    public static final int TYPE_SET = 2;
    public static final int TYPE_ZSET = 3;
    public static final int TYPE_HASH = 4;
    public static final int TYPE_ZSET_2 = 5;
    public static final int TYPE_MODULE_PRE_GA = 6;
    public static final int TYPE_MODULE_2 = 7;
    public static final int TYPE_HASH_ZIPMAP = 9;
    public static final int TYPE_LIST_ZIPLIST = 10;
    public static final int TYPE_SET_INTSET = 11;
    public static final int TYPE_ZSET_ZIPLIST = 12;
    public static final int TYPE_HASH_ZIPLIST = 13;
    public static final int TYPE_LIST_QUICKLIST = 14;
    public static final int TYPE_STREAM_LISTPACKS = 15;
    public static final int TYPE_HASH_LISTPACK = 16;
    public static final int TYPE_ZSET_LISTPACK = 17;
    public static final int TYPE_LIST_QUICKLIST_2 = 18;
    public static final int TYPE_STREAM_LISTPACKS_2 = 19;
    public static final int TYPE_SET_LISTPACK = 20;
    public static final int TYPE_STREAM_LISTPACKS_3 = 21;
    public static final int TYPE_HASH_METADATA_PRE_GA = 22;
    public static final int TYPE_HASH_LISTPACK_EX_PRE_GA = 23;
    public static final int TYPE_HASH_METADATA = 24;
    public static final int TYPE_HASH_LISTPACK_EX = 25;

    // ---- opcodes (never renumber) ----
    public static final int OPCODE_SLOT_INFO = 0xF4;
    public static final int OPCODE_FUNCTION2 = 0xF5;
    public static final int OPCODE_FUNCTION_PRE_GA = 0xF6;
    public static final int OPCODE_MODULE_AUX = 0xF7;
    public static final int OPCODE_IDLE = 0xF8;
    public static final int OPCODE_FREQ = 0xF9;
    public static final int OPCODE_AUX = 0xFA;
    public static final int OPCODE_RESIZEDB = 0xFB;
    public static final int OPCODE_EXPIRETIME_MS = 0xFC;
    public static final int OPCODE_EXPIRETIME = 0xFD;
    public static final int OPCODE_SELECTDB = 0xFE;
    public static final int OPCODE_EOF = 0xFF;

    // ---- length encoding ----
    public static final int LEN_6BIT = 0;
    public static final int LEN_14BIT = 1;
    public static final int LEN_32BIT = 0x80;
    public static final int LEN_64BIT = 0x81;
    public static final int LEN_ENCVAL = 3;
    public static final int ENC_INT8 = 0;
    public static final int ENC_INT16 = 1;
    public static final int ENC_INT32 = 2;
    public static final int ENC_LZF = 3;

    // ---- quicklist 2 node containers ----
    public static final int QUICKLIST_NODE_PLAIN = 1;
    public static final int QUICKLIST_NODE_PACKED = 2;
}
