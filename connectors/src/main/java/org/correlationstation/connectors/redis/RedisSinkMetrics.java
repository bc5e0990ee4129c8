package org.correlationstation.connectors.redis;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.ThreadSafeSimpleCounter;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/**
 * The sink's metrics in the job's {@code correlation} group (SPEC §9). Thread-safe counters: batch
 * results are counted on lettuce's threads.
 *
 * <ul>
 *   <li>{@code redis_operations{result=ok|rejected|error}}: records written, records the
 *       compare-and-set left alone because Redis held a more advanced version, and records of batch
 *       attempts that failed (and were retried).
 *   <li>{@code redis_operation_duration}: milliseconds per batch attempt, successful or not.
 *   <li>{@code redis_retries}: batch attempts that failed and were scheduled again.
 * </ul>
 */
final class RedisSinkMetrics {
    static final String GROUP = "correlation";
    static final String OPERATIONS = "redis_operations";
    static final String DURATION = "redis_operation_duration";
    static final String RETRIES = "redis_retries";
    static final String RESULT = "result";

    private static final int HISTOGRAM_WINDOW = 1024;

    private final Counter ok;
    private final Counter rejected;
    private final Counter error;
    private final Counter retries;
    private final Histogram duration;

    RedisSinkMetrics(MetricGroup writerGroup) {
        MetricGroup group = writerGroup.addGroup(GROUP);
        this.ok = group.addGroup(RESULT, "ok").counter(OPERATIONS, new ThreadSafeSimpleCounter());
        this.rejected = group.addGroup(RESULT, "rejected").counter(OPERATIONS, new ThreadSafeSimpleCounter());
        this.error = group.addGroup(RESULT, "error").counter(OPERATIONS, new ThreadSafeSimpleCounter());
        this.retries = group.counter(RETRIES, new ThreadSafeSimpleCounter());
        this.duration = group.histogram(DURATION, new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
    }

    void batchSucceeded(BatchResult result, long millis) {
        ok.inc(result.written());
        rejected.inc(result.rejected());
        duration.update(millis);
    }

    void batchFailed(int records, long millis) {
        error.inc(records);
        retries.inc();
        duration.update(millis);
    }
}
