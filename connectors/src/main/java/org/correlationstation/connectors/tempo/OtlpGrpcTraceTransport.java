package org.correlationstation.connectors.tempo;

import com.google.protobuf.Any;
import com.google.rpc.RetryInfo;
import io.grpc.CallOptions;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.correlationstation.connectors.export.AttemptResult;
import org.correlationstation.connectors.export.SinkSecurity;

/**
 * OTLP/gRPC to {@code host:port} (plaintext) or {@code https://host:port} (TLS, with the configured CA and
 * client certificate; as the OTel exporter reads its endpoint), {@code TraceService/Export} with a deadline of
 * {@code EXPORT_TIMEOUT}. The request goes out as the bytes it was built from (a byte-array marshaller
 * for the request side of the generated method), so spans are not re-encoded.
 *
 * <p>Status codes are classified as their HTTP equivalents are, so that both transports treat a backend
 * alike (SPEC §7 retries everything but invalid data): INVALID_ARGUMENT, FAILED_PRECONDITION, NOT_FOUND,
 * ALREADY_EXISTS, PERMISSION_DENIED, UNAUTHENTICATED, and RESOURCE_EXHAUSTED caused by the message size,
 * are rejections; everything else (UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED as rate limiting,
 * ABORTED, CANCELLED, OUT_OF_RANGE, DATA_LOSS, INTERNAL, UNKNOWN, UNIMPLEMENTED) is retried, after at
 * least the server's {@code RetryInfo.retry_delay} when it sent one. Wrong credentials (UNAUTHENTICATED,
 * PERMISSION_DENIED) are rejections, as a 401/403 is over HTTP. Every call carries {@code TEMPO_HEADERS} and
 * the endpoint's basic auth as metadata, and is gzip-compressed when asked for.
 */
public final class OtlpGrpcTraceTransport implements OtlpTraceTransport {
    private static final MethodDescriptor<byte[], ExportTraceServiceResponse> EXPORT =
            TraceServiceGrpc.getExportMethod().toBuilder(new BytesMarshaller(),
                    ProtoUtils.marshaller(ExportTraceServiceResponse.getDefaultInstance())).build();

    private final String target;
    private final Duration timeout;
    private final PartialSuccessListener partialSuccess;
    private final boolean gzip;
    private final ManagedChannel channel;

    public OtlpGrpcTraceTransport(TempoSinkOptions options, PartialSuccessListener partialSuccess) {
        String endpoint = options.grpcEndpoint();
        this.target = hostPort(endpoint);
        this.timeout = options.export().timeout();
        this.partialSuccess = partialSuccess;
        this.gzip = options.gzip();
        NettyChannelBuilder channel = NettyChannelBuilder.forTarget(target)
                .maxInboundMessageSize(16 * 1024 * 1024)
                .intercept(MetadataUtils.newAttachHeadersInterceptor(metadata(options.security().requestHeaders(endpoint))));
        if (SinkSecurity.isHttps(endpoint)) {
            channel.useTransportSecurity().sslContext(sslContext(options.security()));
        } else {
            channel.usePlaintext();
        }
        this.channel = channel.build();
    }

    /** grpc-java's Netty takes the same JDK factories as the HTTP transports; unset parts are the JVM's defaults. */
    private static io.grpc.netty.shaded.io.netty.handler.ssl.SslContext sslContext(SinkSecurity security) {
        TrustManagerFactory trust = security.trust("TEMPO");
        KeyManagerFactory keys = security.keys("TEMPO");
        SslContextBuilder builder = GrpcSslContexts.forClient();
        if (trust != null) {
            builder.trustManager(trust);
        }
        if (keys != null) {
            builder.keyManager(keys);
        }
        try {
            return builder.build();
        } catch (SSLException e) {
            throw new IllegalArgumentException("cannot set up TLS to Tempo: " + e.getMessage(), e);
        }
    }

    /** Metadata keys are lowercase on the wire (HTTP/2); values as given. */
    private static Metadata metadata(Map<String, String> headers) {
        Metadata metadata = new Metadata();
        headers.forEach((name, value) -> metadata.put(
                Metadata.Key.of(name.toLowerCase(Locale.ROOT), Metadata.ASCII_STRING_MARSHALLER), value));
        return metadata;
    }

