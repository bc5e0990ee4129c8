package org.correlationstation.connectors.tempo;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.connector.base.sink.writer.Batch;
import org.apache.flink.connector.base.sink.writer.BatchCreator;
import org.apache.flink.connector.base.sink.writer.RequestBuffer;
import org.apache.flink.connector.base.sink.writer.RequestEntryWrapper;
import org.apache.flink.connector.base.sink.writer.strategy.RequestInfo;

/**
 * Takes messages from the head of the buffer while the batch stays within {@code MAX_BATCH_SIZE} spans
 * and the request within the byte limit (a backend's maximum message size: 4 MiB by default for OTLP/gRPC
 * receivers). A single message over either limit still goes, alone: it cannot be made smaller without
 * re-encoding it, and the buffer must not get stuck. (Flink's SimpleBatchCreator would return an empty
 * batch then.)
 */
final class TracesBatchCreator implements BatchCreator<TracesEntry> {
    private final int maxSpans;
    private final long maxBytes;

    TracesBatchCreator(int maxSpans, long maxBytes) {
        this.maxSpans = maxSpans;
        this.maxBytes = maxBytes;
    }

    @Override
    public Batch<TracesEntry> createNextBatch(RequestInfo requestInfo, RequestBuffer<TracesEntry> buffer) {
        List<TracesEntry> batch = new ArrayList<>();
        long spans = 0;
        long bytes = 0;
        while (!buffer.isEmpty() && batch.size() < Math.max(1, requestInfo.getBatchSize())) {
            TracesEntry next = buffer.peek().getRequestEntry();
            if (!batch.isEmpty() && (spans + next.spanCount() > maxSpans || bytes + next.tracesData().length > maxBytes)) {
                break;
            }
            RequestEntryWrapper<TracesEntry> taken = buffer.poll();
            batch.add(taken.getRequestEntry());
            spans += next.spanCount();
            bytes += next.tracesData().length;
        }
        return new Batch<>(batch, bytes);
    }
}
