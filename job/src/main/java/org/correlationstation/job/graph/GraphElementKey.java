package org.correlationstation.job.graph;

import org.apache.flink.api.java.functions.KeySelector;
import org.correlationstation.core.graph.GraphUpdate;

/**
 * The aggregator's key: one time bucket of one node or edge. Spread over the subtasks by element, so
 * no bucket (and no busy service) lands on one subtask alone. Lengths make it unambiguous whatever
 * the service names hold.
 */
public final class GraphElementKey implements KeySelector<GraphUpdate, String> {
    private static final long serialVersionUID = 1L;

    @Override
    public String getKey(GraphUpdate u) {
        String parent = u.key().parent();
        return u.bucketStartMillis() + "/" + (parent == null ? "-" : parent.length() + ":" + parent) + "/" + u.key().service();
    }
}
