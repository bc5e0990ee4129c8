package org.correlationstation.connectors.loki;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.base.sink.writer.AsyncSinkWriter;
import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.apache.flink.connector.base.sink.writer.ElementConverter;
import org.apache.flink.connector.base.sink.writer.ResultHandler;
import org.apache.flink.connector.base.sink.writer.config.AsyncSinkWriterConfiguration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.ThreadSafeSimpleCounter;
import org.correlationstation.connectors.export.RetryForeverWriterConfiguration;
import org.correlationstation.connectors.export.AttemptResult;
import org.correlationstation.connectors.export.CircuitBreaker;
import org.correlationstation.connectors.export.ExportMetrics;
import org.correlationstation.connectors.export.ExportOptions;
import org.correlationstation.connectors.export.RetryAfter;
import org.correlationstation.connectors.export.RetryingExporter;
import org.correlationstation.connectors.export.SinkSecurity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Flink's AsyncSinkWriter does the buffering, the size and time triggers, the bound on pushes in flight
 * (write blocks when reached: backpressure) and the checkpointable buffer. This class encodes a batch
 * once, and hands it to the shared {@link RetryingExporter}, which POSTs it until Loki answers 2xx
 * (retrying 408/429/5xx, timeouts and connection failures with backoff, Retry-After and the circuit
 * breaker, forever) or refuses it as invalid (other 4xx: the batch goes to the
 * {@link RejectedBatchHandler}). Only then is the batch complete, so a push that is retrying keeps its
 * in-flight slot, and a checkpoint's flush waits for Loki's acknowledgement of everything before it.
 */
public final class LokiSinkWriter extends AsyncSinkWriter<LokiEntry, LokiEntry> {
    private static final Logger LOG = LoggerFactory.getLogger(LokiSinkWriter.class);

    public static final String BACKEND = "loki";
    public static final String TRUNCATED_LINES = "loki_truncated_lines";
    /** An entry's size as the batch limit counts it is bounded by the encoder's limits (plus labels). */
    static final long MAX_ENTRY_BYTES =
            LokiPushEncoder.MAX_LINE_BYTES + LokiPushEncoder.MAX_METADATA_BYTES + 3L * LokiPushEncoder.MAX_LABEL_VALUE_CHARS + 64;
    private static final int MAX_ANSWER_CHARS = 4096;
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final LokiSinkOptions options;
    private final URI uri;
    private final Map<String, String> headers;
    private final RejectedBatchHandler rejected;
    private final ExecutorService httpExecutor;
    private final ScheduledExecutorService scheduler;
    private final HttpClient http;
    private final CircuitBreaker breaker;
    private final RetryingExporter<byte[]> exporter;
    private final Counter truncatedLines;
    private volatile boolean closed;

