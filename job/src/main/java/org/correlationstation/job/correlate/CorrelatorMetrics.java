package org.correlationstation.job.correlate;

import java.util.function.LongSupplier;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/** The correlator's metrics in the {@code correlation} group (SPEC §9; names in docs/metrics.md). */
final class CorrelatorMetrics {
    static final String GROUP = "correlation";

    final Counter spans;
    final Counter logs;
    final Counter late;
    final Counter expired;
    final Counter truncated;
    final Counter cleared;
    private final Counter recordsEmitted;
    private final Histogram emitLatency;

    CorrelatorMetrics(MetricGroup operatorGroup, LongSupplier openTraces) {
        MetricGroup group = operatorGroup.addGroup(GROUP);
        spans = group.addGroup("kind", "span").counter("events");
        logs = group.addGroup("kind", "log").counter("events");
        late = group.counter("late_events");
        expired = group.counter("expired_events");
        truncated = group.counter("truncated_traces");
        cleared = group.counter("cleared_traces");
        recordsEmitted = group.counter("records_emitted");
        emitLatency = group.histogram("emit_latency", new DescriptiveStatisticsHistogram(1024));
        group.gauge("open_traces", (Gauge<Long>) openTraces::getAsLong);
    }

    void emitted(long eventTimeToEmitMs) {
        recordsEmitted.inc();
        emitLatency.update(Math.max(0, eventTimeToEmitMs));
    }
}
