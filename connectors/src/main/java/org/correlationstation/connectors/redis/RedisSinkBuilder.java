package org.correlationstation.connectors.redis;

import java.time.Duration;

/**
 * Builds a {@link RedisSink}. Defaults follow SPEC §8: {@code CORRELATION_TTL_SECONDS} 3600,
 * {@code MAX_BATCH_SIZE} 5000, {@code REDIS_BATCH_WAIT_MS} 100, {@code EXPORT_RETRY_DELAY} 1 s,
 * {@code EXPORT_TIMEOUT} 10 s, {@code INDEX_TRIM_INTERVAL_SECONDS} 60.
 */
public final class RedisSinkBuilder {
    private String redisUri;
    private Duration recordTtl = Duration.ofSeconds(3600);
    private int maxBatchSize = 5000;
    private Duration batchWait = Duration.ofMillis(100);
    /**
     * One: records of a trace must reach Redis in emission order. The compare-and-set writes ties
     * (SPEC §5), and two emissions can tie on progress while differing in content (an inferred link
     * decided later); with several batches in flight, a retried older batch could land after a newer
     * one and overwrite it. A batch is one pipelined round trip of up to maxBatchSize records anyway.
     */
    private int maxInFlightBatches = 1;
    private Duration retryDelay = Duration.ofSeconds(1);
    private Duration maxRetryDelay = Duration.ofSeconds(10);
    private Duration requestTimeout = Duration.ofSeconds(10);
    private Duration indexTrimInterval = Duration.ofSeconds(60);
    private int trimPageSize = 1000;
    private int waitReplicas = 0;

    RedisSinkBuilder() {}

    /** {@code redis://[:password@]host[:port][/db]}, {@code rediss://…} for TLS, or a sentinel URI. */
    public RedisSinkBuilder setRedisUri(String redisUri) {
        this.redisUri = redisUri;
        return this;
    }

    /** Expiry of the record, trace and index keys after each write ({@code CORRELATION_TTL_SECONDS}). */
    public RedisSinkBuilder setRecordTtl(Duration recordTtl) {
        this.recordTtl = recordTtl;
        return this;
    }

    /** Records per pipelined batch ({@code MAX_BATCH_SIZE}). */
    public RedisSinkBuilder setMaxBatchSize(int maxBatchSize) {
        this.maxBatchSize = maxBatchSize;
        return this;
    }

    /** Longest a record waits in the buffer before its batch is sent ({@code REDIS_BATCH_WAIT_MS}). */
    public RedisSinkBuilder setBatchWait(Duration batchWait) {
        this.batchWait = batchWait;
        return this;
    }

    /** Batches sent but not yet acknowledged; when reached, the writer stops taking input. */
    public RedisSinkBuilder setMaxInFlightBatches(int maxInFlightBatches) {
        this.maxInFlightBatches = maxInFlightBatches;
        return this;
    }

    /** First backoff after a failed batch ({@code EXPORT_RETRY_DELAY}); doubles up to the max. */
    public RedisSinkBuilder setRetryDelay(Duration retryDelay) {
        this.retryDelay = retryDelay;
        return this;
    }

    /** Upper bound of the backoff between attempts, and of lettuce's reconnect delay. */
    public RedisSinkBuilder setMaxRetryDelay(Duration maxRetryDelay) {
        this.maxRetryDelay = maxRetryDelay;
        return this;
    }

    /** Per-command timeout and connect timeout ({@code EXPORT_TIMEOUT}). */
    public RedisSinkBuilder setRequestTimeout(Duration requestTimeout) {
        this.requestTimeout = requestTimeout;
        return this;
    }

    /** How often subtask 0 removes index entries of expired records ({@code INDEX_TRIM_INTERVAL_SECONDS}). */
    public RedisSinkBuilder setIndexTrimInterval(Duration indexTrimInterval) {
        this.indexTrimInterval = indexTrimInterval;
        return this;
    }

    /** Expired records examined per trim request (several pages per round when many are due). */
    public RedisSinkBuilder setTrimPageSize(int trimPageSize) {
        this.trimPageSize = trimPageSize;
        return this;
    }

    /**
     * Replicas each batch must reach before it counts as written ({@code REDIS_WAIT_REPLICAS}, {@code WAIT
     * n timeout} on every primary written to): with 0, a primary that dies may take acknowledged writes
     * with it (Redis replicates asynchronously).
     */
    public RedisSinkBuilder setWaitReplicas(int waitReplicas) {
        this.waitReplicas = waitReplicas;
        return this;
    }

    public RedisSinkOptions buildOptions() {
        return new RedisSinkOptions(redisUri, recordTtl, maxBatchSize, batchWait, maxInFlightBatches, retryDelay,
                maxRetryDelay, requestTimeout, indexTrimInterval, trimPageSize, waitReplicas);
    }

    public RedisSink build() {
        return new RedisSink(buildOptions());
    }
}
