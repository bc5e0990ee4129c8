package org.correlationstation.job.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.correlationstation.connectors.testutil.LokiTestServer;
import org.correlationstation.connectors.testutil.OtlpTestReceiver.Protocol;
import org.correlationstation.core.config.Settings;
import org.correlationstation.core.model.LogEvent;
import org.correlationstation.core.model.SpanEvent;
import org.correlationstation.core.testdata.GeneratedTrace;
import org.correlationstation.core.testdata.TraceGenerator;
import org.correlationstation.core.testing.EmbeddedKafka;
import org.correlationstation.core.testing.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.LoggerFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.output.Slf4jLogConsumer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.lifecycle.Startables;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

/**
 * The Loki/Tempo half of {@link CorrelationPipelineITCase} against the real backends: pinned
 * {@code grafana/loki} and {@code grafana/tempo} images (single-binary configs in
 * {@code src/test/resources/grafana/}) in Docker, the job on a MiniCluster with an in-JVM Kafka and a
 * real redis-server. Each run reads everything back through the backends' query APIs and checks it with
 * the same {@link SinkAssertions}: every log in Loki with its labels and structured metadata, every span
 * in Tempo as produced. Once with Tempo over OTLP/HTTP, once over OTLP/gRPC.
 *
 * <p>Optional: without Docker the class is skipped with the reason (SPEC §10: everywhere, CI included);
 * the local-server variant is what CI relies on. See docs/sinks.md for how to run it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(RequiresDocker.class)
class GrafanaStackITCase {
    static final DockerImageName LOKI_IMAGE = DockerImageName.parse("grafana/loki:3.6.7");
    static final DockerImageName TEMPO_IMAGE = DockerImageName.parse("grafana/tempo:2.9.2");
    private static final int LOKI_PORT = 3100;
    private static final int TEMPO_QUERY_PORT = 3200;
    private static final int OTLP_GRPC_PORT = 4317;
    private static final int OTLP_HTTP_PORT = 4318;
    private static final Duration STARTUP = Duration.ofMinutes(3);
    private static final Duration DEADLINE = Duration.ofMinutes(3);
    /** Between two reads of a backend while waiting for data: they are real servers, not in-JVM fakes. */
    private static final Duration POLL = Duration.ofMillis(500);
    private static final int TRACES = 300;
    private static final long SLACK_MS = 1000;

    private GenericContainer<?> loki;
    private GenericContainer<?> tempo;
    private RedisServer redisServer;
    private EmbeddedKafka kafka;
    private PipelineCluster cluster;
    @TempDir Path tmp;

    @BeforeAll
    void startInfrastructure() throws Exception {
        loki = new GenericContainer<>(LOKI_IMAGE)
                .withCopyFileToContainer(MountableFile.forClasspathResource("grafana/loki.yaml"), "/etc/loki/it.yaml")
                .withCommand("-config.file=/etc/loki/it.yaml")
                .withExposedPorts(LOKI_PORT)
                .withLogConsumer(new Slf4jLogConsumer(LoggerFactory.getLogger("grafana.loki")))
                .waitingFor(Wait.forHttp("/ready").forPort(LOKI_PORT).forStatusCode(200).withStartupTimeout(STARTUP));
        tempo = new GenericContainer<>(TEMPO_IMAGE)
                .withCopyFileToContainer(MountableFile.forClasspathResource("grafana/tempo.yaml"), "/etc/tempo/it.yaml")
                .withCommand("-config.file=/etc/tempo/it.yaml")
                .withExposedPorts(TEMPO_QUERY_PORT, OTLP_GRPC_PORT, OTLP_HTTP_PORT)
                .withLogConsumer(new Slf4jLogConsumer(LoggerFactory.getLogger("grafana.tempo")))
                .waitingFor(Wait.forHttp("/ready").forPort(TEMPO_QUERY_PORT).forStatusCode(200).withStartupTimeout(STARTUP));
        Startables.deepStart(loki, tempo).join();
        redisServer = RedisServer.launch();
        kafka = EmbeddedKafka.start();
        cluster = new PipelineCluster();
    }

    @AfterAll
    void stopInfrastructure() throws Exception {
        if (cluster != null) cluster.close();
        if (kafka != null) kafka.close();
        if (redisServer != null) redisServer.close();
        if (tempo != null) tempo.stop();
        if (loki != null) loki.stop();
    }

    @ParameterizedTest(name = "Tempo over OTLP/{0}")
    @EnumSource(Protocol.class)
    void everyLogReachesLokiAndEverySpanTempo(Protocol protocol) throws Exception {
        String name = "grafana-" + protocol.name().toLowerCase(Locale.ROOT);
        // A tenant per run: each run reads back exactly what it wrote, and a lost X-Scope-OrgID shows.
        String tenant = name;
        Map<String, String> extra = new HashMap<>();
        extra.put("LOKI_URL", url(loki, LOKI_PORT) + LokiTestServer.PATH);
        extra.put("LOKI_TENANT", tenant);
        if (protocol == Protocol.GRPC) {
            extra.put("TEMPO_GRPC_ENDPOINT", tempo.getHost() + ":" + tempo.getMappedPort(OTLP_GRPC_PORT));
        } else {
            extra.put("TEMPO_HTTP_ENDPOINT", url(tempo, OTLP_HTTP_PORT) + "/v1/traces");
        }
        extra.put("EXPORT_BATCH_WAIT_MS", "200");
        Settings settings = PipelineSettings.create(kafka, redisServer.uri(), tmp, name, extra);
        // Event times of 20 min ago. Not the generator's fixed default: Loki rejects entries older than a
        // week. Not now either: the job caps its watermark at wall-clock time, so traces whose 10 min window
        // ends in the future would not close (and their logs not be decided) before the deadline.
        long base = System.currentTimeMillis() - Duration.ofMinutes(20).toMillis();
        List<GeneratedTrace> traces = new TraceGenerator(7 + protocol.ordinal()).baseTimeMillis(base)
                .traceSpacingMillis(10).generate(TRACES);
        List<LogEvent> logs = GeneratedTrace.allLogsWithUntraced(traces);

        JobID job = cluster.start(settings, new Configuration(), null);
        try (StoredRecords stored = new StoredRecords(redisServer.uri())) {
            TelemetryProducer producer = new TelemetryProducer(kafka, 77 + protocol.ordinal());
            producer.spans(name + "-spans", GeneratedTrace.allSpans(traces));
            // Spans in state before their logs: the inferred joins, and so the metadata, are deterministic.
            stored.awaitSpans(traces, cluster, job, DEADLINE);
            producer.logsAsJson(name + "-logs", logs);
            LogEvent pusherLog = producer.pushWatermarkPast(name, traces);

            // Loki: every log, and nothing but the generated logs and the watermark pusher's.
            LokiQueryClient lokiQuery = new LokiQueryClient(url(loki, LOKI_PORT), tenant);
            long from = TimeUnit.MILLISECONDS.toNanos(base - Duration.ofMinutes(1).toMillis());
            long to = TimeUnit.MILLISECONDS.toNanos(System.currentTimeMillis() + Duration.ofHours(2).toMillis());
            Set<String> expectedLogs = SinkAssertions.lokiKeysOf(logs);
            expectedLogs.add(SinkAssertions.lokiKey(pusherLog));
            List<LokiTestServer.Entry> entries = awaitLoki(lokiQuery, from, to, expectedLogs, cluster, job);
            assertThat(SinkAssertions.distinctLokiKeys(entries)).as("the generated logs and the watermark pusher's, no other")
                    .isEqualTo(expectedLogs);
            SinkAssertions.assertEveryLogInLoki(traces, entries, SLACK_MS);

            // Tempo: every span of every trace, and no other, as produced.
            TempoQueryClient tempoQuery = new TempoQueryClient(url(tempo, TEMPO_QUERY_PORT));
            List<ResourceSpans> received = awaitTempo(tempoQuery, traces, cluster, job);
            List<SpanEvent> produced = GeneratedTrace.allSpans(traces);
            SinkAssertions.assertEverySpanArrived(produced, received, SinkAssertions::asStoredByTempo);
        } finally {
            cluster.cancel(job);
        }
    }

    /** Polls Loki until every expected log is there; returns all entries then. */
    private static List<LokiTestServer.Entry> awaitLoki(LokiQueryClient lokiQuery, long from, long to,
            Set<String> expected, PipelineCluster cluster, JobID job) throws Exception {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        List<LokiTestServer.Entry> entries = List.of();
        Set<String> missing = expected;
        while (System.nanoTime() < deadline) {
            entries = lokiQuery.queryRange("{service_name=~\".+\"}", from, to);
            missing = new HashSet<>(expected);
            missing.removeAll(SinkAssertions.distinctLokiKeys(entries));
            if (missing.isEmpty()) return entries;
            cluster.requireRunning(job);
            TimeUnit.MILLISECONDS.sleep(POLL.toMillis());
        }
        throw new AssertionError("timed out after " + DEADLINE + " waiting for Loki: " + missing.size() + " of "
                + expected.size() + " logs missing (" + entries.size() + " entries), e.g. " + missing.iterator().next());
    }

    /**
     * Polls Tempo until each trace has exactly its produced spans (a trace becomes queryable only after
     * the ingester cut it); returns every trace's resource spans then.
     */
    private static List<ResourceSpans> awaitTempo(TempoQueryClient tempoQuery, List<GeneratedTrace> traces,
            PipelineCluster cluster, JobID job) throws Exception {
        HexFormat hex = HexFormat.of();
        Map<String, List<ResourceSpans>> complete = new HashMap<>();
        Map<String, Set<String>> last = new HashMap<>();
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (System.nanoTime() < deadline) {
            for (GeneratedTrace t : traces) {
                if (complete.containsKey(t.traceId())) continue;
                List<ResourceSpans> found = tempoQuery.trace(t.traceId());
                Set<String> ids = new HashSet<>();
                for (ResourceSpans rs : found) {
                    rs.getScopeSpansList().forEach(ss -> ss.getSpansList().forEach(
                            (Span s) -> ids.add(hex.formatHex(s.getSpanId().toByteArray()))));
                }
                Set<String> expected = new HashSet<>();
                t.spans().forEach(s -> expected.add(s.spanId));
                if (ids.equals(expected)) complete.put(t.traceId(), found);
                else last.put(t.traceId(), ids);
            }
            if (complete.size() == traces.size()) {
                List<ResourceSpans> all = new ArrayList<>();
                complete.values().forEach(all::addAll);
                return all;
            }
            cluster.requireRunning(job);
            TimeUnit.MILLISECONDS.sleep(POLL.toMillis());
        }
        GeneratedTrace example = traces.stream().filter(t -> !complete.containsKey(t.traceId())).findFirst().orElseThrow();
        throw new AssertionError("timed out after " + DEADLINE + " waiting for Tempo: " + (traces.size() - complete.size())
                + " of " + traces.size() + " traces incomplete, e.g. " + example.traceId() + " with spans "
                + last.get(example.traceId()) + " of " + example.spans().size());
    }

    private static String url(GenericContainer<?> container, int port) {
        return "http://" + container.getHost() + ":" + container.getMappedPort(port);
    }
}
