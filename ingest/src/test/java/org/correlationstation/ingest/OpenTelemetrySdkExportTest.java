package org.correlationstation.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.logs.Logger;
import io.opentelemetry.api.logs.Severity;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.exporter.otlp.http.logs.OtlpHttpLogRecordExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.logs.OtlpGrpcLogRecordExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.logs.export.BatchLogRecordProcessor;
import io.opentelemetry.sdk.logs.export.LogRecordExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.correlationstation.core.model.LogEvent;
import org.correlationstation.core.model.SpanEvent;
import org.correlationstation.core.otlp.OtlpDecoder;
import org.correlationstation.core.otlp.OtlpEncoding;
import org.correlationstation.core.testing.EmbeddedKafka;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The real OpenTelemetry Java SDK as the client, with its OTLP/gRPC and OTLP/HTTP (protobuf)
 * exporters: every span and every log (with the span context it was emitted in, or none) arrives in
 * Kafka with its ids, keyed and partitioned by trace.
 */
class OpenTelemetrySdkExportTest {
    private static final String SPANS = "sdk_spans";
    private static final String LOGS = "sdk_logs";
    private static final int PARTITIONS = 3;
    private static final String TOKEN = "sdk-token";
    private static final OtlpDecoder DECODER = new OtlpDecoder("test", Integer.MAX_VALUE);

    private static EmbeddedKafka kafka;
    private static IngestFixture ingest;

    @BeforeAll
    static void start() throws Exception {
        kafka = EmbeddedKafka.start();
        kafka.createTopic(SPANS, PARTITIONS);
        kafka.createTopic(LOGS, PARTITIONS);
        ingest = IngestFixture.start(kafka.bootstrapServers(), SPANS, LOGS, Map.of("INGEST_TOKEN", TOKEN));
    }

    @AfterAll
    static void stop() throws Exception {
        if (ingest != null) ingest.close();
        if (kafka != null) kafka.close();
    }

    private record ExpectedLog(String body, String traceId, String spanId) {}

