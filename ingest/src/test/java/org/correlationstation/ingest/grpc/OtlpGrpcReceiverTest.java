package org.correlationstation.ingest.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.protobuf.ByteString;
import io.grpc.CallOptions;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.collector.logs.v1.LogsServiceGrpc;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import io.opentelemetry.proto.logs.v1.LogsData;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.TracesData;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.correlationstation.core.model.LogEvent;
import org.correlationstation.core.otlp.OtlpDecoder;
import org.correlationstation.core.otlp.OtlpEncoding;
import org.correlationstation.core.testdata.GeneratedTrace;
import org.correlationstation.core.testdata.OtlpMessages;
import org.correlationstation.core.testdata.TraceGenerator;
import org.correlationstation.core.testing.EmbeddedKafka;
import org.correlationstation.ingest.IngestFixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** OTLP/gRPC with grpc-java as the client against a real Kafka: OTLP status codes and what is stored. */
class OtlpGrpcReceiverTest {
    private static final String SPANS = "grpc_spans";
    private static final String LOGS = "grpc_logs";
    private static final int MAX_BODY = 64 * 1024;
    private static final OtlpDecoder DECODER = new OtlpDecoder("test", Integer.MAX_VALUE);

    private static EmbeddedKafka kafka;
    private static IngestFixture ingest;
    private static ManagedChannel channel;

    @BeforeAll
    static void start() throws Exception {
        kafka = EmbeddedKafka.start();
        kafka.createTopic(SPANS, 3);
        kafka.createTopic(LOGS, 3);
        ingest = IngestFixture.start(kafka.bootstrapServers(), SPANS, LOGS,
                Map.of("OTLP_MAX_BODY_BYTES", Integer.toString(MAX_BODY), "INGEST_TOKEN", "grpc-token"));
        channel = Grpc.newChannelBuilderForAddress("localhost", ingest.server.grpcPort(),
                InsecureChannelCredentials.create()).build();
    }

    @AfterAll
    static void stop() throws Exception {
        if (channel != null) channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        if (ingest != null) ingest.close();
        if (kafka != null) kafka.close();
    }

    @Test
    void exportsGzippedTracesAndLogsAndAnswersOnceStored() throws Exception {
        List<GeneratedTrace> traces = new TraceGenerator(606).generate(3);
        TracesData spans = OtlpMessages.traces(GeneratedTrace.allSpans(traces));
        List<LogEvent> logs = GeneratedTrace.allLogs(traces);
        long spansBefore = IngestFixture.recordCount(kafka, SPANS);
        double logsCounted = ingest.server.metrics().recordCount("logs");

        ExportTraceServiceResponse r = traceStub().withCompression("gzip")
                .export(ExportTraceServiceRequest.newBuilder().addAllResourceSpans(spans.getResourceSpansList()).build());
        ExportLogsServiceResponse l = LogsServiceGrpc.newBlockingStub(channel).withInterceptors(token("grpc-token"))
                .withCompression("gzip").export(ExportLogsServiceRequest.newBuilder()
                        .addAllResourceLogs(OtlpMessages.logs(logs).getResourceLogsList()).build());

        assertThat(r.hasPartialSuccess()).isFalse();
        assertThat(l.hasPartialSuccess()).isFalse();
        assertThat(IngestFixture.recordCount(kafka, SPANS)).isEqualTo(spansBefore + traces.size());
        List<ConsumerRecord<byte[], byte[]>> stored = kafka.consumeAll(SPANS, (int) spansBefore + traces.size(),
                IngestFixture.TIMEOUT);
        assertThat(stored.subList((int) spansBefore, stored.size()).stream()
                .map(x -> new String(x.key(), StandardCharsets.UTF_8)))
                .containsExactlyInAnyOrderElementsOf(traces.stream().map(GeneratedTrace::traceId).toList());
        assertThat(ingest.server.metrics().requestCount(OtlpGrpcReceiver.TRACE_ROUTE, "OK")).isPositive();
        assertThat(ingest.server.metrics().recordCount("logs") - logsCounted).isEqualTo(logs.size());
    }

