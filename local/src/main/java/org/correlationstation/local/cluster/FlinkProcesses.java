package org.correlationstation.local.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessSpec;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessUtils;
import org.apache.flink.runtime.jobmanager.JobManagerProcessSpec;
import org.apache.flink.runtime.jobmanager.JobManagerProcessUtils;
import org.apache.flink.runtime.util.config.memory.ProcessMemoryUtils;

/**
 * The command lines of Flink's processes, as a distribution's {@code bin/} scripts build them: the
 * JobManager ({@code StandaloneSessionClusterEntrypoint}), a TaskManager ({@code TaskManagerRunner})
 * and the CLI ({@code CliFrontend}, the code behind {@code flink run}), with {@code lib/} on the class
 * path and the JVM's memory options derived from {@code config.yaml} by the same code as the scripts'
 * {@code BashJavaUtils}.
 */
final class FlinkProcesses {
    static final String JOBMANAGER = "jobmanager";
    static final String TASKMANAGER = "taskmanager-";
    private static final Pattern JOB_ID = Pattern.compile("JobID ([0-9a-f]{32})");

    /** What Flink's distribution passes to every JVM on Java 17 ({@code env.java.opts.all}). */
    static final List<String> JAVA_17_OPTIONS = List.of(
            "--add-exports=java.base/sun.net.util=ALL-UNNAMED",
            "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
            "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
            "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--add-opens=java.base/java.net=ALL-UNNAMED",
            "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens=java.base/java.text=ALL-UNNAMED",
            "--add-opens=java.base/java.time=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED");

    private final ClusterLayout layout;

    FlinkProcesses(ClusterLayout layout) {
        this.layout = layout;
    }

    private Configuration configuration() {
        return Configuration.fromMap(FlinkConfigFile.entries(layout));
    }

    /** Where Flink's scripts point its processes: conf/, lib/, plugins/ (FLINK_CONF_DIR and friends). */
    Map<String, String> environment() {
        Map<String, String> env = new HashMap<>();
        env.put("FLINK_CONF_DIR", layout.flinkConfDir().toString());
        env.put("FLINK_LIB_DIR", layout.flinkLib().toString());
        env.put("FLINK_PLUGINS_DIR", layout.flinkPlugins().toString());
        env.put("FLINK_HOME", layout.flinkDir().toString());
        return env;
    }

    ChildProcess.Spec jobManager() {
        Configuration conf = configuration();
        JobManagerProcessSpec spec = JobManagerProcessUtils.processSpecFromConfig(conf);
        List<String> cmd = java(JOBMANAGER, JobManagerProcessUtils.generateJvmParametersStr(spec, conf));
        cmd.add("org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint");
        cmd.addAll(List.of("--configDir", layout.flinkConfDir().toString()));
        cmd.addAll(split(JobManagerProcessUtils.generateDynamicConfigsStr(spec)));
        return new ChildProcess.Spec(JOBMANAGER, cmd, environment());
    }

    ChildProcess.Spec taskManager(int index) {
        String name = TASKMANAGER + index;
        TaskExecutorProcessSpec spec = TaskExecutorProcessUtils.processSpecFromConfig(configuration());
        List<String> cmd = java(name, ProcessMemoryUtils.generateJvmParametersStr(spec));
        cmd.add("org.apache.flink.runtime.taskexecutor.TaskManagerRunner");
        cmd.addAll(List.of("--configDir", layout.flinkConfDir().toString()));
        cmd.addAll(split(TaskExecutorProcessUtils.generateDynamicConfigsStr(spec)));
        // A readable name in the web UI and the logs instead of a random id.
        cmd.addAll(List.of("-D", "taskmanager.resource-id=" + name));
        return new ChildProcess.Spec(name, cmd, environment());
    }

    private List<String> java(String name, String memoryOptions) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ClusterMode.javaBinary());
        cmd.addAll(split(memoryOptions));
        // A JobManager or TaskManager out of heap exits and is started again (the job restarts from its
        // last checkpoint) instead of limping on in full GCs.
        cmd.add(ClusterMode.EXIT_ON_OOM);
        cmd.addAll(JAVA_17_OPTIONS);
        cmd.add("-Dlog.file=" + layout.logDir().resolve(name + ".log"));
        cmd.add("-Dlog4j.configurationFile=file:" + layout.flinkConfDir().resolve("log4j.properties"));
        cmd.add("-cp");
        cmd.add(layout.flinkClassPath());
        return cmd;
    }

    /** The CLI's command line: {@code flink <args>} against this cluster. */
    List<String> cli(List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ClusterMode.javaBinary());
        cmd.addAll(JAVA_17_OPTIONS);
        cmd.add("-Dlog4j.configurationFile=file:" + layout.flinkConfDir().resolve("log4j-cli.properties"));
        cmd.add("-cp");
        cmd.add(layout.flinkClassPath());
        cmd.add("org.apache.flink.client.cli.CliFrontend");
        cmd.addAll(args);
        return cmd;
    }

    /**
     * {@code flink run -d [-s restorePoint] <job jar> <args>}: submits the job detached and returns its id.
     * The job's main runs in the CLI's JVM, so the job's settings come from {@code env} and {@code args}.
     */
    String submit(Optional<Path> restoreFrom, Map<String, String> env, List<String> args) throws IOException, InterruptedException {
        List<String> run = new ArrayList<>(List.of("run", "--detached", "--parallelism",
                Integer.toString(layout.parallelism())));
        restoreFrom.ifPresent(p -> run.addAll(List.of("--fromSavepoint", p.toUri().toString())));
        run.add(layout.jobJar().toString());
        run.addAll(args);
        Path out = layout.logDir().resolve("flink-run.out");
        ProcessBuilder builder = new ProcessBuilder(cli(run)).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(out.toFile()));
        builder.environment().putAll(environment());
        builder.environment().putAll(env);
        Process process = builder.start();
        if (!process.waitFor(3, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new IOException("flink run did not finish within 3 minutes; see " + out);
        }
        String output = Files.readString(out);
        Matcher m = JOB_ID.matcher(output);
        if (process.exitValue() != 0 || !m.find()) {
            throw new IOException("flink run failed (exit " + process.exitValue() + "): "
                    + output.lines().filter(l -> !l.isBlank()).reduce((a, b) -> b).orElse("") + "; see " + out);
        }
        return m.group(1);
    }

    private static List<String> split(String options) {
        return Arrays.stream(options.trim().split("\\s+")).filter(s -> !s.isEmpty()).toList();
    }
}
