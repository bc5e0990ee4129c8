package org.correlationstation.connectors.export;

import java.util.concurrent.TimeUnit;
import org.apache.flink.connector.base.sink.writer.config.AsyncSinkWriterConfiguration;

/**
 * The AsyncSinkWriter configuration of the Redis, Loki and Tempo writers, which retry a batch for as
 * long as it takes while it keeps its in-flight slot: at most {@code maxInFlight} full-size batches
 * (see {@link BoundedInFlightBatches}), and the writer's own request timeout set beyond any outage —
 * a timed-out batch would otherwise be re-queued while its first copy is still retrying, sending it
 * twice, breaking the in-flight bound and (for Redis) the order of a trace's records.
 */
public final class RetryForeverWriterConfiguration {
    private static final long BEYOND_ANY_OUTAGE_MS = TimeUnit.DAYS.toMillis(30);

    private RetryForeverWriterConfiguration() {}

    public static AsyncSinkWriterConfiguration of(int maxBatchSize, long maxBatchBytes, long maxRecordBytes,
            int maxInFlight, long batchWaitMillis) {
        return AsyncSinkWriterConfiguration.builder()
                .setMaxBatchSize(maxBatchSize)
                .setMaxBatchSizeInBytes(maxBatchBytes)
                .setMaxInFlightRequests(maxInFlight)
                .setMaxBufferedRequests(maxBatchSize * 2)
                .setMaxTimeInBufferMS(batchWaitMillis)
                .setMaxRecordSizeInBytes(maxRecordBytes)
                .setRequestTimeoutMS(BEYOND_ANY_OUTAGE_MS)
                .setFailOnTimeout(false)
                .setRateLimitingStrategy(new BoundedInFlightBatches(maxInFlight, maxBatchSize))
                .build();
    }
}
