package org.correlationstation.local.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The session cluster's {@code config.yaml} and log4j configuration, written under
 * {@code DATA_DIR/flink/conf} at every start (Flink reads its configuration from the directory named by
 * {@code FLINK_CONF_DIR}, as a distribution's {@code conf/}). Flat keys, as Flink's own defaults file.
 */
final class FlinkConfigFile {
    private FlinkConfigFile() {}

    static Map<String, String> entries(ClusterLayout layout) {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("jobmanager.rpc.address", ClusterLayout.HOST);
        c.put("jobmanager.rpc.port", Integer.toString(layout.rpcPort()));
        c.put("jobmanager.bind-host", ClusterLayout.HOST);
        c.put("jobmanager.memory.process.size", "1024m");
        c.put("taskmanager.host", ClusterLayout.HOST);
        c.put("taskmanager.bind-host", ClusterLayout.HOST);
        c.put("taskmanager.numberOfTaskSlots", Integer.toString(layout.slotsPerTaskManager()));
        c.put("taskmanager.memory.process.size", "1536m");
        c.put("parallelism.default", Integer.toString(layout.parallelism()));
        // The job's subtasks on every TaskManager rather than filling the first one: a lost TaskManager
        // then takes a share of the job, as on a real cluster, and the web UI shows both at work.
        c.put("taskmanager.load-balance.mode", "SLOTS");
        c.put("rest.address", ClusterLayout.HOST);
        c.put("rest.bind-address", ClusterLayout.HOST);
        c.put("rest.port", Integer.toString(layout.uiPort()));
        c.put("web.submit.enable", "true");
        c.put("web.cancel.enable", "true");
        c.put("web.upload.dir", layout.flinkDir().resolve("web-upload").toString());
        // State: RocksDB, incremental checkpoints retained on cancellation, savepoints, all under DATA_DIR.
        c.put("state.backend.type", "rocksdb");
        c.put("execution.checkpointing.incremental", "true");
        c.put("execution.checkpointing.dir", layout.checkpoints().toUri().toString());
        c.put("execution.checkpointing.savepoint-dir", layout.savepoints().toUri().toString());
        c.put("execution.checkpointing.externalized-checkpoint-retention", "RETAIN_ON_CANCELLATION");
        c.put("execution.checkpointing.num-retained", "2");
        // A failed job restarts with growing pauses (1 s, 2 s, … 30 s) rather than at a fixed rate.
        c.put("restart-strategy.type", "exponential-delay");
        c.put("restart-strategy.exponential-delay.initial-backoff", "1 s");
        c.put("restart-strategy.exponential-delay.max-backoff", "30 s");
        c.put("restart-strategy.exponential-delay.backoff-multiplier", "2.0");
        c.put("restart-strategy.exponential-delay.reset-backoff-threshold", "2 min");
        c.put("restart-strategy.exponential-delay.jitter-factor", "0.1");
        // A TaskManager killed with SIGKILL fails the job at once through its broken connections, but
        // stays registered until its heartbeats fail: until then the restarted job is deployed to its
        // dead slots and fails again. Heartbeats every second (two failed RPCs mark it unreachable) and a
        // 10 s timeout for one that hangs, rather than 10 s and 50 s: cheap on one machine.
        c.put("heartbeat.interval", "1000");
        c.put("heartbeat.timeout", "10000");
        c.put("classloader.resolve-order", "child-first");
        c.put("metrics.reporter.prom.factory.class", "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
        // The JobManager takes the first free port of the range, each TaskManager the next.
        c.put("metrics.reporter.prom.port", layout.metricsPort() + "-" + layout.lastMetricsPort());
        // Label values verbatim: service names (`checkout-svc`) and `le="0.1"` of the service graph (docs/metrics.md).
        c.put("metrics.reporter.prom.filterLabelValueCharacters", "false");
        c.put("state.backend.rocksdb.log.dir", layout.logDir().resolve("rocksdb").toString());
        c.put("env.java.opts.all", String.join(" ", FlinkProcesses.JAVA_17_OPTIONS));
        c.put("io.tmp.dirs", layout.flinkDir().resolve("tmp").toString());
        c.put("process.working-dir", layout.flinkDir().resolve("work").toString());
        return c;
    }

    static void write(ClusterLayout layout) throws IOException {
        Path conf = layout.flinkConfDir();
        Files.createDirectories(conf);
        Files.createDirectories(layout.flinkDir().resolve("tmp"));
        Files.createDirectories(layout.flinkDir().resolve("web-upload"));
        Files.createDirectories(layout.logDir().resolve("rocksdb"));
        StringBuilder yaml = new StringBuilder("# Written by `correlation-station cluster` at every start; edits are overwritten.\n");
        entries(layout).forEach((k, v) -> yaml.append(k).append(": ").append(quote(v)).append('\n'));
        Files.writeString(conf.resolve("config.yaml"), yaml);
        Files.writeString(conf.resolve("log4j.properties"), LOG4J);
        Files.writeString(conf.resolve("log4j-cli.properties"), LOG4J_CLI);
    }

    /**
     * A YAML scalar for {@code value}. Booleans are quoted too: YAML reads a bare {@code false} as a
     * Boolean, and a metric reporter reads its options from a {@code Properties} copy
     * ({@code MetricConfig}), whose {@code getProperty} ignores non-String values, so a bare
     * {@code filterLabelValueCharacters: false} was silently the default, true. Flink's typed options
     * read the quoted string alike.
     */
    private static String quote(String value) {
        boolean plain = value.matches("[A-Za-z0-9_.:/\\- ]*") && !value.contains(": ")
                && !value.equalsIgnoreCase("true") && !value.equalsIgnoreCase("false");
        return plain ? value : "'" + value.replace("'", "''") + "'";
    }

    /** Each JVM logs to the file named by {@code -Dlog.file} (the web UI's log tab reads it). */
    private static final String LOG4J = """
            monitorInterval = 30
            rootLogger.level = INFO
            rootLogger.appenderRef.file.ref = MainAppender
            logger.kafka.name = org.apache.kafka
            logger.kafka.level = WARN
            logger.lettuce.name = io.lettuce
            logger.lettuce.level = WARN
            appender.main.name = MainAppender
            appender.main.type = RollingFile
            appender.main.append = true
            appender.main.fileName = ${sys:log.file}
            appender.main.filePattern = ${sys:log.file}.%i
            appender.main.layout.type = PatternLayout
            appender.main.layout.pattern = %d{yyyy-MM-dd HH:mm:ss,SSS} %-5p %-60c %x - %m%n
            appender.main.policies.type = Policies
            appender.main.policies.size.type = SizeBasedTriggeringPolicy
            appender.main.policies.size.size = 100MB
            appender.main.strategy.type = DefaultRolloverStrategy
            appender.main.strategy.max = 5
            """;

    /**
     * The CLI (flink run, list, stop) prints its results and errors itself; its logger would repeat
     * each error with a stack trace, and warn that the YARN command line is not on the class path.
     */
    static final String LOG4J_CLI = """
            rootLogger.level = WARN
            logger.cli.name = org.apache.flink.client.cli.CliFrontend
            logger.cli.level = OFF
            rootLogger.appenderRef.console.ref = ConsoleAppender
            appender.console.name = ConsoleAppender
            appender.console.type = CONSOLE
            appender.console.target = SYSTEM_ERR
            appender.console.layout.type = PatternLayout
            appender.console.layout.pattern = %d{HH:mm:ss,SSS} %-5p %c{1} - %m%n
            """;
}
