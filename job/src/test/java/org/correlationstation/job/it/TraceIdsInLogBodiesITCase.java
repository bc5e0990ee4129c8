package org.correlationstation.job.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.LogsData;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.correlationstation.connectors.testutil.LokiTestServer;
import org.correlationstation.core.config.Settings;
import org.correlationstation.core.model.LogEvent;
import org.correlationstation.core.record.CorrelationRecord;
import org.correlationstation.core.record.RecordCodec;
import org.correlationstation.core.testdata.GeneratedTrace;
import org.correlationstation.core.testdata.OtlpMessages;
import org.correlationstation.core.testdata.TraceGenerator;
import org.correlationstation.core.testing.EmbeddedKafka;
import org.correlationstation.core.testing.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 24 end to end: logs of legacy loggers, which print their trace id into the message instead of
 * setting OTLP trace context, reach the job through Kafka as a Collector writes them (OTLP/JSON) and are
 * correlated like any other: they count in their trace's record, join their span (the traceparent's, or
 * the inferred one), and reach Loki with the trace id and {@code trace_id_source=body}. Logs with real
 * trace context that mention another trace keep their own. Real parts: an in-JVM KRaft broker, a
 * MiniCluster with RocksDB, a real redis-server and the local Loki receiver.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TraceIdsInLogBodiesITCase {
    private static final String NAME = "bodyids";
    private static final long SLACK_MS = 1000;
    private static final Duration DEADLINE = Duration.ofMinutes(3);
    private static final int LOGS_PER_MESSAGE = 8;

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

    /** A log as produced (the wire form) and as the job must decode it. */
    private record Legacy(LogEvent wire, LogEvent decoded) {}

    @Test
    void logsWithTheirTraceIdInTheTextAreCorrelatedAndSentToLokiWithIt() throws Exception {
        List<GeneratedTrace> generated = new TraceGenerator(24).traceSpacingMillis(10).generate(200);
        List<Legacy> logs = new ArrayList<>();
        List<GeneratedTrace> expected = new ArrayList<>();
        for (int t = 0; t < generated.size(); t++) {
            GeneratedTrace trace = generated.get(t);
            String unrelatedTrace = generated.get((t + 1) % generated.size()).traceId();
            List<LogEvent> decoded = new ArrayList<>();
            for (LogEvent log : trace.logs()) {
                Legacy legacy = legacy(log, logs.size(), unrelatedTrace);
                logs.add(legacy);
                decoded.add(legacy.decoded());
            }
            for (LogEvent log : trace.untracedLogs()) logs.add(new Legacy(log, log));
            expected.add(new GeneratedTrace(trace.traceId(), trace.spans(), decoded, trace.untracedLogs()));
        }
        assertThat(logs.stream().filter(l -> l.decoded().traceIdSource != null).count()).as("logs with ids in text")
                .isGreaterThan(300);
        assertThat(logs.stream().filter(l -> l.decoded().traceIdSource != null && l.decoded().spanId != null).count())
                .as("of them with a traceparent").isGreaterThan(50);

        try (LokiTestServer loki = LokiTestServer.start()) {
            Settings settings = PipelineSettings.create(kafka, redisServer.uri(), tmp, NAME,
                    Map.of("LOKI_URL", loki.pushUrl(), "EXPORT_BATCH_WAIT_MS", "200"));
            JobID job = cluster.start(settings, new Configuration(), null);
            try (StoredRecords stored = new StoredRecords(redisServer.uri())) {
                TelemetryProducer producer = new TelemetryProducer(kafka, 24);
                producer.spans(NAME + "-spans", GeneratedTrace.allSpans(expected));
                // Spans first, so that every inferred join sees all its candidates (as in CorrelationPipelineITCase).
                stored.awaitSpans(expected, cluster, job, DEADLINE);
                produceLogs(logs);
                producer.pushWatermarkPast(NAME, expected);

                assertRecordsCountAndJoinTheLogs(stored, expected, job);

                int entries = logs.size() + 1; // + the watermark pusher's log
                List<LokiTestServer.Entry> received = loki.awaitEntries(entries, DEADLINE);
                assertThat(received).hasSize(entries);
                SinkAssertions.assertEveryLogInLoki(expected, received, SLACK_MS);
                Map<String, LokiTestServer.Entry> byKey = new HashMap<>();
                for (LokiTestServer.Entry e : received) {
                    byKey.put(SinkAssertions.lokiKey(e.metadata().get("trace_id"), e.timestampNanos(), e.line()), e);
                }
                for (Legacy log : logs) {
                    LokiTestServer.Entry e = byKey.get(SinkAssertions.lokiKey(log.decoded()));
                    if (log.decoded().traceIdSource != null) {
                        assertThat(e.metadata()).as(log.decoded().body).containsEntry("trace_id_source", "body");
                    } else {
                        assertThat(e.metadata()).as(log.decoded().body).doesNotContainKey("trace_id_source");
                    }
                }
            } finally {
                cluster.cancel(job);
            }
        }
    }

    /**
     * A generated log in one of four forms, in turn: with its real trace context and another trace's id
     * in its body (which must not count); with {@code trace_id=} in its body; with a {@code traceparent}
     * (its own span) in its body, or {@code trace_id: } when it has no span; with {@code "traceId":"…"}
     * in a string attribute. Bodies get the log's number, so that no two logs become duplicates once
     * their span ids are gone.
     */
    private static Legacy legacy(LogEvent log, int n, String unrelatedTrace) {
        LogEvent wire = copy(log);
        wire.body = log.body + " #" + n;
        switch (n % 4) {
            case 0 -> {
                wire.body += " (upstream trace_id=" + unrelatedTrace + ")";
                return new Legacy(wire, copy(wire));
            }
            case 1 -> wire.body += " trace_id=" + log.traceId.toUpperCase();
            case 2 -> wire.body = log.spanId != null
                    ? "traceparent=00-" + log.traceId + "-" + log.spanId + "-01 " + wire.body
                    : "trace_id: " + log.traceId + " " + wire.body;
            default -> wire.attributes.put("request.headers", "{\"traceId\":\"" + log.traceId + "\"}");
        }
        LogEvent decoded = copy(wire);
        decoded.traceId = log.traceId;
        decoded.spanId = n % 4 == 2 ? log.spanId : null;
        decoded.traceIdSource = LogEvent.TRACE_ID_FROM_BODY;
        wire.traceId = null;
        wire.spanId = null;
        return new Legacy(wire, decoded);
    }

    private static LogEvent copy(LogEvent l) {
        LogEvent c = new LogEvent();
        c.traceId = l.traceId;
        c.spanId = l.spanId;
        c.service = l.service;
        c.env = l.env;
        c.host = l.host;
        c.timeNanos = l.timeNanos;
        c.severityNumber = l.severityNumber;
        c.severityText = l.severityText;
        c.body = l.body;
        c.attributes = new HashMap<>(l.attributes);
        return c;
    }

    /** In time order, several traces' logs per OTLP/JSON message, attributes included, as a Collector writes them. */
    private void produceLogs(List<Legacy> logs) throws Exception {
        List<LogEvent> wire = new ArrayList<>(logs.stream().map(Legacy::wire).toList());
        wire.sort(Comparator.comparingLong(LogEvent::eventTimeMillis));
        for (int i = 0; i < wire.size(); i += LOGS_PER_MESSAGE) {
            List<LogEvent> chunk = wire.subList(i, Math.min(wire.size(), i + LOGS_PER_MESSAGE));
            kafka.produce(NAME + "-logs", null, OtlpMessages.toJson(withAttributes(OtlpMessages.logs(chunk), chunk)));
        }
    }

    /** OtlpMessages leaves attributes out; bodies are unique, so each record finds its log's by body. */
    private static LogsData withAttributes(LogsData data, List<LogEvent> logs) {
        Map<String, LogEvent> byBody = new HashMap<>();
        for (LogEvent l : logs) byBody.put(l.body, l);
        LogsData.Builder out = data.toBuilder();
        for (ResourceLogs.Builder rl : out.getResourceLogsBuilderList()) {
            for (ScopeLogs.Builder sl : rl.getScopeLogsBuilderList()) {
                for (LogRecord.Builder record : sl.getLogRecordsBuilderList()) {
                    byBody.get(record.getBody().getStringValue()).attributes
                            .forEach((k, v) -> record.addAttributes(OtlpMessages.attribute(k, v)));
                }
            }
        }
        return out.build();
    }

    /** Every record closed and exactly what the decoded logs make it: log_count, and links with their joins. */
    private void assertRecordsCountAndJoinTheLogs(StoredRecords stored, List<GeneratedTrace> traces, JobID job)
            throws Exception {
        Map<String, String> want = new HashMap<>();
        for (GeneratedTrace t : traces) {
            want.put(t.traceId(), RecordCodec.toJson(ExpectedRecord.of(t.traceId(), t.spans(), t.logs(), SLACK_MS)));
        }
        Map<String, CorrelationRecord> actual = stored.await(traces,
                r -> ExpectedRecord.comparable(r).equals(want.get(r.traceId)), "every record closed and exact",
                cluster, job, DEADLINE);
        for (GeneratedTrace t : traces) {
            CorrelationRecord r = actual.get(t.traceId());
            assertThat(ExpectedRecord.comparable(r)).as("record of trace " + t.traceId()).isEqualTo(want.get(t.traceId()));
            assertThat(r.logCount).isEqualTo(t.logs().size());
        }
    }
}
