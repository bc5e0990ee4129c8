package org.correlationstation.job.correlate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.correlationstation.job.correlate.Events.T0;
import static org.correlationstation.job.correlate.Events.sid;
import static org.correlationstation.job.correlate.Events.span;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.runtime.state.storage.JobManagerCheckpointStorage;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OperatorSnapshotUtil;
import org.correlationstation.core.model.SpanEvent;
import org.correlationstation.core.record.CorrelationRecord;
import org.correlationstation.job.types.CompactTypes;
import org.correlationstation.job.types.TraceLogs;
import org.correlationstation.job.types.TraceSpans;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The clean-up of closed traces through per-key-group lists ({@link TraceCorrelatorOperator}). */
class TraceCorrelatorOperatorTest {
    private static final int MAX_PARALLELISM = 128;
    private static final int TRACES = 1000;
    /** Window 10 s, TTL 100 s: clean-up steps of 1 s. */
    private static final CorrelationSettings CFG = new CorrelationSettings(Duration.ofSeconds(10), Duration.ofSeconds(1),
            Duration.ofSeconds(100), Duration.ofSeconds(1), Duration.ofSeconds(2), 10_000, 1000, 100);
    /** Every trace's one event arrives at processing time 0: it closes at 10 s and is due at 110 s. */
    private static final long CLOSED_AT = 10_000;
    private static final long DUE = CLOSED_AT + 100_000;
    private static final long STEP = 1000;

    @ParameterizedTest
    @ValueSource(strings = {"heap", "rocksdb"})
    void closedTracesHoldOneTimerPerKeyGroupNotOneEachAndAreClearedWhenDue(String backend) throws Exception {
        try (var h = harness(backend, 1, 0)) {
            h.setProcessingTime(0);
            Set<Integer> keyGroups = new HashSet<>();
            for (int i = 0; i < TRACES; i++) {
                h.processElement1(spanOf(i));
                keyGroups.add(KeyGroupRangeAssignment.assignToKeyGroup(traceId(i), MAX_PARALLELISM));
            }
            assertThat(h.numProcessingTimeTimers()).as("open traces: one each").isEqualTo(TRACES);

            h.setProcessingTime(CLOSED_AT);
            assertThat(records(h)).hasSize(TRACES).allSatisfy(r -> assertThat(r.status).isEqualTo("closed"));
            assertThat(h.numProcessingTimeTimers()).as("held: one per key group").isEqualTo(keyGroups.size());
            assertThat(h.numEventTimeTimers()).isZero();

            h.setProcessingTime(DUE - 1);
            h.processElement1(spanOf(7, sid(2)));
            h.setProcessingTime(DUE - 1 + 1000 - 1); // emitted, still before the clean-up
            assertThat(last(h, 7)).satisfies(r -> {
                assertThat(r.lateEvents).as("held until due").isEqualTo(1);
                assertThat(r.spanCount).isEqualTo(2);
            });

            h.setProcessingTime(DUE + 1000);
            assertThat(h.numProcessingTimeTimers()).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
            if (backend.equals("heap")) assertThat(StateEntries.ofTraces(h)).isZero();
            // Trace 8 had no timer of its own since it closed (trace 7's late event gave it one).
            h.processElement1(spanOf(8, sid(3)));
            h.setProcessingTime(DUE + 20_000);
            assertThat(last(h, 8)).satisfies(r -> {
                assertThat(r.version).as("its state was cleared: a new trace").isEqualTo(1);
                assertThat(r.spanCount).isEqualTo(1);
            });
        }
    }

