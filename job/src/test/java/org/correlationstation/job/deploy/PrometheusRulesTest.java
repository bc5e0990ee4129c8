package org.correlationstation.job.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * promtool accepts the Prometheus config and rules, and the rules' unit tests pass: one per alert at
 * least, and one reading every recorded series (the service graph's renames, which Grafana reads).
 */
class PrometheusRulesTest {
    private static final Path PROMETHEUS = RepoFiles.path("observability/prometheus");
    private static final String RULES = "rules/correlation-station.rules.yml";
    private static final String TESTS = "tests/correlation-station.test.yml";
    private static final String GRAPH_RULES = "rules/service-graph.rules.yml";
    private static final String GRAPH_TESTS = "tests/service-graph.test.yml";

    @Test
    void promtoolChecksTheConfig() throws Exception {
        ExternalTool.Result result = promtool().run(PROMETHEUS, "check", "config", "prometheus.yml");
        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("2 rule files found");
    }

    @Test
    void promtoolChecksTheRules() throws Exception {
        ExternalTool.Result result = promtool().run(PROMETHEUS, "check", "rules", RULES);
        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains(alerts().size() + " rules found");
    }

    @Test
    void promtoolChecksTheServiceGraphRules() throws Exception {
        ExternalTool.Result result = promtool().run(PROMETHEUS, "check", "rules", GRAPH_RULES);
        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains(recorded().size() + " rules found");
    }

    @Test
    void theRulesUnitTestsPass() throws Exception {
        ExternalTool.Result result = promtool().run(PROMETHEUS, "test", "rules", TESTS);
        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("SUCCESS");
    }

    @Test
    void theServiceGraphRulesUnitTestsPass() throws Exception {
        ExternalTool.Result result = promtool().run(PROMETHEUS, "test", "rules", GRAPH_TESTS);
        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("SUCCESS");
    }

    @Test
    void everyAlertHasATestWhereItFires() throws Exception {
        Set<String> firing = new TreeSet<>();
        for (JsonNode test : RepoFiles.yamlDocuments(PROMETHEUS.resolve(TESTS)).get(0).path("tests")) {
            for (JsonNode check : test.path("alert_rule_test")) {
                if (!check.path("exp_alerts").isEmpty()) firing.add(check.path("alertname").asText());
            }
        }
        assertThat(alerts()).hasSizeGreaterThanOrEqualTo(15);
        assertThat(firing).containsAll(alerts());
    }

    /** Each name Tempo's service graph has in Grafana is recorded, and a test expects samples of it. */
    @Test
    void everyRecordedSeriesHasATestThatExpectsIt() throws Exception {
        Set<String> expected = new TreeSet<>();
        for (JsonNode test : RepoFiles.yamlDocuments(PROMETHEUS.resolve(GRAPH_TESTS)).get(0).path("tests")) {
            for (JsonNode check : test.path("promql_expr_test")) {
                if (check.path("exp_samples").isEmpty()) continue;
                expected.addAll(PromQlMetricNames.of(check.path("expr").asText()));
            }
        }
        assertThat(recorded()).containsExactlyInAnyOrder("traces_service_graph_request_total",
                "traces_service_graph_request_failed_total", "traces_service_graph_request_server_seconds_sum",
                "traces_service_graph_request_server_seconds_count", "traces_service_graph_request_server_seconds_bucket");
        assertThat(expected).containsAll(recorded());
    }

    static Set<String> alerts() throws Exception {
        return ruleNames(RULES, "alert");
    }

    static Set<String> recorded() throws Exception {
        return ruleNames(GRAPH_RULES, "record");
    }

    /** The rule files Prometheus loads (prometheus.yml: rules/*.rules.yml). */
    static List<Path> ruleFiles() throws Exception {
        return RepoFiles.files(PROMETHEUS.resolve("rules"), ".rules.yml");
    }

    private static Set<String> ruleNames(String file, String kind) throws Exception {
        Set<String> names = new TreeSet<>();
        for (JsonNode group : RepoFiles.yamlDocuments(PROMETHEUS.resolve(file)).get(0).path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                if (rule.has(kind)) names.add(rule.path(kind).asText());
            }
        }
        return names;
    }

    private static ExternalTool promtool() {
        return ExternalTool.require("promtool", "prometheus");
    }
}
