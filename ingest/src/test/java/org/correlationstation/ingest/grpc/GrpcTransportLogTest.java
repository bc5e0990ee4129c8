package org.correlationstation.ingest.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.grpc.CallOptions;
import io.grpc.Codec;
import io.grpc.CompressorRegistry;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.Logger;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;
import org.correlationstation.ingest.IngestFixture;
import org.junit.jupiter.api.Test;

/**
 * Oversized and malformed gRPC messages from a real grpc-java client: grpc's own JUL warning (18 lines
 * of stack trace each) becomes at most one line per cause per window in our log, and the metric counts
 * every one. No Kafka: the transport refuses these messages before the service.
 */
class GrpcTransportLogTest {
    private static final int MAX_BODY = 1024;
    private static final int EACH = 5;

    @Test
    void refusedMessagesLogOneLinePerCauseAndAreAllCounted() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        List<String> lines = new ArrayList<>();
        Logger ours = (Logger) LogManager.getLogger(GrpcTransportLog.class);
        AbstractAppender capture = new AbstractAppender("capture", null, null, true, Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent event) {
                synchronized (lines) {
                    lines.add(event.getMessage().getFormattedMessage());
                }
            }
        };
        capture.start();
        ours.addAppender(capture);
        // Whatever still reached JUL's root (the console in grpc's format) would land here.
        List<LogRecord> julRoot = new ArrayList<>();
        Handler rootHandler = new Handler() {
            @Override
            public void publish(LogRecord r) {
                if (r.getLoggerName() != null && r.getLoggerName().startsWith("io.grpc")) julRoot.add(r);
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        java.util.logging.Logger.getLogger("").addHandler(rootHandler);
        GrpcTransportLog.forgetWindows(); // other test classes' refusals in this JVM opened windows
        long start = System.nanoTime();
        try (IngestFixture ingest = IngestFixture.start("localhost:" + closedPort, "spans", "logs",
                Map.of("OTLP_MAX_BODY_BYTES", Integer.toString(MAX_BODY)))) {
            // A client compressor that calls itself identity: frames flagged compressed that the
            // server cannot decompress (a malformed frame for the deframer).
            CompressorRegistry compressors = CompressorRegistry.newEmptyInstance();
            compressors.register(new Codec() {
                @Override
                public String getMessageEncoding() {
                    return "identity";
                }

                @Override
                public OutputStream compress(OutputStream os) {
                    return os;
                }

                @Override
                public InputStream decompress(InputStream is) {
                    return is;
                }
            });
            ManagedChannel channel = Grpc.newChannelBuilderForAddress("localhost", ingest.server.grpcPort(),
                    InsecureChannelCredentials.create()).compressorRegistry(compressors).build();
            try {
                for (int i = 0; i < EACH; i++) {
                    assertThat(export(channel, new byte[MAX_BODY * 4], CallOptions.DEFAULT))
                            .isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
                    assertThat(export(channel, new byte[16], CallOptions.DEFAULT.withCompression("identity")))
                            .isEqualTo(Status.Code.INTERNAL);
                }
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
            long elapsedWindows = (System.nanoTime() - start) / GrpcTransportLog.WINDOW_NANOS;
            assertThat(ingest.server.metrics().grpcRefusedMessages("RESOURCE_EXHAUSTED")).isEqualTo(EACH);
            assertThat(ingest.server.metrics().grpcRefusedMessages("INTERNAL")).isEqualTo(EACH);
            assertThat(new String(ingest.server.metrics().scrape(null).body(), java.nio.charset.StandardCharsets.UTF_8))
                    .contains("ingest_grpc_refused_messages_total{code=\"RESOURCE_EXHAUSTED\"} " + EACH + ".0");
            synchronized (lines) {
                for (String code : List.of("RESOURCE_EXHAUSTED", "INTERNAL")) {
                    List<String> ofCause = lines.stream().filter(l -> l.contains(": " + code + " (")).toList();
                    assertThat(ofCause).as(lines.toString()).hasSizeBetween(1, 1 + (int) elapsedWindows);
                    assertThat(ofCause).allSatisfy(l -> assertThat(l).doesNotContain("\n"));
                }
            }
            assertThat(julRoot).as("grpc records that still reached JUL's root").isEmpty();
        } finally {
            ours.removeAppender(capture);
            java.util.logging.Logger.getLogger("").removeHandler(rootHandler);
        }
    }

    private static Status.Code export(ManagedChannel channel, byte[] request, CallOptions options) {
        MethodDescriptor<byte[], byte[]> method = TraceServiceGrpc.getExportMethod().toBuilder(RAW, RAW).build();
        StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class,
                () -> ClientCalls.blockingUnaryCall(channel, method, options, request));
        assertThat(e).as("a refused call").isNotNull();
        return e.getStatus().getCode();
    }

    private static final MethodDescriptor.Marshaller<byte[]> RAW = OtlpGrpcReceiver.BytesMarshaller.INSTANCE;
}
