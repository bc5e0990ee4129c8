package org.correlationstation.sql;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.correlationstation.core.model.LogEvent;
import org.correlationstation.core.model.SpanEvent;
import org.correlationstation.core.record.CorrelationIds;
import org.correlationstation.core.record.CorrelationRecord;
import org.correlationstation.core.record.RecordCodec;
import org.correlationstation.core.testdata.GeneratedTrace;
import org.correlationstation.core.testdata.OtlpMessages;
import org.correlationstation.core.testdata.TraceGenerator;
import org.correlationstation.core.testing.EmbeddedKafka;
import org.correlationstation.job.topics.NormalizedJson;
import org.correlationstation.job.topics.NormalizedLog;
import org.correlationstation.job.topics.NormalizedSpan;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Each analytics script, and the raw-OTLP tables, on the MiniCluster against the in-JVM broker, its result compared exactly with
 * the same figure computed in Java from the same input. The input is written to the topics the job would
 * write: normalised spans and logs of generated traces (several minutes of event time), and correlation
 * records with two versions per trace, the first one different (counts, errors, lateness), so that only
 * the latest may count.
 */
class SqlScriptsITCase {
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    private static EmbeddedKafka kafka;
    private static List<GeneratedTrace> traces;
    private static final Map<String, CorrelationRecord> latestRecords = new HashMap<>();

    @BeforeAll
    static void writeInput() throws Exception {
        kafka = EmbeddedKafka.start();
        for (String topic : List.of("normalized_spans", "normalized_logs", "correlations", "otlp_spans", "otlp_logs")) {
            kafka.createTopic(topic, 2);
        }
        // 400 traces 600 ms apart: four minutes of event time.
        traces = new TraceGenerator(9).traceSpacingMillis(600).generate(400);

        List<SpanEvent> spans = new ArrayList<>(GeneratedTrace.allSpans(traces));
        spans.sort(Comparator.comparingLong(s -> s.endTimeNanos));
        for (SpanEvent s : spans) kafka.produce("normalized_spans", key(s.traceId), NormalizedJson.toJson(NormalizedSpan.of(s)));
        List<LogEvent> logs = new ArrayList<>(GeneratedTrace.allLogsWithUntraced(traces));
        logs.sort(Comparator.comparingLong(l -> l.timeNanos));
        for (LogEvent l : logs) kafka.produce("normalized_logs", key(l.traceId), NormalizedJson.toJson(NormalizedLog.withoutJoin(l)));

        for (int i = 0; i < spans.size(); i += 50) {
            kafka.produce("otlp_spans", null, OtlpMessages.traces(spans.subList(i, Math.min(spans.size(), i + 50))).toByteArray());
        }
        for (int i = 0; i < logs.size(); i += 50) {
            kafka.produce("otlp_logs", null, OtlpMessages.logs(logs.subList(i, Math.min(logs.size(), i + 50))).toByteArray());
        }

        Random random = new Random(99);
        for (int i = 0; i < traces.size(); i++) {
            GeneratedTrace t = traces.get(i);
            CorrelationRecord last = record(t, i, random);
            CorrelationRecord first = RecordCodec.fromJson(RecordCodec.toJson(last));
            first.version = 1;
            first.status = CorrelationRecord.OPEN;
            first.durationMs = last.durationMs / 2;
            first.spanCount = 1;
            first.lateEvents = 0;
            first.hasError = !last.hasError;
            kafka.produce("correlations", key(t.traceId()), RecordCodec.toJsonBytes(first));
            kafka.produce("correlations", key(t.traceId()), RecordCodec.toJsonBytes(last));
            latestRecords.put(t.traceId(), last);
        }
    }

    @AfterAll
    static void stopKafka() throws Exception {
        if (kafka != null) kafka.close();
    }

    @Test
    void errorTracesPerServicePerMinute() throws Exception {
        Map<String, Set<String>> expected = new TreeMap<>();
        for (GeneratedTrace t : traces) {
            for (SpanEvent s : t.spans()) if (s.error) errorIn(expected, s.service, s.endMillis(), t.traceId());
            for (LogEvent l : t.logs()) if (l.isError()) errorIn(expected, l.service, l.eventTimeMillis(), t.traceId());
        }
        Map<String, Long> expectedCounts = new TreeMap<>();
        expected.forEach((k, v) -> expectedCounts.put(k, (long) v.size()));

        Map<String, Long> actual = new TreeMap<>();
        for (Map.Entry<JsonNode, JsonNode> e : run("error_traces_per_minute.sql", "error_traces_per_minute").entrySet()) {
            long start = LocalDateTime.parse(e.getKey().get("window_start").asText()).toInstant(ZoneOffset.UTC).toEpochMilli();
            long end = LocalDateTime.parse(e.getValue().get("window_end").asText()).toInstant(ZoneOffset.UTC).toEpochMilli();
            assertThat(end - start).isEqualTo(60_000);
            actual.put(e.getKey().get("service").asText() + "@" + start, e.getValue().get("error_traces").asLong());
        }
        assertThat(expectedCounts.keySet().stream().map(k -> k.substring(k.indexOf('@'))).distinct().count())
                .as("minutes with errors").isGreaterThanOrEqualTo(4);
        assertThat(actual).isEqualTo(expectedCounts);
    }

