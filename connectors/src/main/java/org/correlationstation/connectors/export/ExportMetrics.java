package org.correlationstation.connectors.export;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.ThreadSafeSimpleCounter;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/**
 * The export metrics of one backend (SPEC §9) in the {@code correlation} group, labelled
 * {@code backend}: {@code export_attempts} per {@code status}, {@code export_batch_size},
 * {@code export_latency} (ms) and {@code circuit_breaker_state}. Updated from client threads.
 */
public final class ExportMetrics {
    private final MetricGroup backendGroup;
    private final Map<String, Counter> attempts = new ConcurrentHashMap<>();
    private final Histogram batchSize;
    private final Histogram latency;

    public ExportMetrics(MetricGroup operatorGroup, String backend, IntSupplier circuitBreakerState) {
        backendGroup = operatorGroup.addGroup("correlation").addGroup("backend", backend);
        batchSize = backendGroup.histogram("export_batch_size", new DescriptiveStatisticsHistogram(1024));
        latency = backendGroup.histogram("export_latency", new DescriptiveStatisticsHistogram(1024));
        backendGroup.gauge("circuit_breaker_state", (Gauge<Integer>) circuitBreakerState::getAsInt);
    }

    /** The group for a backend's own metrics (e.g. {@code loki_truncated_lines}). */
    public MetricGroup group() {
        return backendGroup;
    }

    public void attempt(String status, int records, long millis) {
        attempts.computeIfAbsent(status,
                s -> backendGroup.addGroup("status", s).counter("export_attempts", new ThreadSafeSimpleCounter())).inc();
        batchSize.update(records);
        latency.update(millis);
    }
}
