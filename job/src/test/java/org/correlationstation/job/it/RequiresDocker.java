package org.correlationstation.job.it;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.testcontainers.DockerClientFactory;

/**
 * Runs a Testcontainers test class only where a Docker engine answers; elsewhere the class is skipped
 * (reported as skipped with the reason, which is also printed), never failed: Docker-backed tests are
 * the optional path everywhere, CI included (SPEC §10).
 */
final class RequiresDocker implements ExecutionCondition {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(RequiresDocker.class);

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        // Probed once per test run; a disabled class is not asked again for its tests.
        boolean docker = context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent("docker",
                k -> DockerClientFactory.instance().isDockerAvailable(), Boolean.class);
        if (docker) return ConditionEvaluationResult.enabled("Docker is available");
        String reason = "Docker is not available (no engine answered at DOCKER_HOST or the default socket): "
                + context.getDisplayName() + " skipped; see docs/sinks.md to run it";
        System.out.println("SKIPPED " + reason);
        return ConditionEvaluationResult.disabled(reason);
    }
}
