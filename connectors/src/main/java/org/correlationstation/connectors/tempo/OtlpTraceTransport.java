package org.correlationstation.connectors.tempo;

import java.util.concurrent.CompletableFuture;
import java.util.function.LongConsumer;
import org.correlationstation.connectors.export.AttemptResult;

/**
 * Sends one encoded {@code ExportTraceServiceRequest} to an OTLP endpoint and classifies the answer
 * (SPEC §7, OTLP specification "Failures"). The future never fails: a connection error or a timeout is a
 * {@link AttemptResult.Disposition#RETRY} with status {@code error} or {@code timeout}.
 */
public interface OtlpTraceTransport extends AutoCloseable {

    CompletableFuture<AttemptResult> send(byte[] exportTraceServiceRequest);

    /** Where it sends to, for logs. */
    String endpoint();

    @Override
    void close();

    /** Called with the number of spans an accepted request's {@code partial_success} says were rejected. */
    interface PartialSuccessListener extends LongConsumer {}
}
