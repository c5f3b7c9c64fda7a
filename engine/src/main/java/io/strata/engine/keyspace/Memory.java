package io.strata.engine.keyspace;

import io.strata.engine.types.Types;

/**
 * Estimates of heap bytes, from the JVM's object layout with compressed references (12-byte
 * object headers, 16-byte array headers, 8-byte alignment). Used for INFO used_memory and for
 * deciding when the hot tier is full.
 *
 * <p>Any thread: stateless.
 */
public final class Memory {
    /** An Entry object: header, key/value/next references, expiry, charge, flags and clock. */
    static final int ENTRY = 40;
    /** Share of the segment's bucket array per entry (4-byte slots, load factor 0.5–1). */
    static final int TABLE_SHARE = 6;

    private Memory() {
    }

    public static long align(long n) {
        return (n + 7) & ~7L;
    }

    /** A byte[] of {@code len} bytes. */
    public static long bytes(int len) {
        return align(16L + len);
    }

    static long entryBytes(Entry e) {
        return TABLE_SHARE + keyBytes(e);
    }

    /** MEMORY USAGE of a key: its entry, key array and value (Redis counts its dictEntry, key and object alike). */
    public static long keyBytes(Entry e) {
        return ENTRY + bytes(e.key.length) + Types.memoryUsage(e.value());
    }
}
