package org.correlationstation.connectors.redis;

import java.util.Collection;
import java.util.List;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.base.sink.AsyncSinkBase;
import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.apache.flink.connector.base.sink.writer.ElementConverter;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.correlationstation.core.graph.GraphUpdate;

/**
 * Writes the service graph's totals to Redis (docs/redis.md, "Service graph"): one hash per time
 * bucket, a compare-and-set per element, with the record sink's batching, retries, replica waits and
 * flush at every checkpoint ({@link RedisBatchSinkWriter}), on the same Redis options.
 *
 * <pre>{@code
 * totals.sinkTo(RedisGraphSink.of(recordSink.options()));
 * }</pre>
 */
public final class RedisGraphSink extends AsyncSinkBase<GraphUpdate, GraphUpdate> {
    private static final long serialVersionUID = 1L;

    private static final ElementConverter<GraphUpdate, GraphUpdate> CONVERTER = (update, context) -> update;

    private final RedisSinkOptions options;

    private RedisGraphSink(RedisSinkOptions options) {
        super(CONVERTER,
                options.maxBatchSize(),
                options.maxInFlightBatches(),
                options.maxBatchSize() * 2,
                RedisBatchSinkWriter.BYTES_UNBOUNDED,
                options.batchWait().toMillis(),
                RedisBatchSinkWriter.BYTES_UNBOUNDED);
        this.options = options;
    }

    public static RedisGraphSink of(RedisSinkOptions options) {
        return new RedisGraphSink(options);
    }

    @Override
    public StatefulSinkWriter<GraphUpdate, BufferedRequestState<GraphUpdate>> createWriter(WriterInitContext context) {
        return restoreWriter(context, List.of());
    }

    @Override
    public StatefulSinkWriter<GraphUpdate, BufferedRequestState<GraphUpdate>> restoreWriter(
            WriterInitContext context, Collection<BufferedRequestState<GraphUpdate>> recoveredState) {
        return new RedisGraphSinkWriter(getElementConverter(), context, options, recoveredState);
    }

    @Override
    public SimpleVersionedSerializer<BufferedRequestState<GraphUpdate>> getWriterStateSerializer() {
        return new GraphUpdateWriteSerializer();
    }

    @Override
    public String toString() {
        return "RedisGraphSink{" + options + "}";
    }
}
