package io.strata.storage.rdb;

import java.util.ArrayList;
import java.util.List;

/**
 * One value as the RDB format describes it, independent of any in-memory representation:
 * a string, a list or set of elements, hash fields and values, or zset members and scores.
 * The reader produces these one at a time; the writer and DUMP consume them.
 *
 * <p>Thread rule: not shared; owned by whoever built it.
 */
public final class RdbValue {
    /** The logical type; on-disk type codes are in {@link RdbFormat}. */
    public enum Kind { STRING, LIST, SET, ZSET, HASH, STREAM }

    public final Kind kind;
    /** The RDB type code it was read with (or will be written with). */
    public int rdbType;
    /** STRING: the bytes. */
    public byte[] string;
    /** LIST and SET: the elements; HASH: the fields; ZSET: the members. */
    public final List<byte[]> items;
    /** HASH: the values, parallel to {@link #items}. */
    public final List<byte[]> values;
    /** ZSET: the scores, parallel to {@link #items}. */
    public double[] scores;
    /** STREAM: the decoded stream. */
    public RdbStream stream;
    private int scoreCount;

    private RdbValue(Kind kind, int rdbType, int capacity) {
        this.kind = kind;
        this.rdbType = rdbType;
        this.items = kind == Kind.STRING || kind == Kind.STREAM ? List.of() : new ArrayList<>(Math.min(capacity, 1 << 16));
        this.values = kind == Kind.HASH ? new ArrayList<>(Math.min(capacity, 1 << 16)) : List.of();
        this.scores = kind == Kind.ZSET ? new double[Math.min(Math.max(capacity, 4), 1 << 16)] : null;
    }

    public static RdbValue string(byte[] s) {
        RdbValue v = new RdbValue(Kind.STRING, RdbFormat.TYPE_STRING, 0);
        v.string = s;
        return v;
    }

    public static RdbValue stream(int rdbType, RdbStream s) {
        RdbValue v = new RdbValue(Kind.STREAM, rdbType, 0);
        v.stream = s;
        return v;
    }

    public static RdbValue list(int rdbType, int capacity) {
        return new RdbValue(Kind.LIST, rdbType, capacity);
    }

    public static RdbValue set(int rdbType, int capacity) {
        return new RdbValue(Kind.SET, rdbType, capacity);
    }

    public static RdbValue hash(int rdbType, int capacity) {
        return new RdbValue(Kind.HASH, rdbType, capacity);
    }

    public static RdbValue zset(int rdbType, int capacity) {
        return new RdbValue(Kind.ZSET, rdbType, capacity);
    }

    public void add(byte[] item) {
        items.add(item);
    }

    public void put(byte[] field, byte[] value) {
        items.add(field);
        values.add(value);
    }

    public void add(byte[] member, double score) {
        if (scoreCount == scores.length) {
            scores = java.util.Arrays.copyOf(scores, scores.length * 2);
        }
        items.add(member);
        scores[scoreCount++] = score;
    }

    /** Elements (list, set, zset) or fields (hash); 1 for a string. */
    public int size() {
        if (kind == Kind.STREAM) {
            return stream.entries.size();
        }
        return kind == Kind.STRING ? 1 : items.size();
    }

    /** Type name as Redis' TYPE answers. */
    public String typeName() {
        return kind.name().toLowerCase();
    }
}