    @Test
    void fiveSlowestTracesPerService() throws Exception {
        Map<String, List<CorrelationRecord>> byService = new TreeMap<>();
        for (CorrelationRecord r : latestRecords.values()) byService.computeIfAbsent(r.service, k -> new ArrayList<>()).add(r);
        Map<String, String> expected = new TreeMap<>();
        byService.forEach((service, records) -> {
            records.sort(Comparator.comparingLong((CorrelationRecord r) -> -r.durationMs).thenComparing(r -> r.traceId));
            for (int i = 0; i < Math.min(5, records.size()); i++) {
                expected.put(service + "#" + (i + 1), records.get(i).traceId + "/" + records.get(i).durationMs);
            }
        });
        Map<String, String> actual = new TreeMap<>();
        for (Map.Entry<JsonNode, JsonNode> e : run("slowest_traces.sql", "slowest_traces").entrySet()) {
            actual.put(e.getKey().get("service").asText() + "#" + e.getKey().get("slowest").asLong(),
                    e.getValue().get("trace_id").asText() + "/" + e.getValue().get("duration_ms").asLong());
        }
        assertThat(byService).hasSizeGreaterThanOrEqualTo(3);
        assertThat(actual).isEqualTo(expected);
    }

    @Test
    void lateEventSharePerService() throws Exception {
        Map<String, long[]> sums = new TreeMap<>();
        for (CorrelationRecord r : latestRecords.values()) {
            long[] s = sums.computeIfAbsent(r.service, k -> new long[3]);
            s[0]++;
            s[1] += r.spanCount + r.logCount;
            s[2] += r.lateEvents;
        }
        Map<String, String> expected = new TreeMap<>();
        sums.forEach((service, s) -> expected.put(service, s[0] + "/" + s[1] + "/" + s[2] + "/" + ((double) s[2] / s[1])));
        Map<String, String> actual = new TreeMap<>();
        for (Map.Entry<JsonNode, JsonNode> e : run("late_event_share.sql", "late_event_share").entrySet()) {
            JsonNode v = e.getValue();
            actual.put(e.getKey().get("service").asText(), v.get("traces").asLong() + "/" + v.get("events").asLong() + "/"
                    + v.get("late_events").asLong() + "/" + v.get("late_share").asDouble());
        }
        assertThat(sums.values()).allSatisfy(s -> assertThat(s[2]).isPositive());
        assertThat(actual).isEqualTo(expected);
    }

    @Test
    void servicesThatCoOccurInFailingTraces() throws Exception {
        Map<String, Long> expected = new TreeMap<>();
        for (CorrelationRecord r : latestRecords.values()) {
            if (!r.hasError) continue;
            for (String a : r.services) {
                for (String b : r.services) if (a.compareTo(b) < 0) expected.merge(a + "+" + b, 1L, Long::sum);
            }
        }
        Map<String, Long> actual = new TreeMap<>();
        for (Map.Entry<JsonNode, JsonNode> e : run("failing_service_pairs.sql", "failing_service_pairs").entrySet()) {
            actual.put(e.getKey().get("service_a").asText() + "+" + e.getKey().get("service_b").asText(),
                    e.getValue().get("failing_traces").asLong());
        }
        assertThat(expected).hasSizeGreaterThanOrEqualTo(5);
        assertThat(actual).isEqualTo(expected);
    }