    @Test
    void answersOtlpStatusCodesAndStoresNothingOnErrors() throws Exception {
        long spansBefore = IngestFixture.recordCount(kafka, SPANS);
        GeneratedTrace trace = new TraceGenerator(707).generate(1).get(0);
        byte[] valid = OtlpMessages.traces(trace.spans()).toByteArray();

        StatusRuntimeException truncated = catchThrowableOfType(StatusRuntimeException.class,
                () -> rawExport(Arrays.copyOf(valid, valid.length - 5), token("grpc-token")));
        assertThat(truncated.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(truncated.getStatus().getDescription()).startsWith("malformed_proto");

        Span wrong = OtlpMessages.span(trace.spans().get(0)).toBuilder().setSpanId(ByteString.copyFrom(new byte[5])).build();
        StatusRuntimeException wrongId = catchThrowableOfType(StatusRuntimeException.class, () -> traceStub().export(
                ExportTraceServiceRequest.newBuilder().addResourceSpans(io.opentelemetry.proto.trace.v1.ResourceSpans
                        .newBuilder().addScopeSpans(io.opentelemetry.proto.trace.v1.ScopeSpans.newBuilder()
                                .addSpans(wrong))).build()));
        assertThat(wrongId.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(wrongId.getStatus().getDescription()).contains("span id has 5 bytes");

        StatusRuntimeException tooLarge = catchThrowableOfType(StatusRuntimeException.class,
                () -> rawExport(new byte[MAX_BODY + 1], token("grpc-token")));
        assertThat(tooLarge.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        // A gzip bomb: small on the wire, over the limit once inflated (gRPC bounds the decompressed size).
        StatusRuntimeException bomb = catchThrowableOfType(StatusRuntimeException.class,
                () -> rawExport(new byte[20 * MAX_BODY], token("grpc-token"), CallOptions.DEFAULT.withCompression("gzip")));
        assertThat(bomb.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);

        StatusRuntimeException noToken = catchThrowableOfType(StatusRuntimeException.class,
                () -> TraceServiceGrpc.newBlockingStub(channel).export(ExportTraceServiceRequest.parseFrom(valid)));
        assertThat(noToken.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
        StatusRuntimeException wrongToken = catchThrowableOfType(StatusRuntimeException.class,
                () -> rawExport(valid, token("nope")));
        assertThat(wrongToken.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);

        assertThat(IngestFixture.recordCount(kafka, SPANS)).isEqualTo(spansBefore);
        assertThat(ingest.server.metrics().requestCount(OtlpGrpcReceiver.TRACE_ROUTE, "INVALID_ARGUMENT")).isEqualTo(2);
        assertThat(ingest.server.metrics().requestCount(OtlpGrpcReceiver.TRACE_ROUTE, "UNAUTHENTICATED")).isEqualTo(2);
    }

    @Test
    void reportsSpansWithoutTraceIdAsPartialSuccessAndAcceptsZeroIdLogs() throws Exception {
        GeneratedTrace trace = new TraceGenerator(808).generate(1).get(0);
        Span untraced = OtlpMessages.span(trace.spans().get(0)).toBuilder().setTraceId(ByteString.copyFrom(new byte[16]))
                .build();
        TracesData good = OtlpMessages.traces(trace.spans());
        ExportTraceServiceResponse r = traceStub().export(ExportTraceServiceRequest.newBuilder()
                .addAllResourceSpans(good.getResourceSpansList())
                .addResourceSpans(io.opentelemetry.proto.trace.v1.ResourceSpans.newBuilder()
                        .addScopeSpans(io.opentelemetry.proto.trace.v1.ScopeSpans.newBuilder().addSpans(untraced)))
                .build());
        assertThat(r.getPartialSuccess().getRejectedSpans()).isEqualTo(1);
        assertThat(r.getPartialSuccess().getErrorMessage()).contains("without a trace id");

        long logsBefore = IngestFixture.recordCount(kafka, LOGS);
        LogsData zero = OtlpMessages.logs(trace.untracedLogs().isEmpty() ? List.of(plainLog()) : trace.untracedLogs());
        ExportLogsServiceResponse l = LogsServiceGrpc.newBlockingStub(channel).withInterceptors(token("grpc-token"))
                .export(ExportLogsServiceRequest.newBuilder().addAllResourceLogs(zero.getResourceLogsList()).build());
        assertThat(l.hasPartialSuccess()).isFalse();
        assertThat(IngestFixture.recordCount(kafka, LOGS)).isEqualTo(logsBefore + 1);
        ConsumerRecord<byte[], byte[]> stored = kafka.consumeAll(LOGS, (int) logsBefore + 1, IngestFixture.TIMEOUT)
                .get((int) logsBefore);
        assertThat(stored.key()).isNull();
        assertThat(DECODER.decodeLogs(stored.value(), OtlpEncoding.OTLP_PROTO, 0))
                .allSatisfy(x -> assertThat(x.traceId).isNull()).isNotEmpty();
    }

    private static LogEvent plainLog() {
        LogEvent e = new LogEvent();
        e.service = "svc";
        e.timeNanos = 5_000_000L;
        e.body = "no trace";
        return e;
    }

    private static TraceServiceGrpc.TraceServiceBlockingStub traceStub() {
        return TraceServiceGrpc.newBlockingStub(channel).withInterceptors(token("grpc-token"));
    }

    private static io.grpc.ClientInterceptor token(String token) {
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        return MetadataUtils.newAttachHeadersInterceptor(headers);
    }

    /** Sends bytes as they are (a truncated message, say) to TraceService/Export. */
    private static byte[] rawExport(byte[] request, io.grpc.ClientInterceptor auth) {
        return rawExport(request, auth, CallOptions.DEFAULT);
    }

    private static byte[] rawExport(byte[] request, io.grpc.ClientInterceptor auth, CallOptions options) {
        MethodDescriptor<byte[], byte[]> method = TraceServiceGrpc.getExportMethod().toBuilder(RAW, RAW).build();
        io.grpc.Channel intercepted = io.grpc.ClientInterceptors.intercept(channel, auth);
        return ClientCalls.blockingUnaryCall(intercepted, method, options, request);
    }

    private static final MethodDescriptor.Marshaller<byte[]> RAW = OtlpGrpcReceiver.BytesMarshaller.INSTANCE;
}
