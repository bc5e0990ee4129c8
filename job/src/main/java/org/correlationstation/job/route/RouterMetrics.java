package org.correlationstation.job.route;

import java.util.HashMap;
import java.util.Map;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/** {@code dlq_records} per reason, in the {@code correlation} metric group. */
final class RouterMetrics {
    private final MetricGroup group;
    private final Map<String, Counter> dlqByReason = new HashMap<>();

    RouterMetrics(MetricGroup operatorGroup) {
        this.group = operatorGroup.addGroup("correlation");
    }

    MetricGroup group() {
        return group;
    }

    void deadLetter(String reason) {
        dlqByReason.computeIfAbsent(reason, r -> group.addGroup("reason", r).counter("dlq_records")).inc();
    }
}
