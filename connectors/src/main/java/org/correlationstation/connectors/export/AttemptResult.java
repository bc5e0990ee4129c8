package org.correlationstation.connectors.export;

import java.time.Duration;

/**
 * What one request to a backend came to. {@code status} is the metric label (an HTTP status code, a
 * gRPC status name, or {@code error}); {@code answer} is what the backend said, for logs and the DLQ.
 */
public record AttemptResult(Disposition disposition, String status, Duration retryAfter, String answer) {
    public enum Disposition {
        DELIVERED,
        /** Worth trying again: 408, 429, 5xx, timeouts, connection failures. */
        RETRY,
        /** The backend refused the data as invalid (other 4xx): retrying would not help. */
        REJECTED
    }

    public static AttemptResult delivered(String status) {
        return new AttemptResult(Disposition.DELIVERED, status, null, null);
    }

    public static AttemptResult retry(String status, Duration retryAfter, String answer) {
        return new AttemptResult(Disposition.RETRY, status, retryAfter, answer);
    }

    public static AttemptResult rejected(String status, String answer) {
        return new AttemptResult(Disposition.REJECTED, status, null, answer);
    }

    /** The usual HTTP classification (OTLP/HTTP and Loki agree on it). */
    public static AttemptResult ofHttp(int code, Duration retryAfter, String body) {
        String status = Integer.toString(code);
        if (code >= 200 && code < 300) return delivered(status);
        if (code == 408 || code == 429 || code >= 500) return retry(status, retryAfter, body);
        return rejected(status, body);
    }
}
