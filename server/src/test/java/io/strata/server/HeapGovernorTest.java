package io.strata.server;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class HeapGovernorTest {
    private static final long MB = 1L << 20;

    @Test
    void targetShouldLeaveHeadroomAboveTheLiveDataAndNeverPassTheMaximum() {
        long max = 6000 * MB;
        assertEquals(HeapGovernor.HEADROOM, HeapGovernor.target(0, max), "before the first collection");
        assertEquals(20 * MB + HeapGovernor.HEADROOM, HeapGovernor.target(20 * MB, max), "small data: fixed headroom");
        assertEquals(3000 * MB, HeapGovernor.target(2000 * MB, max), "large data: half again");
        assertEquals(max, HeapGovernor.target(5000 * MB, max), "never above -Xmx");
    }

    @Test
    void shouldStayOffUnderACollectorThatSizesItsOwnHeap() {
        boolean concurrent = ManagementFactory.getGarbageCollectorMXBeans().stream()
            .anyMatch(g -> g.getName().startsWith("Shenandoah") || g.getName().startsWith("ZGC"));
        if (!concurrent) {
            assertNull(HeapGovernor.create(() -> false), "G1 (the test JVM's collector) needs no governor");
        }
    }
}
