package io.strata.storage.tier;

import net.openhft.chronicle.bytes.BytesStore;
import net.openhft.chronicle.bytes.RandomDataInput;
import net.openhft.chronicle.bytes.RandomDataOutput;
import net.openhft.chronicle.hash.AbstractData;
import net.openhft.chronicle.hash.Data;
import net.openhft.chronicle.hash.serialization.DataAccess;
import net.openhft.chronicle.wire.WireIn;
import net.openhft.chronicle.wire.WireOut;

/**
 * How the spill maps see a {@code byte[]} key or record: copied into a buffer this access keeps
 * and reuses, instead of Chronicle's default, which wraps every array in a new reference-counted
 * {@code HeapBytesStore}. Profiled on a load streaming 1M records into the spill tier, that wrap
 * (with its reference-count bookkeeping: a listener manager, a copy-on-write list, a lambda) was
 * most of the writer thread's allocation; a copy of a few hundred bytes is cheaper than any of it.
 *
 * <p>The copy is made only when Chronicle reads the data as bytes (hashing and comparing keys);
 * writing it into the map copies the array straight into the mapped memory in one block
 * ({@link #writeTo}): Chronicle's default writes a {@code BytesStore} source eight bytes per
 * call, which was 40% of the writer thread on a spilling load (profiled).
 *
 * <p>Chronicle gives each context (one per thread and map) its own {@link #copy}; an instance is
 * used by one thread at a time.
 */
final class ScratchByteArrayAccess extends AbstractData<byte[]> implements DataAccess<byte[]> {
    private transient byte[] array;
    private transient byte[] scratch;
    private transient BytesStore<?, byte[]> store;
    /** Whether {@link #store} holds {@link #array}'s bytes now. */
    private transient boolean ready;

    ScratchByteArrayAccess() {
    }

    /** Larger arrays are wrapped as Chronicle does, not copied: a buffer that size is not kept. */
    private static final int MAX_SCRATCH = 64 * 1024;

    @Override
    public Data<byte[]> getData(byte[] instance) {
        array = instance;
        ready = false;
        return this;
    }

    /** {@link #store} with the array's bytes: the reused buffer, or for a large array its own wrap. */
    private BytesStore<?, byte[]> ready() {
        if (ready) {
            return store;
        }
        int n = array.length;
        if (n > MAX_SCRATCH) {
            store = BytesStore.wrap(array);
        } else {
            if (scratch == null || scratch.length < n) {
                scratch = new byte[n <= 256 ? 256 : Integer.highestOneBit(n - 1) << 1];
                store = BytesStore.wrap(scratch);
            } else if (store == null || store.underlyingObject() != scratch) {
                store = BytesStore.wrap(scratch); // after a large array
            }
            System.arraycopy(array, 0, scratch, 0, n);
        }
        ready = true;
        return store;
    }

    @Override
    public void writeTo(RandomDataOutput target, long targetOffset) {
        target.write(targetOffset, array, 0, array.length);
    }

    @Override
    public void uninit() {
        array = null;
        ready = false;
        if (store != null && store.underlyingObject() != scratch) {
            store = null;
        }
    }

    @Override
    public DataAccess<byte[]> copy() {
        return new ScratchByteArrayAccess();
    }

    @Override
    public RandomDataInput bytes() {
        return ready();
    }

    @Override
    public long offset() {
        return ready().start();
    }

    @Override
    public long size() {
        return array.length;
    }

    @Override
    public byte[] get() {
        return array;
    }

    @Override
    public byte[] getUsing(byte[] using) {
        if (using == null || using.length != array.length) {
            using = new byte[array.length];
        }
        System.arraycopy(array, 0, using, 0, array.length);
        return using;
    }

    @Override
    public void writeMarshallable(WireOut wire) {
        // no configuration: the map's header names the class only
    }

    @Override
    public void readMarshallable(WireIn wire) {
        array = null;
        scratch = null;
        store = null;
        ready = false;
    }
}
