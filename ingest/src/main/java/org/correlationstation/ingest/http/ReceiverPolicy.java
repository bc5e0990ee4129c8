package org.correlationstation.ingest.http;

import java.io.IOException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.correlationstation.ingest.auth.BearerToken;
import org.correlationstation.ingest.kafka.KafkaWriteException;

/** What every HTTP ingest route checks before it decodes: the token and the body size. */
final class ReceiverPolicy {
    private final BearerToken token;
    private final int maxBodyBytes;
    private final long bodyReadTimeoutMs;

    ReceiverPolicy(BearerToken token, long maxBodyBytes, long bodyReadTimeoutMs) {
        this.token = token;
        this.bodyReadTimeoutMs = bodyReadTimeoutMs;
        // Arrays are int-indexed; a limit of 2 GiB would not fit the bounded read anyway.
        this.maxBodyBytes = (int) Math.min(maxBodyBytes, Integer.MAX_VALUE - 16);
    }

    void authorize(String authorization) throws HttpFailure {
        if (!token.allows(authorization)) throw HttpFailure.unauthenticated();
    }

    /**
     * The body within OTLP_MAX_BODY_BYTES, inflated when gzipped. The server has read it already (a body
     * that stalls is its 408, {@code HTTP_BODY_READ_TIMEOUT_MS}).
     */
    byte[] readBody(IngestRequest request) throws HttpFailure, IOException {
        return RequestBody.read(request.body(), request.contentLength(), request.contentEncoding(), maxBodyBytes);
    }

    /** {@code HTTP_BODY_READ_TIMEOUT_MS}: the server's wait for the rest of a declared body. */
    long bodyReadTimeoutMs() {
        return bodyReadTimeoutMs;
    }

    /** The answer to a failed write: Kafka's failures are retryable 503/429 (or 413 when too large). */
    static HttpFailure failureOf(Throwable e) {
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        if (e instanceof HttpFailure f) return f;
        // Any other failure of a write (also an unexpected one): the data is not known to be stored.
        return HttpFailure.of(KafkaWriteException.of(e));
    }
}
