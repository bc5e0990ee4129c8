package org.correlationstation.ingest.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.LogsData;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.TracesData;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.correlationstation.core.model.LogEvent;
import org.correlationstation.core.model.SpanEvent;
import org.correlationstation.core.otlp.OtlpDecoder;
import org.correlationstation.core.otlp.OtlpEncoding;
import org.correlationstation.core.testdata.GeneratedTrace;
import org.correlationstation.core.testdata.OtlpMessages;
import org.correlationstation.core.testdata.TraceGenerator;
import org.correlationstation.core.testing.EmbeddedKafka;
import org.correlationstation.ingest.IngestFixture;
import org.correlationstation.ingest.kafka.TracePartitioner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** OTLP/HTTP and the legacy routes against a real Kafka: status codes, bodies, and what lands in the topics. */
class OtlpHttpReceiverTest {
    private static final String SPANS = "http_spans";
    private static final String LOGS = "http_logs";
    private static final int PARTITIONS = 4;
    private static final int MAX_BODY = 64 * 1024;
    private static final String PROTOBUF = "application/x-protobuf";
    private static final String JSON = "application/json";
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final OtlpDecoder DECODER = new OtlpDecoder("test", Integer.MAX_VALUE);

    private static EmbeddedKafka kafka;
    private static IngestFixture ingest;

    @BeforeAll
    static void start() throws Exception {
        kafka = EmbeddedKafka.start();
        kafka.createTopic(SPANS, PARTITIONS);
        kafka.createTopic(LOGS, PARTITIONS);
        ingest = IngestFixture.start(kafka.bootstrapServers(), SPANS, LOGS,
                Map.of("OTLP_MAX_BODY_BYTES", Integer.toString(MAX_BODY)));
    }

    @AfterAll
    static void stop() throws Exception {
        if (ingest != null) ingest.close();
        if (kafka != null) kafka.close();
    }

    @Test
    void storesOneMessagePerTraceWithTheTraceIdAsKeyOnTheSamePartitionInBothTopics() throws Exception {
        List<GeneratedTrace> traces = new TraceGenerator(101).generate(12);
        List<SpanEvent> spans = GeneratedTrace.allSpans(traces);
        List<LogEvent> logs = GeneratedTrace.allLogsWithUntraced(traces);
        long spansBefore = IngestFixture.recordCount(kafka, SPANS);
        long logsBefore = IngestFixture.recordCount(kafka, LOGS);

        HttpResponse<byte[]> t = ingest.post("/v1/traces", PROTOBUF, OtlpMessages.traces(spans).toByteArray());
        assertThat(t.statusCode()).isEqualTo(200);
        assertThat(t.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith(PROTOBUF));
        assertThat(ExportTraceServiceResponse.parseFrom(t.body()).hasPartialSuccess()).isFalse();

        HttpResponse<byte[]> l = ingest.post("/v1/logs", JSON, OtlpMessages.toJson(OtlpMessages.logs(logs)));
        assertThat(l.statusCode()).isEqualTo(200);
        assertThat(l.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith(JSON));
        assertThat(MAPPER.readTree(l.body()).has("partialSuccess")).isFalse();

        // Acknowledged means stored: the records are there now, no waiting.
        assertThat(IngestFixture.recordCount(kafka, SPANS) - spansBefore).isEqualTo(traces.size());
        boolean untraced = logs.stream().anyMatch(x -> x.traceId == null);
        long tracesWithLogs = logs.stream().filter(x -> x.traceId != null).map(x -> x.traceId).distinct().count();
        assertThat(IngestFixture.recordCount(kafka, LOGS) - logsBefore).isEqualTo(tracesWithLogs + (untraced ? 1 : 0));

        Map<String, Integer> spanPartition = new HashMap<>();
        List<SpanEvent> storedSpans = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : kafka.consumeAll(SPANS, (int) (spansBefore + traces.size()), IngestFixture.TIMEOUT)) {
            List<SpanEvent> decoded = DECODER.decodeSpans(r.value(), OtlpEncoding.OTLP_PROTO);
            String key = new String(r.key(), StandardCharsets.UTF_8);
            if (traces.stream().noneMatch(tr -> tr.traceId().equals(key))) continue;
            assertThat(decoded).isNotEmpty().allSatisfy(s -> assertThat(s.traceId).isEqualTo(key));
            assertThat(spanPartition.put(key, r.partition())).as("one message per trace").isNull();
            assertThat(r.partition()).isEqualTo(TracePartitioner.partition(key, PARTITIONS, PARTITIONS));
            storedSpans.addAll(decoded);
        }
        assertThat(storedSpans).containsExactlyInAnyOrderElementsOf(spans);
        assertThat(spanPartition.values().stream().distinct().count()).as("traces spread over partitions").isGreaterThan(1);

