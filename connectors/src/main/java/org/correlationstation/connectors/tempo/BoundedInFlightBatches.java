package org.correlationstation.connectors.tempo;

import org.apache.flink.connector.base.sink.writer.strategy.RateLimitingStrategy;
import org.apache.flink.connector.base.sink.writer.strategy.RequestInfo;
import org.apache.flink.connector.base.sink.writer.strategy.ResultInfo;

/**
 * At most N batches in flight, each of the full batch size (as the Redis sink's): the default AIMD
 * strategy would shrink batches on every failure and leave tiny ones behind after an outage. A batch
 * that is retrying stays in flight, so an outage fills the slots and the writer stops taking input.
 * Used on the mailbox thread only.
 */
final class BoundedInFlightBatches implements RateLimitingStrategy {
    private final int maxInFlight;
    private final int maxBatchSize;
    private int inFlight;

    BoundedInFlightBatches(int maxInFlight, int maxBatchSize) {
        this.maxInFlight = maxInFlight;
        this.maxBatchSize = maxBatchSize;
    }

    @Override
    public void registerInFlightRequest(RequestInfo requestInfo) {
        inFlight++;
    }

    @Override
    public void registerCompletedRequest(ResultInfo resultInfo) {
        inFlight--;
    }

    @Override
    public boolean shouldBlock(RequestInfo requestInfo) {
        return inFlight >= maxInFlight;
    }

    @Override
    public int getMaxBatchSize() {
        return maxBatchSize;
    }
}
