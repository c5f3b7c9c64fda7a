package io.strata.engine.keyspace;

/**
 * One key of the hot tier: key bytes, value, absolute expiry and access clock.
 *
 * <p>40 bytes with compressed references (a 12-byte header, three references, the expiry, the
 * charge and one int of flags and clock), against 56 when the key's hash, both clocks, the charge
 * and each flag had a field of their own: like Redis' dictEntry the entry keeps no hash (a segment
 * compares key bytes, and rehashes the keys when it resizes), and like Redis' robj it keeps one
 * 24-bit clock, LRU or LFU as the maxmemory policy says ({@link Keyspace} reads and writes it).
 *
 * <p>Thread rule: keyspace thread only.
 */
public final class Entry {
    /** The key; never mutated. */
    public final byte[] key;
    /** The value: {@code byte[]} for strings; one class per type for collections. */
    public Object value;
    Entry next;
    /** Absolute expiry in Unix milliseconds, or -1 when the key does not expire. */
    long expireAt = -1;
    /**
     * Bytes this entry is counted for in its database's memory total; -1 once removed. In units
     * of 8 bytes when {@link #CHARGE_SCALED} is set (a value of 2 GB or more).
     */
    private int charge;
    /** {@link #RAW_STRING}, {@link #TEXT_STRING}, {@link #BACKED}, {@link #CHARGE_SCALED} (high byte) and the 24-bit clock. */
    private int meta;

    /**
     * The string was changed in place (APPEND, SETRANGE, SETBIT, PFADD…), so OBJECT ENCODING
     * answers "raw" as Redis does for an unshared sds; cleared when a new value is set.
     */
    private static final int RAW_STRING = 1 << 24;
    /**
     * The string was created as text, never integer-encoded (INCRBYFLOAT's result), so OBJECT
     * ENCODING answers "embstr" (or "raw" past 44 bytes) even when it reads as an integer.
     */
    private static final int TEXT_STRING = 1 << 25;
    /**
     * The spill tier still holds this key's record, identical to this entry (it was promoted by
     * a read and not changed since): demoting it again is just dropping it from RAM. The first
     * change of any kind (Keyspace.touch, expiry change, removal) drops the record.
     */
    private static final int BACKED = 1 << 26;
    /** {@link #charge} counts 8-byte units. */
    private static final int CHARGE_SCALED = 1 << 27;
    /** The clock bits: Redis' LRU_BITS. */
    static final int CLOCK_MASK = (1 << 24) - 1;

    Entry(byte[] key, Object value) {
        this.key = key;
        this.value = value;
    }

    public long expireAt() {
        return expireAt;
    }

    public boolean hasExpire() {
        return expireAt >= 0;
    }

    private boolean flag(int f) {
        return (meta & f) != 0;
    }

    private void flag(int f, boolean on) {
        meta = on ? meta | f : meta & ~f;
    }

    public boolean rawString() {
        return flag(RAW_STRING);
    }

    public void rawString(boolean on) {
        flag(RAW_STRING, on);
    }

    public boolean textString() {
        return flag(TEXT_STRING);
    }

    public void textString(boolean on) {
        flag(TEXT_STRING, on);
    }

    boolean backed() {
        return flag(BACKED);
    }

    void backed(boolean on) {
        flag(BACKED, on);
    }

    /** The 24-bit access clock: LRU seconds or LFU minutes and counter, as {@link Keyspace} keeps it. */
    int clock() {
        return meta & CLOCK_MASK;
    }

    void clock(int c) {
        meta = (meta & ~CLOCK_MASK) | (c & CLOCK_MASK);
    }

    /** The bytes charged, or -1 once removed. */
    long charged() {
        return flag(CHARGE_SCALED) ? (long) charge << 3 : charge;
    }

    /**
     * Sets the charge and returns what it records: {@code bytes} itself, or for 2 GB and more
     * {@code bytes} rounded up to 8 (the caller counts the returned figure, so totals stay exact).
     */
    long charged(long bytes) {
        if (bytes <= Integer.MAX_VALUE) {
            charge = (int) bytes;
            flag(CHARGE_SCALED, false);
            return bytes;
        }
        charge = (int) ((bytes + 7) >>> 3);
        flag(CHARGE_SCALED, true);
        return (long) charge << 3;
    }
}
