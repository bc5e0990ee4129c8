package org.correlationstation.local.cluster;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;
import org.correlationstation.core.build.ProjectVersion;
import org.correlationstation.core.config.ConfigOption;
import org.correlationstation.core.config.Options;
import org.correlationstation.core.config.Settings;
import org.correlationstation.local.StopSignals;
import org.correlationstation.local.flink.RestorePoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code ./bin/correlation-station cluster}: the engine as on a real deployment, each part its own
 * process on this machine: a Flink standalone session cluster (one JobManager, {@code TASKMANAGERS}
 * TaskManagers), the embedded Kafka broker, the ingest service, the query API and a redis-server.
 * The job is submitted with Flink's own CLI ({@code flink run}), resuming from the newest savepoint or
 * retained checkpoint under {@code DATA_DIR}. This process supervises the others as Kubernetes would:
 * a part that dies is started again (a TaskManager after {@code TASKMANAGER_RESTART_DELAY_MS}); a
 * JobManager that dies takes the job with it (no HA service), so the job is submitted again from its
 * newest retained checkpoint. SIGTERM or Ctrl-C stops the job with a savepoint (cancels it after
 * {@code SHUTDOWN_TIMEOUT_SECONDS}), then every part; a second one kills every part at once.
 */
public final class ClusterMode implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterMode.class);
    private static final Duration START_TIMEOUT = Duration.ofMinutes(3);
    /** How long a cancelled job may take to end before its TaskManagers are stopped under it. */
    private static final Duration CANCEL_TIMEOUT = Duration.ofSeconds(30);
    private static final long PART_RESTART_DELAY_MS = 1_000;
    /** Every JVM this command starts exits on an OutOfMemoryError, so that the supervisor starts it again. */
    static final String EXIT_ON_OOM = "-XX:+ExitOnOutOfMemoryError";

    private final Settings settings;
    /** The command's own arguments, handed on to every part (each reads the options it knows). */
    private final List<String> args;
    private final ClusterLayout layout;
    private final FlinkProcesses flink;
    private final FlinkRest rest;
    /** Two threads: a resubmission waiting for the TaskManagers must not hold up their own restarts. */
    private final ScheduledExecutorService supervisor = Executors.newScheduledThreadPool(2, r -> {
        Thread t = new Thread(r, "cluster-supervisor");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, ChildProcess> parts = new HashMap<>();
    private final List<String> startOrder = new ArrayList<>();
    private volatile boolean stopping;
    private volatile String jobId;
    private volatile Optional<Path> restoredFrom = Optional.empty();
    private String redisUrl;

    private ClusterMode(Settings settings, List<String> args) {
        this.settings = settings;
        this.args = args;
        this.layout = ClusterLayout.of(settings);
        this.flink = new FlinkProcesses(layout);
        this.rest = new FlinkRest(ClusterLayout.HOST, layout.uiPort());
    }

    public static ClusterMode start(Settings settings, List<String> args) throws Exception {
        ClusterMode cluster = new ClusterMode(settings, args);
        try {
            cluster.startParts();
        } catch (Exception | Error e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    private void startParts() throws Exception {
        refuseWhileAnotherRuns();
        Files.createDirectories(layout.logDir());
        Files.createDirectories(layout.runDir());
        FlinkConfigFile.write(layout);

        if (settings.redisUrl().isPresent()) {
            redisUrl = settings.redisUrl().get();
        } else {
            int port = settings.get(Options.REDIS_PORT);
            Files.createDirectories(layout.redisDir());
            start(new ChildProcess.Spec("redis", List.of("redis-server", "--port", Integer.toString(port),
                    "--bind", "127.0.0.1", "--dir", layout.redisDir().toString(), "--appendonly", "yes",
                    "--appendfsync", "everysec", "--save", "", "--daemonize", "no"), Map.of()));
            redisUrl = "redis://localhost:" + port;
            awaitPort("redis", port);
        }

        String java = javaBinary();
        Map<String, String> common = new HashMap<>(endpoints());
        common.put(Options.DATA_DIR.envName(), layout.dataDir().toString());

        // A part out of heap exits (and is started again) instead of limping on in full GCs.
        start(new ChildProcess.Spec("kafka", withArgs(java, "-Xmx512m", EXIT_ON_OOM, "-cp", layout.localClassPath(),
                BrokerMain.class.getName()), common));
        start(new ChildProcess.Spec("ingest", withArgs(java, "-Xmx512m", EXIT_ON_OOM, "-jar",
                layout.ingestJar().toString()), common));
        start(new ChildProcess.Spec("api", withArgs(java, "-Xmx512m", EXIT_ON_OOM, "-jar", layout.apiJar().toString()),
                common));
        start(flink.jobManager());
        for (int i = 1; i <= layout.taskManagers(); i++) start(flink.taskManager(i));

        awaitPort("kafka", settings.get(Options.KAFKA_PORT));
        awaitPort("ingest", settings.get(Options.OTLP_HTTP_PORT));
        awaitPort("api", settings.get(Options.PORT));
        awaitTaskManagers();
        submitJob();
    }

    private List<String> withArgs(String... command) {
        List<String> all = new ArrayList<>(Arrays.asList(command));
        all.addAll(args);
        return all;
    }

    /**
     * A cluster whose supervisor was killed leaves its parts running (they run in sessions of their
     * own): starting another on the same DATA_DIR would fight over its ports and files.
     */
    private void refuseWhileAnotherRuns() throws IOException {
        if (!Files.isDirectory(layout.runDir())) return;
        List<String> alive = new ArrayList<>();
        try (var files = Files.list(layout.runDir())) {
            for (Path pidFile : files.filter(f -> f.getFileName().toString().endsWith(".pid")).sorted().toList()) {
                String pid = Files.readString(pidFile).trim();
                boolean ours = pid.matches("\\d+") && ProcessHandle.of(Long.parseLong(pid))
                        .flatMap(h -> h.info().commandLine())
                        .filter(cmd -> cmd.contains(layout.dataDir().toString()) || cmd.contains("redis-server"))
                        .isPresent();
                if (ours) alive.add(pidFile.getFileName() + " (" + pid + ")");
            }
        }
        if (!alive.isEmpty()) {
            throw new IllegalStateException("a cluster is still running from " + layout.dataDir() + ": " + String.join(", ", alive)
                    + "; stop it first (kill $(cat " + layout.runDir() + "/*.pid))");
        }
    }

    private void start(ChildProcess.Spec spec) {
        ChildProcess process = ChildProcess.start(spec, layout.runDir(), layout.logDir());
        LOG.info("started {} (pid {})", spec.name(), process.pid());
        synchronized (parts) {
            if (!startOrder.contains(spec.name())) startOrder.add(spec.name());
            parts.put(spec.name(), process);
        }
        process.onExit().thenRun(() -> exited(process));
    }

    /** Starts a part again when it died, unless the cluster is stopping. */
    private void exited(ChildProcess process) {
        if (stopping) return;
        synchronized (parts) {
            if (parts.get(process.name()) != process) return;
        }
        process.removePidFile();
        boolean taskManager = process.name().startsWith(FlinkProcesses.TASKMANAGER);
        long delay = taskManager ? layout.taskManagerRestartDelayMs() : PART_RESTART_DELAY_MS;
        LOG.warn("{} (pid {}) exited with code {}; starting it again in {} ms", process.name(), process.pid(),
                process.exitValue(), delay);
        supervisor.schedule(() -> restart(process), delay, TimeUnit.MILLISECONDS);
    }

    private void restart(ChildProcess dead) {
        if (stopping) return;
        try {
            start(dead.spec());
        } catch (RuntimeException e) {
            LOG.error("could not restart {}: {}", dead.name(), e.toString(), e);
            supervisor.schedule(() -> restart(dead), PART_RESTART_DELAY_MS, TimeUnit.MILLISECONDS);
            return;
        }
        // Without an HA service the new JobManager knows no job: submit it again from the newest retained
        // checkpoint once the TaskManagers registered with it again.
        if (dead.name().equals(FlinkProcesses.JOBMANAGER)) supervisor.execute(this::resubmit);
    }

    private void resubmit() {
        if (stopping) return;
        try {
            awaitTaskManagers();
            submitJob();
            System.out.println("job resubmitted after a JobManager restart: " + jobId);
        } catch (Exception e) {
            if (stopping) return;
            LOG.error("could not resubmit the job after a JobManager restart: {}; trying again in 5 s", e.toString(), e);
            supervisor.schedule(this::resubmit, 5, TimeUnit.SECONDS);
        }
    }

    private void submitJob() throws Exception {
        Optional<Path> restoreFrom = RestorePoint.newest(layout.checkpoints(), layout.savepoints());
        Map<String, String> env = jobEnvironment();
        writeJobEnvironment(env);
        String id = flink.submit(restoreFrom, env, args);
        jobId = id;
        restoredFrom = restoreFrom;
        await("the job " + id + " to run", () -> rest.allTasksRunning(id));
        // Never the running job's own directory: its first checkpoint may be under way.
        restoreFrom.ifPresent(path -> RestorePoint.pruneAllBut(path, layout.checkpoints(), layout.savepoints(), id));
        Files.writeString(layout.runDir().resolve("job.id"), id + "\n");
    }

    /**
     * The job's settings (its main runs in the CLI's JVM, which reads them from its environment): every
     * option given to this command, and where this cluster's Kafka, Redis and checkpoints are. The
     * parallelism is {@code flink run}'s {@code -p}, so that one given by hand is not overridden.
     */
    private Map<String, String> jobEnvironment() {
        Map<String, String> env = new java.util.TreeMap<>();
        for (ConfigOption<?> option : Options.all()) {
            if (settings.isSet(option)) env.put(option.envName(), formatted(option));
        }
        env.putAll(endpoints());
        env.put(Options.CHECKPOINT_DIR.envName(), layout.checkpoints().toUri().toString());
        return env;
    }

    /** Where this cluster's Kafka and Redis are, for every part that uses them. */
    private Map<String, String> endpoints() {
        return Map.of(Options.KAFKA_BOOTSTRAP_SERVERS.envName(), ClusterLayout.HOST + ":" + settings.get(Options.KAFKA_PORT),
                Options.REDIS_URL.envName(), redisUrl);
    }

    private <T> String formatted(ConfigOption<T> option) {
        return option.format(settings.get(option));
    }

    /**
     * {@code DATA_DIR/run/job.env}: the same settings for {@code ./bin/correlation-station flink run}, so
     * that a job a user submits by hand (a rescale, an upgrade) writes where this cluster's job does.
     * Owner-only: it may hold a Redis password.
     */
    private void writeJobEnvironment(Map<String, String> env) throws IOException {
        StringBuilder out = new StringBuilder("# The job's settings in this cluster; read by `correlation-station flink run`.\n");
        env.forEach((k, v) -> out.append(k).append("='").append(v.replace("'", "'\\''")).append("'\n"));
        Path file = layout.runDir().resolve("job.env");
        Files.deleteIfExists(file);
        Files.createFile(file, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, out);
    }

    private void awaitTaskManagers() {
        await(layout.taskManagers() + " TaskManagers to register",
                () -> rest.taskManagers().map(n -> n >= layout.taskManagers()).orElse(false));
    }

    private void awaitPort(String part, int port) {
        await(part + " to listen on port " + port, () -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(ClusterLayout.HOST, port), 500);
                return true;
            } catch (IOException e) {
                return false;
            }
        });
    }

    private void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            if (stopping) throw new IllegalStateException("stopping while waiting for " + what);
            if (System.nanoTime() > deadline) throw new IllegalStateException("timed out waiting for " + what);
            try {
                // Other processes' readiness has no push notification here; poll as the web UI does.
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + what, e);
            }
        }
    }

    public String describe() {
        return String.join("\n",
                "  OTLP gRPC       localhost:" + settings.get(Options.OTLP_GRPC_PORT) + "  (ingest service)",
                "  OTLP HTTP       http://localhost:" + settings.get(Options.OTLP_HTTP_PORT) + "/v1/traces, /v1/logs",
                "  query API       http://localhost:" + settings.get(Options.PORT) + "/api/correlations",
                "  Flink web UI    " + rest.base() + "  (job " + jobId + ")",
                "  Flink metrics   http://localhost:" + layout.metricsPort() + "-" + layout.lastMetricsPort()
                        + "/metrics  (one per Flink process, each on the first free port of the range)",
                "  Flink CLI       ./bin/correlation-station flink list",
                "  Flink cluster   JobManager rpc localhost:" + layout.rpcPort() + ", " + layout.taskManagers()
                        + " TaskManagers x " + layout.slotsPerTaskManager() + " slots, parallelism " + layout.parallelism(),
                "  Kafka           localhost:" + settings.get(Options.KAFKA_PORT),
                "  Redis           " + Options.REDIS_URL.redact(redisUrl),
                "  logs, pids      " + layout.logDir() + ", " + layout.runDir(),
                "  data            " + layout.dataDir()
                        + restoredFrom.map(p -> " (resumed from " + p.getFileName() + ")").orElse(""));
    }

    /** Stop-with-savepoint, then every part in the reverse order of starting. */
    @Override
    public void close() {
        stopping = true;
        supervisor.shutdownNow();
        boolean ownJobManager;
        synchronized (parts) {
            ownJobManager = parts.containsKey(FlinkProcesses.JOBMANAGER);
        }
        // Every job that runs, not only the one submitted here: a user may have stopped it and run another
        // (a rescale, an upgrade) with `flink run`. Only on this cluster's own JobManager: a start that
        // failed before it began must not stop the jobs of one that answers on the same port.
        // One SHUTDOWN_TIMEOUT_SECONDS for them all: a savepoint waits for every sink (an unreachable Redis
        // is retried forever, SPEC §7), so it may never finish. A job not stopped by then is cancelled and
        // the next start resumes from its last completed checkpoint, which cancelling retains.
        Duration timeout = Duration.ofSeconds(settings.get(Options.SHUTDOWN_TIMEOUT_SECONDS));
        long deadline = System.nanoTime() + timeout.toNanos();
        for (String id : ownJobManager ? rest.runningJobs() : List.<String>of()) {
            try {
                Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
                String savepoint = rest.stopWithSavepoint(id, layout.savepoints().toUri().toString(), left);
                System.out.println("stopped the job " + id + " with a savepoint at " + savepoint);
            } catch (Exception e) {
                if (e instanceof InterruptedException) Thread.currentThread().interrupt();
                cancel(id, timeout, e);
            }
        }
        List<String> order;
        synchronized (parts) {
            order = new ArrayList<>(startOrder);
        }
        // TaskManagers and the JobManager first (they hold the job), the API, the receiver, Kafka, Redis.
        order.sort((a, b) -> Integer.compare(stopRank(a), stopRank(b)));
        for (String name : order) {
            ChildProcess p;
            synchronized (parts) {
                p = parts.get(name);
            }
            if (p != null) p.stop(60);
        }
        Path jobIdFile = layout.runDir().resolve("job.id");
        try {
            Files.deleteIfExists(jobIdFile);
        } catch (IOException e) {
            // best effort
        }
    }

    /** The fallback of a stop-with-savepoint that failed or did not finish in time, said in one line. */
    private void cancel(String id, Duration timeout, Exception why) {
        String resumes = RestorePoint.newest(layout.checkpoints(), layout.savepoints())
                .map(p -> "the next start resumes from " + (p.startsWith(layout.checkpoints())
                        ? "the last completed checkpoint, " + p
                        : p + " (no checkpoint of this job completed)"))
                .orElse("no checkpoint completed yet: the next start reads Kafka from the committed offsets");
        LOG.warn("no savepoint of the job {} within SHUTDOWN_TIMEOUT_SECONDS ({} s): {}; cancelling it: {}", id,
                timeout.toSeconds(), why.getMessage(), resumes);
        try {
            rest.cancel(id, CANCEL_TIMEOUT);
        } catch (Exception e) {
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            LOG.warn("could not cancel the job {} ({}); stopping its TaskManagers under it", id, e.toString());
        }
    }

    /**
     * SIGKILL to every part, for a second Ctrl-C: they run in sessions of their own, so nothing else
     * would stop them. The job's retained checkpoints stay; the next start resumes from the newest.
     */
    void killAll() {
        stopping = true;
        List<ChildProcess> all;
        synchronized (parts) {
            all = new ArrayList<>(parts.values());
        }
        for (ChildProcess p : all) p.kill();
    }

    private static int stopRank(String name) {
        if (name.startsWith(FlinkProcesses.TASKMANAGER)) return 0;
        return switch (name) {
            case FlinkProcesses.JOBMANAGER -> 1;
            case "api" -> 2;
            case "ingest" -> 3;
            case "kafka" -> 4;
            default -> 5;
        };
    }

    static String javaBinary() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    // ---------------------------------------------------------------- the `cluster` command

    public static void main(String[] args) {
        Settings settings;
        try {
            settings = Settings.fromEnvironment(args);
        } catch (IllegalArgumentException e) {
            System.err.println("correlation-station cluster: " + e.getMessage());
            System.exit(2);
            return;
        }
        Configurator.setRootLevel(Level.WARN);
        Configurator.setLevel("org.correlationstation",
                Level.toLevel(settings.get(Options.LOG_LEVEL).toUpperCase(java.util.Locale.ROOT), Level.INFO));
        // With REDIS_URL set, cluster mode uses that Redis and starts none of its own.
        List<String> parts = new ArrayList<>(List.of("kafka", "ingest", "api", "jobmanager",
                settings.get(Options.TASKMANAGERS) + " taskmanagers"));
        if (settings.redisUrl().isEmpty()) parts.add(0, "redis");
        System.out.println("Correlation Station " + ProjectVersion.get() + " (cluster mode): starting " + parts);
        ClusterMode cluster;
        try {
            cluster = start(settings, List.of(args));
        } catch (Exception e) {
            LOG.debug("cluster mode could not start", e);
            System.err.println("correlation-station cluster: could not start: " + e.getMessage()
                    + " (logs under " + ClusterLayout.of(settings).logDir() + ")");
            System.exit(1);
            return;
        }
        StopSignals.install("cluster-mode", () -> {
            System.out.println("stopping (savepoint, at most SHUTDOWN_TIMEOUT_SECONDS="
                    + settings.get(Options.SHUTDOWN_TIMEOUT_SECONDS) + ", then every process; a second Ctrl-C "
                    + "kills them at once) ...");
            cluster.close();
            System.out.println("stopped");
        }, cluster::killAll);
        System.out.println(cluster.describe());
        System.out.println("ready");
        // Every other thread is a daemon: main stays until the JVM is told to stop (the hook above runs then).
        try {
            new java.util.concurrent.CountDownLatch(1).await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