    @ParameterizedTest
    @ValueSource(strings = {"grpc", "http/protobuf"})
    void everySpanAndLogArrivesWithItsIds(String protocol) throws Exception {
        String service = "sdk-" + protocol.replace('/', '-');
        SpanExporter spanExporter;
        LogRecordExporter logExporter;
        if (protocol.equals("grpc")) {
            String endpoint = "http://localhost:" + ingest.server.grpcPort();
            spanExporter = OtlpGrpcSpanExporter.builder().setEndpoint(endpoint).setCompression("gzip")
                    .addHeader("Authorization", "Bearer " + TOKEN).build();
            logExporter = OtlpGrpcLogRecordExporter.builder().setEndpoint(endpoint).setCompression("gzip")
                    .addHeader("Authorization", "Bearer " + TOKEN).build();
        } else {
            String base = "http://localhost:" + ingest.server.httpPort();
            spanExporter = OtlpHttpSpanExporter.builder().setEndpoint(base + "/v1/traces")
                    .addHeader("Authorization", "Bearer " + TOKEN).build();
            logExporter = OtlpHttpLogRecordExporter.builder().setEndpoint(base + "/v1/logs").setCompression("gzip")
                    .addHeader("Authorization", "Bearer " + TOKEN).build();
        }
        Resource resource = Resource.getDefault().merge(Resource.create(Attributes.of(
                AttributeKey.stringKey("service.name"), service,
                AttributeKey.stringKey("deployment.environment.name"), "e2e")));
        SdkTracerProvider tracerProvider = SdkTracerProvider.builder().setResource(resource)
                .addSpanProcessor(BatchSpanProcessor.builder(spanExporter).build()).build();
        SdkLoggerProvider loggerProvider = SdkLoggerProvider.builder().setResource(resource)
                .addLogRecordProcessor(BatchLogRecordProcessor.builder(logExporter).build()).build();
        long spansBefore = IngestFixture.recordCount(kafka, SPANS);
        long logsBefore = IngestFixture.recordCount(kafka, LOGS);

        Map<String, String> expectedSpans = new HashMap<>(); // span id → trace id
        List<ExpectedLog> expectedLogs = new ArrayList<>();
        Tracer tracer = tracerProvider.get("ingest-test");
        Logger logger = loggerProvider.get("ingest-test");
        for (int t = 0; t < 6; t++) {
            Span root = tracer.spanBuilder("GET /order/" + t).startSpan();
            try (Scope ignored = root.makeCurrent()) {
                emit(logger, protocol + " root " + t, expectedLogs);
                for (int c = 0; c < 2; c++) {
                    Span child = tracer.spanBuilder("charge " + c).startSpan();
                    try (Scope alsoIgnored = child.makeCurrent()) {
                        emit(logger, protocol + " child " + t + "." + c, expectedLogs);
                    } finally {
                        child.end();
                    }
                    expectedSpans.put(child.getSpanContext().getSpanId(), child.getSpanContext().getTraceId());
                }
            } finally {
                root.end();
            }
            expectedSpans.put(root.getSpanContext().getSpanId(), root.getSpanContext().getTraceId());
        }
        emit(logger, protocol + " outside any span", expectedLogs);

        assertFlushed(tracerProvider.forceFlush());
        assertFlushed(loggerProvider.forceFlush());
        tracerProvider.shutdown().join(10, TimeUnit.SECONDS);
        loggerProvider.shutdown().join(10, TimeUnit.SECONDS);

        // Exported = acknowledged = stored: what is in the topics now is all there will be.
        int spanRecords = (int) IngestFixture.recordCount(kafka, SPANS);
        int logRecords = (int) IngestFixture.recordCount(kafka, LOGS);
        assertThat(spanRecords).isGreaterThan((int) spansBefore);
        assertThat(logRecords).isGreaterThan((int) logsBefore);

        Map<String, String> storedSpans = new HashMap<>();
        Map<String, Integer> partitionOfTrace = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : kafka.consumeAll(SPANS, spanRecords, IngestFixture.TIMEOUT)) {
            List<SpanEvent> spans = DECODER.decodeSpans(r.value(), OtlpEncoding.OTLP_PROTO);
            if (spans.stream().noneMatch(s -> s.service.equals(service))) continue;
            String key = new String(r.key(), StandardCharsets.UTF_8);
            for (SpanEvent s : spans) {
                assertThat(s.traceId).isEqualTo(key);
                assertThat(s.env).isEqualTo("e2e");
                assertThat(storedSpans.put(s.spanId, s.traceId)).as("span %s stored once", s.spanId).isNull();
            }
            partitionOfTrace.put(key, r.partition());
        }
        assertThat(storedSpans).isEqualTo(expectedSpans);

        List<ExpectedLog> storedLogs = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : kafka.consumeAll(LOGS, logRecords, IngestFixture.TIMEOUT)) {
            List<LogEvent> logs = DECODER.decodeLogs(r.value(), OtlpEncoding.OTLP_PROTO, r.timestamp());
            if (logs.stream().noneMatch(l -> l.service.equals(service))) continue;
            for (LogEvent l : logs) {
                storedLogs.add(new ExpectedLog(l.body, l.traceId, l.spanId));
                if (l.traceId == null) {
                    assertThat(r.key()).isNull();
                } else {
                    assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(l.traceId);
                    assertThat(r.partition()).as("logs of a trace on its spans' partition")
                            .isEqualTo(partitionOfTrace.get(l.traceId));
                }
            }
        }
        assertThat(storedLogs).containsExactlyInAnyOrderElementsOf(expectedLogs);
        assertThat(expectedLogs).filteredOn(l -> l.traceId() == null).hasSize(1);
    }

    private static void emit(Logger logger, String body, List<ExpectedLog> expected) {
        Span current = Span.current();
        logger.logRecordBuilder().setContext(Context.current()).setSeverity(Severity.INFO).setSeverityText("INFO")
                .setBody(body).emit();
        boolean inSpan = current.getSpanContext().isValid();
        expected.add(new ExpectedLog(body, inSpan ? current.getSpanContext().getTraceId() : null,
                inSpan ? current.getSpanContext().getSpanId() : null));
    }

    private static void assertFlushed(CompletableResultCode result) {
        assertThat(result.join(20, TimeUnit.SECONDS).isSuccess()).as("the exporter's flush succeeded").isTrue();
    }
}
