package org.correlationstation.connectors.redis;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.apache.flink.connector.base.sink.writer.ElementConverter;
import org.correlationstation.core.graph.GraphUpdate;

/** The service graph's writer: per batch the largest total of each element, then {@link GraphBatchWriter}. */
final class RedisGraphSinkWriter extends RedisBatchSinkWriter<GraphUpdate, GraphUpdate> {
    private final GraphBatchWriter batchWriter;

    RedisGraphSinkWriter(ElementConverter<GraphUpdate, GraphUpdate> converter, WriterInitContext context,
            RedisSinkOptions options, Collection<BufferedRequestState<GraphUpdate>> restored) {
        super(converter, context, options, restored, "graph totals");
        this.batchWriter = new GraphBatchWriter(options.recordTtl().toMillis());
    }

    @Override
    protected List<GraphUpdate> prepare(List<GraphUpdate> entries) {
        return GraphBatchWriter.latestPerElement(entries);
    }

    @Override
    protected CompletionStage<BatchResult> send(RedisConnector.Pipeline p, List<GraphUpdate> batch) {
        return batchWriter.write(p.commands(), p.flush(), batch);
    }

    @Override
    protected long getSizeInBytes(GraphUpdate update) {
        return 64L + 16L * update.counts().durations.size();
    }
}
