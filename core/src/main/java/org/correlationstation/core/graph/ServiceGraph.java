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

    /** Whether {@link #add} keeps {@code key}: a reader can skip decoding the counts of the others. */
    public boolean includes(GraphKey key) {
        return service == null || service.equals(key.service()) || service.equals(key.parent());
    }

    /** Adds {@code counts} to the key's totals (when {@link #includes} it); {@code counts} is neither kept nor changed. */
    public void add(GraphKey key, GraphCounts counts) {
        if (!includes(key)) return;
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
