package org.correlationstation.bench.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.trace.v1.Span;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.correlationstation.bench.check.RecordChecker;
import org.correlationstation.bench.load.SentTrace;
import org.correlationstation.connectors.testutil.LokiTestServer;
import org.correlationstation.connectors.testutil.OtlpTestReceiver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The chaos suite: {@code ./bin/correlation-station cluster} (a JobManager and two TaskManagers as
 * JVMs of their own, Kafka, Redis, the ingest service, the API) under steady load from the bench's
 * generator, with the Loki and Tempo test servers as sinks. Each scenario breaks something for real
 * ({@code kill -9} of a TaskManager or the JobManager, a rescale through savepoints with Flink's CLI,
 * Redis frozen and Loki failing), then checks that every record in Redis equals what was sent (0
 * missing, 0 over-counted) and that every log reached Loki and every span Tempo at least once, and
 * prints its recovery time (kill → job RUNNING → records fresh again) and the duplicates.
 * The scenarios run in order on one cluster; each checks everything sent since the suite began.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterChaosITCase {
    private static final double RATE = Double.parseDouble(System.getProperty("chaos.rate", "1500"));
    private static final Duration OUTAGE = Duration.ofSeconds(Long.getLong("chaos.outage.seconds", 60));
    private static final Duration RECOVERY_TIMEOUT = Duration.ofMinutes(3);
    private static final Pattern SAVEPOINT = Pattern.compile("Path: (\\S+)");

    private final List<String> report = new ArrayList<>() {
        @Override
        public boolean add(String line) {
            System.out.println("[chaos] " + line);
            return super.add(line);
        }
    };
    private Path root;
    private LokiTestServer loki;
    private OtlpTestReceiver tempo;
    private ClusterProcess cluster;
    private SteadyLoad load;
    private long lokiDuplicatesBefore;
    private long tempoDuplicatesBefore;
    private long lastLokiDuplicates;
    private long lastTempoDuplicates;

    @BeforeAll
    void startCluster() throws Exception {
        boolean ci = "true".equalsIgnoreCase(System.getenv("CI"));
        assumeTrue(ci || onPath("redis-server"), "redis-server is not installed (./bin/correlation-station test installs it)");
        root = Path.of("..").toAbsolutePath().normalize();
        assertThat(root.resolve("bin/correlation-station")).isRegularFile();
        loki = LokiTestServer.start();
        tempo = OtlpTestReceiver.start();
        Path dataDir = Path.of("target", "chaos-" + System.currentTimeMillis()).toAbsolutePath();
        cluster = new ClusterProcess(root, dataDir, Map.of(
                "LOKI_URL", loki.pushUrl(),
                "TEMPO_HTTP_ENDPOINT", tempo.httpTracesUrl(),
                "CHECKPOINT_INTERVAL_MS", "2000",
                "CORR_WINDOW_SECONDS", "10",
                "TASKMANAGERS", "2",
                "TASKMANAGER_RESTART_DELAY_MS", "3000",
                "CORRELATION_STATION_MAVEN_ARGS", "-o -q"));
        long t0 = System.nanoTime();
        cluster.start(Duration.ofMinutes(5));
        report.add(String.format("cluster ready in %.1f s (%s)", (System.nanoTime() - t0) / 1e9, dataDir));
        load = new SteadyLoad(cluster.kafkaBootstrap());
    }

    @Test
    @Order(1)
    void taskManagerKilledThreeTimes() throws Exception {
        load.start(RATE);
        for (int kill = 1; kill <= 3; kill++) {
            awaitTracesSent(load.traces().size() + 200);
            String victim = "taskmanager-" + (kill % 2 + 1);
            long at = System.currentTimeMillis();
            long pid = cluster.kill9(victim);
            Recovery r = recover(at, Optional.empty());
            ClusterProcess.await("a replacement for " + victim, RECOVERY_TIMEOUT,
                    () -> cluster.pid(victim) != pid && cluster.taskManagers() == 2);
            report.add(String.format("TaskManager kill %d (%s, pid %d): %s; replacement registered after %.1f s; %s",
                    kill, victim, pid, r, (System.currentTimeMillis() - at) / 1e3, duplicatesSinceLastCount()));
        }
        load.stopAndAwait();
        assertExact("3 TaskManager kills");
    }

    @Test
    @Order(2)
    void rescaleThroughSavepoints() throws Exception {
        load.start(RATE);
        String jobJar = jobJar().toString();
        for (int parallelism : new int[] {4, 1}) {
            awaitTracesSent(load.traces().size() + 500);
            String job = cluster.runningJob(0).orElseThrow();
            long at = System.currentTimeMillis();
            String stopped = cluster.flink("stop", "--savepointPath", cluster.dataDir().resolve("savepoints").toUri().toString(), job);
            Matcher m = SAVEPOINT.matcher(stopped);
            assertThat(m.find()).as("flink stop printed the savepoint: %s", stopped).isTrue();
            cluster.flink("run", "--detached", "--fromSavepoint", m.group(1), "--parallelism", Integer.toString(parallelism), jobJar);
            Recovery r = recover(at, Optional.of(job));
            String now = cluster.runningJob(at).orElseThrow();
            assertThat(cluster.parallelismOf(now)).isEqualTo(parallelism);
            report.add(String.format("rescale to %d from savepoint %s: %s", parallelism, m.group(1), r));
        }
        load.stopAndAwait();
        assertExact("rescale 2 → 4 → 1");
    }

    @Test
    @Order(3)
    void redisFrozenAndLokiFailing() throws Exception {
        load.start(RATE);
        awaitTracesSent(load.traces().size() + 500);
        long at = System.currentTimeMillis();
        cluster.signal("redis", "STOP");
        // far more answers than the sink retries within the outage; cleared when it ends
        loki.failNext(100_000, 503);
        try {
            // The outage itself: Redis answers nothing and Loki 503 for this long, under load.
            Thread.sleep(OUTAGE.toMillis());
        } finally {
            cluster.signal("redis", "CONT");
            loki.clearFailures();
        }
        long resumed = System.currentTimeMillis();
        awaitRecord(load.probe());
        report.add(String.format("Redis stopped (SIGSTOP) and Loki answering 503 for %d s: records fresh again %.1f s "
                + "after they came back; job still %s", OUTAGE.toSeconds(), (System.currentTimeMillis() - resumed) / 1e3,
                cluster.runningJob(0).isPresent() ? "running" : "recovering"));
        load.stopAndAwait();
        assertExact("Redis and Loki outage of " + OUTAGE.toSeconds() + " s (from " + at + ")");
    }

    @Test
    @Order(4)
    void jobManagerKilled() throws Exception {
        load.start(RATE);
        awaitTracesSent(load.traces().size() + 500);
        String job = cluster.runningJob(0).orElseThrow();
        long at = System.currentTimeMillis();
        long pid = cluster.kill9("jobmanager");
        Recovery r = recover(at, Optional.of(job));
        report.add(String.format("JobManager kill (pid %d): %s; %s", pid, r, duplicatesSinceLastCount()));
        load.stopAndAwait();
        assertExact("JobManager kill");
    }

    @AfterAll
    void stop() throws Exception {
        try {
            if (cluster != null) {
                long stoppedAt = System.currentTimeMillis();
                cluster.close();
                // SIGTERM stops the job with a savepoint, then every part (their pid files go with them).
                Path savepoints = cluster.dataDir().resolve("savepoints");
                try (Stream<Path> all = Files.list(savepoints)) {
                    assertThat(all.map(p -> p.resolve("_metadata")).filter(Files::isRegularFile)
                            .filter(m -> m.toFile().lastModified() >= stoppedAt - 1_000))
                            .as("a savepoint written by the stop under %s", savepoints).isNotEmpty();
                }
                try (Stream<Path> pids = Files.list(cluster.dataDir().resolve("run"))) {
                    assertThat(pids.filter(p -> p.toString().endsWith(".pid"))).as("pid files left after the stop").isEmpty();
                }
            }
        } finally {
            if (load != null) load.close();
            if (loki != null) loki.close();
            if (tempo != null) tempo.close();
            System.out.println("== chaos suite (" + RATE + " events/s)");
            report.forEach(l -> System.out.println("  " + l));
        }
    }

    // ---------------------------------------------------------------- checks

    /** How long a recovery took: from the fault to the job RUNNING again, and to records fresh again. */
    record Recovery(double runningAfterSeconds, double freshAfterSeconds) {
        @Override
        public String toString() {
            return String.format("job RUNNING %.1f s after, records fresh %.1f s after", runningAfterSeconds, freshAfterSeconds);
        }
    }

    /**
     * Waits until a job runs with every task again, having started after {@code faultMillis} (a new job
     * other than {@code replaced}, if given), then until the record of the first trace sent after that is
     * in Redis, complete.
     */
    private Recovery recover(long faultMillis, Optional<String> replaced) throws Exception {
        ClusterProcess.await("the job to run again", RECOVERY_TIMEOUT, () -> cluster.runningJob(faultMillis)
                .filter(id -> replaced.isEmpty() || !replaced.get().equals(id)).isPresent());
        long running = System.currentTimeMillis();
        awaitRecord(load.probe());
        return new Recovery((running - faultMillis) / 1e3, (System.currentTimeMillis() - faultMillis) / 1e3);
    }

    private void awaitRecord(SentTrace trace) throws Exception {
        ClusterProcess.await("the record of " + trace.traceId(), RECOVERY_TIMEOUT,
                () -> check(List.of(trace)).allMatch());
    }

    private void awaitTracesSent(int n) throws InterruptedException {
        ClusterProcess.await(n + " traces sent", Duration.ofMinutes(2), () -> load.traces().size() >= n);
    }

    /**
     * Every trace sent so far has its record with exactly the spans and traced logs sent; every log
     * reached Loki and every span Tempo at least once (duplicates counted, as at-least-once allows).
     */
    private void assertExact(String phase) throws Exception {
        List<SentTrace> sent = load.traces();
        RecordChecker.Result[] last = new RecordChecker.Result[1];
        try {
            ClusterProcess.await("every record to match the manifest", RECOVERY_TIMEOUT, () -> {
                last[0] = check(sent);
                return last[0].allMatch();
            });
        } finally {
            report.add(phase + ": " + (last[0] == null ? "no check ran" : last[0].toString()));
        }
        long spans = load.spans();
        long logs = load.logs();
        long[] loki = new long[2];
        long[] tempo = new long[2];
        ClusterProcess.await("every log at Loki and every span at Tempo", RECOVERY_TIMEOUT, () -> {
            countLoki(loki);
            countTempo(tempo);
            return loki[0] >= logs && tempo[0] >= spans;
        });
        report.add(String.format("%s: Loki %,d of %,d logs (%,d duplicates in this phase), Tempo %,d of %,d spans "
                + "(%,d duplicates in this phase)", phase, loki[0], logs, loki[1] - lokiDuplicatesBefore, tempo[0], spans,
                tempo[1] - tempoDuplicatesBefore));
        lokiDuplicatesBefore = loki[1];
        tempoDuplicatesBefore = tempo[1];
        lastLokiDuplicates = loki[1];
        lastTempoDuplicates = tempo[1];
        assertThat(loki[0]).as("distinct logs at Loki").isEqualTo(logs);
        assertThat(tempo[0]).as("distinct spans at Tempo").isEqualTo(spans);
    }

    /**
     * The duplicates Loki and Tempo got since the last count (per kill: what the restored sinks sent
     * again by the time records were fresh; the phase's check counts what came later too).
     */
    private String duplicatesSinceLastCount() {
        long[] l = new long[2];
        long[] t = new long[2];
        countLoki(l);
        countTempo(t);
        String s = String.format("duplicates since the previous count: %,d at Loki, %,d at Tempo", l[1] - lastLokiDuplicates,
                t[1] - lastTempoDuplicates);
        lastLokiDuplicates = l[1];
        lastTempoDuplicates = t[1];
        return s;
    }

    private RecordChecker.Result check(List<SentTrace> traces) {
        try {
            return RecordChecker.check(cluster.redisUri(), traces);
        } catch (Exception e) {
            return new RecordChecker.Result(traces.size(), 0, traces.size(), 0, List.of(e.toString()));
        }
    }

    /** {distinct, duplicates} of the log entries Loki accepted, by stream, time and line. */
    private void countLoki(long[] out) {
        Set<String> seen = new HashSet<>();
        long all = 0;
        for (LokiTestServer.Entry e : loki.entries()) {
            seen.add(e.labelString() + '|' + e.timestampNanos() + '|' + e.line());
            all++;
        }
        out[0] = seen.size();
        out[1] = all - seen.size();
    }

    /** {distinct, duplicates} of the spans Tempo accepted, by trace and span id. */
    private void countTempo(long[] out) {
        Set<ByteString> seen = new HashSet<>();
        long all = 0;
        for (Span s : tempo.spans()) {
            seen.add(s.getTraceId().concat(s.getSpanId()));
            all++;
        }
        out[0] = seen.size();
        out[1] = all - seen.size();
    }

    private Path jobJar() throws Exception {
        try (Stream<Path> jars = Files.list(root.resolve("job/target"))) {
            return jars.filter(p -> p.getFileName().toString().matches("correlation-station-job-.*\\.jar")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no job jar in job/target"));
        }
    }

    private static boolean onPath(String tool) {
        return Stream.of(System.getenv("PATH").split(":")).anyMatch(d -> Files.isExecutable(Path.of(d, tool)));
    }
}
