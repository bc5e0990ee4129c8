package org.correlationstation.connectors.tempo;

import org.correlationstation.core.config.UrlRedaction;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.base.sink.writer.AsyncSinkWriter;
import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.apache.flink.connector.base.sink.writer.DequeRequestBuffer;
import org.apache.flink.connector.base.sink.writer.ElementConverter;
import org.apache.flink.connector.base.sink.writer.ResultHandler;
import org.apache.flink.connector.base.sink.writer.config.AsyncSinkWriterConfiguration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.ThreadSafeSimpleCounter;
import org.apache.flink.util.FlinkRuntimeException;
import org.correlationstation.connectors.export.RetryForeverWriterConfiguration;
import org.correlationstation.connectors.export.CircuitBreaker;
import org.correlationstation.connectors.export.ExportMetrics;
import org.correlationstation.connectors.export.ExportOptions;
import org.correlationstation.connectors.export.RetryingExporter;
import org.correlationstation.core.model.OtlpTraces;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Flink's AsyncSinkWriter does the buffering, the size and time triggers, the bound on requests in flight
 * (write blocks when reached: backpressure) and the checkpointable buffer. The writer's "size" of a
 * message is its span count (capped at the batch size, so that no single message is too large for Flink),
 * which makes Flink's byte trigger a span trigger; {@link TracesBatchCreator} cuts batches by spans and
 * bytes. This class merges a batch into one request and hands it to the shared {@link RetryingExporter}:
 * nothing but a rejection as invalid ends a batch's delivery, and a batch waiting for its next attempt
 * keeps its slot, so while Tempo is down the writer stops taking input and checkpoints wait.
 */
final class TempoSinkWriter extends AsyncSinkWriter<OtlpTraces, TracesEntry> {
    private static final Logger LOG = LoggerFactory.getLogger(TempoSinkWriter.class);
    static final String BACKEND = "tempo";
    static final String REJECTED_SPANS = "tempo_rejected_spans";

    private final TempoSinkOptions options;
    private final RejectedBatchHandler rejectedBatchHandler;
    private final ScheduledExecutorService scheduler;
    private final ExecutorService deadLetters;
    private final OtlpTraceTransport transport;
    private final CircuitBreaker breaker;
    private final ExportMetrics metrics;
    private final RetryingExporter<byte[]> exporter;
    private final Counter partiallyRejectedSpans;
    private final Counter rejectedBatchSpans;
    private volatile boolean closed;

    TempoSinkWriter(
            ElementConverter<OtlpTraces, TracesEntry> converter,
            WriterInitContext context,
            TempoSinkOptions options,
            RejectedBatchHandler rejectedBatchHandler,
            Collection<BufferedRequestState<TracesEntry>> restored) {
        super(converter, context, configuration(options.export()), restored,
                new TracesBatchCreator(options.export().maxBatchSize(), options.maxRequestBytes()),
                new DequeRequestBuffer<>());
        this.options = options;
        this.rejectedBatchHandler = rejectedBatchHandler;
        ExportOptions export = options.export();
        this.breaker = new CircuitBreaker(export.circuitBreakerEnabled(), export.circuitBreakerThreshold(),
                export.circuitBreakerRecovery());
        this.metrics = new ExportMetrics(context.metricGroup(), BACKEND, breaker::state);
        this.partiallyRejectedSpans = metrics.group().addGroup("reason", "partial_success")
                .counter(REJECTED_SPANS, new ThreadSafeSimpleCounter());
        this.rejectedBatchSpans = metrics.group().addGroup("reason", "batch_rejected")
                .counter(REJECTED_SPANS, new ThreadSafeSimpleCounter());
        this.scheduler = Executors.newSingleThreadScheduledExecutor(daemon("tempo-export-retries"));
        this.deadLetters = Executors.newSingleThreadExecutor(daemon("tempo-rejected-batches"));
        OtlpTraceTransport.PartialSuccessListener partial = this::partiallyRejected;
        this.transport = options.grpc()
                ? new OtlpGrpcTraceTransport(options, partial)
                : new OtlpHttpTraceTransport(options, partial);
        this.exporter = new RetryingExporter<>(BACKEND, transport::send, export, breaker, metrics, scheduler);
        try {
            rejectedBatchHandler.open(context);
        } catch (Exception e) {
            close();
            throw new FlinkRuntimeException("could not open the Tempo sink's rejected-batch handler", e);
        }
        LOG.info("Tempo sink writer for {} ({}) started: {}", UrlRedaction.redact(transport.endpoint()),
                options.grpc() ? "OTLP/gRPC" : "OTLP/HTTP", options);
    }

    static int maxBufferedMessages(TempoSinkOptions options) {
        return options.export().maxBatchSize() * 2;
    }

    private static AsyncSinkWriterConfiguration configuration(ExportOptions export) {
        // "bytes" are spans here (see getSizeInBytes)
        return RetryForeverWriterConfiguration.of(export.maxBatchSize(), export.maxBatchSize(), export.maxBatchSize(),
                export.maxInFlightBatches(), export.batchWait().toMillis());
    }

    @Override
    protected void submitRequestEntries(List<TracesEntry> entries, ResultHandler<TracesEntry> handler) {
        byte[] request = TraceRequests.merge(entries);
        int spans = TraceRequests.spans(entries);
        exporter.export(request, spans).whenComplete((outcome, error) -> {
            if (error != null) {
                getFatalExceptionCons().accept(new FlinkRuntimeException("Tempo export failed unexpectedly", error));
            } else if (outcome.delivered()) {
                handler.complete();
            } else {
                deadLetter(entries, spans, outcome.status() + ": " + outcome.answer(), handler);
            }
        });
    }

    private void deadLetter(List<TracesEntry> entries, int spans, String answer, ResultHandler<TracesEntry> handler) {
        List<byte[]> originals = new ArrayList<>(entries.size());
        for (TracesEntry e : entries) {
            originals.add(e.tracesData());
        }
        try {
            deadLetters.execute(() -> {
                try {
                    rejectedBatchHandler.rejected(originals, answer);
                    rejectedBatchSpans.inc(spans);
                    handler.complete();
                } catch (Exception e) {
                    if (!closed) {
                        getFatalExceptionCons().accept(new FlinkRuntimeException(
                                "could not hand a batch Tempo rejected (" + answer + ") to the dead-letter handler", e));
                    }
                }
            });
        } catch (RejectedExecutionException closing) {
            LOG.debug("Tempo sink closing; {} rejected messages replay from the checkpoint", originals.size());
        }
    }

    private void partiallyRejected(long spans) {
        partiallyRejectedSpans.inc(spans);
        LOG.warn("Tempo accepted a request but rejected {} of its spans (partial success)", spans);
    }

    /**
     * At a checkpoint too, everything buffered is sent and acknowledged, not only the requests already in
     * flight (as the Redis sink does): a completed checkpoint means Tempo holds every span before it.
     */
    @Override
    public void flush(boolean endOfInput) throws InterruptedException {
        super.flush(true);
    }

    @Override
    protected long getSizeInBytes(TracesEntry entry) {
        return Math.min(entry.spanCount(), options.export().maxBatchSize());
    }

    @Override
    public void close() {
        closed = true;
        exporter.close();
        scheduler.shutdownNow();
        deadLetters.shutdownNow();
        transport.close();
        try {
            rejectedBatchHandler.close();
        } catch (Exception e) {
            LOG.warn("closing the rejected-batch handler failed", e);
        }
        super.close();
    }

    private static ThreadFactory daemon(String name) {
        return runnable -> {
            Thread t = new Thread(runnable, name);
            t.setDaemon(true);
            return t;
        };
    }
}
