package org.correlationstation.connectors.export;

import org.apache.flink.connector.base.sink.writer.strategy.RateLimitingStrategy;
import org.apache.flink.connector.base.sink.writer.strategy.RequestInfo;
import org.apache.flink.connector.base.sink.writer.strategy.ResultInfo;

/**
 * At most N batches in flight, each of the full batch size. Replaces the AsyncSinkWriter's default
 * AIMD strategy, which shrinks batches on every failure: during a backend outage that would leave
 * one-record batches behind, slowing the catch-up exactly when the backlog is largest. Shared by the
 * Redis, Loki and Tempo writers. A batch that
 * is retrying stays in flight, so an outage fills the slots and the writer stops taking input
 * (backpressure). Used on the mailbox thread only.
 */
public final class BoundedInFlightBatches implements RateLimitingStrategy {
    private final int maxInFlight;
    private final int maxBatchSize;
    private int inFlight;

    public BoundedInFlightBatches(int maxInFlight, int maxBatchSize) {
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
