package org.correlationstation.bench.frontdoor;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PrometheusTextTest {
    @Test
    void sumsEverySampleOfTheMetricAndNoLongerName() {
        String exposition = """
                # HELP flink_taskmanager_job_task_operator_correlation_kind_events events
                # TYPE flink_taskmanager_job_task_operator_correlation_kind_events gauge
                flink_taskmanager_job_task_operator_correlation_kind_events{kind="span",subtask_index="0",} 1200.0
                flink_taskmanager_job_task_operator_correlation_kind_events{kind="span",subtask_index="1",} 800.0
                flink_taskmanager_job_task_operator_correlation_kind_events{kind="log",subtask_index="0",} 1.5E3
                flink_taskmanager_job_task_operator_correlation_kind_events_total{kind="log",} 99.0
                flink_taskmanager_job_task_operator_correlation_records_emitted{subtask_index="0",} 7.0
                """;
        assertThat(PrometheusText.sum(exposition, "flink_taskmanager_job_task_operator_correlation_kind_events")).isEqualTo(3500.0);
        assertThat(PrometheusText.sum(exposition, "no_such_metric")).isZero();
    }
}
