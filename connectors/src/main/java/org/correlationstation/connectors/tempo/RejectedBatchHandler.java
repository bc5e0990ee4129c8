package org.correlationstation.connectors.tempo;

import java.io.Serializable;
import java.util.List;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * Receives the batches Tempo rejected as invalid (HTTP 4xx other than 408/429, gRPC INVALID_ARGUMENT and
 * the like), as the original {@code TracesData} messages (protobuf encoding) of the batch, one per Kafka
 * message: SPEC §7 sends them to the DLQ topic. Created with the sink and serialised with it; opened and
 * closed once per writer.
 *
 * <p>{@link #rejected} runs on the writer's scheduler thread, not the task thread, and may block until the
 * batch is stored (e.g. a Kafka producer's send acknowledged): the batch's slot stays in flight, and a
 * checkpoint waits, until it returns. If it throws, the writer fails the task, which replays from the last
 * checkpoint — nothing is dropped.
 */
public interface RejectedBatchHandler extends Serializable {

    default void open(WriterInitContext context) throws Exception {}

    /**
     * @param originals     the batch's messages, unchanged
     * @param backendAnswer the status and what Tempo said, e.g. {@code "400: trace ids must be 16 bytes"}
     */
    void rejected(List<byte[]> originals, String backendAnswer) throws Exception;

    default void close() throws Exception {}

    /** Logs and drops (for tests and for jobs without a DLQ). */
    static RejectedBatchHandler logging() {
        return new LoggingRejectedBatchHandler();
    }
}
