package org.correlationstation.job.correlate;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.correlationstation.core.graph.GraphUpdate;
import org.correlationstation.core.model.LogEvent;
import org.correlationstation.core.model.SpanEvent;
import org.correlationstation.core.record.CorrelationRecord;
import org.correlationstation.job.types.CompactTypes;
import org.correlationstation.job.types.TraceLogs;
import org.correlationstation.job.types.TraceSpans;

/** A {@link TraceCorrelator} in Flink's keyed two-input operator test harness. */
final class CorrelatorHarness implements AutoCloseable {
    final KeyedTwoInputStreamOperatorTestHarness<String, TraceSpans, TraceLogs, CorrelationRecord> harness;

    CorrelatorHarness(CorrelationSettings cfg) throws Exception {
        this(cfg, null);
    }

    /** A correlator restored from {@code snapshot} (null: none). */
    CorrelatorHarness(CorrelationSettings cfg, OperatorSubtaskState snapshot) throws Exception {
        harness = new KeyedTwoInputStreamOperatorTestHarness<>(new TraceCorrelatorOperator(cfg),
                new TraceIdOfSpan(), new TraceIdOfLog(), CompactTypes.TRACE_ID_KEY);
        harness.setup();
        if (snapshot != null) harness.initializeState(snapshot);
        harness.open();
        harness.setProcessingTime(0);
    }

    void span(SpanEvent span) throws Exception {
        spans(span);
    }

    /** Spans of one trace as the source hands them on from one message. */
    void spans(SpanEvent... spans) throws Exception {
        long time = Long.MIN_VALUE;
        for (SpanEvent s : spans) time = Math.max(time, s.eventTimeMillis());
        harness.processElement1(new StreamRecord<>(new TraceSpans(spans[0].traceId, spans), time));
    }

    void log(LogEvent log) throws Exception {
        logs(log);
    }

    /** Logs of one trace as the source hands them on from one message. */
    void logs(LogEvent... logs) throws Exception {
        long time = Long.MIN_VALUE;
        for (LogEvent l : logs) time = Math.max(time, l.eventTimeMillis());
        harness.processElement2(new StreamRecord<>(new TraceLogs(logs[0].traceId, logs), time));
    }

    void watermark(long ts) throws Exception {
        harness.processBothWatermarks(new Watermark(ts));
    }

    void time(long processingTime) throws Exception {
        harness.setProcessingTime(processingTime);
    }

    List<CorrelationRecord> records() {
        return new ArrayList<>(harness.extractOutputValues());
    }

    CorrelationRecord last() {
        List<CorrelationRecord> all = records();
        if (all.isEmpty()) throw new AssertionError("no record was emitted");
        return all.get(all.size() - 1);
    }

    List<JoinedLog> decided() {
        List<JoinedLog> out = new ArrayList<>();
        var queue = harness.getSideOutput(TraceCorrelator.DECIDED_LOGS);
        if (queue != null) queue.forEach(r -> out.add(r.getValue()));
        return out;
    }

    /** The service graph's increments so far, in order. */
    List<GraphUpdate> graphIncrements() {
        List<GraphUpdate> out = new ArrayList<>();
        var queue = harness.getSideOutput(TraceCorrelator.GRAPH_INCREMENTS);
        if (queue != null) queue.forEach(r -> out.add(r.getValue()));
        return out;
    }

    @Override
    public void close() throws Exception {
        harness.close();
    }
}