    @Test
    void theCleanUpIsSpreadOverTheStepAndCappedPerFiring() throws Exception {
        int cap = 3;
        try (var h = harness("heap", 1, 0, false, cap)) {
            h.open();
            h.setProcessingTime(0);
            Map<Integer, Integer> perKeyGroup = new HashMap<>();
            for (int i = 0; i < TRACES; i++) {
                h.processElement1(spanOf(i));
                perKeyGroup.merge(KeyGroupRangeAssignment.assignToKeyGroup(traceId(i), MAX_PARALLELISM), 1, Integer::sum);
            }
            h.setProcessingTime(CLOSED_AT);
            int held = StateEntries.ofTraces(h);
            // Key group k's step is offset by k/128 of a step: half the step in, about half the key groups fired.
            h.setProcessingTime(DUE + STEP / 2);
            int halfway = StateEntries.ofTraces(h);
            assertThat(halfway).isLessThan(held).isGreaterThan(0);
            h.setProcessingTime(DUE + STEP);
            // Each key group's firing cleared at most `cap` of its traces; the rest wait for later firings.
            int maxPerKeyGroup = perKeyGroup.values().stream().mapToInt(Integer::intValue).max().orElseThrow();
            assertThat(maxPerKeyGroup).isGreaterThan(cap);
            assertThat(StateEntries.ofTraces(h)).as("after the step's firings").isPositive();
            for (int ms = 1; ms <= maxPerKeyGroup / cap + 1; ms++) h.setProcessingTime(DUE + STEP + ms);
            assertThat(StateEntries.ofTraces(h)).as("every trace cleared, a few milliseconds later").isZero();
            assertThat(h.numProcessingTimeTimers()).isZero();
        }
    }

