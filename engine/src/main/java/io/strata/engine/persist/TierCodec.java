package io.strata.engine.persist;

import io.strata.engine.config.Config;
import io.strata.engine.keyspace.Keyspace;
import io.strata.storage.rdb.Dump;
import io.strata.storage.rdb.RdbFormat;
import io.strata.storage.spill.SpillRecord;

/**
 * How an engine value becomes a spill record and back: strings as their bytes (record type
 * {@code TYPE_STRING}), every other type as a DUMP payload (RDB type, RDB value encoding,
 * version, CRC64, so a damaged record is detected on promotion), LZ4-compressed when
 * {@code tier-compression lz4} and it pays.
 *
 * <p>Any thread: decoding reads the encoding thresholds of the config, nothing else (the
 * snapshot thread decodes frozen records while the keyspace thread runs).
 */
public final class TierCodec implements Keyspace.ColdCodec {
    private final Config config;

    public TierCodec(Config config) {
        this.config = config;
    }

    @Override
    public byte[] encode(Object value, long expireAt, int lru, int lfu, int hints) {
        boolean lz4 = !"none".equals(config.tierCompression);
        if (value instanceof byte[]) {
            return SpillRecord.encode(RdbFormat.TYPE_STRING, expireAt, lru, lfu, (byte[]) value, lz4, hints);
        }
        byte[] payload = Dump.serialize(RdbCodec.toRdb(value));
        return SpillRecord.encode(payload[0] & 0xff, expireAt, lru, lfu, payload, lz4);
    }

    @Override
    public Object decode(byte[] record) {
        byte[] payload = SpillRecord.payload(record);
        if (SpillRecord.type(record) == RdbFormat.TYPE_STRING) {
            return payload;
        }
        return RdbCodec.fromRdb(Dump.deserialize(payload), config);
    }

    @Override
    public String typeName(byte[] record) {
        switch (SpillRecord.type(record)) {
            case RdbFormat.TYPE_STRING:
                return "string";
            case RdbFormat.TYPE_LIST: case RdbFormat.TYPE_LIST_ZIPLIST: case RdbFormat.TYPE_LIST_QUICKLIST:
            case RdbFormat.TYPE_LIST_QUICKLIST_2:
                return "list";
            case RdbFormat.TYPE_SET: case RdbFormat.TYPE_SET_INTSET: case RdbFormat.TYPE_SET_LISTPACK:
                return "set";
            case RdbFormat.TYPE_ZSET: case RdbFormat.TYPE_ZSET_2: case RdbFormat.TYPE_ZSET_ZIPLIST:
            case RdbFormat.TYPE_ZSET_LISTPACK:
                return "zset";
            default:
                return "hash";
        }
    }
}