        List<LogEvent> storedLogs = new ArrayList<>();
        int expectedLogs = (int) (logsBefore + tracesWithLogs + (untraced ? 1 : 0));
        for (ConsumerRecord<byte[], byte[]> r : kafka.consumeAll(LOGS, expectedLogs, IngestFixture.TIMEOUT)) {
            List<LogEvent> decoded = DECODER.decodeLogs(r.value(), OtlpEncoding.OTLP_PROTO, r.timestamp());
            if (decoded.stream().noneMatch(logs::contains)) continue;
            if (r.key() == null) {
                assertThat(decoded).allSatisfy(x -> assertThat(x.traceId).isNull());
            } else {
                String key = new String(r.key(), StandardCharsets.UTF_8);
                assertThat(decoded).allSatisfy(x -> assertThat(x.traceId).isEqualTo(key));
                assertThat(r.partition()).as("a trace's logs on its spans' partition").isEqualTo(spanPartition.get(key));
            }
            storedLogs.addAll(decoded);
        }
        assertThat(storedLogs).containsExactlyInAnyOrderElementsOf(logs);
    }

    @Test
    void refusesBadRequestsWithTheRightStatusAndWritesNothing() throws Exception {
        long spansBefore = IngestFixture.recordCount(kafka, SPANS);
        long logsBefore = IngestFixture.recordCount(kafka, LOGS);
        GeneratedTrace trace = new TraceGenerator(202).generate(1).get(0);
        byte[] traces = OtlpMessages.traces(trace.spans()).toByteArray();

        // content types and encodings
        assertStatus(ingest.post("/v1/traces", "text/plain", traces), 415, JSON, "Content-Type must be");
        assertStatus(ingest.post("/v1/traces", null, traces), 415, JSON, "Content-Type must be");
        assertStatus(ingest.post("/v1/traces", PROTOBUF, traces, "Content-Encoding", "br"), 415, PROTOBUF,
                "unsupported Content-Encoding");
        // undecodable bodies
        assertStatus(ingest.post("/v1/traces", PROTOBUF, Arrays.copyOf(traces, traces.length - 7)), 400, PROTOBUF,
                "malformed_proto");
        assertStatus(ingest.post("/v1/logs", JSON, "{\"resourceLogs\": [".getBytes(StandardCharsets.UTF_8)), 400, JSON,
                "malformed_json");
        assertStatus(ingest.post("/v1/logs", PROTOBUF, traces, "Content-Encoding", "gzip"), 400, PROTOBUF,
                "not valid gzip");
        // ids of a wrong length: the whole request is invalid, named
        Span shortTrace = OtlpMessages.span(trace.spans().get(0)).toBuilder()
                .setTraceId(ByteString.copyFrom(new byte[8])).build();
        TracesData badTrace = OtlpMessages.traces(trace.spans()).toBuilder().clear()
                .addResourceSpans(OtlpMessages.traces(trace.spans()).getResourceSpans(0).toBuilder()
                        .setScopeSpans(0, OtlpMessages.traces(trace.spans()).getResourceSpans(0).getScopeSpans(0)
                                .toBuilder().addSpans(shortTrace))).build();
        assertStatus(ingest.post("/v1/traces", PROTOBUF, badTrace.toByteArray()), 400, PROTOBUF,
                "invalid_trace_id: trace id has 8 bytes");
        LogRecord longSpan = OtlpMessages.logRecord(trace.logs().isEmpty() ? untracedLog() : trace.logs().get(0))
                .toBuilder().setSpanId(ByteString.copyFrom(new byte[12])).build();
        LogsData badLog = LogsData.newBuilder().addResourceLogs(io.opentelemetry.proto.logs.v1.ResourceLogs.newBuilder()
                .addScopeLogs(io.opentelemetry.proto.logs.v1.ScopeLogs.newBuilder().addLogRecords(longSpan))).build();
        assertStatus(ingest.post("/v1/logs", JSON, OtlpMessages.toJson(badLog)), 400, JSON,
                "invalid_span_id: span id has 12 bytes");
        assertStatus(ingest.post("/v1/logs", JSON,
                "{\"resourceLogs\":[{\"scopeLogs\":[{\"logRecords\":[{\"traceId\":\"xyz\"}]}]}]}"
                        .getBytes(StandardCharsets.UTF_8)), 400, JSON, "invalid_trace_id");
        // over the limit, on the wire and after decompression
        assertStatus(ingest.post("/v1/traces", PROTOBUF, new byte[MAX_BODY + 1]), 413, PROTOBUF, "OTLP_MAX_BODY_BYTES");
        byte[] bomb = gzip(new byte[20 * MAX_BODY]);
        assertThat(bomb.length).isLessThan(MAX_BODY / 10);
        assertStatus(ingest.post("/v1/traces", PROTOBUF, bomb, "Content-Encoding", "gzip"), 413, PROTOBUF,
                "decompresses to more than");
        // legacy route: the SPEC §6 error body
        HttpResponse<byte[]> legacy = ingest.post("/api/logs", JSON,
                "{\"records\":[{\"span_id\":\"123\"}]}".getBytes(StandardCharsets.UTF_8));
        assertThat(legacy.statusCode()).isEqualTo(400);
        JsonNode error = MAPPER.readTree(legacy.body()).get("error");
        assertThat(error.get("code").asText()).isEqualTo("invalid_argument");
        assertThat(error.get("message").asText()).contains("records[0].span_id");
        HttpResponse<byte[]> legacyType = ingest.post("/api/logs", "text/csv", "a,b".getBytes(StandardCharsets.UTF_8));
        assertThat(legacyType.statusCode()).isEqualTo(415);
        assertThat(MAPPER.readTree(legacyType.body()).at("/error/code").asText()).isEqualTo("unsupported_media_type");
        assertThat(ingest.post("/api/logs", JSON, new byte[MAX_BODY + 10]).statusCode()).isEqualTo(413);

        assertThat(IngestFixture.recordCount(kafka, SPANS)).isEqualTo(spansBefore);
        assertThat(IngestFixture.recordCount(kafka, LOGS)).isEqualTo(logsBefore);
        String metrics = ingest.get("/metrics").body();
        assertThat(metrics).contains("ingest_requests_total{route=\"/v1/traces\",status=\"413\"} 2.0")
                .contains("ingest_requests_total{route=\"/v1/traces\",status=\"415\"} 3.0");
    }

    @Test
    void acceptsLogsWithZeroOrEmptyTraceIdsAsUncorrelatedLogs() throws Exception {
        LogRecord zero = OtlpMessages.logRecord(untracedLog()).toBuilder()
                .setTraceId(ByteString.copyFrom(new byte[16])).setSpanId(ByteString.copyFrom(new byte[8]))
                .setBody(io.opentelemetry.proto.common.v1.AnyValue.newBuilder().setStringValue("zero-ids")).build();
        LogRecord empty = zero.toBuilder().clearTraceId().clearSpanId()
                .setBody(io.opentelemetry.proto.common.v1.AnyValue.newBuilder().setStringValue("no-ids")).build();
        LogsData data = LogsData.newBuilder().addResourceLogs(io.opentelemetry.proto.logs.v1.ResourceLogs.newBuilder()
                .addScopeLogs(io.opentelemetry.proto.logs.v1.ScopeLogs.newBuilder().addLogRecords(zero).addLogRecords(empty)))
                .build();
        long before = IngestFixture.recordCount(kafka, LOGS);

        HttpResponse<byte[]> r = ingest.post("/api/otlp/v1/logs", PROTOBUF, gzip(data.toByteArray()),
                "Content-Encoding", "gzip");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(ExportLogsServiceResponse.parseFrom(r.body()).hasPartialSuccess()).isFalse();
        assertThat(IngestFixture.recordCount(kafka, LOGS)).isEqualTo(before + 1);
        ConsumerRecord<byte[], byte[]> stored = last(kafka.consumeAll(LOGS, (int) before + 1, IngestFixture.TIMEOUT),
                "zero-ids");
        assertThat(stored.key()).isNull();
        assertThat(DECODER.decodeLogs(stored.value(), OtlpEncoding.OTLP_PROTO, 0))
                .extracting(x -> x.body, x -> x.traceId).containsExactly(
                        org.assertj.core.groups.Tuple.tuple("zero-ids", null),
                        org.assertj.core.groups.Tuple.tuple("no-ids", null));
    }

    @Test
    void rejectsOnlyTheSpansWithoutTraceIdAsPartialSuccess() throws Exception {
        GeneratedTrace trace = new TraceGenerator(303).generate(1).get(0);
        TracesData good = OtlpMessages.traces(trace.spans());
        Span untraced = OtlpMessages.span(trace.spans().get(0)).toBuilder().clearTraceId().setName("lost").build();
        Span unnamed = OtlpMessages.span(trace.spans().get(0)).toBuilder()
                .setSpanId(com.google.protobuf.ByteString.copyFrom(new byte[8])).setName("zero span id").build();
        TracesData mixed = good.toBuilder().setResourceSpans(0, good.getResourceSpans(0).toBuilder()
                .setScopeSpans(0, good.getResourceSpans(0).getScopeSpans(0).toBuilder().addSpans(untraced)
                        .addSpans(unnamed))).build();
        long before = IngestFixture.recordCount(kafka, SPANS);

        HttpResponse<byte[]> r = ingest.post("/api/otlp/v1/traces", JSON, OtlpMessages.toJson(mixed));

        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode partial = MAPPER.readTree(r.body()).get("partialSuccess");
        assertThat(partial.get("rejectedSpans").asLong()).isEqualTo(2);
        assertThat(partial.get("errorMessage").asText()).contains("without a trace id or span id");
        assertThat(IngestFixture.recordCount(kafka, SPANS)).isEqualTo(before + 1);
        ConsumerRecord<byte[], byte[]> stored = kafka.consumeAll(SPANS, (int) before + 1, IngestFixture.TIMEOUT).stream()
                .filter(x -> x.key() != null && new String(x.key(), StandardCharsets.UTF_8).equals(trace.traceId()))
                .findFirst().orElseThrow();
        assertThat(DECODER.decodeSpans(stored.value(), OtlpEncoding.OTLP_PROTO))
                .containsExactlyInAnyOrderElementsOf(trace.spans());
    }

    @Test
    void convertsTheLegacyBatchAndAnswers202OnceStored() throws Exception {
        long before = IngestFixture.recordCount(kafka, LOGS);
        String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";

        HttpResponse<byte[]> r = ingest.post("/api/logs", JSON, ("""
                {"resource": {"service": "checkout", "host": "web-1", "env": "prod"},
                 "records": [{"timestamp": "2026-11-22T10:00:00Z", "severity": "ERROR", "message": "payment failed",
                              "trace_id": "%s", "span_id": "00f067aa0ba902b7", "attributes": {"user": "42"}},
                             {"timestamp": "2026-11-22T10:00:01Z", "severity": "INFO", "message": "retry",
                              "trace_id": "%s"}]}
                """).formatted(traceId, traceId).getBytes(StandardCharsets.UTF_8));

        assertThat(r.statusCode()).isEqualTo(202);
        assertThat(MAPPER.readTree(r.body())).isEqualTo(MAPPER.readTree(
                "{\"status\":\"accepted\",\"count\":2,\"service\":\"checkout\"}"));
        assertThat(IngestFixture.recordCount(kafka, LOGS)).isEqualTo(before + 1);
        ConsumerRecord<byte[], byte[]> stored = last(kafka.consumeAll(LOGS, (int) before + 1, IngestFixture.TIMEOUT),
                "payment failed");
        assertThat(new String(stored.key(), StandardCharsets.UTF_8)).isEqualTo(traceId);
        assertThat(stored.partition()).isEqualTo(TracePartitioner.partition(traceId, PARTITIONS, PARTITIONS));
        List<LogEvent> logs = DECODER.decodeLogs(stored.value(), OtlpEncoding.OTLP_PROTO, 0);
        assertThat(logs).hasSize(2).allSatisfy(x -> {
            assertThat(x.traceId).isEqualTo(traceId);
            assertThat(x.service).isEqualTo("checkout");
            assertThat(x.env).isEqualTo("prod");
            assertThat(x.host).isEqualTo("web-1");
        });
        assertThat(logs.get(0).isError()).isTrue();
        assertThat(logs.get(0).spanId).isEqualTo("00f067aa0ba902b7");
        assertThat(logs.get(0).attributes).containsEntry("user", "42");
        assertThat(ingest.get("/metrics").body()).contains("ingest_records_total{signal=\"logs\"}");
    }

    @Test
    void servesHealthAndMetrics() throws Exception {
        assertThat(ingest.get("/health/live").body()).contains("alive");
        HttpResponse<String> ready = ingest.get("/health/ready");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(MAPPER.readTree(ready.body()).at("/checks/kafka").asText()).isEqualTo("ok");
        HttpResponse<String> get = ingest.get("/v1/traces");
        assertThat(get.statusCode()).isEqualTo(405);
        assertThat(get.headers().firstValue("Allow")).hasValue("POST");
        HttpResponse<String> metrics = ingest.get("/metrics");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("# TYPE ingest_requests_total counter")
                .contains("# TYPE ingest_records_total counter").contains("jvm_memory_used_bytes");
    }

    @Test
    void requiresTheTokenWhenOneIsSet() throws Exception {
        try (IngestFixture secured = IngestFixture.start(kafka.bootstrapServers(), SPANS, LOGS,
                Map.of("INGEST_TOKEN", "s3cret"))) {
            byte[] body = OtlpMessages.traces(new TraceGenerator(404).generate(1).get(0).spans()).toByteArray();
            long before = IngestFixture.recordCount(kafka, SPANS);

            assertStatus(secured.post("/v1/traces", PROTOBUF, body), 401, PROTOBUF, "bearer token");
            assertStatus(secured.post("/v1/traces", PROTOBUF, body, "Authorization", "Bearer wrong"), 401, PROTOBUF,
                    "bearer token");
            HttpResponse<byte[]> legacy = secured.post("/api/logs", JSON, "{\"records\":[]}".getBytes(StandardCharsets.UTF_8));
            assertThat(legacy.statusCode()).isEqualTo(401);
            assertThat(MAPPER.readTree(legacy.body()).at("/error/code").asText()).isEqualTo("unauthenticated");
            assertThat(IngestFixture.recordCount(kafka, SPANS)).isEqualTo(before);

            assertThat(secured.post("/v1/traces", PROTOBUF, body, "Authorization", "Bearer s3cret").statusCode())
                    .isEqualTo(200);
            assertThat(IngestFixture.recordCount(kafka, SPANS)).isEqualTo(before + 1);
        }
    }

    @Test
    void writesTheTopicsEncodingOtlpJson() throws Exception {
        kafka.createTopic("json_spans", 2);
        kafka.createTopic("json_logs", 2);
        try (IngestFixture json = IngestFixture.start(kafka.bootstrapServers(), "json_spans", "json_logs",
                Map.of("KAFKA_ENCODING", "otlp_json"))) {
            GeneratedTrace trace = new TraceGenerator(505).generate(1).get(0);
            assertThat(json.post("/v1/traces", PROTOBUF, OtlpMessages.traces(trace.spans()).toByteArray()).statusCode())
                    .isEqualTo(200);
            ConsumerRecord<byte[], byte[]> stored = kafka.consumeAll("json_spans", 1, IngestFixture.TIMEOUT).get(0);
            JsonNode tree = MAPPER.readTree(stored.value());
            assertThat(tree.at("/resourceSpans/0/scopeSpans/0/spans/0/traceId").asText()).isEqualTo(trace.traceId());
            assertThat(DECODER.decodeSpans(stored.value(), OtlpEncoding.OTLP_JSON))
                    .containsExactlyInAnyOrderElementsOf(trace.spans());
        }
    }

    @Test
    void storesATraceLargerThanKafkasMessageLimitAsSeveralMessagesOfTheSameKey() throws Exception {
        GeneratedTrace trace = new TraceGenerator(606).generate(1).get(0);
        Span template = OtlpMessages.span(trace.spans().get(0)).toBuilder()
                .addAttributes(OtlpMessages.attribute("payload", "x".repeat(600))).build();
        io.opentelemetry.proto.trace.v1.ScopeSpans.Builder scope = io.opentelemetry.proto.trace.v1.ScopeSpans.newBuilder();
        for (int i = 0; i < 3_000; i++) {
            scope.addSpans(template.toBuilder().setSpanId(ByteString.copyFrom(
                    java.nio.ByteBuffer.allocate(8).putLong(i + 1L).array())));
        }
        TracesData big = TracesData.newBuilder().addResourceSpans(
                io.opentelemetry.proto.trace.v1.ResourceSpans.newBuilder().addScopeSpans(scope)).build();
        assertThat(big.getSerializedSize()).isGreaterThan(3 * 512 * 1024);
        try (IngestFixture large = IngestFixture.start(kafka.bootstrapServers(), SPANS, LOGS, Map.of())) {
            long before = IngestFixture.recordCount(kafka, SPANS);

            assertThat(large.post("/v1/traces", PROTOBUF, big.toByteArray()).statusCode()).isEqualTo(200);

            int total = (int) IngestFixture.recordCount(kafka, SPANS);
            assertThat(total - before).isGreaterThan(1);
            List<ConsumerRecord<byte[], byte[]>> stored =
                    kafka.consumeAll(SPANS, total, IngestFixture.TIMEOUT).stream()
                            .filter(r -> r.key() != null && new String(r.key(), StandardCharsets.UTF_8).equals(trace.traceId()))
                            .toList();
            assertThat(stored.stream().map(ConsumerRecord::partition).distinct()).hasSize(1);
            List<String> spanIds = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> r : stored) {
                assertThat(r.value().length).isLessThan(1024 * 1024);
                DECODER.decodeSpans(r.value(), OtlpEncoding.OTLP_PROTO).forEach(x -> spanIds.add(x.spanId));
            }
            assertThat(spanIds).hasSize(3_000).doesNotHaveDuplicates();
        }
    }

    private static void assertStatus(HttpResponse<byte[]> r, int status, String contentType, String message)
            throws Exception {
        assertThat(r.statusCode()).as(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith(contentType));
        com.google.rpc.Status s;
        if (contentType.equals(PROTOBUF)) {
            s = com.google.rpc.Status.parseFrom(r.body());
        } else {
            com.google.rpc.Status.Builder b = com.google.rpc.Status.newBuilder();
            com.google.protobuf.util.JsonFormat.parser().merge(new String(r.body(), StandardCharsets.UTF_8), b);
            s = b.build();
        }
        assertThat(s.getMessage()).contains(message);
        assertThat(s.getCode()).isNotZero();
    }

    private static LogEvent untracedLog() {
        LogEvent e = new LogEvent();
        e.service = "svc";
        e.timeNanos = 1_000_000L;
        e.body = "x";
        return e;
    }

    private static ConsumerRecord<byte[], byte[]> last(List<ConsumerRecord<byte[], byte[]>> records, String body) {
        Map<String, ConsumerRecord<byte[], byte[]>> found = new LinkedHashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            if (new String(r.value(), StandardCharsets.ISO_8859_1).contains(body)) found.put(body, r);
        }
        assertThat(found).as("a record containing '" + body + "'").containsKey(body);
        return found.get(body);
    }

    static byte[] gzip(byte[] data) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }
}
