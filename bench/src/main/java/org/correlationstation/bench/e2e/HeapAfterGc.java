package org.correlationstation.bench.e2e;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.List;
import java.util.Map;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

/**
 * The heap in use right after each garbage collection of this JVM, from the collectors' notifications:
 * the lowest since the last read. The memory pools' own "collection usage" was not that: G1's old
 * generation's was left as of an earlier collection, so the soak's lowest heap after GC per quarter read
 * ~150 MiB below what the GC log showed for half of a 30-minute run (bench/README.md "Session 23").
 */
final class HeapAfterGc {
    private static final HeapAfterGc INSTANCE = new HeapAfterGc();

    private final List<MemoryPoolMXBean> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(p -> p.getType() == MemoryType.HEAP).toList();
    private long lowest = Long.MAX_VALUE;
    private long last;

    private HeapAfterGc() {
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (!(gc instanceof NotificationEmitter emitter)) continue;
            emitter.addNotificationListener((notification, handback) -> {
                if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
                    collected(GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData())
                            .getGcInfo().getMemoryUsageAfterGc());
                }
            }, null, null);
        }
    }

    static HeapAfterGc get() {
        return INSTANCE;
    }

    /** A pool this collection did not report (not its own) counts as it is now. */
    private synchronized void collected(Map<String, MemoryUsage> after) {
        long used = 0;
        for (MemoryPoolMXBean pool : heapPools) {
            MemoryUsage usage = after.get(pool.getName());
            used += usage != null ? usage.getUsed() : pool.getUsage().getUsed();
        }
        last = used;
        lowest = Math.min(lowest, used);
    }

    /** The lowest heap after a collection since the last call; the last one's when none ran since; 0 before any. */
    synchronized long lowestSinceLastRead() {
        long value = lowest == Long.MAX_VALUE ? last : lowest;
        lowest = Long.MAX_VALUE;
        return value;
    }
}
