package org.correlationstation.job.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.ValidationMessage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every Flink custom resource under deploy/flink-k8s-operator/ is valid against the operator's own
 * CRD schemas (the copies in crds/), strictly: unknown or misplaced fields fail.
 */
class FlinkResourcesSchemaTest {
    private static final Path DEPLOY = RepoFiles.path("deploy/flink-k8s-operator");
    private static StrictCrdSchemas schemas;

    @BeforeAll
    static void loadSchemas() throws Exception {
        schemas = StrictCrdSchemas.load(DEPLOY.resolve("crds"));
        assertThat(schemas.known()).contains(
                "flink.apache.org/v1beta1 FlinkDeployment", "flink.apache.org/v1beta1 FlinkStateSnapshot");
    }

    @Test
    void everyFlinkResourceMatchesItsCrd() throws Exception {
        List<String> checked = new ArrayList<>();
        for (Path file : RepoFiles.files(DEPLOY, ".yaml", ".yml")) {
            if (file.startsWith(DEPLOY.resolve("crds"))) continue;
            for (JsonNode resource : RepoFiles.yamlDocuments(file)) {
                if (!resource.path("apiVersion").asText().startsWith("flink.apache.org/")) continue;
                JsonSchema schema = schemas.forResource(resource);
                assertThat(schema).as("a CRD for %s %s in %s", resource.path("apiVersion").asText(),
                        resource.path("kind").asText(), file).isNotNull();
                assertThat(schema.validate(resource)).as("schema errors in %s", DEPLOY.relativize(file)).isEmpty();
                checked.add(DEPLOY.relativize(file) + ":" + resource.path("kind").asText());
            }
        }
        assertThat(checked).contains("flinkdeployment.yaml:FlinkDeployment",
                "scenarios/rollback/savepoint-now.yaml:FlinkStateSnapshot",
                "scenarios/rollback/rollback-patch.yaml:FlinkDeployment");
    }

    @Test
    void theDeploymentHasWhatOperationsRelyOn() throws Exception {
        JsonNode spec = flinkDeployment().path("spec");
        assertThat(spec.path("flinkVersion").asText()).isEqualTo("v2_2");
        assertThat(spec.path("job").path("upgradeMode").asText()).isEqualTo("savepoint");
        JsonNode conf = spec.path("flinkConfiguration");
        assertThat(conf.path("state.backend.type").asText()).isEqualTo("rocksdb");
        assertThat(conf.path("execution.checkpointing.incremental").asText()).isEqualTo("true");
        assertThat(conf.path("high-availability.type").asText()).isEqualTo("kubernetes");
        assertThat(conf.path("pipeline.max-parallelism").asText()).isEqualTo("128");
        assertThat(conf.path("metrics.reporter.prom.factory.class").asText()).endsWith("PrometheusReporterFactory");
        assertThat(conf.path("metrics.reporter.prom.filterLabelValueCharacters").asText()).isEqualTo("false");
        assertThat(conf.path("env.java.opts.taskmanager").asText()).contains("-javaagent:").contains("pyroscope");
    }

    @Test
    void aMisspeltFieldFails() throws Exception {
        ObjectNode resource = flinkDeployment();
        ObjectNode job = (ObjectNode) resource.path("spec").path("job");
        job.set("paralelism", job.remove("parallelism"));
        assertThat(errors(resource)).anySatisfy(m -> assertThat(m.getMessage()).contains("paralelism"));
    }

    @Test
    void aMisplacedFieldFails() throws Exception {
        ObjectNode resource = flinkDeployment();
        ObjectNode spec = (ObjectNode) resource.path("spec");
        spec.set("upgradeMode", ((ObjectNode) spec.path("job")).remove("upgradeMode")); // belongs under spec.job
        assertThat(errors(resource)).anySatisfy(m -> assertThat(m.getMessage()).contains("upgradeMode"));
    }

    @Test
    void aMisspeltFieldInsideThePodTemplateFails() throws Exception {
        ObjectNode resource = flinkDeployment();
        ObjectNode container = (ObjectNode) ((ArrayNode) resource.path("spec").path("podTemplate").path("spec")
                .path("containers")).get(0);
        container.set("envv", container.remove("env"));
        assertThat(errors(resource)).anySatisfy(m -> assertThat(m.getMessage()).contains("envv"));
    }

    @Test
    void anUnknownFlinkVersionFails() throws Exception {
        ObjectNode resource = flinkDeployment();
        ((ObjectNode) resource.path("spec")).put("flinkVersion", "v2_9");
        assertThat(errors(resource)).anySatisfy(m -> assertThat(m.getMessage()).contains("flinkVersion"));
    }

    @Test
    void freeFormMapsStayOpen() throws Exception {
        ObjectNode resource = flinkDeployment();
        ((ObjectNode) resource.path("spec").path("flinkConfiguration")).put("any.flink.option", "1");
        assertThat(errors(resource)).isEmpty();
    }

    private static ObjectNode flinkDeployment() throws Exception {
        return (ObjectNode) RepoFiles.yamlDocuments(DEPLOY.resolve("flinkdeployment.yaml")).get(0);
    }

    private static Set<ValidationMessage> errors(JsonNode resource) {
        return schemas.forResource(resource).validate(resource);
    }
}
