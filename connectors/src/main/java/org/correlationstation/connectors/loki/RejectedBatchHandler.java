package org.correlationstation.connectors.loki;

import java.io.Serializable;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * Receives a batch Loki refused as invalid (a 4xx other than 408/429, SPEC §7) — for the dead-letter
 * topic. The batch counts as done only when the returned stage completes, so a checkpoint covers the
 * hand-over; a stage that fails fails the task (the job restarts from its last checkpoint, nothing is
 * lost). Serialisable: it travels with the sink; {@link #open} is called once per writer on the task,
 * {@link #onRejected} on an HTTP client thread, {@link #close} when the writer closes.
 */
@FunctionalInterface
public interface RejectedBatchHandler extends Serializable {
    /**
     * @param batch  exactly the entries of the refused request, in the order they were written
     * @param status the HTTP status code, e.g. {@code "400"}
     * @param answer the backend's answer text (the response body, at most 4 KiB)
     */
    CompletionStage<Void> onRejected(List<LokiEntry> batch, String status, String answer) throws Exception;

    default void open(WriterInitContext context) throws Exception {}

    default void close() throws Exception {}

    /** Logs the rejection and drops the batch: the default when no DLQ is wired. */
    static RejectedBatchHandler logging() {
        return (batch, status, answer) -> {
            org.slf4j.LoggerFactory.getLogger(RejectedBatchHandler.class).error(
                    "Loki rejected a batch of {} entries ({}), dropped (no dead-letter handler): {}",
                    batch.size(), status, answer);
            return CompletableFuture.completedFuture(null);
        };
    }
}