    LokiSinkWriter(
            ElementConverter<LokiEntry, LokiEntry> converter,
            WriterInitContext context,
            LokiSinkOptions options,
            RejectedBatchHandler rejected,
            Collection<BufferedRequestState<LokiEntry>> restored) throws IOException {
        super(converter, context, configuration(options), restored);
        this.options = options;
        // the credentials of the URL go in the Authorization header, never in the request line
        this.uri = URI.create(SinkSecurity.withoutUserInfo(options.pushUrl()));
        this.headers = options.security().requestHeaders(options.pushUrl());
        this.rejected = rejected;
        int subtask = context.getTaskInfo().getIndexOfThisSubtask();
        this.httpExecutor = Executors.newCachedThreadPool(r -> daemon(r, "loki-http-" + subtask));
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "loki-retry-" + subtask));
        ExportOptions export = options.export();
        HttpClient.Builder client = HttpClient.newBuilder()
                .executor(httpExecutor)
                .connectTimeout(export.timeout())
                .version(HttpClient.Version.HTTP_1_1);
        options.security().applyTo(client, "LOKI");
        this.http = client.build();
        this.breaker = new CircuitBreaker(export.circuitBreakerEnabled(), export.circuitBreakerThreshold(),
                export.circuitBreakerRecovery());
        ExportMetrics metrics = new ExportMetrics(context.metricGroup(), BACKEND, breaker::state);
        this.truncatedLines = metrics.group().counter(TRUNCATED_LINES, new ThreadSafeSimpleCounter());
        this.exporter = new RetryingExporter<>(BACKEND, this::push, export, breaker, metrics, scheduler);
        try {
            rejected.open(context);
        } catch (Exception e) {
            throw new IOException("cannot open the rejected-batch handler", e);
        }
        LOG.info("Loki sink writer {} started: {}", subtask, options);
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name + "-" + THREADS.incrementAndGet());
        t.setDaemon(true);
        return t;
    }

    private static AsyncSinkWriterConfiguration configuration(LokiSinkOptions options) {
        ExportOptions export = options.export();
        return RetryForeverWriterConfiguration.of(export.maxBatchSize(), options.maxBatchBytes(), MAX_ENTRY_BYTES,
                export.maxInFlightBatches(), export.batchWait().toMillis());
    }

    @Override
    protected void submitRequestEntries(List<LokiEntry> entries, ResultHandler<LokiEntry> handler) {
        List<LokiEntry> batch = List.copyOf(entries);
        LokiPushEncoder.Encoded encoded;
        try {
            encoded = LokiPushEncoder.encode(batch);
        } catch (RuntimeException e) {
            handler.completeExceptionally(new IOException("cannot encode a Loki push", e));
            return;
        }
        if (encoded.truncatedLines() > 0) {
            truncatedLines.inc(encoded.truncatedLines());
        }
        exporter.export(encoded.body(), batch.size()).whenComplete((outcome, error) -> {
            if (error != null) { // not expected: the exporter completes only with an outcome
                handler.completeExceptionally(error instanceof Exception e ? e : new IOException(error));
            } else if (outcome.delivered()) {
                handler.complete();
            } else {
                handOver(batch, outcome.status(), outcome.answer(), handler);
            }
        });
    }

    private void handOver(List<LokiEntry> batch, String status, String answer, ResultHandler<LokiEntry> handler) {
        CompletionStage<Void> done;
        try {
            done = rejected.onRejected(batch, status, answer == null ? "" : answer);
        } catch (Exception e) {
            done = CompletableFuture.failedFuture(e);
        }
        done.whenComplete((ok, error) -> {
            if (error == null) {
                handler.complete();
            } else if (!closed) {
                Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause()
                        : error;
                handler.completeExceptionally(new IOException(
                        "a batch Loki rejected (" + status + ") could not be handed to the dead-letter handler", cause));
            }
        });
    }

    /** One POST; never fails, every outcome is an {@link AttemptResult}. */
    private CompletionStage<AttemptResult> push(byte[] body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .timeout(options.export().timeout())
                .header("Content-Type", "application/x-protobuf")
                .header("User-Agent", "correlation-station")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (options.tenant() != null) {
            request.header("X-Scope-OrgID", options.tenant());
        }
        headers.forEach(request::setHeader); // LOKI_HEADERS win over the defaults above
        return http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofByteArray())
                .handle((response, error) -> {
                    if (error != null) {
                        return failure(error);
                    }
                    String text = answer(response.body());
                    var retryAfter = RetryAfter.parse(response.headers().firstValue("Retry-After").orElse(null),
                            System.currentTimeMillis()).orElse(null);
                    return AttemptResult.ofHttp(response.statusCode(), retryAfter, text);
                });
    }

    private static AttemptResult failure(Throwable error) {
        Throwable e = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        String status = e instanceof HttpTimeoutException ? "timeout"
                : e instanceof ConnectException ? "connection_error" : "error";
        return AttemptResult.retry(status, null, e.getClass().getSimpleName() + ": " + e.getMessage());
    }

    private static String answer(byte[] body) {
        if (body == null || body.length == 0) {
            return "";
        }
        String text = new String(body, StandardCharsets.UTF_8).strip();
        return text.length() > MAX_ANSWER_CHARS ? text.substring(0, MAX_ANSWER_CHARS) : text;
    }

    /**
     * At a checkpoint everything buffered is sent and acknowledged, not only the pushes in flight: a
     * completed checkpoint means Loki holds every entry written before it (or the DLQ handler took it).
     */
    @Override
    public void flush(boolean endOfInput) throws InterruptedException {
        super.flush(true);
    }

    @Override
    protected long getSizeInBytes(LokiEntry e) {
        long line = e.line == null ? 0 : Math.min(e.line.length(), LokiPushEncoder.MAX_LINE_BYTES);
        long meta = 0;
        if (e.structuredMetadata != null) {
            for (Map.Entry<String, String> m : e.structuredMetadata.entrySet()) {
                meta += (m.getKey() == null ? 0 : m.getKey().length())
                        + (m.getValue() == null ? 0 : m.getValue().length());
            }
        }
        long labels = len(e.serviceName) + len(e.deploymentEnvironment) + len(e.level);
        return Math.min(line + Math.min(meta, LokiPushEncoder.MAX_METADATA_BYTES) + labels + 16, MAX_ENTRY_BYTES);
    }

    private static long len(String s) {
        return s == null ? 0 : Math.min(s.length(), LokiPushEncoder.MAX_LABEL_VALUE_CHARS);
    }

    /** For tests: the circuit breaker's state (0 closed, 1 open, 2 half-open). */
    int circuitBreakerState() {
        return breaker.state();
    }

    @Override
    public void close() {
        closed = true;
        // Unacknowledged pushes are replayed from the last checkpoint.
        exporter.close();
        scheduler.shutdownNow();
        httpExecutor.shutdownNow();
        try {
            rejected.close();
        } catch (Exception e) {
            LOG.warn("closing the rejected-batch handler failed", e);
        }
        super.close();
    }
}
