package io.strata.storage.tier;

import io.strata.storage.StorageException;
import io.strata.storage.StorageException.Code;
import net.openhft.chronicle.hash.serialization.impl.ByteArraySizedReader;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.ChronicleMapBuilder;
import net.openhft.chronicle.map.ExternalMapQueryContext;
import net.openhft.chronicle.map.MapEntry;
import net.openhft.chronicle.map.MapSegmentContext;

import java.io.Closeable;
import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * The spill tier: cold records in mmap'd Chronicle Maps under one directory, split into
 * partitions by key hash, each partition a list of generations. A generation is sized from what
 * is known when it is created (the partition's size and the average key and record sizes seen so
 * far); when it fills up a new one is added, so the user never states entry counts. Each
 * generation has an in-RAM {@link CuckooFilter} of the keys whose live record it holds (about
 * 2–3 bytes per key), which answers most misses without touching the files; a generation is full
 * when its filter is, and a key is removed only from the filter of the generation that holds it. The directory is wiped on
 * open: spill files are rebuilt from RDB and AOF, never trusted after a crash.
 *
 * <p>Point-in-time reads ({@link #freeze}): while frozen, the generations that existed at the
 * freeze are never changed. New records go to generations created after it, and removals of
 * records in frozen generations are only noted (the key is dead for every reader here) and carried
 * out by {@link #thaw}. A snapshot thread can therefore read the frozen generations, unlocked by
 * the keyspace thread's work, and see exactly the records of the freeze instant.
 *
 * <p>Invariant outside a freeze: every key has at most one physical record. Records are opaque
 * bytes (the engine stores type, expiry and the RDB encoding of the value, see
 * {@link SpillRecord}). Thread rule: the keyspace thread calls everything except
 * {@link Frozen#forEach}, which a snapshot thread may run while the keyspace thread goes on.
 */
public final class SpillStore implements Closeable {
    static {
        // Chronicle would otherwise try to send usage analytics: this product never calls out
        System.setProperty("chronicle.analytics.disable", "true");
    }

    /** Result of {@link #put}. */
    public enum PutResult { OK, FULL }

    private static final int PARTITIONS = 8;
    /** Per-record bytes Chronicle adds besides key and value (measured order of magnitude). */
    private static final int RECORD_OVERHEAD = 32;
    /** A partition with more generations than this is compacted by {@link #compactStep}. */
    private static final int MAX_GENERATIONS = 3;
    /**
     * While records stream in faster than compaction moves them (a load past maxmemory), a
     * partition is compacted only past this many generations: measured on a 1M-key load, moving
     * records during it re-wrote 23% of them and cost the event loop that much again.
     */
    private static final int MAX_GENERATIONS_WHILE_WRITING = 8;

    private final Path dir;
    private final long firstGenerationEntries;
    private long maxBytes;
    private final List<List<ChronicleMap<byte[], byte[]>>> partitions = new ArrayList<>();
    /** The ids of each partition's generations, ascending: a scan cursor names a generation by id, so removals don't shift it. */
    private final List<List<Integer>> generationIds = new ArrayList<>();
    /** Each generation's filter, parallel to {@link #partitions}: it holds exactly the keys whose live record is there. */
    private final List<List<CuckooFilter>> filters = new ArrayList<>();
    /** Sum of the filters' sizes when created (their tables are fixed; a stash of a few entries is not counted). */
    private long filterTableBytes;
    private long count;
    private long keyBytes;
    private long recordBytes;
    private int generationsCreated;
    private int fileSeq;
    private boolean closed;

    /** Generations per partition that a running freeze protects; null when not frozen. */
    private int[] frozenCount;
    /** Keys whose record in a frozen generation is dead (removed while frozen). */
    private final Set<ByteBuffer> deferred = new HashSet<>();

    /** Each partition's generations, newest last, for {@link #prefetch} on another thread; republished on every change. */
    private volatile ChronicleMap<byte[], byte[]>[][] readView = emptyView();
    /** {@link #prefetch} holds it shared; closing a map takes it exclusively (no read races an unmap). */
    private final java.util.concurrent.locks.ReentrantReadWriteLock closeLock = new java.util.concurrent.locks.ReentrantReadWriteLock();

    /**
     * Records handed to the {@link SpillWriter} and not yet known to be written, by key: reads
     * answer from here until the map has the record. Each one's hash is already in its
     * generation's filter, so only a key the filters say may be here is looked up.
     */
    private final PendingTable pending = new PendingTable();
    /** The same ops in the order handed over (the writer finishes them in about that order). */
    private final java.util.ArrayDeque<SpillWriter.Op> inFlight = new java.util.ArrayDeque<>();
    private long inFlightBytes;
    private int handOvers;
    /** Past either bound the keyspace thread writes queued records itself instead of queuing more. */
    private static final int MAX_IN_FLIGHT = 8192;
    private static final long MAX_IN_FLIGHT_BYTES = 4L << 20;

    // statistics
    public long filterMisses;
    public long filterFalsePositives;
    /** Records {@link #compactStep} moved from an older generation into the newest. */
    public long compactionMoves;

    private SpillStore(Path dir, long maxBytes, long firstGenerationEntries) {
        this.dir = dir;
        this.maxBytes = maxBytes;
        this.firstGenerationEntries = firstGenerationEntries;
        for (int i = 0; i < PARTITIONS; i++) {
            partitions.add(new ArrayList<>());
            generationIds.add(new ArrayList<>());
            filters.add(new ArrayList<>());
        }
    }

    /**
     * Opens an empty store in {@code dir} (created; any files left there are deleted).
     * {@code maxBytes} bounds the bytes of the stored records, keys and per-record overhead
     * (0 = no bound): the disk budget ({@code tier-spill-max-size}).
     */
    public static SpillStore open(Path dir, long maxBytes) {
        return open(dir, maxBytes, 16 * 1024);
    }

    /** As {@link #open(Path, long)}, with the entry count the first generation is sized for. */
    public static SpillStore open(Path dir, long maxBytes, long firstGenerationEntries) {
        wipe(dir);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new StorageException(Code.IO, 0, "cannot prepare spill directory " + dir + ": " + e.getMessage(), e);
        }
        return new SpillStore(dir, maxBytes, firstGenerationEntries);
    }

    /** Deletes {@code dir} and everything under it, if it exists. */
    public static void wipe(Path dir) {
        try {
            if (Files.exists(dir)) {
                try (var files = Files.walk(dir)) {
                    files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
                }
            }
        } catch (IOException e) {
            throw new StorageException(Code.IO, 0, "cannot wipe spill directory " + dir + ": " + e.getMessage(), e);
        }
    }

    public void setMaxBytes(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    @SuppressWarnings("unchecked")
    private static ChronicleMap<byte[], byte[]>[][] emptyView() {
        ChronicleMap<byte[], byte[]>[][] v = new ChronicleMap[PARTITIONS][];
        for (int p = 0; p < PARTITIONS; p++) {
            v[p] = new ChronicleMap[0];
        }
        return v;
    }

    @SuppressWarnings("unchecked")
    private void publishReadView() {
        ChronicleMap<byte[], byte[]>[][] v = new ChronicleMap[PARTITIONS][];
        for (int p = 0; p < PARTITIONS; p++) {
            v[p] = partitions.get(p).toArray(new ChronicleMap[0]);
        }
        readView = v;
    }

    /**
     * Any thread: reads {@code key}'s record once so its pages are in memory when the keyspace
     * thread reads it (a cold read that would fault pages in from disk is done here instead).
     * Best effort: it may read a record that is gone by then, or nothing.
     */
    public void prefetch(byte[] key) {
        ChronicleMap<byte[], byte[]>[] gens = readView[partition(CuckooFilter.hash(key))];
        closeLock.readLock().lock();
        try {
            for (int g = gens.length - 1; g >= 0; g--) {
                if (gens[g].isOpen() && gens[g].get(key) != null) {
                    return;
                }
            }
        } catch (RuntimeException gone) {
            // closed or replaced meanwhile: the keyspace thread reads it itself
        } finally {
            closeLock.readLock().unlock();
        }
    }

    private static int partition(long h) {
        return (int) ((h >>> 59) & (PARTITIONS - 1));
    }

    /** A generation's map made ahead of need on the preparing thread: file created, its first pages faulted in. */
    private static final class Prepared {
        final int seq;
        final long entries;
        final File file;
        final java.util.concurrent.CompletableFuture<GenerationFill> map;

        Prepared(int seq, long entries, File file, java.util.concurrent.CompletableFuture<GenerationFill> map) {
            this.seq = seq;
            this.entries = entries;
            this.file = file;
            this.map = map;
        }
    }

    /** Each partition's next generation, while one is being or has been prepared. */
    private final Prepared[] prepared = new Prepared[PARTITIONS];
    /** Each partition's newest generation and how far its pages are faulted in (null when it has none). */
    private final GenerationFill[] newestFill = new GenerationFill[PARTITIONS];

    private static final java.util.concurrent.Executor PREPARER = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "strata-spill-prepare");
        t.setDaemon(true);
        return t;
    });

    private static final java.util.concurrent.atomic.AtomicBoolean warmedUp = new java.util.concurrent.atomic.AtomicBoolean();

    /**
     * Starts loading and initialising Chronicle Map's classes on the preparing thread, once per
     * process: the first map a JVM creates took 1.2 s (class loading and initialisation), which
     * without this the keyspace thread spent at the first demotion, stalling every client (a PING
     * waited 1.4 s). Call when the spill tier is turned on. The map is a small temporary file, deleted at once.
     */
    public static void warmUp() {
        if (!warmedUp.compareAndSet(false, true)) {
            return;
        }
        PREPARER.execute(() -> {
            File f = null;
            try {
                f = File.createTempFile("strata-spill-warm-up", ".cm");
                try (ChronicleMap<byte[], byte[]> m = createMap("strata-spill-warm-up", 64, 16, 64, f)) {
                    GenerationFill.start(m);
                    write(m, new byte[16], SpillRecord.parts(0, -1, 0, 0, new byte[64], false, 0));
                    m.get(new byte[16]);
                    m.remove(new byte[16]);
                }
            } catch (IOException | RuntimeException | LinkageError ignored) {
                // only a head start: the first real map reports any problem
            } finally {
                if (f != null) {
                    f.delete();
                }
            }
        });
    }

    private static ChronicleMap<byte[], byte[]> createMap(String name, long entries, double avgKey, double avgValue, File f)
            throws IOException {
        return ChronicleMapBuilder.of(byte[].class, byte[].class)
            .actualSegments(segments(entries, avgKey, avgValue))
            .keyReaderAndDataAccess(ByteArraySizedReader.INSTANCE, new ScratchByteArrayAccess())
            .valueReaderAndDataAccess(ByteArraySizedReader.INSTANCE, new ScratchByteArrayAccess())
            .name(name)
            // a generation takes as many records as its filter (entries); the 1/16 beyond is for
            // records larger than the average seen so far (with few segments Chronicle adds
            // little headroom of its own), and no page of it is made unless used
            .entries(entries + entries / 16 + 16)
            .averageKeySize(avgKey)
            .averageValueSize(avgValue)
            .actualChunkSize(chunkSize(avgKey, avgValue))
            // measured: the default bloat of 1.0 threw near 2x the declared entries; 20 let a
            // map take far more than declared before a new generation is needed
            .maxBloatFactor(20)
            // spill files are never reopened (rebuilt from RDB/AOF on load), so the per-entry
            // checksum Chronicle keeps for recovering a persisted map after a crash is never read
            .checksumEntries(false)
            .createPersistedTo(f);
    }

    /** Bytes of records a map segment is given: well past the kernel's read-around of a fault. */
    private static final long SEGMENT_BYTES = 32L << 20;

    /**
     * Segments of a new map: one per {@link #SEGMENT_BYTES} of records. Making a map reads each
     * segment's hash lookup; with Chronicle's default (a segment per few thousand entries, a few
     * MB each) and this project's VM's 8 MB read-around, that put the whole file in memory at
     * once, records or not. On a 2M x 400 B load, large segments left 1.11 GB of pages in
     * memory instead of 1.41 GB and took 1.8 s less CPU of the preparing thread (3 alternating
     * fresh loads each). One writer thread and the keyspace thread use a map, so more segments
     * would buy no concurrency; the walks that went a segment per step (compaction,
     * RANDOMKEY) stop early instead, and SCAN's copies only record headers.
     */
    static int segments(long entries, double avgKey, double avgValue) {
        double bytes = entries * (avgKey + avgValue + 8);
        return (int) Math.max(1, Math.min(1 << 12, Math.round(bytes / SEGMENT_BYTES)));
    }

    /**
     * Chunk size of a new map: the largest power of two within a sixteenth of an average entry,
     * 8 to 64. Chronicle's choice for 400 B values was 64; rounding each entry up to it made the
     * file 590 B per 471 B record, and 16 made it 514 (one segment).
     */
    static int chunkSize(double avgKey, double avgValue) {
        int c = Integer.highestOneBit((int) Math.max(1, (avgKey + avgValue + 4) / 16));
        return Math.max(8, Math.min(64, c));
    }

    /** Entries a new generation of a partition is sized for: half the partition's size (its filter is then at worst a third empty). */
    private long nextGenerationEntries() {
        return Math.max(firstGenerationEntries, count / PARTITIONS / 2);
    }

    private double avgKey() {
        return count == 0 ? 24 : Math.max(8, (double) keyBytes / count);
    }

    private double avgValue() {
        return count == 0 ? 256 : Math.max(16, (double) recordBytes / count);
    }

    /**
     * Starts making partition {@code p}'s next generation on the preparing thread when its newest
     * one is three quarters full, so that the switch costs the keyspace thread nothing (creating
     * and zeroing a map was 3% of a spilling load's keyspace thread).
     */
    private void prepareAhead(int p, CuckooFilter newest) {
        if (prepared[p] != null || !SpillWriter.ENABLED || newest.size() < newest.capacity() / 4 * 3) {
            return;
        }
        long entries = nextGenerationEntries();
        double avgKey = avgKey();
        double avgValue = avgValue();
        int seq = fileSeq++;
        File f = dir.resolve("spill-p" + p + "-" + seq + ".cm").toFile();
        String name = "strata-spill-p" + p + "-" + seq;
        prepared[p] = new Prepared(seq, entries, f, java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return GenerationFill.start(createMap(name, entries, avgKey, avgValue, f));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, PREPARER));
    }

    /** Closes and deletes the generations prepared and not used. */
    private void dropPrepared() {
        for (int p = 0; p < PARTITIONS; p++) {
            Prepared pr = prepared[p];
            prepared[p] = null;
            if (pr != null) {
                try {
                    pr.map.join().map.close();
                } catch (RuntimeException failed) {
                    // nothing was made
                }
                pr.file.delete();
            }
        }
    }

    private ChronicleMap<byte[], byte[]> newGeneration(int p) {
        List<ChronicleMap<byte[], byte[]>> gens = partitions.get(p);
        ChronicleMap<byte[], byte[]> m = null;
        GenerationFill fill = null;
        long entries = 0;
        int seq = 0;
        Prepared pr = prepared[p];
        prepared[p] = null;
        if (pr != null) {
            try {
                fill = pr.map.join();
                m = fill.map;
                entries = pr.entries;
                seq = pr.seq;
            } catch (RuntimeException failed) {
                pr.file.delete(); // made here instead, reporting any error
            }
        }
        if (m == null) {
            entries = nextGenerationEntries();
            seq = fileSeq++;
            File f = dir.resolve("spill-p" + p + "-" + seq + ".cm").toFile();
            try {
                m = createMap("strata-spill-p" + p + "-" + seq, entries, avgKey(), avgValue(), f);
            } catch (IOException e) {
                throw new StorageException(Code.IO, 0, "cannot create spill file " + f + ": " + e.getMessage(), e);
            }
            fill = GenerationFill.start(m);
        }
        gens.add(m);
        newestFill[p] = fill;
        CuckooFilter filter = new CuckooFilter(entries);
        filters.get(p).add(filter);
        filterTableBytes += filter.bytes();
        generationIds.get(p).add(seq);
        generationsCreated++;
        publishReadView();
        return m;
    }

    private boolean isFrozen(int p, int g) {
        return frozenCount != null && g < frozenCount[p];
    }

    /** The generation holding {@code key}'s live record, or -1. */
    private int locate(byte[] key, int p) {
        List<ChronicleMap<byte[], byte[]>> gens = partitions.get(p);
        for (int g = gens.size() - 1; g >= 0; g--) {
            if (gens.get(g).containsKey(key)) {
                if (isFrozen(p, g) && deferred.contains(ByteBuffer.wrap(key))) {
                    return -1;
                }
                return g;
            }
        }
        return -1;
    }

    /** Drops the live record at generation {@code g} (physically, or noted while frozen); returns its length. */
    private byte[] drop(byte[] key, int p, int g) {
        ChronicleMap<byte[], byte[]> m = partitions.get(p).get(g);
        byte[] old;
        if (isFrozen(p, g)) {
            old = m.get(key);
            deferred.add(ByteBuffer.wrap(key.clone()));
        } else {
            old = m.remove(key);
        }
        if (old != null) {
            count--;
            keyBytes -= key.length;
            recordBytes -= old.length;
            filters.get(p).get(g).remove(CuckooFilter.hash(key));
        }
        return old;
    }

    /** Stores or replaces a record; FULL when the byte budget would be exceeded (any old record is then gone). */
    public PutResult put(byte[] key, byte[] record) {
        return put(key, SpillRecord.Parts.of(record));
    }

    /** As {@link #put(byte[], byte[])} for a record not yet assembled into one array. */
    public PutResult put(byte[] key, SpillRecord.Parts record) {
        long h = CuckooFilter.hash(key);
        int p = partition(h);
        if (mightContain(p, h) && settlePending(key, h) == null) {
            int g = locate(key, p);
            if (g >= 0) {
                drop(key, p, g);
            }
        }
        return store(p, h, key, record);
    }

    /**
     * As {@link #put} for a key the caller knows has no live record here (in the keyspace, a RAM
     * key keeps its spill record only while unchanged since it was read back, and such a key
     * leaves RAM without a new record): skips probing every generation's filter for an old one,
     * which was the costliest part of a demotion after the write itself. A record that did
     * exist would shadow, not replace, the older one.
     */
    public PutResult putNew(byte[] key, SpillRecord.Parts record) {
        long h = CuckooFilter.hash(key);
        return store(partition(h), h, key, record);
    }

    private PutResult store(int p, long h, byte[] key, SpillRecord.Parts record) {
        if (maxBytes > 0 && storedBytes() + key.length + record.length() + RECORD_OVERHEAD > maxBytes) {
            return PutResult.FULL;
        }
        if (SpillWriter.ENABLED) {
            handOver(p, h, key, record);
        } else {
            putNewest(p, h, key, record);
        }
        count++;
        keyBytes += key.length;
        recordBytes += record.length();
        return PutResult.OK;
    }

    /**
     * Writes a record into partition {@code p}'s newest generation, or a new one when that is
     * frozen or full (its filter is, or Chronicle refuses more), and adds it to that one's filter.
     */
    private void putNewest(int p, long h, byte[] key, SpillRecord.Parts record) {
        List<ChronicleMap<byte[], byte[]>> gens = partitions.get(p);
        int last = newestWritable(p);
        try {
            write(gens.get(last), key, record);
        } catch (IllegalStateException | IllegalArgumentException full) {
            // this generation cannot take more: start a new one sized from what we have seen
            newGeneration(p);
            last = gens.size() - 1;
            write(gens.get(last), key, record);
        }
        filters.get(p).get(last).add(h);
    }

    /**
     * {@code map.put(key, record)} with the record's header and body written straight into the
     * map's memory (as Chronicle's put does it: update lock, then replace or insert). Chronicle
     * throws IllegalStateException or IllegalArgumentException when the map takes no more.
     */
    static void write(ChronicleMap<byte[], byte[]> map, byte[] key, SpillRecord.Parts record) {
        try (ExternalMapQueryContext<byte[], byte[], ?> q = map.queryContext(key)) {
            q.updateLock().lock();
            MapEntry<byte[], byte[]> e = q.entry();
            if (e != null) {
                q.replaceValue(e, record);
            } else {
                q.insert(q.absentEntry(), record);
            }
        }
    }

    /** The generation of partition {@code p} new records go to (a new one when the newest is frozen or full). */
    private int newestWritable(int p) {
        int last = partitions.get(p).size() - 1;
        if (last < 0 || isFrozen(p, last) || filters.get(p).get(last).full()) {
            newGeneration(p);
            last = partitions.get(p).size() - 1;
        }
        CuckooFilter newest = filters.get(p).get(last);
        prepareAhead(p, newest);
        GenerationFill fill = newestFill[p];
        if (fill != null && fill.map == partitions.get(p).get(last)) {
            fill.ahead((double) newest.size() / newest.capacity(), PREPARER, closeLock.readLock());
        }
        return last;
    }

    /**
     * As {@link #putNewest}, but the map write is left to the {@link SpillWriter}: the record is
     * in the filter and readable from {@link #pending} at once.
     */
    private void handOver(int p, long h, byte[] key, SpillRecord.Parts record) {
        if ((++handOvers & 63) == 0) {
            retireWritten(); // every op's state is a line the writer wrote: look at them in batches
        }
        if (inFlight.size() >= MAX_IN_FLIGHT || inFlightBytes >= MAX_IN_FLIGHT_BYTES) {
            waitForWriter();
        }
        int g = newestWritable(p);
        CuckooFilter filter = filters.get(p).get(g);
        filter.add(h);
        SpillWriter.Op op = new SpillWriter.Op(this, partitions.get(p).get(g), filter, p, h, key, record);
        pending.put(op);
        inFlight.add(op);
        inFlightBytes += key.length + record.length();
        SpillWriter.get().submit(op, inFlight.size(), inFlightBytes);
    }

    /**
     * The writer is a full queue behind: let it catch up. The keyspace thread yields rather than
     * writing records itself: its compiled put path then never inlines Chronicle's (doing so made
     * its JIT compilation take 3 s of a cold load's compiler time), and on a machine with fewer
     * free cores than threads the yield hands the writer the CPU.
     */
    private void waitForWriter() {
        while (inFlight.size() >= MAX_IN_FLIGHT / 2 || inFlightBytes >= MAX_IN_FLIGHT_BYTES / 2) {
            SpillWriter.Op head = inFlight.peek();
            if (head.state == SpillWriter.FAILED || !SpillWriter.get().alive()) {
                retire(inFlight.poll());
                continue;
            }
            SpillWriter.get().wake();
            Thread.yield();
            retireWritten();
        }
    }

    /** Forgets the ops at the head of {@link #inFlight} that are written (or cancelled). */
    private void retireWritten() {
        SpillWriter.Op op;
        while ((op = inFlight.peek()) != null) {
            int st = op.state;
            if (st != SpillWriter.DONE && st != SpillWriter.CANCELLED) {
                return;
            }
            inFlight.poll();
            forget(op);
        }
    }

    private void forget(SpillWriter.Op op) {
        inFlightBytes -= op.key.length + op.record.length();
        pending.remove(op);
    }

    /**
     * Makes sure a handed-over record is in its map: written here if still queued, waited for if
     * being written, written into a new generation if its map was full. Then forgets it.
     */
    private void retire(SpillWriter.Op op) {
        if (op.state == SpillWriter.QUEUED) {
            SpillWriter.execute(op);
        }
        while (op.state == SpillWriter.WRITING) {
            Thread.onSpinWait();
        }
        if (op.claim(SpillWriter.FAILED, SpillWriter.DONE)) {
            op.filter.remove(op.hash);
            putNewest(op.partition, op.hash, op.key, op.record);
        }
        forget(op);
    }

    /** Waits until every record handed over is in its map (before walking, freezing or closing maps). */
    private void drainWriter() {
        SpillWriter.Op op;
        while ((op = inFlight.poll()) != null) {
            retire(op);
        }
        pending.clear();
    }

    /**
     * A key about to be removed or replaced whose record was handed over: if not yet written it
     * is withdrawn and its record returned (the store no longer counts it); otherwise, once the
     * map has it, null (the caller removes it from the map as any record).
     */
    private byte[] settlePending(byte[] key, long h) {
        if (pending.isEmpty()) {
            return null;
        }
        SpillWriter.Op op = pending.get(key, h);
        if (op == null) {
            return null;
        }
        while (true) {
            if (op.claim(SpillWriter.QUEUED, SpillWriter.CANCELLED) || op.claim(SpillWriter.FAILED, SpillWriter.CANCELLED)) {
                pending.remove(op);
                op.filter.remove(op.hash);
                count--;
                keyBytes -= op.key.length;
                recordBytes -= op.record.length();
                return op.record.toBytes();
            }
            if (op.state == SpillWriter.DONE) {
                pending.remove(op);
                return null;
            }
            Thread.onSpinWait(); // being written this instant
        }
    }

    /** Whether any generation's filter of partition {@code p} may hold hash {@code h}. */
    private boolean mightContain(int p, long h) {
        List<CuckooFilter> fs = filters.get(p);
        for (int g = fs.size() - 1; g >= 0; g--) {
            if (fs.get(g).mightContain(h)) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code key} may have a record: false means certainly not, without touching the files. */
    public boolean mightContain(byte[] b, int off, int len) {
        if (count == 0) {
            return false;
        }
        long h = CuckooFilter.hash(b, off, len);
        boolean maybe = mightContain(partition(h), h);
        if (!maybe) {
            filterMisses++;
        }
        return maybe;
    }

    /**
     * Brings the filter buckets a lookup of this key reads into the CPU cache; returns bits of
     * them for the caller to keep. On a load past maxmemory every new key is looked up here (in
     * each of its partition's generations), and those misses, one key after another, were 9% of
     * the keyspace thread (perf); the connection's look-ahead calls this for a batch of keys.
     */
    public long touchFilters(byte[] b, int off, int len) {
        if (count == 0) {
            return 0;
        }
        long h = CuckooFilter.hash(b, off, len);
        List<CuckooFilter> fs = filters.get(partition(h));
        long acc = 0;
        for (int g = fs.size() - 1; g >= 0; g--) {
            acc ^= fs.get(g).touch(h);
        }
        return acc;
    }

    /** The record of {@code key}, or null. */
    public byte[] get(byte[] key) {
        if (count == 0) {
            return null;
        }
        long h = CuckooFilter.hash(key);
        int p = partition(h);
        if (!mightContain(p, h)) {
            filterMisses++;
            return null;
        }
        if (!pending.isEmpty()) {
            SpillWriter.Op op = pending.get(key, h);
            if (op != null && op.state != SpillWriter.DONE) {
                return op.record.toBytes(); // handed over, perhaps not in the map yet
            }
        }
        List<ChronicleMap<byte[], byte[]>> gens = partitions.get(p);
        for (int g = gens.size() - 1; g >= 0; g--) {
            byte[] v = gens.get(g).get(key);
            if (v != null) {
                if (isFrozen(p, g) && deferred.contains(ByteBuffer.wrap(key))) {
                    break;
                }
                return v;
            }
        }
        filterFalsePositives++;
        return null;
    }

    /** Removes and returns the record of {@code key} (promotion, deletion), or null. */
    public byte[] remove(byte[] key) {
        long h = CuckooFilter.hash(key);
        int p = partition(h);
        if (count == 0 || !mightContain(p, h)) {
            return null;
        }
        byte[] withdrawn = settlePending(key, h);
        if (withdrawn != null) {
            return withdrawn;
        }
        int g = locate(key, p);
        return g < 0 ? null : drop(key, p, g);
    }

    public boolean contains(byte[] key) {
        return get(key) != null;
    }

    /** Number of live records. */
    public long size() {
        return count;
    }

    /** Bytes the live records, keys and their overhead take: what the byte budget counts. */
    public long storedBytes() {
        return keyBytes + recordBytes + (long) RECORD_OVERHEAD * count;
    }

    /** Off-heap (mmap'd) bytes reserved by every generation. */
    public long offHeapBytes() {
        long b = 0;
        for (List<ChronicleMap<byte[], byte[]>> gens : partitions) {
            for (ChronicleMap<byte[], byte[]> m : gens) {
                b += m.offHeapMemoryUsed();
            }
        }
        return b;
    }

    /** Bytes the spill files take on disk (allocated blocks; the files are sparse). */
    public long fileBytes() {
        long b = 0;
        for (List<ChronicleMap<byte[], byte[]>> gens : partitions) {
            for (ChronicleMap<byte[], byte[]> m : gens) {
                File f = m.file();
                if (f != null) {
                    try {
                        Object blocks = Files.getAttribute(f.toPath(), "unix:blocks");
                        b += ((Number) blocks).longValue() * 512;
                    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
                        b += f.length();
                    }
                }
            }
        }
        return b;
    }

    /**
     * RAM held by the key filters and the removals noted during a freeze. Kept as a running sum:
     * the engine asks before every command.
     */
    public long filterBytes() {
        return filterTableBytes + deferred.size() * 64L;
    }

    /** Bytes of the records handed to the writer and not yet known written (at most 4 MB). */
    public long pendingBytes() {
        return inFlightBytes;
    }

    /** Generations created since open. */
    public int generations() {
        return generationsCreated;
    }

    /** Generations that exist now. */
    public int liveGenerations() {
        int n = 0;
        for (List<ChronicleMap<byte[], byte[]>> gens : partitions) {
            n += gens.size();
        }
        return n;
    }

    private boolean isCurrent(byte[] key, int p, int g) {
        List<ChronicleMap<byte[], byte[]>> gens = partitions.get(p);
        for (int n = g + 1; n < gens.size(); n++) {
            if (gens.get(n).containsKey(key)) {
                return false;
            }
        }
        return !(isFrozen(p, g) && deferred.contains(ByteBuffer.wrap(key)));
    }

    private static void forEachInSegment(ChronicleMap<byte[], byte[]> m, int s, BiConsumer<byte[], byte[]> visitor) {
        forEachInSegment(m, s, false, visitor);
    }

    /** As above; with {@code headers}, each record is only its {@link SpillRecord#HEADER} bytes. */
    private static void forEachInSegment(ChronicleMap<byte[], byte[]> m, int s, boolean headers, BiConsumer<byte[], byte[]> visitor) {
        List<byte[]> keys = new ArrayList<>();
        List<byte[]> values = new ArrayList<>();
        copySegment(m, s, headers, Integer.MAX_VALUE, keys, values);
        for (int i = 0; i < keys.size(); i++) {
            visitor.accept(keys.get(i), values.get(i));
        }
    }

    /**
     * Copies the keys and records of map segment {@code s} into {@code keys} and {@code values}
     * until {@code keys} holds {@code limit} (the lock is held only while copying); with
     * {@code headers}, each record is only its {@link SpillRecord#HEADER} bytes.
     */
    private static void copySegment(ChronicleMap<byte[], byte[]> m, int s, boolean headers, int limit,
                                    List<byte[]> keys, List<byte[]> values) {
        try (MapSegmentContext<byte[], byte[], ?> c = m.segmentContext(s)) {
            c.forEachSegmentEntryWhile(e -> {
                keys.add(e.key().getUsing(null));
                net.openhft.chronicle.hash.Data<byte[]> v = e.value();
                if (headers && v.size() > SpillRecord.HEADER) {
                    byte[] h = new byte[SpillRecord.HEADER];
                    v.bytes().read(v.offset(), h, 0, h.length);
                    values.add(h);
                } else {
                    values.add(v.getUsing(null));
                }
                return keys.size() < limit;
            });
        }
    }

    /**
     * One step of a resumable walk over the live records (SCAN, the cold expiry cycle): visits
     * every record of one map segment and returns the cursor to pass next, 0 when the walk is
     * complete. Start with 0. The cursor names partition, generation id and segment, so
     * generations removed or added meanwhile shift nothing; a record that stays in the store is
     * visited unless compaction moves it into the newest generation behind the cursor.
     */
    public long scan(long cursor, BiConsumer<byte[], byte[]> visitor) {
        return scan(cursor, false, visitor);
    }

    /**
     * As {@link #scan(long, BiConsumer)}; with {@code headers}, each record is only its
     * {@link SpillRecord#HEADER} bytes (type, flags, expiry, clocks): a segment holds up to
     * {@link #SEGMENT_BYTES} of records, which a walk that reads only headers need not copy.
     */
    public long scan(long cursor, boolean headers, BiConsumer<byte[], byte[]> visitor) {
        drainWriter();
        long pos = cursor == 0 ? 0 : cursor - 1;
        int p = (int) (pos >>> 40);
        int id = (int) ((pos >>> 20) & 0xfffff);
        int s = (int) (pos & 0xfffff);
        while (p < PARTITIONS) {
            List<ChronicleMap<byte[], byte[]>> gens = partitions.get(p);
            List<Integer> ids = generationIds.get(p);
            int g = 0;
            while (g < ids.size() && (ids.get(g) & 0xfffff) < id) {
                g++;
            }
            if (g < ids.size() && (ids.get(g) & 0xfffff) != id) {
                s = 0; // the generation the cursor named is gone: start the next one
            }
            if (g >= gens.size()) {
                p++;
                id = 0;
                s = 0;
                continue;
            }
            ChronicleMap<byte[], byte[]> m = gens.get(g);
            if (s >= m.segments()) {
                id = (ids.get(g) & 0xfffff) + 1;
                s = 0;
                continue;
            }
            int fp = p;
            int fg = g;
            forEachInSegment(m, s, headers, (k, v) -> {
                if (isCurrent(k, fp, fg)) {
                    visitor.accept(k, v);
                }
            });
            id = ids.get(g) & 0xfffff;
            s++;
            if (s >= m.segments()) {
                id++;
                s = 0;
            }
            return (((long) p << 40) | ((long) id << 20) | s) + 1;
        }
        return 0;
    }

    /** A random live key (not uniformly chosen: a random map segment, then a key in it), or null. */
    public byte[] randomKey(Random rnd) {
        if (count == 0) {
            return null;
        }
        drainWriter();
        for (int tries = 0; tries < 64; tries++) {
            int p = rnd.nextInt(PARTITIONS);
            List<ChronicleMap<byte[], byte[]>> gens = partitions.get(p);
            if (gens.isEmpty()) {
                continue;
            }
            int g = rnd.nextInt(gens.size());
            ChronicleMap<byte[], byte[]> m = gens.get(g);
            byte[] k = null;
            try (MapSegmentContext<byte[], byte[], ?> c = m.segmentContext(rnd.nextInt(m.segments()))) {
                long size = c.size();
                if (size > 0) {
                    // the record at a random place of the segment's order: only the key read
                    long[] left = {rnd.nextLong(size)};
                    byte[][] at = {null};
                    c.forEachSegmentEntryWhile(e -> {
                        if (left[0]-- > 0) {
                            return true;
                        }
                        at[0] = e.key().getUsing(null);
                        return false;
                    });
                    k = at[0];
                }
            }
            if (k != null && isCurrent(k, p, g)) {
                return k;
            }
        }
        byte[][] any = {null};
        forEach((k, v) -> {
            if (any[0] == null) {
                any[0] = k;
            }
        });
        return any[0];
    }

    /** Visits every live record (KEYS, a synchronous save); the store must not change meanwhile. */
    public void forEach(BiConsumer<byte[], byte[]> visitor) {
        drainWriter();
        for (int p = 0; p < PARTITIONS; p++) {
            List<ChronicleMap<byte[], byte[]>> gens = partitions.get(p);
            for (int g = 0; g < gens.size(); g++) {
                int fp = p;
                int fg = g;
                ChronicleMap<byte[], byte[]> m = gens.get(g);
                for (int s = 0; s < m.segments(); s++) {
                    forEachInSegment(m, s, (k, v) -> {
                        if (isCurrent(k, fp, fg)) {
                            visitor.accept(k, v);
                        }
                    });
                }
            }
        }
    }

    /** The records of a store at the instant it was frozen; readable from any one thread. */
    public static final class Frozen {
        private final List<ChronicleMap<byte[], byte[]>> maps;
        /** Live records at the freeze. */
        public final long size;

        Frozen(List<ChronicleMap<byte[], byte[]>> maps, long size) {
            this.maps = maps;
            this.size = size;
        }

        /** Visits every record as of the freeze (no record has two copies at that instant). */
        public void forEach(BiConsumer<byte[], byte[]> visitor) {
            for (ChronicleMap<byte[], byte[]> m : maps) {
                for (int s = 0; s < m.segments(); s++) {
                    forEachInSegment(m, s, visitor);
                }
            }
        }
    }

    /** Starts a point-in-time view; precondition: not frozen. Ends with {@link #thaw}. */
    public Frozen freeze() {
        if (frozenCount != null) {
            throw new IllegalStateException("spill store already frozen");
        }
        drainWriter(); // the frozen maps are then never written again until the thaw
        frozenCount = new int[PARTITIONS];
        List<ChronicleMap<byte[], byte[]>> maps = new ArrayList<>();
        for (int p = 0; p < PARTITIONS; p++) {
            frozenCount[p] = partitions.get(p).size();
            maps.addAll(partitions.get(p));
        }
        return new Frozen(maps, count);
    }

    public boolean frozen() {
        return frozenCount != null;
    }

    /** Ends the freeze: carries out the removals noted meanwhile and drops emptied generations. */
    public void thaw() {
        if (frozenCount == null) {
            return;
        }
        drainWriter();
        for (ByteBuffer k : deferred) {
            byte[] key = k.array();
            int p = partition(CuckooFilter.hash(key));
            List<ChronicleMap<byte[], byte[]>> gens = partitions.get(p);
            for (int g = 0; g < frozenCount[p]; g++) {
                if (gens.get(g).remove(key) != null) {
                    break;
                }
            }
        }
        deferred.clear();
        frozenCount = null;
        for (int p = 0; p < PARTITIONS; p++) {
            List<ChronicleMap<byte[], byte[]>> gens = partitions.get(p);
            for (int g = gens.size() - 2; g >= 0; g--) {
                if (gens.get(g).longSize() == 0) {
                    closeMap(gens.remove(g), true);
                    generationIds.get(p).remove(g);
                    filterTableBytes -= filters.get(p).remove(g).bytes();
                }
            }
        }
    }

    /**
     * Bounded background work: when a partition has more than a few generations (each freeze
     * may add one), moves up to {@code maxRecords} records from its smallest older generation
     * into its newest and deletes generations that become empty. Returns records moved.
     */
    public int compactStep(int maxRecords) {
        return compactStep(maxRecords, false);
    }

    /**
     * As {@link #compactStep(int)}; {@code writing} says records are streaming in (the caller
     * stored more since its last step than a step moves), and then only a partition with far too
     * many generations is compacted.
     */
    public int compactStep(int maxRecords, boolean writing) {
        if (frozenCount != null) {
            return 0;
        }
        int moved = 0;
        for (int p = 0; p < PARTITIONS && moved < maxRecords; p++) {
            List<ChronicleMap<byte[], byte[]>> gens = partitions.get(p);
            if (writing && gens.size() <= MAX_GENERATIONS_WHILE_WRITING) {
                continue; // the load goes on: compact when it is over (or when there are far too many)
            }
            int src = gens.size() > MAX_GENERATIONS ? 0 : sparseGeneration(p);
            if (src < 0) {
                continue;
            }
            drainWriter(); // (only when there is work: during a load the writer is kept busy)
            for (int g = 1; g < gens.size() - 1 && gens.size() > MAX_GENERATIONS; g++) {
                if (gens.get(g).longSize() < gens.get(src).longSize()) {
                    src = g;
                }
            }
            ChronicleMap<byte[], byte[]> from = gens.get(src);
            List<byte[]> keys = new ArrayList<>();
            List<byte[]> values = new ArrayList<>();
            int want = maxRecords - moved;
            for (int s = 0; s < from.segments() && keys.size() < want; s++) {
                // a segment holds up to SEGMENT_BYTES of records: take no more than the step moves
                copySegment(from, s, false, want, keys, values);
            }
            CuckooFilter fromFilter = filters.get(p).get(src);
            for (int i = 0; i < keys.size(); i++) {
                long h = CuckooFilter.hash(keys.get(i));
                from.remove(keys.get(i));
                fromFilter.remove(h);
                putNewest(p, h, keys.get(i), SpillRecord.Parts.of(values.get(i)));
            }
            moved += keys.size();
            compactionMoves += keys.size();
            if (from.longSize() == 0) {
                int at = gens.indexOf(from);
                generationIds.get(p).remove(at);
                filterTableBytes -= filters.get(p).remove(at).bytes();
                gens.remove(at);
                closeMap(from, true);
            }
        }
        return moved;
    }

    /**
     * An older generation of partition {@code p} holding less than half of what its filter was
     * sized for (keys promoted or deleted since), or -1: its records move to the newest generation
     * so that filter memory per cold key stays bounded.
     */
    private int sparseGeneration(int p) {
        List<CuckooFilter> fs = filters.get(p);
        for (int g = 0; g < fs.size() - 1; g++) {
            if (fs.get(g).size() < fs.get(g).capacity() / 2) {
                return g;
            }
        }
        return -1;
    }

    /** Drops every record quickly: closes and deletes the generations. Precondition: not frozen. */
    public void clear() {
        drainWriter();
        dropPrepared();
        closeMaps(true);
        deferred.clear();
        frozenCount = null;
        count = 0;
        keyBytes = 0;
        recordBytes = 0;
    }

    private void closeMap(ChronicleMap<byte[], byte[]> m, boolean delete) {
        publishReadView();
        File f = m.file();
        closeLock.writeLock().lock();
        try {
            m.close();
        } finally {
            closeLock.writeLock().unlock();
        }
        if (delete && f != null) {
            f.delete();
        }
    }

    private void closeMaps(boolean delete) {
        for (List<ChronicleMap<byte[], byte[]>> gens : partitions) {
            for (ChronicleMap<byte[], byte[]> m : gens) {
                closeMap(m, delete);
            }
            gens.clear();
        }
        for (List<Integer> ids : generationIds) {
            ids.clear();
        }
        for (List<CuckooFilter> fs : filters) {
            fs.clear();
        }
        java.util.Arrays.fill(newestFill, null);
        filterTableBytes = 0;
        publishReadView();
    }

    /** Closes the maps and deletes the files and the directory. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            drainWriter();
            dropPrepared();
            closeMaps(true);
            dir.toFile().delete();
        }
    }
}
