package org.correlationstation.local.cluster;

import java.nio.file.Files;
import java.nio.file.Path;
import org.correlationstation.core.build.ProjectVersion;
import org.correlationstation.core.config.Options;
import org.correlationstation.core.config.Settings;

/**
 * Where the cluster's parts keep their files and listen: everything under {@code DATA_DIR}, ports from
 * the same settings as local mode, and where the built jars are (the repository the launcher runs from).
 */
record ClusterLayout(Path home, Path dataDir, int rpcPort, int uiPort, int metricsPort, int taskManagers,
        int slotsPerTaskManager, int parallelism, long taskManagerRestartDelayMs) {
    static final String HOST = "localhost";
    /** Set by the launcher: the repository root, whose modules' {@code target/} hold the jars. */
    static final String HOME_PROPERTY = "correlation-station.home";

    static ClusterLayout of(Settings settings) {
        Path home = Path.of(System.getProperty(HOME_PROPERTY, ".")).toAbsolutePath().normalize();
        int taskManagers = settings.get(Options.TASKMANAGERS);
        int slots = settings.get(Options.TASKMANAGER_SLOTS);
        return new ClusterLayout(home, Path.of(settings.get(Options.DATA_DIR)).toAbsolutePath().normalize(),
                settings.get(Options.FLINK_RPC_PORT), settings.get(Options.FLINK_UI_PORT),
                settings.get(Options.FLINK_METRICS_PORT), taskManagers, slots,
                settings.find(Options.PARALLELISM).orElse(Math.min(2, taskManagers * slots)),
                settings.get(Options.TASKMANAGER_RESTART_DELAY_MS));
    }

    Path runDir() {
        return dataDir.resolve("run");
    }

    Path logDir() {
        return dataDir.resolve("log");
    }

    Path flinkDir() {
        return dataDir.resolve("flink");
    }

    Path flinkConfDir() {
        return flinkDir().resolve("conf");
    }

    Path checkpoints() {
        return dataDir.resolve("checkpoints");
    }

    Path savepoints() {
        return dataDir.resolve("savepoints");
    }

    Path redisDir() {
        return dataDir.resolve("redis");
    }

    int lastMetricsPort() {
        return metricsPort + taskManagers + 1;
    }

    // ---------------------------------------------------------------- the built distribution

    Path flinkLib() {
        return home.resolve("local/flink-dist/target/lib");
    }

    Path flinkPlugins() {
        return home.resolve("local/flink-dist/target/plugins");
    }

    Path jobJar() {
        return jar("job", "correlation-station-job");
    }

    Path apiJar() {
        return jar("api", "correlation-station-api");
    }

    Path ingestJar() {
        return jar("ingest", "correlation-station-ingest");
    }

    /** Local mode's class path (its jar and dependencies), which also runs the embedded broker. */
    String localClassPath() {
        try {
            return jar("local", "correlation-station-local") + java.io.File.pathSeparator
                    + Files.readString(home.resolve("local/target/classpath.txt")).trim();
        } catch (java.io.IOException e) {
            throw new IllegalStateException("local/target/classpath.txt is missing: build with "
                    + "`mvn -DskipTests -pl local -am package`", e);
        }
    }

    String flinkClassPath() {
        return flinkLib() + "/*";
    }

    private Path jar(String module, String artifact) {
        Path jar = home.resolve(module).resolve("target").resolve(artifact + "-" + ProjectVersion.get() + ".jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: build with `mvn -DskipTests package`");
        }
        return jar;
    }
}
