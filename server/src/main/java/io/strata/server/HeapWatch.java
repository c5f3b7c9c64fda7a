package io.strata.server;

import com.sun.management.GarbageCollectionNotificationInfo;
import io.strata.engine.Engine;

import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Admission control from the collector's point of view: after each collection, when what stays
 * live fills more than {@link #PRESSURE_PERCENT}% of the maximum heap, {@link Engine#heapPressure}
 * is set and DENYOOM commands get -OOM until a collection leaves less than
 * {@link #RELIEF_PERCENT}%. The engine's own estimate (the heap guard on used_memory) stops the
 * data well before that; this catches what the estimate does not see (client buffers, replies
 * waiting for an fsync, a large MULTI), so the heap is not exhausted and reads keep working.
 *
 * <p>Thread rule: the JVM's notification thread calls the listener; it only writes the volatile
 * flag the keyspace thread reads.
 */
final class HeapWatch {
    static final int PRESSURE_PERCENT = 85;
    static final int RELIEF_PERCENT = 75;

    private HeapWatch() {
    }

    /** Listens to every collector of this JVM on behalf of {@code engine}. */
    static void install(Engine engine) {
        long max = Runtime.getRuntime().maxMemory();
        if (max == Long.MAX_VALUE) {
            return;
        }
        Set<String> heapPools = new HashSet<>();
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP) {
                heapPools.add(p.getName());
            }
        }
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (!(gc instanceof NotificationEmitter)) {
                continue;
            }
            ((NotificationEmitter) gc).addNotificationListener((n, handback) -> {
                if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
                    return;
                }
                GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
                long live = 0;
                for (Map.Entry<String, MemoryUsage> e : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
                    if (heapPools.contains(e.getKey())) {
                        live += e.getValue().getUsed();
                    }
                }
                engine.heapPressure = next(engine.heapPressure, live, max);
            }, null, null);
        }
    }

    /** The pressure flag after a collection left {@code live} bytes of {@code max}. */
    static boolean next(boolean pressure, long live, long max) {
        if (live * 100 > max * PRESSURE_PERCENT) {
            return true;
        }
        return pressure && live * 100 >= max * RELIEF_PERCENT;
    }
}
