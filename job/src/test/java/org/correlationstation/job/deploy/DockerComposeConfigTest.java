package org.correlationstation.job.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * docker-compose.yml is valid (`docker-compose config`, no Docker daemon needed) and keeps the
 * promises the runbook makes: every image pinned to an exact version, health checks on the
 * long-running services, start order by health.
 */
class DockerComposeConfigTest {
    private static final Set<String> SERVICES = Set.of("kafka", "redis", "jobmanager", "taskmanager", "api", "ingest",
            "nginx", "loki", "tempo", "grafana", "prometheus", "alertmanager", "pyroscope");

    @Test
    void dockerComposeAcceptsTheFile() throws Exception {
        ExternalTool compose = ExternalTool.require("docker-compose", "docker-compose");
        ExternalTool.Result result = compose.run(RepoFiles.root(), "-f", "docker-compose.yml", "config", "-q");
        assertThat(result.exitCode()).as(result.output()).isZero();
    }

    @Test
    void theStackIsCompletePinnedAndHealthChecked() throws Exception {
        JsonNode services = RepoFiles.yamlDocuments(RepoFiles.path("docker-compose.yml")).get(0).path("services");
        List<String> names = new ArrayList<>();
        services.fieldNames().forEachRemaining(names::add);
        assertThat(names).containsAll(SERVICES);

        Map<String, String> unpinned = new TreeMap<>();
        Map<String, String> noHealthcheck = new TreeMap<>();
        services.fields().forEachRemaining(e -> {
            String image = e.getValue().path("image").asText();
            if (!image.matches("[\\w./-]+:v?\\d+\\.\\d+\\.\\d+[\\w.-]*")) unpinned.put(e.getKey(), image);
            if (SERVICES.contains(e.getKey()) && !e.getValue().has("healthcheck")) noHealthcheck.put(e.getKey(), "");
        });
        assertThat(unpinned).as("images without an exact x.y.z tag").isEmpty();
        assertThat(noHealthcheck.keySet()).as("long-running services without a healthcheck").isEmpty();
        assertThat(services.path("jobmanager").path("image").asText()).isEqualTo("correlation-station-job:0.2.0");
        assertThat(services.path("jobmanager").path("depends_on").path("redis").path("condition").asText())
                .isEqualTo("service_healthy");
        assertThat(services.path("redis").path("command").toString()).contains("--appendonly", "yes");
    }
}
