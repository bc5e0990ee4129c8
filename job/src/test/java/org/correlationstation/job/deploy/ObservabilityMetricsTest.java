package org.correlationstation.job.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.correlationstation.job.it.DocumentedMetrics;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Dashboards and alert rules use only metrics listed in docs/metrics.md — whose job tables the
 * ITCase checks against a real Prometheus reporter — so a renamed metric cannot leave a dashboard
 * or an alert silently empty.
 */
class ObservabilityMetricsTest {
    private static Set<String> documented;

    @BeforeAll
    static void readDocs() throws Exception {
        documented = new HashSet<>(DocumentedMetrics.all());
        assertThat(documented).contains("up", "correlation_api_requests_total",
                "flink_taskmanager_job_task_operator_correlation_records_emitted");
    }

    @Test
    void dashboardsParseAndUseDocumentedMetrics() throws Exception {
        List<Path> dashboards = RepoFiles.files(RepoFiles.path("observability/grafana/dashboards"), ".json");
        assertThat(dashboards).hasSizeGreaterThanOrEqualTo(2);
        Map<String, Set<String>> undocumented = new TreeMap<>();
        Set<String> used = new TreeSet<>();
        for (Path file : dashboards) {
            JsonNode dashboard = RepoFiles.JSON.readTree(file.toFile()); // fails on invalid JSON
            assertThat(dashboard.path("uid").asText()).as("uid of %s", file).isNotBlank();
            List<String> exprs = new ArrayList<>();
            dashboard.path("panels").forEach(panel -> panel.path("targets").forEach(t -> exprs.add(t.path("expr").asText())));
            assertThat(exprs).as("queries in %s", file).isNotEmpty().doesNotContain("");
            check(file.getFileName().toString(), exprs, used, undocumented);
        }
        assertThat(undocumented).as("metrics not in docs/metrics.md").isEmpty();
        assertThat(used).contains("flink_jobmanager_job_lastCheckpointDuration",
                "flink_taskmanager_job_task_operator_pendingRecords", "correlation_api_request_duration_seconds");
    }

    @Test
    void alertRulesUseDocumentedMetrics() throws Exception {
        JsonNode rules = RepoFiles.yamlDocuments(RepoFiles.path("observability/prometheus/rules/correlation-station.rules.yml")).get(0);
        List<String> exprs = new ArrayList<>();
        rules.path("groups").forEach(g -> g.path("rules").forEach(r -> exprs.add(r.path("expr").asText())));
        assertThat(exprs).hasSizeGreaterThanOrEqualTo(15);
        Map<String, Set<String>> undocumented = new TreeMap<>();
        Set<String> used = new TreeSet<>();
        check("alert rules", exprs, used, undocumented);
        assertThat(undocumented).as("metrics not in docs/metrics.md").isEmpty();
        assertThat(used).contains("up", "flink_jobmanager_job_numberOfFailedCheckpoints",
                "flink_taskmanager_job_task_operator_correlation_backend_circuit_breaker_state");
    }

    @Test
    void theCheckCatchesAnUndocumentedName() {
        Set<String> names = PromQlMetricNames.of(
                "sum by (job_name) (rate(flink_taskmanager_job_task_operator_correlation_late_event{kind=\"x\"}[5m])) > 0");
        assertThat(names).containsExactly("flink_taskmanager_job_task_operator_correlation_late_event");
        assertThat(PromQlMetricNames.base(names.iterator().next(), documented)).isNull();
        assertThat(PromQlMetricNames.base("correlation_api_request_duration_seconds_bucket", documented))
                .isEqualTo("correlation_api_request_duration_seconds");
    }

    private static void check(String where, List<String> exprs, Set<String> used, Map<String, Set<String>> undocumented) {
        for (String expr : exprs) {
            Set<String> names = PromQlMetricNames.of(expr);
            assertThat(names).as("metrics in %s: %s", where, expr).isNotEmpty();
            for (String name : names) {
                String base = PromQlMetricNames.base(name, documented);
                if (base == null) undocumented.computeIfAbsent(where, k -> new TreeSet<>()).add(name);
                else used.add(base);
            }
        }
    }
}
