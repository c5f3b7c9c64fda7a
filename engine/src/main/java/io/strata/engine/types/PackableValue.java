package io.strata.engine.types;

/**
 * What a hash, set and sorted set share about their packed form: standalone, the value object
 * holds its representation (a packed array, or the structure it converted to); bound to its
 * key's entry ({@link #bindTo}), it is a view that reads the array from the {@link ValueHolder}
 * at every call and puts every new array back there. Leaving the packed form hands the value
 * itself to the holder, which keeps it from then on.
 *
 * <p>Thread rule: keyspace thread only.
 */
abstract class PackableValue implements Value {
    /** Standalone: a packed byte[] or the converted structure; unused while bound. */
    private Object rep;
    /** The entry whose array this object is a view of, or null when standalone. */
    private ValueHolder owner;

    PackableValue(Object rep) {
        this.rep = rep;
    }

    /** A view of the array {@code owner} keeps. */
    PackableValue(ValueHolder owner) {
        this.owner = owner;
    }

    /** {@link ValueHolder#HASH}, {@link ValueHolder#SET} or {@link ValueHolder#ZSET}. */
    abstract int packedKind();

    /** The representation now: the holder's array while bound. */
    final Object rep() {
        return owner != null ? owner.packed(packedKind()) : rep;
    }

    /** Replaces the representation; a view given a non-array hands itself to its entry. */
    final void rep(Object r) {
        if (owner == null) {
            rep = r;
        } else if (r instanceof byte[]) {
            owner.pack(packedKind(), (byte[]) r);
        } else {
            ValueHolder o = owner;
            owner = null;
            rep = r;
            o.unpacked(this);
        }
    }

    /** Whether this object is a view of an entry's array (it then costs no heap of its own there). */
    final boolean bound() {
        return owner != null;
    }

    @Override
    public final boolean bindTo(ValueHolder h) {
        Object r = rep();
        if (!(r instanceof byte[])) {
            return false;
        }
        owner = h;
        rep = null;
        h.pack(packedKind(), (byte[]) r);
        return true;
    }
}
