package org.correlationstation.ingest.grpc;

import com.google.protobuf.Any;
import com.google.rpc.Code;
import com.google.rpc.RetryInfo;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsPartialSuccess;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.collector.logs.v1.LogsServiceGrpc;
import io.opentelemetry.proto.collector.trace.v1.ExportTracePartialSuccess;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.correlationstation.core.otlp.MalformedOtlpException;
import org.correlationstation.core.otlp.OtlpEncoding;
import org.correlationstation.ingest.auth.BearerToken;
import org.correlationstation.ingest.export.ExportResult;
import org.correlationstation.ingest.export.OtlpIngestion;
import org.correlationstation.ingest.kafka.KafkaWriteException;
import org.correlationstation.ingest.metrics.IngestMetrics;

/**
 * OTLP/gRPC: {@code TraceService/Export} and {@code LogsService/Export} (SPEC §1), answered per the OTLP
 * specification: {@code INVALID_ARGUMENT} for an undecodable or invalid request,
 * {@code UNAVAILABLE} with a {@code google.rpc.RetryInfo} when Kafka did not store it,
 * {@code RESOURCE_EXHAUSTED} over the size limit (gRPC's own check of the decompressed message against
 * {@code OTLP_MAX_BODY_BYTES}), {@code UNAUTHENTICATED} without the {@code INGEST_TOKEN}.
 *
 * <p>The methods take the request as bytes and decode it with {@code core}'s {@code OtlpDecoder}
 * rather than with gRPC's protobuf marshaller, so an undecodable request is an
 * {@code INVALID_ARGUMENT} naming the problem (gRPC would answer {@code INTERNAL}) and is parsed
 * once. Calls are asynchronous: the answer is sent from Kafka's acknowledgement. gzip requests are
 * accepted (gRPC's default decompressor registry).
 */
public final class OtlpGrpcReceiver implements AutoCloseable {
    static final String TRACE_ROUTE = "TraceService/Export";
    static final String LOGS_ROUTE = "LogsService/Export";
    private static final long UNAVAILABLE_RETRY_SECONDS = 5;
    private static final long BACKPRESSURE_RETRY_SECONDS = 1;
    private static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private final Server server;
    private final IngestMetrics metrics;

    private OtlpGrpcReceiver(Server server, IngestMetrics metrics) {
        this.server = server;
        this.metrics = metrics;
    }

    /** Starts serving on {@code port} (0: a free one, see {@link #port()}). */
    public static OtlpGrpcReceiver start(int port, long maxMessageBytes, BearerToken token, OtlpIngestion ingestion,
            IngestMetrics metrics) throws IOException {
        Services services = new Services(ingestion, metrics);
        ServerServiceDefinition traces = ServerServiceDefinition.builder(TraceServiceGrpc.SERVICE_NAME)
                .addMethod(bytesMethod(TraceServiceGrpc.getExportMethod()),
                        ServerCalls.asyncUnaryCall(services::exportTraces))
                .build();
        ServerServiceDefinition logs = ServerServiceDefinition.builder(LogsServiceGrpc.SERVICE_NAME)
                .addMethod(bytesMethod(LogsServiceGrpc.getExportMethod()),
                        ServerCalls.asyncUnaryCall(services::exportLogs))
                .build();
        ServerInterceptor auth = new TokenInterceptor(token, metrics);
        Server server = Grpc.newServerBuilderForPort(port, InsecureServerCredentials.create())
                .maxInboundMessageSize((int) Math.min(maxMessageBytes, Integer.MAX_VALUE))
                .addService(ServerInterceptors.intercept(traces, auth))
                .addService(ServerInterceptors.intercept(logs, auth))
                .build()
                .start();
        // grpc's own warnings of refused messages: one rate-limited line each, counted (GrpcTransportLog).
        GrpcTransportLog.register(metrics);
        return new OtlpGrpcReceiver(server, metrics);
    }

    public int port() {
        return server.getPort();
    }

