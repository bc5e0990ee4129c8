package org.correlationstation.sql;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.correlationstation.core.config.Settings;
import org.correlationstation.core.model.LogEvent;
import org.correlationstation.core.model.SpanEvent;
import org.correlationstation.core.testdata.GeneratedTrace;
import org.correlationstation.core.testdata.OtlpMessages;
import org.correlationstation.core.testdata.TraceGenerator;
import org.correlationstation.core.testing.EmbeddedKafka;
import org.correlationstation.job.CorrelationPipeline;
import org.correlationstation.job.JobEnvironment;
import org.correlationstation.job.topics.NormalizedJson;
import org.correlationstation.job.topics.NormalizedLog;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two implementations of SPEC §3's join that must agree: the DataStream job's decisions (on the
 * normalised-logs topic it writes) and {@code log_span_join.sql} run on the job's normalised topics.
 * Real parts: an in-JVM KRaft broker, the real pipeline on a MiniCluster, the SQL script through
 * {@link SqlRunner}. Spans go in first, so that the job knows every span when it decides (as the SQL
 * join, in event time, does); there is no late data.
 */
class LogSpanJoinCrossCheckITCase {
    private static final int TRACES = 400;
    private static final String PUSHER_TRACE = "ffffffffffffffffffffffffffffffff";
    private static final Duration DEADLINE = Duration.ofMinutes(3);
    private static final String UNKNOWN_SPAN = "0123456789abcdef";
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(4).build());

    private static EmbeddedKafka kafka;
    @TempDir static Path tmp;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = EmbeddedKafka.start();
    }

    @AfterAll
    static void stopKafka() throws Exception {
        if (kafka != null) kafka.close();
    }

    @Test
    void theSqlJoinDecidesEveryLogAsTheJobDoes() throws Exception {
        List<GeneratedTrace> traces = new TraceGenerator(7).traceSpacingMillis(10).generate(TRACES);
        for (String topic : List.of("otlp_spans", "otlp_logs", "otlp_dlq", "normalized_spans", "normalized_logs",
                "correlations", "log_span_pairs")) {
            kafka.createTopic(topic, 2);
        }
        Settings settings = Settings.from(Map.ofEntries(
                Map.entry("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers()),
                Map.entry("KAFKA_LOGS_ENCODING", "otlp_json"),
                Map.entry("KAFKA_GROUP_ID", "cross-check"),
                Map.entry("KAFKA_NORMALIZED_SPANS_TOPIC", "normalized_spans"),
                Map.entry("KAFKA_NORMALIZED_LOGS_TOPIC", "normalized_logs"),
                Map.entry("KAFKA_CORRELATIONS_TOPIC", "correlations"),
                Map.entry("CHECKPOINT_DIR", tmp.resolve("checkpoints").toUri().toString()),
                Map.entry("CHECKPOINT_INTERVAL_MS", "500"),
                Map.entry("PARALLELISM", "2"),
                Map.entry("MAX_OUT_OF_ORDERNESS_MS", "2000"),
                Map.entry("SOURCE_IDLE_TIMEOUT_MS", "1000"),
                Map.entry("CORR_WINDOW_SECONDS", "600")), new String[0]);
        // A failure fails the test with its cause instead of restarting in a loop.
        Configuration conf = JobEnvironment.configuration(settings, false);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = JobEnvironment.create(conf, settings);
        CorrelationPipeline.build(env, settings);
        JobClient job = env.executeAsync("cross-check");
        List<SpanEvent> spans = new ArrayList<>(GeneratedTrace.allSpans(traces));
        List<LogEvent> logs = new ArrayList<>(GeneratedTrace.allLogsWithUntraced(traces));
        logs.addAll(orphans(traces.get(0)));
        spans.add(pusherSpan(spans));
        logs.add(pusherLog(spans.get(spans.size() - 1)));
        try {
            produce("otlp_spans", spans.subList(0, spans.size() - 1), SpanEvent::eventTimeMillis,
                    chunk -> OtlpMessages.traces(chunk).toByteArray());
            awaitCommitted("normalized_spans", spans.size() - 1, job);
            produce("otlp_logs", logs.subList(0, logs.size() - 1), LogEvent::eventTimeMillis,
                    chunk -> OtlpMessages.toJson(OtlpMessages.logs(chunk)));
            // The pusher moves the job's watermark past every log's join wait.
            produce("otlp_spans", spans.subList(spans.size() - 1, spans.size()), SpanEvent::eventTimeMillis,
                    chunk -> OtlpMessages.traces(chunk).toByteArray());
            produce("otlp_logs", logs.subList(logs.size() - 1, logs.size()), LogEvent::eventTimeMillis,
                    chunk -> OtlpMessages.toJson(OtlpMessages.logs(chunk)));
            awaitCommitted("normalized_logs", distinctLogs(logs), job);
        } finally {
            if (!job.getJobStatus().get().isGloballyTerminalState()) job.cancel().get();
        }

        // The job's decisions, per traced log.
        Map<String, String> decided = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : UpsertTopic.readCommitted(kafka, "normalized_logs")) {
            NormalizedLog log = NormalizedJson.fromJson(r.value(), NormalizedLog.class);
            if (log.traceId == null) continue;
            assertThat(decided.put(log.traceId + "/" + log.logId, pair(log.joinedSpanId, log.joinedSpanName, log.inferred)))
                    .as("one decision per log").isNull();
        }

        TableEnvironment tableEnv = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
        new SqlRunner("log_span_join.sql")
                .tableOption("*.properties.bootstrap.servers=" + kafka.bootstrapServers())
                .tableOption("normalized_spans.scan.bounded.mode=latest-offset")
                .tableOption("normalized_logs.scan.bounded.mode=latest-offset")
                .await(true)
                .run(tableEnv);

        Map<String, String> joinedInSql = new HashMap<>();
        for (Map.Entry<String, String> e : UpsertTopic.latest(kafka, "log_span_pairs").entrySet()) {
            JsonNode key = JSON.readTree(e.getKey());
            JsonNode value = JSON.readTree(e.getValue());
            joinedInSql.put(key.get("trace_id").asText() + "/" + key.get("log_id").asText(),
                    pair(text(value, "span_id"), text(value, "span_name"), value.get("inferred").asBoolean()));
        }
        long inferred = decided.values().stream().filter(v -> v.endsWith("|true")).count();
        long unjoined = decided.values().stream().filter(v -> v.startsWith("null|")).count();
        System.out.printf("cross-check: %d traced logs, %d inferred, %d unjoined%n", decided.size(), inferred, unjoined);
        assertThat(inferred).as("inferred joins in the input").isGreaterThan(100);
        assertThat(unjoined).as("the orphan without a candidate span").isEqualTo(1);
        assertThat(decided).containsValue(pair(UNKNOWN_SPAN, null, false));
        assertThat(decided).hasSize(distinctLogs(logs) - GeneratedTrace.allUntracedLogs(traces).size());
        assertThat(joinedInSql).isEqualTo(decided);
    }

    private static String pair(String spanId, String spanName, boolean inferred) {
        return spanId + "|" + spanName + "|" + inferred;
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    /** The job forwards a duplicate log (same trace, time, span id and body) once. */
    private static int distinctLogs(List<LogEvent> logs) {
        Set<String> keys = new HashSet<>();
        int untraced = 0;
        for (LogEvent l : logs) {
            if (l.traceId == null) untraced++;
            else keys.add(l.traceId + "|" + l.timeNanos + "|" + l.spanId + "|" + l.body);
        }
        return keys.size() + untraced;
    }

    private static <E> void produce(String topic, List<E> events, Function<E, Long> time, Function<List<E>, byte[]> encode)
            throws Exception {
        List<E> sorted = new ArrayList<>(events);
        sorted.sort(Comparator.comparing(time));
        for (int i = 0; i < sorted.size(); i += 8) {
            kafka.produce(topic, null, encode.apply(sorted.subList(i, Math.min(sorted.size(), i + 8))));
        }
    }

    private static void awaitCommitted(String topic, int count, JobClient job) throws Exception {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        int seen = 0;
        while (System.nanoTime() < deadline) {
            seen = UpsertTopic.readCommitted(kafka, topic).size();
            if (seen >= count) {
                assertThat(seen).as("records committed to " + topic).isEqualTo(count);
                return;
            }
            if (job.getJobStatus().get().isGloballyTerminalState()) {
                job.getJobExecutionResult().get(); // throws the job's failure
                throw new AssertionError("job ended: " + job.getJobStatus().get());
            }
            Thread.sleep(200);
        }
        throw new AssertionError(seen + " of " + count + " records committed to " + topic + "; job " + job.getJobStatus().get());
    }

    /**
     * Two logs of a real trace that join nothing known: one without span id and without a candidate (a
     * service with no span), one with the id of a span that never arrives (joined by id, no name).
     */
    private static List<LogEvent> orphans(GeneratedTrace trace) {
        SpanEvent root = trace.root();
        LogEvent noCandidate = new LogEvent();
        noCandidate.traceId = trace.traceId();
        noCandidate.service = "no-such-service";
        noCandidate.env = "test";
        noCandidate.timeNanos = root.startTimeNanos + 1_000;
        noCandidate.body = "no candidate";
        LogEvent unknownSpan = new LogEvent();
        unknownSpan.traceId = trace.traceId();
        unknownSpan.spanId = UNKNOWN_SPAN;
        unknownSpan.service = root.service;
        unknownSpan.env = "test";
        unknownSpan.timeNanos = root.startTimeNanos + 2_000;
        unknownSpan.body = "unknown span";
        return List.of(noCandidate, unknownSpan);
    }

    private static SpanEvent pusherSpan(List<SpanEvent> spans) {
        long last = spans.stream().mapToLong(SpanEvent::endMillis).max().orElseThrow();
        SpanEvent span = new SpanEvent();
        span.traceId = PUSHER_TRACE;
        span.spanId = "ffffffffffffffff";
        span.name = "watermark";
        span.service = "pusher";
        span.env = "test";
        span.startTimeNanos = (last + Duration.ofMinutes(30).toMillis()) * 1_000_000L;
        span.endTimeNanos = span.startTimeNanos;
        return span;
    }

    /** Without span id: both joins infer the pusher span. */
    private static LogEvent pusherLog(SpanEvent span) {
        LogEvent log = new LogEvent();
        log.traceId = PUSHER_TRACE;
        log.service = "pusher";
        log.env = "test";
        log.timeNanos = span.endTimeNanos;
        log.body = "watermark";
        return log;
    }

}
