package org.correlationstation.core.graph;

import java.io.Serializable;

import java.util.Objects;

/**
 * One element of the service graph: a service (a node; {@code parent} null) or a parent→child pair
 * of services (an edge, SPEC §4's {@code edges}).
 */
public record GraphKey(String parent, String service) implements Comparable<GraphKey>, Serializable {
    private static final long serialVersionUID = 1L;

    public GraphKey {
        Objects.requireNonNull(service, "service");
    }

    public static GraphKey node(String service) {
        return new GraphKey(null, service);
    }

    public static GraphKey edge(String parent, String child) {
        return new GraphKey(Objects.requireNonNull(parent, "parent"), child);
    }

    public boolean isEdge() {
        return parent != null;
    }

    /** Nodes first, then edges; by name. */
    @Override
    public int compareTo(GraphKey o) {
        if (isEdge() != o.isEdge()) return isEdge() ? 1 : -1;
        int c = isEdge() ? parent.compareTo(o.parent) : 0;
        return c != 0 ? c : service.compareTo(o.service);
    }
}
