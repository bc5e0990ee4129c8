package org.correlationstation.job.graph;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.api.common.typeinfo.Types;
import org.correlationstation.core.graph.GraphCounts;
import org.correlationstation.core.graph.GraphKey;
import org.correlationstation.core.graph.GraphUpdate;
import org.junit.jupiter.api.Test;

/** Increments in, totals out: summed per bucket and element, at most once per emit interval. */
class GraphAggregatorTest {
    private static final long BUCKET = 1_800_000_000_000L - 1_800_000_000_000L % 60_000;
    private static final GraphKey EDGE = GraphKey.edge("frontend", "checkout");

    @Test
    void incrementsAreSummedAndEmittedAsTotalsOncePerInterval() throws Exception {
        try (var h = harness(null)) {
            h.processElement(new StreamRecord<>(increment(EDGE, 100, false)));
            h.processElement(new StreamRecord<>(increment(EDGE, 200, true)));
            h.processElement(new StreamRecord<>(increment(GraphKey.node("checkout"), 200, true)));
            assertThat(h.extractOutputValues()).as("nothing before the interval").isEmpty();
            h.setProcessingTime(1_000);
            List<GraphUpdate> out = h.extractOutputValues();
            assertThat(out).hasSize(2);
            GraphUpdate edge = out.stream().filter(u -> u.key().equals(EDGE)).findFirst().orElseThrow();
            assertThat(edge.bucketStartMillis()).isEqualTo(BUCKET);
            assertThat(edge.counts().calls).isEqualTo(2);
            assertThat(edge.counts().errors).isEqualTo(1);
            assertThat(edge.counts().durations.count()).isEqualTo(2);

            h.setProcessingTime(5_000);
            assertThat(h.extractOutputValues()).as("no change, no emission").hasSize(2);
        }
    }

    @Test
    void totalsSurviveARestore() throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = harness(null)) {
            h.processElement(new StreamRecord<>(increment(EDGE, 100, false)));
            h.setProcessingTime(1_000);
            snapshot = h.snapshot(1, 1_000);
        }
        try (var h = harness(snapshot)) {
            h.setProcessingTime(1_000);
            h.processElement(new StreamRecord<>(increment(EDGE, 300, true)));
            h.setProcessingTime(2_500);
            List<GraphUpdate> out = h.extractOutputValues();
            assertThat(out).hasSize(1);
            assertThat(out.get(0).counts().calls).isEqualTo(2);
            assertThat(out.get(0).counts().durationMicrosSum).isEqualTo(400_000);
        }
    }

    private static GraphUpdate increment(GraphKey key, long ms, boolean error) {
        GraphCounts c = new GraphCounts();
        c.add(ms * 1_000_000L, error);
        return new GraphUpdate(BUCKET, key, c);
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, GraphUpdate, GraphUpdate> harness(OperatorSubtaskState from)
            throws Exception {
        var h = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new GraphAggregator(1_000, Duration.ofHours(1))), new GraphElementKey(), Types.STRING);
        h.setup();
        if (from != null) h.initializeState(from);
        h.open();
        return h;
    }
}
