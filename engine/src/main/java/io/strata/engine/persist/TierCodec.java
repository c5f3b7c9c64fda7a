package io.strata.engine.persist;

import io.strata.engine.config.Config;
import io.strata.engine.keyspace.Keyspace;
import io.strata.storage.rdb.Dump;
import io.strata.storage.rdb.RdbFormat;
import io.strata.storage.tier.SpillRecord;

/**
 * How an engine value becomes a spill record and back: strings as their bytes (record type
 * {@code TYPE_STRING}), every other type as a DUMP payload (RDB type, RDB value encoding,
 * version, CRC64, so a damaged record is detected on promotion), LZ4-compressed when
 * {@code tier-compression lz4} and it pays.
 *
 * <p>Thread rule: encoding on the keyspace thread only (it keeps the LZ4 hit statistics);
 * decoding on any thread — it reads the encoding thresholds of the config, nothing else (the
 * snapshot thread decodes frozen records while the keyspace thread runs).
 */
public final class TierCodec implements Keyspace.ColdCodec {
    private final Config config;

    public TierCodec(Config config) {
        this.config = config;
    }

    @Override
    public SpillRecord.Parts encode(Object value, long expireAt, int lru, int lfu, int hints) {
        boolean lz4 = tryLz4();
        SpillRecord.Parts record;
        if (value instanceof byte[]) {
            // the string's own array becomes the record's body: a demoted entry's value is never changed again
            record = SpillRecord.parts(RdbFormat.TYPE_STRING, expireAt, lru, lfu, (byte[]) value, lz4, hints);
        } else {
            byte[] payload = Dump.serialize(RdbCodec.toRdb(value));
            record = SpillRecord.parts(payload[0] & 0xff, expireAt, lru, lfu, payload, lz4, 0);
        }
        if (lz4) {
            lz4Misses = record.compressed() ? 0 : lz4Misses + 1;
        }
        return record;
    }

    /** LZ4 attempts in a row that saved nothing (the data does not compress: random bytes, already packed). */
    private int lz4Misses;
    private int skipped;

    /**
     * Whether to try LZ4 on the next record: always while it pays; after 64 attempts in a row that
     * did not, only one record in 32 (a compression that finds nothing still costs its full
     * time). Keyspace thread only (encoding happens there).
     */
    private boolean tryLz4() {
        if ("none".equals(config.tierCompression)) {
            return false;
        }
        if (lz4Misses < 64) {
            return true;
        }
        return (++skipped & 31) == 0;
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
            case RdbFormat.TYPE_STREAM_LISTPACKS: case RdbFormat.TYPE_STREAM_LISTPACKS_2:
            case RdbFormat.TYPE_STREAM_LISTPACKS_3:
                return "stream";
            default:
                return "hash";
        }
    }
}
