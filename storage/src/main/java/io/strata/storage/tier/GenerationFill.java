package io.strata.storage.tier;

import java.util.concurrent.Executor;
import java.util.concurrent.locks.Lock;
import net.openhft.chronicle.hash.impl.VanillaChronicleHash;
import net.openhft.chronicle.map.ChronicleMap;

/**
 * Faults in a generation's file pages a step ahead of the records going into it, on the
 * preparing thread, so the writer seldom takes a page fault and pages past the last record are
 * never made.
 *
 * <p>Chronicle fills each segment's entry space from its start, so the used part of a
 * generation is the same leading share of every segment's entry space, about the share of its
 * filter that is used. When the map is made, the headers and hash lookups (which every insert
 * touches at random) and the first step of each entry space are faulted in; {@link #ahead}
 * asks for the next step while the current one still has half a step free.
 *
 * <p>Measured on this project's 2-core VM (2M × 400 B load, hot tier 5%): faulting in whole
 * files when they were made put 1.44 GB of pages into memory for 0.90 GB of records, each page
 * zeroed by the preparing thread; now 1.11 GB. That needs segments larger than the kernel's
 * read-around of a fault ({@link SpillStore#segments}): making the map reads every segment's
 * hash lookup, and the read-around of those reads would otherwise bring in the rest.
 */
final class GenerationFill {
    /** Linux' MADV_POPULATE_WRITE (5.14+). */
    private static final int MADV_POPULATE_WRITE = 23;
    private static final long PAGE = 4096;
    /** Share of each segment's entry space faulted in at a time. */
    static final double STEP = 1.0 / 16;

    private static volatile boolean enabled = !"false".equals(System.getProperty("strata.spill.populate"));

    /** Whether pages are still faulted in ahead (false once the kernel refused a call). */
    static boolean active() {
        return enabled;
    }

    final ChronicleMap<byte[], byte[]> map;
    /** Where each segment's entry space starts, and its length. */
    private final long[] entries;
    private final long[] length;
    /** Share of the entry spaces asked for so far (keyspace thread). */
    private double asked;

    private GenerationFill(ChronicleMap<byte[], byte[]> map, long[] entries, long[] length) {
        this.map = map;
        this.entries = entries;
        this.length = length;
    }

    /**
     * Describes {@code map}'s layout and faults in its headers, hash lookups and the first step
     * of its entry spaces, on the calling thread. Without MADV_POPULATE_WRITE (Linux before
     * 5.14, or turned off) nothing is faulted in here and writes fault pages in as they come.
     */
    static GenerationFill start(ChronicleMap<byte[], byte[]> map) {
        VanillaChronicleHash<?, ?, ?, ?> h = (VanillaChronicleHash<?, ?, ?, ?>) map;
        int segments = h.segments();
        long entrySpace = (h.tierEntrySpaceInnerOffset + h.chunkSize * h.actualChunksPerSegmentTier + 63) & ~63L;
        long[] tier = new long[segments];
        long[] entries = new long[segments];
        long[] length = new long[segments];
        for (int s = 0; s < segments; s++) {
            tier[s] = h.tierIndexToBaseAddr(s + 1);
            entries[s] = tier[s] + h.tierSize - entrySpace;
            length[s] = entrySpace;
        }
        GenerationFill fill = new GenerationFill(map, entries, length);
        long base = h.bsAddress();
        populate(base, tier[0] - base); // the map's own header and the segment headers
        for (int s = 0; s < segments && enabled; s++) {
            populate(tier[s], entries[s] - tier[s]);
        }
        fill.asked = STEP;
        fill.populate(0, STEP);
        return fill;
    }

    /**
     * Called as records go in, with the share of the generation used (its filter's size over
     * capacity): past half a step before what was asked, asks {@code ex} to fault in up to a step
     * beyond {@code used}. {@code guard} is held while it does, so the map is not closed under it.
     */
    void ahead(double used, Executor ex, Lock guard) {
        if (!enabled || asked >= 1 || used + STEP / 2 < asked) {
            return;
        }
        double from = asked;
        double to = Math.min(1, used + STEP);
        asked = to;
        ex.execute(() -> {
            guard.lock();
            try {
                if (map.isOpen()) {
                    populate(from, to);
                }
            } finally {
                guard.unlock();
            }
        });
    }

    /** Faults in the share [{@code from}, {@code to}) of every segment's entry space. */
    private void populate(double from, double to) {
        for (int s = 0; s < entries.length && enabled; s++) {
            long a = entries[s] + (long) (length[s] * from);
            long b = entries[s] + (long) (length[s] * to);
            populate(a, b - a);
        }
    }

    private static void populate(long address, long bytes) {
        if (!enabled || bytes <= 0) {
            return;
        }
        long start = address & -PAGE;
        try {
            if (net.openhft.posix.PosixAPI.posix().madvise(start, bytes + (address - start), MADV_POPULATE_WRITE) != 0) {
                enabled = false; // EINVAL before Linux 5.14: writes fault pages in as they come
            }
        } catch (Throwable unavailable) {
            enabled = false;
        }
    }
}
