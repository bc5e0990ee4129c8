package org.correlationstation.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.rpc.RetryInfo;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import io.opentelemetry.proto.trace.v1.TracesData;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.correlationstation.core.model.SpanEvent;
import org.correlationstation.core.otlp.OtlpDecoder;
import org.correlationstation.core.otlp.OtlpEncoding;
import org.correlationstation.core.testdata.GeneratedTrace;
import org.correlationstation.core.testdata.OtlpMessages;
import org.correlationstation.core.testdata.TraceGenerator;
import org.correlationstation.core.testing.EmbeddedKafka;
import org.junit.jupiter.api.Test;

/**
 * Nothing is acknowledged that Kafka did not store: without Kafka every receiver answers "retry later"
 * (HTTP 503 + Retry-After, gRPC UNAVAILABLE + RetryInfo) within the producer's bounded timeouts, and
 * readiness is 503.
 */
class KafkaUnavailableTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Test
    void answersRetryLaterWhenNoBrokerIsReachable() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        GeneratedTrace trace = new TraceGenerator(909).generate(1).get(0);
        TracesData spans = OtlpMessages.traces(trace.spans());
        try (IngestFixture ingest = IngestFixture.start("localhost:" + closedPort, "spans", "logs", Map.of())) {
            HttpResponse<byte[]> traces = ingest.post("/v1/traces", "application/x-protobuf", spans.toByteArray());
            assertThat(traces.statusCode()).isEqualTo(503);
            assertThat(traces.headers().firstValue("Retry-After")).hasValue("5");
            com.google.rpc.Status status = com.google.rpc.Status.parseFrom(traces.body());
            assertThat(status.getCode()).isEqualTo(com.google.rpc.Code.UNAVAILABLE_VALUE);
            assertThat(status.getMessage()).contains("nothing was accepted");

            HttpResponse<byte[]> logs = ingest.post("/v1/logs", "application/json",
                    OtlpMessages.toJson(OtlpMessages.logs(GeneratedTrace.allLogsWithUntraced(List.of(trace)))));
            assertThat(logs.statusCode()).isEqualTo(503);
            assertThat(logs.headers().firstValue("Retry-After")).isPresent();

            HttpResponse<byte[]> legacy = ingest.post("/api/logs", "application/json",
                    "{\"records\":[{\"message\":\"m\"}]}".getBytes(StandardCharsets.UTF_8));
            assertThat(legacy.statusCode()).isEqualTo(503);
            assertThat(legacy.headers().firstValue("Retry-After")).isPresent();
            assertThat(MAPPER.readTree(legacy.body()).at("/error/code").asText()).isEqualTo("unavailable");

            ManagedChannel channel = Grpc.newChannelBuilderForAddress("localhost", ingest.server.grpcPort(),
                    InsecureChannelCredentials.create()).build();
            try {
                StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class,
                        () -> TraceServiceGrpc.newBlockingStub(channel).export(
                                ExportTraceServiceRequest.newBuilder().addAllResourceSpans(spans.getResourceSpansList()).build()));
                assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
                com.google.rpc.Status details = StatusProto.fromThrowable(e);
                assertThat(details).isNotNull();
                assertThat(details.getDetailsList()).anySatisfy(any -> {
                    assertThat(any.is(RetryInfo.class)).isTrue();
                    assertThat(any.unpack(RetryInfo.class).getRetryDelay().getSeconds()).isPositive();
                });
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }

            HttpResponse<String> ready = ingest.get("/health/ready");
            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(ready.body()).contains("not_ready");
            assertThat(ingest.server.metrics().recordCount("spans")).isZero();
            assertThat(ingest.server.metrics().recordCount("logs")).isZero();
        }
    }

    @Test
    void answers503OnceTheBrokerIsGoneAndAcknowledgedOnlyWhatWasStored() throws Exception {
        GeneratedTrace before = new TraceGenerator(1001).generate(1).get(0);
        GeneratedTrace after = new TraceGenerator(1002).generate(1).get(0);
        EmbeddedKafka kafka = EmbeddedKafka.start();
        try (IngestFixture ingest = IngestFixture.start(kafka.bootstrapServers(), "down_spans", "down_logs", Map.of())) {
            kafka.createTopic("down_spans", 2);
            kafka.createTopic("down_logs", 2);
            assertThat(ingest.post("/v1/traces", "application/x-protobuf",
                    OtlpMessages.traces(before.spans()).toByteArray()).statusCode()).isEqualTo(200);
            List<SpanEvent> stored = new OtlpDecoder("test", Integer.MAX_VALUE).decodeSpans(
                    kafka.consumeAll("down_spans", 1, IngestFixture.TIMEOUT).get(0).value(), OtlpEncoding.OTLP_PROTO);
            assertThat(stored).containsExactlyInAnyOrderElementsOf(before.spans());

            kafka.close();
            kafka = null;

            HttpResponse<byte[]> r = ingest.post("/v1/traces", "application/x-protobuf",
                    OtlpMessages.traces(after.spans()).toByteArray());
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(r.headers().firstValue("Retry-After")).hasValue("5");
            assertThat(ingest.get("/health/ready").statusCode()).isEqualTo(503);
            assertThat(ingest.server.metrics().recordCount("spans")).isEqualTo(before.spans().size());
        } finally {
            if (kafka != null) kafka.close();
        }
    }
}