    /** Stops taking calls, lets running ones finish for a few seconds, then cancels them. */
    @Override
    public void close() {
        GrpcTransportLog.unregister(metrics);
        server.shutdown();
        try {
            if (!server.awaitTermination(5, TimeUnit.SECONDS)) server.shutdownNow();
        } catch (InterruptedException e) {
            server.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    private static <Q, R> MethodDescriptor<Request, byte[]> bytesMethod(MethodDescriptor<Q, R> method) {
        return method.toBuilder(RequestMarshaller.INSTANCE, BytesMarshaller.INSTANCE).build();
    }

    /**
     * A request as bytes, or why it could not be read: gRPC enforces the size limit on a compressed
     * message only while the marshaller reads it, and would turn the failure into {@code UNKNOWN}
     * ("application error"); the handler answers it with its own status instead.
     */
    private record Request(byte[] bytes, StatusRuntimeException unreadable) {}

    private static final class Services {
        private final OtlpIngestion ingestion;
        private final IngestMetrics metrics;

        Services(OtlpIngestion ingestion, IngestMetrics metrics) {
            this.ingestion = ingestion;
            this.metrics = metrics;
        }

        void exportTraces(Request request, StreamObserver<byte[]> response) {
            if (request.unreadable() != null) {
                fail(TRACE_ROUTE, response, request.unreadable());
                return;
            }
            CompletableFuture<ExportResult> stored;
            try {
                stored = ingestion.traces(request.bytes(), OtlpEncoding.OTLP_PROTO);
            } catch (MalformedOtlpException e) {
                fail(TRACE_ROUTE, response, invalid(e));
                return;
            }
            stored.whenComplete((r, e) -> {
                if (e != null) {
                    fail(TRACE_ROUTE, response, failure(e));
                    return;
                }
                ExportTraceServiceResponse.Builder b = ExportTraceServiceResponse.newBuilder();
                if (r.rejected() > 0) {
                    b.setPartialSuccess(ExportTracePartialSuccess.newBuilder()
                            .setRejectedSpans(r.rejected()).setErrorMessage(r.errorMessage()));
                }
                succeed(TRACE_ROUTE, response, b.build().toByteArray());
            });
        }

        void exportLogs(Request request, StreamObserver<byte[]> response) {
            if (request.unreadable() != null) {
                fail(LOGS_ROUTE, response, request.unreadable());
                return;
            }
            CompletableFuture<ExportResult> stored;
            try {
                stored = ingestion.logs(request.bytes(), OtlpEncoding.OTLP_PROTO);
            } catch (MalformedOtlpException e) {
                fail(LOGS_ROUTE, response, invalid(e));
                return;
            }
            stored.whenComplete((r, e) -> {
                if (e != null) {
                    fail(LOGS_ROUTE, response, failure(e));
                    return;
                }
                ExportLogsServiceResponse.Builder b = ExportLogsServiceResponse.newBuilder();
                if (r.rejected() > 0) {
                    b.setPartialSuccess(ExportLogsPartialSuccess.newBuilder()
                            .setRejectedLogRecords(r.rejected()).setErrorMessage(r.errorMessage()));
                }
                succeed(LOGS_ROUTE, response, b.build().toByteArray());
            });
        }

        private void succeed(String route, StreamObserver<byte[]> response, byte[] message) {
            metrics.request(route, Status.Code.OK.name());
            response.onNext(message);
            response.onCompleted();
        }

        private void fail(String route, StreamObserver<byte[]> response, StatusRuntimeException e) {
            metrics.request(route, e.getStatus().getCode().name());
            response.onError(e);
        }
    }

    private static StatusRuntimeException invalid(MalformedOtlpException e) {
        return Status.INVALID_ARGUMENT.withDescription(e.describe()).asRuntimeException();
    }

    /** Kafka's failures: retryable UNAVAILABLE with a RetryInfo, or RESOURCE_EXHAUSTED for a too large trace. */
    static StatusRuntimeException failure(Throwable e) {
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        KafkaWriteException k = KafkaWriteException.of(e);
        if (k.kind() == KafkaWriteException.Kind.TOO_LARGE) {
            // Without RetryInfo, RESOURCE_EXHAUSTED is not retryable for OTLP clients.
            return Status.RESOURCE_EXHAUSTED.withDescription(k.getMessage()).asRuntimeException();
        }
        long delay = k.kind() == KafkaWriteException.Kind.BACKPRESSURE ? BACKPRESSURE_RETRY_SECONDS
                : UNAVAILABLE_RETRY_SECONDS;
        com.google.rpc.Status status = com.google.rpc.Status.newBuilder()
                .setCode(Code.UNAVAILABLE_VALUE)
                .setMessage("Kafka did not store the data, nothing was accepted; retry later (" + k.getMessage() + ")")
                .addDetails(Any.pack(RetryInfo.newBuilder()
                        .setRetryDelay(com.google.protobuf.Duration.newBuilder().setSeconds(delay)).build()))
                .build();
        return StatusProto.toStatusRuntimeException(status);
    }

    /** Requires {@code authorization: Bearer <INGEST_TOKEN>} metadata when a token is set. */
    private static final class TokenInterceptor implements ServerInterceptor {
        private final BearerToken token;
        private final IngestMetrics metrics;

        TokenInterceptor(BearerToken token, IngestMetrics metrics) {
            this.token = token;
            this.metrics = metrics;
        }

        @Override
        public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                ServerCallHandler<Q, R> next) {
            if (token.allows(headers.get(AUTHORIZATION))) return next.startCall(call, headers);
            String route = call.getMethodDescriptor().getFullMethodName();
            metrics.request(route.substring(route.lastIndexOf('.') + 1), Status.Code.UNAUTHENTICATED.name());
            call.close(Status.UNAUTHENTICATED.withDescription("missing or wrong bearer token"
                    + " (authorization: Bearer <INGEST_TOKEN>)"), new Metadata());
            return new ServerCall.Listener<>() {};
        }
    }

    /** Requests as bytes: decoding is the ingestion's (see the class comment). */
    private enum RequestMarshaller implements MethodDescriptor.Marshaller<Request> {
        INSTANCE;

        @Override
        public InputStream stream(Request value) {
            return new ByteArrayInputStream(value.bytes());
        }

        @Override
        public Request parse(InputStream stream) {
            try {
                return new Request(stream.readAllBytes(), null);
            } catch (StatusRuntimeException e) {
                // RESOURCE_EXHAUSTED: the message inflates beyond OTLP_MAX_BODY_BYTES (a gzip bomb).
                return new Request(null, e);
            } catch (IOException e) {
                return new Request(null, Status.INVALID_ARGUMENT.withDescription("cannot read the request: " + e)
                        .asRuntimeException());
            }
        }
    }

    /** Responses as bytes (also the tests' raw client calls). */
    enum BytesMarshaller implements MethodDescriptor.Marshaller<byte[]> {
        INSTANCE;

        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
