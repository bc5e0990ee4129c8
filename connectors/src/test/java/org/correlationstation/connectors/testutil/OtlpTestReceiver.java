package org.correlationstation.connectors.testutil;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.RetryInfo;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsServer;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.netty.shaded.io.netty.channel.ChannelOption;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.collector.logs.v1.LogsServiceGrpc;
import io.opentelemetry.proto.collector.trace.v1.ExportTracePartialSuccess;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * A fake OTLP backend (Tempo, Loki's OTLP endpoint, a collector) for tests: it listens on free local
 * ports for OTLP/HTTP ({@code POST /v1/traces}, {@code POST /v1/logs}, protobuf) and OTLP/gRPC
 * ({@code TraceService/Export}, {@code LogsService/Export}, plaintext), decodes what it gets, and keeps
 * it, with the time of arrival, in thread-safe lists. It can be told to misbehave: answer the next
 * requests with an error ({@link Failure}), answer slowly, refuse requests that match a predicate, or go
 * away and come back on the same ports ({@link #stop()} / {@link #start()}).
 *
 * <pre>{@code
 * try (OtlpTestReceiver tempo = OtlpTestReceiver.start()) {
 *     tempo.failNext(2, Failure.http(503));
 *     ... export to tempo.httpTracesUrl() or tempo.grpcEndpoint() ...
 *     tempo.awaitSpans(10, Duration.ofSeconds(10));
 * }
 * }</pre>
 */
public final class OtlpTestReceiver implements AutoCloseable {

    public enum Protocol { HTTP, GRPC }

    public enum Signal { TRACES, LOGS }

    /**
     * How to answer a request instead of accepting it. Each failure has an HTTP and a gRPC form, so a test
     * can run unchanged over both transports: {@link #http} derives the gRPC status and {@link #grpc} the
     * HTTP one, as the OTLP specification maps them.
     */
    public record Failure(int httpStatus, Status.Code grpcCode, Duration retryAfter, Duration delay, String message) {

        public static Failure http(int status) {
            return new Failure(status, grpcCodeOf(status), null, null, "injected HTTP " + status);
        }

        public static Failure grpc(Status.Code code) {
            return new Failure(httpStatusOf(code), code, null, null, "injected " + code);
        }

        /** HTTP 429 with {@code Retry-After}, gRPC RESOURCE_EXHAUSTED with a {@code RetryInfo} detail. */
        public static Failure throttled(Duration retryAfter) {
            return http(429).withRetryAfter(retryAfter);
        }

        /** Accepts the request, but only after {@code delay} (long enough, it is a client timeout). */
        public static Failure slow(Duration delay) {
            return new Failure(0, null, null, delay, null);
        }

        /** HTTP {@code Retry-After} (whole seconds, rounded up) and gRPC {@code RetryInfo.retry_delay}. */
        public Failure withRetryAfter(Duration retryAfter) {
            return new Failure(httpStatus, grpcCode, retryAfter, delay, message);
        }

        /** Answers (with this failure) only after {@code delay}. */
        public Failure withDelay(Duration delay) {
            return new Failure(httpStatus, grpcCode, retryAfter, delay, message);
        }

        public Failure withMessage(String message) {
            return new Failure(httpStatus, grpcCode, retryAfter, delay, message);
        }

        boolean accepts() {
            return httpStatus == 0;
        }

        private static Status.Code grpcCodeOf(int http) {
            return switch (http) {
                case 400 -> Status.Code.INVALID_ARGUMENT;
                case 401 -> Status.Code.UNAUTHENTICATED;
                case 403 -> Status.Code.PERMISSION_DENIED;
                case 404 -> Status.Code.NOT_FOUND;
                case 408, 504 -> Status.Code.DEADLINE_EXCEEDED;
                case 429 -> Status.Code.RESOURCE_EXHAUSTED;
                case 502, 503 -> Status.Code.UNAVAILABLE;
                default -> http >= 500 ? Status.Code.INTERNAL : Status.Code.FAILED_PRECONDITION;
            };
        }

        private static int httpStatusOf(Status.Code code) {
            return switch (code) {
                case INVALID_ARGUMENT, FAILED_PRECONDITION, OUT_OF_RANGE -> 400;
                case UNAUTHENTICATED -> 401;
                case PERMISSION_DENIED -> 403;
                case NOT_FOUND -> 404;
                case ALREADY_EXISTS, ABORTED -> 409;
                case RESOURCE_EXHAUSTED -> 429;
                case UNIMPLEMENTED -> 501;
                case UNAVAILABLE -> 503;
                case DEADLINE_EXCEEDED -> 504;
                default -> 500;
            };
        }
    }

    /**
     * One request as it arrived, whatever the answer: {@code status} is the HTTP status or gRPC code name
     * it was answered with ({@code 200}/{@code OK} when accepted). {@code at} is when it arrived.
     */
    public record Request(Instant at, long nanos, Protocol protocol, Signal signal, String status, byte[] body) {
        public boolean accepted() {
            return status.equals("200") || status.equals("OK");
        }
    }

    /** A request the receiver accepted, decoded. */
    public record Received<T>(Instant at, long nanos, Protocol protocol, T request) {}

    private record Rule(Predicate<byte[]> matches, Failure failure) {}

    private final Object lock = new Object();
    private final List<Request> requests = new ArrayList<>();
    private final List<Received<ExportTraceServiceRequest>> traces = new ArrayList<>();
    private final List<Received<ExportLogsServiceRequest>> logs = new ArrayList<>();
    private final List<Failure> nextFailures = new ArrayList<>();
    private final List<Rule> rules = new ArrayList<>();
    private long rejectedSpansPerRequest;

    private final ScheduledExecutorService delays = Executors.newScheduledThreadPool(2, daemon("otlp-receiver-delay"));
    private final ExecutorService httpWorkers = Executors.newCachedThreadPool(daemon("otlp-receiver-http"));
    private final List<Map<String, String>> headersSeen = new ArrayList<>();
    private final ServerSecurity security;
    private int httpPort;
    private int grpcPort;
    private HttpServer http;
    private Server grpc;

    private OtlpTestReceiver(ServerSecurity security) {
        this.security = security;
    }

    /** Starts a receiver on two free ports. */
    public static OtlpTestReceiver start() throws IOException {
        return start(ServerSecurity.none());
    }

    /**
     * Starts a receiver on two free ports requiring what {@code security} says on both: HTTPS and gRPC over
     * TLS, a client certificate, headers (HTTP) or metadata (gRPC). A request without the headers is answered
     * 401 / UNAUTHENTICATED and recorded so; a failed TLS handshake is not recorded at all.
     */
    public static OtlpTestReceiver start(ServerSecurity security) throws IOException {
        OtlpTestReceiver receiver = new OtlpTestReceiver(security);
        receiver.startServers();
        return receiver;
    }

    // ---- lifecycle ----

    /** Starts again after {@link #stop()}, on the same ports. */
    public void restart() throws IOException {
        startServers();
    }

    private synchronized void startServers() throws IOException {
        if (http != null) {
            return;
        }
        if (security.certificates() != null) {
            HttpsServer https = HttpsServer.create(new InetSocketAddress("127.0.0.1", httpPort), 64);
            https.setHttpsConfigurator(security.httpsConfigurator());
            http = https;
        } else {
            http = HttpServer.create(new InetSocketAddress("127.0.0.1", httpPort), 64);
        }
        http.setExecutor(httpWorkers);
        http.createContext("/v1/traces", exchange -> handleHttp(exchange, Signal.TRACES));
        http.createContext("/v1/logs", exchange -> handleHttp(exchange, Signal.LOGS));
        http.start();
        httpPort = http.getAddress().getPort();

        NettyServerBuilder grpcBuilder = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", grpcPort))
                .withOption(ChannelOption.SO_REUSEADDR, true)
                .maxInboundMessageSize(64 * 1024 * 1024)
                .intercept(new CheckMetadata())
                .addService(new Traces())
                .addService(new Logs());
        if (security.certificates() != null) {
            grpcBuilder.sslContext(GrpcSslContexts.configure(SslContextBuilder.forServer(security.certificates().serverKeys()))
                    .trustManager(security.certificates().caTrust())
                    .clientAuth(security.requireClientCert() ? ClientAuth.REQUIRE : ClientAuth.NONE)
                    .build());
        }
        grpc = grpcBuilder.build().start();
        grpcPort = grpc.getPort();
    }

    /** Closes both listeners and drops open connections: clients see connection refused until {@link #restart()}. */
    public synchronized void stop() {
        if (http == null) {
            return;
        }
        grpc.shutdownNow();
        try {
            grpc.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        http.stop(0);
        http = null;
        grpc = null;
    }

    public synchronized boolean running() {
        return http != null;
    }

    @Override
    public void close() {
        stop();
        delays.shutdownNow();
        httpWorkers.shutdownNow();
    }

    // ---- addresses ----

    public int httpPort() {
        return httpPort;
    }

    public int grpcPort() {
        return grpcPort;
    }

    /** {@code http://127.0.0.1:port/v1/traces} ({@code https://} with TLS) */
    public String httpTracesUrl() {
        return security.scheme() + "://127.0.0.1:" + httpPort + "/v1/traces";
    }

    /** {@code https://127.0.0.1:port}: the gRPC endpoint as a sink is told to use TLS. */
    public String grpcTlsEndpoint() {
        return "https://127.0.0.1:" + grpcPort;
    }

    /**
     * The headers (HTTP, names lowercased) or metadata (gRPC) of every request that reached the receiver,
     * in order of arrival, whatever its answer.
     */
    public List<Map<String, String>> headers() {
        synchronized (lock) {
            return List.copyOf(headersSeen);
        }
    }

    /** {@code http://127.0.0.1:port/v1/logs} */
    public String httpLogsUrl() {
        return "http://127.0.0.1:" + httpPort + "/v1/logs";
    }

    /** {@code 127.0.0.1:port}, as {@code TEMPO_GRPC_ENDPOINT} takes it. */
    public String grpcEndpoint() {
        return "127.0.0.1:" + grpcPort;
    }

    // ---- misbehaviour ----

    /** Answers the next {@code n} requests (any protocol, any signal) with {@code failure}, in order, after those already queued. */
    public void failNext(int n, Failure failure) {
        synchronized (lock) {
            for (int i = 0; i < n; i++) {
                nextFailures.add(failure);
            }
        }
    }

    /** Answers every request whose body (the protobuf request) matches with {@code failure}, until {@link #reset()}. */
    public void failMatching(Predicate<byte[]> matches, Failure failure) {
        synchronized (lock) {
            rules.add(new Rule(matches, failure));
        }
    }

    /** Accepted trace requests are answered with a partial success rejecting this many spans. */
    public void reportRejectedSpans(long spans) {
        synchronized (lock) {
            rejectedSpansPerRequest = spans;
        }
    }

    /** Forgets the queued failures and rules (not what was received). */
    public void reset() {
        synchronized (lock) {
            nextFailures.clear();
            rules.clear();
            rejectedSpansPerRequest = 0;
        }
    }

    /** Forgets what was received. */
    public void clear() {
        synchronized (lock) {
            requests.clear();
            traces.clear();
            logs.clear();
        }
    }

    private Failure failureFor(byte[] body) {
        synchronized (lock) {
            for (Rule rule : rules) {
                if (rule.matches().test(body)) {
                    return rule.failure();
                }
            }
            return nextFailures.isEmpty() ? null : nextFailures.remove(0);
        }
    }

    // ---- what arrived ----

    /** Every request, accepted or not, in order of arrival. */
    public List<Request> requests() {
        synchronized (lock) {
            return List.copyOf(requests);
        }
    }

    public List<Received<ExportTraceServiceRequest>> traceRequests() {
        synchronized (lock) {
            return List.copyOf(traces);
        }
    }

    public List<Received<ExportLogsServiceRequest>> logRequests() {
        synchronized (lock) {
            return List.copyOf(logs);
        }
    }

    /** Every accepted span, with the resource and scope it came with. */
    public List<ResourceSpans> resourceSpans() {
        List<ResourceSpans> out = new ArrayList<>();
        for (var r : traceRequests()) {
            out.addAll(r.request().getResourceSpansList());
        }
        return out;
    }

    public List<Span> spans() {
        List<Span> out = new ArrayList<>();
        for (ResourceSpans rs : resourceSpans()) {
            for (ScopeSpans ss : rs.getScopeSpansList()) {
                out.addAll(ss.getSpansList());
            }
        }
        return out;
    }

    public int spanCount() {
        return spans().size();
    }

    public int logRecordCount() {
        int n = 0;
        for (var r : logRequests()) {
            for (ResourceLogs rl : r.request().getResourceLogsList()) {
                for (ScopeLogs sl : rl.getScopeLogsList()) {
                    n += sl.getLogRecordsCount();
                }
            }
        }
        return n;
    }

    /** Waits until at least {@code n} spans were accepted; returns them. */
    public List<Span> awaitSpans(int n, Duration timeout) {
        await(() -> spanCount() >= n, timeout, () -> n + " spans (have " + spanCount() + ")");
        return spans();
    }

    /** Waits until at least {@code n} log records were accepted. */
    public void awaitLogRecords(int n, Duration timeout) {
        await(() -> logRecordCount() >= n, timeout, () -> n + " log records (have " + logRecordCount() + ")");
    }

    /** Waits until at least {@code n} requests arrived, accepted or not. */
    public List<Request> awaitRequests(int n, Duration timeout) {
        await(() -> requests().size() >= n, timeout, () -> n + " requests (have " + requests().size() + ")");
        return requests();
    }

    public static void await(BooleanSupplier condition, Duration timeout, java.util.function.Supplier<String> what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what.get());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    // ---- HTTP ----

    private void handleHttp(HttpExchange exchange, Signal signal) throws IOException {
        long nanos = System.nanoTime();
        Instant at = Instant.now();
        if (!"POST".equals(exchange.getRequestMethod())) {
            respond(exchange, 405, "text/plain", "POST only".getBytes(StandardCharsets.UTF_8));
            return;
        }
        Map<String, String> headers = new LinkedHashMap<>();
        exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(java.util.Locale.ROOT),
                values.get(0)));
        synchronized (lock) {
            headersSeen.add(headers);
        }
        byte[] body = exchange.getRequestBody().readAllBytes();
        String refused = security.problem(name -> headers.get(name.toLowerCase(java.util.Locale.ROOT)));
        if (refused != null) {
            record(new Request(at, nanos, Protocol.HTTP, signal, "401", body));
            respond(exchange, 401, "application/x-protobuf", com.google.rpc.Status.newBuilder()
                    .setCode(Status.Code.UNAUTHENTICATED.value()).setMessage(refused).build().toByteArray());
            return;
        }
        if ("gzip".equalsIgnoreCase(headers.get("content-encoding"))) {
            // OTLP/HTTP: a receiver must accept gzip bodies; what is recorded is the decoded request
            try (GZIPInputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(body))) {
                body = in.readAllBytes();
            } catch (IOException notGzip) {
                record(new Request(at, nanos, Protocol.HTTP, signal, "400", body));
                respond(exchange, 400, "text/plain", "bad gzip body".getBytes(StandardCharsets.UTF_8));
                return;
            }
        }
        String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
        if (contentType == null || !contentType.startsWith("application/x-protobuf")) {
            record(new Request(at, nanos, Protocol.HTTP, signal, "415", body));
            respond(exchange, 415, "text/plain", "protobuf only".getBytes(StandardCharsets.UTF_8));
            return;
        }
        Failure failure = failureFor(body);
        byte[] request = body;
        Runnable answer = () -> {
            try {
                answerHttp(exchange, signal, request, failure, at, nanos);
            } catch (IOException | RuntimeException e) {
                exchange.close(); // the client went away (timed out)
            }
        };
        if (failure != null && failure.delay() != null) {
            delays.schedule(answer, failure.delay().toMillis(), TimeUnit.MILLISECONDS);
        } else {
            answer.run();
        }
    }

    private void answerHttp(HttpExchange exchange, Signal signal, byte[] body, Failure failure, Instant at, long nanos)
            throws IOException {
        if (failure != null && !failure.accepts()) {
            record(new Request(at, nanos, Protocol.HTTP, signal, Integer.toString(failure.httpStatus()), body));
            if (failure.retryAfter() != null) {
                long seconds = (failure.retryAfter().toMillis() + 999) / 1000;
                exchange.getResponseHeaders().add("Retry-After", Long.toString(seconds));
            }
            com.google.rpc.Status status = com.google.rpc.Status.newBuilder()
                    .setCode(failure.grpcCode().value()).setMessage(failure.message()).build();
            respond(exchange, failure.httpStatus(), "application/x-protobuf", status.toByteArray());
            return;
        }
        byte[] response;
        try {
            response = accept(Protocol.HTTP, signal, body, at, nanos);
        } catch (InvalidProtocolBufferException e) {
            record(new Request(at, nanos, Protocol.HTTP, signal, "400", body));
            respond(exchange, 400, "application/x-protobuf", com.google.rpc.Status.newBuilder()
                    .setCode(Status.Code.INVALID_ARGUMENT.value()).setMessage(e.getMessage()).build().toByteArray());
            return;
        }
        respond(exchange, 200, "application/x-protobuf", response);
    }

    private static void respond(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    /** Decodes and keeps an accepted request; returns the response message's encoding. */
    private byte[] accept(Protocol protocol, Signal signal, byte[] body, Instant at, long nanos)
            throws InvalidProtocolBufferException {
        if (signal == Signal.TRACES) {
            ExportTraceServiceRequest request = ExportTraceServiceRequest.parseFrom(body);
            long rejected;
            synchronized (lock) {
                requests.add(new Request(at, nanos, protocol, signal, protocol == Protocol.HTTP ? "200" : "OK", body));
                traces.add(new Received<>(at, nanos, protocol, request));
                rejected = rejectedSpansPerRequest;
            }
            ExportTraceServiceResponse.Builder response = ExportTraceServiceResponse.newBuilder();
            if (rejected > 0) {
                response.setPartialSuccess(ExportTracePartialSuccess.newBuilder()
                        .setRejectedSpans(rejected).setErrorMessage("injected partial success"));
            }
            return response.build().toByteArray();
        }
        ExportLogsServiceRequest request = ExportLogsServiceRequest.parseFrom(body);
        synchronized (lock) {
            requests.add(new Request(at, nanos, protocol, signal, protocol == Protocol.HTTP ? "200" : "OK", body));
            logs.add(new Received<>(at, nanos, protocol, request));
        }
        return ExportLogsServiceResponse.getDefaultInstance().toByteArray();
    }

    private void record(Request request) {
        synchronized (lock) {
            requests.add(request);
        }
    }

    // ---- gRPC ----

    private <R> void handleGrpc(Signal signal, byte[] body, StreamObserver<R> observer,
            java.util.function.Function<byte[], R> response) {
        long nanos = System.nanoTime();
        Instant at = Instant.now();
        Failure failure = failureFor(body);
        Runnable answer = () -> {
            try {
                if (failure != null && !failure.accepts()) {
                    record(new Request(at, nanos, Protocol.GRPC, signal, failure.grpcCode().name(), body));
                    com.google.rpc.Status.Builder status = com.google.rpc.Status.newBuilder()
                            .setCode(failure.grpcCode().value()).setMessage(failure.message());
                    if (failure.retryAfter() != null) {
                        long millis = failure.retryAfter().toMillis();
                        status.addDetails(Any.pack(RetryInfo.newBuilder().setRetryDelay(
                                com.google.protobuf.Duration.newBuilder().setSeconds(millis / 1000)
                                        .setNanos((int) (millis % 1000) * 1_000_000)).build()));
                    }
                    observer.onError(StatusProto.toStatusRuntimeException(status.build()));
                    return;
                }
                byte[] encoded;
                try {
                    encoded = accept(Protocol.GRPC, signal, body, at, nanos);
                } catch (InvalidProtocolBufferException e) {
                    record(new Request(at, nanos, Protocol.GRPC, signal, "INVALID_ARGUMENT", body));
                    observer.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
                    return;
                }
                observer.onNext(response.apply(encoded));
                observer.onCompleted();
            } catch (RuntimeException cancelled) {
                // the client gave up (deadline): nothing to answer
            }
        };
        if (failure != null && failure.delay() != null) {
            delays.schedule(answer, failure.delay().toMillis(), TimeUnit.MILLISECONDS);
        } else {
            answer.run();
        }
    }

    /** Records each call's metadata and refuses calls without the required metadata, before the service. */
    private final class CheckMetadata implements ServerInterceptor {
        @Override
        public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata metadata,
                ServerCallHandler<Q, A> next) {
            Map<String, String> headers = new LinkedHashMap<>();
            for (String key : metadata.keys()) {
                if (!key.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
                    headers.put(key, metadata.get(Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER)));
                }
            }
            synchronized (lock) {
                headersSeen.add(headers);
            }
            String refused = security.problem(name -> headers.get(name.toLowerCase(java.util.Locale.ROOT)));
            if (refused == null) {
                return next.startCall(call, metadata);
            }
            Signal signal = call.getMethodDescriptor().getFullMethodName().contains("Trace") ? Signal.TRACES : Signal.LOGS;
            record(new Request(Instant.now(), System.nanoTime(), Protocol.GRPC, signal, "UNAUTHENTICATED", new byte[0]));
            call.close(Status.UNAUTHENTICATED.withDescription(refused), new Metadata());
            return new ServerCall.Listener<>() {};
        }
    }

    private final class Traces extends TraceServiceGrpc.TraceServiceImplBase {
        @Override
        public void export(ExportTraceServiceRequest request, StreamObserver<ExportTraceServiceResponse> observer) {
            handleGrpc(Signal.TRACES, request.toByteArray(), observer, encoded -> {
                try {
                    return ExportTraceServiceResponse.parseFrom(encoded);
                } catch (InvalidProtocolBufferException e) {
                    throw new IllegalStateException(e);
                }
            });
        }
    }

    private final class Logs extends LogsServiceGrpc.LogsServiceImplBase {
        @Override
        public void export(ExportLogsServiceRequest request, StreamObserver<ExportLogsServiceResponse> observer) {
            handleGrpc(Signal.LOGS, request.toByteArray(), observer, encoded -> ExportLogsServiceResponse.getDefaultInstance());
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return runnable -> {
            Thread t = new Thread(runnable, name);
            t.setDaemon(true);
            return t;
        };
    }
}
