package org.correlationstation.job.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** promtool accepts the Prometheus config and rules, and the rules' unit tests pass (one per alert at least). */
class PrometheusRulesTest {
    private static final Path PROMETHEUS = RepoFiles.path("observability/prometheus");
    private static final String RULES = "rules/correlation-station.rules.yml";
    private static final String TESTS = "tests/correlation-station.test.yml";

    @Test
    void promtoolChecksTheConfig() throws Exception {
        ExternalTool.Result result = promtool().run(PROMETHEUS, "check", "config", "prometheus.yml");
        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("1 rule files found");
    }

    @Test
    void promtoolChecksTheRules() throws Exception {
        ExternalTool.Result result = promtool().run(PROMETHEUS, "check", "rules", RULES);
        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains(alerts().size() + " rules found");
    }

    @Test
    void theRulesUnitTestsPass() throws Exception {
        ExternalTool.Result result = promtool().run(PROMETHEUS, "test", "rules", TESTS);
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

    static Set<String> alerts() throws Exception {
        Set<String> names = new TreeSet<>();
        for (JsonNode group : RepoFiles.yamlDocuments(PROMETHEUS.resolve(RULES)).get(0).path("groups")) {
            for (JsonNode rule : group.path("rules")) names.add(rule.path("alert").asText());
        }
        return names;
    }

    private static ExternalTool promtool() {
        return ExternalTool.require("promtool", "prometheus");
    }
}
