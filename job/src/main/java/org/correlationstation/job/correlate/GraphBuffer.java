package org.correlationstation.job.correlate;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.correlationstation.core.graph.GraphCounts;
import org.correlationstation.core.graph.GraphKey;
import org.correlationstation.core.graph.GraphUpdate;

/**
 * The subtask's service-graph increments, summed in memory per bucket and element until they are sent
 * on: a trace adds about one increment per span (its nodes, then its edges), while a subtask's traces
 * of a tenth of a second share a few hundred buckets and elements. Sent one per span, they cost the
 * aggregator a keyed state update each and doubled the job's CPU per event.
 *
 * <p>Held in memory only, and still exact: the correlator sends everything held before each
 * checkpoint's barrier (its operator's {@code prepareSnapshotPreBarrier}), so a checkpoint's state
 * (the counted spans) and the increments sent before it always go together; what a failure loses from
 * here is replayed with the events that caused it.
 */
final class GraphBuffer {
    private record Element(long bucket, GraphKey key) {}

    private final Map<Element, GraphCounts> held = new HashMap<>();
    private final int maxHeld;
    private final long intervalMs;
    private long lastSent;

    /**
     * @param maxHeld elements held at most before sending
     * @param intervalMs longest time an increment is held (a quiet subtask's are sent by a timer of its operator's)
     */
    GraphBuffer(int maxHeld, long intervalMs) {
        this.maxHeld = maxHeld;
        this.intervalMs = intervalMs;
    }

    void add(List<GraphUpdate> increments) {
        for (GraphUpdate u : increments) {
            GraphCounts sum = held.putIfAbsent(new Element(u.bucketStartMillis(), u.key()), u.counts());
            if (sum != null) sum.merge(u.counts());
        }
    }

    /** Whether to send now: too many held, or held for the interval. */
    boolean due(long now) {
        return !held.isEmpty() && (held.size() >= maxHeld || now >= dueAt());
    }

    boolean isEmpty() {
        return held.isEmpty();
    }

    /** When what is held is due at the latest: the interval after the last send. */
    long dueAt() {
        return lastSent + intervalMs;
    }

    /** Everything held, emptied. */
    List<GraphUpdate> drain(long now) {
        lastSent = now;
        List<GraphUpdate> out = new ArrayList<>(held.size());
        held.forEach((e, counts) -> out.add(new GraphUpdate(e.bucket(), e.key(), counts)));
        held.clear();
        return out;
    }
}
