package org.correlationstation.job.correlate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.storage.JobManagerCheckpointStorage;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.correlationstation.core.model.LogEvent;
import org.correlationstation.core.model.SpanEvent;
import org.correlationstation.core.record.CorrelationRecord;
import org.correlationstation.job.types.CompactTypes;
import org.correlationstation.job.types.TraceLogs;
import org.correlationstation.job.types.TraceSpans;

/**
 * Feeds one sequence of events and clock moves to the correlator (its operator in Flink's test harness)
 * and to the {@link ReferenceModel}, and compares what they say: every trace's record once nothing is
 * left to emit, and every log's decision (what Loki gets).
 *
 * <p>Processing time moves in multiples of the timer grid (100 ms), so every due time the rules compute
 * falls on it; it never stops inside a trace's clean-up step, where the correlator may or may not have
 * cleared the trace yet. Each processing-time move is followed by the watermark moving on by 1 ms (when
 * there is one), which fires the event-time timers an event registered at or below the watermark, as the
 * next watermark of a running job would.
 */
final class ModelDriver implements AutoCloseable {
    static final long GRID_MS = 100;
    private static final int MAX_PARALLELISM = 128;

    private final CorrelationSettings cfg;
    private final boolean rocksDb;
    private final ReferenceModel model;
    private final long stepMs;
    private KeyedTwoInputStreamOperatorTestHarness<String, TraceSpans, TraceLogs, CorrelationRecord> harness;
    private final List<CorrelationRecord> emittedBefore = new ArrayList<>();
    private final List<JoinedLog> decidedBefore = new ArrayList<>();
    private long now;
    private long watermark = Long.MIN_VALUE;
    private long checkpoints;

    ModelDriver(CorrelationSettings cfg, boolean rocksDb) throws Exception {
        this.cfg = cfg;
        this.rocksDb = rocksDb;
        this.model = new ReferenceModel(cfg);
        this.stepMs = Math.max(1, Math.min(60_000, cfg.ttlMs / 100)); // TraceCorrelatorOperator's clean-up step
        harness = newHarness();
        harness.open();
        harness.setProcessingTime(0);
    }

    private KeyedTwoInputStreamOperatorTestHarness<String, TraceSpans, TraceLogs, CorrelationRecord> newHarness()
            throws Exception {
        var h = new KeyedTwoInputStreamOperatorTestHarness<>(new TraceCorrelatorOperator(cfg), new TraceIdOfSpan(),
                new TraceIdOfLog(), CompactTypes.TRACE_ID_KEY, MAX_PARALLELISM, 1, 0);
        if (rocksDb) {
            EmbeddedRocksDBStateBackend backend = new EmbeddedRocksDBStateBackend();
            backend.getMemoryConfiguration().setUseManagedMemory(false);
            h.setStateBackend(backend);
        }
        h.setup();
        h.setCheckpointStorage(new JobManagerCheckpointStorage(16 << 20));
        return h;
    }

    long now() {
        return now;
    }

    ReferenceModel model() {
        return model;
    }

    void spans(SpanEvent... spans) throws Exception {
        long time = Long.MIN_VALUE;
        for (SpanEvent s : spans) time = Math.max(time, s.eventTimeMillis());
        harness.processElement1(new StreamRecord<>(new TraceSpans(spans[0].traceId, spans), time));
        for (SpanEvent s : spans) model.span(s);
    }

    void logs(LogEvent... logs) throws Exception {
        long time = Long.MIN_VALUE;
        for (LogEvent l : logs) time = Math.max(time, l.eventTimeMillis());
        harness.processElement2(new StreamRecord<>(new TraceLogs(logs[0].traceId, logs), time));
        for (LogEvent l : logs) model.log(l);
    }

    /** Processing time moves on by at least {@code ms} (rounded up to the grid, and out of any clean-up step). */
    void advance(long ms) throws Exception {
        long time = outOfCleanUpSteps(onGrid(now + Math.max(ms, GRID_MS)));
        harness.setProcessingTime(time);
        model.advanceTo(time);
        now = time;
        if (watermark != Long.MIN_VALUE) moveWatermark(watermark + 1);
    }

    /** The watermark moves to {@code time}, if that is later than where it is. */
    void watermark(long time) throws Exception {
        if (time > watermark) moveWatermark(time);
    }

    private void moveWatermark(long time) throws Exception {
        watermark = time;
        harness.processBothWatermarks(new Watermark(time));
        model.watermark(time);
    }

    /** A checkpoint, then the correlator restored from it into a new operator (the watermark starts over). */
    void restore() throws Exception {
        OperatorSubtaskState snapshot = harness.snapshot(++checkpoints, now);
        emittedBefore.addAll(harness.extractOutputValues());
        decidedBefore.addAll(decidedNow());
        harness.close();
        harness = newHarness();
        harness.initializeState(snapshot);
        harness.open();
        harness.setProcessingTime(now);
        watermark = Long.MIN_VALUE;
        model.restored();
    }

    /**
     * Lets every waiting log's wait run out and every changed trace be emitted (nothing arrives meanwhile),
     * then compares records and decisions.
     */
    void settleAndCompare() throws Exception {
        advance(cfg.joinMaxWaitMs + GRID_MS);
        advance(cfg.emitIntervalMs + GRID_MS);
        assertThat(latestRecords()).as("each trace's last record").isEqualTo(model.records());
        assertThat(decisions()).as("every decided log (Loki)").isEqualTo(model.decisions());
    }

    /** Closes and clears every trace, then compares; nothing may be left waiting or held. */
    void finish() throws Exception {
        settleAndCompare();
        advance(cfg.windowMs + GRID_MS); // every trace closes
        advance(cfg.ttlMs + stepMs + GRID_MS); // and is cleared
        settleAndCompare();
        assertThat(model.waitingLogs()).isFalse();
        if (!rocksDb) assertThat(StateEntries.ofTraces(harness)).as("state left behind").isZero();
    }

    private Map<String, String> latestRecords() {
        List<CorrelationRecord> all = new ArrayList<>(emittedBefore);
        all.addAll(harness.extractOutputValues());
        Map<String, String> latest = new TreeMap<>();
        for (CorrelationRecord r : all) latest.put(r.traceId, ReferenceModel.content(r));
        return latest;
    }

    private List<String> decisions() {
        List<JoinedLog> all = new ArrayList<>(decidedBefore);
        all.addAll(decidedNow());
        List<String> out = new ArrayList<>();
        for (JoinedLog j : all) out.add(ReferenceModel.decision(j.log, j.correlationId, j.spanId, j.spanName, j.inferred));
        out.sort(null);
        return out;
    }

    private List<JoinedLog> decidedNow() {
        List<JoinedLog> out = new ArrayList<>();
        var queue = harness.getSideOutput(TraceCorrelator.DECIDED_LOGS);
        if (queue != null) queue.forEach(r -> out.add(r.getValue()));
        return out;
    }

    private static long onGrid(long time) {
        return Math.floorDiv(time + GRID_MS - 1, GRID_MS) * GRID_MS;
    }

    /** The first grid time at or after {@code time} outside every closed trace's clean-up step. */
    private long outOfCleanUpSteps(long time) {
        boolean moved = true;
        while (moved) {
            moved = false;
            for (long[] w : model.cleanUpWindows(stepMs)) {
                if (time >= w[0] && time <= w[1]) {
                    time = onGrid(w[1] + 1);
                    moved = true;
                }
            }
        }
        return time;
    }

    @Override
    public void close() throws Exception {
        harness.close();
    }
}
