package org.correlationstation.api.http;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.correlationstation.api.store.CorrelationStore;
import org.correlationstation.api.store.InMemoryCorrelationStore;
import org.correlationstation.core.graph.GraphCounts;
import org.correlationstation.core.graph.GraphKey;
import org.correlationstation.core.graph.GraphUpdate;

/** {@code GET /api/graph} over the in-memory store, fed through {@code putGraph} as local mode's sink feeds it. */
class ApiGraphMemoryTest extends ApiGraphContract {
    private static final Duration TTL = Duration.ofHours(1);
    private final AtomicLong clock = new AtomicLong(System.currentTimeMillis());
    private InMemoryCorrelationStore store;

    @Override
    protected CorrelationStore newStore() {
        store = new InMemoryCorrelationStore(TTL, 10_000, 64L << 20, clock::get);
        return store;
    }

    @Override
    protected void seed(long bucketStart, Map<GraphKey, GraphCounts> elements) {
        for (Map.Entry<GraphKey, GraphCounts> e : elements.entrySet()) {
            store.putGraph(new GraphUpdate(bucketStart, e.getKey(), e.getValue()));
        }
    }

    @Override
    protected void seedExpired(long bucketStart, Map<GraphKey, GraphCounts> elements) {
        seed(bucketStart, elements);
        clock.addAndGet(TTL.toMillis()); // the TTL after the bucket's last update has run out
    }
}
