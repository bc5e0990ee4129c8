package org.correlationstation.job.correlate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.correlationstation.job.correlate.Events.T0;
import static org.correlationstation.job.correlate.Events.errorSpan;
import static org.correlationstation.job.correlate.Events.sid;
import static org.correlationstation.job.correlate.Events.span;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.correlationstation.core.graph.GraphCounts;
import org.correlationstation.core.graph.GraphKey;
import org.correlationstation.core.graph.GraphUpdate;
import org.correlationstation.core.model.SpanEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The correlator's service-graph increments: each span once to its node, each child once to its edge. */
class GraphIncrementsTest {
    private static final long BUCKET = 60_000;
    /** The start of a bucket: T0 is not one. */
    private static final long B0 = T0 - Math.floorMod(T0, BUCKET);

    private CorrelatorHarness h;

    @BeforeEach
    void open() throws Exception {
        h = new CorrelatorHarness(CorrelationSettings.defaults());
    }

    @AfterEach
    void close() throws Exception {
        h.close();
    }

    @Test
    void aChildCountsToItsEdgeOnceItsParentArrivesAndNeverAgain() throws Exception {
        // spans are reported as they end: the child first
        h.span(errorSpan(sid(2), sid(1), "charge", "payments", B0 + 100, B0 + 300));
        h.time(2_000);
        assertThat(sums(h.graphIncrements())).as("the child's node only; its parent is unknown")
                .isEqualTo(Map.of(B0 + "|" + GraphKey.node("payments"), List.of(1L, 1L)));
        h.span(span(sid(1), null, "GET /pay", "gateway", B0 + 50, B0 + 61_000));
        h.time(4_000);
        h.span(span(sid(2), sid(1), "charge", "payments", B0 + 100, B0 + 300)); // a duplicate
        h.time(6_000);
        h.watermark(B0 + 61_000 + 60_000 + 1);
        h.time(8_000);

        assertThat(sums(h.graphIncrements())).isEqualTo(Map.of(
                B0 + "|" + GraphKey.node("payments"), List.of(1L, 1L),
                (B0 + BUCKET) + "|" + GraphKey.node("gateway"), List.of(1L, 0L),
                B0 + "|" + GraphKey.edge("gateway", "payments"), List.of(1L, 1L)));
        assertThat(h.records()).as("emitted more than once").hasSizeGreaterThanOrEqualTo(2);
    }

    @Test
    void aLateChildOfAClosedTraceCountsInTheBucketOfItsEnd() throws Exception {
        h.spans(span(sid(1), null, "GET /", "gateway", B0 + 10, B0 + 500), span(sid(2), sid(1), "q", "db", B0 + 20, B0 + 40));
        h.watermark(B0 + 500 + 60_000 + 1);
        h.time(2_000);
        assertThat(h.last().status).isEqualTo("closed");

        h.span(span(sid(3), sid(1), "late", "cache", B0 + 30, B0 + 45));
        h.time(4_000);
        h.harness.prepareSnapshotPreBarrier(1); // what is held goes out before a checkpoint's barrier
        assertThat(sums(h.graphIncrements())).isEqualTo(Map.of(
                B0 + "|" + GraphKey.node("gateway"), List.of(1L, 0L),
                B0 + "|" + GraphKey.node("db"), List.of(1L, 0L),
                B0 + "|" + GraphKey.edge("gateway", "db"), List.of(1L, 0L),
                B0 + "|" + GraphKey.node("cache"), List.of(1L, 0L),
                B0 + "|" + GraphKey.edge("gateway", "cache"), List.of(1L, 0L)));
        assertThat(h.last().lateEvents).isEqualTo(1);
    }

    @Test
    void afterARestoreCountedEdgesAreNotCountedAgain() throws Exception {
        h.spans(span(sid(1), null, "GET /", "gateway", B0 + 10, B0 + 500), span(sid(2), sid(1), "q", "db", B0 + 20, B0 + 40));
        h.time(2_000);
        int counted = h.graphIncrements().size();
        assertThat(sums(h.graphIncrements())).containsKey(B0 + "|" + GraphKey.edge("gateway", "db"));
        OperatorSubtaskState snapshot = h.harness.snapshot(1, 2_000);
        h.close();

        h = new CorrelatorHarness(CorrelationSettings.defaults(), snapshot);
        h.time(2_000);
        h.span(span(sid(3), sid(1), "r", "db", B0 + 50, B0 + 60));
        h.time(4_000);
        assertThat(sums(h.graphIncrements())).as("only the new child, after %d increments before", counted).isEqualTo(Map.of(
                B0 + "|" + GraphKey.node("db"), List.of(1L, 0L),
                B0 + "|" + GraphKey.edge("gateway", "db"), List.of(1L, 0L)));
    }

