package io.strata.engine.types;

/**
 * Where a small collection lives packed: its key's entry keeps the one array of a listpack hash
 * or zset, or of an intset or small set, with no value object around it, and hands out a view
 * ({@link HashValue}, {@link SetValue}, {@link ZSetValue}) bound to it whenever the value is read.
 * A view reads the array from here at every call and puts every new array back, so views taken
 * one after another see each other's changes; a value that leaves its packed form (a hash
 * converted to "hashtable") gives the holder itself to keep.
 *
 * <p>Thread rule: keyspace thread only (a snapshot thread may read the array of an entry of a
 * segment it has claimed, which nothing changes meanwhile).
 */
public interface ValueHolder {
    /** Kind of a packed hash. */
    int HASH = 1;
    /** Kind of a packed set (intset or small set). */
    int SET = 2;
    /** Kind of a packed sorted set. */
    int ZSET = 3;

    /**
     * The packed array of a value of {@code kind}. Throws IllegalStateException when the holder
     * no longer keeps one (a view used after its key got another value: a bug).
     */
    byte[] packed(int kind);

    /** Keeps {@code array} as the packed value of {@code kind}. Arrays are never changed in place. */
    void pack(int kind, byte[] array);

    /** The value left its packed form: the holder keeps {@code v} itself from now on. */
    void unpacked(Value v);
}
