package org.correlationstation.api.store;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.correlationstation.core.graph.GraphCounts;
import org.correlationstation.core.graph.GraphKey;
import org.correlationstation.core.graph.GraphUpdate;
import org.correlationstation.core.graph.ServiceGraph;

/**
 * The in-memory store's service graph: per time bucket, each node's and edge's counts as the job last
 * computed them, what Redis holds in {@code corr:graph:<bucket start>}. The same rules as there: an
 * update replaces the stored counts when its {@code calls} are at least as high (the Redis writer's
 * compare-and-set), and a bucket expires the TTL after its last update. Its heap is bounded besides
 * (an estimate, {@link #footprint}): past the bound, the bucket updated longest ago goes first.
 *
 * <p>Not thread-safe: {@link InMemoryCorrelationStore} calls it under its own lock.
 */
final class MemoryGraph {
    /**
     * A bucket's own cost, in bytes: its entry in {@link #buckets} with the boxed start (56), the
     * bucket object (24) and its element map's object and first table (48 + 80).
     */
    static final long BUCKET_BYTES = 208;
    /**
     * An element's cost besides its names and histogram arrays: its node in the bucket's map with a
     * share of the table (40), the key (24), the counts (40), the histogram object (24) and its two
     * array headers (32).
     */
    static final long ELEMENT_BYTES = 160;

    private static final class Bucket {
        final Map<GraphKey, GraphCounts> elements = new HashMap<>();
        long expiresAt;
        long bytes = BUCKET_BYTES;
    }

    private final long ttlMillis;
    private final long maxBytes;
    /** By start; iteration order = order of the last update, so the head is the first to expire or go. */
    private final LinkedHashMap<Long, Bucket> buckets = new LinkedHashMap<>();
    private long bytes;
    private long evictions;

    MemoryGraph(long ttlMillis, long maxBytes) {
        this.ttlMillis = ttlMillis;
        this.maxBytes = maxBytes;
    }

    /** Call {@link #expire} first. */
    void put(GraphUpdate u, long now) {
        // Removed and put back: the bucket becomes the last updated, so expiry and eviction take it last.
        Bucket b = buckets.remove(u.bucketStartMillis());
        if (b == null) {
            b = new Bucket();
            bytes += b.bytes;
        }
        buckets.put(u.bucketStartMillis(), b);
        b.expiresAt = now + ttlMillis;
        GraphCounts stored = b.elements.get(u.key());
        if (stored == null || u.counts().calls >= stored.calls) {
            GraphCounts copy = u.counts().copy(); // the caller's counts may change after this call
            long delta = footprint(u.key(), copy) - (stored == null ? 0 : footprint(u.key(), stored));
            b.elements.put(u.key(), copy);
            b.bytes += delta;
            bytes += delta;
        }
        while (bytes > maxBytes && !buckets.isEmpty()) {
            remove(buckets.keySet().iterator().next());
            evictions++;
        }
    }

    /**
     * The buckets whose start lies in [since, until), summed into a graph of its own (no stored counts
     * shared). Call {@link #expire} first.
     */
    ServiceGraph graph(long sinceMillis, long untilMillis, String service) {
        ServiceGraph g = new ServiceGraph(service);
        for (Map.Entry<Long, Bucket> e : buckets.entrySet()) {
            if (e.getKey() < sinceMillis || e.getKey() >= untilMillis) continue;
            for (Map.Entry<GraphKey, GraphCounts> element : e.getValue().elements.entrySet()) {
                g.add(element.getKey(), element.getValue());
            }
        }
        return g;
    }

    /** Every element of every bucket held (copies), for local mode's restart snapshot. */
    List<GraphUpdate> all() {
        List<GraphUpdate> out = new ArrayList<>();
        buckets.forEach((start, b) -> b.elements.forEach((key, counts) -> out.add(new GraphUpdate(start, key, counts.copy()))));
        return out;
    }

    /** The estimated heap of the buckets held. */
    long bytes() {
        return bytes;
    }

    int buckets() {
        return buckets.size();
    }

    /** Buckets dropped to keep within the bound (not those that expired). */
    long evictions() {
        return evictions;
    }

    /**
     * The estimated heap of one element: {@link #ELEMENT_BYTES}, its names (a string each, 40 bytes
     * plus up to two per character), and its histogram's arrays (a copy holds at least 4 slots, each an
     * int and a long).
     */
    static long footprint(GraphKey key, GraphCounts counts) {
        long names = stringBytes(key.service()) + (key.isEdge() ? stringBytes(key.parent()) : 0);
        long slots = Math.max(4, counts.durations.size());
        return ELEMENT_BYTES + names + ((4 * slots + 7) & ~7L) + 8 * slots;
    }

    private static long stringBytes(String s) {
        return 40 + ((2L * s.length() + 7) & ~7L);
    }

    /** Every bucket has the same TTL after its last update, so the expired ones are at the head. */
    void expire(long now) {
        Iterator<Map.Entry<Long, Bucket>> it = buckets.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Long, Bucket> eldest = it.next();
            if (eldest.getValue().expiresAt > now) return;
            bytes -= eldest.getValue().bytes;
            it.remove();
        }
    }

    private void remove(long start) {
        Bucket b = buckets.remove(start);
        if (b != null) bytes -= b.bytes;
    }
}
