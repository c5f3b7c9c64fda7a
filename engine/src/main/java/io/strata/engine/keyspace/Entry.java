package io.strata.engine.keyspace;

/**
 * One key of the hot tier: key bytes, value, absolute expiry and access clock.
 *
 * <p>Thread rule: keyspace thread only.
 */
public final class Entry {
    /** The key; never mutated. */
    public final byte[] key;
    /** Hash of the key for the segment table. */
    final int hash;
    /** The value: {@code byte[]} for strings; one class per type for collections. */
    public Object value;
    /** Absolute expiry in Unix milliseconds, or -1 when the key does not expire. */
    long expireAt = -1;
    /** Last access time in seconds (LRU clock), for OBJECT IDLETIME and eviction. */
    public int lruSeconds;
    /** Logarithmic access counter (LFU), for OBJECT FREQ. */
    public int lfu = 5;
    Entry next;
    /**
     * The string was changed in place (APPEND, SETRANGE, SETBIT, PFADD…), so OBJECT ENCODING
     * answers "raw" as Redis does for an unshared sds; cleared when a new value is set.
     */
    public boolean rawString;
    /**
     * The string was created as text, never integer-encoded (INCRBYFLOAT's result), so OBJECT
     * ENCODING answers "embstr" (or "raw" past 44 bytes) even when it reads as an integer.
     */
    public boolean textString;
    /** Bytes this entry is counted for in its database's memory total; -1 once removed. */
    long charged;
    /**
     * The spill tier still holds this key's record, identical to this entry (it was promoted by
     * a read and not changed since): demoting it again is just dropping it from RAM. The first
     * change of any kind (Keyspace.touch, expiry change, removal) drops the record.
     */
    boolean backed;

    Entry(byte[] key, int hash, Object value) {
        this.key = key;
        this.hash = hash;
        this.value = value;
    }

    public long expireAt() {
        return expireAt;
    }

    public boolean hasExpire() {
        return expireAt >= 0;
    }
}
