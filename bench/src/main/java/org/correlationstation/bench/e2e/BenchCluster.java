package org.correlationstation.bench.e2e;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.checkpoint.AbstractCheckpointStats;
import org.apache.flink.runtime.checkpoint.CheckpointStatsStatus;
import org.apache.flink.runtime.checkpoint.TaskStateStats;
import org.apache.flink.runtime.jobgraph.JobVertexID;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.state.rocksdb.RocksDBNativeMetricOptions;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.correlationstation.core.config.Settings;
import org.correlationstation.job.JobEnvironment;

/**
 * One MiniCluster for the whole benchmark JVM (one task manager, {@code slots} slots, RocksDB under the
 * work directory, the Prometheus reporter on a free port), so that later rounds run on a warm JVM.
 */
final class BenchCluster implements AutoCloseable {
    /** One completed checkpoint: when it completed, how long it took, full and incremental size. */
    record Checkpoint(long id, long completedAtMillis, long durationMillis, long fullBytes, long incrementalBytes) {}

    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*\\})? ([-+0-9.eENa]+)$");

    private final MiniCluster miniCluster;
    private final int metricsPort;
    private final HttpClient http = HttpClient.newHttpClient();

    BenchCluster(Path workDir, int slots) throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            metricsPort = socket.getLocalPort();
        }
        Configuration conf = new Configuration();
        conf.setString("metrics.reporter.prom.factory.class", "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
        conf.setString("metrics.reporter.prom.port", String.valueOf(metricsPort));
        conf.set(RestOptions.BIND_PORT, "0");
        conf.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.parse("512m"));
        conf.set(CoreOptions.TMP_DIRS, workDir.resolve("flink-tmp").toString());
        // Experiments with the cluster's own options (e.g. taskmanager.memory.managed.size):
        // -Dbench.cluster.<key>=<value> through E2E_JAVA_OPTS, as -Dbench.flink.* for the pipelines.
        for (String key : System.getProperties().stringPropertyNames()) {
            if (key.startsWith(CLUSTER_OPTION_PREFIX)) {
                conf.addAll(Configuration.fromMap(Map.of(key.substring(CLUSTER_OPTION_PREFIX.length()), System.getProperty(key))));
            }
        }
        miniCluster = new MiniCluster(new MiniClusterConfiguration.Builder()
                .setConfiguration(conf).setNumTaskManagers(1).setNumSlotsPerTaskManager(slots).build());
        miniCluster.start();
    }

    private static final String FLINK_OPTION_PREFIX = "bench.flink.";
    private static final String CLUSTER_OPTION_PREFIX = "bench.cluster.";

    /** Builds a pipeline with the job's Flink configuration (RocksDB, incremental exactly-once checkpoints) and submits it. */
    JobID submit(String name, Settings settings, BiConsumer<StreamExecutionEnvironment, Settings> pipeline) throws Exception {
        Configuration conf = JobEnvironment.configuration(settings, false);
        // RocksDB's own view of the state (per column family, summed by the soak): what is live against what
        // the SST files hold, so that the report can tell the state from compaction's space amplification
        conf.set(RocksDBNativeMetricOptions.ESTIMATE_LIVE_DATA_SIZE, true);
        conf.set(RocksDBNativeMetricOptions.MONITOR_TOTAL_SST_FILES_SIZE, true);
        // Experiments with Flink options on top of the job's (e.g. RocksDB's): -Dbench.flink.<key>=<value>
        // through E2E_JAVA_OPTS. The results file records the command, not these; say so in its notes.
        for (String key : System.getProperties().stringPropertyNames()) {
            if (key.startsWith(FLINK_OPTION_PREFIX)) {
                conf.addAll(Configuration.fromMap(Map.of(key.substring(FLINK_OPTION_PREFIX.length()), System.getProperty(key))));
            }
        }
        StreamExecutionEnvironment env = JobEnvironment.create(conf, settings);
        pipeline.accept(env, settings);
        var streamGraph = env.getStreamGraph();
        streamGraph.setJobName(name);
        JobGraph graph = streamGraph.getJobGraph();
        JobID job = miniCluster.submitJob(graph).get(1, TimeUnit.MINUTES).getJobID();
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (status(job) != JobStatus.RUNNING) {
            if (status(job).isGloballyTerminalState() || System.nanoTime() > deadline) {
                throw new IllegalStateException(name + " did not start: " + status(job) + failure(job));
            }
            Thread.sleep(50);   // the MiniCluster has no status push; a short poll with a deadline
        }
        return job;
    }

    JobStatus status(JobID job) throws Exception {
        return miniCluster.getJobStatus(job).get();
    }

    String failure(JobID job) throws Exception {
        var info = miniCluster.getExecutionGraph(job).get().getFailureInfo();
        return info == null ? "" : ": " + info.getExceptionAsString();
    }

    /**
     * Cancels the job and returns once its tasks have let go of their slots, with the heap collected.
     * The job result comes before the task manager has disposed of the tasks: a finished round's state
     * (the reference's 1.3 M heap timers, the job's caches) stayed reachable for seconds, at times minutes,
     * into the next round, and collecting it was charged to that round.
     */
    void cancel(JobID job) throws Exception {
        if (!status(job).isGloballyTerminalState()) miniCluster.cancelJob(job).get();
        miniCluster.requestJobResult(job).get(2, TimeUnit.MINUTES);
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (System.nanoTime() < deadline) {
            var overview = miniCluster.requestClusterOverview().get();
            if (overview.getNumSlotsAvailable() == overview.getNumSlotsTotal()) break;
            Thread.sleep(50);   // no push for freed slots; a short poll with a deadline
        }
        System.gc();
    }

    List<Checkpoint> completedCheckpoints(JobID job) throws Exception {
        List<Checkpoint> result = new ArrayList<>();
        var stats = miniCluster.getExecutionGraph(job).get().getCheckpointStatsSnapshot();
        if (stats == null) return result;
        for (AbstractCheckpointStats c : stats.getHistory().getCheckpoints()) {
            if (c.getStatus() != CheckpointStatsStatus.COMPLETED) continue;
            result.add(new Checkpoint(c.getCheckpointId(), c.getTriggerTimestamp() + c.getEndToEndDuration(),
                    c.getEndToEndDuration(), c.getStateSize(), c.getCheckpointedSize()));
        }
        result.sort((a, b) -> Long.compare(a.id(), b.id()));
        return result;
    }

    /**
     * Where each task's checkpoint time went, as markdown rows: per task, over the completed checkpoints,
     * the median and the max of the slowest subtask's barrier delay (trigger to barrier arrival: the
     * in-flight data ahead of it), alignment, synchronous part (on the task thread, which then processes
     * nothing) and asynchronous part.
     */
    String checkpointPhases(JobID job) throws Exception {
        var graph = miniCluster.getExecutionGraph(job).get();
        var stats = graph.getCheckpointStatsSnapshot();
        Map<JobVertexID, List<long[]>> byTask = new java.util.LinkedHashMap<>();
        graph.getVerticesTopologically().forEach(v -> byTask.put(v.getJobVertexId(), new ArrayList<>()));
        if (stats != null) {
            for (AbstractCheckpointStats c : stats.getHistory().getCheckpoints()) {
                if (c.getStatus() != CheckpointStatsStatus.COMPLETED) continue;
                for (TaskStateStats task : c.getAllTaskStateStats()) {
                    var summary = task.getSummaryStats();
                    byTask.computeIfAbsent(task.getJobVertexId(), k -> new ArrayList<>()).add(new long[] {
                        summary.getCheckpointStartDelayStats().getMaximum(), summary.getAlignmentDurationStats().getMaximum(),
                        summary.getSyncCheckpointDurationStats().getMaximum(), summary.getAsyncCheckpointDurationStats().getMaximum()});
                }
            }
        }
        StringBuilder b = new StringBuilder("| task | barrier delay ms | alignment ms | synchronous ms | asynchronous ms |\n|---|---|---|---|---|\n");
        graph.getVerticesTopologically().forEach(v -> {
            List<long[]> rows = byTask.get(v.getJobVertexId());
            if (rows == null || rows.isEmpty()) return;
            String name = v.getName().length() > 80 ? v.getName().substring(0, 77) + "..." : v.getName();
            b.append("| ").append(name.replace("|", "/"));
            for (int k = 0; k < 4; k++) {
                final int col = k;
                long[] sorted = rows.stream().mapToLong(r -> r[col]).sorted().toArray();
                b.append(" | ").append(sorted[sorted.length / 2]).append(" / ").append(sorted[sorted.length - 1]);
            }
            b.append(" |\n");
        });
        return b.toString();
    }

    /** The sum over subtasks of every Prometheus sample whose name ends with {@code suffix}. */
    double metric(String suffix) throws Exception {
        return metrics(suffix)[0];
    }

    /** {@link #metric} for each suffix, from one scrape (the reporter renders every metric of the job per scrape). */
    double[] metrics(String... suffixes) throws Exception {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        double[] sums = new double[suffixes.length];
        for (String line : response.body().split("\n")) {
            if (line.startsWith("#")) continue;
            Matcher m = SAMPLE.matcher(line);
            if (!m.matches()) continue;
            for (int i = 0; i < suffixes.length; i++) {
                if (m.group(1).endsWith(suffixes[i])) sums[i] += Double.parseDouble(m.group(3));
            }
        }
        return sums;
    }

    /** Per task: busy / back-pressured / idle ms per second, from the reporter (where the time goes, coarsely). */
    String taskTimes() throws Exception {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        java.util.Map<String, double[]> byTask = new java.util.TreeMap<>();
        Pattern task = Pattern.compile("task_name=\"([^\"]*)\".*subtask_index=\"(\\d+)\"");
        String[] kinds = {"busyTimeMsPerSecond", "backPressuredTimeMsPerSecond", "idleTimeMsPerSecond"};
        for (String line : response.body().split("\n")) {
            if (line.startsWith("#")) continue;
            for (int k = 0; k < kinds.length; k++) {
                if (!line.startsWith("flink_taskmanager_job_task_" + kinds[k] + "{")) continue;
                Matcher t = task.matcher(line);
                Matcher m = SAMPLE.matcher(line);
                if (t.find() && m.matches()) {
                    byTask.computeIfAbsent(t.group(1) + "#" + t.group(2), x -> new double[3])[k] = Double.parseDouble(m.group(3));
                }
            }
        }
        StringBuilder b = new StringBuilder();
        byTask.forEach((name, v) -> b.append(String.format(java.util.Locale.ROOT, "    %-90s busy %4.0f  backpressured %4.0f  idle %4.0f%n",
                name.length() > 90 ? name.substring(0, 87) + "..." : name, v[0], v[1], v[2])));
        return b.toString();
    }

    @Override
    public void close() throws Exception {
        miniCluster.close();
    }
}
