package org.correlationstation.connectors.redis;

import java.util.Collection;
import java.util.List;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.base.sink.AsyncSinkBase;
import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.apache.flink.connector.base.sink.writer.ElementConverter;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.correlationstation.core.record.CorrelationRecord;

/**
 * Writes correlation records to Redis (SPEC §5, §7): a Flink Sink V2 on the connector-base async
 * sink. Records are batched by size and time, written pipelined with a compare-and-set per record
 * plus the index updates, retried with backoff for as long as Redis needs, and flushed at every
 * checkpoint, so a checkpoint completes only when Redis acknowledged everything before it.
 *
 * <pre>{@code
 * stream.sinkTo(RedisSink.builder().setRedisUri("redis://localhost:6379").build());
 * }</pre>
 */
public final class RedisSink extends AsyncSinkBase<CorrelationRecord, RedisRecordWrite> {
    private static final long serialVersionUID = 1L;

    private static final ElementConverter<CorrelationRecord, RedisRecordWrite> CONVERTER =
            (record, context) -> RedisRecordWrite.of(record);

    private final RedisSinkOptions options;

    RedisSink(RedisSinkOptions options) {
        super(CONVERTER,
                options.maxBatchSize(),
                options.maxInFlightBatches(),
                options.maxBatchSize() * 2,
                RedisBatchSinkWriter.BYTES_UNBOUNDED,
                options.batchWait().toMillis(),
                RedisBatchSinkWriter.BYTES_UNBOUNDED);
        this.options = options;
    }

    public static RedisSinkBuilder builder() {
        return new RedisSinkBuilder();
    }

    public RedisSinkOptions options() {
        return options;
    }

    @Override
    public StatefulSinkWriter<CorrelationRecord, BufferedRequestState<RedisRecordWrite>> createWriter(
            WriterInitContext context) {
        return restoreWriter(context, List.of());
    }

    @Override
    public StatefulSinkWriter<CorrelationRecord, BufferedRequestState<RedisRecordWrite>> restoreWriter(
            WriterInitContext context, Collection<BufferedRequestState<RedisRecordWrite>> recoveredState) {
        return new RedisSinkWriter(getElementConverter(), context, options, recoveredState);
    }

    @Override
    public SimpleVersionedSerializer<BufferedRequestState<RedisRecordWrite>> getWriterStateSerializer() {
        return new RedisRecordWriteSerializer();
    }

    @Override
    public String toString() {
        return "RedisSink{" + options + "}";
    }
}
