package org.correlationstation.connectors.tempo;

import java.time.Duration;
import java.util.Objects;
import org.correlationstation.connectors.export.ExportOptions;
import org.correlationstation.connectors.export.SinkSecurity;

/**
 * Builds a {@link TempoSink}. Exactly one endpoint; batching and delivery default to SPEC §8
 * ({@link ExportOptions#defaults()}); individual setters override single settings of those.
 */
public final class TempoSinkBuilder {
    /** OTLP/gRPC receivers' default maximum message size (4 MiB), with room for framing. */
    public static final long DEFAULT_MAX_REQUEST_BYTES = 4L * 1024 * 1024 - 64 * 1024;

    private String grpcEndpoint;
    private String httpEndpoint;
    private ExportOptions export;
    private Integer maxBatchSize;
    private Duration batchWait;
    private Integer maxInFlightBatches;
    private Integer retryAttempts;
    private Duration retryDelay;
    private Duration maxRetryDelay;
    private Duration timeout;
    private Boolean circuitBreakerEnabled;
    private Integer circuitBreakerThreshold;
    private Duration circuitBreakerRecovery;
    private long maxRequestBytes = DEFAULT_MAX_REQUEST_BYTES;
    private RejectedBatchHandler rejectedBatchHandler = RejectedBatchHandler.logging();
    private SinkSecurity security = SinkSecurity.none();
    private boolean gzip;

    TempoSinkBuilder() {}

    /**
     * {@code TEMPO_HEADERS} (HTTP headers, or gRPC metadata), {@code TEMPO_CA_FILE},
     * {@code TEMPO_CLIENT_CERT_FILE}/{@code TEMPO_CLIENT_KEY_FILE}. Basic auth comes from the endpoint's
     * user-info.
     */
    public TempoSinkBuilder setSecurity(SinkSecurity security) {
        this.security = Objects.requireNonNull(security);
        return this;
    }

    /** {@code TEMPO_COMPRESSION=gzip}: gzip request bodies (OTLP/HTTP) or messages (OTLP/gRPC). */
    public TempoSinkBuilder setGzip(boolean gzip) {
        this.gzip = gzip;
        return this;
    }

    /**
     * OTLP/gRPC to {@code host:port} in plaintext, or to {@code https://host:port} over TLS
     * ({@code TEMPO_GRPC_ENDPOINT}), as the OTel exporter reads its endpoint's scheme.
     */
    public TempoSinkBuilder setGrpcEndpoint(String hostPort) {
        this.grpcEndpoint = hostPort;
        return this;
    }

    /** OTLP/HTTP protobuf, POSTed to this URL, e.g. {@code http://tempo:4318/v1/traces} ({@code TEMPO_HTTP_ENDPOINT}). */
    public TempoSinkBuilder setHttpEndpoint(String url) {
        this.httpEndpoint = url;
        return this;
    }

    /** All batching and delivery settings at once (e.g. {@code ExportOptions.from(settings)}). */
    public TempoSinkBuilder setExportOptions(ExportOptions export) {
        this.export = Objects.requireNonNull(export);
        return this;
    }

    /** Spans per request ({@code MAX_BATCH_SIZE}); a single larger message still goes, alone. */
    public TempoSinkBuilder setMaxBatchSize(int spans) {
        this.maxBatchSize = spans;
        return this;
    }

    /** Longest a message waits in the buffer before its batch is sent ({@code EXPORT_BATCH_WAIT_MS}). */
    public TempoSinkBuilder setBatchWait(Duration batchWait) {
        this.batchWait = batchWait;
        return this;
    }

    /** Requests sent but not yet acknowledged; when reached, the writer stops taking input. */
    public TempoSinkBuilder setMaxInFlightBatches(int maxInFlightBatches) {
        this.maxInFlightBatches = maxInFlightBatches;
        return this;
    }

    /** Attempts before a request counts as one circuit-breaker failure ({@code EXPORT_RETRY_ATTEMPTS}). */
    public TempoSinkBuilder setRetryAttempts(int retryAttempts) {
        this.retryAttempts = retryAttempts;
        return this;
    }

    /** First backoff ({@code EXPORT_RETRY_DELAY}), doubling (with jitter) up to {@code maxRetryDelay}. */
    public TempoSinkBuilder setRetryDelay(Duration retryDelay) {
        this.retryDelay = retryDelay;
        return this;
    }

    public TempoSinkBuilder setMaxRetryDelay(Duration maxRetryDelay) {
        this.maxRetryDelay = maxRetryDelay;
        return this;
    }

    /** Per-request timeout: HTTP request timeout, gRPC deadline ({@code EXPORT_TIMEOUT}). */
    public TempoSinkBuilder setTimeout(Duration timeout) {
        this.timeout = timeout;
        return this;
    }

    /** {@code ENABLE_CIRCUIT_BREAKER}, {@code CIRCUIT_BREAKER_FAILURE_THRESHOLD}, {@code CIRCUIT_BREAKER_RECOVERY_TIMEOUT}. */
    public TempoSinkBuilder setCircuitBreaker(boolean enabled, int failureThreshold, Duration recovery) {
        this.circuitBreakerEnabled = enabled;
        this.circuitBreakerThreshold = failureThreshold;
        this.circuitBreakerRecovery = recovery;
        return this;
    }

    /** Largest request merged from several messages (default just under 4 MiB). */
    public TempoSinkBuilder setMaxRequestBytes(long maxRequestBytes) {
        this.maxRequestBytes = maxRequestBytes;
        return this;
    }

    /** Where batches Tempo rejects as invalid go (the DLQ); default: logged and dropped. */
    public TempoSinkBuilder setRejectedBatchHandler(RejectedBatchHandler handler) {
        this.rejectedBatchHandler = Objects.requireNonNull(handler);
        return this;
    }

    public TempoSinkOptions buildOptions() {
        ExportOptions base = export != null ? export : ExportOptions.defaults();
        ExportOptions merged = new ExportOptions(
                or(maxBatchSize, base.maxBatchSize()),
                or(batchWait, base.batchWait()),
                or(maxInFlightBatches, base.maxInFlightBatches()),
                or(retryAttempts, base.retryAttempts()),
                or(retryDelay, base.retryDelay()),
                or(maxRetryDelay, base.maxRetryDelay()),
                or(timeout, base.timeout()),
                or(circuitBreakerEnabled, base.circuitBreakerEnabled()),
                or(circuitBreakerThreshold, base.circuitBreakerThreshold()),
                or(circuitBreakerRecovery, base.circuitBreakerRecovery()));
        return new TempoSinkOptions(grpcEndpoint, httpEndpoint, merged, maxRequestBytes, security, gzip);
    }

    public TempoSink build() {
        return new TempoSink(buildOptions(), rejectedBatchHandler);
    }

    private static <T> T or(T value, T fallback) {
        return value != null ? value : fallback;
    }
}
