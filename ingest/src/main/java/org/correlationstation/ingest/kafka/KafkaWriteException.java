package org.correlationstation.ingest.kafka;

import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.clients.producer.BufferExhaustedException;

/**
 * Kafka did not acknowledge every message of a request. {@link #kind()} says how the receivers answer:
 * the client should retry later (unavailable, backpressure) or not at all (too large).
 */
public final class KafkaWriteException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public enum Kind {
        /** Brokers unreachable, a timeout, not enough replicas…: HTTP 503, gRPC UNAVAILABLE. */
        UNAVAILABLE,
        /** The producer's buffer is full: HTTP 429, gRPC UNAVAILABLE (both retryable). */
        BACKPRESSURE,
        /** A message is larger than the brokers accept: HTTP 413, gRPC RESOURCE_EXHAUSTED (not retryable). */
        TOO_LARGE
    }

    private final Kind kind;

    public KafkaWriteException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    /** Classifies a producer failure (a {@code KafkaWriteException} is returned as it is). */
    public static KafkaWriteException of(Throwable cause) {
        if (cause instanceof KafkaWriteException k) return k;
        Kind kind;
        if (cause instanceof BufferExhaustedException) {
            kind = Kind.BACKPRESSURE;
        } else if (cause instanceof RecordTooLargeException || cause instanceof RecordBatchTooLargeException) {
            kind = Kind.TOO_LARGE;
        } else {
            kind = Kind.UNAVAILABLE;
        }
        return new KafkaWriteException(kind, cause.getClass().getSimpleName()
                + (cause.getMessage() == null ? "" : ": " + cause.getMessage()), cause);
    }
}
