package org.correlationstation.connectors.redis;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.apache.flink.connector.base.sink.writer.ElementConverter;
import org.correlationstation.core.record.CorrelationRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The correlation records' writer: per batch the latest write of each record, compare-and-set and the
 * indexes ({@link RecordBatchWriter}); subtask 0 also runs the index trimmer. Buffering, retries and
 * flushing at checkpoints are {@link RedisBatchSinkWriter}'s.
 */
public final class RedisSinkWriter extends RedisBatchSinkWriter<CorrelationRecord, RedisRecordWrite> {
    private static final Logger LOG = LoggerFactory.getLogger(RedisSinkWriter.class);

    private final RecordBatchWriter batchWriter;
    private final IndexTrimSchedule trimSchedule;

    RedisSinkWriter(
            ElementConverter<CorrelationRecord, RedisRecordWrite> converter,
            WriterInitContext context,
            RedisSinkOptions options,
            Collection<BufferedRequestState<RedisRecordWrite>> restored) {
        super(converter, context, options, restored, "records");
        this.batchWriter = new RecordBatchWriter(new CasScript(), options);
        // One trimmer per job is enough, and several would only redo each other's work.
        this.trimSchedule = context.getTaskInfo().getIndexOfThisSubtask() == 0
                ? IndexTrimSchedule.start(connector, options)
                : null;
        LOG.info("Redis sink writer for {} started: {}", connector.endpoint(), options);
    }

    @Override
    protected List<RedisRecordWrite> prepare(List<RedisRecordWrite> entries) {
        return RecordBatchWriter.latestPerCorrelation(entries);
    }

    @Override
    protected CompletionStage<BatchResult> send(RedisConnector.Pipeline p, List<RedisRecordWrite> batch) {
        return batchWriter.write(p.commands(), p.flush(), batch, System.currentTimeMillis());
    }

    @Override
    protected long getSizeInBytes(RedisRecordWrite write) {
        return write.json().length();
    }

    @Override
    protected void closing() {
        if (trimSchedule != null) trimSchedule.close();
    }
}
