package org.correlationstation.ingest.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.rpc.Code;
import java.util.concurrent.CompletionException;
import org.apache.kafka.clients.producer.BufferExhaustedException;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;

/** How Kafka's failures reach HTTP clients: retryable 429/503 with Retry-After, or a final 413. */
class FailureMappingTest {
    @Test
    void aFullProducerBufferIsBackpressure() {
        HttpFailure f = ReceiverPolicy.failureOf(new CompletionException(new BufferExhaustedException("full")));
        assertThat(f.status()).isEqualTo(429);
        assertThat(f.retryAfterSeconds()).isEqualTo(HttpFailure.BACKPRESSURE_RETRY_AFTER_SECONDS);
        assertThat(f.rpcCode()).isEqualTo(Code.RESOURCE_EXHAUSTED);
    }

    @Test
    void timeoutsAndBrokerErrorsAreUnavailable() {
        for (Throwable cause : new Throwable[] {new TimeoutException("t"), new NotEnoughReplicasException("r"),
                new IllegalStateException("unexpected")}) {
            HttpFailure f = ReceiverPolicy.failureOf(new CompletionException(cause));
            assertThat(f.status()).as(cause.toString()).isEqualTo(503);
            assertThat(f.retryAfterSeconds()).isEqualTo(HttpFailure.UNAVAILABLE_RETRY_AFTER_SECONDS);
            assertThat(f.code()).isEqualTo("unavailable");
        }
    }

    @Test
    void aRecordKafkaRefusesAsTooLargeIsNotRetryable() {
        HttpFailure f = ReceiverPolicy.failureOf(new RecordTooLargeException("big"));
        assertThat(f.status()).isEqualTo(413);
        assertThat(f.retryAfterSeconds()).isNull();
    }
}
