package org.correlationstation.local.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;
import org.correlationstation.core.config.Settings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FlinkProcessesTest {
    @TempDir
    Path dataDir;

    private ClusterLayout layout(Map<String, String> env) {
        Map<String, String> all = new java.util.HashMap<>(env);
        all.put("DATA_DIR", dataDir.toString());
        return ClusterLayout.of(Settings.from(all, new String[0]));
    }

    @Test
    void theWrittenConfigurationIsReadByFlinkAsWritten() throws Exception {
        ClusterLayout layout = layout(Map.of("FLINK_UI_PORT", "18081", "FLINK_RPC_PORT", "16123",
                "FLINK_METRICS_PORT", "19249", "TASKMANAGERS", "3"));
        FlinkConfigFile.write(layout);

        Configuration read = GlobalConfiguration.loadConfiguration(layout.flinkConfDir().toString());
        assertThat(read.toMap()).containsEntry("rest.port", "18081")
                .containsEntry("jobmanager.rpc.port", "16123")
                .containsEntry("state.backend.type", "rocksdb")
                .containsEntry("execution.checkpointing.dir", dataDir.resolve("checkpoints").toUri().toString())
                .containsEntry("execution.checkpointing.savepoint-dir", dataDir.resolve("savepoints").toUri().toString())
                .containsEntry("restart-strategy.type", "exponential-delay")
                .containsEntry("classloader.resolve-order", "child-first")
                // the JobManager, 3 TaskManagers and one replacement each take a reporter port
                .containsEntry("metrics.reporter.prom.port", "19249-19253")
                .containsEntry("metrics.reporter.prom.filterLabelValueCharacters", "false");
        // A reporter reads its options from a Properties copy (MetricConfig): a YAML boolean is not a String
        // there, and getProperty ignored it (the label filter stayed on).
        Properties reporterView = new Properties();
        read.addAllToProperties(reporterView);
        assertThat(reporterView.getProperty("metrics.reporter.prom.filterLabelValueCharacters")).isEqualTo("false");
        assertThat(Files.readString(layout.flinkConfDir().resolve("log4j.properties"))).contains("${sys:log.file}");
    }

    @Test
    void jobManagerAndTaskManagersGetTheScriptsMemoryOptionsAndEntryPoints() {
        ClusterLayout layout = layout(Map.of());
        FlinkProcesses flink = new FlinkProcesses(layout);

        ChildProcess.Spec jm = flink.jobManager();
        assertThat(jm.name()).isEqualTo("jobmanager");
        assertThat(jm.command()).contains("org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint",
                "--configDir", layout.flinkConfDir().toString());
        assertThat(jm.command()).anyMatch(a -> a.startsWith("-Xmx")).anyMatch(a -> a.startsWith("-XX:MaxMetaspaceSize="));
        assertThat(jm.environment()).containsEntry("FLINK_CONF_DIR", layout.flinkConfDir().toString());
        // out of heap, a JobManager exits and is started again rather than limping on
        assertThat(jm.command()).contains("-XX:+ExitOnOutOfMemoryError");

        ChildProcess.Spec tm = flink.taskManager(2);
        assertThat(tm.name()).isEqualTo("taskmanager-2");
        assertThat(tm.command()).contains("org.apache.flink.runtime.taskexecutor.TaskManagerRunner",
                "taskmanager.resource-id=taskmanager-2", "-Dlog.file=" + layout.logDir().resolve("taskmanager-2.log"));
        // TaskManagerRunner refuses to start unless every memory component is given, as the scripts do
        assertThat(String.join(" ", tm.command())).contains("taskmanager.memory.managed.size=",
                "taskmanager.memory.network.max=", "taskmanager.cpu.cores=");
        assertThat(tm.command()).anyMatch(a -> a.startsWith("-XX:MaxDirectMemorySize="));
        assertThat(tm.command()).contains("-XX:+ExitOnOutOfMemoryError");
    }

    @Test
    void parallelismDefaultsToTwoAndFollowsTheSetting() {
        assertThat(layout(Map.of()).parallelism()).isEqualTo(2);
        assertThat(layout(Map.of("TASKMANAGERS", "1", "TASKMANAGER_SLOTS", "1")).parallelism()).isEqualTo(1);
        assertThat(layout(Map.of("PARALLELISM", "4")).parallelism()).isEqualTo(4);
    }
}
