package org.correlationstation.connectors.redis;

import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;
import org.correlationstation.core.redis.RedisEndpoint;

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
        int trimPageSize,
        int waitReplicas) implements Serializable {

    public RedisSinkOptions {
        Objects.requireNonNull(redisUri, "redisUri");
        RedisEndpoint.parse(redisUri); // fail at build time, not on the task manager
        requirePositive(recordTtl, "recordTtl");
        requirePositive(batchWait, "batchWait");
        requirePositive(retryDelay, "retryDelay");
        requirePositive(maxRetryDelay, "maxRetryDelay");
        requirePositive(requestTimeout, "requestTimeout");
        requirePositive(indexTrimInterval, "indexTrimInterval");
        if (waitReplicas < 0) throw new IllegalArgumentException("waitReplicas must be >= 0");
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

    /** Standalone, cluster or sentinel, with hosts and ports, for logs: never the password. */
    public String endpoint() {
        return RedisEndpoint.parse(redisUri).describe();
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
                + requestTimeout + ", indexTrimInterval=" + indexTrimInterval + ", trimPageSize=" + trimPageSize
                + ", waitReplicas=" + waitReplicas + "}";
    }
}
