package org.correlationstation.core.graph;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The service graph over a range of time buckets, as {@code GET /api/graph} answers it: each node's and
 * edge's counts summed over the buckets (histograms merged), optionally only the elements that involve
 * one service (its node, and the edges where it is parent or child). Stores feed it the bucket contents
 * they hold; it is the same computation for Redis and the in-memory store.
 */
public final class ServiceGraph {
    private final Map<GraphKey, GraphCounts> totals = new TreeMap<>();
    private final String service;

    /** @param service only elements involving this service, or null for all */
    public ServiceGraph(String service) {
        this.service = service;
    }

    public void add(GraphKey key, GraphCounts counts) {
        if (service != null && !service.equals(key.service()) && !service.equals(key.parent())) return;
        totals.computeIfAbsent(key, k -> new GraphCounts()).merge(counts);
    }

    /** Nodes and edges, each sorted by name. */
    public Map<GraphKey, GraphCounts> totals() {
        return totals;
    }

    public List<Map.Entry<GraphKey, GraphCounts>> nodes() {
        List<Map.Entry<GraphKey, GraphCounts>> out = new ArrayList<>();
        for (Map.Entry<GraphKey, GraphCounts> e : totals.entrySet()) if (!e.getKey().isEdge()) out.add(e);
        return out;
    }

    public List<Map.Entry<GraphKey, GraphCounts>> edges() {
        List<Map.Entry<GraphKey, GraphCounts>> out = new ArrayList<>();
        for (Map.Entry<GraphKey, GraphCounts> e : totals.entrySet()) if (e.getKey().isEdge()) out.add(e);
        return out;
    }
}
