package org.correlationstation.job.tempo;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.correlationstation.connectors.kafka.DeadLetterPublisher;
import org.correlationstation.connectors.tempo.RejectedBatchHandler;

/**
 * A batch Tempo rejected as invalid goes to the DLQ topic as its original {@code TracesData} messages
 * (SPEC §7), byte for byte, with the backend's answer in {@code dlq.reason} and {@code dlq.sink=tempo}.
 */
public final class TempoDeadLetters implements RejectedBatchHandler {
    private static final long serialVersionUID = 1L;

    private final DeadLetterPublisher publisher;

    public TempoDeadLetters(DeadLetterPublisher publisher) {
        this.publisher = publisher;
    }

    @Override
    public void rejected(List<byte[]> originals, String backendAnswer) throws Exception {
        List<CompletableFuture<Void>> acks = new ArrayList<>(originals.size());
        for (byte[] original : originals) acks.add(publisher.publish("tempo", original, "tempo", backendAnswer));
        // The batch counts as handled only once Kafka holds every dead letter.
        CompletableFuture.allOf(acks.toArray(new CompletableFuture[0])).get();
    }

    @Override
    public void close() {
        publisher.close();
    }
}
