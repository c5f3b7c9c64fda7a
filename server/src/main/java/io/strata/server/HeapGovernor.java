package io.strata.server;

import com.sun.management.HotSpotDiagnosticMXBean;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.function.BooleanSupplier;

/**
 * Keeps a concurrent collector's heap close to what the data needs. Shenandoah (and ZGC) start
 * a cycle only when free space runs low against {@code SoftMaxHeapSize}, which defaults to the
 * maximum heap (a quarter of RAM): under a steady stream of SETs the heap then grows, page by
 * freshly zeroed page, to gigabytes before the first collection — measured at SET -P 16 on a
 * 20 MB dataset: RSS 1.2 GB after 20 s and rising, 26% of the server's CPU in the kernel
 * clearing new pages. Once a second this sets {@code SoftMaxHeapSize} to what the last
 * collection left live plus half of that again, at least {@link #HEADROOM}, so cycles come
 * every second or so and reuse the same memory (RSS 293 MB in the same run, no page faults).
 * It never goes above {@code -Xmx}, which stays the hard limit, and stays off while a dataset
 * loads (the live size only grows then), when the user set {@code SoftMaxHeapSize}, and under
 * collectors that ignore it (G1 sizes its young generation itself).
 *
 * <p>Thread rule: {@link #tick} from one scheduled thread.
 */
final class HeapGovernor {
    /** Free space a cycle leaves at least: a few seconds of allocation at a million SETs/s. */
    static final long HEADROOM = 512L << 20;
    /** Changes smaller than this are not applied. */
    private static final long STEP = 64L << 20;

    private final HotSpotDiagnosticMXBean vm;
    private final MemoryPoolMXBean heap;
    private final long max;
    private final BooleanSupplier loading;
    private long applied;

    private HeapGovernor(HotSpotDiagnosticMXBean vm, MemoryPoolMXBean heap, long max, BooleanSupplier loading) {
        this.vm = vm;
        this.heap = heap;
        this.max = max;
        this.loading = loading;
        this.applied = max;
    }

    /** A governor for this JVM, or null when its collector or its options leave nothing to do. */
    static HeapGovernor create(BooleanSupplier loading) {
        try {
            HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            boolean concurrent = "true".equals(vm.getVMOption("UseShenandoahGC").getValue())
                || "true".equals(vm.getVMOption("UseZGC").getValue());
            com.sun.management.VMOption soft = vm.getVMOption("SoftMaxHeapSize");
            boolean userSet = soft.getOrigin() != com.sun.management.VMOption.Origin.DEFAULT
                && soft.getOrigin() != com.sun.management.VMOption.Origin.ERGONOMIC;
            if (!concurrent || userSet) {
                return null;
            }
            long max = Runtime.getRuntime().maxMemory();
            for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
                if (p.getType() == MemoryType.HEAP && p.isCollectionUsageThresholdSupported()) {
                    // Shenandoah and (non-generational) ZGC have a single heap pool
                    return max > HEADROOM * 2 ? new HeapGovernor(vm, p, max, loading) : null;
                }
            }
            return null;
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            return null; // not HotSpot, or an option this JVM does not have
        }
    }

    /** What SoftMaxHeapSize should be for {@code live} bytes left by the last collection. */
    static long target(long live, long max) {
        return Math.min(max, live + Math.max(live / 2, HEADROOM));
    }

    void tick() {
        long want;
        if (loading.getAsBoolean()) {
            want = max;
        } else {
            // before the first collection this is 0: the first cycle then comes at HEADROOM and tells
            MemoryUsage after = heap.getCollectionUsage();
            want = target(after == null ? 0 : after.getUsed(), max);
        }
        if (Math.abs(want - applied) < STEP && want != max) {
            return;
        }
        if (want != applied) {
            try {
                vm.setVMOption("SoftMaxHeapSize", Long.toString(want));
                applied = want;
            } catch (IllegalArgumentException e) {
                applied = want; // refused (alignment, range): keep the default rather than retry every second
            }
        }
    }
}