    @Test
    void rawOtlpTablesReadEverySpanAndLogThroughTheProtobufFormat() throws Exception {
        TableEnvironment env = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
        new SqlRunner("otlp_tables.sql").tables(null)
                .tableOption("*.properties.bootstrap.servers=" + kafka.bootstrapServers())
                .tableOption("*.scan.bounded.mode=latest-offset")
                .run(env);
        List<String> spans = collect(env, """
                SELECT TO_BASE64(s.trace_id), TO_BASE64(s.span_id), s.name, s.start_time_unix_nano,
                       s.end_time_unix_nano, s.`status`.code, ra.`value`.string_value
                FROM otlp_spans
                CROSS JOIN UNNEST(resource_spans) AS rs (resource, scope_spans)
                CROSS JOIN UNNEST(rs.resource.attributes) AS ra (key, `value`)
                CROSS JOIN UNNEST(rs.scope_spans) AS ss (`scope`, spans)
                CROSS JOIN UNNEST(ss.spans) AS s (trace_id, span_id, parent_span_id, name, kind, start_time_unix_nano,
                    end_time_unix_nano, attributes, `status`)
                WHERE ra.key = 'service.name'
                """);
        List<String> expectedSpans = new ArrayList<>();
        for (SpanEvent s : GeneratedTrace.allSpans(traces)) {
            expectedSpans.add(String.join("|", base64(s.traceId), base64(s.spanId), s.name, Long.toString(s.startTimeNanos),
                    Long.toString(s.endTimeNanos), s.error ? "STATUS_CODE_ERROR" : "null" /* no status message: a NULL row */, s.service));
        }
        assertThat(spans).containsExactlyInAnyOrderElementsOf(expectedSpans);

        List<String> logs = collect(env, """
                SELECT l.time_unix_nano, l.severity_number, l.body.string_value,
                       COALESCE(NULLIF(TO_BASE64(l.trace_id), ''), 'none')
                FROM otlp_logs
                CROSS JOIN UNNEST(resource_logs) AS rl (resource, scope_logs)
                CROSS JOIN UNNEST(rl.scope_logs) AS sl (`scope`, log_records)
                CROSS JOIN UNNEST(sl.log_records) AS l (time_unix_nano, observed_time_unix_nano, severity_number,
                    severity_text, body, attributes, trace_id, span_id)
                """);
        List<String> expectedLogs = new ArrayList<>();
        for (LogEvent l : GeneratedTrace.allLogsWithUntraced(traces)) {
            expectedLogs.add(String.join("|", Long.toString(l.timeNanos), Integer.toString(l.severityNumber), l.body,
                    l.traceId == null ? "none" : base64(l.traceId)));
        }
        assertThat(logs).containsExactlyInAnyOrderElementsOf(expectedLogs);
    }

    private static List<String> collect(TableEnvironment env, String query) throws Exception {
        List<String> out = new ArrayList<>();
        try (CloseableIterator<Row> rows = env.executeSql(query).collect()) {
            while (rows.hasNext()) {
                Row r = rows.next();
                List<String> fields = new ArrayList<>();
                for (int i = 0; i < r.getArity(); i++) fields.add(String.valueOf(r.getField(i)));
                out.add(String.join("|", fields));
            }
        }
        return out;
    }

    /** What {@code TO_BASE64(bytes)} gives for the hex id's bytes. */
    private static String base64(String hex) {
        return Base64.getEncoder().encodeToString(HexFormat.of().parseHex(hex));
    }

    /** Runs the script on bounded reads of the input topics and returns its result topic's latest rows. */
    private static Map<JsonNode, JsonNode> run(String script, String resultTopic) throws Exception {
        kafka.createTopic(resultTopic, 1);
        new SqlRunner(script)
                .tableOption("*.properties.bootstrap.servers=" + kafka.bootstrapServers())
                .tableOption("normalized_spans.scan.bounded.mode=latest-offset")
                .tableOption("normalized_logs.scan.bounded.mode=latest-offset")
                .tableOption("correlations.scan.bounded.mode=latest-offset")
                .await(true)
                .run(TableEnvironment.create(EnvironmentSettings.inStreamingMode()));
        Map<JsonNode, JsonNode> rows = new HashMap<>();
        for (Map.Entry<String, String> e : UpsertTopic.latest(kafka, resultTopic).entrySet()) {
            rows.put(JSON.readTree(e.getKey()), JSON.readTree(e.getValue()));
        }
        return rows;
    }

    private static void errorIn(Map<String, Set<String>> expected, String service, long timeMillis, String traceId) {
        expected.computeIfAbsent(service + "@" + (timeMillis - Math.floorMod(timeMillis, 60_000L)), k -> new HashSet<>()).add(traceId);
    }

    /** A final record of the trace, with a service, a duration and late events that vary between traces. */
    private static CorrelationRecord record(GeneratedTrace t, int index, Random random) {
        CorrelationRecord r = new CorrelationRecord();
        r.correlationId = CorrelationIds.forTrace(t.traceId());
        r.traceId = t.traceId();
        r.status = CorrelationRecord.CLOSED;
        r.version = 2;
        Set<String> services = new TreeSet<>();
        for (SpanEvent s : t.spans()) services.add(s.service);
        r.services = new ArrayList<>(services);
        r.service = TraceGenerator.SERVICES.get(index % 3);
        r.env = "test";
        r.spanCount = t.spans().size();
        r.logCount = t.logs().size();
        r.durationMs = (t.root().endTimeNanos - t.root().startTimeNanos) / 1_000_000L + random.nextInt(3);
        r.hasError = t.spans().stream().anyMatch(s -> s.error) || t.logs().stream().anyMatch(LogEvent::isError);
        r.lateEvents = random.nextInt(4) == 0 ? 1 + random.nextInt(3) : 0;
        r.firstSeen = RecordCodec.formatTime(t.root().startTimeNanos / 1_000_000L);
        r.lastSeen = RecordCodec.formatTime(t.root().endTimeNanos / 1_000_000L);
        r.updatedAt = r.lastSeen;
        return r;
    }

    private static byte[] key(String traceId) {
        return traceId == null ? null : traceId.getBytes(StandardCharsets.UTF_8);
    }
}
