package io.strata.engine.keyspace;

import io.strata.engine.types.Types;
import io.strata.engine.types.Value;
import io.strata.engine.types.ValueHolder;

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
public final class Entry implements ValueHolder {
    /** The key; never mutated. */
    public final byte[] key;
    /**
     * The value: {@code byte[]} for strings; one class per type for collections; or, when the
     * packed kind bits of {@link #meta} are set, the one array of a small hash, set or zset, read
     * through views ({@link ValueHolder}): with no value object, a 5-field hash costs its entry,
     * its key and that array.
     */
    private Object value;
    Entry next;
    /** Absolute expiry in Unix milliseconds, or -1 when the key does not expire. */
    long expireAt = -1;
    /**
     * Bytes this entry is counted for in its database's memory total; -1 once removed. In units
     * of 8 bytes when {@link #CHARGE_SCALED} is set (a value of 2 GB or more).
     */
    private int charge;
    /** {@link #RAW_STRING}, {@link #TEXT_STRING}, {@link #BACKED}, {@link #CHARGE_SCALED}, the packed kind (high byte) and the 24-bit clock. */
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
    /** Two bits: 0, or the {@link ValueHolder} kind of the packed array {@link #value} holds. */
    private static final int KIND_SHIFT = 28;
    private static final int KIND_MASK = 3 << KIND_SHIFT;
    /** The clock bits: Redis' LRU_BITS. */
    static final int CLOCK_MASK = (1 << 24) - 1;

    Entry(byte[] key, Object value) {
        this.key = key;
        value(value);
    }

    /**
     * The value: a {@code byte[]} string, or a collection — for a packed one a new view of the
     * array this entry keeps, so take it once per use rather than keeping it past the command.
     */
    public Object value() {
        int kind = (meta & KIND_MASK) >>> KIND_SHIFT;
        return kind == 0 ? value : Types.view(kind, this);
    }

    /**
     * Sets the value. A collection with a packed form gives its array to this entry and becomes a
     * view of it, so a caller may go on changing the object it passed.
     */
    public void value(Object v) {
        if (v instanceof Value && ((Value) v).bindTo(this)) {
            return; // bindTo called pack()
        }
        meta &= ~KIND_MASK;
        value = v;
    }

    @Override
    public byte[] packed(int kind) {
        if ((meta & KIND_MASK) >>> KIND_SHIFT != kind) {
            throw new IllegalStateException("stale view: key " + new String(key, java.nio.charset.StandardCharsets.UTF_8)
                + " holds no packed value of kind=" + kind + " now");
        }
        return (byte[]) value;
    }

    @Override
    public void pack(int kind, byte[] array) {
        meta = (meta & ~KIND_MASK) | (kind << KIND_SHIFT);
        value = array;
    }

    @Override
    public void unpacked(Value v) {
        meta &= ~KIND_MASK;
        value = v;
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
