package org.correlationstation.connectors.tempo;

import java.util.Collection;
import java.util.List;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.base.sink.AsyncSinkBase;
import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.apache.flink.connector.base.sink.writer.ElementConverter;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.correlationstation.core.model.OtlpTraces;

/**
 * Sends every span to Grafana Tempo, unchanged, over OTLP (SPEC §7): the input is each Kafka message's
 * original {@code TracesData}; messages are batched by span count and time, a batch's messages are
 * concatenated into one {@code ExportTraceServiceRequest} (no re-encoding), and each request is delivered
 * with the shared retry loop (backoff with jitter, Retry-After, circuit breaker, for as long as it takes).
 * A batch Tempo rejects as invalid goes, as its original messages, to the {@link RejectedBatchHandler}.
 * At every checkpoint the writer sends everything it holds and waits until Tempo acknowledged it.
 *
 * <pre>{@code
 * traces.sinkTo(TempoSink.builder().setGrpcEndpoint("tempo:4317")
 *         .setExportOptions(ExportOptions.from(settings)).setRejectedBatchHandler(dlq).build());
 * }</pre>
 */
public final class TempoSink extends AsyncSinkBase<OtlpTraces, TracesEntry> {
    private static final long serialVersionUID = 1L;

    private static final ElementConverter<OtlpTraces, TracesEntry> CONVERTER =
            (traces, context) -> TracesEntry.of(traces);

    private final TempoSinkOptions options;
    private final RejectedBatchHandler rejectedBatchHandler;

    TempoSink(TempoSinkOptions options, RejectedBatchHandler rejectedBatchHandler) {
        super(CONVERTER,
                options.export().maxBatchSize(),
                options.export().maxInFlightBatches(),
                TempoSinkWriter.maxBufferedMessages(options),
                options.export().maxBatchSize(),
                options.export().batchWait().toMillis(),
                options.export().maxBatchSize());
        this.options = options;
        this.rejectedBatchHandler = rejectedBatchHandler;
    }

    public static TempoSinkBuilder builder() {
        return new TempoSinkBuilder();
    }

    public TempoSinkOptions options() {
        return options;
    }

    @Override
    public StatefulSinkWriter<OtlpTraces, BufferedRequestState<TracesEntry>> createWriter(WriterInitContext context) {
        return restoreWriter(context, List.of());
    }

    @Override
    public StatefulSinkWriter<OtlpTraces, BufferedRequestState<TracesEntry>> restoreWriter(
            WriterInitContext context, Collection<BufferedRequestState<TracesEntry>> recoveredState) {
        return new TempoSinkWriter(getElementConverter(), context, options, rejectedBatchHandler, recoveredState);
    }

    @Override
    public SimpleVersionedSerializer<BufferedRequestState<TracesEntry>> getWriterStateSerializer() {
        return new TracesEntrySerializer();
    }

    @Override
    public String toString() {
        return "TempoSink{" + options + "}";
    }
}
