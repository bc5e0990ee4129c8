package org.correlationstation.connectors.loki;

import java.util.Collection;
import java.util.List;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.base.sink.AsyncSinkBase;
import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.apache.flink.connector.base.sink.writer.ElementConverter;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * Pushes log entries to Grafana Loki (SPEC §7): a Flink Sink V2 on the connector-base async sink.
 * Entries are batched by count and time, encoded as a snappy-compressed protobuf PushRequest (one
 * stream per label set, time-ordered), POSTed asynchronously, retried with backoff, Retry-After and a
 * circuit breaker for as long as Loki needs, and flushed at every checkpoint; batches Loki refuses as
 * invalid go to the {@link RejectedBatchHandler}.
 *
 * <pre>{@code
 * logs.sinkTo(LokiSink.builder().setPushUrl("http://loki:3100/loki/api/v1/push").setTenant("team-a")
 *         .setExportOptions(ExportOptions.from(settings)).setRejectedBatchHandler(dlq).build());
 * }</pre>
 */
public final class LokiSink extends AsyncSinkBase<LokiEntry, LokiEntry> {
    private static final long serialVersionUID = 1L;

    private static final ElementConverter<LokiEntry, LokiEntry> CONVERTER = (entry, context) -> entry;

    private final LokiSinkOptions options;
    private final RejectedBatchHandler rejectedBatchHandler;

    LokiSink(LokiSinkOptions options, RejectedBatchHandler rejectedBatchHandler) {
        super(CONVERTER,
                options.export().maxBatchSize(),
                options.export().maxInFlightBatches(),
                options.export().maxBatchSize() * 2,
                options.maxBatchBytes(),
                options.export().batchWait().toMillis(),
                LokiSinkWriter.MAX_ENTRY_BYTES);
        this.options = options;
        this.rejectedBatchHandler = rejectedBatchHandler;
    }

    public static LokiSinkBuilder builder() {
        return new LokiSinkBuilder();
    }

    public LokiSinkOptions options() {
        return options;
    }

    @Override
    public StatefulSinkWriter<LokiEntry, BufferedRequestState<LokiEntry>> createWriter(WriterInitContext context)
            throws java.io.IOException {
        return restoreWriter(context, List.of());
    }

    @Override
    public StatefulSinkWriter<LokiEntry, BufferedRequestState<LokiEntry>> restoreWriter(
            WriterInitContext context, Collection<BufferedRequestState<LokiEntry>> recoveredState)
            throws java.io.IOException {
        return new LokiSinkWriter(getElementConverter(), context, options, rejectedBatchHandler, recoveredState);
    }

    @Override
    public SimpleVersionedSerializer<BufferedRequestState<LokiEntry>> getWriterStateSerializer() {
        return new LokiEntrySerializer();
    }

    @Override
    public String toString() {
        return "LokiSink{" + options + "}";
    }
}