    /**
     * {@code host:port}; a scheme ({@code http://}, {@code https://} — which only chooses TLS —,
     * {@code dns:///}) and basic auth's user-info are not part of it.
     */
    static String hostPort(String endpoint) {
        String e = endpoint.trim();
        int scheme = e.indexOf("://");
        if (scheme >= 0) {
            e = e.substring(scheme + 3);
        }
        e = e.substring(e.lastIndexOf('@') + 1);
        while (e.startsWith("/")) {
            e = e.substring(1);
        }
        if (e.endsWith("/")) {
            e = e.substring(0, e.length() - 1);
        }
        if (e.isEmpty() || e.lastIndexOf(':') < 0) {
            throw new IllegalArgumentException("TEMPO_GRPC_ENDPOINT must be host:port, got " + endpoint);
        }
        return e;
    }

    @Override
    public CompletableFuture<AttemptResult> send(byte[] request) {
        // After a refused connection the channel waits out its own reconnect backoff (up to two minutes);
        // the exporter has its own, so the channel should try again as soon as it is asked to.
        if (channel.getState(false) == ConnectivityState.TRANSIENT_FAILURE) {
            channel.resetConnectBackoff();
        }
        CompletableFuture<AttemptResult> result = new CompletableFuture<>();
        CallOptions options = CallOptions.DEFAULT.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS);
        var call = channel.newCall(EXPORT, gzip ? options.withCompression("gzip") : options);
        ClientCalls.asyncUnaryCall(call, request, new StreamObserver<>() {
            @Override
            public void onNext(ExportTraceServiceResponse response) {
                if (response.hasPartialSuccess() && response.getPartialSuccess().getRejectedSpans() > 0) {
                    partialSuccess.accept(response.getPartialSuccess().getRejectedSpans());
                }
                result.complete(AttemptResult.delivered(Status.Code.OK.name()));
            }

            @Override
            public void onError(Throwable error) {
                result.complete(classify(error));
            }

            @Override
            public void onCompleted() {
                result.complete(AttemptResult.delivered(Status.Code.OK.name()));
            }
        });
        return result;
    }

    static AttemptResult classify(Throwable error) {
        Status status = Status.fromThrowable(error);
        String code = status.getCode().name();
        String answer = OtlpHttpTraceTransport.truncate(
                code + (status.getDescription() == null ? "" : ": " + status.getDescription()));
        Duration retryDelay = retryDelay(error);
        return switch (status.getCode()) {
            case INVALID_ARGUMENT, FAILED_PRECONDITION, NOT_FOUND, ALREADY_EXISTS, PERMISSION_DENIED,
                    UNAUTHENTICATED -> AttemptResult.rejected(code, answer);
            case RESOURCE_EXHAUSTED -> tooLarge(status) && retryDelay == null
                    ? AttemptResult.rejected(code, answer)
                    : AttemptResult.retry(code, retryDelay, answer);
            default -> AttemptResult.retry(code, retryDelay, answer);
        };
    }

    /** gRPC's own answer to a message over the receiver's limit (retrying it would never succeed). */
    private static boolean tooLarge(Status status) {
        String d = status.getDescription();
        if (d == null) {
            return false;
        }
        d = d.toLowerCase(Locale.ROOT);
        return d.contains("larger than max") || d.contains("exceeds maximum") || d.contains("message too large");
    }

    /** {@code google.rpc.RetryInfo} among the status details, if the server sent one. */
    static Duration retryDelay(Throwable error) {
        com.google.rpc.Status status = StatusProto.fromThrowable(error);
        if (status == null) {
            return null;
        }
        for (Any detail : status.getDetailsList()) {
            if (detail.is(RetryInfo.class)) {
                try {
                    var delay = detail.unpack(RetryInfo.class).getRetryDelay();
                    return Duration.ofSeconds(delay.getSeconds(), delay.getNanos());
                } catch (com.google.protobuf.InvalidProtocolBufferException malformed) {
                    return null;
                }
            }
        }
        return null;
    }

    @Override
    public String endpoint() {
        return target;
    }

    @Override
    public void close() {
        channel.shutdownNow();
        try {
            channel.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static final class BytesMarshaller implements MethodDescriptor.Marshaller<byte[]> {
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
