package org.correlationstation.connectors.redis;

import io.lettuce.core.RedisURI;
import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the Redis sink, validated once by {@link RedisSinkBuilder}. Serializable because the
 * sink is shipped to the task managers. {@link #toString()} never shows the URI's password.
 */
public record RedisSinkOptions(
        String redisUri,
        Duration recordTtl,
        int maxBatchSize,
        Duration batchWait,
        int maxInFlightBatches,
        Duration retryDelay,
        Duration maxRetryDelay,
        Duration requestTimeout,
        Duration indexTrimInterval,
        int trimPageSize) implements Serializable {

    public RedisSinkOptions {
        Objects.requireNonNull(redisUri, "redisUri");
        RedisURI.create(redisUri); // fail at build time, not on the task manager
        requirePositive(recordTtl, "recordTtl");
        requirePositive(batchWait, "batchWait");
        requirePositive(retryDelay, "retryDelay");
        requirePositive(maxRetryDelay, "maxRetryDelay");
        requirePositive(requestTimeout, "requestTimeout");
        requirePositive(indexTrimInterval, "indexTrimInterval");
        if (maxBatchSize < 1 || maxInFlightBatches < 1 || trimPageSize < 1) {
            throw new IllegalArgumentException("maxBatchSize, maxInFlightBatches and trimPageSize must be >= 1");
        }
        if (maxRetryDelay.compareTo(retryDelay) < 0) {
            throw new IllegalArgumentException("maxRetryDelay must not be shorter than retryDelay");
        }
    }

    /** How long {@code corr:idx:<cid>} and {@code corr:expiries} outlive a record: two trim rounds. */
    public Duration bookkeepingTtl() {
        return recordTtl.plus(indexTrimInterval.multipliedBy(2));
    }

    /** host:port (or the sentinel master id) for logs: never the password. */
    public String endpoint() {
        return endpointOf(RedisURI.create(redisUri));
    }

    static String endpointOf(RedisURI uri) {
        if (uri.getHost() != null) {
            return uri.getHost() + ":" + uri.getPort();
        }
        if (uri.getSocket() != null) {
            return uri.getSocket();
        }
        return "sentinel/" + uri.getSentinelMasterId();
    }

    private static void requirePositive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, got " + d);
        }
    }

    @Override
    public String toString() {
        return "RedisSinkOptions{endpoint=" + endpoint() + ", recordTtl=" + recordTtl + ", maxBatchSize="
                + maxBatchSize + ", batchWait=" + batchWait + ", maxInFlightBatches=" + maxInFlightBatches
                + ", retryDelay=" + retryDelay + ", maxRetryDelay=" + maxRetryDelay + ", requestTimeout="
                + requestTimeout + ", indexTrimInterval=" + indexTrimInterval + ", trimPageSize=" + trimPageSize + "}";
    }
}
