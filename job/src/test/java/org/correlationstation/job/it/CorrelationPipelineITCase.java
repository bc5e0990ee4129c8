package org.correlationstation.job.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.opentelemetry.proto.logs.v1.LogsData;
import io.opentelemetry.proto.trace.v1.Span;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.correlationstation.core.testing.EmbeddedKafka;
import org.correlationstation.connectors.testutil.LokiTestServer;
import org.correlationstation.connectors.testutil.OtlpTestReceiver;
import org.correlationstation.connectors.testutil.ServerSecurity;
import org.correlationstation.connectors.testutil.TestCertificates;
import org.correlationstation.core.testing.RedisServer;
import org.correlationstation.core.config.Settings;
import org.correlationstation.core.model.LogEvent;
import org.correlationstation.core.model.SpanEvent;
import org.correlationstation.core.record.CorrelationRecord;
import org.correlationstation.core.record.RecordCodec;
import org.correlationstation.core.redis.RedisKeys;
import org.correlationstation.core.testdata.GeneratedTrace;
import org.correlationstation.core.testdata.OtlpMessages;
import org.correlationstation.core.testdata.TraceGenerator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole pipeline on real parts: an in-JVM KRaft broker, a MiniCluster at parallelism 2 with
 * RocksDB, and a real redis-server. Each test writes ≥ 2,000 generated traces and checks every stored
 * record field by field against {@link ExpectedRecord}.
 *
 * <p>The input comes in two phases, spans first, so that every span is in state before its logs are
 * decided: that makes the inferred joins deterministic, and so the records exactly predictable. A
 * final span and log far in event time then push the watermark past every trace's window, closing them
 * all. The harness tests cover the orders this ITCase avoids.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CorrelationPipelineITCase {
    private static final int TRACES = 2000;
    private static final long SLACK_MS = 1000;
    private static final long TTL_SECONDS = PipelineSettings.TTL_SECONDS;
    private static final String PUSHER_TRACE = TelemetryProducer.PUSHER_TRACE;
    private static final Duration DEADLINE = Duration.ofMinutes(3);

    private EmbeddedKafka kafka;
    private RedisServer redisServer;
    private PipelineCluster cluster;
    @TempDir Path tmp;

    @BeforeAll
    void startInfrastructure() throws Exception {
        redisServer = RedisServer.launch();
        kafka = EmbeddedKafka.start();
        cluster = new PipelineCluster();
    }

    @AfterAll
    void stopInfrastructure() throws Exception {
        if (cluster != null) cluster.close();
        if (kafka != null) kafka.close();
        if (redisServer != null) redisServer.close();
    }

    @BeforeEach
    void cleanRedis() {
        redisServer.flushAll();
    }

    private Settings settings(String name) throws Exception {
        return settings(name, Map.of());
    }

    private Settings settings(String name, Map<String, String> extra) throws Exception {
        return PipelineSettings.create(kafka, redisServer.uri(), tmp, name, extra);
    }

    private List<GeneratedTrace> generate(long seed) {
        return new TraceGenerator(seed).traceSpacingMillis(10).generate(TRACES);
    }

    @Test
    void everyRecordIsExactAndUndecodableMessagesGoToTheDlq() throws Exception {
        Settings settings = settings("exact");
        List<GeneratedTrace> traces = generate(1);
        JobID job = cluster.start(settings, new Configuration(), null);
        long started = System.nanoTime();
        try (StoredRecords stored = new StoredRecords(redisServer.uri())) {
            TelemetryProducer producer = new TelemetryProducer(kafka, 11);
            producer.spans("exact-spans", GeneratedTrace.allSpans(traces));
            List<byte[]> badSpans = List.of("not a protobuf".getBytes(StandardCharsets.UTF_8),
                    OtlpMessages.traces(List.of(shortTraceIdSpan())).toByteArray());
            for (byte[] bad : badSpans) kafka.produce("exact-spans", null, bad);
            awaitSpansStored(stored, traces, job);
            assertThat(cluster.miniCluster.getExecutionGraph(job).get().getStateBackendName())
                    .hasValueSatisfying(name -> assertThat(name).containsIgnoringCase("rocksdb"));

            producer.logsAsJson("exact-logs", GeneratedTrace.allLogsWithUntraced(traces));
            List<byte[]> badLogs = List.of("{not json".getBytes(StandardCharsets.UTF_8),
                    "{\"resourceLogs\":[{\"scopeLogs\":[{\"logRecords\":[{\"traceId\":\"abc\"}]}]}]}"
                            .getBytes(StandardCharsets.UTF_8));
            for (byte[] bad : badLogs) kafka.produce("exact-logs", null, bad);
            pushWatermarkPastEveryTrace(producer, "exact", traces);

            assertAllRecordsExact(stored, traces, job);
            long events = traces.stream().mapToLong(t -> t.spans().size() + t.logs().size() + t.untracedLogs().size()).sum();
            double seconds = (System.nanoTime() - started) / 1e9;
            System.out.printf("ITCase pipeline: %d events in %.1f s end to end (%.0f events/s incl. waits)%n",
                    events, seconds, events / seconds);
            assertIndexes(stored, traces);
            assertMetricsExported(GeneratedTrace.allSpans(traces).size() + 1, 4);

            List<ConsumerRecord<byte[], byte[]>> dlq = kafka.consumeAll("exact-dlq", 4, Duration.ofSeconds(60));
            assertThat(dlq).hasSize(4);
            Map<String, List<String>> reasonsByTopic = dlq.stream().collect(Collectors.groupingBy(
                    r -> header(r, "dlq.source.topic"),
                    Collectors.mapping(r -> header(r, "dlq.reason").split(":")[0], Collectors.toList())));
            assertThat(reasonsByTopic.get("exact-spans")).containsExactlyInAnyOrder("malformed_proto", "invalid_trace_id");
            assertThat(reasonsByTopic.get("exact-logs")).containsExactlyInAnyOrder("malformed_json", "invalid_trace_id");
            List<byte[]> originals = new ArrayList<>(badSpans);
            originals.addAll(badLogs);
            assertThat(dlq).allSatisfy(r -> {
                assertThat(originals).anySatisfy(o -> assertThat(r.value()).isEqualTo(o));
                assertThat(header(r, "dlq.source.partition")).matches("[01]");
                assertThat(header(r, "dlq.source.offset")).matches("\\d+");
            });
        } finally {
            cluster.cancel(job);
        }
    }

    @Test
    void stopWithSavepointAndResumeLosesAndDoublesNothing() throws Exception {
        Settings settings = settings("restore");
        List<GeneratedTrace> traces = generate(2);
        JobID job = cluster.start(settings, new Configuration(), null);
        try (StoredRecords stored = new StoredRecords(redisServer.uri())) {
            TelemetryProducer producer = new TelemetryProducer(kafka, 22);
            producer.spans("restore-spans", GeneratedTrace.allSpans(traces));
            awaitSpansStored(stored, traces, job);
            List<LogEvent> logs = GeneratedTrace.allLogsWithUntraced(traces);
            producer.logsAsJson("restore-logs", logs.subList(0, logs.size() / 2));

            String savepoint = cluster.stopWithSavepoint(job, tmp.resolve("savepoints").toUri().toString());
            assertThat(cluster.status(job)).isEqualTo(JobStatus.FINISHED);
            job = cluster.start(settings, new Configuration(), savepoint);

            producer.logsAsJson("restore-logs", logs.subList(logs.size() / 2, logs.size()));
            pushWatermarkPastEveryTrace(producer, "restore", traces);
            assertAllRecordsExact(stored, traces, job);
        } finally {
            cluster.cancel(job);
        }
    }

    @Test
    void aRedisOutageHoldsCheckpointsAndLosesNothing() throws Exception {
        // No source idleness here: a partition held back by the outage's back-pressure could be declared idle
        // and let the watermark close traces before their logs are read (they would count as late events).
        Settings settings = settings("outage", Map.of("SOURCE_IDLE_TIMEOUT_MS", "600000"));
        List<GeneratedTrace> traces = generate(3);
        Configuration shortCheckpoints = new Configuration();
        shortCheckpoints.set(CheckpointingOptions.CHECKPOINTING_TIMEOUT, Duration.ofSeconds(3));
        JobID job = cluster.start(settings, shortCheckpoints, null);
        try (StoredRecords stored = new StoredRecords(redisServer.uri())) {
            TelemetryProducer producer = new TelemetryProducer(kafka, 33);
            producer.spans("outage-spans", GeneratedTrace.allSpans(traces));
            awaitSpansStored(stored, traces, job);
        }
        redisServer.stop();
        try {
            TelemetryProducer producer = new TelemetryProducer(kafka, 34);
            producer.logsAsJson("outage-logs", GeneratedTrace.allLogsWithUntraced(traces));
            producer.pushWatermarkPastOnEveryPartition("outage", traces, 2);
            awaitFailedCheckpoint(job);
            assertThat(cluster.status(job)).isEqualTo(JobStatus.RUNNING);
        } finally {
            redisServer.start();
        }
        try (StoredRecords stored = new StoredRecords(redisServer.uri())) {
            assertAllRecordsExact(stored, traces, job);
        } finally {
            cluster.cancel(job);
        }
    }

    @Test
    void everyLogReachesLokiAndEverySpanTempoEvenThroughBackendFailures() throws Exception {
        try (LokiTestServer loki = LokiTestServer.start(); OtlpTestReceiver tempo = OtlpTestReceiver.start()) {
            // Both backends are down for their first requests: the job waits, then delivers.
            loki.failNext(3, 500);
            tempo.failNext(3, OtlpTestReceiver.Failure.grpc(Status.Code.UNAVAILABLE));
            Map<String, String> extra = Map.of("LOKI_URL", loki.pushUrl(), "LOKI_TENANT", "team-a",
                    "TEMPO_GRPC_ENDPOINT", tempo.grpcEndpoint(), "EXPORT_BATCH_WAIT_MS", "200");
            Settings settings = settings("sinks", extra);
            List<GeneratedTrace> traces = new TraceGenerator(4).traceSpacingMillis(10).generate(300);
            JobID job = cluster.start(settings, new Configuration(), null);
            try (StoredRecords stored = new StoredRecords(redisServer.uri())) {
                TelemetryProducer producer = new TelemetryProducer(kafka, 44);
                producer.spans("sinks-spans", GeneratedTrace.allSpans(traces));
                awaitSpansStored(stored, traces, job);
                producer.logsAsJson("sinks-logs", GeneratedTrace.allLogsWithUntraced(traces));
                pushWatermarkPastEveryTrace(producer, "sinks", traces);

                int expected = GeneratedTrace.allLogsWithUntraced(traces).size() + 1; // + the pusher's log
                List<LokiTestServer.Entry> entries = loki.awaitEntries(expected, DEADLINE);
                assertThat(entries).hasSize(expected);
                assertThat(loki.requests()).allSatisfy(r -> assertThat(r.tenant()).isEqualTo("team-a"));
                SinkAssertions.assertEveryLogInLoki(traces, entries, SLACK_MS);

                // Tempo: every span, as it was produced (same span protos, same resources).
                List<SpanEvent> produced = GeneratedTrace.allSpans(traces);
                List<Span> received = tempo.awaitSpans(produced.size() + 1, DEADLINE);
                assertThat(received).hasSize(produced.size() + 1);
                SinkAssertions.assertEverySpanArrived(produced, tempo.resourceSpans(), Function.identity());
                assertThat(tempo.resourceSpans()).allSatisfy(rs -> assertThat(rs.getResource().getAttributesList())
                        .anySatisfy(kv -> assertThat(kv.getKey()).isEqualTo("service.name")));

                String scraped = cluster.scrapeMetrics();
                for (String name : DocumentedMetrics.sinks()) {
                    assertThat(scraped).as("exported metric " + name).containsPattern("(?m)^" + name + "\\{");
                }
                assertThat(DocumentedMetrics.sum(scraped,
                        "flink_taskmanager_job_task_operator_correlation_backend_status_export_attempts",
                        "status=\"500\"")).as("Loki's failed pushes were counted").isGreaterThanOrEqualTo(3);
            } finally {
                cluster.cancel(job);
            }
        }
    }

    /**
     * Issue 25 end to end: the options travel from the settings through the job graph to the writers on the
     * TaskManager. Loki wants HTTPS with a client certificate, basic auth from LOKI_URL and a LOKI_HEADERS
     * header; Tempo wants gRPC over TLS (https:// endpoint) with a TEMPO_HEADERS bearer token, gzip.
     */
    @Test
    void hostedBackendsOverTlsWithCredentialsGetEveryLogAndSpan() throws Exception {
        TestCertificates certs = TestCertificates.get();
        ServerSecurity lokiNeeds = ServerSecurity.mutualTls().requiringBasicAuth("123456", "p@ss").requiring("X-Team", "a b");
        ServerSecurity tempoNeeds = ServerSecurity.tls().requiring("Authorization", "Bearer tok=");
        try (LokiTestServer loki = LokiTestServer.start(lokiNeeds); OtlpTestReceiver tempo = OtlpTestReceiver.start(tempoNeeds)) {
            Map<String, String> extra = new HashMap<>();
            extra.put("LOKI_URL", loki.pushUrl().replace("https://", "https://123456:p%40ss@"));
            extra.put("LOKI_HEADERS", "X-Team=a%20b");
            extra.put("LOKI_CA_FILE", certs.caFile().toString());
            extra.put("LOKI_CLIENT_CERT_FILE", certs.clientCertFile().toString());
            extra.put("LOKI_CLIENT_KEY_FILE", certs.clientKeyFile().toString());
            extra.put("TEMPO_GRPC_ENDPOINT", tempo.grpcTlsEndpoint());
            extra.put("TEMPO_HEADERS", "Authorization=Bearer%20tok%3D");
            extra.put("TEMPO_CA_FILE", certs.caFile().toString());
            extra.put("TEMPO_COMPRESSION", "gzip");
            extra.put("EXPORT_BATCH_WAIT_MS", "200");
            Settings settings = settings("hosted", extra);
            assertThat(settings.describe()).doesNotContain("p@ss", "p%40ss", "a%20b", "tok");
            List<GeneratedTrace> traces = new TraceGenerator(6).traceSpacingMillis(10).generate(50);
            JobID job = cluster.start(settings, new Configuration(), null);
            try (StoredRecords stored = new StoredRecords(redisServer.uri())) {
                TelemetryProducer producer = new TelemetryProducer(kafka, 66);
                producer.spans("hosted-spans", GeneratedTrace.allSpans(traces));
                awaitSpansStored(stored, traces, job);
                producer.logsAsJson("hosted-logs", GeneratedTrace.allLogsWithUntraced(traces));
                pushWatermarkPastEveryTrace(producer, "hosted", traces);

                int expected = GeneratedTrace.allLogsWithUntraced(traces).size() + 1; // + the pusher's log
                SinkAssertions.assertEveryLogInLoki(traces, loki.awaitEntries(expected, DEADLINE), SLACK_MS);
                assertThat(loki.requests()).allSatisfy(r -> assertThat(r.status()).isEqualTo(204));
                List<SpanEvent> produced = GeneratedTrace.allSpans(traces);
                tempo.awaitSpans(produced.size() + 1, DEADLINE);
                SinkAssertions.assertEverySpanArrived(produced, tempo.resourceSpans(), Function.identity());
                assertThat(tempo.headers()).allSatisfy(h -> assertThat(h).containsEntry("grpc-encoding", "gzip"));
            } finally {
                cluster.cancel(job);
            }
        }
    }

    @Test
    void aJobStoppedWithASavepointAndResumedDeliversEveryLogAndSpanAtLeastOnce() throws Exception {
        try (LokiTestServer loki = LokiTestServer.start(); OtlpTestReceiver tempo = OtlpTestReceiver.start()) {
            Map<String, String> extra = Map.of("LOKI_URL", loki.pushUrl(), "TEMPO_HTTP_ENDPOINT", tempo.httpTracesUrl(),
                    "EXPORT_BATCH_WAIT_MS", "200");
            Settings settings = settings("resume", extra);
            List<GeneratedTrace> traces = new TraceGenerator(5).traceSpacingMillis(10).generate(300);
            List<LogEvent> logs = GeneratedTrace.allLogsWithUntraced(traces);
            JobID job = cluster.start(settings, new Configuration(), null);
            try (StoredRecords stored = new StoredRecords(redisServer.uri())) {
                TelemetryProducer producer = new TelemetryProducer(kafka, 55);
                producer.spans("resume-spans", GeneratedTrace.allSpans(traces));
                awaitSpansStored(stored, traces, job);
                producer.logsAsJson("resume-logs", logs.subList(0, logs.size() / 2));
                loki.awaitEntries(1, DEADLINE); // mid-stream: delivery has begun
                String savepoint = cluster.stopWithSavepoint(job, tmp.resolve("resume-savepoints").toUri().toString());
                job = cluster.start(settings, new Configuration(), savepoint);
                producer.logsAsJson("resume-logs", logs.subList(logs.size() / 2, logs.size()));
                pushWatermarkPastEveryTrace(producer, "resume", traces);

                Set<String> expectedLogs = SinkAssertions.lokiKeysOf(logs);
                OtlpTestReceiver.await(() -> distinctLokiKeys(loki).containsAll(expectedLogs), DEADLINE,
                        () -> "every log in Loki after the resume");
                Set<ByteString> expectedSpans = new HashSet<>();
                for (SpanEvent span : GeneratedTrace.allSpans(traces)) expectedSpans.add(OtlpMessages.id(span.spanId));
                OtlpTestReceiver.await(() -> tempo.spans().stream().map(Span::getSpanId).collect(Collectors.toSet())
                        .containsAll(expectedSpans), DEADLINE, () -> "every span in Tempo after the resume");
                int lokiEntries = loki.entries().size();
                int lokiDistinct = distinctLokiKeys(loki).size();
                int tempoSpans = tempo.spans().size();
                int tempoDistinct = (int) tempo.spans().stream().map(Span::getSpanId).distinct().count();
                System.out.printf("resume: Loki %d entries, %d duplicates (generated logs sharing trace, time and body: %d);"
                        + " Tempo %d spans, %d duplicates%n", lokiEntries, lokiEntries - lokiDistinct,
                        logs.size() - expectedLogs.size(), tempoSpans, tempoSpans - tempoDistinct);
                Set<String> unexpected = new HashSet<>(distinctLokiKeys(loki));
                unexpected.removeAll(expectedLogs);
                assertThat(unexpected).as("nothing but the generated logs and the watermark pusher's")
                        .allSatisfy(k -> assertThat(k).startsWith(PUSHER_TRACE));
            } finally {
                cluster.cancel(job);
            }
        }
    }

    @Test
    void aBatchLokiRejectsGoesToTheDlqAsLogsDataAndTheRestIsDelivered() throws Exception {
        try (LokiTestServer loki = LokiTestServer.start()) {
            loki.failNext(1, 400, null, "entry too far behind");
            Settings settings = settings("reject", Map.of("LOKI_URL", loki.pushUrl(), "EXPORT_BATCH_WAIT_MS", "200"));
            List<GeneratedTrace> traces = new TraceGenerator(6).traceSpacingMillis(10).generate(100);
            int expected = GeneratedTrace.allLogsWithUntraced(traces).size();
            JobID job = cluster.start(settings, new Configuration(), null);
            try {
                TelemetryProducer producer = new TelemetryProducer(kafka, 66);
                producer.spans("reject-spans", GeneratedTrace.allSpans(traces));
                producer.logsAsJson("reject-logs", GeneratedTrace.allLogsWithUntraced(traces));
                pushWatermarkPastEveryTrace(producer, "reject", traces);
                OtlpTestReceiver.await(() -> loki.requestCount() >= 2 && !loki.entries().isEmpty(), DEADLINE,
                        () -> "Loki answered the rejected push and took later ones");
                int rejected = loki.requests().get(0).entries().size();
                assertThat(rejected).isPositive();
                List<ConsumerRecord<byte[], byte[]>> dlq = kafka.consumeAll("reject-dlq", rejected, Duration.ofSeconds(60));
                assertThat(dlq).hasSize(rejected).allSatisfy(r -> {
                    assertThat(header(r, "dlq.sink")).isEqualTo("loki");
                    assertThat(header(r, "dlq.reason")).contains("400").contains("entry too far behind");
                    assertThat(LogsData.parseFrom(r.value()).getResourceLogs(0).getScopeLogs(0).getLogRecordsCount())
                            .isEqualTo(1);
                });
                loki.awaitEntries(expected + 1 - rejected, DEADLINE); // + the pusher's log
            } finally {
                cluster.cancel(job);
            }
        }
    }

    private static Set<String> distinctLokiKeys(LokiTestServer loki) {
        return SinkAssertions.distinctLokiKeys(loki.entries());
    }

    // ------------------------------------------------------------------------------------------

    /** Our metrics as Prometheus shows them, under the names docs/metrics.md lists. */
    private void assertMetricsExported(long spans, long deadLetters) throws Exception {
        String scraped = cluster.scrapeMetrics();
        List<String> documented = DocumentedMetrics.ours();
        assertThat(documented).hasSizeGreaterThan(10);
        for (String name : documented) {
            assertThat(scraped).as("exported metric " + name).containsPattern("(?m)^" + name + "\\{");
        }
        assertThat(DocumentedMetrics.sum(scraped, "flink_taskmanager_job_task_operator_correlation_kind_events",
                "kind=\"span\"")).isEqualTo(spans);
        assertThat(DocumentedMetrics.sum(scraped, "flink_taskmanager_job_task_operator_correlation_reason_dlq_records",
                "")).isEqualTo(deadLetters);
    }

    private void awaitSpansStored(StoredRecords stored, List<GeneratedTrace> traces, JobID job) throws Exception {
        stored.awaitSpans(traces, cluster, job, DEADLINE);
    }

    private void pushWatermarkPastEveryTrace(TelemetryProducer producer, String name, List<GeneratedTrace> traces)
            throws Exception {
        producer.pushWatermarkPast(name, traces);
    }

    private void assertAllRecordsExact(StoredRecords stored, List<GeneratedTrace> traces, JobID job)
            throws Exception {
        Map<String, String> expected = new HashMap<>();
        for (GeneratedTrace t : traces) {
            expected.put(t.traceId(), RecordCodec.toJson(ExpectedRecord.of(t.traceId(), t.spans(), t.logs(), SLACK_MS)));
        }
        Map<String, CorrelationRecord> actual = awaitRecords(stored, traces,
                r -> ExpectedRecord.comparable(r).equals(expected.get(r.traceId)), "every record closed and exact", job);
        for (GeneratedTrace t : traces) {
            assertThat(ExpectedRecord.comparable(actual.get(t.traceId()))).as("record of trace " + t.traceId())
                    .isEqualTo(expected.get(t.traceId()));
            assertThat(actual.get(t.traceId()).version).isGreaterThanOrEqualTo(2);
        }
    }

    private void assertIndexes(StoredRecords stored, List<GeneratedTrace> traces) {
        Map<String, CorrelationRecord> records = stored.byTrace(traces.stream().map(GeneratedTrace::traceId).toList());
        for (CorrelationRecord r : records.values()) {
            assertThat(stored.redis.zscore(RedisKeys.TIME_INDEX, r.correlationId))
                    .isEqualTo((double) RecordCodec.parseTime(r.firstSeen));
            for (String service : r.services) {
                assertThat(stored.redis.zscore(RedisKeys.service(service), r.correlationId)).as(service).isNotNull();
            }
            assertThat(stored.redis.zscore(RedisKeys.ERRORS_INDEX, r.correlationId) != null).isEqualTo(r.hasError);
            long ttl = stored.redis.ttl(RedisKeys.record(r.correlationId));
            assertThat(ttl).isBetween(1L, TTL_SECONDS);
            assertThat(stored.redis.ttl(RedisKeys.trace(r.traceId))).isBetween(1L, TTL_SECONDS);
        }
        for (String index : List.of(RedisKeys.TIME_INDEX, RedisKeys.ERRORS_INDEX, RedisKeys.service("gateway"))) {
            assertThat(stored.redis.ttl(index)).as("TTL of " + index).isBetween(1L, TTL_SECONDS);
        }
    }

    private Map<String, CorrelationRecord> awaitRecords(StoredRecords stored, List<GeneratedTrace> traces,
            Predicate<CorrelationRecord> done, String what, JobID job) throws Exception {
        return stored.await(traces, done, what, cluster, job, DEADLINE);
    }

    private void awaitFailedCheckpoint(JobID job) throws Exception {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                cluster.miniCluster.triggerCheckpoint(job).get();
            } catch (ExecutionException expected) {
                return; // a checkpoint could not complete: the Redis sink holds it while Redis is down
            }
        }
        throw new AssertionError("every checkpoint completed while Redis was down");
    }

    private static SpanEvent shortTraceIdSpan() {
        SpanEvent s = new SpanEvent();
        s.traceId = "0102030405060708"; // 8 bytes: malformed
        s.spanId = "0102030405060708";
        s.name = "bad";
        s.service = "bad";
        s.startTimeNanos = 1;
        s.endTimeNanos = 2;
        return s;
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
