package org.correlationstation.job.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.util.FileUtils;
import org.correlationstation.connectors.testutil.LokiTestServer;
import org.correlationstation.connectors.testutil.OtlpTestReceiver;
import org.correlationstation.core.config.Settings;
import org.correlationstation.core.model.LogEvent;
import org.correlationstation.core.model.SpanEvent;
import org.correlationstation.core.record.CorrelationRecord;
import org.correlationstation.core.record.RecordCodec;
import org.correlationstation.core.testdata.GeneratedTrace;
import org.correlationstation.core.testing.EmbeddedKafka;
import org.correlationstation.core.testing.RedisServer;
import org.correlationstation.job.OperatorIds;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Savepoints of earlier releases restore into this job and finish their input exactly (the pattern of
 * Flink's {@code SnapshotMigrationTestBase}). Each release's savepoint, under
 * {@code src/test/resources/savepoints/<release>/}, was taken by that release's job in the middle of
 * {@link UpgradeScenario}: open traces, logs waiting for their join, closed traces held for late events,
 * and the sinks' writer state; next to it, what Loki and Tempo had received. Restored here, the job must take the rest of the
 * input into the same records, deliver every log to Loki and every span to Tempo, and restore too with
 * sinks switched off since the savepoint (their buffered entries are the only state it may drop).
 *
 * <p>With {@code -Dsavepoint.write=<dir>}, {@link #writeThisReleasesSavepoint} takes this release's
 * savepoint into {@code <dir>} instead (savepoints/README.md).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SavepointMigrationITCase {
    static final String SAVEPOINT = "all-sinks";
    private static final String WRITTEN_AT = "written-at";
    private static final String LOKI_BEFORE = "loki-before-savepoint.txt";
    private static final String TEMPO_BEFORE = "tempo-before-savepoint.txt";
    private static final Duration DEADLINE = Duration.ofMinutes(3);

    private final UpgradeScenario scenario = new UpgradeScenario();
    private EmbeddedKafka kafka;
    private RedisServer redisServer;
    private PipelineCluster cluster;
    @TempDir Path tmp;

    @BeforeAll
    void startInfrastructure() throws Exception {
        redisServer = RedisServer.launch();
        cluster = new PipelineCluster();
    }

    @AfterAll
    void stopInfrastructure() throws Exception {
        if (cluster != null) cluster.close();
        if (redisServer != null) redisServer.close();
    }

    /** A broker per run: the savepoint's sources read the scenario's topics from the offsets they hold. */
    @BeforeEach
    void freshBrokerAndRedis() throws Exception {
        redisServer.flushAll();
        kafka = EmbeddedKafka.start();
    }

    @AfterEach
    void stopBroker() throws Exception {
        if (kafka != null) kafka.close();
    }

    /** Every release with a checked-in savepoint. */
    static Stream<String> releases() throws IOException, URISyntaxException {
        Path root = Path.of(SavepointMigrationITCase.class.getResource("/savepoints").toURI());
        try (Stream<Path> dirs = Files.list(root)) {
            List<String> releases = dirs.filter(d -> Files.isDirectory(d.resolve(SAVEPOINT))).map(d -> d.getFileName().toString())
                    .sorted().toList();
            assertThat(releases).as("checked-in savepoints").isNotEmpty();
            return releases.stream();
        }
    }

    @ParameterizedTest(name = "release {0}")
    @MethodSource("releases")
    void aSavepointOfAnEarlierReleaseFinishesEveryTraceExactlyAndDeliversEverything(String release) throws Exception {
        try (LokiTestServer loki = LokiTestServer.start(); OtlpTestReceiver tempo = OtlpTestReceiver.start()) {
            String name = "all-" + release.replace('.', '-');
            Settings settings = settings(name, Map.of("LOKI_URL", loki.pushUrl(), "TEMPO_HTTP_ENDPOINT", tempo.httpTracesUrl()));
            JobID job = restore(release, settings, name);
            assertThat(cluster.droppedState).as("state dropped with every sink on").isEmpty();
            try (StoredRecords stored = new StoredRecords(redisServer.uri())) {
                finishAndCheckRecords(stored, job, name);

                // What the earlier release sent before its savepoint, by each log's own time (the file's
                // format: 0.1.0 did not move timestamps within their precision, LokiEntries.timestampNanos).
                Set<String> before = new HashSet<>(Files.readAllLines(savepointDir(release).resolve(LOKI_BEFORE)));
                Set<String> expectedLogs = SinkAssertions.lokiKeysOf(allLogs().stream()
                        .filter(l -> !before.contains(SinkAssertions.lokiKey(l.traceId, l.timeNanos, l.body))).toList());
                OtlpTestReceiver.await(() -> SinkAssertions.distinctLokiKeys(loki.entries()).containsAll(expectedLogs), DEADLINE,
                        () -> "every log in Loki: " + SinkAssertions.distinctLokiKeys(loki.entries()).size() + " of "
                                + expectedLogs.size());
                // The logs decided after the restore carry their join like any other.
                assertThat(expectedLogs).as("logs decided after the restore").isNotEmpty();
                List<GeneratedTrace> after = new ArrayList<>();
                for (GeneratedTrace t : scenario.late) {
                    after.add(new GeneratedTrace(t.traceId(), t.spans(),
                            t.logs().stream().filter(l -> expectedLogs.contains(key(l))).toList(),
                            t.untracedLogs().stream().filter(l -> expectedLogs.contains(key(l))).toList()));
                }
                SinkAssertions.assertEveryLogInLoki(after, loki.entries(), UpgradeScenario.SLACK_MS);

                List<SpanEvent> spans = new ArrayList<>(GeneratedTrace.allSpans(scenario.early));
                spans.addAll(GeneratedTrace.allSpans(scenario.late));
                Set<String> tempoBefore = new HashSet<>(Files.readAllLines(savepointDir(release).resolve(TEMPO_BEFORE)));
                assertThat(tempoBefore).as("spans in Tempo before the savepoint")
                        .containsExactlyInAnyOrderElementsOf(spans.stream().map(s -> s.spanId).toList());
                OtlpTestReceiver.await(() -> tempo.spans().size() >= UpgradeScenario.PARTITIONS, DEADLINE,
                        () -> "the pusher's spans in Tempo");
                assertThat(tempo.spans()).as("after the restore, only the spans that came after it")
                        .allSatisfy(s -> assertThat(s.getName()).isEqualTo("watermark"));
            } finally {
                cluster.cancel(job);
            }
        }
    }

    @ParameterizedTest(name = "release {0}")
    @MethodSource("releases")
    void aSavepointRestoresWithSinksSwitchedOffAndAtAnotherParallelism(String release) throws Exception {
        String name = "off-" + release.replace('.', '-');
        Settings settings = settings(name, Map.of("PARALLELISM", "3"));
        JobID job = restore(release, settings, name);
        // Without this, Flink refuses the savepoint ("Cannot map checkpoint/savepoint state for operator").
        assertThat(cluster.droppedState).containsExactly(OperatorIds.LOKI_SINK, OperatorIds.TEMPO_SINK);
        try (StoredRecords stored = new StoredRecords(redisServer.uri())) {
            finishAndCheckRecords(stored, job, name);
        } finally {
            cluster.cancel(job);
        }
    }

    @Test
    @EnabledIfSystemProperty(named = "savepoint.write", matches = ".+")
    void writeThisReleasesSavepoint() throws Exception {
        Path out = Path.of(System.getProperty("savepoint.write")).toAbsolutePath();
        try (LokiTestServer loki = LokiTestServer.start(); OtlpTestReceiver tempo = OtlpTestReceiver.start()) {
            Map<String, String> extra = new HashMap<>(UpgradeScenario.settings());
            extra.put("LOKI_URL", loki.pushUrl());
            extra.put("TEMPO_HTTP_ENDPOINT", tempo.httpTracesUrl());
            Settings settings = PipelineSettings.create(kafka, redisServer.uri(), tmp, UpgradeScenario.NAME, extra);
            JobID job = cluster.start(settings, new Configuration(), null);
            try (StoredRecords stored = new StoredRecords(redisServer.uri())) {
                scenario.earlySpans(kafka);
                stored.awaitSpans(scenario.early, cluster, job, DEADLINE);
                scenario.earlyLogs(kafka);
                stored.await(scenario.early, r -> r.logCount == logsOf(scenario.early, r.traceId), "early logs in state",
                        cluster, job, DEADLINE);
                scenario.lateSpans(kafka);
                Map<String, String> earlyClosed = new HashMap<>();
                for (GeneratedTrace t : scenario.early) {
                    earlyClosed.put(t.traceId(), RecordCodec.toJson(ExpectedRecord.of(t.traceId(), t.spans(), t.logs(),
                            UpgradeScenario.SLACK_MS)));
                }
                stored.await(scenario.early, r -> ExpectedRecord.comparable(r).equals(earlyClosed.get(r.traceId)),
                        "early traces closed and exact", cluster, job, DEADLINE);
                stored.awaitSpans(scenario.late, cluster, job, DEADLINE);
                scenario.lateLogsBefore(kafka);
                stored.await(scenario.late, r -> r.logCount == scenario.lateLogsBefore(r.traceId)
                        && CorrelationRecord.OPEN.equals(r.status), "late traces open with their first logs",
                        cluster, job, DEADLINE);
                String savepoint = cluster.stopWithSavepoint(job, tmp.resolve("savepoints").toUri().toString());
                Path dir = out.resolve(SAVEPOINT);
                FileUtils.deleteDirectory(dir.toFile());
                FileUtils.copy(new org.apache.flink.core.fs.Path(savepoint), new org.apache.flink.core.fs.Path(dir.toUri()), false);
                Files.writeString(dir.resolve(WRITTEN_AT), System.currentTimeMillis() + "\n", StandardCharsets.UTF_8);
                // A completed savepoint means the sinks delivered everything before it.
                // By each log's own time, whatever the release did to timestamps on their way to Loki.
                Set<String> inLoki = SinkAssertions.distinctLokiKeys(loki.entries());
                Files.write(dir.resolve(LOKI_BEFORE), new TreeSet<>(allLogs().stream().filter(l -> inLoki.contains(key(l)))
                        .map(l -> SinkAssertions.lokiKey(l.traceId, l.timeNanos, l.body)).toList()));
                Files.write(dir.resolve(TEMPO_BEFORE), tempo.spans().stream()
                        .map(s -> HexFormat.of().formatHex(s.getSpanId().toByteArray())).sorted().toList());
            } finally {
                cluster.cancel(job);
            }
        }
    }

    // ------------------------------------------------------------------------------------------

    private Settings settings(String name, Map<String, String> extra) throws Exception {
        Map<String, String> env = new HashMap<>(UpgradeScenario.settings());
        env.putAll(extra);
        env.put("CHECKPOINT_DIR", tmp.resolve(name + "-checkpoints").toUri().toString());
        return PipelineSettings.create(kafka, redisServer.uri(), tmp, UpgradeScenario.NAME, env);
    }

    /** Produces what came before the savepoint again (same partitions, so same offsets), then restores it. */
    private JobID restore(String release, Settings settings, String name) throws Exception {
        Path copy = tmp.resolve(name + "-savepoint");
        FileUtils.copy(new org.apache.flink.core.fs.Path(savepointDir(release).toUri()),
                new org.apache.flink.core.fs.Path(copy.toUri()), false);
        long writtenAt = Long.parseLong(Files.readString(copy.resolve(WRITTEN_AT)).trim());
        assertThat(System.currentTimeMillis() - writtenAt).as("age of the savepoint: its open traces must be past "
                + "the window on restore (savepoints/README.md)").isGreaterThan(UpgradeScenario.WINDOW_SECONDS * 1000);
        scenario.earlySpans(kafka);
        scenario.earlyLogs(kafka);
        scenario.lateSpans(kafka);
        scenario.lateLogsBefore(kafka);
        return cluster.start(settings, new Configuration(), copy.toUri().toString());
    }

    /**
     * The late traces close on restore (their window of quiet has long passed); then the rest of the input
     * comes in as late events, and every record must end exact.
     */
    private void finishAndCheckRecords(StoredRecords stored, JobID job, String name) throws Exception {
        stored.await(scenario.late, r -> CorrelationRecord.CLOSED.equals(r.status)
                && r.logCount == scenario.lateLogsBefore(r.traceId), "late traces closed on restore", cluster, job, DEADLINE);
        scenario.rest(kafka);
        Map<String, String> expected = new HashMap<>();
        scenario.expectedFinal().forEach((trace, record) -> expected.put(trace, RecordCodec.toJson(record)));
        List<GeneratedTrace> all = new ArrayList<>(scenario.early);
        all.addAll(scenario.late);
        Map<String, CorrelationRecord> actual = stored.await(all,
                r -> ExpectedRecord.comparable(r).equals(expected.get(r.traceId)), "every record exact", cluster, job, DEADLINE);
        for (GeneratedTrace t : all) {
            assertThat(ExpectedRecord.comparable(actual.get(t.traceId()))).as("record of " + t.traceId() + " (" + name + ")")
                    .isEqualTo(expected.get(t.traceId()));
        }
    }

    private static String key(LogEvent l) {
        return SinkAssertions.lokiKey(l);
    }

    private List<LogEvent> allLogs() {
        List<LogEvent> logs = new ArrayList<>(GeneratedTrace.allLogsWithUntraced(scenario.early));
        logs.addAll(GeneratedTrace.allLogsWithUntraced(scenario.late));
        logs.addAll(scenario.earlyLateLogs);
        return logs;
    }

    private static long logsOf(List<GeneratedTrace> traces, String traceId) {
        return traces.stream().filter(t -> t.traceId().equals(traceId)).findFirst().orElseThrow().logs().size();
    }

    private static Path savepointDir(String release) throws URISyntaxException {
        return Path.of(SavepointMigrationITCase.class.getResource("/savepoints/" + release + "/" + SAVEPOINT).toURI());
    }
}
