package io.strata.engine.types;

import io.strata.engine.util.Numbers;

/**
 * Type names and encodings of any stored value, for TYPE, OBJECT ENCODING, SCAN TYPE and
 * WRONGTYPE checks.
 *
 * <p>Any thread: stateless.
 */
public final class Types {
    /** Longest string Redis stores as "embstr" (OBJ_ENCODING_EMBSTR_SIZE_LIMIT). */
    public static final int EMBSTR_LIMIT = 44;

    private Types() {
    }

    public static String typeName(Object v) {
        if (v instanceof byte[]) {
            return "string";
        }
        return ((Value) v).typeName();
    }

    public static String encoding(Object v) {
        if (v instanceof byte[]) {
            byte[] b = (byte[]) v;
            if (b.length <= 20 && Numbers.isLong(b, 0, b.length)) {
                return "int";
            }
            return b.length <= EMBSTR_LIMIT ? "embstr" : "raw";
        }
        return ((Value) v).encoding();
    }

    /** OBJECT ENCODING of a key, which for strings also depends on how the value was written. */
    public static String encoding(io.strata.engine.keyspace.Entry e) {
        if (e.rawString() && e.value() instanceof byte[]) {
            return "raw";
        }
        if (e.textString() && e.value() instanceof byte[]) {
            return ((byte[]) e.value()).length <= EMBSTR_LIMIT ? "embstr" : "raw";
        }
        return encoding(e.value());
    }

    /** A view of the packed value of {@code kind} that {@code h} keeps ({@link ValueHolder}). */
    public static Value view(int kind, ValueHolder h) {
        switch (kind) {
            case ValueHolder.HASH:
                return new HashValue(h);
            case ValueHolder.SET:
                return new SetValue(h);
            case ValueHolder.ZSET:
                return new ZSetValue(h);
            default:
                throw new IllegalArgumentException("packed kind=" + kind);
        }
    }

    public static Object copy(Object v) {
        if (v instanceof byte[]) {
            return ((byte[]) v).clone();
        }
        return ((Value) v).copy();
    }

    /** Bytes a value holds, as an estimate comparable with Redis' MEMORY USAGE. */
    public static long memoryUsage(Object v) {
        if (v instanceof byte[]) {
            return io.strata.engine.keyspace.Memory.bytes(((byte[]) v).length);
        }
        return ((Value) v).memoryUsage();
    }
}
