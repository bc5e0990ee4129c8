package org.correlationstation.connectors.loki;

import org.apache.flink.connector.base.sink.writer.strategy.RateLimitingStrategy;
import org.apache.flink.connector.base.sink.writer.strategy.RequestInfo;
import org.apache.flink.connector.base.sink.writer.strategy.ResultInfo;

/**
 * At most N pushes in flight, each of the full batch size (as the Redis sink's): the default AIMD
 * strategy would shrink batches during an outage. A push that is retrying stays in flight, so an
 * outage fills the slots and the writer stops taking input. Mailbox thread only.
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
