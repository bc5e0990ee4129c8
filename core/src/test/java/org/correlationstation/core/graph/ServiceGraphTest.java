package org.correlationstation.core.graph;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Summing buckets: counts add, histograms merge, the service filter keeps what involves the service. */
class ServiceGraphTest {
    private static final List<GraphKey> KEYS = List.of(GraphKey.node("frontend"), GraphKey.node("checkout"),
            GraphKey.node("payments"), GraphKey.edge("frontend", "checkout"), GraphKey.edge("checkout", "payments"),
            GraphKey.edge("payments", "checkout"), GraphKey.edge("checkout", "checkout"), GraphKey.edge("frontend", "payments"));

    @Test
    void sumsEveryElementOverBucketsAndSortsNodesThenEdgesByName() {
        ServiceGraph g = new ServiceGraph(null);
        for (int bucket = 0; bucket < 3; bucket++) {
            for (GraphKey k : KEYS) g.add(k, counts(bucket + 1, bucket, 10.0 * (bucket + 1)));
        }
        assertThat(keys(g.nodes())).containsExactly(GraphKey.node("checkout"), GraphKey.node("frontend"),
                GraphKey.node("payments"));
        assertThat(keys(g.edges())).containsExactly(GraphKey.edge("checkout", "checkout"),
                GraphKey.edge("checkout", "payments"), GraphKey.edge("frontend", "checkout"),
                GraphKey.edge("frontend", "payments"), GraphKey.edge("payments", "checkout"));
        for (Map.Entry<GraphKey, GraphCounts> e : g.totals().entrySet()) {
            GraphCounts c = e.getValue();
            assertThat(c.calls).isEqualTo(1 + 2 + 3);
            assertThat(c.errors).isEqualTo(0 + 1 + 2);
            assertThat(c.durationMicrosSum).isEqualTo(1 * 10_000 + 2 * 20_000 + 3 * 30_000);
            DurationHistogram want = new DurationHistogram();
            for (int n = 1; n <= 3; n++) for (int i = 0; i < n; i++) want.add(10.0 * n);
            assertThat(c.durations).isEqualTo(want);
        }
    }

    @Test
    void theServiceFilterKeepsItsNodeAndTheEdgesWhereItIsParentOrChild() {
        ServiceGraph g = new ServiceGraph("checkout");
        for (GraphKey k : KEYS) g.add(k, counts(1, 0, 1));
        assertThat(keys(g.nodes())).containsExactly(GraphKey.node("checkout"));
        assertThat(keys(g.edges())).containsExactly(GraphKey.edge("checkout", "checkout"),
                GraphKey.edge("checkout", "payments"), GraphKey.edge("frontend", "checkout"),
                GraphKey.edge("payments", "checkout"));

        assertThat(g.includes(GraphKey.edge("frontend", "checkout"))).isTrue();
        assertThat(g.includes(GraphKey.edge("frontend", "payments"))).isFalse();
        assertThat(g.includes(GraphKey.node("checkout"))).isTrue();
        assertThat(g.includes(GraphKey.node("payments"))).isFalse();
        assertThat(new ServiceGraph(null).includes(GraphKey.node("payments"))).isTrue();

        ServiceGraph nobody = new ServiceGraph("nobody");
        for (GraphKey k : KEYS) nobody.add(k, counts(1, 0, 1));
        assertThat(nobody.totals()).isEmpty();
        assertThat(new ServiceGraph(null).nodes()).isEmpty();
    }

    @Test
    void addingDoesNotKeepOrChangeTheCallersCounts() {
        // Stores hand their own counts to the graph: it must sum into counts of its own.
        GraphCounts stored = counts(2, 1, 5);
        GraphCounts before = stored.copy();
        ServiceGraph g = new ServiceGraph(null);
        g.add(GraphKey.node("a"), stored);
        g.add(GraphKey.node("a"), stored);
        assertThat(stored).isEqualTo(before);
        assertThat(g.totals().get(GraphKey.node("a")).calls).isEqualTo(4);
        stored.add(1_000_000, true);
        assertThat(g.totals().get(GraphKey.node("a")).calls).isEqualTo(4);
    }

    /** {@code calls} spans of {@code ms} each, {@code errors} of them errors. */
    private static GraphCounts counts(int calls, int errors, double ms) {
        GraphCounts c = new GraphCounts();
        for (int i = 0; i < calls; i++) c.add((long) (ms * 1_000_000), i < errors);
        return c;
    }

    private static List<GraphKey> keys(List<Map.Entry<GraphKey, GraphCounts>> entries) {
        return entries.stream().map(Map.Entry::getKey).toList();
    }
}
