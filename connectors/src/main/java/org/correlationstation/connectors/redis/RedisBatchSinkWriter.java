package org.correlationstation.connectors.redis;

import java.io.Serializable;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.base.sink.writer.AsyncSinkWriter;
import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.apache.flink.connector.base.sink.writer.ElementConverter;
import org.apache.flink.connector.base.sink.writer.ResultHandler;
import org.apache.flink.connector.base.sink.writer.config.AsyncSinkWriterConfiguration;
import org.correlationstation.connectors.export.Backoff;
import org.correlationstation.connectors.export.RetryForeverWriterConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the job's Redis writers share. Flink's AsyncSinkWriter does the buffering, the size and time
 * triggers, the bound on batches in flight (write blocks when reached: backpressure), and the
 * checkpointable buffer; at a checkpoint this writer sends everything and waits until Redis acknowledged
 * it. A subclass sends a batch; this class decides what a failure means: nothing is fatal; the batch is
 * handed back after an exponential backoff with jitter and sent again, for as long as it takes. A batch
 * waiting for its retry keeps its in-flight slot, so while Redis is down the writer stops taking input
 * and checkpoints wait.
 */
abstract class RedisBatchSinkWriter<IN, E extends Serializable> extends AsyncSinkWriter<IN, E> {
    private static final Logger LOG = LoggerFactory.getLogger(RedisBatchSinkWriter.class);

    /**
     * Bytes are not what Redis batches are bounded by: the byte limits are set so that only the entry
     * count and the wait trigger a batch (Redis' own bulk limit is 512 MB).
     */
    static final long BYTES_UNBOUNDED = 256L * 1024 * 1024;

    protected final RedisSinkOptions options;
    protected final RedisConnector connector;
    private final RedisSinkMetrics metrics;
    private final Backoff backoff;
    private final String what;
    private volatile boolean closed;

    /** @param what what the entries are, for log lines ("records", "graph totals") */
    RedisBatchSinkWriter(ElementConverter<IN, E> converter, WriterInitContext context, RedisSinkOptions options,
            Collection<BufferedRequestState<E>> restored, String what) {
        super(converter, context, configuration(options), restored);
        this.options = options;
        this.connector = new RedisConnector(options);
        this.metrics = new RedisSinkMetrics(context.metricGroup());
        this.backoff = new Backoff(options.retryDelay(), options.maxRetryDelay());
        this.what = what;
    }

    private static AsyncSinkWriterConfiguration configuration(RedisSinkOptions options) {
        return RetryForeverWriterConfiguration.of(options.maxBatchSize(), BYTES_UNBOUNDED, BYTES_UNBOUNDED,
                options.maxInFlightBatches(), options.batchWait().toMillis());
    }

    /** The batch to send for the entries Flink hands over (e.g. only the latest of each key). */
    protected abstract List<E> prepare(List<E> entries);

    /** Sends a prepared batch on the connector's pipeline. */
    protected abstract CompletionStage<BatchResult> send(RedisConnector.Pipeline pipeline, List<E> batch);

    @Override
    protected final void submitRequestEntries(List<E> entries, ResultHandler<E> handler) {
        List<E> batch = prepare(entries);
        long started = System.nanoTime();
        connector.pipeline()
                .thenCompose(p -> {
                    CompletionStage<BatchResult> written = send(p, batch);
                    // REDIS_WAIT_REPLICAS: the batch counts (and a checkpoint can complete) only once its writes
                    // reached the replicas, so that a primary lost in a failover took none of them along.
                    return options.waitReplicas() == 0 ? written
                            : written.thenCompose(r -> connector.awaitReplicas(p, options.waitReplicas()).thenApply(ok -> r));
                })
                .whenComplete((result, error) -> {
                    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
                    if (error == null) {
                        metrics.batchSucceeded(result, millis);
                        int failuresBefore = backoff.onSuccess();
                        if (failuresBefore > 0) {
                            LOG.info("Redis writes to {} recovered after {} failed attempts", connector.endpoint(),
                                    failuresBefore);
                        }
                        handler.complete();
                    } else {
                        metrics.batchFailed(batch.size(), millis);
                        retryLater(batch, handler, error);
                    }
                });
    }

    private void retryLater(List<E> batch, ResultHandler<E> handler, Throwable error) {
        if (closed) {
            // Failed because the connection was closed under it: the task is going away, and what was
            // not acknowledged is replayed from the last checkpoint.
            return;
        }
        long delay = backoff.onFailure();
        LOG.warn("Redis write of {} {} to {} failed, retrying in {} ms: {}", batch.size(), what, connector.endpoint(),
                delay, rootMessage(error));
        try {
            connector.scheduler().schedule(() -> handler.retryForEntries(batch), delay, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closing) {
            // Closed meanwhile: as above.
            LOG.debug("Redis sink closing; not rescheduling {} {}", batch.size(), what);
        }
    }

    private static String rootMessage(Throwable error) {
        Throwable e = error;
        while (e.getCause() != null && e.getCause() != e) {
            e = e.getCause();
        }
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    /**
     * At a checkpoint too, everything buffered is sent and acknowledged, not only the batches already
     * in flight (AsyncSinkWriter's default would checkpoint the buffer instead): SPEC §7 has records
     * "flushed at checkpoints", so a completed checkpoint means Redis holds everything emitted before
     * it. The buffer is then empty and the checkpointed writer state too.
     */
    @Override
    public void flush(boolean endOfInput) throws InterruptedException {
        super.flush(true);
    }

    /** Runs first when the writer closes. */
    protected void closing() {}

    @Override
    public void close() {
        closed = true;
        closing();
        connector.close();
        super.close();
    }
}