    @Test
    void theListsMoveWithTheirKeyGroupsWhenTheJobIsRescaled() throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = harness("heap", 1, 0)) {
            h.setProcessingTime(0);
            for (int i = 0; i < TRACES; i++) h.processElement1(spanOf(i));
            h.setProcessingTime(CLOSED_AT);
            assertThat(records(h)).hasSize(TRACES);
            snapshot = h.snapshot(1, CLOSED_AT);
        }
        int held = 0;
        for (int subtask = 0; subtask < 2; subtask++) {
            try (var h = harness("heap", 2, subtask)) {
                h.initializeState(AbstractStreamOperatorTestHarness.repartitionOperatorState(
                        snapshot, MAX_PARALLELISM, 1, 2, subtask));
                h.open();
                h.setProcessingTime(CLOSED_AT + 1);
                int entries = StateEntries.ofTraces(h);
                assertThat(entries).as("subtask %d holds its share", subtask).isPositive();
                held += entries;
                assertThat(h.numProcessingTimeTimers()).isPositive().isLessThanOrEqualTo(MAX_PARALLELISM / 2);
                h.setProcessingTime(DUE + STEP); // each key group's step lies within one step after it is due
                assertThat(StateEntries.ofTraces(h)).as("subtask %d cleared its share", subtask).isZero();
                assertThat(h.numProcessingTimeTimers()).isZero();
            }
        }
        assertThat(held).isGreaterThan(TRACES);
    }

    /**
     * Summaries are written back to state only when they leave the subtask's recent ones (more than 20,000
     * traces here) or before a checkpoint: a restored subtask, which starts with none held, must find every
     * trace's summary under its own key.
     */
    @ParameterizedTest
    @ValueSource(strings = {"heap", "rocksdb"})
    void everySummaryChangedBeforeASnapshotIsInItUnderItsOwnTrace(String backend) throws Exception {
        int traces = 20_500;
        OperatorSubtaskState snapshot;
        try (var h = harness(backend, 1, 0)) {
            h.setProcessingTime(0);
            for (int i = 0; i < traces; i++) h.processElement1(spanOf(i));
            snapshot = h.snapshot(1, 0);
        }
        try (var h = harness(backend, 1, 0, false)) {
            h.initializeState(snapshot);
            h.open();
            h.setProcessingTime(1);
            for (int i = 0; i < traces; i++) h.processElement1(spanOf(i, sid(2)));
            h.setProcessingTime(CLOSED_AT + 1);
            Map<String, CorrelationRecord> lastByTrace = new HashMap<>();
            for (CorrelationRecord r : records(h)) lastByTrace.put(r.traceId, r);
            assertThat(lastByTrace).hasSize(traces);
            assertThat(lastByTrace.values()).allSatisfy(r -> {
                assertThat(r.spanCount).as("trace %s", r.traceId).isEqualTo(2);
                assertThat(r.status).isEqualTo("closed");
            });
        }
    }

    /**
     * A snapshot of the correlator before this operator (d7b6eec: a heap timer per closed trace), written by a
     * harness like the ones here: traces 1 and 2, one span each at processing time 0, closed at 10 s, due at
     * 110 s. A trace that closed there and gets a late event here gives up its own timer; without the hand-over
     * its state would never be cleared.
     */
    @Test
    void closedTracesFromASnapshotOfTheEarlierCorrelatorAreClearedWhenDue() throws Exception {
        OperatorSubtaskState legacy = OperatorSnapshotUtil.readStateHandle(
                Path.of(TraceCorrelatorOperatorTest.class.getResource("/savepoints/correlator-d7b6eec.snapshot").toURI())
                        .toString());
        try (var h = harness("heap", 1, 0, false)) {
            h.initializeState(legacy);
            h.open();
            h.setProcessingTime(CLOSED_AT + 1);
            assertThat(h.numProcessingTimeTimers()).as("the two traces' own clean-up timers").isEqualTo(2);
            assertThat(StateEntries.ofTraces(h)).isPositive();

            h.setProcessingTime(50_000);
            h.processElement1(spanOf(0, sid(2)));
            h.setProcessingTime(51_000);
            assertThat(last(h, 0)).satisfies(r -> {
                assertThat(r.lateEvents).isEqualTo(1);
                assertThat(r.spanCount).isEqualTo(2);
            });
            assertThat(h.numProcessingTimeTimers()).as("trace 2's own timer, trace 1's key group's step").isEqualTo(2);

            h.setProcessingTime(DUE + 1000);
            assertThat(StateEntries.ofTraces(h)).isZero();
            assertThat(h.numProcessingTimeTimers()).isZero();
        }
    }

    private static KeyedTwoInputStreamOperatorTestHarness<String, TraceSpans, TraceLogs, CorrelationRecord> harness(
            String backend, int parallelism, int subtask) throws Exception {
        return harness(backend, parallelism, subtask, parallelism == 1);
    }

    private static KeyedTwoInputStreamOperatorTestHarness<String, TraceSpans, TraceLogs, CorrelationRecord> harness(
            String backend, int parallelism, int subtask, boolean open) throws Exception {
        return harness(backend, parallelism, subtask, open, TraceCorrelatorOperator.MAX_CLEARED_PER_FIRING);
    }

    private static KeyedTwoInputStreamOperatorTestHarness<String, TraceSpans, TraceLogs, CorrelationRecord> harness(
            String backend, int parallelism, int subtask, boolean open, int maxClearedPerFiring) throws Exception {
        var h = new KeyedTwoInputStreamOperatorTestHarness<>(new TraceCorrelatorOperator(CFG, maxClearedPerFiring),
                new TraceIdOfSpan(),
                new TraceIdOfLog(), CompactTypes.TRACE_ID_KEY, MAX_PARALLELISM, parallelism, subtask);
        if (backend.equals("rocksdb")) {
            EmbeddedRocksDBStateBackend rocksDb = new EmbeddedRocksDBStateBackend();
            rocksDb.getMemoryConfiguration().setUseManagedMemory(false);
            h.setStateBackend(rocksDb);
        }
        h.setup();
        h.setCheckpointStorage(new JobManagerCheckpointStorage(64 << 20)); // a few MB for 20,000 traces
        if (open) h.open();
        return h;
    }

    private static String traceId(int i) {
        return String.format("%032x", i + 1);
    }

    private static StreamRecord<TraceSpans> spanOf(int trace) {
        return spanOf(trace, sid(1));
    }

    private static StreamRecord<TraceSpans> spanOf(int trace, String spanId) {
        SpanEvent s = span(spanId, null, "op", "svc", T0, T0 + 5);
        s.traceId = traceId(trace);
        return new StreamRecord<>(new TraceSpans(s.traceId, new SpanEvent[] {s}), T0 + 5);
    }

    private static List<CorrelationRecord> records(KeyedTwoInputStreamOperatorTestHarness<?, ?, ?, CorrelationRecord> h) {
        return List.copyOf(h.extractOutputValues());
    }

    private static CorrelationRecord last(KeyedTwoInputStreamOperatorTestHarness<?, ?, ?, CorrelationRecord> h, int trace) {
        List<CorrelationRecord> all = records(h).stream().filter(r -> r.traceId.equals(traceId(trace))).toList();
        assertThat(all).isNotEmpty();
        return all.get(all.size() - 1);
    }
}
