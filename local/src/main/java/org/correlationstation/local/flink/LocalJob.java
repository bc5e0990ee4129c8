package org.correlationstation.local.flink;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.correlationstation.core.config.Options;
import org.correlationstation.core.config.Settings;
import org.correlationstation.job.CorrelationJob;
import org.correlationstation.job.CorrelationPipeline;
import org.correlationstation.job.JobEnvironment;
import org.correlationstation.job.upgrade.SwitchedOffSinks;
import org.correlationstation.job.OperatorIds;
import org.correlationstation.local.store.MemoryStoreSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The correlation job on a MiniCluster in this JVM, with the Flink web UI and the Prometheus
 * reporter, resuming from the newest snapshot under {@code DATA_DIR} and stopping with a savepoint.
 */
public final class LocalJob implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LocalJob.class);
    /** Enough managed memory for RocksDB on a laptop; the JVM's heap is set by the launcher. */
    private static final MemorySize MANAGED_MEMORY = MemorySize.parse("256m");

    private final JobClient client;
    private final Path savepoints;
    private final Optional<Path> restoredFrom;

    private LocalJob(JobClient client, Path savepoints, Optional<Path> restoredFrom) {
        this.client = client;
        this.savepoints = savepoints;
        this.restoredFrom = restoredFrom;
    }

    /**
     * Submits the job and returns once it is running.
     *
     * @param memoryStore the in-memory store's name in {@code LocalStores}, or empty when records go to Redis
     */
    public static LocalJob start(Settings settings, Optional<String> memoryStore, Duration timeout) throws Exception {
        Path dataDir = Path.of(settings.get(Options.DATA_DIR)).toAbsolutePath();
        Path checkpoints = Path.of(settings.checkpointDir(true)).toAbsolutePath();
        Path savepoints = dataDir.resolve("savepoints");
        Optional<Path> restoreFrom = RestorePoint.newest(checkpoints, savepoints);

        Configuration conf = JobEnvironment.configuration(settings, true);
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
        conf.set(RestOptions.PORT, settings.get(Options.FLINK_UI_PORT));
        conf.setString("metrics.reporter.prom.factory.class",
                "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
        conf.setString("metrics.reporter.prom.port", String.valueOf(settings.get(Options.FLINK_METRICS_PORT)));
        conf.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MANAGED_MEMORY);
        int parallelism = settings.find(Options.PARALLELISM)
                .orElse(Math.min(2, Runtime.getRuntime().availableProcessors()));
        conf.set(TaskManagerOptions.NUM_TASK_SLOTS, parallelism);
        restoreFrom.ifPresent(path -> conf.set(StateRecoveryOptions.SAVEPOINT_PATH, path.toUri().toString()));

        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(conf);
        JobEnvironment.apply(env, settings);
        env.setParallelism(parallelism);
        CorrelationPipeline.Streams streams = CorrelationPipeline.build(env, settings);
        memoryStore.ifPresent(name -> streams.records().sinkTo(new MemoryStoreSink(name))
                .setParallelism(1)
                .uid(OperatorIds.MEMORY_STORE_SINK).name(OperatorIds.name(OperatorIds.MEMORY_STORE_SINK)));
        SwitchedOffSinks.allowDroppingTheirState(env);

        JobClient client = env.executeAsync(CorrelationJob.JOB_NAME);
        LocalJob job = new LocalJob(client, savepoints, restoreFrom);
        job.awaitRunning(timeout);
        // Only once the restore worked: a failed one leaves the older snapshots to fall back to.
        // Never the running job's own directory: its first checkpoint may be under way.
        restoreFrom.ifPresent(path -> RestorePoint.pruneAllBut(path, checkpoints, savepoints,
                client.getJobID().toHexString()));
        return job;
    }

    public Optional<Path> restoredFrom() {
        return restoredFrom;
    }

    private void awaitRunning(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            JobStatus status = client.getJobStatus().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (status == JobStatus.RUNNING) return;
            if (status.isGloballyTerminalState()) {
                throw new IllegalStateException("the job ended before running: " + status);
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the job is not running after " + timeout + " (" + status + ")");
            }
            // Job status has no push notification on JobClient; a short poll is the documented way.
            Thread.sleep(50);
        }
    }

    /** Stops the job with a savepoint under {@code DATA_DIR/savepoints}, which the next start resumes from. */
    @Override
    public void close() throws Exception {
        try {
            String savepoint = client.stopWithSavepoint(false, savepoints.toUri().toString(), SavepointFormatType.CANONICAL)
                    .get(2, TimeUnit.MINUTES);
            LOG.info("stopped the job with a savepoint at {}", savepoint);
        } catch (Exception e) {
            LOG.warn("could not stop the job with a savepoint ({}); cancelling it: the next start resumes from "
                    + "its last retained checkpoint", e.toString());
            client.cancel().get(1, TimeUnit.MINUTES);
        }
    }
}
