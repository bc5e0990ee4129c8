package org.correlationstation.connectors.testutil;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.logs.v1.LogsServiceGrpc;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.correlationstation.connectors.testutil.OtlpTestReceiver.Failure;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The fake OTLP backend itself: logs over both protocols, injected failures, stop and restart. */
class OtlpTestReceiverTest {
    private OtlpTestReceiver receiver;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        receiver = OtlpTestReceiver.start();
    }

    @AfterEach
    void stop() {
        receiver.close();
    }

    private static ExportLogsServiceRequest logs(int n) {
        ScopeLogs.Builder scope = ScopeLogs.newBuilder();
        for (int i = 0; i < n; i++) {
            scope.addLogRecords(LogRecord.newBuilder().setBody(AnyValue.newBuilder().setStringValue("line " + i)));
        }
        return ExportLogsServiceRequest.newBuilder().addResourceLogs(ResourceLogs.newBuilder().addScopeLogs(scope)).build();
    }

    private HttpResponse<byte[]> post(String url, byte[] body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/x-protobuf")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void receivesLogsOverHttpAndGrpcAndInjectsFailures() throws Exception {
        receiver.failNext(1, Failure.throttled(Duration.ofSeconds(2)));
        HttpResponse<byte[]> throttled = post(receiver.httpLogsUrl(), logs(1).toByteArray());
        assertThat(throttled.statusCode()).isEqualTo(429);
        assertThat(throttled.headers().firstValue("Retry-After")).contains("2");

        assertThat(post(receiver.httpLogsUrl(), logs(2).toByteArray()).statusCode()).isEqualTo(200);

        ManagedChannel channel = NettyChannelBuilder.forTarget(receiver.grpcEndpoint()).usePlaintext().build();
        try {
            var stub = LogsServiceGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS);
            receiver.failNext(1, Failure.grpc(Status.Code.INVALID_ARGUMENT));
            assertThatThrownBy(() -> stub.export(logs(1))).isInstanceOf(StatusRuntimeException.class)
                    .extracting(e -> ((StatusRuntimeException) e).getStatus().getCode())
                    .isEqualTo(Status.Code.INVALID_ARGUMENT);
            stub.export(logs(3));
        } finally {
            channel.shutdownNow();
        }

        receiver.awaitLogRecords(5, Duration.ofSeconds(5));
        assertThat(receiver.logRequests()).extracting(OtlpTestReceiver.Received::protocol)
                .containsExactly(OtlpTestReceiver.Protocol.HTTP, OtlpTestReceiver.Protocol.GRPC);
        assertThat(receiver.requests()).extracting(OtlpTestReceiver.Request::status)
                .containsExactly("429", "200", "INVALID_ARGUMENT", "OK");
    }

    @Test
    void stopsAndRestartsOnTheSamePorts() throws Exception {
        int httpPort = receiver.httpPort();
        int grpcPort = receiver.grpcPort();
        receiver.stop();
        assertThatThrownBy(() -> post(receiver.httpTracesUrl(), new byte[0])).isInstanceOf(ConnectException.class);

        receiver.restart();

        assertThat(receiver.httpPort()).isEqualTo(httpPort);
        assertThat(receiver.grpcPort()).isEqualTo(grpcPort);
        assertThat(post(receiver.httpTracesUrl(), new byte[0]).statusCode()).isEqualTo(200);
    }
}
