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
 * Dashboards and rules use only metrics listed in docs/metrics.md — whose job tables the ITCases
 * check against a real Prometheus reporter — and record only names listed there, so a renamed metric
 * cannot leave a dashboard or an alert silently empty.
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
        Set<String> serviceMaps = new TreeSet<>();
        for (Path file : dashboards) {
            JsonNode dashboard = RepoFiles.JSON.readTree(file.toFile()); // fails on invalid JSON
            assertThat(dashboard.path("uid").asText()).as("uid of %s", file).isNotBlank();
            List<String> exprs = new ArrayList<>();
            for (JsonNode panel : dashboard.path("panels")) {
                for (JsonNode target : panel.path("targets")) {
                    // Tempo's service map runs its own PromQL on the series serviceMapReadsPrometheus checks.
                    if (target.path("datasource").path("type").asText().equals("tempo")) {
                        assertThat(target.path("queryType").asText()).as("Tempo query in %s", file).isEqualTo("serviceMap");
                        serviceMaps.add(file.getFileName().toString());
                    } else {
                        exprs.add(target.path("expr").asText());
                    }
                }
            }
            assertThat(exprs).as("queries in %s", file).isNotEmpty().doesNotContain("");
            check(file.getFileName().toString(), exprs, used, undocumented);
        }
        assertThat(undocumented).as("metrics not in docs/metrics.md").isEmpty();
        assertThat(used).contains("flink_jobmanager_job_lastCheckpointDuration",
                "flink_taskmanager_job_task_operator_pendingRecords", "correlation_api_request_duration_seconds",
                "traces_service_graph_request_total", "traces_service_graph_request_failed_total",
                "traces_service_graph_request_server_seconds");
        assertThat(serviceMaps).containsExactly("service-graph.json");
    }

    /**
     * Grafana's Tempo service map (and the node graph panel) queries the Prometheus datasource that the
     * Tempo datasource's {@code serviceMap} names, for Tempo's series: they must be the ones the rules record.
     */
    @Test
    void serviceMapReadsPrometheus() throws Exception {
        JsonNode datasources = RepoFiles.yamlDocuments(RepoFiles.path("observability/grafana/provisioning/datasources/datasources.yml"))
                .get(0).path("datasources");
        String prometheus = null;
        String serviceMap = null;
        for (JsonNode ds : datasources) {
            if (ds.path("type").asText().equals("prometheus")) prometheus = ds.path("uid").asText();
            if (ds.path("type").asText().equals("tempo")) serviceMap = ds.path("jsonData").path("serviceMap").path("datasourceUid").asText();
        }
        assertThat(prometheus).isNotBlank();
        assertThat(serviceMap).isEqualTo(prometheus);
        // What Grafana's service map reads (Tempo's metrics-generator names).
        for (String name : List.of("traces_service_graph_request_total", "traces_service_graph_request_failed_total",
                "traces_service_graph_request_server_seconds_sum", "traces_service_graph_request_server_seconds_bucket")) {
            assertThat(PromQlMetricNames.base(name, documented)).as(name).isNotNull();
        }
        assertThat(PrometheusRulesTest.recorded()).contains("traces_service_graph_request_total",
                "traces_service_graph_request_failed_total", "traces_service_graph_request_server_seconds_sum",
                "traces_service_graph_request_server_seconds_bucket");
    }

    @Test
    void rulesUseAndRecordDocumentedMetrics() throws Exception {
        List<String> exprs = new ArrayList<>();
        List<String> recorded = new ArrayList<>();
        for (Path file : PrometheusRulesTest.ruleFiles()) {
            JsonNode rules = RepoFiles.yamlDocuments(file).get(0);
            rules.path("groups").forEach(g -> g.path("rules").forEach(r -> {
                exprs.add(r.path("expr").asText());
                if (r.has("record")) recorded.add(r.path("record").asText());
            }));
        }
        assertThat(exprs).hasSizeGreaterThanOrEqualTo(20);
        Map<String, Set<String>> undocumented = new TreeMap<>();
        Set<String> used = new TreeSet<>();
        check("rules", exprs, used, undocumented);
        check("recorded names", recorded, used, undocumented);
        assertThat(undocumented).as("metrics not in docs/metrics.md").isEmpty();
        assertThat(used).contains("up", "flink_jobmanager_job_numberOfFailedCheckpoints",
                "flink_taskmanager_job_task_operator_correlation_backend_circuit_breaker_state",
                "flink_taskmanager_job_task_operator_correlation_service_graph_client_server_le_request_server_seconds_bucket",
                "traces_service_graph_request_server_seconds");
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
