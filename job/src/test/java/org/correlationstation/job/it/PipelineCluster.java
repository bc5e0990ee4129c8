package org.correlationstation.job.it;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.util.TestStreamEnvironment;
import org.correlationstation.core.config.Settings;
import org.correlationstation.core.testing.FreePorts;
import org.correlationstation.job.CorrelationPipeline;
import org.correlationstation.job.JobEnvironment;
import org.correlationstation.job.upgrade.SwitchedOffSinks;

/** One MiniCluster (2 slots) for a test class, running the real pipeline. */
final class PipelineCluster implements AutoCloseable {
    static final int PARALLELISM = 2;
    final MiniCluster miniCluster;
    /** Where the Flink Prometheus reporter serves, as on a real cluster. */
    final int metricsPort;
    /** The operators whose state the last start dropped: sinks switched off since its savepoint. */
    List<String> droppedState = List.of();

    PipelineCluster() throws Exception {
        metricsPort = FreePorts.one();
        Configuration conf = new Configuration();
        conf.setString("metrics.reporter.prom.factory.class",
                "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
        conf.setString("metrics.reporter.prom.port", String.valueOf(metricsPort));
        // as every deployment sets it: label values (service names) verbatim
        conf.setString("metrics.reporter.prom.filterLabelValueCharacters", "false");
        miniCluster = new MiniCluster(new MiniClusterConfiguration.Builder()
                .setConfiguration(conf)
                .setNumTaskManagers(1)
                // Spare slots: a job still cancelling never starves the next test's job.
                .setNumSlotsPerTaskManager(2 * PARALLELISM)
                .build());
        miniCluster.start();
        TestStreamEnvironment.setAsContext(miniCluster, PARALLELISM);
    }

    /** Submits the pipeline, optionally restoring from a savepoint. */
    JobID start(Settings settings, Configuration extra, String savepoint) throws Exception {
        Configuration conf = JobEnvironment.configuration(settings, false);
        conf.addAll(extra);
        if (savepoint != null) conf.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        StreamExecutionEnvironment env = JobEnvironment.create(conf, settings);
        CorrelationPipeline.build(env, settings);
        droppedState = SwitchedOffSinks.allowDroppingTheirState(env);
        JobClient client = env.executeAsync("correlation-station-it");
        return client.getJobID();
    }

    String stopWithSavepoint(JobID job, String dir) throws Exception {
        return miniCluster.stopWithSavepoint(job, dir, false, SavepointFormatType.CANONICAL).get();
    }

    JobStatus status(JobID job) throws Exception {
        return miniCluster.getJobStatus(job).get();
    }

    /** Cancels the job and waits until it has released its slots. */
    void cancel(JobID job) throws Exception {
        if (!status(job).isGloballyTerminalState()) miniCluster.cancelJob(job).get();
        miniCluster.requestJobResult(job).get(2, TimeUnit.MINUTES);
    }

    /** Fails the test at once, with the job's own error, when the job is no longer running. */
    void requireRunning(JobID job) throws Exception {
        JobStatus status = status(job);
        if (!status.isGloballyTerminalState()) return;
        var failure = miniCluster.getExecutionGraph(job).get().getFailureInfo();
        throw new AssertionError("job " + job + " is " + status
                + (failure == null ? "" : ": " + failure.getExceptionAsString()));
    }

    /** Polls until every task of the job runs (a savepoint needs them all); fails at once if the job ended. */
    void awaitAllTasksRunning(JobID job, java.time.Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            requireRunning(job);
            boolean running = status(job) == JobStatus.RUNNING; // before that, the job master may not answer
            if (running) {
                for (var vertex : miniCluster.getExecutionGraph(job).get().getAllExecutionVertices()) {
                    running &= vertex.getExecutionState() == org.apache.flink.runtime.execution.ExecutionState.RUNNING;
                }
            }
            if (running) return;
            if (System.nanoTime() > deadline) throw new AssertionError("job " + job + " has tasks not running after " + timeout);
            TimeUnit.MILLISECONDS.sleep(100);
        }
    }

    /** The Prometheus text the reporter serves now. */
    String scrapeMetrics() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        return response.body();
    }

    @Override
    public void close() throws Exception {
        TestStreamEnvironment.unsetAsContext();
        miniCluster.close();
    }
}
