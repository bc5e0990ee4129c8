package org.correlationstation.connectors.export;

import java.io.Serializable;
import java.time.Duration;
import org.correlationstation.core.config.Options;
import org.correlationstation.core.config.Settings;

/** Batching and delivery settings shared by the Loki and Tempo sinks (SPEC §7–8). */
public record ExportOptions(
        int maxBatchSize,
        Duration batchWait,
        int maxInFlightBatches,
        int retryAttempts,
        Duration retryDelay,
        Duration maxRetryDelay,
        Duration timeout,
        boolean circuitBreakerEnabled,
        int circuitBreakerThreshold,
        Duration circuitBreakerRecovery) implements Serializable {

    public ExportOptions {
        if (maxBatchSize < 1 || maxInFlightBatches < 1 || retryAttempts < 1) {
            throw new IllegalArgumentException("batch size, in-flight batches and retry attempts must be >= 1");
        }
    }

    public static ExportOptions from(Settings settings) {
        Duration delay = seconds(settings.get(Options.EXPORT_RETRY_DELAY));
        return new ExportOptions(
                settings.get(Options.MAX_BATCH_SIZE),
                Duration.ofMillis(settings.get(Options.EXPORT_BATCH_WAIT_MS)),
                4,
                settings.get(Options.EXPORT_RETRY_ATTEMPTS),
                delay,
                maxOf(delay.multipliedBy(32), Duration.ofSeconds(30)),
                seconds(settings.get(Options.EXPORT_TIMEOUT)),
                settings.get(Options.ENABLE_CIRCUIT_BREAKER),
                settings.get(Options.CIRCUIT_BREAKER_FAILURE_THRESHOLD),
                Duration.ofSeconds(settings.get(Options.CIRCUIT_BREAKER_RECOVERY_TIMEOUT)));
    }

    /** SPEC §8 defaults. */
    public static ExportOptions defaults() {
        return from(Settings.defaults());
    }

    private static Duration seconds(double s) {
        return Duration.ofMillis(Math.round(s * 1000));
    }

    private static Duration maxOf(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
