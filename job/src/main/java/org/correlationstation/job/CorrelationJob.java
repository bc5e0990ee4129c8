package org.correlationstation.job;

import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.correlationstation.core.config.Settings;
import org.correlationstation.job.upgrade.SwitchedOffSinks;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The correlation job's entry point for {@code flink run} and the IDE: configuration from the
 * environment and {@code --kebab-case} arguments (SPEC §8), then the pipeline.
 */
public final class CorrelationJob {
    public static final String JOB_NAME = "correlation-station";
    private static final Logger LOG = LoggerFactory.getLogger(CorrelationJob.class);

    private CorrelationJob() {}

    public static void main(String[] args) throws Exception {
        Settings settings = Settings.fromEnvironment(args);
        LOG.info("Correlation Station job settings:\n{}", settings.describe());
        StreamExecutionEnvironment env = JobEnvironment.create(settings, false);
        CorrelationPipeline.build(env, settings);
        SwitchedOffSinks.allowDroppingTheirState(env);
        env.execute(JOB_NAME);
    }
}
