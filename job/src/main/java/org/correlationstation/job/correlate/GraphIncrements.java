package org.correlationstation.job.correlate;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.correlationstation.core.graph.GraphCounts;
import org.correlationstation.core.graph.GraphKey;
import org.correlationstation.core.graph.GraphUpdate;
import org.correlationstation.job.types.CompactEncoding;

/**
 * What a trace adds to the service graph (docs/semantics.md, "Service graph"), as increments per time
 * bucket and element: each tracked span once to its service's node, when it arrives; each child span
 * once to its parent→child edge, when both are known and their services differ (the record's
 * {@code edges} rule, without the services cap). The bucket is the span's end time (event time), so a
 * late span lands in the bucket it belongs to. Counting each span once rests on the correlator's own
 * deduplication (tracked span ids) and, for edges, on the set of children already counted, which lives
 * in the trace's state: a restore rolls both back together with the increments not yet sent.
 */
final class GraphIncrements {
    private final long bucketMs;
    private final Map<Long, Map<GraphKey, GraphCounts>> byBucket = new LinkedHashMap<>();

    GraphIncrements(long bucketMs) {
        this.bucketMs = bucketMs;
    }

    /** A newly tracked span, to its service's node. */
    void node(SpanInfo span) {
        if (span.service == null) return;
        counts(span.endNanos, GraphKey.node(span.service)).add(span.endNanos - span.startNanos, span.error);
    }

    /**
     * The edges of {@code spans} not counted yet: children whose parent is known and of another service.
     * Adds each child it counts to {@code counted}.
     */
    void edges(Map<String, SpanInfo> spans, SeenSet counted) {
        for (SpanInfo child : spans.values()) {
            SpanInfo parent = parentOfAnotherService(spans, child);
            if (parent == null) continue;
            long id = idKey(child.spanId);
            if (counted.contains(id)) continue;
            counted.add(id);
            counts(child.endNanos, GraphKey.edge(parent.service, child.service))
                    .add(child.endNanos - child.startNanos, child.error);
        }
    }

    /**
     * How many edges {@code spans} has: children whose parent is known and of another service (so that a
     * trace without one, or with none new, never reads its counted set).
     */
    static int edgeCount(Map<String, SpanInfo> spans) {
        int edges = 0;
        for (SpanInfo child : spans.values()) {
            if (parentOfAnotherService(spans, child) != null) edges++;
        }
        return edges;
    }

    /** The span's parent when it is known and of another service (an edge), else null. */
    private static SpanInfo parentOfAnotherService(Map<String, SpanInfo> spans, SpanInfo child) {
        if (child.parentSpanId == null || child.service == null) return null;
        SpanInfo parent = spans.get(child.parentSpanId);
        return parent == null || parent.service == null || parent.service.equals(child.service) ? null : parent;
    }

    boolean isEmpty() {
        return byBucket.isEmpty();
    }

    List<GraphUpdate> updates() {
        List<GraphUpdate> out = new ArrayList<>();
        for (Map.Entry<Long, Map<GraphKey, GraphCounts>> bucket : byBucket.entrySet()) {
            for (Map.Entry<GraphKey, GraphCounts> e : bucket.getValue().entrySet()) {
                out.add(new GraphUpdate(bucket.getKey(), e.getKey(), e.getValue()));
            }
        }
        return out;
    }

    private GraphCounts counts(long endNanos, GraphKey key) {
        long endMillis = Math.floorDiv(endNanos, 1_000_000L);
        long bucket = endMillis - Math.floorMod(endMillis, bucketMs);
        return byBucket.computeIfAbsent(bucket, b -> new LinkedHashMap<>()).computeIfAbsent(key, k -> new GraphCounts());
    }

    /** A span id as the counted set's key: its value for canonical ids, a 64-bit hash of the text otherwise. */
    static long idKey(String spanId) {
        // other ids are rare (not OTLP's 8 bytes), and only need to differ
        return CompactEncoding.isHexId(spanId, 16) ? HexFormat.fromHexDigitsToLong(spanId) : ContentHash.of(spanId);
    }
}
