package org.correlationstation.local.flink;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
import org.correlationstation.local.store.MemoryGraphSink;
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

    /**
     * How long a cancellation may take after the stop-with-savepoint gave up. Cancelling interrupts the
     * tasks, which a sink retrying an unreachable backend does not outlast; bounded all the same, as
     * the process exits after it either way and the checkpoints on disk stay as they are.
     */
    private static final Duration CANCEL_TIMEOUT = Duration.ofSeconds(30);

    private final JobClient client;
    private final Path checkpoints;
    private final Path savepoints;
    private final Optional<Path> restoredFrom;
    private final Duration shutdownTimeout;

    private LocalJob(JobClient client, Path checkpoints, Path savepoints, Optional<Path> restoredFrom,
            Duration shutdownTimeout) {
        this.client = client;
        this.checkpoints = checkpoints;
        this.savepoints = savepoints;
        this.restoredFrom = restoredFrom;
        this.shutdownTimeout = shutdownTimeout;
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
        // Label values verbatim: service names (`checkout-svc`) and `le="0.1"` of the service graph (docs/metrics.md).
        conf.setString("metrics.reporter.prom.filterLabelValueCharacters", "false");
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
        memoryStore.ifPresent(name -> streams.graph().sinkTo(new MemoryGraphSink(name))
                .setParallelism(1)
                .uid(OperatorIds.MEMORY_GRAPH_SINK).name(OperatorIds.name(OperatorIds.MEMORY_GRAPH_SINK)));
        SwitchedOffSinks.allowDroppingTheirState(env);

        JobClient client = env.executeAsync(CorrelationJob.JOB_NAME);
        LocalJob job = new LocalJob(client, checkpoints, savepoints, restoreFrom,
                Duration.ofSeconds(settings.get(Options.SHUTDOWN_TIMEOUT_SECONDS)));
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

    /**
     * Stops the job with a savepoint under {@code DATA_DIR/savepoints}, which the next start resumes
     * from. A savepoint waits for every sink to write what it holds, for as long as that takes (SPEC
     * §7: an unreachable Redis is retried forever); after {@code SHUTDOWN_TIMEOUT_SECONDS} the job is
     * cancelled instead, and the next start resumes from its last completed checkpoint, which
     * cancelling retains. Nothing is lost either way: what came after that checkpoint is read from
     * Kafka again.
     */
    @Override
    public void close() throws Exception {
        try {
            String savepoint = client.stopWithSavepoint(false, savepoints.toUri().toString(), SavepointFormatType.CANONICAL)
                    .get(shutdownTimeout.toMillis(), TimeUnit.MILLISECONDS);
            LOG.info("stopped the job with a savepoint at {}", savepoint);
            return;
        } catch (TimeoutException e) {
            LOG.warn("no savepoint within SHUTDOWN_TIMEOUT_SECONDS ({} s), a sink could not finish (is its backend "
                    + "reachable?): cancelling the job; {}", shutdownTimeout.toSeconds(), fallback());
        } catch (ExecutionException e) {
            LOG.warn("could not stop the job with a savepoint ({}): cancelling it; {}", e.getCause(), fallback());
        }
        try {
            client.cancel().get(CANCEL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.warn("the job did not end within {} s of its cancellation; stopping without it", CANCEL_TIMEOUT.toSeconds());
        }
    }

    /** What the next start resumes from, said in the fallback's log line. */
    private String fallback() {
        return RestorePoint.newest(checkpoints, savepoints)
                .map(p -> "the next start resumes from " + (p.startsWith(checkpoints)
                        ? "the last completed checkpoint, " + p
                        : p + " (no checkpoint of this run completed)"))
                .orElse("no checkpoint completed yet: the next start reads Kafka from the committed offsets");
    }
}