    @Test
    void spansOfOneServiceMakeNoEdge() throws Exception {
        h.spans(span(sid(1), null, "GET /", "gateway", B0 + 10, B0 + 500), span(sid(2), sid(1), "inner", "gateway", B0 + 20, B0 + 40));
        h.time(2_000);
        assertThat(sums(h.graphIncrements())).isEqualTo(Map.of(B0 + "|" + GraphKey.node("gateway"), List.of(2L, 0L)));
        assertThat(h.last().edges).isEmpty();
    }

    @Test
    void incrementsOfManyTracesWithinAGridStepLeaveAsOnePerElement() throws Exception {
        for (int t = 0; t < 50; t++) {
            SpanEvent root = span(sid(1), null, "GET /", "gateway", B0 + 10, B0 + 500);
            SpanEvent child = span(sid(2), sid(1), "q", "db", B0 + 20, B0 + 40 + t);
            root.traceId = child.traceId = String.format("%032x", t + 1);
            h.spans(root, child);
        }
        assertThat(h.graphIncrements()).as("held within the grid step").isEmpty();
        h.harness.prepareSnapshotPreBarrier(1); // all that is held goes out before a checkpoint's barrier
        List<GraphUpdate> sent = h.graphIncrements();
        assertThat(sums(sent)).isEqualTo(Map.of(
                B0 + "|" + GraphKey.node("gateway"), List.of(50L, 0L),
                B0 + "|" + GraphKey.node("db"), List.of(50L, 0L)));
        assertThat(sent).as("one increment per element, not per span").hasSize(2);
    }

    @Test
    void incrementsAreHeldForHalfTheEmitIntervalThenSentTogether() throws Exception {
        long half = CorrelationSettings.defaults().emitIntervalMs / 2;
        h.time(10_000);
        trace(1);
        int first = h.graphIncrements().size();
        assertThat(first).as("the first call finds nothing sent for longer than that").isPositive();
        h.time(10_000 + half - 100); // the first trace's emission timer fires meanwhile: its edge is held too
        trace(2);
        assertThat(h.graphIncrements()).as("held for half the emit interval").hasSize(first);

        // No call of the correlator's comes at the due time: the operator's timer sends what is held.
        h.time(10_000 + half);
        assertThat(sums(h.graphIncrements())).isEqualTo(Map.of(
                B0 + "|" + GraphKey.node("gateway"), List.of(2L, 0L),
                B0 + "|" + GraphKey.node("db"), List.of(2L, 0L),
                B0 + "|" + GraphKey.edge("gateway", "db"), List.of(1L, 0L)));
        trace(3);
        h.time(10_000 + 2 * half - 200); // the other two traces are emitted: their edges are held
        assertThat(sums(h.graphIncrements())).as("held").containsEntry(B0 + "|" + GraphKey.node("gateway"), List.of(2L, 0L))
                .containsEntry(B0 + "|" + GraphKey.edge("gateway", "db"), List.of(1L, 0L));
        h.time(10_000 + 2 * half);
        assertThat(sums(h.graphIncrements())).isEqualTo(Map.of(
                B0 + "|" + GraphKey.node("gateway"), List.of(3L, 0L),
                B0 + "|" + GraphKey.node("db"), List.of(3L, 0L),
                B0 + "|" + GraphKey.edge("gateway", "db"), List.of(3L, 0L)));
    }

    private void trace(int t) throws Exception {
        SpanEvent root = span(sid(1), null, "GET /", "gateway", B0 + 10, B0 + 500);
        SpanEvent child = span(sid(2), sid(1), "q", "db", B0 + 20, B0 + 40);
        root.traceId = child.traceId = String.format("%032x", t);
        h.spans(root, child);
    }

    /** Calls and errors per "bucket|element", summed over the increments. */
    private static Map<String, List<Long>> sums(List<GraphUpdate> increments) {
        Map<String, GraphCounts> sums = new HashMap<>();
        for (GraphUpdate u : increments) {
            sums.computeIfAbsent(u.bucketStartMillis() + "|" + u.key(), k -> new GraphCounts()).merge(u.counts());
        }
        Map<String, List<Long>> out = new HashMap<>();
        sums.forEach((k, c) -> out.put(k, List.of(c.calls, c.errors)));
        return out;
    }
}
