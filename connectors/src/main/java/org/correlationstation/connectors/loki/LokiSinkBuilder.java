package org.correlationstation.connectors.loki;

import java.time.Duration;
import org.correlationstation.connectors.export.ExportOptions;
import org.correlationstation.connectors.export.SinkSecurity;

/**
 * Builds a {@link LokiSink}. Defaults are SPEC §8's ({@link ExportOptions#defaults()}): batches of
 * {@code MAX_BATCH_SIZE} 5000 or {@code EXPORT_BATCH_WAIT_MS} 1000, 3 attempts from 1 s, 10 s timeout,
 * circuit breaker on (5 failures, 60 s); batches of at most 4 MiB.
 */
public final class LokiSinkBuilder {
    public static final long DEFAULT_MAX_BATCH_BYTES = 4L * 1024 * 1024;

    private String pushUrl;
    private String tenant;
    private ExportOptions export = ExportOptions.defaults();
    private long maxBatchBytes = DEFAULT_MAX_BATCH_BYTES;
    private RejectedBatchHandler rejectedBatchHandler = RejectedBatchHandler.logging();
    private SinkSecurity security = SinkSecurity.none();

    LokiSinkBuilder() {}

    /** {@code LOKI_URL}: the full push URL, e.g. {@code http://loki:3100/loki/api/v1/push}. */
    public LokiSinkBuilder setPushUrl(String pushUrl) {
        this.pushUrl = pushUrl;
        return this;
    }

    /** {@code LOKI_TENANT}: sent as {@code X-Scope-OrgID}; null or blank: no header. */
    public LokiSinkBuilder setTenant(String tenant) {
        this.tenant = tenant;
        return this;
    }

    /**
     * {@code LOKI_HEADERS}, {@code LOKI_CA_FILE}, {@code LOKI_CLIENT_CERT_FILE}/{@code LOKI_CLIENT_KEY_FILE}:
     * extra headers and TLS files. Basic auth comes from the push URL's user-info.
     */
    public LokiSinkBuilder setSecurity(SinkSecurity security) {
        this.security = security;
        return this;
    }

    /** All batching and delivery settings at once (e.g. {@code ExportOptions.from(settings)}). */
    public LokiSinkBuilder setExportOptions(ExportOptions export) {
        this.export = export;
        return this;
    }

    /** {@code MAX_BATCH_SIZE}: entries per push. */
    public LokiSinkBuilder setMaxBatchSize(int maxBatchSize) {
        export = with(maxBatchSize, export.batchWait(), export.maxInFlightBatches(), export.retryAttempts(),
                export.retryDelay(), export.maxRetryDelay(), export.timeout());
        return this;
    }

    /** {@code EXPORT_BATCH_WAIT_MS}: longest an entry waits before its batch is sent. */
    public LokiSinkBuilder setBatchWait(Duration batchWait) {
        export = with(export.maxBatchSize(), batchWait, export.maxInFlightBatches(), export.retryAttempts(),
                export.retryDelay(), export.maxRetryDelay(), export.timeout());
        return this;
    }

    /** Pushes sent and not yet acknowledged; when reached, the writer stops taking input. */
    public LokiSinkBuilder setMaxInFlightBatches(int maxInFlightBatches) {
        export = with(export.maxBatchSize(), export.batchWait(), maxInFlightBatches, export.retryAttempts(),
                export.retryDelay(), export.maxRetryDelay(), export.timeout());
        return this;
    }

    /** {@code EXPORT_RETRY_ATTEMPTS}: requests per round before a circuit-breaker failure is counted. */
    public LokiSinkBuilder setRetryAttempts(int retryAttempts) {
        export = with(export.maxBatchSize(), export.batchWait(), export.maxInFlightBatches(), retryAttempts,
                export.retryDelay(), export.maxRetryDelay(), export.timeout());
        return this;
    }

    /** {@code EXPORT_RETRY_DELAY}: first backoff, doubling (with jitter) up to {@code maxRetryDelay}. */
    public LokiSinkBuilder setRetryDelay(Duration retryDelay, Duration maxRetryDelay) {
        export = with(export.maxBatchSize(), export.batchWait(), export.maxInFlightBatches(), export.retryAttempts(),
                retryDelay, maxRetryDelay, export.timeout());
        return this;
    }

    /** {@code EXPORT_TIMEOUT}: connect and request timeout of one push. */
    public LokiSinkBuilder setTimeout(Duration timeout) {
        export = with(export.maxBatchSize(), export.batchWait(), export.maxInFlightBatches(), export.retryAttempts(),
                export.retryDelay(), export.maxRetryDelay(), timeout);
        return this;
    }

    /**
     * {@code ENABLE_CIRCUIT_BREAKER}, {@code CIRCUIT_BREAKER_FAILURE_THRESHOLD},
     * {@code CIRCUIT_BREAKER_RECOVERY_TIMEOUT}.
     */
    public LokiSinkBuilder setCircuitBreaker(boolean enabled, int failureThreshold, Duration recoveryTimeout) {
        export = new ExportOptions(export.maxBatchSize(), export.batchWait(), export.maxInFlightBatches(),
                export.retryAttempts(), export.retryDelay(), export.maxRetryDelay(), export.timeout(), enabled,
                failureThreshold, recoveryTimeout);
        return this;
    }

    /** Upper bound of a push's uncompressed size (lines and metadata as limited by the encoder). */
    public LokiSinkBuilder setMaxBatchBytes(long maxBatchBytes) {
        this.maxBatchBytes = maxBatchBytes;
        return this;
    }

    /** Where batches Loki refuses as invalid go (the lead wires the Kafka DLQ); default: logged and dropped. */
    public LokiSinkBuilder setRejectedBatchHandler(RejectedBatchHandler rejectedBatchHandler) {
        this.rejectedBatchHandler = rejectedBatchHandler;
        return this;
    }

    public LokiSink build() {
        if (rejectedBatchHandler == null) {
            throw new IllegalArgumentException("rejectedBatchHandler must not be null");
        }
        return new LokiSink(new LokiSinkOptions(pushUrl, tenant, export, maxBatchBytes, security), rejectedBatchHandler);
    }

    private ExportOptions with(int maxBatchSize, Duration batchWait, int maxInFlight, int retryAttempts,
            Duration retryDelay, Duration maxRetryDelay, Duration timeout) {
        return new ExportOptions(maxBatchSize, batchWait, maxInFlight, retryAttempts, retryDelay, maxRetryDelay,
                timeout, export.circuitBreakerEnabled(), export.circuitBreakerThreshold(),
                export.circuitBreakerRecovery());
    }
}
