package io.strata.engine.types;

/**
 * A collection value stored in {@code Entry.value} (strings are plain {@code byte[]}).
 * Each implementation mirrors the encodings Redis 7.0 reports, switching one way (small to big)
 * when a {@code *-max-*} threshold is crossed, exactly as Redis converts.
 *
 * <p>Thread rule: keyspace thread only.
 */
public interface Value {
    /** The name TYPE answers: "list", "hash", "set", "zset". */
    String typeName();

    /** What OBJECT ENCODING answers for this value now. */
    String encoding();

    /** Number of elements; an aggregate that reaches 0 is removed from the keyspace. */
    long size();

    /** An independent deep copy (COPY, snapshots). */
    Value copy();

    /** Approximate bytes of memory held, for INFO used_memory and eviction. */
    long memoryUsage();

    /**
     * Moves this value's packed array into {@code h}, which keeps it from now on, and makes this
     * object a view of it; false (nothing done) when the value has no packed form now.
     */
    default boolean bindTo(ValueHolder h) {
        return false;
    }
}
